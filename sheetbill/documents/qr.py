"""Payment QR codes: EPC QR (GiroCode) for EUR, Swiss QR-bill for CHF.

Only when the IBAN is valid and the document asks for money (an invoice above 0)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

from segno import helpers
from stdnum import iban
from stdnum.ch import esr
from stdnum.iso7064 import mod_97_10

from sheetbill.documents.parties import Address, buyer_address, seller_address
from sheetbill.domain.model import Customer, Invoice, InvoiceKind, Settings

# EPC069-12: at most 999,999,999.99 EUR and a beneficiary name of 70 characters.
EPC_MAX = Decimal("999999999.99")
QR_BILL_LANGUAGES = ("en", "de", "fr", "it")


@dataclass(frozen=True, slots=True)
class PaymentCode:
    """What the template prints: `epc` (a small square) or `swiss` (a whole slip)."""

    kind: str
    # The image: PNG bytes for `epc`, SVG text for `swiss`.
    image: bytes


def _strip_xml_declaration(svg: str) -> str:
    return svg[svg.index("<svg") :]


def epc_code(invoice: Invoice, settings: Settings) -> PaymentCode | None:
    """An EPC QR (version 002, UTF-8, SCT) with the invoice number as its text."""
    if not 0 < invoice.total <= EPC_MAX or not iban.is_valid(settings.iban):
        return None
    try:
        code = helpers.make_epc_qr(
            name=settings.company_name.strip()[:70],
            iban=settings.iban.replace(" ", ""),
            amount=invoice.total,
            text=invoice.number,
            bic=settings.bic.replace(" ", "") or None,
            # UTF-8 (character set 1) always; segno would otherwise pick Latin-1
            # whenever the text fits, and the payload would vary by company name.
            encoding="utf-8",
        )
    except ValueError:
        # segno refuses a malformed BIC or a too long text; no code is better than
        # a code a banking app rejects.
        return None
    out = io.BytesIO()
    # A PNG, not SVG: WeasyPrint draws a QR code's thousand path segments slower than
    # it lays out a whole invoice, and 8 px per module prints sharp at 27 mm.
    code.save(out, kind="png", scale=8, border=2)
    return PaymentCode("epc", out.getvalue())


def _structured_reference(number: str, account: str) -> str | None:
    """QRR (27 digits) for a QR-IBAN, else an ISO 11649 RF reference, from the number.

    A QR-IBAN (institution id 30000-31999) requires a QRR reference; other IBANs may
    carry an RF reference, which a bank matches as exactly as a QRR.
    """
    if 30000 <= int(account[4:9]) <= 31999:
        digits = "".join(c for c in number if c.isdigit())[-26:].zfill(26)
        return digits + esr.calc_check_digit(digits)
    text = "".join(c for c in number.upper() if c.isalnum())[:21]
    return "RF" + mod_97_10.calc_check_digits(text + "RF") + text if text else None


def swiss_code(
    invoice: Invoice, settings: Settings, customer: Customer, language: str
) -> PaymentCode | None:
    """The Swiss QR-bill payment part (receipt + payment slip) as an SVG."""
    # Imported here: qrbill and its QR and SVG libraries cost a quarter second to
    # import, and most runs bill no CHF at all.
    import qrbill

    if invoice.total <= 0:
        return None
    seller = seller_address(settings)
    buyer = buyer_address(customer)
    account = settings.iban.replace(" ", "").upper()
    if not iban.is_valid(account):
        return None
    try:
        bill = qrbill.QRBill(
            account=account,
            creditor=_qr_address(settings.company_name, seller),
            debtor=_qr_address(customer.name, buyer) if buyer.lines else None,
            amount=f"{invoice.total:.2f}",
            currency="CHF",
            reference_number=_structured_reference(invoice.number, account),
            additional_information=invoice.number,
            language=language if language in QR_BILL_LANGUAGES else "en",
        )
    except ValueError:
        # qrbill checks IBAN country (CH/LI), address lengths and references.
        return None
    out = io.StringIO()
    bill.as_svg(out)
    return PaymentCode("swiss", _strip_xml_declaration(out.getvalue()).encode())


def _qr_address(name: str, address: Address) -> dict[str, str]:
    """The structured form (street, postcode, city) when the address has them; else
    the combined form of an old workbook, whose last line holds postcode and city."""
    country = address.country or "CH"
    if address.postcode and address.city:
        return {
            "name": name[:70],
            "street": ", ".join(address.street_lines)[:70],
            "pcode": address.postcode[:16],
            "city": address.city[:35],
            "country": country,
        }
    lines = address.lines
    return {
        "name": name[:70],
        "line1": ", ".join(lines[:-1])[:70],
        "line2": (lines[-1] if lines else "")[:70],
        "country": country,
    }


def payment_code(
    invoice: Invoice, settings: Settings, customer: Customer, language: str
) -> PaymentCode | None:
    if invoice.kind is not InvoiceKind.INVOICE or not settings.iban.strip():
        return None
    if invoice.currency == "EUR":
        return epc_code(invoice, settings)
    if invoice.currency == "CHF":
        return swiss_code(invoice, settings, customer, language)
    return None
