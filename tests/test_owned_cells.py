"""A person's value in sheetbill's own cells of a billed row (Row ID, Invoice No):
the row is never billed twice, the value is never written over, the problem is on
its cell, and the next run changes and opens nothing.

Found by hypothesis (test_any_cell_value): a Row ID of 0 was taken for an ID. Two
orders with 0 were a row and its "copy"; the first was billed and its 0 written
over with O-000001, so on the next run the second was no copy any more and was
billed then, and a blank row with 0 opened its exceptions anew on every run.
"""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from pathlib import Path

import pytest

from sheetbill.config import Config
from sheetbill.domain.cells import show
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.row_ids import is_invoice_number, is_row_id, kind_of_value
from sheetbill.domain.sheet import CellValue, SerialFormat
from sheetbill.testing import MemoryWorkbook
from sheetbill.usecases.run import RunResult, run_billing

from helpers import ORDER_HEADERS, TIME_HEADERS, small_book, time_row

D = Decimal
AS_OF = date(2026, 11, 2)
DAY = date(2026, 10, 1)
ORDER = [DAY, "C1", "Box", D(2), D(5), None, None, None, None, None]
TABS = {"Time Log": TIME_HEADERS, "Orders": ORDER_HEADERS}

# Values a person typed, or a formula gave, in a cell sheetbill writes.
VALUES: dict[str, CellValue] = {
    "zero": D(0),
    "number": D(7),
    "TRUE": True,
    "FALSE": False,
    "date": date(2026, 10, 5),
    "time": time(8, 30),
    "text": "ask Ann",
    "error": "#N/A",
}
ROW_ID_PROBLEM = dict.fromkeys(VALUES, ProblemCode.ROW_ID_NOT_SHEETBILLS) | {
    "error": ProblemCode.CELL_FORMULA_FAILED
}
# A number or text in Invoice No is the number of an invoice made elsewhere: such a
# row is billed already, and says nothing (docs/decisions.md).
INVOICE_NO_PROBLEM: dict[str, ProblemCode | None] = dict.fromkeys(
    VALUES, ProblemCode.ROW_INVOICE_NO_UNCLEAR
) | {"number": None, "text": None, "error": ProblemCode.CELL_FORMULA_FAILED}


def _book(tab: str, column: str, value: CellValue) -> MemoryWorkbook:
    """One clean row on each tab (row 2), and on `tab` a second row (row 3) with
    `value` in `column`."""
    time_rows = [time_row(DAY, "Ann", "C1", D(1))]
    order_rows = [list(ORDER)]
    rows = time_rows if tab == "Time Log" else order_rows
    rows.append(list(rows[0]))
    rows[1][TABS[tab].index(column)] = value
    return MemoryWorkbook(small_book(time_rows=time_rows, order_rows=order_rows))


def _run(book: MemoryWorkbook, state: Path) -> RunResult:
    return run_billing(
        book, Config(documents=False), state_path=state, as_of=AS_OF, is_dry_run=False
    )


def _billed_rows(result: RunResult, tab: str) -> list[int]:
    return sorted(s.row for i in result.invoices for s in i.sources if s.tab == tab)


def _twice(
    tmp_path: Path, tab: str, column: str, value: CellValue
) -> tuple[MemoryWorkbook, RunResult]:
    book = _book(tab, column, value)
    state = tmp_path / "state.sqlite"
    first = _run(book, state)
    assert _billed_rows(first, tab) == [2]  # the clean row; never row 3
    second = _run(book, state)
    assert second.invoices == ()
    assert second.exceptions_opened == 0
    assert tab not in second.changes.writes
    # The person's value stands, and sheetbill wrote nothing beside it.
    cells = book.cells[tab]
    other = "Invoice No" if column == "Row ID" else "Row ID"
    assert cells.get((3, TABS[tab].index(column))) == value
    assert (3, TABS[tab].index(other)) not in cells
    return book, first


@pytest.mark.parametrize("kind", sorted(VALUES))
@pytest.mark.parametrize("tab", sorted(TABS))
def test_a_persons_row_id_holds_the_row_and_is_kept(
    tmp_path: Path, tab: str, kind: str
) -> None:
    value = VALUES[kind]
    _, first = _twice(tmp_path, tab, "Row ID", value)
    [problem] = [p for p in first.problems if p.tab == tab]
    assert (problem.row, problem.column, problem.code) == (
        3,
        "Row ID",
        ROW_ID_PROBLEM[kind],
    )
    assert problem.value == show(value)
    if problem.code is ProblemCode.ROW_ID_NOT_SHEETBILLS:
        assert f"Row ID holds {kind_of_value(value, None)}," in problem.problem
        assert problem.fix.startswith("Clear the Row ID cell")
        assert ("T-000012" if tab == "Time Log" else "O-000012") in problem.fix


@pytest.mark.parametrize("kind", sorted(VALUES))
@pytest.mark.parametrize("tab", sorted(TABS))
def test_a_persons_invoice_no_is_billed_elsewhere_or_explained(
    tmp_path: Path, tab: str, kind: str
) -> None:
    value = VALUES[kind]
    _, first = _twice(tmp_path, tab, "Invoice No", value)
    problems = [(p.row, p.column, p.code) for p in first.problems if p.tab == tab]
    code = INVOICE_NO_PROBLEM[kind]
    assert problems == ([] if code is None else [(3, "Invoice No", code)])


@pytest.mark.parametrize("tab", sorted(TABS))
def test_two_rows_with_row_id_zero_are_no_copies_and_neither_is_billed(
    tmp_path: Path, tab: str
) -> None:
    """The example hypothesis found: once, the first was billed and the second on
    the next run; and a blank row with only 0 in Row ID opened its problems again
    on every run."""
    at = TABS[tab].index("Row ID")
    first_row = time_row(DAY, "Ann", "C1", D(1)) if tab == "Time Log" else [*ORDER]
    rows = [list(first_row), list(first_row), [None] * len(TABS[tab])]
    for row in rows:
        row[at] = D(0)
    book = MemoryWorkbook(
        small_book(**{"time_rows" if tab == "Time Log" else "order_rows": rows})
    )
    state = tmp_path / "state.sqlite"
    first = _run(book, state)
    assert first.invoices == ()
    assert [(p.row, p.column, p.code) for p in first.problems if p.tab == tab] == [
        (row, "Row ID", ProblemCode.ROW_ID_NOT_SHEETBILLS) for row in (2, 3, 4)
    ]
    second = _run(book, state)
    assert (second.invoices, second.exceptions_opened) == ((), 0)
    assert tab not in second.changes.writes
    # The fix the problem names: clear the cell, and the row is billed once.
    del book.cells[tab][(2, at)]
    third = _run(book, state)
    assert _billed_rows(third, tab) == [2]
    assert str(book.cells[tab][(2, at)])[:2] in ("T-", "O-")
    assert _run(book, state).invoices == ()


def test_an_invoice_no_written_over_names_the_invoice_that_billed_the_row(
    tmp_path: Path,
) -> None:
    book = _book("Orders", "Row ID", None)
    state = tmp_path / "state.sqlite"
    _run(book, state)
    at = ORDER_HEADERS.index("Invoice No")
    number = book.cells["Orders"][(2, at)]
    book.cells["Orders"][(2, at)] = True
    again = _run(book, state)
    assert again.invoices == ()
    [problem] = [p for p in again.problems if p.tab == "Orders"]
    assert problem.code is ProblemCode.ROW_INVOICE_NO_UNCLEAR
    assert problem.fix == f"This row was billed on {number}: write {number} back " + (
        "into Invoice No."
    )


@pytest.mark.parametrize(
    ("value", "serial", "expected"),
    [
        ("INV-7", None, True),
        (D(1234), None, True),
        (D(0), None, False),
        (D(-3), None, False),
        (D("12.5"), None, False),
        (D("Infinity"), None, False),
        (D(46000), SerialFormat.DATE, False),  # a date on Google Sheets
        (True, None, False),
        (date(2026, 1, 1), None, False),
    ],
)
def test_is_invoice_number(value: CellValue, serial: SerialFormat | None, expected):
    assert is_invoice_number(value, serial) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("T-000012", True),
        (" O-000003 ", True),
        ("R-1", True),
        ("0", False),
        (D(0), False),
        (True, False),
        ("T-", False),
        ("hello", False),
    ],
)
def test_is_row_id(value: CellValue, expected: bool) -> None:
    assert is_row_id(value) is expected


def test_kind_of_value_reads_a_google_serial_as_its_format() -> None:
    assert kind_of_value(D(46000), SerialFormat.DATE) == "a date"
    assert kind_of_value(D("0.5"), SerialFormat.TIME) == "a time"
    assert kind_of_value(D(0), None) == "a number"
