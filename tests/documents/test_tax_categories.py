"""The VAT category of every e-invoice line, its exemption reason and VATEX code, and
the legal statement the PDF prints, checked against the official rules (EN 16931,
XRechnung, Factur-X) run by Saxon-HE, and read back from the PDF."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from einvoice_rules import judge
from facturx import get_facturx_xml_from_pdf
from lxml import etree
from readback import calamine_records

from sheetbill.cli import main
from sheetbill.documents import InvoiceDocument, cii_xml, render_invoice_pdf
from sheetbill.domain.model import Customer, InvoiceKind, TaxCategory, TaxMode

from document_helpers import CUSTOMER, Item, document, pdf_text
from helpers import ORDER_HEADERS, SETTINGS_ROWS, TIME_HEADERS, time_row, write_xlsx

T = TaxCategory
NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:"
    "ReusableAggregateBusinessInformationEntity:100",
}
# Faults of the seller's contact and of the empty delivery element, which the
# address and delivery work of issue 12 (points 2 and 4) removes. Nothing about VAT
# may fail, and nothing else.

FR_BUSINESS = replace(
    CUSTOMER,
    customer_id="C2",
    name="Café Lumière SARL",
    address="8 rue de Rivoli",
    postcode="75004",
    city="Paris",
    country="FR",
    tax_id="FR40123456789",
    language="fr",
)
US_BUSINESS = replace(
    CUSTOMER,
    customer_id="C3",
    name="Hudson & Pike LLC",
    address="200 Park Avenue",
    postcode="NY 10166",
    city="New York",
    country="US",
    tax_id="",
    language="en",
)
SWISS_BUSINESS = replace(
    US_BUSINESS,
    address="Bahnhofstrasse 1",
    postcode="8001",
    city="Zürich",
    country="",
    tax_id="CHE-123.456.789 MWST",
    language="de",
)
TRAINING_CENTRE = replace(
    CUSTOMER,
    tax_category=T.EXEMPT,
    invoice_note="Steuerfrei nach § 4 Nr. 21 UStG",
)
BOOKSHOP = replace(CUSTOMER, tax_category=T.ZERO_RATED, language="en")
SERVICES: list[Item] = [
    ("Consulting", "10", "hour", "120.00", "0"),
    ("Workshop day", "1.5", "day", "960.00", "0"),
]
MIXED: list[Item] = [
    ("Machine part", "2", "item", "300.00", "0"),
    ("Installation", "5", "hour", "90.00", "19"),
    ("Manual", "1", "item", "14.00", "7"),
]


def values(xml: bytes, path: str) -> list[str]:
    found = etree.fromstring(xml).xpath(f"{path}/text()", namespaces=NS)
    return [str(v) for v in found]


def with_categories(
    doc: InvoiceDocument, categories: Sequence[TaxCategory | None]
) -> InvoiceDocument:
    """The document with its lines planned under these categories (orders' own)."""
    lines = tuple(
        replace(line, tax_category=category)
        for line, category in zip(doc.invoice.lines, categories, strict=True)
    )
    return replace(doc, invoice=replace(doc.invoice, lines=lines))


def as_credit_note(doc: InvoiceDocument) -> InvoiceDocument:
    """The document's invoice taken back: every quantity and amount negated."""
    invoice = doc.invoice
    lines = tuple(
        replace(li, quantity=-li.quantity, net=-li.net, tax=-li.tax, total=-li.total)
        for li in invoice.lines
    )
    breakdown = tuple(replace(b, net=-b.net, tax=-b.tax) for b in invoice.breakdown)
    credit = replace(
        invoice,
        kind=InvoiceKind.CREDIT_NOTE,
        number="CN-2026-0001",
        lines=lines,
        net=-invoice.net,
        tax=-invoice.tax,
        total=-invoice.total,
        breakdown=breakdown,
    )
    return replace(doc, invoice=credit, refers_to="INV-2026-0001")


def doc_of(
    customer: Customer,
    items: Sequence[Item],
    categories: Sequence[TaxCategory | None] | None = None,
    **options: object,
) -> InvoiceDocument:
    doc = document(items, customer=customer, **options)
    return with_categories(doc, categories) if categories else doc


# (name, document, the categories of its VAT breakdown, in rate order)
CASES = [
    ("reverse charge: EU business", doc_of(FR_BUSINESS, SERVICES), ["AE"]),
    ("outside scope: US business", doc_of(US_BUSINESS, SERVICES), ["O"]),
    (
        "outside scope: in USD",
        doc_of(US_BUSINESS, SERVICES, currency="USD"),
        ["O"],
    ),
    (
        "outside scope: Swiss VAT ID, no country",
        doc_of(SWISS_BUSINESS, SERVICES, currency="JPY"),
        ["O"],
    ),
    (
        "exempt beside standard",
        doc_of(TRAINING_CENTRE, MIXED, [T.EXEMPT, None, None]),
        ["E", "S", "S"],
    ),
    ("zero rated beside standard", doc_of(BOOKSHOP, MIXED), ["Z", "S", "S"]),
    (
        "intra-community supply beside standard",
        doc_of(FR_BUSINESS, MIXED, [T.INTRA_COMMUNITY, None, None]),
        ["K", "S", "S"],
    ),
    (
        "export of goods and reverse-charged services",
        doc_of(FR_BUSINESS, [*SERVICES, MIXED[0]], [None, None, T.EXPORT]),
        ["AE", "G"],
    ),
    (
        "tax inclusive: reverse charge beside standard",
        doc_of(
            FR_BUSINESS,
            [*SERVICES, MIXED[1]],
            [T.REVERSE_CHARGE, T.REVERSE_CHARGE, None],
            tax_mode=TaxMode.INCLUSIVE,
        ),
        ["AE", "S"],
    ),
    (
        "credit note: reverse charge",
        as_credit_note(doc_of(FR_BUSINESS, SERVICES)),
        ["AE"],
    ),
    (
        "credit note: outside scope",
        as_credit_note(doc_of(US_BUSINESS, SERVICES)),
        ["O"],
    ),
]


@pytest.mark.parametrize("profile", ["factur-x", "xrechnung"])
@pytest.mark.parametrize(
    ("name", "doc", "categories"), CASES, ids=[c[0] for c in CASES]
)
def test_every_vat_category_passes_the_official_rules(name, doc, categories, profile):
    xml = cii_xml(doc, profile=profile)
    verdict = judge(xml, profile)
    assert verdict.is_clean, f"{name}: {verdict}"
    breakdown = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax"
    assert values(xml, f"{breakdown}/ram:CategoryCode") == categories


def test_a_broken_vat_breakdown_fails_the_rules():
    """The harness can fail: reverse charge without the buyer's VAT ID (BR-AE-02)."""
    doc = doc_of(replace(FR_BUSINESS, tax_id=""), SERVICES, [T.REVERSE_CHARGE] * 2)
    rules = judge(cii_xml(doc), "factur-x").rules()
    assert "BR-AE-02" in rules


def test_reverse_charge_states_the_reason_and_vatex_code_in_the_customer_language():
    xml = cii_xml(doc_of(FR_BUSINESS, SERVICES))
    tax = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax"
    assert values(xml, f"{tax}/ram:ExemptionReasonCode") == ["VATEX-EU-AE"]
    [reason] = values(xml, f"{tax}/ram:ExemptionReason")
    assert reason.startswith("Autoliquidation")
    assert values(xml, "//ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/ram:ID") == [
        "FR40123456789"
    ]


def test_outside_scope_carries_no_vat_ids_and_no_line_rate():
    """BR-O-02 and BR-O-05; the seller is named by its VAT number as BT-29."""
    xml = cii_xml(doc_of(replace(US_BUSINESS, tax_id="US12-3456789"), SERVICES))
    assert values(xml, "//ram:SpecifiedTaxRegistration/ram:ID") == []
    assert values(xml, "//ram:SellerTradeParty/ram:ID") == ["DE123456789"]
    line_tax = "//ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax"
    assert values(xml, f"{line_tax}/ram:CategoryCode") == ["O", "O"]
    assert values(xml, f"{line_tax}/ram:RateApplicablePercent") == []
    tax = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax"
    assert values(xml, f"{tax}/ram:ExemptionReasonCode") == ["VATEX-EU-O"]


def test_intra_community_supply_names_where_the_goods_go():
    """BR-IC-12: the deliver-to country; XRechnung wants the whole address."""
    doc = doc_of(FR_BUSINESS, MIXED, [T.INTRA_COMMUNITY, None, None])
    xml = cii_xml(doc, profile="xrechnung")
    ship_to = "//ram:ApplicableHeaderTradeDelivery/ram:ShipToTradeParty"
    assert values(xml, f"{ship_to}/ram:PostalTradeAddress/ram:CountryID") == ["FR"]
    assert values(xml, f"{ship_to}/ram:PostalTradeAddress/ram:CityName") == ["Paris"]
    tax = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax"
    assert values(xml, f"{tax}/ram:ExemptionReasonCode") == ["VATEX-EU-IC"]


def test_exempt_lines_give_the_invoice_note_as_their_reason():
    xml = cii_xml(doc_of(TRAINING_CENTRE, MIXED, [T.EXEMPT, None, None]))
    tax = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax"
    assert values(xml, f"{tax}/ram:ExemptionReason") == [
        "Steuerfrei nach § 4 Nr. 21 UStG"
    ]
    assert values(xml, f"{tax}/ram:ExemptionReasonCode") == []


def test_a_line_recorded_without_a_category_is_decided_from_the_customer():
    """Invoices planned before lines carried a category, or rebuilt from the
    workbook, are printed with the category the customer's data decide."""
    doc = with_categories(doc_of(FR_BUSINESS, SERVICES), [None, None])
    assert values(cii_xml(doc), "//ram:CategoryCode") == ["AE", "AE", "AE"]


@pytest.mark.parametrize(
    ("customer", "categories", "printed"),
    [
        (
            replace(FR_BUSINESS, language="en"),
            None,
            ["Reverse charge: VAT to be accounted for by the recipient"],
        ),
        (
            FR_BUSINESS,
            [T.INTRA_COMMUNITY, None],
            ["Livraison intracommunautaire exonérée de TVA", "Autoliquidation"],
        ),
        (
            replace(CUSTOMER, country="US", tax_id=""),
            None,
            ["Nicht im Inland steuerbare Leistung: Leistungsort außerhalb der EU"],
        ),
        (US_BUSINESS, None, ["Export of services — not subject to VAT"]),
    ],
)
def test_the_pdf_prints_the_legal_statement_of_each_category(
    out_dir: Path, customer, categories, printed
):
    doc = doc_of(customer, SERVICES, categories)
    text = " ".join(pdf_text(render_invoice_pdf(doc, out_dir=out_dir)).split())
    for statement in printed:
        assert statement in text


def test_the_pdf_of_a_standard_rated_invoice_prints_no_statement(out_dir: Path):
    text = pdf_text(render_invoice_pdf(document(), out_dir=out_dir))
    assert "Reverse" not in text and "steuerbar" not in text
    assert document().invoice.tax == Decimal("382.20")


def test_a_run_makes_e_invoices_with_the_categories_the_sheet_decides(
    tmp_path: Path, capsys
):
    """As a user runs it: each customer's e-invoice passes the official rules with the
    category its cells and countries decide; lines outside the scope of VAT get an
    invoice of their own; a 0 % e-invoice nobody explains is held, with an error on
    its Tax Category cell, and no number is drawn for it."""
    worked = date(2026, 11, 2)
    book = write_xlsx(
        tmp_path / "shop.xlsx",
        {
            "Settings": [
                ["Key", "Value"],
                *SETTINGS_ROWS,
                ["Company Street", "Hafenstraße 12"],
                ["Company Postcode", "20457"],
                ["Company City", "Hamburg"],
                ["Company Country", "DE"],
                ["Contact Name", "Ann Example"],
                ["Contact Phone", "+49 40 1234567"],
                ["Contact Email", "billing@shop.example"],
                ["Billing Owner", "billing@shop.example"],
                ["IBAN", "DE89 3704 0044 0532 0130 00"],
            ],
            "Customers": [
                [
                    "Customer ID",
                    "Name",
                    "Street",
                    "Postcode",
                    "City",
                    "Country",
                    "Tax ID",
                    "Tax Rate",
                    "Tax Category",
                    "E-Invoice",
                    "Buyer Reference",
                    "Invoice Note",
                    "Email",
                ],
                [
                    "C1",
                    "Lumière SARL",
                    "8 rue de Rivoli",
                    "75004",
                    "Paris",
                    "FR",
                    "FR40123456789",
                    None,
                    "reverse charge",
                    "factur-x",
                    None,
                    None,
                    "ap@lumiere.example",
                ],
                [
                    "C2",
                    "Hudson LLC",
                    "200 Park Ave",
                    "10166",
                    "New York",
                    "US",
                    None,
                    0,
                    None,
                    "factur-x",
                    None,
                    None,
                    "ap@hudson.example",
                ],
                [
                    "C3",
                    "Stadt Köln",
                    "Rathausplatz 1",
                    "50667",
                    "Köln",
                    "DE",
                    "DE811234567",
                    None,
                    None,
                    "xrechnung",
                    "05315000-12345-67",
                    "Training exempt under § 4 Nr. 21 UStG",
                    "rechnung@stadt-koeln.example",
                ],
                [
                    "C4",
                    "Acme GmbH",
                    "Hafenstraße 3",
                    "20457",
                    "Hamburg",
                    "DE",
                    "DE812345678",
                    0,
                    None,
                    "factur-x",
                    None,
                    None,
                    "ap@acme.example",
                ],
            ],
            "Rates": [["Rate"], [100]],
            "Time Log": [
                TIME_HEADERS,
                *(time_row(worked, "Ann", c, 2) for c in ("C1", "C2", "C3", "C4")),
            ],
            "Orders": [
                ORDER_HEADERS,
                [
                    worked,
                    "C1",
                    "Machine part",
                    2,
                    300,
                    None,
                    "",
                    None,
                    None,
                    "intra-community supply",
                ],
                [worked, "C2", "Licence", 1, 50, 19, "", None, None, None],
                [worked, "C3", "Course", 1, 400, None, "", None, None, "exempt"],
            ],
        },
    )
    assert main(["run", str(book), "--as-of", "2026-11-03", "--json"]) == 1
    capsys.readouterr()
    invoices = calamine_records(book, "Invoices")
    assert [(r["Customer ID"], r["Tax"]) for r in invoices] == [
        ("C1", 0),
        ("C2", 9.5),
        ("C2", 0),
        ("C3", 38),
    ]
    [held] = [
        r for r in calamine_records(book, "Exceptions") if r["Severity"] == "error"
    ]
    assert (held["Tab"], held["Row"], held["Column"]) == (
        "Customers",
        5,
        "Tax Category",
    )
    folder = book.parent / "invoices"
    categories = {}
    for row in invoices:
        number = str(row["Invoice No"])
        pdf = folder / f"{number}.pdf"
        if row["Customer ID"] == "C3":
            xml, profile = pdf.with_suffix(".xml").read_bytes(), "xrechnung"
        else:
            xml, profile = get_facturx_xml_from_pdf(pdf.read_bytes())[1], "factur-x"
        verdict = judge(xml, profile)
        assert verdict.is_clean, f"{number}: {verdict}"
        line_tax = "//ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax"
        categories[number] = values(xml, f"{line_tax}/ram:CategoryCode")
    assert list(categories.values()) == [["AE", "K"], ["S"], ["O"], ["S", "E"]]
    text = " ".join(pdf_text(folder / f"{invoices[0]['Invoice No']}.pdf").split())
    assert "Reverse charge: VAT to be accounted for by the recipient" in text
    assert "Intra-community supply of goods, exempt from VAT" in text
