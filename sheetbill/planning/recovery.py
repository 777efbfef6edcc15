"""Recovery decisions: interrupted runs, and a state database that disagrees with its
workbook. Pure: given what the workbook shows and what the state has drawn, it says
what was written, what must be rebuilt, and what must never be drawn again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation

from sheetbill.domain.cells import (
    CellValueError,
    parse_date,
    parse_hours,
    parse_number,
    parse_text,
)
from sheetbill.domain.model import (
    BilledRow,
    Counters,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    Problem,
    Severity,
    SourceRow,
)
from sheetbill.domain.numbering import NumberPattern, PatternError
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.quantities import round_hours
from sheetbill.domain.recurring import RECURRING_TAB, PeriodRecord
from sheetbill.domain.row_ids import ROW_ID
from sheetbill.domain.schema import BilledColumns, InvoiceLineColumns
from sheetbill.domain.sheet import CellValue
from sheetbill.planning.approvals import adopted_status, people_by_row_id
from sheetbill.planning.invoices import breakdown
from sheetbill.planning.recurring_rebuild import (
    LoggedDecisions,
    logged_decisions,
    shown_periods,
    with_retainer_hours,
)
from sheetbill.tabs.invoices import InvoiceRow
from sheetbill.tabs.rows import RowReader, TabLayout, fingerprint, fingerprint_cells
from sheetbill.tabs.validation import BookData

BILLED_TABS = ("Time Log", "Orders")


@dataclass(frozen=True, slots=True)
class BookMarks:
    """What sheetbill wrote into a workbook that it can recognise again."""

    # Invoice numbers in the Invoices and Invoice Lines tabs, and on billed rows
    # (where a person may have typed one: it must never be drawn for another).
    invoice_numbers: frozenset[str]
    # Row IDs in the Row ID column of Time Log and Orders.
    row_ids: frozenset[str]


def marks_in_book(layouts: Mapping[str, TabLayout]) -> BookMarks:
    """The invoice numbers and Row IDs the workbook shows in sheetbill's own cells."""
    return BookMarks(
        frozenset(
            v
            for tab in ("Invoices", "Invoice Lines", *BILLED_TABS)
            for v in _column(layouts.get(tab), "Invoice No")
        ),
        frozenset(
            v for tab in BILLED_TABS for v in _column(layouts.get(tab), "Row ID")
        ),
    )


def _column(layout: TabLayout | None, column: str) -> set[str]:
    """The column's non-blank texts (a big Time Log has 100k Row IDs to look at)."""
    found: set[str] = set()
    if layout is None or column not in layout.columns.positions:
        return found
    position = layout.columns.positions[column]
    for row in layout.table.rows:
        value = row.get(position)
        if value is None or value == "":
            continue
        found.add(value.strip() if type(value) is str else parse_text(value).strip())
    found.discard("")
    return found


def _pattern_or_none(text: str) -> NumberPattern | None:
    """The Number Pattern, or None while it is broken (that is reported elsewhere,
    and then no number of it is made or read)."""
    try:
        return NumberPattern(text)
    except PatternError:
        return None


def split_pending(
    pending: Sequence[Invoice], marks: BookMarks
) -> tuple[list[Invoice], list[Invoice]]:
    """Pending invoices of an interrupted run: (written, never written).

    An invoice is written once the workbook shows its number or one of its Row IDs
    (the write is atomic on Excel; a Google write may stop half-way, and then what
    is there is completed). One the workbook does not show was never seen by anyone
    in the sheet: it is rebuilt from the rows as they are now, under its number.
    """
    written: list[Invoice] = []
    unwritten: list[Invoice] = []
    for invoice in pending:
        shown = invoice.number in marks.invoice_numbers or any(
            s.row_id in marks.row_ids for s in invoice.sources
        )
        (written if shown else unwritten).append(invoice)
    return written, unwritten


def reusable_numbers(
    unwritten: Sequence[Invoice], pattern_text: str, today: date
) -> tuple[list[str], list[str]]:
    """(numbers a rebuilt plan takes first, numbers it can no longer use).

    A never-written number is used again only in the series it was drawn in (the
    Number Pattern for today's date): a pattern changed or a year turned meanwhile
    leaves it withdrawn, never reused elsewhere.
    """
    pattern = _pattern_or_none(pattern_text)
    if pattern is None:
        return [], [i.number for i in unwritten]
    series = pattern.series(today)
    reuse: list[tuple[int, str]] = []
    withdrawn: list[str] = []
    for invoice in unwritten:
        found = pattern.sequence_in(invoice.number)
        if found is not None and found[0] == series:
            reuse.append((found[1], invoice.number))
        else:
            withdrawn.append(invoice.number)
    return [n for _, n in sorted(reuse)], withdrawn


def rows_billed_before(
    open_rows: Mapping[tuple[str, int], str],
    billed: Mapping[str, BilledRow],
    marks: BookMarks,
    pending_row_ids: Iterable[str],
) -> dict[tuple[str, int], BilledRow]:
    """Rows waiting to be billed that the state records as billed already.

    A billed row whose Row ID the workbook no longer shows, and a waiting row with
    exactly its content: the workbook is older than its state (restored from a
    backup, or saved over sheetbill's write by another program). Such a row is
    never billed again; identical new work is held too, for a person to confirm.
    Rows of pending invoices are matched elsewhere (`match_pending`).
    """
    skip = set(pending_row_ids)
    gone: dict[tuple[str, str], BilledRow] = {}
    for record in billed.values():
        if record.tab == RECURRING_TAB:
            continue
        if record.row_id not in marks.row_ids and record.row_id not in skip:
            gone.setdefault((record.tab, record.fingerprint), record)
    if not gone:
        return {}
    return {
        place: gone[(place[0], print_)]
        for place, print_ in open_rows.items()
        if (place[0], print_) in gone
    }


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
    ids_in_sheet = _row_ids_shown(data.layouts)
    free = dict(data.open_rows)
    unmatched: list[tuple[Invoice, SourceRow]] = []
    for invoice in pending:
        for source in invoice.sources:
            if source.tab == RECURRING_TAB:
                continue  # a plan's period: no row carries its mark
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
    problems: list[Problem] = []
    for invoice, source in unmatched:
        place = (source.tab, source.row)
        is_changed = place in free
        if is_changed:
            located[place] = source
            del free[place]
        problems.append(_pending_row_problem(invoice, source, is_changed=is_changed))
    return PendingMatch(located, frozenset(done), tuple(problems))


def _row_ids_shown(layouts: Mapping[str, TabLayout]) -> set[str]:
    """Every text in the Row ID column of Time Log and Orders."""
    found: set[str] = set()
    for name in BILLED_TABS:
        layout = layouts.get(name)
        if layout and layout.columns.has(BilledColumns.ROW_ID):
            position = layout.columns.positions[BilledColumns.ROW_ID]
            found.update(parse_text(r.get(position)) for r in layout.table.rows)
    return found


def _pending_row_problem(
    invoice: Invoice, source: SourceRow, *, is_changed: bool
) -> Problem:
    """A pending invoice's row found only at its old place with other content
    (`is_changed`), or found nowhere."""
    if is_changed:
        problem = (
            f"Row {source.row} was changed while it was being billed on "
            f"{invoice.number}; the invoice shows it as it was before."
        )
    else:
        problem = (
            f"Row {source.row} was billed on {invoice.number}, but the run "
            "was interrupted and the row is no longer in the tab as it was."
        )
    return Problem(
        code=ProblemCode.INVOICES_ROW_CHANGED_WHILE_BILLING,
        tab=source.tab,
        row=source.row,
        column="Row ID",
        value=source.row_id,
        problem=problem,
        fix=f"Check {invoice.number} against the row; if they differ, correct the "
        "invoice with a credit note.",
        severity=Severity.WARNING,
        customer_id=invoice.customer_id,
    )


@dataclass(frozen=True, slots=True)
class OwedRows:
    """The pending invoices (by number) whose rows in Invoices, and in Invoice Lines,
    the interrupted run did not write: this run writes them."""

    invoices: frozenset[str]
    lines: frozenset[str]


def rows_owed(
    pending: Sequence[Invoice],
    *,
    invoice_rows: Sequence[InvoiceRow],
    lines: TabLayout | None,
) -> OwedRows:
    """An interrupted run wrote a pending invoice's row where a row shows its number
    and customer (its number alone where the tab has no Customer ID column), and its
    lines where a row of Invoice Lines shows its number: a write is all or nothing.

    A number alone may be a person's row: taking it for sheetbill's would lose the
    pending invoice. A written invoice is never written again here: a row of it that
    a person deleted is reported by `own_rows`, not re-created blindly.
    """
    shown = {(r.number, r.customer_id) for r in invoice_rows}
    have_lines = _column(lines, InvoiceLineColumns.INVOICE_NO)
    return OwedRows(
        frozenset(
            i.number
            for i in pending
            if (i.number, i.customer_id) not in shown and (i.number, None) not in shown
        ),
        frozenset(i.number for i in pending if i.number not in have_lines),
    )


def released_row_ids(unwritten: Sequence[Invoice]) -> list[int]:
    """The Row ID numbers of never-written invoices, for their rebuild to take."""
    return sorted(
        int(m[2]) for i in unwritten for s in i.sources if (m := ROW_ID.match(s.row_id))
    )


def unknown_to_state(
    marks: BookMarks,
    counters: Counters,
    known_numbers: Iterable[str],
    pattern_text: str,
) -> list[str]:
    """Numbers and Row IDs the workbook shows that this state could draw again.

    A number the state never drew, at or beyond its counter, and a Row ID beyond its
    Row ID counter mean the state is not this workbook's (lost, emptied, or another
    copy's). Numbers of another pattern cannot collide and are not listed.
    """
    known = set(known_numbers)
    found: list[str] = []
    pattern = _pattern_or_none(pattern_text)
    for number in sorted(marks.invoice_numbers - known):
        parsed = pattern.sequence_in(number) if pattern else None
        if parsed and parsed[1] > counters.last_sequence.get(parsed[0], 0):
            found.append(number)
    for row_id in sorted(marks.row_ids):
        match = ROW_ID.match(row_id)
        if match and int(match[2]) > counters.last_row_id:
            found.append(row_id)
    return found


def latest_in_series(
    issue_dates: Mapping[str, date], pattern_text: str, today: date
) -> tuple[str, date] | None:
    """The latest-dated invoice of the series `today` draws from, if any."""
    pattern = _pattern_or_none(pattern_text)
    if pattern is None:
        return None
    series = pattern.series(today)
    dated = [
        (day, number)
        for number, day in issue_dates.items()
        if (found := pattern.sequence_in(number)) and found[0] == series
    ]
    if not dated:
        return None
    day, number = max(dated)
    return number, day


@dataclass(frozen=True, slots=True)
class Rebuilt:
    """A state database's content, as far as the workbook shows it."""

    invoices: tuple[Invoice, ...]
    counters: Counters
    # (row id, tab, invoice number, fingerprint) of every billed row.
    billed_rows: tuple[tuple[str, str, str, str], ...]
    # Rows that carry a Row ID but no Invoice No, or an Invoice No of no invoice.
    skipped: tuple[str, ...]
    # The Person of each billed Time Log row, by Row ID.
    people: Mapping[str, str] = field(default_factory=dict)
    # Each invoice's approval as its Status shows it (`approval.adopted_status`).
    approvals: Mapping[str, str] = field(default_factory=dict)
    # The recurring plans' periods billed on those invoices.
    periods: tuple[PeriodRecord, ...] = ()
    # The periods skipped and the plans told removed, as the Log shows them.
    decisions: LoggedDecisions = field(default_factory=LoggedDecisions)


def rebuild_from_book(data: BookData) -> Rebuilt:
    """The invoices, billed rows and counters a workbook shows (`state rebuild`).

    Invoices come from the Invoices tab (amounts as written there) and their lines
    from Invoice Lines; billed rows are Time Log and Orders rows with both a Row ID
    and an Invoice No, fingerprinted as they are now, so later edits are noticed from
    here on. Counters are the highest number of each series and the highest Row ID.
    """
    marks = marks_in_book(data.layouts)
    lines = _lines_by_invoice(data.layouts.get("Invoice Lines"), data.settings.locale)
    billed, skipped = _billed_rows(data)
    by_row_id = {row_id: (tab, row, fp) for row_id, tab, row, fp, _ in billed}
    invoices = []
    numbers_seen: set[str] = set()
    statuses: dict[str, list[str]] = {}
    layout = data.layouts.get("Invoices")
    rows = layout.table.rows if layout else ()
    for sheet_row in rows:
        assert layout is not None
        read = RowReader(layout, sheet_row, data.settings)
        invoice = _invoice_of(read, lines, by_row_id, data)
        if invoice is None:
            continue
        statuses.setdefault(invoice.number, []).append(read.text("Status"))
        if invoice.number not in numbers_seen:
            numbers_seen.add(invoice.number)
            invoices.append(invoice)
    billed_rows = tuple(
        (row_id, tab, number, fp)
        for row_id, tab, _, fp, number in billed
        if number in numbers_seen
    )
    skipped_more = tuple(
        f"{tab} row {row} ({row_id}): Invoice No {number} is not in the Invoices tab"
        for row_id, tab, row, _, number in billed
        if number not in numbers_seen
    )
    periods = _service_periods(data, billed)
    plan_periods, decisions = _plan_periods(data, lines, invoices, billed)
    periods.update((r.invoice_no or "", (r.start, r.end)) for r in plan_periods)
    return Rebuilt(
        tuple(replace(i, service_period=periods.get(i.number)) for i in invoices),
        # Every number and Row ID the workbook shows, typed ones too: none is drawn
        # again after a rebuild.
        _counters(
            numbers_seen | marks.invoice_numbers,
            {*by_row_id, *marks.row_ids},
            data.settings.number_pattern,
        ),
        billed_rows,
        (*skipped, *skipped_more),
        people_by_row_id(
            data.layouts.get("Time Log"),
            {r for r, tab, _, _, _ in billed if tab == "Time Log"},
        ),
        {n: adopted_status(shown) for n, shown in statuses.items()},
        tuple(plan_periods),
        decisions,
    )


def _counters(
    numbers: Iterable[str], row_ids: Iterable[str], pattern_text: str
) -> Counters:
    last: dict[str, int] = {}
    pattern = _pattern_or_none(pattern_text)
    for number in numbers:
        parsed = pattern.sequence_in(number) if pattern else None
        if parsed:
            last[parsed[0]] = max(last.get(parsed[0], 0), parsed[1])
    last_row_id = max((int(m[2]) for r in row_ids if (m := ROW_ID.match(r))), default=0)
    return Counters(last, last_row_id)


def _service_periods(
    data: BookData, billed: Iterable[tuple[str, str, int, str, str]]
) -> dict[str, tuple[date, date]]:
    """Each invoice's first and last day of work and orders, from its billed Time
    Log and Orders rows (what its PDF showed as the service period or date)."""
    tabs = {
        name: (layout, {r.number: r for r in layout.table.rows})
        for name in ("Time Log", "Orders")
        if (layout := data.layouts.get(name)) is not None
    }
    days: dict[str, list[date]] = {}
    for _, tab, row, _, number in billed:
        if tab not in tabs or row not in tabs[tab][1]:
            continue
        layout, rows = tabs[tab]
        try:
            day = parse_date(
                RowReader(layout, rows[row], data.settings).raw("Date"),
                locale=data.settings.locale,
            )
        except ValueError:
            continue
        days.setdefault(number, []).append(day)
    return {number: (min(found), max(found)) for number, found in days.items()}


def _plan_periods(
    data: BookData,
    lines: Mapping[str, Iterable[tuple[int, Mapping[str, CellValue]]]],
    invoices: Sequence[Invoice],
    billed: Iterable[tuple[str, str, int, str, str]],
) -> tuple[list[PeriodRecord], LoggedDecisions]:
    """The plans' periods billed on `invoices` (a retainer's with its hours), and
    what the Log shows of the plans besides."""
    shown = shown_periods(
        lines, data.plans, [i.number for i in invoices], data.customers
    )
    decisions = logged_decisions(data.layouts.get("Log"), shown, data.plans)
    hours = _hours_by_invoice(data, billed)
    periods = with_retainer_hours(shown, data.plans, hours, decisions.skipped)
    return periods, decisions


def _hours_by_invoice(
    data: BookData, billed: Iterable[tuple[str, str, int, str, str]]
) -> dict[str, Decimal]:
    """The hours of the billed Time Log rows by invoice, each rounded as billed
    (Settings' increment); a row whose Hours no longer reads is left out."""
    layout = data.layouts.get("Time Log")
    if layout is None:
        return {}
    rows = {r.number: r for r in layout.table.rows}
    found: dict[str, Decimal] = {}
    for _, tab, row, _, number in billed:
        if tab != "Time Log" or row not in rows:
            continue
        raw = RowReader(layout, rows[row], data.settings).raw("Hours")
        try:
            hours = parse_hours(raw, locale=data.settings.locale)
        except (CellValueError, ValueError):
            continue
        found[number] = found.get(number, Decimal(0)) + round_hours(
            hours, data.settings
        )
    return found


def _billed_rows(
    data: BookData,
) -> tuple[list[tuple[str, str, int, str, str]], list[str]]:
    billed: list[tuple[str, str, int, str, str]] = []
    skipped: list[str] = []
    for tab in BILLED_TABS:
        layout = data.layouts.get(tab)
        if layout is None or not layout.columns.has("Row ID"):
            continue
        print_cells = fingerprint_cells(layout)
        for sheet_row in layout.table.rows:
            read = RowReader(layout, sheet_row, data.settings)
            row_id = read.text("Row ID")
            if not row_id:
                continue
            number = read.text("Invoice No")
            if not number:
                skipped.append(
                    f"{tab} row {sheet_row.number} ({row_id}): no Invoice No"
                )
                continue
            print_ = fingerprint(print_cells(read.cells))
            billed.append((row_id, tab, sheet_row.number, print_, number))
    return billed, skipped


_LINE_COLUMNS = ("Quantity", "Unit Price", "Tax Rate", "Net", "Tax", "Total")


def _lines_by_invoice(
    layout: TabLayout | None, locale: str
) -> dict[str, list[tuple[int, dict[str, CellValue]]]]:
    found: dict[str, list[tuple[int, dict[str, CellValue]]]] = {}
    if layout is None:
        return found
    positions = layout.columns.positions
    for sheet_row in layout.table.rows:
        cells = {c: sheet_row.get(p) for c, p in positions.items()}
        number = parse_text(cells.get("Invoice No")).strip()
        if number:
            found.setdefault(number, []).append((sheet_row.number, cells))
    return found


def _decimal(value: CellValue, locale: str) -> Decimal:
    try:
        return parse_number(value, locale=locale)
    except (ValueError, InvalidOperation, TypeError):
        return Decimal(0)


def _invoice_of(
    read: RowReader,
    lines: Mapping[str, list[tuple[int, dict[str, CellValue]]]],
    by_row_id: Mapping[str, tuple[str, int, str]],
    data: BookData,
) -> Invoice | None:
    number = read.text("Invoice No")
    if not number:
        return None
    locale = data.settings.locale

    def day(column: str) -> date | None:
        try:
            return parse_date(read.raw(column), locale=locale)
        except (ValueError, TypeError):
            return None

    issue = day("Issue Date") or date.min
    invoice_lines = _invoice_lines(lines.get(number, ()), by_row_id, locale)
    kind_text = read.text("Kind").lower()
    kind = InvoiceKind(kind_text) if kind_text in _KINDS else InvoiceKind.INVOICE
    customer_id = read.text("Customer ID")
    customer = data.customers.get(customer_id)
    return Invoice(
        number=number,
        kind=kind,
        customer_id=customer_id,
        customer_name=read.text("Customer"),
        currency=read.text("Currency"),
        issue_date=issue,
        due_date=day("Due Date") or issue,
        tax_mode=(customer.tax_mode if customer else None) or data.settings.tax_mode,
        lines=tuple(invoice_lines),
        net=_decimal(read.raw("Net"), locale),
        tax=_decimal(read.raw("Tax"), locale),
        total=_decimal(read.raw("Total"), locale),
        breakdown=tuple(breakdown(invoice_lines)),
        work_complete=day("Work Complete"),
        created_by=read.text("Created By") or "sheetbill",
    )


def _invoice_lines(
    lines: Iterable[tuple[int, dict[str, CellValue]]],
    by_row_id: Mapping[str, tuple[str, int, str]],
    locale: str,
) -> list[InvoiceLine]:
    """An invoice's lines as Invoice Lines shows them, with the rows they billed."""
    invoice_lines = []
    for index, (_, cells) in enumerate(lines, start=1):
        amounts = {c: _decimal(cells.get(c), locale) for c in _LINE_COLUMNS}
        sources = tuple(
            SourceRow(tab, row, row_id, fp)
            for row_id in _row_ids_in(parse_text(cells.get("Source")))
            if (found := by_row_id.get(row_id)) is not None
            for tab, row, fp in (found,)
        )
        invoice_lines.append(
            InvoiceLine(
                line=int(_decimal(cells.get("Line"), locale)) or index,
                description=parse_text(cells.get("Description")),
                unit=parse_text(cells.get("Unit")),
                sources=sources,
                quantity=amounts["Quantity"],
                unit_price=amounts["Unit Price"],
                tax_rate=amounts["Tax Rate"],
                net=amounts["Net"],
                tax=amounts["Tax"],
                total=amounts["Total"],
            )
        )
    return invoice_lines


_KINDS = {k.value for k in InvoiceKind}
_ROW_ID_IN_TEXT = re.compile(r"\b([A-Z])-(\d{1,12})\b(?:\s*[–-]\s*\1-(\d{1,12})\b)?")


def _row_ids_in(text: str) -> list[str]:
    """The Row IDs a Source cell names; a range (two IDs joined by an en dash)
    is expanded."""
    found: list[str] = []
    for match in _ROW_ID_IN_TEXT.finditer(text):
        letter, first, last = match[1], match[2], match[3]
        if last is None:
            found.append(f"{letter}-{first}")
            continue
        width = len(first)
        start, end = int(first), int(last)
        if 0 <= end - start <= 100_000:
            found.extend(f"{letter}-{n:0{width}d}" for n in range(start, end + 1))
    return found


__all__ = [
    "BookMarks",
    "OwedRows",
    "PendingMatch",
    "Rebuilt",
    "latest_in_series",
    "marks_in_book",
    "match_pending",
    "rebuild_from_book",
    "released_row_ids",
    "reusable_numbers",
    "rows_billed_before",
    "rows_owed",
    "split_pending",
    "unknown_to_state",
]
