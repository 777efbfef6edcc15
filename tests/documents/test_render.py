"""Invoice PDFs: what a customer reads, in their language, page after page."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from sheetbill.documents import render_html, render_invoice_pdf
from sheetbill.documents.files import file_stem
from sheetbill.domain.model import InvoiceKind
from sheetbill.errors import RenderError

from document_helpers import (
    CUSTOMER,
    document,
    many_items,
    page_png,
    pdf_text,
    with_customer,
)


def test_render_invoice_pdf_text_shows_number_customer_totals_and_due_date(
    out_dir: Path,
):
    doc = document()
    pdf = render_invoice_pdf(doc, out_dir=out_dir)
    page_png(pdf, "invoice-de-page1")
    text = pdf_text(pdf)
    assert pdf == out_dir / "INV-2026-0001.pdf"
    assert "INV-2026-0001" in text and "Acme Handels AG" in text
    assert "Rechnung" in text and "16.11.2026" in text  # due date, de_DE
    for amount in ("2.104,40 €", "10,29 €", "371,91 €", "2.486,60 €"):
        assert amount in text
    assert doc.invoice.total == Decimal("2486.60")
    assert "Leistungszeitraum" in text and "01.10.2026 – 31.10.2026" in text
    assert "DE123456789" in text and "DE89 3704 0044 0532 0130 00" in text
    assert "Seite 1 von 1" in text


def test_render_invoice_pdf_is_byte_for_byte_reproducible(tmp_path: Path):
    doc = document()
    first = render_invoice_pdf(doc, out_dir=tmp_path / "a").read_bytes()
    second = render_invoice_pdf(doc, out_dir=tmp_path / "b").read_bytes()
    assert first == second


def test_render_invoice_pdf_long_invoice_repeats_table_header_on_every_page(
    out_dir: Path,
):
    """220 lines break over pages; each page has the column headers and `x of y`."""
    doc = with_customer(document(many_items(220)), language="en", country="GB")
    pdf = render_invoice_pdf(doc, out_dir=out_dir)
    pages = len(PdfReader(pdf).pages)
    assert pages >= 5
    page_png(pdf, "invoice-long-page2", page=2)
    for number in range(1, pages + 1):
        text = pdf_text(pdf, first=number, last=number)
        assert f"Page {number} of {pages}" in text
        if number < pages:
            assert re.search(r"#\s+Description\s+Qty\s+Unit price\s+VAT\s+Amount", text)
    assert "Support ticket #1219" in pdf_text(pdf)


@pytest.mark.parametrize(
    ("language", "country", "words"),
    [
        ("en", "US", ("Invoice", "Due date", "€2,486.60", "Nov 16, 2026")),
        ("de", "AT", ("Rechnung", "Fällig am", "2.486,60", "16.11.2026")),
        ("fr", "FR", ("Facture", "Échéance", "2\u202f486,60\xa0€", "16 nov. 2026")),
        ("es", "ES", ("Factura", "Vencimiento", "2.486,60\xa0€", "16 nov 2026")),
    ],
)
def test_render_html_speaks_the_customer_language(language, country, words):
    html = render_html(with_customer(document(), language=language, country=country))
    for word in words:
        assert word in html, word


def test_render_html_unknown_language_falls_back_to_english():
    html = render_html(with_customer(document(), language="xx", country=""))
    assert "Invoice" in html and "Amount due" in html


def test_render_html_yen_invoice_has_no_minor_units():
    jpy = with_customer(
        document([("Consulting", "1.5", "hour", "12000", "10")], currency="JPY"),
        language="en",
        country="US",
        currency="JPY",
    )
    html = render_html(jpy).replace("\u200b", "")  # where a line may break
    assert "¥19,800" in html and "¥18,000" in html


def test_render_invoice_pdf_credit_note_has_no_due_date_and_names_the_invoice(
    out_dir: Path,
):
    doc = replace(
        document(number="CN-2026-0001", kind=InvoiceKind.CREDIT_NOTE),
        refers_to="INV-2026-0001",
    )
    text = pdf_text(render_invoice_pdf(doc, out_dir=out_dir))
    assert "Gutschrift" in text and "CN-2026-0001" in text
    assert "INV-2026-0001" in text and "Fällig am" not in text
    assert "Gutschriftsbetrag" in text


def test_render_html_broken_template_names_file_and_line(templates: Path):
    layout = templates / "layout.html"
    lines = layout.read_text().splitlines()
    lines[9] = "  {% if %}"
    layout.write_text("\n".join(lines))
    with pytest.raises(RenderError, match=r"layout\.html line 10"):
        render_html(document(), templates)


def test_render_html_undefined_name_names_file_and_line(templates: Path):
    (templates / "invoice.html").write_text(
        '{% extends "layout.html" %}\n{% block payment %}\n{{ no_such_name.x }}\n'
        "{% endblock %}\n"
    )
    with pytest.raises(RenderError, match=r"invoice\.html line 3: UndefinedError"):
        render_html(document(), templates)


def test_render_html_sandbox_refuses_python_internals(templates: Path):
    (templates / "invoice.html").write_text(
        "{{ invoice.__class__.__mro__[1].__subclasses__() }}"
    )
    with pytest.raises(RenderError, match=r"invoice\.html line 1: SecurityError"):
        render_html(document(), templates)


def test_render_html_missing_template_is_a_render_error(tmp_path: Path):
    with pytest.raises(RenderError, match=r"invoice\.html not found"):
        render_html(document(), tmp_path)


def test_file_stem_uses_only_valid_invoice_numbers():
    assert file_stem("INV/2026/0001") == "INV_2026_0001"
    for bad in ("../etc/passwd", "a b", "", "INV..1"):
        with pytest.raises(RenderError):
            file_stem(bad)


def test_render_html_escapes_customer_name_everywhere():
    doc = with_customer(document(), name='Tom & "Jerry" <Ltd>')
    html = render_html(doc)
    assert "Tom &amp; &#34;Jerry&#34; &lt;Ltd&gt;" in html
    assert "<Ltd>" not in html
    assert CUSTOMER.name not in html


def test_folder_stylesheet_is_parsed_once_and_again_when_edited(
    templates: Path, out_dir: Path
):
    from sheetbill.documents import render as render_module

    parsed = render_module._parsed_stylesheet
    parsed.cache_clear()
    first = render_invoice_pdf(document(), templates=templates, out_dir=out_dir)
    render_invoice_pdf(
        document(number="INV-2026-0002"), templates=templates, out_dir=out_dir
    )
    assert parsed.cache_info().misses == 1  # the second PDF reused the parsed sheet
    style = templates / "style.css"
    style.write_text(style.read_text() + "\n.letterhead { display: none; }\n")
    edited = render_invoice_pdf(document(), templates=templates, out_dir=out_dir / "b")
    assert parsed.cache_info().misses == 2
    # The letterhead (company block with its tax id) is gone; the footer keeps it.
    assert pdf_text(first).count("DE123456789") > pdf_text(edited).count("DE123456789")
