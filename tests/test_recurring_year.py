"""Recurring plans lived through as people use them (issue 16, points 2 and 6): the
scheduled entry point `run.py` run day by day with `--as-of` over a simulated year,
the machine off for stretches, a person pausing a plan, changing a price and typing
time rows between runs; then month ends, 29 February, year end and DST changes.

What each run must bill is worked out in tests/recurring_year_helpers.py without
sheetbill's planner (rrule over the rows as typed, a plain model of the runs); the
workbook is read back with calamine and the state with sheetbill's own reader.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from readback import calamine_records
from recurring_year_helpers import (
    Billed,
    Edit,
    Expected,
    Period,
    Row,
    TypedRow,
    as_date,
    edit_cells,
    everything,
    expect,
    period_label,
    run_py,
    state_path,
    type_rows,
    write_shop,
)

from sheetbill import wiring
from sheetbill.config import find_config
from sheetbill.state import StateDB
from sheetbill.usecases.run import run_billing

D = Decimal
YEAR = [date(2027, 1, 1) + timedelta(days=n) for n in range(365)]
# Every kind of plan the issue names. Plan IDs sort as their rows do.
# fmt: off
YEAR_PLANS: list[Row] = [
    # Weekly on Start's weekday, started before the first run: caught up at once.
    {"Plan ID": "A-WEEK", "Customer ID": "C1", "Description": "Weekly check",
     "Quantity": D(1), "Unit Price": D(50), "Frequency": "weekly",
     "Start": date(2026, 12, 7)},
    # Every 2 weeks on Friday, in arrears, 10 periods.
    {"Plan ID": "B-FORTNIGHT", "Customer ID": "C2", "Description": "Hosting",
     "Quantity": D(1), "Unit Price": D(200), "Frequency": "weekly", "Interval": 2,
     "Day": 5, "Start": date(2027, 1, 1), "Count": 10, "Billing": "in arrears"},
    # Monthly on day 1; its price changes in June.
    {"Plan ID": "C-MONTH1", "Customer ID": "C1", "Description": "Licence",
     "Quantity": D(1), "Unit Price": D(100), "Frequency": "monthly", "Day": "1",
     "Start": date(2027, 1, 1), "Active": "yes"},
    # Monthly on the 31st (a number cell), in arrears.
    {"Plan ID": "D-MONTH31", "Customer ID": "C1", "Description": "Backups",
     "Quantity": D(1), "Unit Price": D(300), "Frequency": "monthly", "Day": 31,
     "Start": date(2027, 1, 15), "Billing": "in arrears"},
    # Monthly on the last day, in German, ending in September.
    {"Plan ID": "E-LAST", "Customer ID": "C5", "Description": "Wartung",
     "Quantity": D(1), "Unit Price": D(80), "Frequency": "monthly", "Day": "last",
     "Start": date(2027, 1, 1), "End": date(2027, 9, 30), "Billing": "in advance"},
    # Every 2 months on the 10th, two items.
    {"Plan ID": "F-BIMONTH", "Customer ID": "C1", "Description": "Audit",
     "Quantity": D(2), "Unit Price": D(400), "Frequency": "monthly", "Interval": 2,
     "Day": "10", "Start": date(2027, 2, 10)},
    # Quarterly in arrears (calendar quarters: "Q1 2027").
    {"Plan ID": "G-QUARTER", "Customer ID": "C2", "Description": "Reporting",
     "Quantity": D(1), "Unit Price": D(900), "Frequency": "quarterly",
     "Start": date(2027, 1, 1), "Billing": "in arrears"},
    # Yearly in advance from mid-March; yearly in arrears started in 2026.
    {"Plan ID": "H-YEAR", "Customer ID": "C1", "Description": "Domain",
     "Quantity": D(1), "Unit Price": D(1200), "Frequency": "yearly",
     "Start": date(2027, 3, 15)},
    {"Plan ID": "I-YEARLATE", "Customer ID": "C1", "Description": "Support year",
     "Quantity": D(1), "Unit Price": D(2400), "Frequency": "yearly",
     "Start": date(2026, 6, 1), "Billing": "in arrears"},
    # Monthly on the 15th, paused from April 20 to July 5.
    {"Plan ID": "J-PAUSED", "Customer ID": "C1", "Description": "Newsletter",
     "Quantity": D(1), "Unit Price": D(60), "Frequency": "monthly", "Day": "15",
     "Start": date(2027, 1, 15)},
    # Every 4 weeks on Wednesday, paused in November for good.
    {"Plan ID": "K-STOPPED", "Customer ID": "C5", "Description": "Reinigung",
     "Quantity": D(1), "Unit Price": D(30), "Frequency": "weekly", "Interval": 4,
     "Day": 3, "Start": date(2027, 1, 6)},
    # A retainer: 10 h a month of project Support, up to 4 h carried over.
    {"Plan ID": "L-RETAINER", "Customer ID": "C4", "Description": "Retainer",
     "Quantity": D(1), "Unit Price": D(1500), "Frequency": "monthly", "Day": "1",
     "Start": date(2027, 1, 1), "Included Hours": D(10), "Project": "Support",
     "Max Rollover Hours": D(4)},
]
# fmt: on
YEAR_EDITS = [
    Edit(date(2027, 4, 20), "J-PAUSED", {"Active": "no"}),
    Edit(date(2027, 6, 10), "C-MONTH1", {"Unit Price": D(120)}),
    Edit(date(2027, 7, 5), "J-PAUSED", {"Active": "yes"}),
    Edit(date(2027, 11, 15), "K-STOPPED", {"Active": "no"}),
]


def machine_off(rng: random.Random, days: Sequence[date]) -> set[date]:
    """3 to 5 stretches of 1 to 60 days the machine is off (never the first or the
    last day, never touching another stretch)."""
    off: set[date] = set()
    for _ in range(rng.randint(3, 5)):
        for _attempt in range(50):
            length = rng.randint(1, 60)
            first = rng.randrange(1, len(days) - length - 1)
            stretch = set(days[first - 1 : first + length + 1])
            if not stretch & off:
                off |= set(days[first : first + length])
                break
    return off


def typed_rows(rng: random.Random, days: Sequence[date]) -> list[TypedRow]:
    """The time rows a person types as the days pass: the retainer's project, some
    typed days late (sometimes after their month was billed), busier in some
    months than others, and now and then another project's."""
    busy = {month: rng.choice((0.05, 0.15, 0.35)) for month in range(1, 13)}
    rows = []
    for day in days:
        if rng.random() < busy[day.month]:
            late = rng.choice((0, 0, 0, 1, 2, 5, 12))
            worked = max(days[0], day - timedelta(days=late))
            hours = D(rng.randint(1, 8)) / 2
            rows.append(TypedRow(day, worked, "C4", "Support", hours))
        if rng.random() < 0.04:
            rows.append(TypedRow(day, day, "C4", "Web", D(rng.randint(1, 6)) / 2))
    return rows


def live_through(
    book: Path,
    days: Sequence[date],
    *,
    off: Collection[date] = (),
    edits: Sequence[Edit] = (),
    typed: Sequence[TypedRow] = (),
    reruns: Collection[date] = (),
    in_own_process: Collection[date] = (),
    plan_rows: dict[str, int],
) -> dict[int, int]:
    """Each day: a person's edits and typing, then (machine on) `run.py` as of
    that day; on `reruns` days once more, which must change no cell and no state.
    Returns each typed row's sheet row."""
    sheet_rows = {}
    for day in days:
        for edit in edits:
            if edit.day == day:
                edit_cells(book, "Recurring", plan_rows[edit.plan_id], edit.values)
        today = [i for i, row in enumerate(typed) if row.typed_on == day]
        if today:
            cells = [typed[i].cells() for i in today]
            sheet_rows.update(
                zip(today, type_rows(book, "Time Log", cells), strict=True)
            )
        if day in off:
            continue
        code, out = run_py(book, day, is_subprocess=day in in_own_process)
        assert code == 0 or _only_late_rows(book, code), f"{day}: exit {code}\n{out}"
        if day in reruns:
            before = everything(book)
            code, out = run_py(book, day, is_subprocess=day in in_own_process)
            assert code == 0 or _only_late_rows(book, code), f"{day} again: {out}"
            assert "No new invoices" in out, out
            assert everything(book) == before, f"the rerun on {day} changed something"
    return sheet_rows


def _only_late_rows(book: Path, code: int) -> bool:
    """Exit 1 with only the warnings on rows typed into a retainer period already
    billed open (they are billed as ordinary time, as the model expects)."""
    shown = calamine_records(book, "Exceptions")
    open_ = [r for r in shown if not r.get("Closed")]
    return code == 1 and all("already billed on" in str(r["Problem"]) for r in open_)


def check_runs(book: Path, expected: Expected, plans: Sequence[Row]) -> Billed:
    """Every plan produced exactly its periods, once each, on the run the model
    says, numbered in the model's order (so in period order per plan, increasing
    by issue date overall), each line naming its period; the state keeps the same
    decisions."""
    billed = Billed.read(book)
    actual = [
        (as_date(invoice["Issue Date"]), billed.what(number))
        for number, invoice in billed.in_number_order()
    ]
    assert actual == expected.issued
    assert all(len(numbers) == 1 for numbers in billed.periods.values())
    languages = {"C5": "de"}
    with StateDB(state_path(book)) as state:
        history = state.recurring_history()
    for plan in plans:
        plan_id = plan["Plan ID"]
        decided = expected.decisions[plan_id]
        records = history.get(plan_id, [])
        assert [(r.start, r.end, r.invoice_no is not None) for r in records] == [
            (d.period.start, d.period.end, d.is_billed) for d in decided
        ], plan_id
        for record, decision in zip(records, decided, strict=True):
            if not decision.is_billed:
                assert (plan_id, record.start) not in billed.periods
                continue
            assert record.unit_price == decision.unit_price, (plan_id, record)
            (number,) = billed.periods[plan_id, record.start]
            assert number == record.invoice_no
            line = billed.lines[number][0]
            label = period_label(
                decision.period, languages.get(plan["Customer ID"], "en")
            )
            assert line["Description"] == f"{plan['Description']}, {label}"
            assert D(str(line["Quantity"])) == plan["Quantity"]
            assert D(str(line["Unit Price"])) == decision.unit_price
    return billed


def check_plan_rows(book: Path, expected: Expected) -> None:
    """Next Date and Last Invoice on each plan row after the last run; one Log row
    for each period skipped while its plan was paused."""
    shown = {r["Plan ID"]: r for r in calamine_records(book, "Recurring")}
    with StateDB(state_path(book)) as state:
        history = state.recurring_history()
    for plan_id, row in expected.rows.items():
        numbers = [r.invoice_no for r in history.get(plan_id, []) if r.invoice_no]
        assert as_date(shown[plan_id]["Next Date"]) == row["Next Date"], plan_id
        assert shown[plan_id]["Last Invoice"] == (numbers[-1] if numbers else "")
    skipped = sorted(
        (d.plan_id, f"{d.period.start} to {d.period.end}")
        for decided in expected.decisions.values()
        for d in decided
        if not d.is_billed
    )
    logged = sorted(
        (str(r["Invoice"]), str(r["Detail"]).partition(":")[0])
        for r in calamine_records(book, "Log")
        if r["Action"] == "period skipped"
    )
    assert logged == skipped


def check_retainer(
    book: Path, expected: Expected, billed: Billed, sheet_rows: dict[int, int]
) -> None:
    """Each retainer period's hours (carried in, used, extra, carried out) in the
    state and on its invoice; each typed row carries the invoice that billed it
    (the retainer's, an ordinary one of the run that first saw it) or none yet."""
    with StateDB(state_path(book)) as state:
        records = {r.start: r for r in state.recurring_history()["L-RETAINER"]}
    for decision in expected.decisions["L-RETAINER"]:
        record = records[decision.period.start]
        assert (
            record.carried_in,
            record.used_hours,
            record.extra_hours,
            record.carried_out,
        ) == (
            decision.carried_in,
            decision.used,
            decision.extra,
            decision.carried_out,
        ), decision.period
        lines = billed.lines[str(record.invoice_no)]
        extra = sum(D(str(x["Quantity"])) for x in lines if x["Unit Price"] == 90)
        included = [x for x in lines[1:] if x["Unit Price"] == 0]
        assert extra == decision.extra
        assert [D(str(x["Quantity"])) for x in included] == [
            decision.used - decision.extra
        ]
    time_log = calamine_records(book, "Time Log")
    for i, fate in expected.row_fate.items():
        shown = time_log[sheet_rows[i] - 2]["Invoice No"]
        if fate is None:
            assert shown == "", (i, shown)
        elif fate[0] == "plan":
            assert shown == billed.periods["L-RETAINER", fate[2]][0], (i, fate)
        else:
            invoice = billed.invoices[str(shown)]
            assert billed.what(str(shown)) == ("time", "C4")
            assert as_date(invoice["Issue Date"]) == fate[1], (i, fate)


def test_a_year_of_daily_runs_with_the_machine_off_bills_every_period_once(
    tmp_path: Path,
) -> None:
    """Issue 16 point 6: `run.py` daily through 2027 with `--as-of`, the machine off
    for 3-5 seeded stretches of 1-60 days; runs in a process of their own on the
    first day, the day after each stretch and the last day (the rest through runpy
    in this one: 300 interpreters would take minutes)."""
    rng = random.Random(2027)
    off = machine_off(rng, YEAR)
    typed = typed_rows(rng, YEAR)
    on = [d for d in YEAR if d not in off]
    after_gaps = {d for d in on if d - timedelta(days=1) in off}
    reruns = {*after_gaps, *on[::40], YEAR[-1], date(2027, 6, 10)} - off
    own = {YEAR[0], *after_gaps, YEAR[-1]}
    book = write_shop(tmp_path / "shop", YEAR_PLANS)
    plan_rows = {p["Plan ID"]: n for n, p in enumerate(YEAR_PLANS, start=2)}
    sheet_rows = live_through(
        book,
        YEAR,
        off=off,
        edits=YEAR_EDITS,
        typed=typed,
        reruns=reruns,
        in_own_process=own,
        plan_rows=plan_rows,
    )
    expected = expect(YEAR_PLANS, on, YEAR_EDITS, typed)
    # The scenario holds what it is meant to: a catch-up, skipped periods, a
    # retainer running over and under its hours, late rows billed as time.
    assert any(
        len({d.run_day for d in v}) < len(v) for v in expected.decisions.values()
    )
    assert any(not d.is_billed for d in expected.decisions["J-PAUSED"])
    retainer = expected.decisions["L-RETAINER"]
    assert any(d.extra for d in retainer) and any(d.carried_out for d in retainer)
    assert any(f and f[0] == "time" for f in expected.row_fate.values())
    billed = check_runs(book, expected, YEAR_PLANS)
    check_plan_rows(book, expected)
    check_retainer(book, expected, billed, sheet_rows)


# fmt: off
LEAP_PLANS: list[Row] = [
    {"Plan ID": "M29", "Customer ID": "C1", "Description": "On the 29th",
     "Quantity": D(1), "Unit Price": D(10), "Frequency": "monthly", "Day": "29",
     "Start": date(2028, 1, 29)},
    {"Plan ID": "M30", "Customer ID": "C1", "Description": "On the 30th",
     "Quantity": D(1), "Unit Price": D(10), "Frequency": "monthly", "Day": "30",
     "Start": date(2028, 1, 30), "Billing": "in arrears"},
    {"Plan ID": "M31", "Customer ID": "C5", "Description": "Am 31.",
     "Quantity": D(1), "Unit Price": D(10), "Frequency": "monthly", "Day": "31",
     "Start": date(2028, 1, 31)},
    {"Plan ID": "MLAST", "Customer ID": "C1", "Description": "Month end",
     "Quantity": D(1), "Unit Price": D(10), "Frequency": "monthly", "Day": "last",
     "Start": date(2028, 1, 1), "Billing": "in arrears"},
    {"Plan ID": "WTUE", "Customer ID": "C1", "Description": "Tuesdays",
     "Quantity": D(1), "Unit Price": D(10), "Frequency": "weekly", "Day": 2,
     "Start": date(2028, 2, 1), "Interval": 2},
    {"Plan ID": "YLEAP", "Customer ID": "C1", "Description": "Leap year",
     "Quantity": D(1), "Unit Price": D(10), "Frequency": "yearly",
     "Start": date(2028, 2, 29), "Count": 3},
]
# fmt: on


def test_daily_runs_across_february_2028_bill_the_29th_once(tmp_path: Path) -> None:
    """The second, shorter run: 2028-01-25 to 2028-03-05 daily, off Feb 10-14."""
    days = [date(2028, 1, 25) + timedelta(days=n) for n in range(41)]
    off = {date(2028, 2, n) for n in range(10, 15)}
    on = [d for d in days if d not in off]
    book = write_shop(tmp_path / "shop", LEAP_PLANS)
    plan_rows = {p["Plan ID"]: n for n, p in enumerate(LEAP_PLANS, start=2)}
    live_through(
        book,
        days,
        off=off,
        reruns={date(2028, 2, 29)},
        in_own_process={date(2028, 2, 29)},
        plan_rows=plan_rows,
    )
    expected = expect(LEAP_PLANS, on)
    check_runs(book, expected, LEAP_PLANS)
    check_plan_rows(book, expected)
    starts = {(p, d.period.start) for p, v in expected.decisions.items() for d in v}
    assert {("M29", date(2028, 2, 29)), ("M31", date(2028, 2, 29))} <= starts
    assert ("YLEAP", date(2028, 2, 29)) in starts


def _billed_periods(book: Path, plan_id: str) -> list[tuple[date, date]]:
    with StateDB(state_path(book)) as state:
        return [(r.start, r.end) for r in state.recurring_history().get(plan_id, [])]


def test_monthly_on_the_31st_from_january_31_2028_through_whole_runs(
    tmp_path: Path,
) -> None:
    """Feb 29, Mar 31, Apr 30: each billed on its own day, not a day before."""
    plan = {**LEAP_PLANS[2], "Plan ID": "P31", "Customer ID": "C1"}
    book = write_shop(tmp_path / "shop", [plan])
    steps = [
        ("2028-01-31", [("2028-01-31", "2028-02-28")]),
        ("2028-02-28", []),
        ("2028-02-29", [("2028-02-29", "2028-03-30")]),
        ("2028-03-30", []),
        ("2028-03-31", [("2028-03-31", "2028-04-29")]),
        ("2028-04-29", []),
        ("2028-04-30", [("2028-04-30", "2028-05-30")]),
    ]
    so_far: list[tuple[date, date]] = []
    for day, new in steps:
        assert run_py(book, date.fromisoformat(day), is_subprocess=False)[0] == 0
        so_far += [(date.fromisoformat(a), date.fromisoformat(b)) for a, b in new]
        assert _billed_periods(book, "P31") == so_far, day
    lines = [r["Description"] for r in calamine_records(book, "Invoice Lines")]
    assert lines == [
        f"Am 31., {period_label(Period(start, end, start), 'en')}"
        for start, end in so_far
    ]


def test_yearly_from_february_29_falls_on_the_28th_until_the_next_leap_year(
    tmp_path: Path,
) -> None:
    plan = {**LEAP_PLANS[5], "Count": None, "Plan ID": "Y29"}
    book = write_shop(tmp_path / "shop", [plan])
    for day, count in [
        ("2028-02-29", 1),
        ("2029-02-27", 1),
        ("2029-02-28", 2),
        ("2032-02-28", 4),
        ("2032-02-29", 5),
    ]:
        assert run_py(book, date.fromisoformat(day), is_subprocess=False)[0] == 0
        assert len(_billed_periods(book, "Y29")) == count, day
    assert [s for s, _ in _billed_periods(book, "Y29")] == [
        date(2028, 2, 29),
        date(2029, 2, 28),
        date(2030, 2, 28),
        date(2031, 2, 28),
        date(2032, 2, 29),
    ]
    issued = [
        (r["Invoice No"], as_date(r["Issue Date"]))
        for r in calamine_records(book, "Invoices")
    ]
    assert issued == [
        ("INV-2028-0001", date(2028, 2, 29)),
        ("INV-2029-0001", date(2029, 2, 28)),
        ("INV-2032-0001", date(2032, 2, 28)),
        ("INV-2032-0002", date(2032, 2, 28)),
        ("INV-2032-0003", date(2032, 2, 29)),
    ]


def test_a_run_on_december_31_then_january_1_bills_the_year_end_periods_once(
    tmp_path: Path,
) -> None:
    """The year's last periods in arrears are billed on January 1 under the new
    year's numbers, in (bill date, Plan ID) order, each naming the old year."""
    plans = [
        {
            "Plan ID": "A",
            "Customer ID": "C1",
            "Description": "Yearly",
            "Quantity": D(1),
            "Unit Price": D(1),
            "Frequency": "yearly",
            "Start": date(2027, 1, 1),
            "Billing": "in arrears",
        },
        {
            "Plan ID": "B",
            "Customer ID": "C1",
            "Description": "Quarterly",
            "Quantity": D(1),
            "Unit Price": D(1),
            "Frequency": "quarterly",
            "Start": date(2027, 10, 1),
            "Billing": "in arrears",
        },
        {
            "Plan ID": "C",
            "Customer ID": "C1",
            "Description": "Monthly",
            "Quantity": D(1),
            "Unit Price": D(1),
            "Frequency": "monthly",
            "Start": date(2027, 12, 1),
            "Billing": "in arrears",
        },
        {
            "Plan ID": "D",
            "Customer ID": "C1",
            "Description": "Ahead",
            "Quantity": D(1),
            "Unit Price": D(1),
            "Frequency": "monthly",
            "Start": date(2027, 12, 1),
        },
    ]
    book = write_shop(tmp_path / "shop", plans)
    for day, count in [
        ("2027-12-30", 1), ("2027-12-31", 1), ("2028-01-01", 5), ("2028-01-02", 5)
    ]:  # fmt: skip
        assert run_py(book, date.fromisoformat(day), is_subprocess=False)[0] == 0
        assert len(calamine_records(book, "Invoices")) == count, day
    issued = {
        str(r["Invoice No"]): as_date(r["Issue Date"])
        for r in calamine_records(book, "Invoices")
    }
    assert issued["INV-2027-0001"] == date(2027, 12, 30)
    assert {issued[f"INV-2028-000{n}"] for n in range(1, 5)} == {date(2028, 1, 1)}
    lines = {
        str(r["Invoice No"]): str(r["Description"])
        for r in calamine_records(book, "Invoice Lines")
    }
    assert lines == {
        "INV-2027-0001": "Ahead, December 2027",
        "INV-2028-0001": "Yearly, 2027",
        "INV-2028-0002": "Quarterly, Q4 2027",
        "INV-2028-0003": "Monthly, December 2027",
        "INV-2028-0004": "Ahead, January 2028",
    }


# --- DST: a run's date is the Settings zone's, at whatever hour it runs -----------

DST_CHANGES = [
    ("Europe/Berlin", date(2027, 3, 28)),
    ("Europe/Berlin", date(2027, 10, 31)),
    ("America/New_York", date(2027, 3, 14)),
    ("America/New_York", date(2027, 11, 7)),
]


def run_at(book: Path, local: datetime) -> str:
    """A real run (no --as-of) whose clock reads `local` (the shop's wall clock)."""
    config = find_config(None, str(book))
    workbook, state = wiring.open_workbook(config, str(book))
    instant = local.astimezone(UTC)
    result = run_billing(
        workbook,
        config,
        state_path=state,
        as_of=None,
        is_dry_run=False,
        mailer=wiring.mailer(config, book.parent),
        now=lambda: instant,
    )
    assert result.exit_code == 0, result
    return instant.date().isoformat()


@pytest.mark.parametrize(("zone", "change"), DST_CHANGES)
def test_a_run_at_half_past_midnight_on_a_dst_change_bills_that_days_period(
    tmp_path: Path, zone: str, change: date
) -> None:
    """A run at 23:30 the day before bills nothing (in New York it is already the
    day of the change in UTC); one at 00:30 on the day (in Berlin still the day
    before in UTC) bills the period starting that day and the one that ended the
    day before, once: a run at 03:30, after the change, adds nothing."""
    plans = [
        {
            "Plan ID": "AHEAD",
            "Customer ID": "C1",
            "Description": "Weekly",
            "Quantity": D(1),
            "Unit Price": D(1),
            "Frequency": "weekly",
            "Start": change,
        },
        {
            "Plan ID": "AFTER",
            "Customer ID": "C1",
            "Description": "Week before",
            "Quantity": D(1),
            "Unit Price": D(1),
            "Frequency": "weekly",
            "Start": change - timedelta(days=7),
            "Billing": "in arrears",
        },
    ]
    book = write_shop(tmp_path / "shop", plans, timezone=zone)
    tz = ZoneInfo(zone)
    eve = datetime.combine(change - timedelta(days=1), datetime.min.time(), tz)
    run_at(book, eve.replace(hour=23, minute=30))
    assert _billed_periods(book, "AHEAD") == _billed_periods(book, "AFTER") == []
    run_at(book, eve.replace(hour=23, minute=30) + timedelta(hours=1))
    invoices = calamine_records(book, "Invoices")
    assert [as_date(r["Issue Date"]) for r in invoices] == [change, change]
    assert _billed_periods(book, "AHEAD") == [(change, change + timedelta(days=6))]
    assert _billed_periods(book, "AFTER") == [
        (change - timedelta(days=7), change - timedelta(days=1))
    ]
    before = everything(book)
    run_at(book, eve.replace(hour=3, minute=30) + timedelta(days=1))
    assert everything(book) == before


def test_the_model_schedules_as_the_issue_words_it() -> None:
    """The expectation's own schedule, against dates worked out by hand."""
    from recurring_year_helpers import periods

    assert periods(LEAP_PLANS[2], until=date(2028, 4, 30)) == [
        Period(date(2028, 1, 31), date(2028, 2, 28), date(2028, 1, 31)),
        Period(date(2028, 2, 29), date(2028, 3, 30), date(2028, 2, 29)),
        Period(date(2028, 3, 31), date(2028, 4, 29), date(2028, 3, 31)),
        Period(date(2028, 4, 30), date(2028, 5, 30), date(2028, 4, 30)),
    ]
    quarterly = periods(YEAR_PLANS[6], until=date(2027, 12, 31))
    assert [p.bill_on for p in quarterly] == [
        date(2027, 4, 1),
        date(2027, 7, 1),
        date(2027, 10, 1),
        date(2028, 1, 1),
    ]
    fortnight = periods(YEAR_PLANS[1], until=date(2028, 12, 31))
    assert len(fortnight) == 10 and fortnight[0].start == date(2027, 1, 1)
    assert fortnight[-1].bill_on == date(2027, 5, 21)
