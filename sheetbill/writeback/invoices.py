"""The Invoices tab's writes: a row per invoice, its PDF link, and the cells sending
keeps up to date (Status, Balance, Sent At, Reminder Stage, Last Reminder) wherever
the tab shows something else — or, before sending, Status where approvals changed it
or a person's change is set back.

Paid is the sum of the payments matched to the invoice (`planning.payments`): a
new row gets it (0 when none, so the cell carries its currency's money format), an
existing row only where it changed and a person did not type their own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence, Set
from datetime import date, datetime, timedelta
from decimal import Decimal

from sheetbill.domain.cells import EXCEL_EPOCH, parse_text
from sheetbill.domain.model import Invoice
from sheetbill.domain.schema import InvoiceColumns
from sheetbill.domain.sheet import CellValue
from sheetbill.planning.statuses import InvoiceCells
from sheetbill.tabs.invoices import InvoiceRow
from sheetbill.writeback.writer import TabWriter, in_minor_units


def append_invoices(
    writer: TabWriter,
    invoices: Sequence[Invoice],
    *,
    statuses: Mapping[str, str],
    pdf_links: Mapping[str, str],
    cells: Mapping[str, InvoiceCells] | None = None,
) -> dict[str, int]:
    """A row for each invoice, with the Status it is written with (`statuses`, by
    number) — or, for those in `cells`, sending's cells; returns the row each was
    appended at, by number."""
    rows: dict[str, int] = {}
    cells = cells or {}
    for invoice in invoices:
        money = in_minor_units(invoice.currency)
        rows[invoice.number] = writer.next_row
        sending = (
            _sending_values(cells[invoice.number], money)
            if invoice.number in cells
            else {}
        )
        if sending.get(InvoiceColumns.PAID) is None:
            sending.pop(InvoiceColumns.PAID, None)
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
                InvoiceColumns.STATUS: statuses.get(invoice.number),
                InvoiceColumns.WORK_COMPLETE: invoice.work_complete,
                InvoiceColumns.PDF: pdf_links.get(invoice.number),
                InvoiceColumns.CREATED_BY: invoice.created_by,
                **sending,
            },
            row_key=invoice.number,
        )
    return rows


def _sending_values(
    cells: InvoiceCells, money: Callable[[Decimal], Decimal]
) -> dict[str, CellValue]:
    """Sending's cells by column; blank ones left out (never written)."""
    return {
        InvoiceColumns.STATUS: cells.status,
        InvoiceColumns.PAID: None if cells.paid is None else money(cells.paid),
        InvoiceColumns.BALANCE: money(cells.balance),
        InvoiceColumns.SENT_AT: cells.sent_at,
        InvoiceColumns.REMINDER_STAGE: cells.reminder_stage or None,
        InvoiceColumns.LAST_REMINDER: cells.last_reminder,
    }


def show_cells(
    writer: TabWriter,
    rows: Sequence[InvoiceRow],
    cells: Mapping[str, InvoiceCells],
    *,
    currencies: Mapping[str, str],
    leave: Set[str] = frozenset(),
) -> None:
    """Sending's cells on the existing row of each invoice in `cells`, each only
    where the row shows something else (a Balance left as a formula giving the same
    amount stays a formula); a blank value is never written, so no cell is cleared.

    Only where exactly one row shows the number (with two, which is sheetbill's
    cannot be told), and not for the numbers in `leave` (rows appended by this
    plan). `currencies`: each invoice's currency, for Balance's minor units.
    """
    rows_of: dict[str, list[InvoiceRow]] = {}
    for row in rows:
        if row.number in cells and row.number not in leave:
            rows_of.setdefault(row.number, []).append(row)
    for number, found in rows_of.items():
        if len(found) != 1:
            continue
        row, wanted = found[0], cells[number]
        money = in_minor_units(currencies.get(number, "EUR"))
        for column, value in _sending_values(wanted, money).items():
            shown = (
                row.status if column == InvoiceColumns.STATUS else row.shown.get(column)
            )
            if value is not None and _differs(shown, value):
                writer.put(row.row, column, value, row_key=number)


def _differs(shown: CellValue, value: CellValue) -> bool:
    """Whether a cell showing `shown` must be written to show `value`: text by its
    words (case aside), amounts by value, times to the second (a spreadsheet keeps
    them as fractions of a day), dates by day."""
    if shown is None:
        return True
    if isinstance(value, date) and isinstance(shown, Decimal):
        # A date or time read as its serial number (a Google Sheet whose column has
        # no date format): days since the spreadsheet epoch.
        shown = datetime.combine(EXCEL_EPOCH, datetime.min.time()) + timedelta(
            days=float(shown)
        )
    if isinstance(value, str):
        return parse_text(shown).casefold() != value.casefold()
    if isinstance(value, Decimal):
        return not isinstance(shown, Decimal) or shown != value
    if isinstance(value, datetime):
        return not isinstance(shown, datetime) or abs(shown - value) >= timedelta(
            seconds=1
        )
    if isinstance(value, date):
        if isinstance(shown, datetime):
            return shown != datetime.combine(value, datetime.min.time())
        return not isinstance(shown, date) or shown != value
    return shown != value


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
