"""Planning the write-back: which cells of which tabs a run writes, and nothing else.

Pure. Given the validated book, the invoices of this run and those still pending from an
interrupted run, it returns a `WorkbookChanges` that writes only sheetbill's own cells:
new rows in Invoices, Invoice Lines, Exceptions and Log, Invoice No and Row ID on billed
rows, Closed on exceptions that went away, and headers for missing (S) columns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from operator import itemgetter

from sheetbill.domain.cells import clipped, parse_text
from sheetbill.domain.journal import (
    Intent,
    invoice_approved,
    invoice_written,
    log_line,
    number_withdrawn,
)
from sheetbill.domain.model import Invoice, Problem, Severity, SourceRow
from sheetbill.domain.money import quantum
from sheetbill.domain.schema import (
    EXCEPTIONS,
    INVOICE_LINES,
    INVOICES,
    LOG,
    Owner,
    TabSchema,
)
from sheetbill.domain.sheet import (
    CellValue,
    CellWrite,
    ColumnFormat,
    SheetRow,
    TabSpec,
    WorkbookChanges,
    new_cell_write,
)
from sheetbill.domain.shoptime import local_time, zone_label
from sheetbill.planning.approvals import APPROVED, invoice_status
from sheetbill.tabs.exceptions import (
    TEXT_CHARS,
    VALUE_CHARS,
    ExceptionRow,
    Key,
    RowKeys,
    keys_set_aside,
    open_rows,
    representatives,
    row_key,
    shown_value,
)
from sheetbill.tabs.rows import TabLayout
from sheetbill.tabs.validation import BookData


@dataclass(frozen=True, slots=True)
class PendingMatch:
    """Where the rows of invoices pending from an interrupted run are now."""

    # (tab, sheet row) -> the source row (with its Row ID) that row is.
    located: Mapping[tuple[str, int], SourceRow]
    # Source rows already marked in the sheet (Row ID present): nothing to write.
    done: frozenset[str]
    problems: tuple[Problem, ...]

    @property
    def consumed(self) -> frozenset[tuple[str, int]]:
        return frozenset(self.located)


def match_pending(data: BookData, pending: Sequence[Invoice]) -> PendingMatch:
    """Find each pending invoice's rows: by Row ID, else by unchanged content.

    The content fingerprint was taken when the invoice was planned; the row may have
    moved since (a person inserted rows above it). A row whose content changed is
    taken from its old position if that row is still unbilled, with a warning: billing
    it twice would be worse. Rows found nowhere are reported, and the invoice is still
    written: its number is drawn for good.
    """
    located: dict[tuple[str, int], SourceRow] = {}
    done: set[str] = set()
    problems: list[Problem] = []
    ids_in_sheet: set[str] = set()
    for name in ("Time Log", "Orders"):
        layout = data.layouts.get(name)
        if layout and layout.columns.has("Row ID"):
            position = layout.columns.positions["Row ID"]
            ids_in_sheet.update(parse_text(r.get(position)) for r in layout.table.rows)
    free = dict(data.open_rows)
    unmatched: list[tuple[Invoice, SourceRow]] = []
    for invoice in pending:
        for source in invoice.sources:
            if source.row_id in ids_in_sheet:
                done.add(source.row_id)
                continue
            same = [
                k
                for k, fp in free.items()
                if k[0] == source.tab and fp == source.fingerprint
            ]
            if not same:
                unmatched.append((invoice, source))
                continue
            best = min(same, key=lambda k: (k[1] != source.row, abs(k[1] - source.row)))
            located[best] = source
            del free[best]
    for invoice, source in unmatched:
        place = (source.tab, source.row)
        if place in free:
            located[place] = source
            del free[place]
            problem = (
                f"Row {source.row} was changed while it was being billed on "
                f"{invoice.number}; the invoice shows it as it was before."
            )
        else:
            problem = (
                f"Row {source.row} was billed on {invoice.number}, but the run "
                "was interrupted and the row is no longer in the tab as it was."
            )
        problems.append(
            Problem(
                source.tab,
                source.row,
                "Row ID",
                source.row_id,
                problem,
                f"Check {invoice.number} against the row; if they differ, correct the "
                "invoice with a credit note.",
                Severity.WARNING,
                invoice.customer_id,
            )
        )
    return PendingMatch(located, frozenset(done), tuple(problems))


@dataclass(slots=True)
class TabWriter:
    """Collects the writes for one tab, adding missing (S) columns at the right."""

    schema: TabSchema
    name: str
    layout: TabLayout | None
    positions: dict[str, int] = field(default_factory=dict)
    cells: list[CellWrite] = field(default_factory=list)
    next_row: int = 2
    is_new: bool = False
    # Where appends start: rows from here down were blank when the tab was read.
    first_new_row: int = 2

    @classmethod
    def open(cls, schema: TabSchema, layout: TabLayout | None) -> TabWriter:
        if layout is None:
            positions = {c.name: i for i, c in enumerate(schema.columns)}
            return cls(schema, schema.name, None, positions, [], 2, True, 2)
        table = layout.table
        # Below every used cell of any column, and never on the header row: a tab
        # cleared to nothing reads as header row 1 and last row 0.
        first = max(table.last_row, table.header_row) + 1
        writer = cls(
            schema,
            layout.tab,
            layout,
            dict(layout.columns.positions),
            [],
            first,
            False,
            first,
        )
        missing = [
            c.name
            for c in schema.columns
            if c.owner is Owner.SHEETBILL and c.name not in writer.positions
        ]
        if missing:
            free = _first_free_column(table.headers, table.rows)
            for name in missing:
                writer.positions[name] = free
                writer.cells.append(CellWrite(table.header_row, free, name))
                free += 1
        return writer

    @property
    def appended_from(self) -> int | None:
        """The first row this writer appends, when it appends to an existing tab."""
        if self.is_new or self.next_row == self.first_new_row:
            return None
        return self.first_new_row

    def put(
        self, row: int, column: str, value: CellValue, *, row_key: str | None = None
    ) -> None:
        self.cells.append(CellWrite(row, self.positions[column], value, row_key))

    def append(
        self, values: Mapping[str, CellValue], *, row_key: str | None = None
    ) -> None:
        row = self.next_row
        self.next_row += 1
        positions, cells = self.positions, self.cells
        for column, value in values.items():
            if value is not None and (value.__class__ is not str or value):
                cells.append(new_cell_write((row, positions[column], value, row_key)))

    def column_values(self, column: str) -> list[tuple[int, str]]:
        if self.layout is None or column not in self.layout.columns.positions:
            return []
        position = self.layout.columns.positions[column]
        return [(r.number, parse_text(r.get(position))) for r in self.layout.table.rows]

    def formats(self) -> dict[int, ColumnFormat]:
        return {
            self.positions[c.name]: c.format
            for c in self.schema.columns
            if c.name in self.positions and c.format is not ColumnFormat.TEXT
        }


def _first_free_column(headers: Sequence[str], rows: Sequence[SheetRow]) -> int:
    """The first column right of every header and every cell below it.

    A person's notes under a blank header are theirs: a column sheetbill adds (and
    then fills on existing rows, such as PDF or Closed) must not land on them.
    """
    free = max((i + 1 for i, h in enumerate(headers) if h), default=0)
    for row in rows:
        cells = row.cells
        width = len(cells)
        while width > free and cells[width - 1] is None:
            width -= 1
        free = max(free, width)
    return free


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
) -> WritePlan:
    """Every cell this run writes, for pending invoices (first) and new ones, a
    Log row for each number `withdrawn` (never to be used), with its reason,
    Status "approved" with a Log row for each invoice `approved` (number -> its
    Invoices row and the approver), and the Status a person changed set back for
    each invoice `restored` (number -> its Invoices row and sheetbill's Status).
    `creators`: who created each approved invoice, for its Log row."""
    invoices = (*pending_invoices, *new)
    pending_numbers = {s.row_id: i.number for i in pending_invoices for s in i.sources}
    tabs = {
        s.name: TabWriter.open(s, data.layouts.get(s.name))
        for s in (INVOICES, INVOICE_LINES, EXCEPTIONS, LOG)
    }
    _bill_source_rows(data, new, pending, pending_numbers, tabs)
    invoice_rows = _append_invoices(
        data,
        pending_invoices,
        new,
        tabs,
        now=now,
        run_id=run_id,
        pdf_links=pdf_links,
    )
    _link_documents(tabs["Invoices"], pdf_links or {})
    for number, (row, approver) in (approved or {}).items():
        tabs["Invoices"].put(row, "Status", APPROVED, row_key=number)
        creator = (creators or {}).get(number, "sheetbill")
        approval = invoice_approved(number, approver=approver, creator=creator)
        tabs["Log"].append(log_row(approval, now, data.settings.timezone, run_id))
    for number, (row, status) in (restored or {}).items():
        tabs["Invoices"].put(row, "Status", status, row_key=number)
    for number, reason in (withdrawn or {}).items():
        withdrawal = number_withdrawn(number, reason)
        tabs["Log"].append(log_row(withdrawal, now, data.settings.timezone, run_id))
    opened, closed, ignored = _sync_exceptions(
        data, problems, tabs["Exceptions"], today=today
    )
    new_tabs: list[TabSpec] = []
    writes: dict[str, tuple[CellWrite, ...]] = {}
    formats: dict[str, dict[int, ColumnFormat]] = {}
    appended_from: dict[str, int] = {}
    for writer in tabs.values():
        if writer.is_new:
            if not writer.cells:
                continue
            new_tabs.append(writer.schema.spec())
        if writer.cells:
            writes[writer.name] = tuple(writer.cells)
            formats[writer.name] = writer.formats()
        if writer.appended_from is not None:
            appended_from[writer.name] = writer.appended_from
    return WritePlan(
        WorkbookChanges(tuple(new_tabs), writes, formats, appended_from),
        tuple(invoices),
        opened,
        closed,
        ignored,
        invoice_rows,
        tabs["Invoices"].positions.get("Approve"),
    )


def log_row(
    intent: Intent, now: datetime, zone: str, run_id: str
) -> dict[str, CellValue]:
    """The Log row of an effect of this run: made from its journal entry (what the
    state records is what the Log shows), its Time in the shop's zone, and that zone
    named (a naive `now` is UTC)."""
    line = log_line(intent)
    if line is None:
        raise ValueError(f"the Log shows no {intent.kind}")
    return {
        "Time": local_time(now, zone),
        "Time Zone": zone_label(now, zone),
        "Run ID": run_id,
        "Action": line.action,
        "Invoice": line.invoice,
        "Detail": line.detail,
    }


def _bill_source_rows(
    data: BookData,
    new: Sequence[Invoice],
    pending: PendingMatch,
    pending_numbers: Mapping[str, str],
    tabs: dict[str, TabWriter],
) -> None:
    """Invoice No and Row ID onto every billed Time Log and Orders row.

    Rows of new invoices are where this run read them; rows of pending invoices only
    where `match_pending` found them again, never at their old position blindly.
    """
    by_tab: dict[str, list[tuple[int, SourceRow, str]]] = {}
    for (tab, row), source in pending.located.items():
        by_tab.setdefault(tab, []).append((row, source, pending_numbers[source.row_id]))
    for invoice in new:
        for source in invoice.sources:
            by_tab.setdefault(source.tab, []).append(
                (source.row, source, invoice.number)
            )
    for tab, rows in sorted(by_tab.items()):
        layout = data.layouts[tab]
        writer = TabWriter.open(layout.schema, layout)
        # The bulk of a big run's cells: written here without a call per cell.
        cells = writer.cells
        number_at, row_id_at = (
            writer.positions["Invoice No"],
            writer.positions["Row ID"],
        )
        for row, source, number in sorted(rows, key=itemgetter(0)):
            row_id = source.row_id
            cells.append(new_cell_write((row, number_at, number, row_id)))
            cells.append(new_cell_write((row, row_id_at, row_id, row_id)))
        tabs[f"source:{tab}"] = writer


def _append_invoices(
    data: BookData,
    pending: Sequence[Invoice],
    new: Sequence[Invoice],
    tabs: dict[str, TabWriter],
    *,
    now: datetime,
    run_id: str,
    pdf_links: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """The rows of each invoice in Invoices, Invoice Lines and Log; returns the
    Invoices row of each invoice appended there.

    A new invoice always gets its rows, even when a person's row already shows its
    number (`own_rows` reports the twin). A pending invoice's rows are skipped where
    a row shows its number and customer (lines: its number): the interrupted run
    wrote them (a write is all or nothing). A written invoice is never written again
    here: a row of it that a person deleted is reported by `own_rows`, not re-created
    blindly.
    """
    invoices_tab, lines_tab, log_tab = (
        tabs["Invoices"],
        tabs["Invoice Lines"],
        tabs["Log"],
    )
    # A number alone may be a person's row: taking it for sheetbill's would lose
    # the pending invoice.
    layout = invoices_tab.layout
    by_customer = layout is not None and layout.columns.has("Customer ID")
    customer_at = dict(invoices_tab.column_values("Customer ID"))
    have_invoice = {
        (number, customer_at.get(row, "") if by_customer else "")
        for row, number in invoices_tab.column_values("Invoice No")
    }
    have_lines = {v for _, v in lines_tab.column_values("Invoice No")}
    is_new = {i.number: True for i in new}
    rows: dict[str, int] = {}
    for invoice in (*pending, *new):
        money = _in_minor_units(invoice.currency)
        written = (invoice.number, invoice.customer_id if by_customer else "")
        if is_new.get(invoice.number) or written not in have_invoice:
            rows[invoice.number] = invoices_tab.next_row
            invoices_tab.append(
                {
                    "Invoice No": invoice.number,
                    "Kind": invoice.kind.value,
                    "Issue Date": invoice.issue_date,
                    "Due Date": invoice.due_date,
                    "Customer ID": invoice.customer_id,
                    "Customer": invoice.customer_name,
                    "Currency": invoice.currency,
                    "Net": money(invoice.net),
                    "Tax": money(invoice.tax),
                    "Total": money(invoice.total),
                    "Paid": money(Decimal(0)),
                    "Balance": money(invoice.total),
                    "Status": invoice_status(invoice, data.settings),
                    "Work Complete": invoice.work_complete,
                    "PDF": (pdf_links or {}).get(invoice.number),
                    "Created By": invoice.created_by,
                },
                row_key=invoice.number,
            )
            log_tab.append(
                log_row(invoice_written(invoice), now, data.settings.timezone, run_id)
            )
        if is_new.get(invoice.number) or invoice.number not in have_lines:
            money = _in_minor_units(invoice.currency)
            for line in invoice.lines:
                lines_tab.append(
                    {
                        "Invoice No": invoice.number,
                        "Line": Decimal(line.line),
                        "Source": line.source_text,
                        "Description": line.description,
                        "Quantity": line.quantity,
                        "Unit": line.unit,
                        "Unit Price": money(line.unit_price),
                        "Tax Rate": line.tax_rate,
                        "Net": money(line.net),
                        "Tax": money(line.tax),
                        "Total": money(line.total),
                    },
                    row_key=invoice.number,
                )
    return rows


def _in_minor_units(currency: str) -> Callable[[Decimal], Decimal]:
    """An amount as its money cell shows it: with at least the currency's minor units
    as decimals (0 EUR as 0.00; a unit price of 0.125 EUR keeps its three). A MONEY
    cell shows the decimals its value carries (`ColumnFormat.MONEY`), so the Invoices
    tab shows JPY without decimals and KWD with three (ISO 4217)."""
    step = quantum(currency)
    fewest = step.as_tuple().exponent

    def shown(amount: Decimal) -> Decimal:
        if amount.as_tuple().exponent <= fewest:  # type: ignore[operator]
            return amount
        return amount.quantize(step)

    return shown


def _link_documents(writer: TabWriter, links: Mapping[str, str]) -> None:
    """A blank PDF cell of an invoice whose PDF exists gets its link (blank = to do).

    Only where exactly one row of the tab shows the number: with two, which one is
    sheetbill's cannot be told, so neither gets a link (`own_rows` reports them).
    """
    if not links or writer.layout is None:
        return
    pdf = dict(writer.column_values("PDF"))
    rows_of: dict[str, list[int]] = {}
    for row, number in writer.column_values("Invoice No"):
        if number in links:
            rows_of.setdefault(number, []).append(row)
    for number, rows in rows_of.items():
        if len(rows) == 1 and not pdf.get(rows[0]):
            writer.put(rows[0], "PDF", links[number], row_key=number)


def _owner(problem: Problem, data: BookData) -> str:
    customer = data.customers.get(problem.customer_id or "")
    if customer is not None and customer.owner:
        return customer.owner
    return data.settings.billing_owner


def _sync_exceptions(
    data: BookData, problems: Sequence[Problem], writer: TabWriter, *, today: date
) -> tuple[int, int, tuple[Problem, ...]]:
    """Append new problems; write Closed on open rows whose problem is gone.

    A row without a Problem is a person's, not an exception: never matched, never
    closed. Every open row of a problem that is gone is closed, copies included. A row
    a person set aside (Status "ignored") whose Value is no longer the problem's, or
    whose Row Key is another row's (rows inserted or sorted above it), is about a
    problem that is gone too: it is closed and the problem opened anew. An open row
    not set aside and without a Row Key takes the one of the row its problem is on.
    Returns how many were opened and closed, and the problems set aside.
    """
    rows = open_rows(writer.layout)
    by_key: dict[Key, list[ExceptionRow]] = {}
    for row in rows:
        by_key.setdefault(row.key, []).append(row)
    current = representatives(problems)
    row_keys = RowKeys(data.layouts)
    aside = keys_set_aside(current, rows, row_keys)
    opened, closed, closing = 0, 0, list[int]()
    for key, problem in current.items():
        value, on_row = shown_value(problem), row_keys.of(problem)
        own = by_key.get(key, [])
        stale = [
            r.number
            for r in own
            if r.is_set_aside and (r.value != value or r.row_key != on_row)
        ]
        if stale:
            closed += 1
            closing += stale
        if len(stale) < len(own):
            for r in own:
                # Only an empty Row Key is filled in: a filled cell is never written
                # over (a person may have typed there). A stale key only means that
                # setting the row aside later asks about it once more.
                if not r.is_set_aside and not r.row_key and on_row:
                    writer.put(r.number, "Row Key", on_row)
            continue
        opened += 1
        writer.append(
            {
                "Opened": today,
                "Severity": problem.severity.value,
                "Tab": problem.tab,
                "Row": None if problem.row is None else Decimal(problem.row),
                "Column": problem.column,
                "Value": clipped(problem.value, VALUE_CHARS),
                "Problem": key[3],
                "Fix": clipped(problem.fix, TEXT_CHARS),
                "Owner": clipped(_owner(problem, data), TEXT_CHARS),
                "Row Key": on_row,
            }
        )
    for key, own in by_key.items():
        if key not in current:
            closed += 1
            closing += [r.number for r in own]
    for row_number in sorted(closing):
        writer.put(row_number, "Closed", today)
    return opened, closed, tuple(p for p in problems if row_key(p) in aside)
