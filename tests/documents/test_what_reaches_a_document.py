"""What reaches a document is what the check before planning looked at; and a
document that fails anyway fails alone.

The real renderer and lxml: a text of a customer or the Settings that would reach
the PDF's HTML or the e-invoice XML must be one `find_unprintable` checks."""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path

import pytest
from pdf_glyphs import boxes

from sheetbill.documents import InvoiceDocument
from sheetbill.documents.einvoice import cii_xml
from sheetbill.documents.fonts import printable_characters
from sheetbill.documents.pool import render_many
from sheetbill.documents.render import render_html
from sheetbill.domain.model import Customer, Settings
from sheetbill.tabs.printable import find_unprintable
from sheetbill.tabs.validation import BookData

from document_helpers import CUSTOMER, SETTINGS, build_invoice, document
from helpers import small_book

# A control character lxml refuses, and a character no font has.
SENTINELS = ("\x1f", "\U0001f984")


def _texts(record: type) -> list[str]:
    return [f.name for f in fields(record) if f.type in ("str", str)]


def _book(settings: Settings, customer: Customer) -> BookData:
    from datetime import date

    from sheetbill.tabs.validation import validate_book

    data = validate_book(small_book(), today=date(2026, 11, 2), billed={})
    return replace(data, settings=settings, customers={customer.customer_id: customer})


def _reaches(document_: InvoiceDocument, sentinel: str) -> list[str]:
    """Where the sentinel gets to and must not unchecked: the HTML the PDF is made
    from; the XML, for a control character (it carries any character a font lacks).
    """
    found = ["html"] if sentinel in render_html(document_) else []
    for profile in ("factur-x", "xrechnung"):
        try:
            xml = cii_xml(document_, profile=profile)  # type: ignore[arg-type]
        except ValueError as exc:  # lxml: "All strings must be XML compatible"
            if "XML compatible" in str(exc):
                found.append(profile)
        else:
            if sentinel.encode() in xml and sentinel == "\x1f":
                found.append(profile)
    return found


@pytest.mark.parametrize("sentinel", SENTINELS)
@pytest.mark.parametrize("name", _texts(Customer))
def test_every_customer_text_a_document_shows_or_carries_is_checked(
    name: str, sentinel: str
):
    customer = replace(CUSTOMER, e_invoice="factur-x")
    customer = replace(customer, **{name: f"A{sentinel}B"})
    doc = InvoiceDocument(build_invoice(customer=customer), SETTINGS, customer)
    where = _reaches(doc, sentinel)
    found = find_unprintable(_book(SETTINGS, customer), printable_characters())
    assert not where or found.customers == {customer.customer_id}, (name, where)


@pytest.mark.parametrize("sentinel", SENTINELS)
@pytest.mark.parametrize("name", _texts(Settings))
def test_every_settings_text_a_document_shows_or_carries_is_checked(
    name: str, sentinel: str
):
    settings = replace(SETTINGS, **{name: f"A{sentinel}B"})
    customer = replace(CUSTOMER, e_invoice="factur-x")
    doc = InvoiceDocument(build_invoice(customer=customer), settings, customer)
    where = _reaches(doc, sentinel)
    found = find_unprintable(_book(settings, customer), printable_characters())
    assert not where or found.stops_invoicing, (name, where)


def test_render_many_one_document_failing_in_any_way_leaves_the_others_made(
    out_dir: Path,
):
    """lxml's ValueError while the e-invoice is built fails that document alone,
    with the invoice named; the next one is made."""
    broken = replace(CUSTOMER, name="Us\x1fName", e_invoice="factur-x")
    documents = [
        document(customer=broken, number="INV-2026-0001"),
        document(customer=replace(CUSTOMER, e_invoice="factur-x"), number="INV-2"),
    ]
    first, second = render_many(documents, out_dir=out_dir, workers=1)
    assert first.error is not None and not first.is_rendered
    assert "e-invoice XML of INV-2026-0001" in first.error
    assert "XML compatible" in first.error and not first.is_template_error
    assert second.error is None and second.is_rendered
    assert boxes(second.pdf) == []
    assert not (out_dir / "INV-2026-0001.pdf").exists()
