"""What a template sees: the invoice, its parties, labels, formatters and payment code.

`InvoiceDocument` is what every renderer takes (see sheet_templates/invoice/README)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from markupsafe import Markup

from sheetbill.documents.formatting import Formatter, customer_locale
from sheetbill.documents.labels import labels_for, language_of
from sheetbill.documents.logo import Logo
from sheetbill.documents.parties import printed_addresses
from sheetbill.documents.qr import PaymentCode, payment_code
from sheetbill.documents.tax_statements import tax_statements
from sheetbill.domain.model import (
    Customer,
    Invoice,
    InvoiceKind,
    Settings,
    TaxMode,
    e_invoice_profile,
)

PAYMENT_QR_URL = "sheetbill:payment-qr.png"


@dataclass(frozen=True, slots=True)
class InvoiceDocument:
    """Everything one PDF is made from. Pure data: picklable for the process pool."""

    invoice: Invoice
    settings: Settings
    customer: Customer
    # First and last day of the work billed, when the caller knows it.
    service_period: tuple[date, date] | None = None
    # Free text printed under the totals (and in the e-invoice as a note).
    notes: str = ""
    # For a credit note: the number of the invoice it corrects.
    refers_to: str = ""
    # Not yet approved: printed with a DRAFT mark, and without e-invoice XML, so
    # that nothing machine-readable can pass for the issued invoice.
    is_draft: bool = False
    # The Settings' logo, checked (`documents.logo.find_logo`); None: no logo.
    logo: Logo | None = None

    @property
    def language(self) -> str:
        """The label language: the customer's Language, else the Settings' Locale."""
        return language_of(self.customer.language or self.settings.locale)

    def payment_code(self) -> PaymentCode | None:
        return payment_code(self.invoice, self.settings, self.customer, self.language)

    @property
    def e_invoice(self) -> str:
        """`none`, `factur-x` or `xrechnung`, from the customer's E-Invoice cell
        (`none` for a draft)."""
        if self.is_draft:
            return "none"
        return e_invoice_profile(self.customer.e_invoice) or "none"


def template_name(invoice: Invoice) -> str:
    return (
        "credit_note.html"
        if invoice.kind is InvoiceKind.CREDIT_NOTE
        else "invoice.html"
    )


def template_context(
    document: InvoiceDocument, templates: Path, code: PaymentCode | None = None
) -> dict[str, Any]:
    """The names a template sees; `code` is the document's payment code, if any."""
    invoice, settings, customer = document.invoice, document.settings, document.customer
    language = document.language
    locale = customer_locale(customer, settings)
    fmt = Formatter(locale=locale, currency=invoice.currency)
    labels = labels_for(language)
    due = fmt.date(invoice.due_date)
    total = fmt.money(invoice.total)
    is_credit = invoice.kind is InvoiceKind.CREDIT_NOTE
    terms = (
        labels["credit_terms"].format(number=document.refers_to or "-")
        if is_credit
        else labels["payment_terms"].format(total=total, due=due, number=invoice.number)
    )
    title = labels["credit_note" if is_credit else "invoice"]
    company_lines, customer_lines = printed_addresses(settings, customer, language)
    return {
        "invoice": invoice,
        "settings": settings,
        "customer": customer,
        "document": document,
        "t": labels,
        "lang": language,
        "locale": locale,
        "fmt": fmt,
        "title": f"{title} {invoice.number}",
        "heading": title,
        "is_credit_note": is_credit,
        "is_tax_inclusive": invoice.tax_mode is TaxMode.INCLUSIVE,
        "company_lines": company_lines,
        "customer_lines": customer_lines,
        "service_period": document.service_period,
        "notes": document.notes,
        "invoice_note": customer.invoice_note,
        # Why lines bear no VAT (reverse charge, export ...), from their categories.
        "tax_statements": tax_statements(document),
        "is_draft": document.is_draft,
        "payment_terms": terms,
        # Served to WeasyPrint from memory under this URL; no logo, no image.
        "logo": document.logo.url if document.logo else "",
        "payment_code": code.kind if code else "",
        # The EPC code is served to WeasyPrint from memory under this URL.
        "payment_qr": PAYMENT_QR_URL if code and code.kind == "epc" else "",
        # The Swiss slip is SVG built by qrbill from validated numbers and text it
        # escapes itself, never from template input, so it may go in unescaped.
        "payment_svg": Markup(code.image.decode())  # noqa: S704
        if code and code.kind == "swiss"
        else "",
        "units": _unit_labels(labels),
    }


def _unit_labels(labels: Mapping[str, str]) -> dict[str, str]:
    return {unit: labels[f"unit_{unit}"] for unit in ("hour", "day", "item")}
