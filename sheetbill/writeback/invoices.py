"""The Invoices tab's writes: a row per invoice, its PDF link, and Status where
approvals changed it or a person's change is set back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from sheetbill.domain.model import Invoice
from sheetbill.domain.schema import InvoiceColumns
from sheetbill.tabs.invoices import InvoiceRow
from sheetbill.writeback.writer import TabWriter, in_minor_units


def append_invoices(
    writer: TabWriter,
    invoices: Sequence[Invoice],
    *,
    statuses: Mapping[str, str],
    pdf_links: Mapping[str, str],
) -> dict[str, int]:
    """A row for each invoice, with the Status it is written with (`statuses`, by
    number); returns the row each was appended at, by number."""
    rows: dict[str, int] = {}
    for invoice in invoices:
        money = in_minor_units(invoice.currency)
        rows[invoice.number] = writer.next_row
        writer.append(
            {
                InvoiceColumns.INVOICE_NO: invoice.number,
                InvoiceColumns.KIND: invoice.kind.value,
                InvoiceColumns.ISSUE_DATE: invoice.issue_date,
                InvoiceColumns.DUE_DATE: invoice.due_date,
                InvoiceColumns.CUSTOMER_ID: invoice.customer_id,
                InvoiceColumns.CUSTOMER: invoice.customer_name,
                InvoiceColumns.CURRENCY: invoice.currency,
                InvoiceColumns.NET: money(invoice.net),
                InvoiceColumns.TAX: money(invoice.tax),
                InvoiceColumns.TOTAL: money(invoice.total),
                InvoiceColumns.PAID: money(Decimal(0)),
                InvoiceColumns.BALANCE: money(invoice.total),
                InvoiceColumns.STATUS: statuses[invoice.number],
                InvoiceColumns.WORK_COMPLETE: invoice.work_complete,
                InvoiceColumns.PDF: pdf_links.get(invoice.number),
                InvoiceColumns.CREATED_BY: invoice.created_by,
            },
            row_key=invoice.number,
        )
    return rows


def link_documents(
    writer: TabWriter, rows: Sequence[InvoiceRow], links: Mapping[str, str]
) -> None:
    """A blank PDF cell of an invoice whose PDF exists gets its link (blank = to do).

    Only where exactly one row of the tab shows the number: with two, which one is
    sheetbill's cannot be told, so neither gets a link (`own_rows` reports them).
    """
    rows_of: dict[str, list[InvoiceRow]] = {}
    for row in rows:
        if row.number in links:
            rows_of.setdefault(row.number, []).append(row)
    for number, found in rows_of.items():
        if len(found) == 1 and not found[0].pdf:
            writer.put(found[0].row, InvoiceColumns.PDF, links[number], row_key=number)


def show_statuses(writer: TabWriter, statuses: Mapping[str, tuple[int, str]]) -> None:
    """Status on existing rows: invoice number -> (its row, the Status)."""
    for number, (row, status) in statuses.items():
        writer.put(row, InvoiceColumns.STATUS, status, row_key=number)
