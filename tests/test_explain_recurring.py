"""`sheetbill explain P-001 [WORKBOOK]` (issue 16, point 5): a recurring plan's terms
as its row says now, each period decided in order — billed on which invoice (its
issue date and total), or skipped while paused, a retainer's hours — whether the row
is removed, and what comes next.

Each test writes a real .xlsx with a Recurring tab (openpyxl, as a person's program
saves it) and a real state database as a run leaves it (`StateDB.record_pending`
with the periods the invoices bill, `record_plan_decisions`, `mark_written`), then
runs the command as a user does: `main([...])` in-process, and once the installed
program.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from paths import ROOT
from recurring_helpers import SETTINGS, customer, plans
from test_explain import readme_explain_command

from sheetbill.cli import main
from sheetbill.domain.model import (
    Counters,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    SourceRow,
    TaxBreakdown,
    TaxMode,
)
from sheetbill.domain.recurring import PeriodRecord, Plan, period_key, schedule
from sheetbill.domain.schema import RecurringColumns as R
from sheetbill.state import StateDB
from sheetbill.state.recurring import period_intent
from sheetbill.usecases.explain_plan import PlanBook, explain_plan

from helpers import CUSTOMER_HEADERS, SETTINGS_ROWS, write_xlsx

D = Decimal
RUN = "20261001-080005-ab12"
MADE = datetime(2026, 10, 1, 7, 0, 5, tzinfo=UTC)
RECURRING_HEADERS = [
    R.PLAN_ID,
    R.CUSTOMER_ID,
    R.DESCRIPTION,
    R.QUANTITY,
    R.UNIT_PRICE,
    R.FREQUENCY,
    R.INTERVAL,
    R.DAY,
    R.START,
    R.END,
    R.COUNT,
    R.BILLING,
    R.INCLUDED_HOURS,
    R.PROJECT,
    R.MAX_ROLLOVER_HOURS,
    R.AUTO_SEND,
    R.ACTIVE,
    R.NEXT_DATE,
    R.LAST_INVOICE,
]


def plan_row(
    plan_id: str = "P-001",
    *,
    customer: str = "C1",
    description: str = "Maintenance",
    price: Decimal = D(1000),
    frequency: str = "monthly",
    interval: int | None = None,
    day: Any = 1,
    start: date = date(2026, 9, 1),
    end: date | None = None,
    count: int | None = None,
    billing: str | None = "in advance",
    included: Decimal | None = None,
    project: str | None = None,
    rollover: Decimal | None = None,
    active: str = "yes",
) -> list[Any]:
    return [
        plan_id,
        customer,
        description,
        D(1),
        price,
        frequency,
        interval,
        day,
        start,
        end,
        count,
        billing,
        included,
        project,
        rollover,
        None,
        active,
        None,
        None,
    ]


def workbook(path: Path, *plans: Sequence[Any]) -> Path:
    return write_xlsx(
        path,
        {
            "Settings": [["Key", "Value"], *SETTINGS_ROWS],
            "Customers": [CUSTOMER_HEADERS, ["C1", "Alpha GmbH", "a@alpha.example"]],
            "Recurring": [RECURRING_HEADERS, *plans],
        },
    )


def state_of(book: Path) -> Path:
    return book.with_name(book.stem + ".sheetbill.sqlite")


def recurring_invoice(
    number: str, plan_id: str, start: date, label: str, *, row: int = 2
) -> Invoice:
    """A recurring invoice as the run makes it: the plan's line, its source the
    plan's row and period key."""
    source = SourceRow("Recurring", row, period_key(plan_id, start), "fp")
    line = InvoiceLine(
        1, label, D(1), "item", D(1000), D(19), D(1000), D(190), D(1190), (source,)
    )
    return Invoice(
        number=number,
        kind=InvoiceKind.INVOICE,
        customer_id="C1",
        customer_name="Alpha GmbH",
        currency="EUR",
        issue_date=start,
        due_date=start.replace(day=15),
        tax_mode=TaxMode.EXCLUSIVE,
        lines=(line,),
        net=D(1000),
        tax=D(190),
        total=D(1190),
        breakdown=(TaxBreakdown(D(19), D(1000), D(190)),),
        work_complete=None,
    )


def month_end(start: date) -> date:
    following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def bill(
    book: Path,
    plan_id: str,
    starts: Sequence[date],
    *,
    first: int = 1,
    is_written: bool = True,
    hours: dict[str, Decimal] | None = None,
) -> list[str]:
    """Bill the periods starting on `starts` as one run does: their invoices and
    periods recorded in one transaction, then (unless the run stopped) written."""
    invoices, periods = [], []
    for offset, start in enumerate(starts):
        number = f"INV-2026-{first + offset:04d}"
        invoices.append(
            recurring_invoice(number, plan_id, start, f"Maintenance, {start:%B %Y}")
        )
        periods.append(
            PeriodRecord(
                plan_id,
                start,
                month_end(start),
                number,
                unit_price=D(1000),
                **(hours or {}),
            )
        )
    with StateDB(state_of(book)) as state:
        state.record_pending(
            invoices,
            after=Counters({"INV-2026": first + len(starts) - 1}, 0),
            expected=state.counters(),
            run_id=RUN,
            now=MADE,
            periods=periods,
        )
        if is_written:
            state.mark_written([i.number for i in invoices], run_id=RUN, now=MADE)
    return [i.number for i in invoices]


def skip(book: Path, plan_id: str, start: date) -> None:
    with StateDB(state_of(book)) as state:
        state.record_plan_decisions(
            [period_intent(PeriodRecord(plan_id, start, month_end(start), None))],
            run_id=RUN,
            now=MADE,
        )


def explained(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["explain", *args])
    out, err = capsys.readouterr()
    return code, out, err


def explained_json(capsys, *args: str) -> dict[str, Any]:
    code, out, err = explained(capsys, *args, "--json")
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """P-001, monthly on the 1st in advance since September 2026: September and
    October billed, November skipped (the plan was paused then; active again)."""
    book = workbook(tmp_path / "shop.xlsx", plan_row())
    bill(book, "P-001", [date(2026, 9, 1), date(2026, 10, 1)])
    skip(book, "P-001", date(2026, 11, 1))
    return book


# --- a plan's story -------------------------------------------------------------------


def test_explain_a_plan_tells_its_terms_each_period_decided_and_the_next(shop, capsys):
    code, out, err = explained(capsys, "P-001", str(shop), "--as-of", "2026-11-20")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "P-001: recurring plan of C1 Alpha GmbH, Recurring tab row 2"
    assert (
        "  Maintenance: 1 x 1,000.00 EUR per period, monthly on day 1, billed in "
        "advance"
    ) in lines
    assert "  From 2026-09-01, no end" in lines
    assert "  Active: yes; Auto Send: as Settings' Send Invoices says" in lines
    decided = lines[lines.index("3 periods decided:") + 1 :][:3]
    assert decided == [
        "  2026-09-01 to 2026-09-30  INV-2026-0001  issued 2026-09-01  1,190.00 EUR  "
        "Maintenance, September 2026",
        "  2026-10-01 to 2026-10-31  INV-2026-0002  issued 2026-10-01  1,190.00 EUR  "
        "Maintenance, October 2026",
        "  2026-11-01 to 2026-11-30  skipped: the plan was paused (Active = no)",
    ]
    assert "Periods whose day has come" not in out
    assert lines[-1] == (
        "Next: the next period, December 2026 (2026-12-01 to 2026-12-31), is billed "
        "on 2026-12-01."
    )


def test_explain_lists_the_periods_due_that_the_next_run_bills(shop, capsys):
    """The machine was off: as of 2027-02-10, December to February are due."""
    code, out, _ = explained(capsys, "P-001", str(shop), "--as-of", "2027-02-10")
    assert code == 0
    lines = out.splitlines()
    heading = "Periods whose day has come by 2027-02-10, for the next run:"
    due = lines[lines.index(heading) + 1 :][:3]
    assert due == [
        "  2026-12-01 to 2026-12-31  on 2026-12-01  December 2026",
        "  2027-01-01 to 2027-01-31  on 2027-01-01  January 2027",
        "  2027-02-01 to 2027-02-28  on 2027-02-01  February 2027",
    ]
    assert lines[-1] == (
        "Next: the next run bills the 3 periods whose day has come by 2027-02-10 "
        "(listed above), one invoice each, in period order; the next period, March "
        "2027 (2027-03-01 to 2027-03-31), is billed on 2027-03-01."
    )


def test_explain_a_paused_plan_says_its_periods_are_skipped(tmp_path, capsys):
    book = workbook(tmp_path / "shop.xlsx", plan_row(active="no"))
    bill(book, "P-001", [date(2026, 9, 1)])
    code, out, _ = explained(capsys, "P-001", str(book), "--as-of", "2026-10-05")
    assert code == 0
    assert "  Active: no (paused); Auto Send: as Settings' Send Invoices says" in out
    assert (
        "  2026-10-01 to 2026-10-31  on 2026-10-01  October 2026  skipped: the plan "
        "is paused"
    ) in out
    assert out.splitlines()[-1] == (
        "Next: the plan is paused (Active = no): the next run records the period "
        "whose day has come by 2026-10-05 (listed above) as skipped, never billed "
        "later; the next period, November 2026 (2026-11-01 to 2026-11-30), on "
        "2026-11-01, is skipped unless Active says yes by then."
    )


def test_explain_a_plan_that_has_ended_says_so(tmp_path, capsys):
    book = workbook(tmp_path / "shop.xlsx", plan_row(count=2))
    bill(book, "P-001", [date(2026, 9, 1), date(2026, 10, 1)])
    code, out, _ = explained(capsys, "P-001", str(book), "--as-of", "2027-01-01")
    assert code == 0
    assert "  From 2026-09-01, 2 periods at most" in out
    assert out.splitlines()[-1] == "Next: the plan has ended: no period is left."


def test_explain_a_retainer_shows_each_periods_hours(tmp_path, capsys):
    book = workbook(
        tmp_path / "shop.xlsx",
        plan_row(billing="in arrears", included=D(10), project="Web", rollover=D(5)),
    )
    bill(
        book,
        "P-001",
        [date(2026, 9, 1)],
        hours={
            "included_hours": D(10),
            "carried_in": D(0),
            "used_hours": D("12.5"),
            "extra_hours": D("2.5"),
            "carried_out": D(0),
        },
    )
    code, out, _ = explained(capsys, "P-001", str(book), "--as-of", "2026-10-15")
    assert code == 0
    assert (
        "  Retainer: 10 h included per period (project Web's time), unused hours "
        "carried over, up to 5 h"
    ) in out
    assert (
        "                            10 h included, 0 h carried in, 12.5 h used, "
        "2.5 h extra, 0 h carried over"
    ) in out.splitlines()
    assert "billed in arrears" in out
    # In arrears: October is billed on the day after it.
    assert out.splitlines()[-1].endswith("is billed on 2026-11-01.")


def test_explain_a_period_whose_invoice_a_stopped_run_left_says_being_made(
    tmp_path, capsys
):
    book = workbook(tmp_path / "shop.xlsx", plan_row())
    bill(book, "P-001", [date(2026, 9, 1)])
    bill(book, "P-001", [date(2026, 10, 1)], first=2, is_written=False)
    code, out, _ = explained(capsys, "P-001", str(book), "--as-of", "2026-10-02")
    assert code == 0
    assert (
        "  2026-10-01 to 2026-10-31  INV-2026-0002 (being made: a run stopped before "
        "writing it; the next run completes it)  issued 2026-10-01"
    ) in out
    periods = explained_json(capsys, "P-001", str(book), "--as-of", "2026-10-02")
    assert [p["outcome"] for p in periods["periods"]] == ["billed", "being made"]


# --- the row gone, wrong, or not read -------------------------------------------------


def test_explain_a_removed_plan_lists_its_periods_and_says_it_bills_no_more(
    shop, capsys
):
    workbook(shop, plan_row("P-002"))
    code, out, _ = explained(capsys, "P-001", str(shop), "--as-of", "2026-12-20")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == (
        "P-001: recurring plan, removed (no row of the Recurring tab has it)"
    )
    assert "3 periods decided:" in lines and "whose day has come" not in out
    assert lines[-1] == (
        "Next: nothing: no row of the Recurring tab has this Plan ID any more, so it "
        "bills no more; a row with it again goes on after its last decided period."
    )
    data = explained_json(capsys, "P-001", str(shop))
    assert data["removed"] is True and data["plan"] is None and data["rows"] == []


def test_explain_a_plan_whose_row_has_a_problem_shows_it(shop, capsys):
    """Two rows with P-001 (a copied row): neither bills, and both are shown."""
    workbook(shop, plan_row(), plan_row(price=D(1200)))
    code, out, _ = explained(capsys, "P-001", str(shop), "--as-of", "2026-12-20")
    assert code == 0
    assert out.splitlines()[0] == (
        "P-001: recurring plan in Recurring tab rows 2, 3, not read: its row has a "
        "problem"
    )
    assert "3 periods decided:" in out
    data = explained_json(capsys, "P-001", str(shop))
    assert {p["row"] for p in data["problems"]} == {2, 3}
    assert {p["code"] for p in data["problems"]} == {"recurring.duplicate-plan-id"}
    assert data["next"].startswith("nothing is billed while its row has a problem")


def test_explain_a_plan_when_the_workbook_cannot_be_read_tells_the_state(shop, capsys):
    shop.unlink()
    code, out, _ = explained(capsys, "P-001", str(shop))
    assert code == 0
    assert out.splitlines()[0].startswith(
        "P-001: recurring plan (the workbook could not be read: "
    )
    assert "INV-2026-0002  issued 2026-10-01  1,190.00 EUR" in out
    assert "Next: not known: the workbook could not be read" in out


def test_explain_a_plan_no_run_has_decided_yet_reads_the_workbook_alone(
    tmp_path, capsys
):
    """No state database yet: the plan is in the workbook, so it is explained."""
    book = workbook(tmp_path / "shop.xlsx", plan_row(start=date(2026, 12, 1)))
    code, out, err = explained(capsys, "p-001 ", str(book), "--as-of", "2026-11-20")
    assert code == 0, err
    assert "No period decided yet." in out
    assert out.splitlines()[-1] == (
        "Next: the next period, December 2026 (2026-12-01 to 2026-12-31), is billed "
        "on 2026-12-01."
    )
    assert not state_of(book).exists()


# --- which subject --------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["P-001", "p-001", "  P-001 "])
def test_explain_finds_a_plan_id_in_any_case_with_spaces(shop, capsys, typed):
    data = explained_json(capsys, typed, str(shop))
    assert data["kind"] == "plan" and data["subject"] == "P-001"
    assert data["asked"] == typed


def test_explain_a_recurring_invoices_number_still_explains_the_invoice(shop, capsys):
    data = explained_json(capsys, "INV-2026-0002", str(shop))
    assert data["kind"] == "invoice" and data["invoice"]["number"] == "INV-2026-0002"


def test_explain_an_unknown_plan_id_is_one_line_naming_near_ones_and_exits_2(
    shop, capsys
):
    for args in (["P-01", str(shop)], ["P-01", str(shop), "--json"]):
        code, out, err = explained(capsys, *args)
        assert code == 2 and out == ""
        assert err.count("\n") == 1
        assert (
            "'P-01' is neither an invoice number nor a Plan ID of this workbook "
            "(did you mean P-001?)"
        ) in err
        assert "Plan IDs in the Recurring tab's Plan ID column (P-001)" in err


def test_explain_an_unknown_subject_without_a_state_keeps_the_state_message(
    tmp_path, capsys
):
    book = workbook(tmp_path / "shop.xlsx", plan_row())
    code, out, err = explained(capsys, "P-404", str(book))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "no state database here" in err


def test_explain_a_plan_id_only_the_workbook_knows_beside_a_state(shop, capsys):
    workbook(shop, plan_row(), plan_row("P-002", start=date(2027, 1, 1)))
    code, out, _ = explained(capsys, "P-002", str(shop), "--as-of", "2026-11-20")
    assert code == 0
    assert "No period decided yet." in out
    assert "is billed on 2027-01-01." in out


# --- --json ---------------------------------------------------------------------------

# Each key of `explain P-001 --json` and the JSON types its value may take.
PLAN_SCHEMA: dict[str, tuple[type, ...]] = {
    "kind": (str,),
    "subject": (str,),
    "asked": (str,),
    "state": (str, type(None)),
    "workbook": (str,),
    "as_of": (str, type(None)),
    "workbook_unread": (str, type(None)),
    "plan": (dict, type(None)),
    "rows": (list,),
    "problems": (list,),
    "removed": (bool,),
    "periods": (list,),
    "due": (list,),
    "upcoming": (dict, type(None)),
    "next": (str,),
    "exit_code": (int,),
}
PERIOD_KEYS = {
    "start",
    "end",
    "outcome",
    "invoice",
    "issue_date",
    "total",
    "currency",
    "label",
    "unit_price",
    "hours",
}
COMING_KEYS = {"start", "end", "bill_on", "label", "skipped"}
TERMS_KEYS = {
    "row",
    "customer_id",
    "customer",
    "currency",
    "description",
    "quantity",
    "unit_price",
    "frequency",
    "interval",
    "day",
    "billing",
    "start",
    "end",
    "count",
    "included_hours",
    "project",
    "max_rollover_hours",
    "auto_send",
    "active",
    "next_date_shown",
    "last_invoice_shown",
}


def test_explain_plan_json_has_the_terms_periods_and_next(shop, capsys):
    data = explained_json(capsys, "P-001", str(shop), "--as-of", "2027-01-05")
    assert set(data) == set(PLAN_SCHEMA)
    for key, types in PLAN_SCHEMA.items():
        assert isinstance(data[key], types), key
    assert data["kind"] == "plan" and data["as_of"] == "2027-01-05"
    assert set(data["plan"]) == TERMS_KEYS
    expected = {
        "row": 2,
        "customer_id": "C1",
        "customer": "Alpha GmbH",
        "currency": "EUR",
        "unit_price": "1000",
        "frequency": "monthly",
        "interval": 1,
        "day": 1,
        "billing": "in advance",
        "start": "2026-09-01",
        "end": None,
        "active": True,
    }
    assert {key: data["plan"][key] for key in expected} == expected
    assert all(set(p) == PERIOD_KEYS for p in data["periods"])
    assert data["periods"][0] == {
        "start": "2026-09-01",
        "end": "2026-09-30",
        "outcome": "billed",
        "invoice": "INV-2026-0001",
        "issue_date": "2026-09-01",
        "total": "1190",
        "currency": "EUR",
        "label": "Maintenance, September 2026",
        "unit_price": "1000",
        "hours": {
            "included": "0",
            "carried_in": "0",
            "used": "0",
            "extra": "0",
            "carried_out": "0",
        },
    }
    assert data["periods"][2]["outcome"] == "skipped"
    assert data["periods"][2]["invoice"] is None
    assert [c["start"] for c in data["due"]] == ["2026-12-01", "2027-01-01"]
    assert all(set(c) == COMING_KEYS for c in data["due"])
    assert data["upcoming"] == {
        "start": "2027-02-01",
        "end": "2027-02-28",
        "bill_on": "2027-02-01",
        "label": "February 2027",
        "skipped": False,
    }


def test_explain_a_plan_as_readme_writes_it(shop):
    """README's line, run by a shell as written in a folder holding the workbook
    (named as README names it) and its state, with the .venv."""
    command = readme_explain_command("P-")
    name = command.split()[-1]
    shop.rename(shop.with_name(name))
    state_of(shop).rename(state_of(shop.with_name(name)))
    (shop.parent / ".venv").symlink_to(ROOT / ".venv")
    done = subprocess.run(
        ["/bin/sh", "-c", f"{command} --as-of 2026-11-20"],
        capture_output=True,
        text=True,
        cwd=shop.parent,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "INV-2026-0002  issued 2026-10-01" in done.stdout
    assert "is billed on 2026-12-01." in done.stdout


# --- what comes next, for any plan ---------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(
    plan=plans(),
    decided=st.lists(st.booleans(), max_size=6),
    is_active=st.booleans(),
    days_on=st.integers(-40, 900),
)
def test_what_comes_next_is_the_schedule_after_the_last_decided_period(
    plan: Plan, decided: list[bool], is_active: bool, days_on: int
):
    """Whatever the plan (month ends, 29 February, year ends) and however many of
    its first periods were billed or skipped: the periods explain lists as come by
    today are the schedule's next ones, in order, each the day after the one
    before, every one on or before today (skipped when the plan is paused); and the
    next period is the first after them, on a later day, or none when the plan has
    ended."""
    plan = replace(plan, is_active=is_active)
    periods = list(islice(schedule(plan), len(decided) + 400))
    history = [
        PeriodRecord(
            plan.plan_id,
            p.start,
            p.end,
            f"INV-2026-{p.index + 1:04d}" if is_billed else None,
        )
        for p, is_billed in zip(periods, decided, strict=False)
    ]
    today = plan.start + timedelta(days=days_on)
    book = PlanBook(
        "shop.xlsx",
        today,
        (plan,),
        {"p-001": ("P-001", (2,))},
        (),
        {"C1": customer("C1")},
        SETTINGS,
    )
    explained = explain_plan(
        "p-001", "P-001", state=None, history=history, invoices={}, book=book
    )
    assert [d.record for d in explained.periods] == history
    after = periods[len(history) :]
    due = [p for p in after if p.bill_on <= today]
    assert due == after[: len(due)]
    assert [(c.start, c.end, c.bill_on) for c in explained.due] == [
        (p.start, p.end, p.bill_on) for p in due
    ]
    assert all(c.is_skipped is not is_active for c in explained.due)
    rest = after[len(due) :]
    upcoming = explained.upcoming
    if rest:
        assert upcoming is not None
        assert (upcoming.start, upcoming.bill_on) == (rest[0].start, rest[0].bill_on)
        assert upcoming.bill_on > today
        assert f"({upcoming.start} to {upcoming.end})" in explained.next_step
    else:
        assert upcoming is None and "the plan has ended" in explained.next_step
    shown = [*explained.due, *([upcoming] if upcoming else [])]
    last = history[-1].end if history else None
    for before, period in zip([last, *(c.end for c in shown)], shown, strict=False):
        assert before is None or period.start == before + timedelta(days=1)
