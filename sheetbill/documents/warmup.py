"""Imported only by the PDF pool's fork server: prints one small sample invoice.

Workers are forked from that server, so each starts with WeasyPrint's fonts, Pango's
font map, the parsed stylesheet and the compiled default templates in memory; else a
worker's first PDF costs a few hundred milliseconds more, and every run makes a new
pool. Forking afterwards is safe: rendering starts no threads (checked by a test).
"""

from __future__ import annotations

import contextlib
from datetime import date
from decimal import Decimal

from sheetbill.documents.context import InvoiceDocument
from sheetbill.documents.render import render_pdf_bytes
from sheetbill.domain.model import (
    Customer,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    Settings,
    TaxBreakdown,
    TaxMode,
)


def sample_document() -> InvoiceDocument:
    """A one-line EUR invoice with a payment QR code, in the default templates."""
    net, tax = Decimal("100.00"), Decimal("19.00")
    line = InvoiceLine(
        line=1,
        description="Warm-up",
        quantity=Decimal(1),
        unit="hour",
        unit_price=net,
        tax_rate=Decimal(19),
        net=net,
        tax=tax,
        total=net + tax,
        sources=(),
    )
    invoice = Invoice(
        number="WARMUP-1",
        kind=InvoiceKind.INVOICE,
        customer_id="C1",
        customer_name="Sample Customer",
        currency="EUR",
        issue_date=date(2026, 1, 1),
        due_date=date(2026, 1, 15),
        tax_mode=TaxMode.EXCLUSIVE,
        lines=(line,),
        net=net,
        tax=tax,
        total=net + tax,
        breakdown=(TaxBreakdown(Decimal(19), net, tax),),
        work_complete=None,
    )
    settings = Settings(company_name="Sample GmbH", iban="DE89 3704 0044 0532 0130 00")
    customer = Customer(row=2, customer_id="C1", name="Sample Customer")
    return InvoiceDocument(invoice, settings, customer)


def warm_up() -> None:
    # Only a head start: if it fails, the real jobs report what is wrong.
    with contextlib.suppress(Exception):
        render_pdf_bytes(sample_document())


warm_up()
