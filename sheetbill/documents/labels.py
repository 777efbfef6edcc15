"""The words printed on invoices and credit notes: English, German, French, Spanish.

Chosen by the customer's Language cell; an unknown language falls back to English.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

EN: dict[str, str] = {
    "invoice": "Invoice",
    "credit_note": "Credit note",
    "number": "Number",
    "customer_id": "Customer no.",
    "issue_date": "Date",
    "due_date": "Due date",
    "service_period": "Service period",
    "service_date": "Date of supply",
    "bill_to": "Bill to",
    "tax_id": "VAT ID",
    "line": "#",
    "description": "Description",
    "quantity": "Qty",
    "unit": "Unit",
    "unit_price": "Unit price",
    "tax_rate": "VAT",
    "amount": "Amount",
    "net": "Net",
    "tax": "VAT",
    "total": "Total",
    "amount_due": "Amount due",
    "credit_total": "Total credited",
    "net_total": "Total net",
    "tax_at": "VAT {rate} on {net}",
    "tax_breakdown": "VAT breakdown",
    "prices_include_tax": "Prices include VAT.",
    "payment_terms": "Please pay {total} by {due} without deduction, quoting {number}.",
    "credit_terms": "This credit note refers to {number}. The amount will be "
    "refunded or set off.",
    "bank_details": "Bank details",
    "account_holder": "Account holder",
    "iban": "IBAN",
    "bic": "BIC",
    "buyer_reference": "Your reference",
    "reference": "Reference",
    "notes": "Notes",
    "scan_to_pay": "Scan to pay",
    "page": "Page",
    "of": "of",
    "unit_hour": "h",
    "unit_day": "days",
    "unit_item": "pcs",
    "draft": "DRAFT",
}

DE: dict[str, str] = {
    "invoice": "Rechnung",
    "credit_note": "Gutschrift",
    "number": "Nummer",
    "customer_id": "Kundennr.",
    "issue_date": "Datum",
    "due_date": "Fällig am",
    "service_period": "Leistungszeitraum",
    "service_date": "Leistungsdatum",
    "bill_to": "Rechnungsempfänger",
    "tax_id": "USt-IdNr.",
    "line": "Pos.",
    "description": "Beschreibung",
    "quantity": "Menge",
    "unit": "Einheit",
    "unit_price": "Einzelpreis",
    "tax_rate": "USt.",
    "amount": "Betrag",
    "net": "Netto",
    "tax": "USt.",
    "total": "Gesamt",
    "amount_due": "Zu zahlen",
    "credit_total": "Gutschriftsbetrag",
    "net_total": "Summe netto",
    "tax_at": "USt. {rate} auf {net}",
    "tax_breakdown": "Steueraufstellung",
    "prices_include_tax": "Preise enthalten die Umsatzsteuer.",
    "payment_terms": "Bitte überweisen Sie {total} ohne Abzug bis zum {due} "
    "unter Angabe von {number}.",
    "credit_terms": "Diese Gutschrift bezieht sich auf {number}. Der Betrag wird "
    "erstattet oder verrechnet.",
    "bank_details": "Bankverbindung",
    "account_holder": "Kontoinhaber",
    "iban": "IBAN",
    "bic": "BIC",
    "buyer_reference": "Ihre Referenz",
    "reference": "Verwendungszweck",
    "notes": "Hinweise",
    "scan_to_pay": "Mit der Banking-App scannen",
    "page": "Seite",
    "of": "von",
    "unit_hour": "Std.",
    "unit_day": "Tage",
    "unit_item": "Stk.",
    "draft": "ENTWURF",
}

FR: dict[str, str] = {
    "invoice": "Facture",
    "credit_note": "Avoir",
    "number": "Numéro",
    "customer_id": "N° client",
    "issue_date": "Date",
    "due_date": "Échéance",
    "service_period": "Période de prestation",
    "service_date": "Date de prestation",
    "bill_to": "Facturé à",
    "tax_id": "N° TVA",
    "line": "N°",
    "description": "Désignation",
    "quantity": "Qté",
    "unit": "Unité",
    "unit_price": "Prix unitaire",
    "tax_rate": "TVA",
    "amount": "Montant",
    "net": "HT",
    "tax": "TVA",
    "total": "Total TTC",
    "amount_due": "Net à payer",
    "credit_total": "Montant de l'avoir",
    "net_total": "Total HT",
    "tax_at": "TVA {rate} sur {net}",
    "tax_breakdown": "Détail de la TVA",
    "prices_include_tax": "Prix TTC.",
    "payment_terms": "Merci de régler {total} avant le {due} en indiquant {number}. "
    "Pas d'escompte pour paiement anticipé.",
    "credit_terms": "Cet avoir se rapporte à {number}. Le montant sera remboursé "
    "ou déduit.",
    "bank_details": "Coordonnées bancaires",
    "account_holder": "Titulaire",
    "iban": "IBAN",
    "bic": "BIC",
    "buyer_reference": "Votre référence",
    "reference": "Référence",
    "notes": "Remarques",
    "scan_to_pay": "Scanner pour payer",
    "page": "Page",
    "of": "sur",
    "unit_hour": "h",
    "unit_day": "jours",
    "unit_item": "pce",
    "draft": "BROUILLON",
}

ES: dict[str, str] = {
    "invoice": "Factura",
    "credit_note": "Factura rectificativa",
    "number": "Número",
    "customer_id": "N.º de cliente",
    "issue_date": "Fecha",
    "due_date": "Vencimiento",
    "service_period": "Periodo de servicio",
    "service_date": "Fecha de la operación",
    "bill_to": "Facturar a",
    "tax_id": "NIF-IVA",
    "line": "N.º",
    "description": "Descripción",
    "quantity": "Cant.",
    "unit": "Unidad",
    "unit_price": "Precio unitario",
    "tax_rate": "IVA",
    "amount": "Importe",
    "net": "Base",
    "tax": "IVA",
    "total": "Total",
    "amount_due": "Total a pagar",
    "credit_total": "Total abonado",
    "net_total": "Base imponible",
    "tax_at": "IVA {rate} sobre {net}",
    "tax_breakdown": "Desglose del IVA",
    "prices_include_tax": "Precios con IVA incluido.",
    "payment_terms": "Por favor, pague {total} antes del {due} indicando {number}.",
    "credit_terms": "Esta factura rectificativa se refiere a {number}. El importe "
    "se reembolsará o compensará.",
    "bank_details": "Datos bancarios",
    "account_holder": "Titular",
    "iban": "IBAN",
    "bic": "BIC",
    "buyer_reference": "Su referencia",
    "reference": "Concepto",
    "notes": "Notas",
    "scan_to_pay": "Escanear para pagar",
    "page": "Página",
    "of": "de",
    "unit_hour": "h",
    "unit_day": "días",
    "unit_item": "uds.",
    "draft": "BORRADOR",
}

LANGUAGES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {"en": EN, "de": DE, "fr": FR, "es": ES}
)


def language_of(text: str) -> str:
    """The label language for a Language cell: `de`, `DE`, `de-AT`, `de_CH` -> `de`."""
    code = text.strip().replace("-", "_").split("_", 1)[0].lower()
    return code if code in LANGUAGES else "en"


def labels_for(language: str) -> Mapping[str, str]:
    return MappingProxyType(LANGUAGES[language_of(language)])
