"""Payment QR codes, decoded from the rendered page and checked field by field.

EPC: EPC069-12 v2 (BCD/002, a field a line); Swiss: QR-bill v2 (SPC/0200, CR LF)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import zxingcpp
from PIL import Image
from pypdf import PdfReader
from stdnum import iso11649
from stdnum.ch import esr

from sheetbill.documents import render_invoice_pdf
from sheetbill.documents.qr import _structured_reference, payment_code
from sheetbill.domain.model import InvoiceKind

from document_helpers import SETTINGS, document, page_png, with_customer


def decode(png: Path) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(Image.open(png))]


def test_payment_code_epc_qr_decodes_to_iban_amount_and_number(out_dir: Path):
    pdf = render_invoice_pdf(document(), out_dir=out_dir)
    (payload,) = decode(page_png(pdf, "invoice-epc-qr", dpi=150))
    fields = payload.split("\n")
    assert fields[:4] == ["BCD", "002", "1", "SCT"]
    assert fields[4] == "COBADEFFXXX"
    assert fields[5] == "Northwind Studio GmbH"
    assert fields[6] == "DE89370400440532013000"
    assert fields[7] == "EUR2486.6"  # EPC069-12: no trailing zeros required
    assert fields[10] == "INV-2026-0001"


def test_payment_code_swiss_qr_bill_decodes_to_iban_amount_and_reference(out_dir: Path):
    settings = replace(
        SETTINGS,
        company_address="Bahnhofstrasse 1",
        company_postcode="8001",
        company_city="Zürich",
        company_country="CH",
        company_tax_id="CHE-123.456.789 MWST",
        iban="CH93 0076 2011 6238 5295 7",
        locale="de_CH",
    )
    doc = with_customer(
        document(currency="CHF", settings=settings),
        currency="CHF",
        country="CH",
        address="Marktgasse 3",
        postcode="3011",
        city="Bern",
    )
    pdf = render_invoice_pdf(doc, out_dir=out_dir)
    last = len(PdfReader(pdf).pages)
    (payload,) = decode(page_png(pdf, "invoice-swiss-qr-bill", page=last, dpi=150))
    fields = payload.split("\r\n")
    assert fields[:3] == ["SPC", "0200", "1"]
    assert fields[3] == "CH9300762011623852957"
    # Structured addresses (S): street, house number, postcode, city, country.
    creditor = ["S", "Northwind Studio GmbH", "Bahnhofstrasse 1", "", "8001", "Zürich"]
    assert fields[4:11] == [*creditor, "CH"]
    assert fields[18:20] == [f"{doc.invoice.total:.2f}", "CHF"]
    debtor = ["S", "Acme Handels AG", "Marktgasse 3", "", "3011", "Bern", "CH"]
    assert fields[20:27] == debtor
    assert fields[27] == "SCOR" and iso11649.is_valid(fields[28])
    assert fields[28].endswith("INV20260001")
    assert fields[29] == "INV-2026-0001" and fields[30] == "EPD"


def test_structured_reference_is_qrr_for_a_qr_iban():
    reference = _structured_reference("INV-2026-0042", "CH4431999123000889012")
    assert reference.startswith("00000000000000000020260042") and esr.is_valid(
        reference
    )


def test_payment_code_only_for_eur_or_chf_invoices_with_iban():
    doc = document()
    assert payment_code(doc.invoice, doc.settings, doc.customer, "de") is not None
    usd = document(currency="USD").invoice
    assert payment_code(usd, doc.settings, doc.customer, "en") is None
    no_iban = replace(doc.settings, iban="")
    assert payment_code(doc.invoice, no_iban, doc.customer, "de") is None
    credit = replace(doc.invoice, kind=InvoiceKind.CREDIT_NOTE)
    assert payment_code(credit, doc.settings, doc.customer, "de") is None
    bad_iban = replace(doc.settings, iban="DE00 1234")
    assert payment_code(doc.invoice, bad_iban, doc.customer, "de") is None
