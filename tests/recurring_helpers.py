"""Plans for the recurring tests: built directly, and drawn by hypothesis over every
parameter a Recurring row has (month ends, 29 February and year ends included); and a
shop with recurring plans for tests of whole runs (the demo's settings, customers and
rates, the plans and time rows a test gives, nothing else)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from itertools import islice, pairwise
from pathlib import Path

from hypothesis import strategies as st
from readback import calamine_records

from sheetbill.cli import main
from sheetbill.domain.model import (
    ApprovalThreshold,
    Customer,
    RateRule,
    Settings,
    SourceRow,
    TimeEntry,
)
from sheetbill.domain.recurring import (
    LAST_DAY,
    Billing,
    Frequency,
    Period,
    Plan,
    plan_rule,
)
from sheetbill.domain.schema import ALL_TABS, CUSTOMERS, RATES, RECURRING, TIME_LOG
from sheetbill.domain.schema import SETTINGS as SETTINGS_TAB
from sheetbill.domain.sheet import CellValue, CellWrite, WorkbookChanges
from sheetbill.usecases import demo
from sheetbill.usecases.init import settings_writes
from sheetbill.workbook.excel import ExcelWorkbook

D = Decimal
SETTINGS = Settings(company_name="Test Shop", default_tax_rate=D(19), terms_days=14)


def plan(**changes: object) -> Plan:
    base = Plan(
        row=2,
        plan_id="P-001",
        customer_id="C1",
        description="Hosting",
        quantity=D(1),
        unit_price=D(100),
        frequency=Frequency.MONTHLY,
        interval=1,
        day=1,
        start=date(2026, 9, 1),
        end=None,
        count=None,
        billing=Billing.IN_ADVANCE,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def customer(
    customer_id: str = "C1", language: str = "en", **changes: object
) -> Customer:
    return replace(
        Customer(row=2, customer_id=customer_id, name=f"Customer {customer_id}"),
        language=language,
        **changes,  # type: ignore[arg-type]
    )


def time_entry(
    row: int,
    day: date,
    hours: str,
    *,
    customer_id: str = "C1",
    project: str = "Web",
    rate: str = "100",
    unit: str = "hour",
) -> TimeEntry:
    return TimeEntry(
        source=SourceRow("Time Log", row, "", f"print-{row}"),
        day=day,
        person="Ann",
        customer_id=customer_id,
        project=project,
        activity="Dev",
        hours=D(hours),
        description="",
        work_complete=None,
        rate=RateRule(row=2, rate=D(rate), unit=unit),
    )


# Days a schedule goes wrong on when done by hand: month ends, leap days, year ends.
SPECIAL_DAYS = [
    date(2024, 2, 29),
    date(2028, 2, 29),
    date(2025, 2, 28),
    date(2024, 1, 31),
    date(2025, 1, 31),
    date(2025, 3, 31),
    date(2025, 4, 30),
    date(2025, 8, 31),
    date(2025, 12, 31),
    date(2026, 1, 1),
    date(2025, 10, 26),  # DST ends in Europe (nothing here is a time of day)
    date(2026, 3, 29),  # DST begins
    date(2024, 11, 30),
]
start_days = st.one_of(
    st.sampled_from(SPECIAL_DAYS), st.dates(date(2023, 1, 1), date(2028, 12, 31))
)


@st.composite
def plans(draw: st.DrawFn, **fixed: object) -> Plan:
    """A plan with any Frequency, Interval, Day, Start, End, Count and Billing."""
    frequency = draw(st.sampled_from(Frequency))
    if frequency is Frequency.WEEKLY:
        day = draw(st.one_of(st.none(), st.integers(1, 7)))
        interval = draw(st.integers(1, 4))
    else:
        day = draw(
            st.one_of(
                st.none(),
                st.sampled_from([LAST_DAY, 28, 29, 30, 31]),
                st.integers(1, 31),
            )
        )
        interval = draw(st.integers(1, 3))
    start = draw(start_days)
    end = draw(
        st.one_of(
            st.none(),
            st.integers(-40, 1500).map(lambda n: start + timedelta(days=n)),
        )
    )
    count = draw(st.one_of(st.none(), st.integers(0, 30)))
    made = plan(
        frequency=frequency,
        interval=interval,
        day=day,
        start=start,
        end=end,
        count=count,
        billing=draw(st.sampled_from(Billing)),
    )
    return replace(made, **fixed)  # type: ignore[arg-type]


def plain_periods(made: Plan, limit: int) -> list[Period]:
    """The plan's first `limit` periods the plain way: its rule (dtstart = Start)
    iterated from the start, End and Count applied, each period up to the day
    before the next occurrence."""
    starts = [d.date() for d in islice(plan_rule(made), limit + 1)]
    periods = []
    for index, (first, following) in enumerate(pairwise(starts)):
        if made.end is not None and first > made.end:
            break
        if made.count is not None and index >= made.count:
            break
        billed = first if made.billing is Billing.IN_ADVANCE else following
        periods.append(
            Period(first, following - timedelta(days=1), billed, made.plan_id, index)
        )
    return periods


Row = Mapping[str, CellValue]
# A monthly plan as a person types it: C003 (no VAT, EUR), from 1 August 2026.
MONTHLY = {
    "Plan ID": "P-001",
    "Customer ID": "C003",
    "Description": "Support plan",
    "Quantity": D(1),
    "Unit Price": D(500),
    "Frequency": "monthly",
    "Day": "1",
    "Start": date(2026, 8, 1),
    "Auto Send": "no",
    "Active": "yes",
}


def plan_shop(
    folder: Path,
    plans: Sequence[Row],
    *,
    time_rows: Sequence[Row] = (),
    timezone: str = "Europe/Berlin",
) -> Path:
    """The workbook `folder/book.xlsx` with these Recurring and Time Log rows, and a
    sheetbill.toml beside it (no backups, emails to `folder/outbox`)."""
    book = folder / "book.xlsx"
    settings = replace(
        demo.DEMO_SETTINGS, approval_threshold=ApprovalThreshold(), timezone=timezone
    )
    changes = WorkbookChanges(
        writes={
            SETTINGS_TAB.name: settings_writes(settings),
            CUSTOMERS.name: demo._writes(CUSTOMERS, demo.CUSTOMER_ROWS),
            RATES.name: demo._writes(RATES, demo.RATE_ROWS),
            TIME_LOG.name: demo._writes(TIME_LOG, list(time_rows)),
            RECURRING.name: demo._writes(RECURRING, list(plans)),
        }
    )
    ExcelWorkbook.create_new(book, [schema.spec() for schema in ALL_TABS])
    workbook = ExcelWorkbook(book, backups=0)
    workbook.apply(changes, expected_version=workbook.read().version)
    (folder / "sheetbill.toml").write_text(
        f'source = "{book.name}"\nbackups = 0\ndocuments = false\n\n[mail]\n'
        'from = "billing@northwind.example"\n',
        encoding="utf-8",
    )
    return book


def run(book: Path, day: str, *more: str) -> int:
    return main(["run", str(book), "--as-of", day, *more])


def edit_row(book: Path, tab: str, row: int, values: Row) -> None:
    """A person changes cells of a row (None clears a cell)."""
    workbook = ExcelWorkbook(book, backups=0)
    snapshot = workbook.read()
    headers = {h: i for i, h in enumerate(snapshot.tables[tab].headers)}
    writes = tuple(CellWrite(row, headers[k], v) for k, v in values.items())
    workbook.apply(
        WorkbookChanges(writes={tab: writes}), expected_version=snapshot.version
    )


def type_row(book: Path, tab: str, values: Row) -> int:
    """A person types a row below the tab's last row; its sheet row."""
    workbook = ExcelWorkbook(book, backups=0)
    snapshot = workbook.read()
    row = snapshot.tables[tab].last_row + 1
    edit_row(book, tab, row, values)
    return row


def clear_row(book: Path, tab: str, row: int) -> None:
    workbook = ExcelWorkbook(book, backups=0)
    snapshot = workbook.read()
    width = len(snapshot.tables[tab].headers)
    writes = tuple(CellWrite(row, c, None) for c in range(width))
    workbook.apply(
        WorkbookChanges(writes={tab: writes}), expected_version=snapshot.version
    )


def records(book: Path, tab: str) -> list[dict[str, object]]:
    return calamine_records(book, tab)


def recurring_lines(book: Path, plan_id: str) -> list[dict[str, object]]:
    """The Invoice Lines rows billed from a plan, in order."""
    return [
        r
        for r in records(book, "Invoice Lines")
        if str(r.get("Source", "")).startswith(f"Recurring {plan_id},")
    ]
