"""A person's Status in the Exceptions tab takes effect (issue 11, point 10).

"ignored" (the dropdown's word, or "acknowledged") sets a problem aside: its row stays
listed, and the problem no longer counts toward the exit code nor as open, as long
as it is the problem the person looked at. Once its Value changes, or another row
stands where its row stood (rows inserted or sorted), it is a new exception: the
set-aside row is closed and a new one opened.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from paths import SHARED
from readback import calamine_records, calamine_rows

from sheetbill.cli import main
from sheetbill.domain.model import Problem
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.schema import EXCEPTIONS
from sheetbill.domain.sheet import CellWrite, WorkbookChanges
from sheetbill.planning.exceptions import problems_set_aside
from sheetbill.planning.recovery import PendingMatch
from sheetbill.tabs.exceptions import SET_ASIDE_STATUSES
from sheetbill.tabs.validation import validate_book
from sheetbill.workbook.excel import ExcelWorkbook
from sheetbill.writeback.plan import plan_writes

from helpers import small_book, time_row

CASE = "15_tz_Pacific_Kiritimati_on_UTC.xlsx"
# Row 3 of the case's Time Log is dated 2026-12-01: in the future as of this day.
AS_OF = "2026-11-30"
HEADERS = [c.name for c in EXCEPTIONS.columns]
STATUS, DATE = HEADERS.index("Status"), 0


def case_book(tmp_path: Path) -> Path:
    folder = tmp_path / "shop"
    folder.mkdir()
    book = folder / CASE
    shutil.copyfile(SHARED / "cases" / "log-time-zone" / CASE, book)
    book.chmod(0o644)
    (folder / "sheetbill.toml").write_text("documents = false\n")
    return book


def sheetbill(book: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sheetbill", *args],
        cwd=book.parent,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def type_into(book: Path, tab: str, row: int, column: int, value: Any) -> None:
    """A person's edit of one cell, saved."""
    person = ExcelWorkbook(book, backups=0)
    change = WorkbookChanges(writes={tab: (CellWrite(row, column, value),)})
    person.apply(change, expected_version=person.read().version)


def test_an_ignored_exception_stays_listed_and_no_longer_counts(tmp_path):
    book = case_book(tmp_path)
    first = sheetbill(book, "run", CASE, "--as-of", AS_OF)
    assert first.returncode == 1, first.stderr
    (row,) = calamine_records(book, "Exceptions")
    assert row["Problem"] == "Date is in the future." and row["Value"] == "2026-12-01"
    type_into(book, "Exceptions", 2, STATUS, "ignored")

    again = sheetbill(book, "run", CASE, "--as-of", AS_OF)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "open exception" not in again.stdout
    assert "1 problem set aside" in again.stdout
    (kept,) = calamine_records(book, "Exceptions")
    assert kept["Status"] == "ignored" and not kept["Closed"]
    checked = sheetbill(book, "check", CASE, "--as-of", AS_OF, "--json")
    data = json.loads(checked.stdout)
    assert checked.returncode == data["exit_code"] == 0
    assert data["exceptions"] == [] and len(data["exceptions_ignored"]) == 1
    dry = json.loads(
        sheetbill(book, "run", CASE, "--as-of", AS_OF, "--dry-run", "--json").stdout
    )
    assert dry["exit_code"] == 0 and dry["exceptions"] == []


def test_a_changed_value_is_a_new_exception_and_counts_again(tmp_path):
    book = case_book(tmp_path)
    sheetbill(book, "run", CASE, "--as-of", AS_OF)
    type_into(book, "Exceptions", 2, STATUS, "Ignored")
    type_into(book, "Time Log", 3, DATE, datetime(2026, 12, 2))

    done = sheetbill(book, "run", CASE, "--as-of", AS_OF)
    assert done.returncode == 1, done.stdout
    assert "1 open exception (1 new, 1 closed)" in done.stdout
    old, new = calamine_records(book, "Exceptions")
    assert old["Value"] == "2026-12-01" and old["Status"] == "Ignored"
    assert old["Closed"] == date(2026, 11, 30)
    assert new["Value"] == "2026-12-02" and not new["Status"] and not new["Closed"]


@pytest.mark.parametrize("status", ["open", "in progress", "done", ""])
def test_other_statuses_still_count(tmp_path, status):
    """ "done" says a person fixed it; while sheetbill still sees the problem, it
    counts (and its row stays open)."""
    book = case_book(tmp_path)
    sheetbill(book, "run", CASE, "--as-of", AS_OF)
    type_into(book, "Exceptions", 2, STATUS, status or None)
    done = sheetbill(book, "run", CASE, "--as-of", AS_OF)
    assert done.returncode == 1 and "1 open exception" in done.stdout
    assert len(calamine_rows(book, "Exceptions")) == 2


def test_an_ignored_exception_on_a_google_sheet_no_longer_counts(
    tmp_path, sheets_server, capsys
):
    tabs = {
        name: [
            [_google_value(v) for v in row]
            for row in calamine_rows(SHARED / "cases" / "log-time-zone" / CASE, name)
        ]
        for name in ("Settings", "Customers", "Rates", "Time Log")
    }
    sheet_id = sheets_server.create_spreadsheet("Zeitzone", tabs)
    config = tmp_path / "sheetbill.toml"
    config.write_text(
        f'source = "gsheets://{sheet_id}"\nsheets_api_url = "{sheets_server.url}"\n'
        "documents = false\n"
    )
    args = ["run", "--as-of", AS_OF, "--config", str(config)]
    assert main(args) == 1
    with sheets_server.lock:
        cell = sheets_server.book(sheet_id).sheet("Exceptions").cell(1, STATUS)
        cell.formula, cell.value = None, "ignored"
    capsys.readouterr()
    assert main(args) == 0
    assert "1 problem set aside" in capsys.readouterr().out
    rows = sheets_server.values(sheet_id, "Exceptions")
    assert len(rows) == 2 and rows[1][STATUS] == "ignored"


def _google_value(value: Any) -> Any:
    """A cell as the Sheets API server is given it: dates as Google's day numbers."""
    if isinstance(value, datetime | date):
        day = value.date() if isinstance(value, datetime) else value
        return Decimal((day - date(1899, 12, 30)).days)
    if isinstance(value, float):
        return Decimal(repr(value))
    return None if value == "" else value


# --- the rule, over every combination ------------------------------------------------

_COLUMNS = ("Date", "Hours")
_VALUES = ("", "1", "x", "2026-12-01")
_STATUSES = ("", "open", "in progress", "done", "ignored", " Ignored ", "acknowledged")


@st.composite
def exception_tabs(draw: st.DrawFn) -> tuple[list[Problem], list[list[Any]]]:
    """Problems of this run, and an Exceptions tab left by earlier runs and people."""
    places = st.tuples(st.integers(2, 4), st.sampled_from(_COLUMNS))
    problems = [
        Problem(
            code=ProblemCode.CELL_UNREADABLE,
            tab="Time Log",
            row=row,
            column=column,
            value=draw(st.sampled_from(_VALUES)),
            problem=f"P{row}{column}",
            fix="fix",
        )
        for row, column in draw(st.lists(places, max_size=5, unique=True))
    ]
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        row, column = draw(places)
        cells: dict[str, Any] = {
            "Tab": "Time Log",
            "Row": Decimal(row),
            "Column": column,
            "Value": draw(st.sampled_from(_VALUES)),
            "Problem": f"P{row}{column}",
            "Status": draw(st.sampled_from(_STATUSES)),
            "Closed": draw(st.sampled_from([None, date(2026, 11, 1)])),
        }
        rows.append([cells.get(h) for h in HEADERS])
    return problems, rows


@settings(max_examples=300, deadline=None)
@given(exception_tabs())
def test_set_aside_rule_holds_for_any_exceptions_tab(case):
    """Property: a problem is set aside exactly when an open row of its Tab, Row,
    Column and Problem with the same Value says "ignored"/"acknowledged"; every
    problem not set aside has an open row afterwards; a set-aside row whose Value
    is no longer the problem's is closed; Status is never written."""
    problems, rows = case
    data = validate_book(
        small_book(extra={"Exceptions": (HEADERS, rows)}),
        today=date(2026, 11, 30),
        billed={},
    )
    plan = plan_writes(
        data,
        new=[],
        pending_invoices=[],
        pending=PendingMatch({}, frozenset(), ()),
        problems=problems,
        today=date(2026, 11, 30),
        now=datetime(2026, 11, 30, 8),
        run_id="r1",
    )
    writes = plan.changes.writes.get("Exceptions", ())
    closed_now = {w.row for w in writes if w.column == HEADERS.index("Closed")}
    assert not any(w.column == STATUS for w in writes)

    def key(cells: list[Any]) -> tuple[str, str]:
        return (
            f"P{cells[HEADERS.index('Row')]}{cells[HEADERS.index('Column')]}",
            cells[HEADERS.index("Value")],
        )

    open_before = {
        number: cells
        for number, cells in enumerate(rows, start=2)
        if not cells[HEADERS.index("Closed")]
        and any(c not in (None, "") for c in cells)
    }
    aside = {
        key(cells)
        for cells in open_before.values()
        if str(cells[STATUS]).strip().casefold() in SET_ASIDE_STATUSES
    }
    expected = [p for p in problems if (p.problem, p.value) in aside]
    assert list(plan.ignored) == expected
    appended = {
        (w.value, w.row)
        for w in writes
        if w.column == HEADERS.index("Problem") and w.row > len(rows) + 1
    }
    still_open = {key(c)[0] for n, c in open_before.items() if n not in closed_now}
    for problem in problems:
        assert problem.problem in still_open or any(
            text == problem.problem for text, _ in appended
        ), problem
    for number, cells in open_before.items():
        is_aside = str(cells[STATUS]).strip().casefold() in SET_ASIDE_STATUSES
        current = [p for p in problems if p.problem == key(cells)[0]]
        if is_aside and current and current[0].value != cells[HEADERS.index("Value")]:
            assert number in closed_now
        if current and not is_aside:
            assert number not in closed_now


# --- an ignored problem stays with its row (break-it report, point 10) ----------------


def test_an_ignored_exception_never_stands_for_a_row_inserted_above_it(tmp_path):
    """The report's case: row 2's 30 hours is ignored; a new row 2 with 30 hours is
    inserted and the old row (now row 3) corrected. The new row's problem has the same
    Tab, Row, Column, Problem and Value as the ignored one: it is a new exception all
    the same, and counts."""
    import openpyxl

    book = case_book(tmp_path)
    first = sheetbill(book, "run", CASE, "--as-of", AS_OF)
    assert first.returncode == 1, first.stderr
    type_into(book, "Exceptions", 2, STATUS, "ignored")
    workbook = openpyxl.load_workbook(book)
    log = workbook["Time Log"]
    log.insert_rows(3)  # the problem row 3 moves to row 4
    for column in range(1, log.max_column + 1):
        log.cell(3, column).value = log.cell(4, column).value
    log.cell(3, 2).value = "Bob"  # the same future date, by someone else
    log.cell(4, 1).value = datetime(2026, 11, 28)  # the ignored row, corrected
    workbook.save(book)

    again = sheetbill(book, "run", CASE, "--as-of", AS_OF)
    assert again.returncode == 1, again.stdout
    assert "1 open exception (1 new, 1 closed)" in again.stdout
    ignored, new = calamine_records(book, "Exceptions")
    assert ignored["Status"] == "ignored" and ignored["Closed"] == date(2026, 11, 30)
    assert (new["Row"], new["Value"], new["Status"]) == (3, "2026-12-01", "")
    assert new["Row Key"] and new["Row Key"] != ignored["Row Key"]


def _exception_rows(
    plan_writes_: list[CellWrite], statuses: dict[int, str]
) -> list[list[Any]]:
    """The Exceptions tab a plan wrote to an empty tab, with a person's Statuses."""
    rows: dict[int, list[Any]] = {}
    for write in plan_writes_:
        if write.row > 1:
            rows.setdefault(write.row, [None] * len(HEADERS))[write.column] = (
                write.value
            )
    for number, status in statuses.items():
        rows[number][STATUS] = status
    return [rows[n] for n in sorted(rows)]


def _plan(rows: list[list[Any]], exceptions: list[list[Any]]) -> Any:
    data = validate_book(
        small_book(time_rows=rows, extra={"Exceptions": (HEADERS, exceptions)}),
        today=date(2026, 11, 30),
        billed={},
    )
    plan = plan_writes(
        data,
        new=[],
        pending_invoices=[],
        pending=PendingMatch({}, frozenset(), ()),
        problems=data.problems,
        today=date(2026, 11, 30),
        now=datetime(2026, 11, 30, 8),
        run_id="r1",
    )
    return data, plan


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_an_ignored_problem_follows_no_other_row_when_rows_are_sorted(data):
    """Property: after any reordering of the Time Log (a sort, rows inserted or
    deleted above), a problem is set aside only where the row now at the ignored
    row's place is that same row; every other row's problem counts, though its Tab,
    Row, Column, Problem and Value may all equal those of the ignored one."""
    count = data.draw(st.integers(2, 6))
    # Every row has the same problem and Value (a future date); people differ.
    rows = [
        time_row(date(2026, 12, 1), f"P{i}", "C1", Decimal(1)) for i in range(count)
    ]
    _, first = _plan(rows, [])
    written = list(first.changes.writes["Exceptions"])
    ignored_rows = data.draw(
        st.sets(st.integers(2, count + 1), max_size=count), label="ignored"
    )
    exceptions = _exception_rows(written, dict.fromkeys(ignored_rows, "ignored"))
    order = data.draw(st.permutations(range(count)), label="order")
    moved = [rows[i] for i in order]

    book, plan = _plan(moved, exceptions)
    kept = {number for number in ignored_rows if order[number - 2] == number - 2}
    assert {p.row for p in plan.ignored} == kept
    assert problems_set_aside(book.problems, book.layouts) == plan.ignored
