"""A plan that cannot bill waits without losing anything, and keeps what is its own:
a plan whose customer an exception holds (a legal or e-invoice gap, text no font
prints) or whose Description no font prints bills nothing, records nothing and bills
each missed period once it is fixed; a retainer whose row has an error, or whose plan
is held, keeps its time rows from being billed as ordinary time (its invoice would
bill them again as included hours); a Description too long for an invoice line is
an error on its cell."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from recurring_helpers import (
    MONTHLY,
    clear_row,
    edit_row,
    plan,
    plan_shop,
    records,
    recurring_lines,
    run,
    time_entry,
    type_row,
)

from sheetbill.cli import main
from sheetbill.domain.cells import MAX_CELL_TEXT
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.recurring import PeriodRecord
from sheetbill.domain.schema import LOG, map_columns
from sheetbill.domain.waiting import WaitReason
from sheetbill.planning.recurring_rebuild import logged_decisions
from sheetbill.tabs.legal import LegalCheck
from sheetbill.tabs.printable import UnprintableText
from sheetbill.tabs.recurring import RetainerHold
from sheetbill.tabs.rows import TabLayout
from sheetbill.usecases.holds import held_plans

from helpers import table

D = Decimal
OK = (0, 1)
RETAINER = {
    **MONTHLY,
    "Customer ID": "C001",
    "Description": "Maintenance retainer",
    "Unit Price": D(1500),
    "Included Hours": D(10),
    "Project": "Warehouse App",
    "Start": date(2026, 9, 1),
}
C003_ROW = 4  # the demo's Customers: C001 on row 2, C002 on 3, C003 on 4


def _time_row(day: int, project: str = "Warehouse App") -> dict[str, object]:
    return {
        "Date": date(2026, 9, day),
        "Person": "David Kim",
        "Customer ID": "C001",
        "Project": project,
        "Activity": "Development",
        "Hours": D(4),
        "Billable": "yes",
        "Approved": "yes",
    }


def _descriptions(book: Path, plan_id: str = "P-001") -> list[str]:
    return [str(r["Description"]) for r in recurring_lines(book, plan_id)]


def _exceptions(book: Path, tab: str) -> list[dict[str, object]]:
    return [r for r in records(book, "Exceptions") if r.get("Tab") == tab]


# --- A plan held by its customer's exception -------------------------------------


def test_a_plan_whose_customer_is_held_bills_nothing_then_each_missed_period_once(
    tmp_path: Path,
) -> None:
    book = plan_shop(tmp_path, [MONTHLY])
    # Reverse charge needs the buyer's VAT ID: without one the customer is held.
    edit_row(
        book, "Customers", C003_ROW, {"Tax Category": "reverse charge", "Tax ID": None}
    )
    assert run(book, "2026-09-02") in OK
    assert _descriptions(book) == []
    plan_row = records(book, "Recurring")[0]
    assert plan_row.get("Last Invoice") in (None, "")
    warned = [
        r for r in _exceptions(book, "Recurring") if r.get("Column") == "Customer ID"
    ]
    assert warned and "P-001 bills nothing" in str(warned[0]["Problem"])
    assert run(book, "2026-09-03") in OK
    assert _descriptions(book) == []
    edit_row(book, "Customers", C003_ROW, {"Tax ID": "NO923456789MVA"})
    assert run(book, "2026-10-02") in OK
    assert _descriptions(book) == [
        "Support plan, August 2026",
        "Support plan, September 2026",
        "Support plan, October 2026",
    ]
    numbers = [str(r["Invoice No"]) for r in recurring_lines(book, "P-001")]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3
    assert run(book, "2026-10-02") in OK
    assert len(_descriptions(book)) == 3
    assert not any(
        r.get("Column") == "Customer ID" and not r.get("Closed")
        for r in _exceptions(book, "Recurring")
    )


def test_a_held_plan_is_neither_removed_nor_its_cells_rewritten(tmp_path: Path) -> None:
    book = plan_shop(tmp_path, [MONTHLY])
    assert run(book, "2026-08-03") in OK
    before = records(book, "Recurring")[0]
    edit_row(
        book, "Customers", C003_ROW, {"Tax Category": "reverse charge", "Tax ID": None}
    )
    assert run(book, "2026-09-02") in OK
    after = records(book, "Recurring")[0]
    assert (after["Next Date"], after["Last Invoice"]) == (
        before["Next Date"],
        before["Last Invoice"],
    )
    assert not [r for r in records(book, "Log") if r.get("Action") == "plan removed"]


# --- A retainer that cannot bill keeps its time rows -------------------------------

# Each a way a retainer's row can be wrong while its Customer ID and Included Hours
# still show what it is.
BROKEN = {
    "Frequency": "fortnightly",
    "Unit Price": "lots",
    "Day": "32",
    "Start": "someday",
    "Billing": "in advance",
    "Plan ID": None,
    "Included Hours": "ten",
}


@pytest.mark.parametrize("column", sorted(BROKEN))
def test_a_retainer_row_with_an_error_keeps_its_time_rows_until_it_is_fixed(
    tmp_path: Path, column: str
) -> None:
    rows = [_time_row(2), _time_row(3), _time_row(4, project="Website")]
    book = plan_shop(tmp_path, [{**RETAINER, column: BROKEN[column]}], time_rows=rows)
    assert run(book, "2026-10-02") in OK
    billed = {r["Project"]: r.get("Invoice No") for r in records(book, "Time Log")}
    # Another project's row is ordinary time; the retainer's project's rows wait.
    assert billed["Website"] and not billed["Warehouse App"]
    edit_row(book, "Recurring", 2, {column: RETAINER.get(column)})
    assert run(book, "2026-10-03") in OK
    september = [
        r
        for r in recurring_lines(book, "P-001")
        if "September" in str(r["Description"])
    ]
    assert len(september) == 1
    ours = [r for r in records(book, "Time Log") if r["Project"] == "Warehouse App"]
    assert {r["Invoice No"] for r in ours} == {september[0]["Invoice No"]}


def test_a_paused_retainer_with_an_error_leaves_its_rows_to_ordinary_billing(
    tmp_path: Path,
) -> None:
    book = plan_shop(
        tmp_path,
        [{**RETAINER, "Active": "no", "Unit Price": "lots"}],
        time_rows=[_time_row(2)],
    )
    assert run(book, "2026-10-02") in OK
    assert all(r.get("Invoice No") for r in records(book, "Time Log"))


def test_check_counts_a_held_retainers_rows_as_waiting(tmp_path: Path, capsys) -> None:
    book = plan_shop(
        tmp_path, [{**RETAINER, "Frequency": "fortnightly"}], time_rows=[_time_row(2)]
    )
    main(["check", str(book), "--as-of", "2026-10-02"])
    assert WaitReason.RETAINER_HELD.value in capsys.readouterr().out


@settings(max_examples=200, deadline=None)
@given(
    customer_id=st.sampled_from(["C1", "C2"]),
    project=st.sampled_from(["", "Web", " web ", "Ops"]),
    start=st.one_of(st.none(), st.dates(date(2026, 1, 1), date(2026, 12, 31))),
    day=st.dates(date(2026, 1, 1), date(2026, 12, 31)),
    entry_project=st.sampled_from(["Web", "WEB", "Ops", "Design"]),
)
def test_a_held_retainer_keeps_exactly_the_rows_its_plan_would_draw_down(
    customer_id: str, project: str, start: date | None, day: date, entry_project: str
) -> None:
    """The rows kept are the customer's, of the plan's Project when it names one
    (trimmed, any case), from its Start on: what the planner's drawdown takes."""
    hold = RetainerHold(2, customer_id, project, start)
    entry = time_entry(3, day, "2", customer_id="C1", project=entry_project)
    expected = (
        customer_id == "C1"
        and (start is None or day >= start)
        and (
            not project.strip()
            or project.strip().casefold() == entry_project.casefold()
        )
    )
    assert hold.keeps(entry) is expected


def test_held_plans_are_the_active_plans_of_held_customers_or_unprintable_rows() -> (
    None
):
    plans = [
        plan(plan_id="P-1", row=2, customer_id="C1"),
        plan(plan_id="P-2", row=3, customer_id="C2"),
        plan(plan_id="P-3", row=4, customer_id="C3"),
        plan(plan_id="P-4", row=5, customer_id="C1", is_active=False),
        plan(plan_id="P-5", row=6, customer_id="C4"),
    ]
    unprintable = UnprintableText(
        rows=frozenset({("Recurring", 4)}), customers=frozenset({"C2"})
    )
    legal = LegalCheck(customers=frozenset({"C1"}))
    held = held_plans(plans, unprintable, legal)
    assert [p.plan_id for p in held.plans] == ["P-1", "P-2", "P-3"]
    # The plan held by its own Description has that cell's exception instead.
    assert [(p.row, p.code) for p in held.problems] == [
        (2, ProblemCode.RECURRING_PLAN_HELD),
        (3, ProblemCode.RECURRING_PLAN_HELD),
    ]


# --- A Description too long for an invoice line -----------------------------------


def test_a_description_too_long_for_an_invoice_line_is_an_error_on_its_cell(
    tmp_path: Path,
) -> None:
    long = "x" * (MAX_CELL_TEXT - 10)
    book = plan_shop(tmp_path, [{**MONTHLY, "Description": long}])
    assert run(book, "2026-09-02") == 1
    assert _descriptions(book) == []
    flagged = [
        r for r in _exceptions(book, "Recurring") if r.get("Column") == "Description"
    ]
    assert flagged and "would not fit" in str(flagged[0]["Problem"])


def test_a_retainer_whose_description_no_font_prints_waits_with_its_rows(
    tmp_path: Path,
) -> None:
    retainer = {**RETAINER, "Description": "Maintenance \x07retainer"}
    book = plan_shop(tmp_path, [retainer], time_rows=[_time_row(2)])
    toml = tmp_path / "sheetbill.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace(
            "documents = false", "documents = true"
        ),
        encoding="utf-8",
    )
    assert run(book, "2026-10-02") == 1
    assert _descriptions(book) == []
    assert not any(r.get("Invoice No") for r in records(book, "Time Log"))
    flagged = [
        r for r in _exceptions(book, "Recurring") if r.get("Column") == "Description"
    ]
    assert flagged
    edit_row(book, "Recurring", 2, {"Description": "Maintenance retainer"})
    assert run(book, "2026-10-03") in OK
    [september] = recurring_lines(book, "P-001")
    assert {r["Invoice No"] for r in records(book, "Time Log")} == {
        september["Invoice No"]
    }


# --- state rebuild: what the Log shows of the plans ------------------------------


def test_state_rebuild_keeps_the_periods_skipped_while_paused(tmp_path: Path) -> None:
    """Skipped periods after the last billed one, then the plan resumed: a rebuilt
    state must not bill them (the Log's "period skipped" rows say they were)."""
    book = plan_shop(tmp_path, [MONTHLY])
    assert run(book, "2026-08-03") in OK
    edit_row(book, "Recurring", 2, {"Active": "no"})
    assert run(book, "2026-09-02") in OK
    assert run(book, "2026-10-02") in OK
    edit_row(book, "Recurring", 2, {"Active": "yes"})
    assert main(["state", "rebuild", str(book)]) in OK
    assert run(book, "2026-10-20") in OK
    assert run(book, "2026-11-02") in OK
    assert _descriptions(book) == [
        "Support plan, August 2026",
        "Support plan, November 2026",
    ]
    skipped = [r for r in records(book, "Log") if r.get("Action") == "period skipped"]
    assert len(skipped) == 2


def test_state_rebuild_tells_a_removed_plan_once(tmp_path: Path) -> None:
    book = plan_shop(tmp_path, [MONTHLY])
    assert run(book, "2026-08-03") in OK
    clear_row(book, "Recurring", 2)
    assert run(book, "2026-09-02") in OK
    assert main(["state", "rebuild", str(book)]) in OK
    assert run(book, "2026-10-02") in OK
    removed = [r for r in records(book, "Log") if r.get("Action") == "plan removed"]
    assert len(removed) == 1


def test_logged_decisions_read_skipped_periods_and_the_latest_removal() -> None:

    headers = [c.name for c in LOG.columns]

    def log_row(action: str, plan_id: str, detail: str) -> list[object]:
        cells = {"Action": action, "Invoice": plan_id, "Detail": detail}
        return [cells.get(h) for h in headers]

    paused = "the plan was paused (Active = no) when the period came; it is not billed"
    rows = [
        log_row("period skipped", "P-001", f"2026-09-01 to 2026-09-30: {paused}"),
        log_row("period skipped", "P-001", f"2026-10-01 to 2026-10-31: {paused}"),
        log_row("period skipped", "P-002", "edited by a person"),
        log_row("period skipped", "P-003", f"2026-13-01 to 2026-10-31: {paused}"),
        log_row("plan removed", "P-004", "its row is no longer ..."),
        log_row("plan back", "P-004", "its row is in the Recurring tab again"),
        log_row("plan removed", "P-005", "its row is no longer ..."),
        log_row("invoice created", "INV-2026-0001", ""),
    ]
    t = table("Log", headers, rows)
    layout = TabLayout(LOG, t, map_columns(LOG, "Log", headers))
    billed = [PeriodRecord("p-001", date(2026, 10, 1), date(2026, 10, 31), "INV-1")]
    found = logged_decisions(layout, billed, [plan(plan_id="P-001")])
    assert [(r.plan_id, r.start, r.end, r.invoice_no) for r in found.skipped] == [
        ("P-001", date(2026, 9, 1), date(2026, 9, 30), None)
    ]
    assert found.removed == {"P-004": False, "P-005": True}


def test_a_skipped_period_rebuilt_from_the_log_ends_as_its_schedule_says() -> None:
    """A Detail edited to a longer period covers no more than the period that was
    skipped; a start no period of the plan has covers one day."""
    headers = [c.name for c in LOG.columns]
    details = [
        "2026-09-01 to 2027-12-31: edited",
        "2026-10-15 to 2026-11-14: the plan was paused",
        "2026-12-01 to 2026-12-31: its row is gone",
    ]
    rows = [
        [
            {"Action": "period skipped", "Invoice": p, "Detail": d}.get(h)
            for h in headers
        ]
        for p, d in zip(("P-001", "P-001", "P-009"), details, strict=True)
    ]
    t = table("Log", headers, rows)
    layout = TabLayout(LOG, t, map_columns(LOG, "Log", headers))
    found = logged_decisions(layout, [], [plan(plan_id="P-001")])
    assert [(r.plan_id, r.start, r.end) for r in found.skipped] == [
        ("P-001", date(2026, 9, 1), date(2026, 9, 30)),
        ("P-001", date(2026, 10, 15), date(2026, 10, 15)),
        ("P-009", date(2026, 12, 1), date(2026, 12, 1)),
    ]


# --- check tells what a run would decide of the plans ------------------------------


def test_check_warns_of_an_edited_next_date_and_a_held_plan_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = {**MONTHLY, "Plan ID": "P-002", "Customer ID": "C002"}
    book = plan_shop(tmp_path, [MONTHLY, other])
    assert run(book, "2026-09-02") in OK
    edit_row(book, "Recurring", 2, {"Next Date": date(2026, 8, 1)})
    edit_row(book, "Customers", 3, {"Tax Category": "reverse charge", "Tax ID": None})
    before = book.read_bytes()
    state = _state_dump(book)
    capsys.readouterr()
    main(["check", str(book), "--as-of", "2026-09-03", "--json"])
    found = json.loads(capsys.readouterr().out)
    codes = {p["code"] for p in found["exceptions"]}
    assert {"recurring.next-date-edited", "recurring.plan-held"} <= codes
    assert book.read_bytes() == before
    assert _state_dump(book) == state


def _state_dump(book: Path) -> list[str]:
    with closing(sqlite3.connect(book.with_name("book.sheetbill.sqlite"))) as db:
        return list(db.iterdump())


def test_check_counts_a_retainers_rows_kept_for_its_period(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = plan_shop(tmp_path, [RETAINER], time_rows=[_time_row(2), _time_row(3)])
    main(["check", str(book), "--as-of", "2026-09-20"])
    out = capsys.readouterr().out
    assert f"2 {WaitReason.RETAINER.value}" in out


EDITS = {
    "day-15": {"Day": "15"},
    "day-last": {"Day": "last"},
    "quarterly": {"Frequency": "quarterly"},
    "weekly": {"Frequency": "weekly", "Day": "3"},
    "start-moved": {"Start": date(2026, 10, 20), "Day": None},
}


@pytest.mark.parametrize("first_run", ["2026-08-03", "2026-11-02"])
@pytest.mark.parametrize("edit", sorted(EDITS))
def test_after_a_schedule_edit_a_rebuilt_state_bills_what_the_kept_one_would(
    tmp_path: Path, edit: str, first_run: str
) -> None:
    """One period billed (August) or four, then the row's schedule edited: a state
    rebuilt from the workbook bills the same periods as the state that was kept,
    none within a billed one."""
    books = []
    for name in ("kept", "rebuilt"):
        folder = tmp_path / name
        folder.mkdir()
        book = plan_shop(folder, [MONTHLY])
        assert run(book, first_run) in OK
        edit_row(book, "Recurring", 2, EDITS[edit])
        books.append(book)
    assert main(["state", "rebuild", str(books[1])]) in OK
    for day in ("2026-11-20", "2026-12-02", "2027-01-16", "2027-02-02"):
        for book in books:
            assert run(book, day, "--allow-future") in OK
    kept, rebuilt = (_descriptions(book) for book in books)
    assert rebuilt == kept


def test_check_of_a_workbook_without_its_state_tells_no_plan_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run would stop (a state rebuild is needed): no Next Date looks edited."""
    book = plan_shop(tmp_path, [MONTHLY])
    assert run(book, "2026-10-02") in OK
    book.with_name("book.sheetbill.sqlite").unlink()
    capsys.readouterr()
    main(["check", str(book), "--as-of", "2026-10-03", "--json"])
    codes = {p["code"] for p in json.loads(capsys.readouterr().out)["exceptions"]}
    assert "state.unknown-numbers" in codes
    assert not any(c.startswith("recurring.") for c in codes), codes


def test_explain_of_a_held_plan_says_it_waits_and_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = plan_shop(tmp_path, [MONTHLY])
    assert run(book, "2026-08-03") in OK
    edit_row(
        book, "Customers", C003_ROW, {"Tax Category": "reverse charge", "Tax ID": None}
    )
    capsys.readouterr()
    main(["explain", "P-001", str(book), "--as-of", "2026-10-02"])
    said = capsys.readouterr().out
    assert "P-001 bills nothing in this run" in said
    assert "nothing is billed while the exception listed above holds the plan" in said
    assert "Next: the next run bills" not in said


# --- Two retainers of one customer: a held one keeps only what it would take -------


def _two_retainers(tmp_path: Path, broken: dict[str, object]) -> Path:
    """C001: P-001 on Warehouse App (upper row), P-002 on any project; 4 h each on
    Warehouse App (2 and 3 September) and Website (4 September)."""
    rows = [_time_row(2), _time_row(3), _time_row(4, project="Website")]
    other = {**RETAINER, "Plan ID": "P-002", "Project": None, "Unit Price": D(700)}
    return plan_shop(tmp_path, [{**RETAINER}, {**other, **broken}], time_rows=rows)


def _lines_of(book: Path, number: str) -> list[dict[str, object]]:
    return [r for r in records(book, "Invoice Lines") if r["Invoice No"] == number]


def test_a_retainer_with_an_error_leaves_another_retainers_rows_to_it(
    tmp_path: Path,
) -> None:
    book = _two_retainers(tmp_path, {"Unit Price": "lots"})
    assert run(book, "2026-10-02") in OK
    billed = {r["Date"]: r.get("Invoice No") for r in records(book, "Time Log")}
    [p1] = recurring_lines(book, "P-001")
    on_p1 = [
        r for r in records(book, "Time Log") if r.get("Invoice No") == p1["Invoice No"]
    ]
    assert [r["Project"] for r in on_p1] == ["Warehouse App", "Warehouse App"]
    # The Website row waits for P-002, not billed as ordinary time.
    website = [r for r in records(book, "Time Log") if r["Project"] == "Website"]
    assert not website[0].get("Invoice No"), billed
    edit_row(book, "Recurring", 3, {"Unit Price": D(700)})
    assert run(book, "2026-10-03") in OK
    [p2] = recurring_lines(book, "P-002")
    website = [r for r in records(book, "Time Log") if r["Project"] == "Website"]
    assert website[0]["Invoice No"] == p2["Invoice No"]
    # Its plan line and its included hours' line: 4 h of 10, nothing extra.
    assert len(_lines_of(book, str(p2["Invoice No"]))) == 2


def test_a_held_retainer_with_a_project_keeps_its_rows_from_one_without(
    tmp_path: Path,
) -> None:
    """P-001 (Warehouse App) held by its own Description, P-002 (any project)
    valid: P-002 takes the Website row only; the Warehouse App rows wait."""
    book = tmp_path / "book.xlsx"
    rows = [_time_row(2), _time_row(3), _time_row(4, project="Website")]
    other = {**RETAINER, "Plan ID": "P-002", "Project": None, "Unit Price": D(700)}
    held = {**RETAINER, "Description": "Maintenance \x07retainer"}
    book = plan_shop(tmp_path, [held, other], time_rows=rows)
    toml = tmp_path / "sheetbill.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace(
            "documents = false", "documents = true"
        ),
        encoding="utf-8",
    )
    assert run(book, "2026-10-02") == 1
    [p2] = recurring_lines(book, "P-002")
    on = {r["Project"]: r.get("Invoice No") for r in records(book, "Time Log")}
    assert on["Website"] == p2["Invoice No"] and not on["Warehouse App"]


# --- A time row typed late, in a retainer period already billed ------------------


def test_a_row_typed_into_a_billed_retainer_period_is_ordinary_time_with_a_warning(
    tmp_path: Path,
) -> None:
    book = plan_shop(tmp_path, [RETAINER], time_rows=[_time_row(2)])
    assert run(book, "2026-10-01") in OK
    [september] = recurring_lines(book, "P-001")
    row = type_row(book, "Time Log", _time_row(20))
    other = type_row(book, "Time Log", _time_row(21, project="Website"))
    assert run(book, "2026-10-02") in OK
    late = next(
        r for r in records(book, "Time Log") if str(r["Date"]).startswith("2026-09-20")
    )
    assert late["Invoice No"] and late["Invoice No"] != september["Invoice No"]
    warned = [r for r in _exceptions(book, "Time Log") if r.get("Row") == row]
    assert warned and "P-001" in str(warned[0]["Problem"])
    assert str(september["Invoice No"]) in str(warned[0]["Problem"])
    assert "6 h of its hours went unused" in str(warned[0]["Problem"])
    assert not [r for r in _exceptions(book, "Time Log") if r.get("Row") == other]


def test_a_rebuilt_state_keeps_a_retainers_hours_carried_over(tmp_path: Path) -> None:
    """September uses 8 of 10 hours, 2 carry over (up to Max Rollover Hours 5);
    October's 14 hours then bill 2 extra, with the state kept or rebuilt alike."""
    retainer = {**RETAINER, "Max Rollover Hours": D(5)}
    october = [
        {**_time_row(2), "Date": date(2026, 10, day), "Hours": D(7)} for day in (5, 6)
    ]
    books = []
    for name in ("kept", "rebuilt"):
        folder = tmp_path / name
        folder.mkdir()
        book = plan_shop(folder, [retainer], time_rows=[_time_row(2), _time_row(3)])
        assert run(book, "2026-10-01") in OK
        for row in october:
            type_row(book, "Time Log", row)
        books.append(book)
    assert main(["state", "rebuild", str(books[1])]) in OK
    for book in books:
        assert run(book, "2026-11-02") in OK
    kept, rebuilt = (
        [
            (r["Description"], r["Quantity"], r["Total"])
            for r in records(b, "Invoice Lines")
        ]
        for b in books
    )
    assert rebuilt == kept
    assert any("+2" in str(d) for d, _, _ in kept), kept


def test_a_late_row_is_told_once_for_the_retainer_that_would_have_taken_it(
    tmp_path: Path,
) -> None:
    """P-001 (Warehouse App) before P-002 (any project) in precedence: a Warehouse
    App row typed into billed September is P-001's late row only."""
    other = {**RETAINER, "Plan ID": "P-002", "Project": None, "Unit Price": D(700)}
    book = plan_shop(tmp_path, [other, RETAINER], time_rows=[_time_row(2)])
    assert run(book, "2026-10-01") in OK
    row = type_row(book, "Time Log", _time_row(21))
    assert run(book, "2026-10-02") in OK
    warned = [
        str(r["Problem"])
        for r in _exceptions(book, "Time Log")
        if r.get("Row") == row and not r.get("Closed")
    ]
    assert len(warned) == 1 and "P-001" in warned[0], warned


@pytest.mark.parametrize("edit", ["day-15", "weekly"])
def test_a_rebuilt_state_carries_a_retainers_hours_as_the_kept_one_after_an_edit(
    tmp_path: Path, edit: str
) -> None:
    """A retainer with hours carried over (rollover 40), its schedule edited after
    September was billed, a period of the new schedule billed (leaving days
    between unbilled), then one copy rebuilt: every later invoice reads the same,
    carried hours included."""
    retainer = {**RETAINER, "Max Rollover Hours": D(40)}
    books = []
    for name in ("kept", "rebuilt"):
        folder = tmp_path / name
        folder.mkdir()
        book = plan_shop(folder, [retainer], time_rows=[_time_row(2)])
        assert run(book, "2026-10-02") in OK
        edit_row(book, "Recurring", 2, EDITS[edit])
        assert run(book, "2026-11-20") in OK
        books.append(book)
    assert main(["state", "rebuild", str(books[1])]) in OK
    for day in ("2026-11-21", "2026-12-16", "2027-01-16", "2027-02-16"):
        for book in books:
            assert run(book, day, "--allow-future") in OK
    kept, rebuilt = (
        [
            (r["Description"], r["Quantity"], r["Total"])
            for r in records(b, "Invoice Lines")
        ]
        for b in books
    )
    assert rebuilt == kept


@pytest.mark.parametrize(
    ("plan_edit", "language"),
    [
        ({"Frequency": "yearly", "Start": date(2026, 1, 1)}, None),
        ({"Frequency": "quarterly", "Start": date(2026, 7, 1)}, None),
        ({"Day": "1"}, "fr"),
    ],
    ids=["yearly-to-monthly", "quarterly-to-monthly", "language-changed"],
)
def test_a_rebuild_after_one_long_period_and_a_shorter_schedule_bills_none_inside_it(
    tmp_path: Path, plan_edit: dict[str, object], language: str | None
) -> None:
    """One period billed (a year, a quarter, a month), then the plan made monthly
    (or weekly on the billed day's weekday) and, in one case, the customer's
    Language changed: the rebuilt state reads the billed period's name off its line
    and bills nothing inside it, as the kept state does."""
    books = []
    for name in ("kept", "rebuilt"):
        folder = tmp_path / name
        folder.mkdir()
        book = plan_shop(folder, [{**MONTHLY, **plan_edit}])
        assert run(book, "2026-09-02") in OK
        if language:
            edit_row(book, "Customers", C003_ROW, {"Language": language})
            edit_row(book, "Recurring", 2, {"Frequency": "weekly", "Day": "2"})
        else:
            edit_row(book, "Recurring", 2, {"Frequency": "monthly", "Day": "1"})
        books.append(book)
    assert main(["state", "rebuild", str(books[1])]) in OK
    for day in ("2026-09-20", "2026-10-05", "2026-11-02"):
        for book in books:
            assert run(book, day) in OK
    kept, rebuilt = (_descriptions(book) for book in books)
    assert rebuilt == kept
