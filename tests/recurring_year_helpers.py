"""Recurring plans lived through day by day, for tests/test_recurring_year.py: a shop
workbook written once, the scheduled entry point (`run.py`) run as cron would, a
person's edits between runs, and an expectation of what every run must bill worked
out here, independently of sheetbill's planner (dateutil's rrule over the plan row
as typed, and a plain model of who decides which period on which run)."""

from __future__ import annotations

import calendar
import contextlib
import io
import re
import runpy
import sqlite3
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import python_calamine
from babel.dates import format_interval
from dateutil.rrule import MONTHLY, WEEKLY, rrule
from paths import ROOT
from readback import calamine_records

from sheetbill.domain.sheet import CellValue, CellWrite, WorkbookChanges
from sheetbill.workbook.excel import ExcelWorkbook

from helpers import (
    CUSTOMER_HEADERS,
    ORDER_HEADERS,
    RATE_HEADERS,
    SETTINGS_ROWS,
    TIME_HEADERS,
    write_xlsx,
)

D = Decimal
Row = Mapping[str, Any]
RUN_PY = ROOT / "run.py"
RECURRING_HEADERS = [
    "Plan ID",
    "Customer ID",
    "Description",
    "Quantity",
    "Unit Price",
    "Frequency",
    "Interval",
    "Day",
    "Start",
    "End",
    "Count",
    "Billing",
    "Included Hours",
    "Project",
    "Max Rollover Hours",
    "Auto Send",
    "Active",
    "Next Date",
    "Last Invoice",
]
CUSTOMERS = [
    [*CUSTOMER_HEADERS, "Language"],
    ["C1", "Alpha GmbH", "a@alpha.example", "EUR", None, None, "en"],
    ["C2", "Beta Inc", "b@beta.example", "USD", D(0), "Export of services", "en"],
    ["C4", "Delta AG", "d@delta.example", "EUR", None, None, "en"],
    ["C5", "Epsilon GmbH", "e@epsilon.example", "EUR", None, None, "de"],
]
RATES = [
    RATE_HEADERS,
    [None, None, None, None, D(100), "hour", None],
    ["C4", None, None, None, D(90), "hour", None],
]
GERMAN_MONTHS = (
    "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
    "September", "Oktober", "November", "Dezember",
)  # fmt: skip
_NUMBER = re.compile(r"^INV-(\d{4})-(\d+)$")
_PLAN_SOURCE = re.compile(r"^Recurring (\S+), period (\d{4}-\d\d-\d\d)$")


# --- the shop and how it is run --------------------------------------------------


def write_shop(
    folder: Path,
    plans: Sequence[Row],
    *,
    timezone: str = "Europe/Berlin",
) -> Path:
    """`folder/shop.xlsx` as a person's spreadsheet program saves it, and the
    sheetbill.toml beside it (no PDFs, no backups: the runs are about numbers)."""
    folder.mkdir(parents=True, exist_ok=True)
    settings = [
        ["Key", "Value"],
        *SETTINGS_ROWS,
        ["Timezone", timezone],
        ["Send Invoices", "after review"],
    ]
    book = write_xlsx(
        folder / "shop.xlsx",
        {
            "Settings": settings,
            "Customers": CUSTOMERS,
            "Rates": RATES,
            "Time Log": [TIME_HEADERS],
            "Orders": [ORDER_HEADERS],
            "Recurring": [
                RECURRING_HEADERS,
                *([plan.get(h) for h in RECURRING_HEADERS] for plan in plans),
            ],
        },
    )
    (folder / "sheetbill.toml").write_text(
        "documents = false\nbackups = 0\n", encoding="utf-8"
    )
    return book


def run_py(book: Path, day: date, *, is_subprocess: bool) -> tuple[int, str]:
    """`python run.py run BOOK --as-of DAY --allow-future`, the line a crontab
    holds (the year is ahead of the machine's clock, hence --allow-future). In a
    process of its own, or through runpy in this one (the same file, the same
    argv; only the interpreter's start is saved). Returns the exit code and the
    printed summary."""
    argv = ["run", str(book), "--as-of", day.isoformat(), "--allow-future"]
    if is_subprocess:
        done = subprocess.run(
            [sys.executable, str(RUN_PY), *argv],
            cwd=book.parent,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        return done.returncode, done.stdout + done.stderr
    out = io.StringIO()
    saved = sys.argv
    sys.argv = [str(RUN_PY), *argv]
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            runpy.run_path(str(RUN_PY), run_name="__main__")
    except SystemExit as stop:
        return int(stop.code or 0), out.getvalue()
    finally:
        sys.argv = saved
    return 0, out.getvalue()


def edit_cells(book: Path, tab: str, row: int, values: Row) -> None:
    """A person changes cells of a row between runs (saved with sheetbill's own
    writer, so nothing else in the file changes)."""
    type_rows(book, tab, [values], at=row)


def type_rows(
    book: Path, tab: str, rows: Sequence[Row], *, at: int | None = None
) -> list[int]:
    """A person types rows below the tab's last one (or from row `at` on), saved
    once; returns their sheet rows."""
    workbook = ExcelWorkbook(book, backups=0)
    snapshot = workbook.read()
    table = snapshot.tables[tab]
    first = table.last_row + 1 if at is None else at
    headers = {h: i for i, h in enumerate(table.headers)}
    writes = tuple(
        CellWrite(number, headers[k], v)
        for number, values in enumerate(rows, start=first)
        for k, v in values.items()
    )
    workbook.apply(
        WorkbookChanges(writes={tab: writes}), expected_version=snapshot.version
    )
    return list(range(first, first + len(rows)))


def state_path(book: Path) -> Path:
    return book.with_name(book.stem + ".sheetbill.sqlite")


def everything(book: Path) -> tuple[dict[str, list[list[object]]], dict[str, list]]:
    """Every tab as calamine reads it and every table of the state database: what a
    rerun on the same day must leave as it was."""
    workbook = python_calamine.CalamineWorkbook.from_path(str(book))
    tabs = {
        name: workbook.get_sheet_by_name(name).to_python()
        for name in workbook.sheet_names
    }
    with contextlib.closing(sqlite3.connect(state_path(book))) as db:
        names = [
            n
            for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        tables = {n: sorted(map(repr, db.execute(f"SELECT * FROM {n}"))) for n in names}
    return tabs, tables


# --- what must happen: the expectation, worked out without sheetbill --------------


@dataclass(frozen=True, slots=True, order=True)
class Period:
    start: date
    end: date
    bill_on: date


def occurrences(plan: Row, *, until: date) -> list[date]:
    """The first days of a plan's periods up to `until`, End and Count aside:
    dateutil's rrule as docs/decisions.md "Issue 16" words the schedule (Day 29-31
    on a shorter month's last day; `last`; Day blank = Start's)."""
    start: date = plan["Start"]
    interval = int(plan.get("Interval") or 1)
    day = plan.get("Day")
    dtstart = datetime.combine(start, datetime.min.time())
    end = datetime.combine(until, datetime.min.time())
    if plan["Frequency"] == "weekly":
        weekday = int(day) - 1 if day not in (None, "") else start.weekday()
        rule = rrule(
            WEEKLY, interval=interval, byweekday=weekday, dtstart=dtstart, until=end
        )
        return [d.date() for d in rule]
    months = {"monthly": 1, "quarterly": 3, "yearly": 12}[plan["Frequency"]]
    if str(day).strip().casefold() == "last":
        days: Any = (28, 29, 30, 31)
    else:
        number = int(day) if day not in (None, "") else start.day
        days = tuple(range(28, number + 1)) if number >= 29 else number
    rule = rrule(
        MONTHLY,
        interval=interval * months,
        bymonthday=days,
        bysetpos=-1 if isinstance(days, tuple) else None,
        dtstart=dtstart,
        until=end,
    )
    return [d.date() for d in rule]


def periods(plan: Row, *, until: date) -> list[Period]:
    """The plan's periods whose first day is on or before `until` (End and Count
    applied): each ends the day before the next occurrence; billed on its first
    day in advance, on the day after its last in arrears (a retainer's blank
    Billing is in arrears)."""
    firsts = occurrences(plan, until=until + timedelta(days=800))
    starts = [d for d in firsts if plan.get("End") is None or d <= plan["End"]]
    if plan.get("Count"):
        starts = starts[: int(plan["Count"])]
    billing = plan.get("Billing") or (
        "in arrears" if plan.get("Included Hours") is not None else "in advance"
    )
    result = []
    for start, following in zip(starts, firsts[1:], strict=False):
        end = following - timedelta(days=1)
        bill_on = start if billing == "in advance" else end + timedelta(days=1)
        result.append(Period(start, end, bill_on))
    return [p for p in result if p.start <= until]


@dataclass(frozen=True, slots=True)
class Edit:
    """A person's change to a plan row on a day (before that day's run)."""

    day: date
    plan_id: str
    values: Row


@dataclass(frozen=True, slots=True)
class TypedRow:
    """A Time Log row a person types on `typed_on` (before that day's run)."""

    typed_on: date
    day: date
    customer: str
    project: str
    hours: Decimal

    def cells(self) -> dict[str, CellValue]:
        return {
            "Date": self.day,
            "Person": "Ann",
            "Customer ID": self.customer,
            "Project": self.project,
            "Activity": "Support" if self.project == "Support" else "Dev",
            "Hours": self.hours,
            "Billable": "yes",
            "Approved": "yes",
        }


@dataclass(slots=True)
class Decision:
    """What the expectation says a run decides about one period."""

    plan_id: str
    period: Period
    run_day: date
    is_billed: bool
    unit_price: Decimal | None
    # A retainer's rows consumed (indexes into the typed rows) and hours.
    consumed: list[int] = field(default_factory=list)
    carried_in: Decimal = field(default_factory=Decimal)
    used: Decimal = field(default_factory=Decimal)
    extra: Decimal = field(default_factory=Decimal)
    carried_out: Decimal = field(default_factory=Decimal)


@dataclass(slots=True)
class Expected:
    """Every decision by plan, what each run issues in numbering order, and where
    each typed row ends up."""

    decisions: dict[str, list[Decision]]
    # Per run day: ("plan", Plan ID, period start) or ("time", Customer ID), in the
    # order their numbers are drawn.
    issued: list[tuple[date, tuple[str, ...]]]
    # Typed row index -> ("plan", Plan ID, period start) | ("time", run day) | None.
    row_fate: dict[int, tuple[Any, ...] | None]
    rows: dict[str, Row]


def expect(
    plans: Sequence[Row],
    run_days: Iterable[date],
    edits: Sequence[Edit] = (),
    typed: Sequence[TypedRow] = (),
) -> Expected:
    """Runs on `run_days` (in order; a rerun decides nothing new): each bills every
    period due by its day that no earlier run decided, at the row's price that day;
    a period that comes due while the plan is paused is skipped for good. A
    retainer consumes the rows of its customer and project dated in the period it
    bills; a row first seen dated in a period already decided bills as ordinary
    time, and so does one of another project."""
    rows = {p["Plan ID"]: dict(p) for p in plans}
    decisions: dict[str, list[Decision]] = {p: [] for p in rows}
    issued: list[tuple[date, tuple[str, ...]]] = []
    fate: dict[int, tuple[Any, ...] | None] = dict.fromkeys(range(len(typed)))
    for day in sorted(set(run_days)):
        for edit in edits:
            if edit.day <= day:
                rows[edit.plan_id].update(edit.values)
        seen = [i for i, r in enumerate(typed) if r.typed_on <= day]
        bills = []
        for plan_id, row in rows.items():
            decided = {d.period.start for d in decisions[plan_id]}
            for period in periods(row, until=day):
                if period.start in decided or period.bill_on > day:
                    continue
                decision = _decide(row, period, day, decisions[plan_id], typed, seen)
                decisions[plan_id].append(decision)
                for i in decision.consumed:
                    fate[i] = ("plan", plan_id, period.start)
                if decision.is_billed:
                    bills.append((period.bill_on, plan_id, period.start))
        ordinary = _ordinary(rows, decisions, typed, seen, fate, day)
        issued += [(day, ("plan", p, s)) for _, p, s in sorted(bills)]
        issued += [(day, ("time", c)) for c in ordinary]
    rows = {
        plan_id: {**row, "Next Date": _next_date(row, decisions[plan_id])}
        for plan_id, row in rows.items()
    }
    return Expected(decisions, issued, fate, rows)


def _decide(
    row: Row,
    period: Period,
    day: date,
    before: Sequence[Decision],
    typed: Sequence[TypedRow],
    seen: Sequence[int],
) -> Decision:
    is_active = str(row.get("Active") or "yes").casefold() != "no"
    price = D(str(row["Unit Price"])) if is_active else None
    decision = Decision(row["Plan ID"], period, day, is_active, price)
    if row.get("Included Hours") is None or not is_active:
        return decision
    decision.consumed = [
        i
        for i in seen
        if typed[i].customer == row["Customer ID"]
        and typed[i].project == row.get("Project")
        and period.start <= typed[i].day <= period.end
    ]
    previous = before[-1] if before else None
    carried_in = previous.carried_out if previous and previous.is_billed else D(0)
    available = D(str(row["Included Hours"])) + carried_in
    used = sum((typed[i].hours for i in decision.consumed), D(0))
    decision.carried_in = carried_in
    decision.used = used
    decision.extra = max(D(0), used - available)
    decision.carried_out = min(
        D(str(row.get("Max Rollover Hours") or 0)), max(D(0), available - used)
    )
    return decision


def _ordinary(
    rows: Mapping[str, Row],
    decisions: Mapping[str, Sequence[Decision]],
    typed: Sequence[TypedRow],
    seen: Sequence[int],
    fate: dict[int, tuple[Any, ...] | None],
    day: date,
) -> list[str]:
    """The rows a run bills as ordinary time (a retainer's not among them: those
    in a period not yet decided wait); the customers invoiced, in ID order."""
    customers = set()
    for i in seen:
        if fate[i] is not None:
            continue
        waiting = any(
            typed[i].customer == row["Customer ID"]
            and typed[i].project == row.get("Project")
            and row.get("Included Hours") is not None
            and not any(
                d.period.start <= typed[i].day <= d.period.end
                for d in decisions[plan_id]
            )
            for plan_id, row in rows.items()
        )
        if not waiting:
            fate[i] = ("time", day)
            customers.add(typed[i].customer)
    return sorted(customers)


def _next_date(row: Row, decided: Sequence[Decision]) -> date | None:
    """Next Date after the last run: the next period's bill date; blank when the
    plan has ended or is paused."""
    if str(row.get("Active") or "yes").casefold() == "no":
        return None
    starts = {d.period.start for d in decided}
    last = max((d.period.start for d in decided), default=row["Start"])
    upcoming = [
        p
        for p in periods(row, until=last + timedelta(days=800))
        if p.start not in starts
    ]
    return upcoming[0].bill_on if upcoming else None


# --- what happened: the workbook and the state, read back -------------------------


def number_key(number: object) -> tuple[int, int]:
    match = _NUMBER.match(str(number))
    assert match, number
    return int(match[1]), int(match[2])


@dataclass(frozen=True, slots=True)
class Billed:
    """The workbook's invoices, read back with calamine."""

    invoices: dict[str, dict[str, object]]
    lines: dict[str, list[dict[str, object]]]
    # (Plan ID, period start) -> the invoice number of its plan line.
    periods: dict[tuple[str, date], list[str]]

    @classmethod
    def read(cls, book: Path) -> Billed:
        invoices = {str(r["Invoice No"]): r for r in calamine_records(book, "Invoices")}
        lines: dict[str, list[dict[str, object]]] = {}
        billed: dict[tuple[str, date], list[str]] = {}
        for line in calamine_records(book, "Invoice Lines"):
            number = str(line["Invoice No"])
            lines.setdefault(number, []).append(line)
            match = _PLAN_SOURCE.match(str(line["Source"]))
            if match:
                key = (match[1], date.fromisoformat(match[2]))
                billed.setdefault(key, []).append(number)
        return cls(invoices, lines, billed)

    def in_number_order(self) -> Iterator[tuple[str, dict[str, object]]]:
        for number in sorted(self.invoices, key=number_key):
            yield number, self.invoices[number]

    def what(self, number: str) -> tuple[str, ...]:
        """("plan", Plan ID, start) for a plan's invoice, ("time", customer) else."""
        first = str(self.lines[number][0]["Source"])
        match = _PLAN_SOURCE.match(first)
        if match:
            return ("plan", match[1], date.fromisoformat(match[2]))
        return ("time", str(self.invoices[number]["Customer ID"]))


def as_date(value: object) -> date | None:
    """A date cell as calamine gives it (date or datetime; '' when blank)."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    assert isinstance(value, date), value
    return value


def period_label(period: Period, language: str) -> str:
    """The period as a plan line names it: a calendar month, quarter or year by its
    name, any other period as babel's date interval (docs/decisions.md)."""
    start, end = period.start, period.end
    month_end = date(end.year, end.month, calendar.monthrange(end.year, end.month)[1])
    if start.day == 1 and end == month_end and start.year == end.year:
        months = end.month - start.month + 1
        if months == 1:
            name = (
                GERMAN_MONTHS[start.month - 1]
                if language == "de"
                else calendar.month_name[start.month]
            )
            return f"{name} {start.year}"
        if months == 3 and start.month % 3 == 1:
            return f"Q{start.month // 3 + 1} {start.year}"
        if months == 12:
            return str(start.year)
    return format_interval(start, end, "yMMMd", locale=language)
