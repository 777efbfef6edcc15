"""Page layout: long text wraps inside its own box, nothing is cut off or drawn over
a neighbour, and every continuation page names its invoice.

Checked from where poppler finds each word on the page (`pdf_words`), not from HTML.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from paths import SHARED
from pdf_words import MARGINS, layout_faults, pdf_words
from pypdf import PdfReader

from sheetbill.cli import main
from sheetbill.documents import InvoiceDocument, render_invoice_pdf

from document_helpers import SETTINGS, document, many_items, with_customer

# No label, date or amount of the sample invoice is made of these letters only, so
# the words made of them are the pieces of the long text under test.
ALPHABET = "qxzjQXZJ"


def _line_description(doc: InvoiceDocument, value: str) -> InvoiceDocument:
    lines = list(doc.invoice.lines)
    lines[1] = replace(lines[1], description=value)
    return replace(doc, invoice=replace(doc.invoice, lines=tuple(lines)))


def _settings(**changes: str) -> Callable[[InvoiceDocument], InvoiceDocument]:
    return lambda doc: replace(doc, settings=replace(doc.settings, **changes))


# Each text field that reaches the page -> how to put a value there.
FIELDS: dict[str, Callable[[InvoiceDocument, str], InvoiceDocument]] = {
    # Letterhead, bank details and the page footer.
    "company name": lambda d, v: replace(
        d, settings=replace(d.settings, company_name=v)
    ),
    "company address": lambda d, v: replace(
        d, settings=replace(d.settings, company_address=f"{v}\n20457 Hamburg")
    ),
    # Letterhead and the page footer.
    "company tax id": lambda d, v: replace(
        d, settings=replace(d.settings, company_tax_id=v)
    ),
    "billing owner": lambda d, v: replace(
        d, settings=replace(d.settings, billing_owner=v, contact_email="")
    ),
    "contact email": lambda d, v: replace(
        d, settings=replace(d.settings, contact_email=v)
    ),
    "customer name": lambda d, v: with_customer(d, name=v),
    "customer address": lambda d, v: with_customer(d, address=v),
    "customer city": lambda d, v: with_customer(d, city=v),
    "customer tax id": lambda d, v: with_customer(d, tax_id=v),
    "buyer reference": lambda d, v: with_customer(d, buyer_reference=v),
    "customer number": lambda d, v: replace(
        with_customer(d, customer_id=v),
        invoice=replace(d.invoice, customer_id=v),
    ),
    "line description": _line_description,
    "notes": lambda d, v: replace(d, notes=v),
    # Meta table, heading, payment terms and bank reference (40 characters at most).
    "invoice number": lambda d, v: replace(
        d, invoice=replace(d.invoice, number=v.replace(" ", "")[:40])
    ),
}

LONG_WORD = st.text(alphabet=ALPHABET, min_size=40, max_size=160)
LONG_WORDS = (
    st.lists(st.text(alphabet=ALPHABET, min_size=1, max_size=120), max_size=4)
    .map(" ".join)
    .filter(lambda text: len(text.replace(" ", "")) >= 40)
)


@pytest.mark.slow
@pytest.mark.parametrize("field", FIELDS)
@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(value=st.one_of(LONG_WORD, LONG_WORDS))
@example(value="QxzjQXZJqxzj" * 13)
def test_render_invoice_pdf_long_text_wraps_inside_its_own_box(field: str, value: str):
    """Whatever the field, however long its words: every word lies inside the page
    body (or wholly in a header/footer margin), no two words are drawn over each
    other, and the text is all there, in order, in every place it prints."""
    doc = FIELDS[field](with_customer(document(), language="en", country="GB"), value)
    with tempfile.TemporaryDirectory() as folder:
        words = pdf_words(render_invoice_pdf(doc, out_dir=Path(folder)))
    assert layout_faults(words) == []
    printed = value.replace(" ", "")
    if field == "invoice number":
        printed = printed[:40]
    pieces = "".join(w.text for w in words if set(w.text) <= set(ALPHABET))
    assert pieces, "the text is not on the page"
    assert pieces == printed * (len(pieces) // len(printed))


@pytest.mark.parametrize(
    ("language", "country"), [("de", "DE"), ("en", "GB"), ("fr", "FR"), ("es", "ES")]
)
def test_render_invoice_pdf_long_amounts_wrap_inside_their_columns(
    language: str, country: str, out_dir: Path
):
    """Quantities, prices and totals too large for their columns wrap there instead
    of running off the page or into the next column (case long-words)."""
    items = [
        ("Lizenz", "123456.5", "item", "98765.4321", "19"),
        ("Consulting", "999999999.75", "hour", "99999999.99", "7"),
    ]
    doc = with_customer(document(items), language=language, country=country)
    assert layout_faults(pdf_words(render_invoice_pdf(doc, out_dir=out_dir))) == []


def test_render_invoice_pdf_continuation_pages_name_the_invoice(out_dir: Path):
    """Pages 2..n carry "Invoice <number>" in a running header (page 1 has it in
    the heading); every page's footer says which page of how many it is."""
    doc = with_customer(document(many_items(120)), language="en", country="GB")
    pdf = render_invoice_pdf(doc, out_dir=out_dir)
    pages = len(PdfReader(pdf).pages)
    assert pages >= 3
    words = pdf_words(pdf)
    for page in range(1, pages + 1):
        header = [w.text for w in words if w.page == page and w.bottom < MARGINS["top"]]
        assert header == ([] if page == 1 else ["Invoice", "INV-2026-0001"])
        footer = " ".join(
            w.text for w in words if w.page == page and w.top > 780 and w.x0 > 400
        )
        assert footer == f"Page {page} of {pages}"
    assert layout_faults(words) == []


def test_render_invoice_pdf_swiss_payment_page_has_no_running_header(out_dir: Path):
    settings = replace(
        SETTINGS,
        company_address="Bahnhofstrasse 1\n8001 Zürich",
        iban="CH93 0076 2011 6238 5295 7",
        locale="de_CH",
    )
    doc = with_customer(
        document(currency="CHF", settings=settings),
        currency="CHF",
        country="CH",
        address="Marktgasse 3\n3011 Bern",
    )
    pdf = render_invoice_pdf(doc, out_dir=out_dir)
    last = len(PdfReader(pdf).pages)
    assert last == 2
    top = [w.text for w in pdf_words(pdf) if w.page == last and w.bottom < 40]
    assert "INV-2026-0001" not in top


def test_run_long_words_stay_inside_their_boxes(tmp_path: Path):
    """Case long-words: a 54-character Buyer Reference, an 80-character company
    name and street names longer than their column all print whole, on the page,
    without running over the labels beside them."""
    folder = tmp_path / "long-words"
    shutil.copytree(SHARED / "cases" / "long-words", folder)
    book = folder / "08_long_words.xlsx"
    book.chmod(0o644)
    main(["run", str(book), "--as-of", "2026-11-03"])
    words = pdf_words(folder / "invoices" / "INV-2026-0001.pdf")
    assert layout_faults(words) == []
    text = "".join(w.text for w in words)
    for whole in (
        "PO-2026-0000000000000000000000000000000000000000000042",
        "Donaudampfschifffahrtselektrizitätenhauptbetriebswerkbauunterbeamtengesellschaft",
        "Grundstücksverkehrsgenehmigungszuständigkeitsübertragungsverordnungsstraße",
        "Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesellschaft",
        "attachments/final-final-v2.pdf",
    ):
        assert whole in text, whole
