"""Document test helpers: invoices priced by the planner's own code, PDF read-back."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from sheetbill.documents import InvoiceDocument
from sheetbill.domain.model import (
    Customer,
    Invoice,
    InvoiceKind,
    Settings,
    SourceRow,
    TaxMode,
)
from sheetbill.planning.invoices import PricedItem, price_lines

D = Decimal
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "documents"
ISSUE = date(2026, 11, 2)
DUE = date(2026, 11, 16)
PERIOD = (date(2026, 10, 1), date(2026, 10, 31))

SETTINGS = Settings(
    company_name="Northwind Studio GmbH",
    company_address="Hafenstraße 12",
    company_postcode="20457",
    company_city="Hamburg",
    company_country="DE",
    company_tax_id="DE123456789",
    contact_name="Accounts",
    contact_phone="+49 40 1234567",
    contact_email="invoices@northwind.example",
    iban="DE89 3704 0044 0532 0130 00",
    bic="COBADEFFXXX",
    billing_owner="billing@northwind.example",
    default_tax_rate=D(19),
    locale="de_DE",
)

CUSTOMER = Customer(
    row=2,
    customer_id="C1",
    name="Acme Handels AG",
    email="ap@acme.example",
    address="Kaiserstraße 5",
    postcode="60311",
    city="Frankfurt am Main",
    country="DE",
    currency="EUR",
    tax_id="DE987654321",
    language="de",
    buyer_reference="04011000-12345-03",
)

# (description, quantity, unit, unit price, tax rate %)
Item = tuple[str, str, str, str, str]

ITEMS: list[Item] = [
    ("Design workshop", "6", "hour", "120.00", "19"),
    ("Development: invoice export", "12.5", "hour", "95.00", "19"),
    ("Hosting, October", "1", "item", "49.90", "19"),
    ("Printed manuals", "20", "item", "7.35", "7"),
]


def build_invoice(
    items: Sequence[Item] = ITEMS,
    *,
    number: str = "INV-2026-0001",
    currency: str = "EUR",
    kind: InvoiceKind = InvoiceKind.INVOICE,
    tax_mode: TaxMode = TaxMode.EXCLUSIVE,
    customer: Customer = CUSTOMER,
    settings: Settings = SETTINGS,
) -> Invoice:
    priced = [
        PricedItem(
            group=(f"{n:05d}",),
            description=desc,
            quantity=D(qty),
            unit=unit,
            unit_price=D(price),
            tax_rate=D(rate),
            source=SourceRow("Orders", n + 2, f"O-{n + 1:06d}", "fp"),
            sort_key=(1, date(2026, 1, 1), n),
        )
        for n, (desc, qty, unit, price, rate) in enumerate(items)
    ]
    lines, rates = price_lines(
        priced, currency=currency, tax_mode=tax_mode, settings=settings
    )
    net = sum((li.net for li in lines), D(0))
    tax = sum((li.tax for li in lines), D(0))
    return Invoice(
        number=number,
        kind=kind,
        customer_id=customer.customer_id,
        customer_name=customer.name,
        currency=currency,
        issue_date=ISSUE,
        due_date=DUE,
        tax_mode=tax_mode,
        lines=tuple(lines),
        net=net,
        tax=tax,
        total=net + tax,
        breakdown=tuple(rates),
        work_complete=None,
    )


def many_items(count: int) -> list[Item]:
    return [
        (
            f"Support ticket #{1000 + n}: {'analysis' if n % 2 else 'fix'}",
            str(D("0.25") * (1 + n % 12)),
            "hour",
            "88.00",
            "19" if n % 7 else "7",
        )
        for n in range(count)
    ]


def document(
    items: Sequence[Item] = ITEMS,
    *,
    customer: Customer = CUSTOMER,
    settings: Settings = SETTINGS,
    notes: str = "Thank you for your business.",
    **invoice_options: object,
) -> InvoiceDocument:
    invoice = build_invoice(items, customer=customer, **invoice_options)  # type: ignore[arg-type]
    return InvoiceDocument(
        invoice=invoice,
        settings=settings,
        customer=customer,
        service_period=PERIOD,
        notes=notes,
    )


def with_customer(doc: InvoiceDocument, **changes: object) -> InvoiceDocument:
    customer = replace(doc.customer, **changes)  # type: ignore[arg-type]
    return replace(doc, customer=customer)


def pdf_text(path: Path, *, first: int | None = None, last: int | None = None) -> str:
    """The PDF's text as poppler's pdftotext reads it, in reading layout."""
    pages = []
    if first is not None:
        pages += ["-f", str(first)]
    if last is not None:
        pages += ["-l", str(last)]
    result = subprocess.run(
        ["pdftotext", "-layout", *pages, str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def page_png(pdf: Path, name: str, *, page: int = 1, dpi: int = 110) -> Path:
    """Page `page` as a PNG in test-artifacts/documents, for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = ARTIFACTS / name
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(dpi),
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(pdf),
            str(stem),
        ],
        check=True,
    )
    return stem.with_suffix(".png")
