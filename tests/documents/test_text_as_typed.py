"""Every text prints as typed: in the body, the footer's CSS `content` string, and the
PDF's metadata, whatever characters it holds.

White space is compared with runs of it as one space: HTML lays text out that way
(docs/decisions.md, "Text as typed")."""

from __future__ import annotations

import io
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
import tinycss2
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from sheetbill.documents.render import css_string, render_invoice_pdf

from document_helpers import CUSTOMER, SETTINGS, document

# Right-to-left letters are left out: pdftotext may reorder a mixed line, which the
# every-script test (test_fonts.py) compares word by word instead.
ALPHABET = (
    "abcXYZ019 &&;#<>\"'\\/{}()[]:@*!?%$=+-_.,~^`|"
    "\n\t\u00a0äöüßéçñøÆŒ€£¥©°±–—…„“”‘’"
    "αβΩжЩё株式会社日本語한국어中文"
)
# Around each field, so that a test can tell where it printed.
MARKERS = {
    "company": "§",
    "customer": "«»",
    "reference": "‹›",
    "line": "¦",
    "notes": "¶",
}
# Punctuation before a space often: where a CSS escape once ate the space.
PUNCTUATION_SPACE = [f"{c} " for c in "&,.;:\\\"'<>/#%()"]
text = st.lists(
    st.one_of(st.sampled_from(ALPHABET), st.sampled_from(PUNCTUATION_SPACE)),
    min_size=1,
    max_size=8,
).map("".join)


def normal(value: str) -> str:
    return " ".join(value.split())


def marked(field: str, value: str) -> str:
    first, last = MARKERS[field][0], MARKERS[field][-1]
    return f"{first}{value}{last}"


# CSS has no way to write U+0000 or half a surrogate pair; neither can be printed.
css_text = st.lists(
    st.one_of(
        st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
        st.sampled_from(PUNCTUATION_SPACE),
    )
).map("".join)


@given(css_text)
def test_css_string_reads_back_as_the_same_text(value: str):
    """A CSS parser reads the string exactly: an escape's terminating space is eaten,
    the text's own space after it is not (Smith & Sons, not Smith &Sons)."""
    assert tinycss2.parse_one_component_value(str(css_string(value))).value == value


def test_css_string_keeps_the_space_after_an_escaped_character():
    parsed = tinycss2.parse_one_component_value(str(css_string("Smith & Sons")))
    assert parsed.value == "Smith & Sons"


def extracted(pdf: Path) -> tuple[str, str]:
    """The PDF's text (pypdf reads the spaces WeasyPrint draws; pdftotext guesses
    them from gaps, and drops one between two wide glyphs) and its Author."""
    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return text, reader.metadata.author or ""


@pytest.mark.slow
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(company=text, customer=text, reference=text, line=text, notes=text)
@example(
    company="Smith & Sons, Builders. Ltd",
    customer='O\'Brien "Bros" <b>',
    reference="a\\b {c}",
    line="R&D; 50% off",
    notes="line 1\n  line 2 &amp;",
)
def test_render_invoice_pdf_prints_every_text_as_typed(
    company: str, customer: str, reference: str, line: str, notes: str
):
    doc = document(
        [(marked("line", line), "1", "hour", "10.00", "19")],
        customer=replace(
            CUSTOMER,
            name=marked("customer", customer),
            buyer_reference=marked("reference", reference),
        ),
        settings=replace(SETTINGS, company_name=marked("company", company)),
        notes=marked("notes", notes),
    )
    with tempfile.TemporaryDirectory() as folder:
        text, author = extracted(render_invoice_pdf(doc, out_dir=Path(folder)))
    shown = normal(text)
    name = normal(marked("company", company))
    assert f"{name} Hafenstraße 12" in shown  # letterhead
    assert f"{name} · DE123456789" in shown  # footer: a CSS content string
    assert f"Kontoinhaber {name}" in shown  # bank details
    assert normal(author) == name  # the PDF's Author
    for field, value in (("customer", customer), ("reference", reference)):
        assert normal(marked(field, value)) in shown, field
    assert normal(marked("line", line)) in shown
    assert normal(marked("notes", notes)) in shown
