"""Every kind of document, looked at: the first page of each kept as a PNG.

The PNGs land in test-artifacts/documents/first-page-*.png, for a person (or a reviewer
of a CI run) to open; the test also proves each picture shows a printed page.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image, ImageOps

from sheetbill.documents import InvoiceDocument, render_invoice_pdf
from sheetbill.documents.labels import LANGUAGES
from sheetbill.domain.model import InvoiceKind

from document_helpers import document, many_items, page_png, pdf_text, with_customer

COUNTRY = {"en": "GB", "de": "DE", "fr": "FR", "es": "ES"}


def _kinds() -> dict[str, InvoiceDocument]:
    kinds = {
        f"invoice-{language}": with_customer(
            document(), language=language, country=COUNTRY.get(language, "DE")
        )
        for language in LANGUAGES
    }
    kinds["credit-note"] = replace(
        document(number="CN-2026-0001", kind=InvoiceKind.CREDIT_NOTE),
        refers_to="INV-2026-0001",
    )
    kinds["multi-page"] = with_customer(
        document(many_items(120)), language="en", country="GB"
    )
    kinds["e-invoice-factur-x"] = with_customer(document(), e_invoice="factur-x")
    kinds["e-invoice-xrechnung"] = with_customer(document(), e_invoice="xrechnung")
    return kinds


@pytest.mark.parametrize("kind", sorted(_kinds()))
def test_first_page_of_each_kind_of_document_is_kept_as_a_png(kind: str, out_dir: Path):
    doc = _kinds()[kind]
    pdf = render_invoice_pdf(doc, out_dir=out_dir)
    png = page_png(pdf, f"first-page-{kind}")
    with Image.open(png) as image:
        width, height = image.size
        ink = ImageOps.invert(image.convert("L")).getbbox()
    assert height > width > 500  # an A4 page in portrait, at a readable resolution
    assert ink is not None, f"{png.name} is a blank page"
    assert doc.invoice.number in pdf_text(pdf, first=1, last=1)
