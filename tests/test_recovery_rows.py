"""Which rows an interrupted run still owes the Invoices and Invoice Lines tabs: a
write is all or nothing, so what a row shows was written, and nothing twice."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sheetbill.domain.model import Invoice, InvoiceKind, TaxMode
from sheetbill.domain.schema import INVOICE_LINES, INVOICES, InvoiceColumns
from sheetbill.planning.recovery import OwedRows, rows_owed
from sheetbill.tabs.invoices import read_invoices
from sheetbill.tabs.validation import locate_tabs

from helpers import snapshot

DAY = date(2026, 11, 2)
LINE_HEADERS = [c.name for c in INVOICE_LINES.columns]


def invoice(number: str, customer_id: str) -> Invoice:
    zero = Decimal(0)
    return Invoice(
        number=number,
        kind=InvoiceKind.INVOICE,
        customer_id=customer_id,
        customer_name=customer_id,
        currency="EUR",
        issue_date=DAY,
        due_date=DAY,
        tax_mode=TaxMode.EXCLUSIVE,
        lines=(),
        net=zero,
        tax=zero,
        total=zero,
        breakdown=(),
        work_complete=None,
    )


def owed(invoice_headers: list[str], invoice_rows: list[list[object]]) -> OwedRows:
    layouts = locate_tabs(
        snapshot(
            {
                "Invoices": (invoice_headers, invoice_rows),
                "Invoice Lines": (LINE_HEADERS, [["INV-2"], ["INV-4"]]),
            }
        ),
        {},
    )
    rows, _ = read_invoices(layouts["Invoices"])
    pending = [invoice(f"INV-{n}", "C1") for n in (1, 2, 3, 4)]
    return rows_owed(pending, invoice_rows=rows, lines=layouts["Invoice Lines"])


def test_rows_owed_where_no_row_shows_the_number_and_customer():
    """INV-3's number on a row of another customer is a person's row, not its own."""
    headers = [c.name for c in INVOICES.columns]
    at = headers.index(InvoiceColumns.CUSTOMER_ID)
    shown = [
        ["INV-1"] + [None] * (at - 1) + ["C1"],
        ["INV-3"] + [None] * (at - 1) + ["C2"],
    ]
    found = owed(headers, shown)
    assert found.invoices == {"INV-2", "INV-3", "INV-4"}
    # Lines are known by their number.
    assert found.lines == {"INV-1", "INV-3"}


def test_rows_owed_by_number_alone_without_a_customer_id_column():
    found = owed([InvoiceColumns.INVOICE_NO], [["INV-1"], ["INV-3"]])
    assert found.invoices == {"INV-2", "INV-4"}
