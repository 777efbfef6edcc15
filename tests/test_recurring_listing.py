"""The recurring plans in a run's summary (issue 16, point 5): each period a run
billed or skipped — a dry run up to its --as-of date: what the plans would create and
on which day — with its plan, customer, period, due day, invoice and total; plans
removed; a long catch-up kept readable; and the `recurring` array of `--json`.

The results are built by hand as a run hands them over (`RunResult.recurring`), then
printed by the same functions the CLI calls.
"""

from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rich.console import Console

from sheetbill.cli import main
from sheetbill.domain.sheet import WorkbookChanges
from sheetbill.recurring_views import (
    PERIODS_FIRST,
    PERIODS_LAST,
    PERIODS_SHOWN,
    PLANS_SHOWN,
    recurring_summary,
)
from sheetbill.usecases.results import RecurringLine, RunResult
from sheetbill.views import print_run, run_json

from helpers import (
    CUSTOMER_HEADERS,
    ORDER_HEADERS,
    RATE_HEADERS,
    SETTINGS_ROWS,
    TIME_HEADERS,
    write_xlsx,
)

D = Decimal
AS_OF = date(2026, 12, 1)


def _billed(
    plan_id: str,
    start: date,
    number: int,
    *,
    customer: str = "C1",
    label: str = "",
    total: str = "1,190.00 EUR",
    months: int = 1,
) -> RecurringLine:
    end = start + relativedelta(months=months) - timedelta(days=1)
    return RecurringLine(
        "billed",
        plan_id,
        customer,
        start,
        end,
        start,
        label or f"Retainer, {start:%B %Y}",
        f"INV-2026-{number:04d}",
        total,
    )


def _skipped(plan_id: str, start: date, *, customer: str = "C2") -> RecurringLine:
    end = start + relativedelta(months=1) - timedelta(days=1)
    return RecurringLine(
        "skipped", plan_id, customer, start, end, start, f"Hosting, {start:%B %Y}"
    )


def _removed(plan_id: str, last: str = "") -> RecurringLine:
    return RecurringLine("removed", plan_id, "", None, None, None, invoice=last)


def _result(lines: tuple[RecurringLine, ...], *, is_dry_run: bool = True) -> RunResult:
    return RunResult(
        "shop.xlsx",
        AS_OF,
        "20261201-070000-ab12",
        is_dry_run,
        (),
        (),
        (),
        WorkbookChanges(),
        recurring=lines,
    )


def _printed(result: RunResult, width: int = 100) -> str:
    out = io.StringIO()
    print_run(Console(file=out, width=width, soft_wrap=True), result)
    return out.getvalue()


def test_dry_run_lists_each_period_the_plans_would_bill_up_to_its_date():
    """Plan, customer, due day, the invoice number it would take, its total and its
    period, one line each, in the run's numbering order."""
    result = _result(
        (
            _billed("P-001", date(2026, 10, 1), 1),
            _billed("P-001", date(2026, 11, 1), 2),
            _billed("P-002", date(2026, 11, 15), 3, customer="C22", total="90.00 EUR"),
        )
    )
    text = _printed(result)
    assert "Recurring plans up to 2026-12-01: 3 periods would be billed:" in text
    lines = [line for line in text.splitlines() if line.startswith("  P-")]
    assert [line.split()[:5] for line in lines] == [
        ["P-001", "C1", "on", "2026-10-01", "INV-2026-0001"],
        ["P-001", "C1", "on", "2026-11-01", "INV-2026-0002"],
        ["P-002", "C22", "on", "2026-11-15", "INV-2026-0003"],
    ]
    assert lines[0].endswith("1,190.00 EUR  Retainer, October 2026")
    assert lines[2].endswith("90.00 EUR  Retainer, November 2026")
    # Columns line up: every invoice number starts at the same place.
    assert len({line.index("INV-") for line in lines}) == 1


def test_a_real_run_says_billed_without_would_or_a_date_range():
    result = _result((_billed("P-001", date(2026, 11, 1), 7),), is_dry_run=False)
    text = _printed(result)
    assert "Recurring plans: 1 period billed:" in text
    assert "would" not in text.split("Recurring plans")[1].splitlines()[0]


def test_skipped_periods_and_removed_plans_are_said_in_words():
    result = _result(
        (
            _billed("P-001", date(2026, 11, 1), 1),
            _skipped("P-002", date(2026, 11, 1)),
            _removed("P-003", "INV-2026-0000"),
        )
    )
    text = _printed(result)
    assert (
        "Recurring plans up to 2026-12-01: 1 period would be billed, 1 period would "
        "be skipped (the plan is paused: Active = no), 1 plan removed:"
    ) in text
    skipped = next(line for line in text.splitlines() if "P-002" in line)
    assert "on 2026-11-01" in skipped and "skipped" in skipped
    assert "INV-" not in skipped and "EUR" not in skipped
    assert skipped.endswith("Hosting, November 2026")
    removed = next(line for line in text.splitlines() if "P-003" in line)
    assert "removed from the Recurring tab: it bills no more" in removed
    assert removed.endswith("Its last invoice: INV-2026-0000.")


def test_a_skipped_period_without_its_due_day_or_label_keeps_the_columns():
    """A skipped period as the run hands it over: its dates, no bill day, no
    label; the invoice column stays where the billed lines have it."""
    skipped = RecurringLine(
        "skipped", "P-002", "C1", date(2026, 11, 1), date(2026, 11, 30), None
    )
    lines = recurring_summary(
        [_billed("P-001", date(2026, 11, 1), 1), skipped], is_dry_run=True, today=AS_OF
    )
    assert lines[2].index("skipped") == lines[1].index("INV-")
    assert lines[2].endswith("2026-11-01 to 2026-11-30")


def test_a_catch_up_says_its_invoices_are_dated_the_runs_day():
    """The periods' days are when a daily run bills them; a run after that day
    bills them then, dated that day: the summary says so once, and only then."""
    late = (_billed("P-001", date(2026, 10, 1), 1),)
    on_time = (_billed("P-001", AS_OF, 1),)
    note = "Periods whose day had passed would be billed in this run"
    assert note in _printed(_result(late))
    assert "their invoices would be dated 2026-12-01, each naming its period." in (
        _printed(_result(late))
    )
    assert note not in _printed(_result(on_time))
    assert "their invoices are dated 2026-12-01" in _printed(
        _result(late, is_dry_run=False)
    )


def test_a_period_without_a_label_shows_its_dates():
    line = RecurringLine(
        "billed",
        "P-001",
        "C1",
        date(2026, 11, 15),
        date(2026, 12, 14),
        date(2026, 12, 15),
        "",
        "INV-2026-0001",
        "5.00 EUR",
    )
    (_, shown) = recurring_summary([line], is_dry_run=True, today=AS_OF)
    assert shown.endswith("2026-11-15 to 2026-12-14")
    assert "on 2026-12-15" in shown


def test_text_from_cells_cannot_steer_the_terminal():
    """Plan ID, Customer ID and Description come from cells: an escape sequence is
    written out, never obeyed; rich markup in them is printed as typed."""
    line = _billed("P-\x1b[31m1", date(2026, 11, 1), 1, label="[bold]Care\x1b[0m")
    text = _printed(_result((line,)))
    assert "\x1b" not in text
    assert "P-\\x1b[31m1" in text and "[bold]Care\\x1b[0m" in text


def test_a_long_catch_up_shows_each_plans_first_and_last_periods_and_counts_the_rest():
    """Three years off: 36 monthly periods of one plan are 3 + 2 lines and one that
    counts the 31 between, with their due days and invoice numbers; a plan with
    few periods beside it is listed whole."""
    start = date(2023, 12, 1)
    many = tuple(
        _billed("P-001", start + relativedelta(months=i), i + 1) for i in range(36)
    )
    few = (_billed("P-002", date(2026, 11, 1), 37, customer="C2"),)
    text = _printed(_result(many + few))
    assert "Recurring plans up to 2026-12-01: 37 periods would be billed:" in text
    p1 = [line for line in text.splitlines() if "P-001" in line]
    assert len(p1) == PERIODS_FIRST + 1 + PERIODS_LAST
    assert [line.split()[4] for line in p1[:PERIODS_FIRST]] == [
        "INV-2026-0001",
        "INV-2026-0002",
        "INV-2026-0003",
    ]
    assert p1[PERIODS_FIRST] == (
        "  ... 31 more periods of P-001: on days 2024-03-01 to 2026-09-01, on "
        "invoices INV-2026-0004 ... INV-2026-0034 (other plans' invoices may come "
        "between) (see --json)"
    )
    assert [line.split()[4] for line in p1[-PERIODS_LAST:]] == [
        "INV-2026-0035",
        "INV-2026-0036",
    ]
    assert sum("P-002" in line for line in text.splitlines()) == 1


def test_more_plans_than_shown_are_counted_and_all_are_in_json():
    lines = tuple(
        _billed(f"P-{i:03d}", date(2026, 11, 1), i) for i in range(1, PLANS_SHOWN + 6)
    )
    result = _result(lines)
    text = _printed(result)
    assert f"P-{PLANS_SHOWN:03d}" in text and f"P-{PLANS_SHOWN + 1:03d}" not in text
    assert "... and 5 more plans (5 lines; see --json)" in text
    assert len(json.loads(run_json(result))["recurring"]) == PLANS_SHOWN + 5


@settings(max_examples=80, deadline=None)
@example(counts=[1] * (PLANS_SHOWN + 1), skipped_every=0)
@given(
    counts=st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=40),
    skipped_every=st.integers(min_value=0, max_value=5),
)
def test_every_period_is_listed_or_counted_once_and_no_plan_takes_many_lines(
    counts, skipped_every
):
    """Whatever the catch-up: a plan takes at most PERIODS_SHOWN lines, and
    the periods listed plus those counted are the plan's periods."""
    lines = []
    number = 0
    for plan, count in enumerate(counts):
        for i in range(count):
            start = date(2024, 1, 1) + relativedelta(months=i)
            if skipped_every and i % skipped_every == 0:
                lines.append(_skipped(f"P-{plan:03d}", start))
            else:
                number += 1
                lines.append(_billed(f"P-{plan:03d}", start, number))
    text = recurring_summary(lines, is_dry_run=True, today=AS_OF)
    for plan, count in enumerate(counts[:PLANS_SHOWN]):
        mine = [t for t in text[1:] if re.search(rf"\bP-{plan:03d}\b", t)]
        assert len(mine) <= PERIODS_SHOWN
        counted = re.search(r"\.\.\. (\d+) more periods? of", " ".join(mine))
        listed = sum(" on 20" in t for t in mine if "more period" not in t)
        assert listed + (int(counted[1]) if counted else 0) == count
    hidden = sum(counts[PLANS_SHOWN:])
    more = [t for t in text if t.startswith("  ... and ")]
    if hidden:
        assert len(more) == 1
        assert more[0].startswith(f"  ... and {len(counts) - PLANS_SHOWN} more plan")
        assert f"({hidden} line" in more[0]
    else:
        assert not more


def test_no_recurring_lines_print_nothing():
    assert "Recurring" not in _printed(_result(()))


# -- --json ---------------------------------------------------------------------------

# The `recurring` array's items: each key and the JSON types its value may have.
RECURRING_SCHEMA: dict[str, tuple[type, ...]] = {
    "action": (str,),
    "plan_id": (str,),
    "customer_id": (str,),
    "start": (str, type(None)),
    "end": (str, type(None)),
    "bill_on": (str, type(None)),
    "label": (str,),
    "invoice": (str, type(None)),
    "total": (str, type(None)),
}


def _conforms(item: dict[str, Any]) -> None:
    assert set(item) == set(RECURRING_SCHEMA)
    for key, types in RECURRING_SCHEMA.items():
        assert isinstance(item[key], types), (key, item[key])
    assert item["action"] in ("billed", "skipped", "removed", "back")
    for key in ("start", "end", "bill_on"):
        if item[key] is not None:
            date.fromisoformat(item[key])


def test_json_recurring_has_every_line_with_its_dates_invoice_and_total():
    result = _result(
        (
            _billed("P-001", date(2026, 11, 1), 1),
            _skipped("P-002", date(2026, 11, 1)),
            _removed("P-003", "INV-2026-0000"),
        )
    )
    recurring = json.loads(run_json(result))["recurring"]
    for item in recurring:
        _conforms(item)
    assert recurring == [
        {
            "action": "billed",
            "plan_id": "P-001",
            "customer_id": "C1",
            "start": "2026-11-01",
            "end": "2026-11-30",
            "bill_on": "2026-11-01",
            "label": "Retainer, November 2026",
            "invoice": "INV-2026-0001",
            "total": "1,190.00 EUR",
        },
        {
            "action": "skipped",
            "plan_id": "P-002",
            "customer_id": "C2",
            "start": "2026-11-01",
            "end": "2026-11-30",
            "bill_on": "2026-11-01",
            "label": "Hosting, November 2026",
            "invoice": None,
            "total": None,
        },
        {
            "action": "removed",
            "plan_id": "P-003",
            "customer_id": "",
            "start": None,
            "end": None,
            "bill_on": None,
            "label": "",
            "invoice": "INV-2026-0000",
            "total": None,
        },
    ]


def test_a_run_of_a_workbook_without_plans_has_an_empty_recurring_array(
    tmp_path, capsys
):
    book = write_xlsx(
        tmp_path / "shop.xlsx",
        {
            "Settings": [["Key", "Value"], *SETTINGS_ROWS],
            "Customers": [CUSTOMER_HEADERS, ["C1", "Alpha GmbH", "a@x.example"]],
            "Rates": [RATE_HEADERS],
            "Time Log": [TIME_HEADERS],
            "Orders": [ORDER_HEADERS, [date(2026, 11, 3), "C1", "Box", D(1), D(5)]],
        },
    )
    main(["run", str(book), "--dry-run", "--as-of", "2026-11-05", "--json"])
    assert json.loads(capsys.readouterr().out)["recurring"] == []
    main(["run", str(book), "--dry-run", "--as-of", "2026-11-05"])
    assert "Recurring" not in capsys.readouterr().out
