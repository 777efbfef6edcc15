"""Legal and draft marks on the documents: the customer's Invoice Note is printed and
carried into the e-invoice (note, and the VAT exemption reason of 0 %); a document not
yet approved prints DRAFT on every page and carries no e-invoice."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from pdf_words import A4, MARGINS, pdf_words
from pypdf import PdfReader

from sheetbill.documents import (
    DEFAULT_TEMPLATES,
    cii_xml,
    content_hash,
    render_invoice_pdf,
)
from sheetbill.documents.labels import LANGUAGES
from sheetbill.documents.render import render_pdf_bytes

from document_helpers import document, many_items, pdf_text, with_customer

REVERSE_CHARGE = (
    "Reverse charge: VAT to be accounted for by the recipient, "
    "Art. 196 Directive 2006/112/EC"
)
NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:"
    "ReusableAggregateBusinessInformationEntity:100",
}
ZERO_RATED = [
    ("Consulting", "8", "hour", "120.00", "0"),
    ("Licence", "1", "item", "49.90", "0"),
]


def xpath(xml: bytes, path: str) -> list[str]:
    return [str(v) for v in etree.fromstring(xml).xpath(path, namespaces=NS)]


def test_invoice_note_is_printed_on_the_invoice(out_dir: Path):
    doc = with_customer(document(ZERO_RATED), invoice_note=REVERSE_CHARGE)
    text = " ".join(pdf_text(render_invoice_pdf(doc, out_dir=out_dir)).split())
    assert REVERSE_CHARGE in text


@pytest.mark.parametrize("profile", ["factur-x", "xrechnung"])
def test_zero_rate_with_invoice_note_is_exempt_with_the_note_as_reason(profile):
    doc = with_customer(document(ZERO_RATED), invoice_note=REVERSE_CHARGE)
    xml = cii_xml(doc, profile=profile)  # checked against the XSD as it is made
    header_tax = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax"
    assert xpath(xml, f"{header_tax}/ram:CategoryCode/text()") == ["E"]
    assert xpath(xml, f"{header_tax}/ram:ExemptionReason/text()") == [REVERSE_CHARGE]
    line_tax = "//ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax"
    assert set(xpath(xml, f"{line_tax}/ram:CategoryCode/text()")) == {"E"}
    notes = xpath(xml, "//rsm:ExchangedDocument/ram:IncludedNote/ram:Content/text()")
    assert notes == [REVERSE_CHARGE, doc.notes]


def test_without_a_note_zero_rate_stays_zero_rated_and_taxed_lines_have_no_reason():
    xml = cii_xml(document(ZERO_RATED))
    assert xpath(xml, "//ram:CategoryCode/text()") == ["Z", "Z", "Z"]
    assert xpath(xml, "//ram:ExemptionReason") == []
    noted = with_customer(document(), invoice_note="Thank you")  # 7 % and 19 % only
    xml = cii_xml(noted)
    assert set(xpath(xml, "//ram:CategoryCode/text()")) == {"S"}
    assert xpath(xml, "//ram:ExemptionReason") == []


def pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


@pytest.mark.parametrize(("language", "mark"), [("en", "DRAFT"), ("de", "ENTWURF")])
def test_a_draft_prints_its_mark_on_every_page_and_the_final_none(language, mark):
    doc = with_customer(document(many_items(60)), language=language)
    draft = pages(render_pdf_bytes(replace(doc, is_draft=True), DEFAULT_TEMPLATES))
    final = pages(render_pdf_bytes(doc, DEFAULT_TEMPLATES))
    assert len(draft) >= 2
    assert all(mark in text for text in draft)
    assert not any(mark in text for text in final)
    assert content_hash(replace(doc, is_draft=True)) != content_hash(doc)


def test_a_factur_x_draft_is_a_plain_pdf_without_the_xml(tmp_path: Path):
    doc = replace(with_customer(document(), e_invoice="factur-x"), is_draft=True)
    data = render_invoice_pdf(doc, out_dir=tmp_path).read_bytes()
    catalog = PdfReader(io.BytesIO(data)).trailer["/Root"]
    assert "/AF" not in catalog
    assert b"factur-x.xml" not in data


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    note=st.text(
        st.characters(codec="latin-1", categories=("L", "N", "P", "Zs")),
        min_size=1,
        max_size=120,
    ).filter(lambda t: t.strip())
)
def test_any_invoice_note_reaches_the_e_invoice_as_typed(note):
    doc = with_customer(document(ZERO_RATED), invoice_note=note)
    xml = cii_xml(doc)
    assert xpath(xml, "//ram:ExemptionReason/text()") == [note.strip()]


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_the_draft_mark_is_one_unbroken_line_in_every_language(
    language, tmp_path: Path
):
    """The mark's big letters climb steadily from left to right (one line at -30°):
    a mark wrapped onto a second line (BROUILLON as "BROUIL" + "LON") breaks it."""
    doc = replace(with_customer(document(), language=language), is_draft=True)
    pdf = render_invoice_pdf(doc, out_dir=tmp_path)
    letters = sorted(
        (w for w in pdf_words(pdf) if w.page == 1 and w.bottom - w.top > 40),
        key=lambda w: w.x0,
    )
    assert "".join(w.text for w in letters) == LANGUAGES[language]["draft"]
    tops = [w.top for w in letters]
    assert tops == sorted(tops, reverse=True)
    assert all(MARGINS["left"] / 2 < w.x0 and w.x1 < A4[0] for w in letters)
