"""sheetbill's own tabs edited by hand between runs: nothing lost, nothing misplaced.

A person deletes, sorts, inserts and retypes rows of Invoices, Invoice Lines,
Exceptions and Log, types a totals row far below, clears a header or deletes a tab.
The next run still gives every new invoice its rows, writes a PDF link or a Closed
date only on the row it belongs to, never writes over a cell a person filled, and
reports (as an Exceptions row) every invoice it wrote that is no longer there.

Workbooks are real .xlsx files: made and edited by hand with openpyxl (as a person's
tool), run through sheetbill's Excel adapter, read back with calamine.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import python_calamine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from readback import calamine_rows

from sheetbill.config import Config
from sheetbill.domain.schema import EXCEPTIONS
from sheetbill.errors import StateMismatchError, WorkbookWriteError
from sheetbill.planning.recovery import PendingMatch
from sheetbill.ports import Workbook
from sheetbill.state import StateDB
from sheetbill.tabs.validation import validate_book
from sheetbill.usecases.rebuild_state import rebuild_state
from sheetbill.usecases.run import RunResult, run_billing
from sheetbill.workbook.excel import ExcelWorkbook
from sheetbill.writeback.plan import plan_writes

from helpers import (
    CUSTOMER_HEADERS,
    RATE_HEADERS,
    SETTINGS_ROWS,
    TIME_HEADERS,
    time_row,
)

D = Decimal
AS_OF = date(2026, 11, 2)
CONFIG = Config(documents=False, backups=0)
CUSTOMERS = ("C1", "C2", "C3")


def new_book(folder: Path) -> Path:
    """Settings, Customers, Rates and a Time Log with one row of work per customer."""
    path = folder / "book.xlsx"
    book = openpyxl.Workbook()
    sheets: dict[str, list[list[Any]]] = {
        "Settings": [["Key", "Value"], *SETTINGS_ROWS],
        "Customers": [
            CUSTOMER_HEADERS,
            *[[c, f"Customer {c}", f"{c}@example.com", "EUR", None] for c in CUSTOMERS],
        ],
        "Rates": [RATE_HEADERS, [None, None, None, None, D(100), "hour", None]],
        "Time Log": [TIME_HEADERS],
    }
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def edit(path: Path, change: Callable[[openpyxl.Workbook], None]) -> None:
    """A person opens the file, changes it and saves it."""
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)


def add_work(path: Path, *rows: tuple[str, Decimal]) -> None:
    def change(book: openpyxl.Workbook) -> None:
        sheet = book["Time Log"]
        for customer, hours in rows:
            sheet.append(time_row(date(2026, 10, 5), "Ann", customer, hours))

    edit(path, change)


def run(path: Path, *, config: Config = CONFIG) -> RunResult:
    return run_billing(
        ExcelWorkbook(path, backups=0),
        config,
        state_path=path.with_suffix(".sqlite"),
        as_of=AS_OF,
        is_dry_run=False,
    )


def cells(path: Path, tab: str) -> dict[tuple[int, int], object]:
    """Every filled cell of a tab as calamine reads it: (sheet row, column) -> value."""
    try:
        rows = calamine_rows(path, tab)
    except python_calamine.WorksheetNotFound:
        return {}
    return {
        (r, c): v
        for r, row in enumerate(rows, start=1)
        for c, v in enumerate(row)
        if v not in ("", None)
    }


def records(path: Path, tab: str) -> list[dict[str, Any]]:
    """The rows below the header, by header, with their sheet row as "_row"."""
    try:
        rows = calamine_rows(path, tab)
    except python_calamine.WorksheetNotFound:
        return []
    headers = [str(h) for h in rows[0]]
    return [
        {"_row": n, **dict(zip(headers, row, strict=False))}
        for n, row in enumerate(rows[1:], start=2)
        if any(v not in ("", None) for v in row)
    ]


def open_exceptions(path: Path) -> list[dict[str, Any]]:
    return [r for r in records(path, "Exceptions") if not r.get("Closed")]


def test_invoices_go_below_a_totals_row_typed_far_below(tmp_path):
    path = new_book(tmp_path)
    add_work(path, ("C1", D(2)))
    run(path)

    def totals(book: openpyxl.Workbook) -> None:
        book["Invoices"]["A30"] = "Total"
        book["Invoices"]["J30"] = 238
        book["Invoices"]["Z3"] = "my note, under no header"

    edit(path, totals)
    before = cells(path, "Invoices")
    add_work(path, ("C2", D(1)), ("C3", D(3)))
    result = run(path)
    assert [i.number for i in result.invoices] == ["INV-2026-0002", "INV-2026-0003"]
    after = cells(path, "Invoices")
    assert {k: after.get(k) for k in before} == before
    assert [r["_row"] for r in records(path, "Invoices")] == [2, 3, 30, 31, 32]


def test_a_formula_without_saved_result_below_the_data_is_never_written_over(
    tmp_path,
):
    """calamine reads such a formula as blank; the Excel adapter refuses to append
    over it, and the invoices, never written, are made again under their numbers
    once the cell is moved."""
    path = new_book(tmp_path)
    add_work(path, ("C1", D(2)))
    run(path)
    edit(path, lambda book: book["Invoices"].__setitem__("J4", "=SUM(J2:J3)"))
    add_work(path, ("C2", D(1)), ("C3", D(3)))
    before = path.read_bytes()
    with pytest.raises(WorkbookWriteError, match=r"cell J4 holds a formula"):
        run(path)
    assert path.read_bytes() == before

    def move(book: openpyxl.Workbook) -> None:
        book["Invoices"]["J4"] = None
        book["Invoices"]["J10"] = "=SUM(J2:J9)"

    edit(path, move)
    result = run(path)
    assert result.recovered == ()
    assert [i.number for i in result.invoices] == ["INV-2026-0002", "INV-2026-0003"]
    assert [r["Invoice No"] for r in records(path, "Invoices")] == [
        "INV-2026-0001",
        "INV-2026-0002",
        "INV-2026-0003",
    ]
    assert openpyxl.load_workbook(path)["Invoices"]["J10"].value == "=SUM(J2:J9)"


class PowerCut(ExcelWorkbook):
    """The machine stops while writing: the invoices stay pending."""

    def apply(self, changes: Any, *, expected_version: str) -> str:
        raise WorkbookWriteError("the power went out", path=self.path)


def test_a_pending_invoice_is_written_even_where_a_person_typed_its_number(tmp_path):
    """Only a row with the number *and* the customer is the interrupted run's."""
    path = new_book(tmp_path)
    add_work(path, ("C1", D(2)))
    run(path)
    add_work(path, ("C2", D(1)))
    with pytest.raises(WorkbookWriteError):
        run_billing(
            PowerCut(path, backups=0),
            CONFIG,
            state_path=path.with_suffix(".sqlite"),
            as_of=AS_OF,
            is_dry_run=False,
        )
    edit(path, lambda book: book["Invoices"].__setitem__("A9", "INV-2026-0002"))
    result = run(path)
    assert [i.number for i in result.recovered] == ["INV-2026-0002"]
    invoices = records(path, "Invoices")
    assert [(r["_row"], r["Invoice No"], r["Customer ID"]) for r in invoices] == [
        (2, "INV-2026-0001", "C1"),
        (9, "INV-2026-0002", ""),
        (10, "INV-2026-0002", "C2"),
    ]
    assert [r["Invoice No"] for r in records(path, "Invoice Lines")] == [
        "INV-2026-0001",
        "INV-2026-0002",
    ]
    assert result.changes.writes["Time Log"]
    again = run(path)  # written now: not again; the twin is reported
    assert set(again.changes.writes) == {"Exceptions"}
    assert [p.value for p in again.problems] == ["INV-2026-0002 (rows 9, 10)"]


def test_a_deleted_invoice_row_is_reported_not_written_again(tmp_path):
    path = new_book(tmp_path)
    add_work(path, ("C1", D(2)), ("C2", D(1)))
    run(path)
    edit(path, lambda book: book["Invoices"].delete_rows(2))
    add_work(path, ("C3", D(3)))
    result = run(path)
    assert [i.number for i in result.invoices] == ["INV-2026-0003"]
    assert [r["Invoice No"] for r in records(path, "Invoices")] == [
        "INV-2026-0002",
        "INV-2026-0003",
    ]
    problems = [r["Problem"] for r in open_exceptions(path)]
    assert problems == [
        "INV-2026-0001 is no longer in the Invoices tab; sheetbill wrote it there "
        "and does not write it again."
    ]
    assert result.exit_code == 1

    def restore(book: openpyxl.Workbook) -> None:
        book["Invoices"]["A10"] = "INV-2026-0001"

    edit(path, restore)
    run(path)
    assert open_exceptions(path) == []


def test_a_deleted_invoices_tab_is_made_again_for_new_invoices_and_reported(tmp_path):
    path = new_book(tmp_path)
    add_work(path, *[(c, D(1)) for c in CUSTOMERS])
    run(path)

    def delete(book: openpyxl.Workbook) -> None:
        del book["Invoices"]
        del book["Invoice Lines"]

    edit(path, delete)
    add_work(path, ("C1", D(5)))
    run(path)
    assert [r["Invoice No"] for r in records(path, "Invoices")] == ["INV-2026-0004"]
    assert [r["Invoice No"] for r in records(path, "Invoice Lines")] == [
        "INV-2026-0004"
    ]
    gone = {(r["Tab"], r["Value"]) for r in open_exceptions(path)}
    assert gone == {
        (tab, f"INV-2026-000{n}")
        for tab in ("Invoices", "Invoice Lines")
        for n in (1, 2, 3)
    }


def test_an_emptied_invoices_tab_gets_headers_then_rows_below_them(tmp_path):
    """A tab cleared to nothing reads as last row 0: appends must not hit row 1."""
    path = new_book(tmp_path)
    add_work(path, ("C1", D(2)))
    run(path)

    def clear(book: openpyxl.Workbook) -> None:
        sheet = book["Invoices"]
        sheet.delete_rows(1, sheet.max_row)

    edit(path, clear)
    add_work(path, ("C2", D(1)))
    run(path)
    rows = calamine_rows(path, "Invoices")
    assert rows[0][:2] == ["Invoice No", "Kind"]
    assert [r[0] for r in rows[1:]] == ["INV-2026-0002"]


def plan_links(path: Path | Workbook, links: dict[str, str]) -> None:
    """Write the PDF links of `links` as a run does (without rendering PDFs)."""
    workbook = ExcelWorkbook(path, backups=0) if isinstance(path, Path) else path
    snapshot = workbook.read()
    data = validate_book(snapshot, today=AS_OF, billed={})
    plan = plan_writes(
        data,
        new=[],
        pending_invoices=[],
        pending=PendingMatch({}, frozenset(), ()),
        problems=[],
        today=AS_OF,
        now=datetime(2026, 11, 2, 8),
        run_id="links",
        pdf_links=links,
    )
    workbook.apply(plan.changes, expected_version=snapshot.version)


def test_pdf_links_follow_sorted_rows_and_skip_a_number_on_two_rows(tmp_path):
    path = new_book(tmp_path)
    add_work(path, *[(c, D(1)) for c in CUSTOMERS])
    run(path)

    def sort_and_copy(book: openpyxl.Workbook) -> None:
        sheet = book["Invoices"]
        rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
        rows.reverse()
        sheet.delete_rows(2, sheet.max_row)
        sheet.insert_rows(2, 2)  # two blank rows above the data
        for offset, row in enumerate(rows):
            for column, value in enumerate(row, start=1):
                sheet.cell(row=4 + offset, column=column, value=value)
        sheet["A12"] = "INV-2026-0001"  # a person's row with sheetbill's number
        sheet["T12"] = "typed by hand"

    edit(path, sort_and_copy)
    plan_links(path, {f"INV-2026-000{n}": f"invoices/{n}.pdf" for n in (1, 2, 3)})
    by_row = {r["_row"]: (r["Invoice No"], r["PDF"]) for r in records(path, "Invoices")}
    assert by_row == {
        4: ("INV-2026-0003", "invoices/3.pdf"),
        5: ("INV-2026-0002", "invoices/2.pdf"),
        6: ("INV-2026-0001", ""),
        12: ("INV-2026-0001", ""),
    }
    result = run(path)
    twins = [p for p in result.problems if "more than one row" in p.problem]
    assert [(p.tab, p.value) for p in twins] == [
        ("Invoices", "INV-2026-0001 (rows 6, 12)")
    ]


def test_a_cleared_pdf_header_gets_a_new_column_right_of_a_persons_notes(tmp_path):
    path = new_book(tmp_path)
    add_work(path, ("C1", D(2)))
    run(path)

    def clear_header(book: openpyxl.Workbook) -> None:
        sheet = book["Invoices"]
        header = [c.value for c in sheet[1]].index("PDF") + 1
        sheet.cell(row=1, column=header).value = None
        sheet["AB2"] = "a note right of every header"

    edit(path, clear_header)
    before = cells(path, "Invoices")
    plan_links(path, {"INV-2026-0001": "invoices/1.pdf"})
    after = cells(path, "Invoices")
    assert {k: after.get(k) for k in before} == before
    assert {k: v for k, v in after.items() if k not in before} == {
        (1, 28): "PDF",
        (2, 28): "invoices/1.pdf",
    }


def test_closed_lands_on_the_row_holding_the_exception_after_a_sort(tmp_path):
    path = new_book(tmp_path)
    add_work(path, ("X1", D(1)), ("X2", D(1)), ("X3", D(1)))
    run(path)

    def shuffle(book: openpyxl.Workbook) -> None:
        sheet = book["Exceptions"]
        rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
        sheet.delete_rows(2, sheet.max_row)
        sheet.insert_rows(2, 3)
        for offset, row in enumerate([rows[2], rows[0], rows[1]]):
            for column, value in enumerate(row, start=1):
                sheet.cell(row=5 + offset, column=column, value=value)
        sheet["J3"] = "in progress"  # a person's Status on a row without a problem
        time_log = book["Time Log"]
        time_log["C3"] = "C2"  # the row with X2 now names a real customer

    edit(path, shuffle)
    result = run(path)
    assert result.exceptions_closed == 1
    closed = {r["Value"]: r["Closed"] for r in records(path, "Exceptions")}
    assert closed["X2"] and not closed["X1"] and not closed["X3"]
    assert records(path, "Exceptions")[0]["Closed"] in ("", None)  # row 3


def test_hand_edits_of_a_google_sheet_lose_and_misplace_nothing(google_book, tmp_path):
    """The same edits on a Google Sheet: a row deleted, a totals row far below,
    Exceptions sorted under blank rows, a number copied to a second row."""
    tabs = {
        "Settings": [["Key", "Value"], *SETTINGS_ROWS],
        "Customers": [
            CUSTOMER_HEADERS,
            *[[c, f"Customer {c}", f"{c}@example.com", "EUR", None] for c in CUSTOMERS],
        ],
        "Rates": [RATE_HEADERS, [None, None, None, None, D(100), "hour", None]],
        "Time Log": [
            TIME_HEADERS,
            *[
                time_row(date(2026, 10, 5), "Ann", c, D(1))
                for c in ("C1", "X1", "C2", "X2")
            ],
        ],
    }
    book = google_book(tabs)
    state = tmp_path / "state.sqlite"

    def run_google() -> RunResult:
        return run_billing(
            book.workbook, CONFIG, state_path=state, as_of=AS_OF, is_dry_run=False
        )

    run_google()
    with book.server.lock:
        sheets = book.server.book(book.spreadsheet_id)
        invoices = sheets.sheet("Invoices")
        invoices.delete_rows(1, 2)  # INV-2026-0001 (0-based rows)
        invoices.cell(19, 0).value = "Total"
        invoices.cell(19, 9).value = 100
        invoices.cell(6, 0).value = "INV-2026-0002"  # a copy by hand
        exceptions = sheets.sheet("Exceptions")
        width = len(EXCEPTIONS.columns)  # the whole table, as a person sorts it
        exceptions.sort_rows(1, 3, 0, width, [(5, False)])  # by Value, X2 first
        exceptions.insert_rows(1, 2)
        time_log = sheets.sheet("Time Log")
        time_log.cell(2, 2).value = "C3"  # X1 fixed
        time_log.cell(5, 0).value = 46300  # 2026-10-07, new work
        for column, value in enumerate(["Bo", "C3", "Web", "Dev", 2]):
            time_log.cell(5, 1 + column).value = value
        for column, value in ((7, "yes"), (8, "yes")):
            time_log.cell(5, column).value = value
    before = {tab: dict(_google_cells(book, tab)) for tab in OUTPUT}
    result = run_google()
    assert [i.number for i in result.invoices] == ["INV-2026-0003"]
    for tab, filled in before.items():
        after = _google_cells(book, tab)
        assert {k: after.get(k) for k in filled} == filled
    rows = book.values("Invoices")
    assert [r[0] if r else "" for r in rows[20:]] == ["INV-2026-0003"]
    exceptions_now = book.records("Exceptions")
    closed = {r["Value"]: r.get("Closed") for r in exceptions_now}
    assert closed["X1"] and not closed["X2"]
    problems = {p.problem for p in result.problems}
    assert "INV-2026-0001 is no longer in the Invoices tab; sheetbill wrote it "
    "there and does not write it again." in problems
    assert any("more than one row" in p for p in problems)
    plan_links(book.workbook, {"INV-2026-0002": "a.pdf", "INV-2026-0003": "b.pdf"})
    links = {r["Invoice No"]: r.get("PDF") for r in book.records("Invoices")}
    assert links["INV-2026-0003"] == "b.pdf" and not links["INV-2026-0002"]


def test_a_number_typed_ahead_on_a_google_sheet_stops_the_run_before_drawing_it(
    google_book, tmp_path
):
    """A person typed the number sheetbill would draw next: drawing it would put
    one number on two invoices, so the run stops at once (no re-planning), writes
    nothing, and says how to go on; rebuilt from the sheet, it draws the next."""
    book = google_book(
        {
            "Settings": [["Key", "Value"], *SETTINGS_ROWS],
            "Customers": [CUSTOMER_HEADERS, ["C1", "One", "c@example.com", "EUR"]],
            "Rates": [RATE_HEADERS, [None, None, None, None, D(100), "hour", None]],
            "Time Log": [TIME_HEADERS, time_row(date(2026, 10, 5), "Ann", "C1", D(1))],
            "Invoices": [["Invoice No", "Note"], ["INV-2026-0001", "typed by hand"]],
            "Invoice Lines": [["Invoice No", "Line"], ["INV-2026-0001", 1]],
        }
    )
    state = tmp_path / "state.sqlite"
    with pytest.raises(StateMismatchError, match="INV-2026-0001"):
        run_billing(
            book.workbook, CONFIG, state_path=state, as_of=AS_OF, is_dry_run=False
        )
    assert book.server.count("values.batchUpdate") == 0
    rebuild_state(book.workbook, CONFIG, state_path=state)
    result = run_billing(
        book.workbook, CONFIG, state_path=state, as_of=AS_OF, is_dry_run=False
    )
    assert [i.number for i in result.invoices] == ["INV-2026-0002"]
    rows = book.values("Invoices")
    assert [r[0] for r in rows[1:]] == ["INV-2026-0001", "INV-2026-0002"]
    assert rows[1][1] == "typed by hand"


def _google_cells(book: Any, tab: str) -> dict[tuple[int, int], object]:
    return {
        (r, c): v
        for r, row in enumerate(book.values(tab), start=1)
        for c, v in enumerate(row)
        if v not in ("", None)
    }


# --- random hand edits between runs -------------------------------------------------

OUTPUT = ("Invoices", "Invoice Lines", "Exceptions", "Log")
# sheetbill columns whose header a person may clear.
HEADERS = {
    "Invoices": ("PDF", "Created By", "Invoice No", "Total"),
    "Invoice Lines": ("Invoice No", "Line"),
    "Exceptions": ("Closed", "Problem", "Tab"),
    "Log": ("Detail", "Time"),
}
Edit = tuple[Any, ...]


def _data_rows(sheet: Any) -> list[list[Any]]:
    return [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]


def _rewrite(sheet: Any, rows: list[list[Any]], *, at: int = 2) -> None:
    if sheet.max_row >= 2:
        sheet.delete_rows(2, sheet.max_row)
    for offset, row in enumerate(rows):
        for column, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(row=at + offset, column=column).value = value


KINDS = (
    "delete row",
    "sort",
    "insert blank rows",
    "type far below",
    "retype number",
    "note",
    "clear header",
    "swap columns",
    "delete tab",
    "fix customer",
)


def apply_edit(book: openpyxl.Workbook, edit: Edit) -> None:
    """One edit: (kind, tab, a: 0-9, b: 0-30, flag, text); each kind reads what it
    needs of a, b, flag and text."""
    kind, tab, a, b, flag, text = edit
    if kind == "fix customer":
        for row in book["Time Log"].iter_rows(min_row=2):
            if row[2].value and str(row[2].value).startswith("X"):
                row[2].value = "C1"
                break
        return
    if tab not in book.sheetnames:
        return
    sheet = book[tab]
    rows = _data_rows(sheet)
    filled = [i for i, r in enumerate(rows) if any(v is not None for v in r)]
    headers = [c.value for c in sheet[1]]
    if kind == "delete row" and filled:
        sheet.delete_rows(2 + filled[a % len(filled)])
    elif kind == "sort":
        column = b % 7
        rows.sort(
            key=lambda r: str(r[column]) if column < len(r) and r[column] else "~",
            reverse=flag,
        )
        _rewrite(sheet, rows)
    elif kind == "insert blank rows":
        sheet.insert_rows(2 + a % (len(rows) + 1), 1 + b % 3)
    elif kind == "type far below":
        sheet.cell(row=sheet.max_row + 1 + a, column=b + 1).value = text
    elif kind == "retype number" and filled:
        numbers = [r[0] for r in rows if r and r[0]]
        typed = numbers[b % len(numbers)] if flag and numbers else "INV-by-hand"
        sheet.cell(row=2 + filled[a % len(filled)], column=1).value = typed
    elif kind == "note" and filled:
        # At or right of the last header: where a column sheetbill adds could go.
        last = max((i for i, h in enumerate(headers) if h), default=0)
        sheet.cell(
            row=2 + filled[a % len(filled)], column=last + 1 + b % 3
        ).value = text
    elif kind == "clear header":
        name = HEADERS[tab][b % len(HEADERS[tab])]
        if name in headers:
            sheet.cell(row=1, column=headers.index(name) + 1).value = None
    elif kind == "swap columns":
        first, second = a, b % 13
        for row in sheet.iter_rows(min_row=1):
            if max(first, second) < len(row):
                one, two = row[first], row[second]
                one.value, two.value = two.value, one.value
    elif kind == "delete tab":
        del book[tab]


edits = st.tuples(
    st.sampled_from(KINDS),
    st.sampled_from(OUTPUT),
    st.integers(0, 9),
    st.integers(0, 30),
    st.booleans(),
    st.sampled_from(["Total", "checked by Bo", "n/a"]),
)

work = st.lists(st.sampled_from(["C1", "C2", "C3", "X1", "X2"]), max_size=3)


def check_run(path: Path, before: dict[str, dict], result: RunResult) -> None:
    """The invariants of one run over a book a person edited."""
    book = ExcelWorkbook(path, backups=0).read()
    for tab, filled in before.items():
        after = cells(path, tab)
        changed = {k: (v, after.get(k)) for k, v in filled.items() if after.get(k) != v}
        assert not changed, f"{tab}: a filled cell was written over: {changed}"
    with StateDB(path.with_suffix(".sqlite")) as state:
        billed = state.billed_rows()
        assert state.pending_invoices() == []
        invoices = state.invoices(state.invoice_numbers())
    for row in records(path, "Time Log"):
        if row["Row ID"] or row["Invoice No"]:
            assert billed[row["Row ID"]].invoice_no == row["Invoice No"]
    ids = [r["Row ID"] for r in records(path, "Time Log") if r["Row ID"]]
    assert len(ids) == len(set(ids))
    reported = open_exceptions(path)

    def is_reported(tab: str, number: str, words: str) -> bool:
        for r in reported:
            value = str(r.get("Value") or "")
            first, _, last = value.partition(" … ")
            names = value.split(" ")[0] == number or first <= number <= last
            if r.get("Tab") == tab and words in str(r.get("Problem")) and names:
                return True
        return False

    numbers_of = {
        tab: [r.get("Invoice No") for r in records(path, tab)]
        if tab in book.tables
        else []
        for tab in ("Invoices", "Invoice Lines")
    }
    fresh = {i.number for i in result.invoices}
    last_row = {
        tab: max((r for r, _ in filled), default=1) for tab, filled in before.items()
    }
    for invoice in invoices:
        count = numbers_of["Invoices"].count(invoice.number)
        if invoice.number in fresh:
            own = [
                r
                for r in records(path, "Invoices")
                if r["Invoice No"] == invoice.number
                and r["_row"] > last_row.get("Invoices", 1)
            ]
            assert len(own) == 1 and own[0]["Customer ID"] == invoice.customer_id
            assert D(str(own[0]["Total"])) == invoice.total
            assert invoice.number in numbers_of["Invoice Lines"]
        if count == 0:
            assert is_reported("Invoices", invoice.number, "Invoices tab")
        elif count > 1:
            assert is_reported("Invoices", invoice.number, "more than one row")
        if invoice.number not in numbers_of["Invoice Lines"]:
            assert is_reported("Invoice Lines", invoice.number, "Invoice Lines tab")
    current = {p.key for p in result.problems}
    closed_at = _closed_column(path)
    shown = set()
    for row in records(path, "Exceptions"):
        at = row.get("Row")
        key = (
            str(row.get("Tab") or ""),
            _shown_row(at),
            str(row.get("Column") or ""),
            str(row.get("Problem") or ""),
        )
        if not row.get("Closed"):
            shown.add(key)
        elif (row["_row"], closed_at) not in before.get("Exceptions", {}):
            assert key[3] and key not in current, f"closed a live row: {row}"
    assert current <= shown, f"problems without an open row: {current - shown}"


def _shown_row(value: object) -> str:
    """A Row cell as `Problem.key` has it (calamine reads 3 as 3.0)."""
    if value in ("", None):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _closed_column(path: Path) -> int:
    try:
        headers = calamine_rows(path, "Exceptions")[0]
    except python_calamine.WorksheetNotFound:
        return -1
    return headers.index("Closed") if "Closed" in headers else -1


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=st.lists(st.tuples(st.lists(edits, max_size=4), work), max_size=3))
def test_hand_edits_between_runs_never_lose_or_misplace_sheetbills_rows(
    tmp_path_factory, steps
):
    path = new_book(tmp_path_factory.mktemp("book"))
    add_work(path, ("C1", D(1)), ("X1", D(1)), ("C2", D(2)))
    run(path)
    for edit_list, customers in steps:
        edit(path, lambda book: [apply_edit(book, e) for e in edit_list])
        if customers:
            add_work(path, *[(c, D(1)) for c in customers])
        before = {tab: cells(path, tab) for tab in ExcelWorkbook(path).read().tables}
        result = run(path)
        check_run(path, before, result)
