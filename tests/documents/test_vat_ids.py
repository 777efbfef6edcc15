"""VAT identification numbers in e-invoices, as the rules want them (BR-CO-09)."""

from __future__ import annotations

from dataclasses import replace

from einvoice_rules import judge
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetbill.documents.einvoice import cii_xml

from document_helpers import document, with_customer


@given(
    vat=st.sampled_from(["fr 40 123 456 789", "FR-40123456789", "fr.40.123.456.789"]),
    seller=st.sampled_from(["de 298765431", "DE 298.765.431", "de-298765431"]),
)
@settings(max_examples=6, deadline=None)
def test_vat_ids_are_written_as_the_rules_want_whatever_way_they_were_typed(
    vat, seller
):
    """BR-CO-09: a VAT ID starts with its country code in capitals; one typed in
    small letters, with dots or dashes, is written as FR40123456789."""

    doc = with_customer(document(), tax_id=vat, country="FR", e_invoice="factur-x")
    doc = replace(doc, settings=replace(doc.settings, company_tax_id=seller))
    xml = cii_xml(doc)
    assert b">FR40123456789<" in xml and b">DE298765431<" in xml
    verdict = judge(xml, "factur-x")
    assert "BR-CO-09" not in verdict.rules(), str(verdict)
