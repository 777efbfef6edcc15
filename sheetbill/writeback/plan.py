"""Planning the write-back: which cells of which tabs a run writes, and nothing else.

Pure. Given the validated book, the invoices of this run and those still pending from an
interrupted run, it returns a `WorkbookChanges` that writes only sheetbill's own cells:
new rows in Invoices, Invoice Lines, Exceptions and Log, Invoice No and Row ID on billed
rows, Closed on exceptions that went away, headers for missing (S) columns, and the
cells sending keeps up to date on every invoice's row and each plan's Next Date and
Last Invoice, where they differ. The decisions are planning's; each output tab's
cells are written by its own module here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sheetbill.domain.approvals import APPROVED
from sheetbill.domain.cells import parse_text
from sheetbill.domain.journal import Intent
from sheetbill.domain.model import Invoice, Problem
from sheetbill.domain.schema import (
    EXCEPTIONS,
    INVOICE_LINES,
    INVOICES,
    LOG,
    PAYMENTS,
    RECURRING,
    InvoiceColumns,
)
from sheetbill.domain.sheet import (
    CellWrite,
    ColumnFormat,
    TabSpec,
    WorkbookChanges,
)
from sheetbill.planning.approvals import invoice_status
from sheetbill.planning.exceptions import plan_exceptions
from sheetbill.planning.payments import PaymentsPlan
from sheetbill.planning.recovery import PendingMatch, rows_owed
from sheetbill.planning.recurring import PlanCells
from sheetbill.planning.statuses import InvoiceCells
from sheetbill.tabs.invoices import InvoiceRow, read_invoices
from sheetbill.tabs.validation import BookData
from sheetbill.writeback.billed_rows import mark_billed_rows
from sheetbill.writeback.exceptions import write_exceptions
from sheetbill.writeback.invoice_lines import append_lines
from sheetbill.writeback.invoices import (
    append_invoices,
    link_documents,
    show_cells,
    show_statuses,
)
from sheetbill.writeback.log import RunLog
from sheetbill.writeback.payments import payment_writes
from sheetbill.writeback.recurring import plan_row_writes
from sheetbill.writeback.writer import TabWriter


@dataclass(frozen=True, slots=True)
class WritePlan:
    changes: WorkbookChanges
    # Invoices whose rows this plan writes or finds already written.
    invoices: tuple[Invoice, ...]
    exceptions_opened: int
    exceptions_closed: int
    # Problems a person set aside (Status "ignored"): listed, not counted as open.
    ignored: tuple[Problem, ...] = ()
    # The Invoices row this plan appends for each invoice, by number.
    invoice_rows: Mapping[str, int] = field(default_factory=dict)
    # The Invoices tab's Approve column (from 0); None when it has none.
    approve_column: int | None = None


def plan_writes(
    data: BookData,
    *,
    new: Sequence[Invoice],
    pending_invoices: Sequence[Invoice],
    pending: PendingMatch,
    problems: Sequence[Problem],
    today: date,
    now: datetime,
    run_id: str,
    pdf_links: Mapping[str, str] | None = None,
    withdrawn: Mapping[str, str] | None = None,
    approved: Mapping[str, tuple[int, str]] | None = None,
    restored: Mapping[str, tuple[int, str]] | None = None,
    creators: Mapping[str, str] | None = None,
    cells: Mapping[str, InvoiceCells] | None = None,
    emails: Sequence[tuple[str, Mapping[str, Any]]] = (),
    payments: PaymentsPlan | None = None,
    plan_cells: Sequence[PlanCells] = (),
    plan_log: Sequence[Intent] = (),
) -> WritePlan:
    """Every cell this run writes, for pending invoices (first) and new ones, a
    Log row for each number `withdrawn` (never to be used), with its reason,
    Status "approved" with a Log row for each invoice `approved` (number -> its
    Invoices row and the approver), and the Status a person changed set back for
    each invoice `restored` (number -> its Invoices row and sheetbill's Status).
    `creators`: who created each approved invoice, for its Log row; `emails`: the
    emails this run handed over (key, journal details with the outcome).

    `payments`: the Payments rows' cells and a Log row for each payment applied,
    edited or taken back (`planning.payments`).

    `plan_cells`: each recurring plan row's Next Date and Last Invoice;
    `plan_log`: the Log rows of recurring plans' periods skipped and plans removed.

    `cells`: sending's cells of invoices (`statuses.invoice_cells`, by number),
    rows appended now and existing rows alike; on an existing row each is written
    only where it differs. For an invoice in `cells` its Status comes from there,
    never from `approved` or `restored` (which still give the Log rows).
    """
    invoices = (*pending_invoices, *new)
    tabs = {
        s.name: TabWriter.open(s, data.layouts.get(s.name))
        for s in (INVOICES, INVOICE_LINES, EXCEPTIONS, LOG)
    }
    pending_numbers = {s.row_id: i.number for i in pending_invoices for s in i.sources}
    billed = mark_billed_rows(data.layouts, new, pending, pending_numbers)
    log = RunLog(tabs[LOG.name], now, data.settings.timezone, run_id)
    cells = cells or {}
    invoice_rows = _write_invoices(
        data, tabs, log, pending_invoices, new, pdf_links=pdf_links or {}, cells=cells
    )
    approved, creators = approved or {}, creators or {}
    show_statuses(
        tabs[INVOICES.name],
        {n: (row, APPROVED) for n, (row, _) in approved.items() if n not in cells},
    )
    for number, (_, approver) in approved.items():
        log.approved(number, approver, creators.get(number, "sheetbill"))
    show_statuses(
        tabs[INVOICES.name],
        {n: shown for n, shown in (restored or {}).items() if n not in cells},
    )
    for number, reason in (withdrawn or {}).items():
        log.withdrawn(number, reason)
    for key, details in emails:
        log.email(key, details)
    if payments is not None:
        for change in payments.changes:
            log.payment(change.applied.row_id, change.action, change.applied)
        paid_tab = payment_writes(data.layouts.get(PAYMENTS.name), payments.cells)
        if paid_tab is not None:
            billed[PAYMENTS.name] = paid_tab
    for intent in plan_log:
        log.recurring(intent)
    plans_tab = plan_row_writes(data.layouts.get(RECURRING.name), plan_cells)
    if plans_tab is not None:
        billed[RECURRING.name] = plans_tab
    exceptions = plan_exceptions(data, problems)
    write_exceptions(tabs[EXCEPTIONS.name], exceptions, today=today)
    return WritePlan(
        changes_of((*tabs.values(), *billed.values())),
        tuple(invoices),
        len(exceptions.opened),
        exceptions.closed,
        exceptions.ignored,
        invoice_rows,
        tabs[INVOICES.name].positions.get(InvoiceColumns.APPROVE),
    )


def _write_invoices(
    data: BookData,
    tabs: Mapping[str, TabWriter],
    log: RunLog,
    pending: Sequence[Invoice],
    new: Sequence[Invoice],
    *,
    pdf_links: Mapping[str, str],
    cells: Mapping[str, InvoiceCells],
) -> dict[str, int]:
    """The Invoices and Invoice Lines rows of each invoice, its Log row, PDF links
    on rows that lack one, and sending's `cells` (on rows appended now, and where
    an existing row shows other values); returns the Invoices row of each appended.

    A new invoice always gets its rows, even when a person's row already shows its
    number (`own_rows` reports the twin); a pending one those it is still owed.
    """
    invoices_tab = tabs[INVOICES.name]
    shown, _ = read_invoices(invoices_tab.layout)
    owed = rows_owed(pending, invoice_rows=shown, lines=tabs[INVOICE_LINES.name].layout)
    is_new = {i.number for i in new}
    invoices = (*pending, *new)
    with_row = [i for i in invoices if i.number in is_new or i.number in owed.invoices]
    rows = append_invoices(
        invoices_tab,
        with_row,
        statuses={i.number: invoice_status(i, data.settings) for i in with_row},
        pdf_links=pdf_links,
        cells=cells,
    )
    for invoice in with_row:
        log.created(invoice)
    append_lines(
        tabs[INVOICE_LINES.name],
        [i for i in invoices if i.number in is_new or i.number in owed.lines],
    )
    if invoices_tab.layout is not None:
        link_documents(invoices_tab, shown, pdf_links)
        show_cells(
            invoices_tab,
            shown,
            cells,
            currencies=_currencies(shown, invoices),
            leave=rows.keys(),
        )
    return rows


def _currencies(
    rows: Sequence[InvoiceRow], invoices: Sequence[Invoice]
) -> dict[str, str]:
    """Each invoice's currency: as made, else as its row shows it."""
    found = {
        r.number: parse_text(r.shown.get(InvoiceColumns.CURRENCY)).upper() or "EUR"
        for r in rows
    }
    return found | {i.number: i.currency for i in invoices}


def changes_of(writers: Iterable[TabWriter]) -> WorkbookChanges:
    """The writes of every tab, and the tabs to add first (those written to)."""
    new_tabs: list[TabSpec] = []
    writes: dict[str, tuple[CellWrite, ...]] = {}
    formats: dict[str, dict[int, ColumnFormat]] = {}
    appended_from: dict[str, int] = {}
    for writer in writers:
        if writer.is_new:
            if not writer.cells:
                continue
            new_tabs.append(writer.schema.spec())
        if writer.cells:
            writes[writer.name] = tuple(writer.cells)
            formats[writer.name] = writer.formats()
        if writer.appended_from is not None:
            appended_from[writer.name] = writer.appended_from
    return WorkbookChanges(tuple(new_tabs), writes, formats, appended_from)
