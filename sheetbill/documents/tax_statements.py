"""What an invoice says about the VAT it does not charge, per line category.

The legal statement printed under the totals (VAT directive art. 226(11), (11a)) is
also the e-invoice's VAT exemption reason (EN 16931 BT-120), beside the code of the
CEF VATEX list (BT-121). A line's category is the one planned with it, else decided
now from the customer (`tax_category.line_tax`), else, for a 0 % line nothing
explains, exempt with the Invoice Note as reason when there is one, or zero rated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from sheetbill.domain.countries import buyer_country
from sheetbill.domain.model import Customer, InvoiceLine, Settings, TaxCategory
from sheetbill.domain.tax_category import EU_MEMBER_STATES, line_tax

if TYPE_CHECKING:  # context imports this module
    from sheetbill.documents.context import InvoiceDocument

# The CEF VATEX code of each category that has one (E has many: the text says which).
VATEX = {
    TaxCategory.REVERSE_CHARGE: "VATEX-EU-AE",
    TaxCategory.INTRA_COMMUNITY: "VATEX-EU-IC",
    TaxCategory.EXPORT: "VATEX-EU-G",
    TaxCategory.OUTSIDE_SCOPE: "VATEX-EU-O",
}
# Categories whose breakdown must give a reason (BR-AE-10, BR-IC-10, BR-G-10,
# BR-O-10, BR-E-10); S and Z must not (BR-S-10, BR-Z-10).
HAS_REASON = frozenset({*VATEX, TaxCategory.EXEMPT})
# Printed in this order when an invoice has several.
_ORDER = (
    TaxCategory.REVERSE_CHARGE,
    TaxCategory.INTRA_COMMUNITY,
    TaxCategory.EXPORT,
    TaxCategory.OUTSIDE_SCOPE,
    TaxCategory.EXEMPT,
)
# "services abroad" is the statement of a line outside the scope of VAT for a buyer
# outside the EU (art. 44: the place of supply is the buyer's country).
_TEXTS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "AE": "Reverse charge: VAT to be accounted for by the recipient "
        "(Art. 196 Directive 2006/112/EC).",
        "K": "Intra-community supply of goods, exempt from VAT "
        "(Art. 138 Directive 2006/112/EC).",
        "G": "Export of goods outside the EU, exempt from VAT "
        "(Art. 146 Directive 2006/112/EC).",
        "services abroad": "Export of services — not subject to VAT: the place of "
        "supply is outside the EU (Art. 44 Directive 2006/112/EC).",
        "O": "Not subject to VAT.",
        "E": "Exempt from VAT.",
    },
    "de": {
        "AE": "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge, "
        "Art. 196 MwStSystRL).",
        "K": "Steuerfreie innergemeinschaftliche Lieferung (Art. 138 MwStSystRL).",
        "G": "Steuerfreie Ausfuhrlieferung (Art. 146 MwStSystRL).",
        "services abroad": "Nicht im Inland steuerbare Leistung: Leistungsort "
        "außerhalb der EU (Art. 44 MwStSystRL).",
        "O": "Nicht steuerbar.",
        "E": "Von der Umsatzsteuer befreit.",
    },
    "fr": {
        "AE": "Autoliquidation : TVA due par le preneur "
        "(art. 196 de la directive 2006/112/CE).",
        "K": "Livraison intracommunautaire exonérée de TVA "
        "(art. 138 de la directive 2006/112/CE).",
        "G": "Exportation hors UE exonérée de TVA "
        "(art. 146 de la directive 2006/112/CE).",
        "services abroad": "Prestation de services non soumise à la TVA : lieu de "
        "prestation hors UE (art. 44 de la directive 2006/112/CE).",
        "O": "Non soumis à la TVA.",
        "E": "Exonéré de TVA.",
    },
    "es": {
        "AE": "Inversión del sujeto pasivo: IVA a cargo del destinatario "
        "(art. 196 Directiva 2006/112/CE).",
        "K": "Entrega intracomunitaria exenta de IVA (art. 138 Directiva 2006/112/CE).",
        "G": "Exportación fuera de la UE exenta de IVA "
        "(art. 146 Directiva 2006/112/CE).",
        "services abroad": "Prestación de servicios no sujeta a IVA: lugar de "
        "prestación fuera de la UE (art. 44 Directiva 2006/112/CE).",
        "O": "No sujeto a IVA.",
        "E": "Exento de IVA.",
    },
}


def line_category(
    line: InvoiceLine, customer: Customer, settings: Settings
) -> TaxCategory:
    """The VAT category an invoice line is printed and sent with."""
    if line.tax_category is not None:
        return line.tax_category
    decided = line_tax(customer, settings, line.tax_rate).category
    if decided is not None:
        return decided
    return (
        TaxCategory.EXEMPT if customer.invoice_note.strip() else TaxCategory.ZERO_RATED
    )


def document_categories(document: InvoiceDocument) -> list[TaxCategory]:
    """The categories of the document's lines, each once, in line order."""
    customer, settings = document.customer, document.settings
    found = (line_category(li, customer, settings) for li in document.invoice.lines)
    return list(dict.fromkeys(found))


def exemption_reason(category: TaxCategory, document: InvoiceDocument) -> str:
    """The reason a category's lines bear no VAT, in the document's language: the
    Invoice Note for exempt lines when there is one, else the legal statement; ""
    for standard and zero-rated lines, which must give none."""
    if category not in HAS_REASON:
        return ""
    note = document.customer.invoice_note.strip()
    if category is TaxCategory.EXEMPT and note:
        return note
    texts = _TEXTS.get(document.language, _TEXTS["en"])
    key = category.value
    if category is TaxCategory.OUTSIDE_SCOPE:
        country = buyer_country(document.customer)
        if country and country not in EU_MEMBER_STATES:
            key = "services abroad"
    return texts[key]


def tax_statements(document: InvoiceDocument) -> list[str]:
    """The statements a PDF prints under its totals: one per category of its lines
    that charges no VAT for a reason; an exempt invoice's reason is its Invoice
    Note, printed on its own, so only the bare "Exempt from VAT" stands in for a
    missing one."""
    present = set(document_categories(document))
    note = document.customer.invoice_note.strip()
    return [
        exemption_reason(category, document)
        for category in _ORDER
        if category in present and not (category is TaxCategory.EXEMPT and note)
    ]
