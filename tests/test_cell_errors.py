"""A cell whose formula failed (#DIV/0!, #N/A ...) or whose result was never saved is
reported as exactly that, in every column sheetbill reads: never read as 0, as blank,
or as text that could be printed on an invoice."""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from paths import ROOT

from sheetbill.domain.cells import ERROR_VALUES
from sheetbill.domain.model import Severity
from sheetbill.domain.sheet import CellValue, UnsavedFormula
from sheetbill.tabs.validation import validate_book
from sheetbill.workbook.excel import ExcelWorkbook

from helpers import (
    CUSTOMER_HEADERS,
    ORDER_HEADERS,
    RATE_HEADERS,
    SETTINGS_ROWS,
    TIME_HEADERS,
    small_book,
    time_row,
)

sys.path.insert(0, str(ROOT / "tests" / "reliability"))
from raw_xlsx import RawCell, number, text, write_xlsx

D = Decimal
TODAY = date(2026, 11, 2)
DAY = date(2026, 10, 1)
ORDER = [DAY, "C1", "Widget", D(2), D(10), None, "Two widgets", None, None, None]
CUSTOMER = ["C1", "Alpha GmbH", "a@alpha.example", "EUR", None, None]
RATE = [None, None, None, None, D(100), "hour", None]

# Every column a person fills that sheetbill reads, of every kind: text, number,
# percent, date, yes/no.
COLUMNS = (
    [
        ("Time Log", c)
        for c in TIME_HEADERS
        if c not in ("Invoice No", "Row ID")  # sheetbill's own
    ]
    + [("Orders", c) for c in ("Date", "Customer ID", "Item", "Quantity", "Unit Price")]
    + [("Orders", c) for c in ("Tax Rate", "Description", "Tax Category")]
    + [("Customers", c) for c in CUSTOMER_HEADERS]
    + [("Rates", c) for c in ("Activity", "Rate", "Unit", "Currency")]
)


def book_with(tab: str, column: str, value: CellValue):
    """The small book with one good row per tab and `value` in one of its cells."""

    def put(headers, row):
        return [value if h == column else c for h, c in zip(headers, row, strict=True)]

    rows = {
        "Time Log": (TIME_HEADERS, time_row(DAY, "Ann", "C1", D(2), description="x")),
        "Orders": (ORDER_HEADERS, ORDER),
        "Customers": (CUSTOMER_HEADERS, CUSTOMER),
        "Rates": (RATE_HEADERS, RATE),
    }
    return small_book(
        customers=[put(*rows["Customers"]) if tab == "Customers" else CUSTOMER],
        rates=[put(*rows["Rates"]) if tab == "Rates" else RATE],
        time_rows=[
            put(*rows["Time Log"]) if tab == "Time Log" else rows["Time Log"][1]
        ],
        order_rows=[put(*rows["Orders"]) if tab == "Orders" else ORDER],
    )


def reported(tab: str, column: str, value: CellValue):
    data = validate_book(book_with(tab, column, value), today=TODAY, billed={})
    mine = [p for p in data.problems if (p.tab, p.row, p.column) == (tab, 2, column)]
    assert len(mine) == 1, data.problems
    # Nothing billed shows the value as text.
    shown = [
        *(e.description for e in data.time_entries),
        *(o.description for o in data.orders),
        *(f for c in data.customers.values() for f in (c.name, c.address)),
    ]
    assert all(str(value) not in text for text in shown)
    return mine[0], data


@pytest.mark.parametrize("error", sorted(ERROR_VALUES))
@pytest.mark.parametrize(("tab", "column"), COLUMNS)
def test_an_error_value_is_reported_as_that_error_in_every_column(tab, column, error):
    problem, data = reported(tab, column, error)
    assert problem.value == error
    assert problem.severity is Severity.ERROR
    assert problem.problem.startswith(f"{column} holds the error {error}:")
    assert problem.fix
    if tab == "Time Log":
        assert data.time_entries == ()
    if tab == "Orders":
        assert data.orders == ()


@pytest.mark.parametrize(("tab", "column"), COLUMNS)
def test_a_formula_without_a_saved_result_is_reported_in_every_column(tab, column):
    """Never blank (Hours then came from Start and End), never its text."""
    problem, _ = reported(tab, column, UnsavedFormula("=F2-E2"))
    assert problem.value == "=F2-E2"
    assert "holds the formula =F2-E2 but no result" in problem.problem
    assert "Excel or LibreOffice and save it" in problem.fix


@pytest.mark.parametrize("error", ["#REF!", "#N/A", UnsavedFormula("=B7")])
@pytest.mark.parametrize(
    "key", ["Company Name", "Default Tax Rate", "Locale", "Number Pattern", "IBAN"]
)
def test_an_error_in_a_setting_is_reported_on_its_row_and_never_used(key, error):
    settings = [r for r in SETTINGS_ROWS if r[0] != key] + [[key, error]]
    data = validate_book(small_book(settings=settings), today=TODAY, billed={})
    (problem,) = [p for p in data.problems if p.tab == "Settings"]
    assert (problem.row, problem.column, problem.value) == (
        len(settings) + 1,
        "Value",
        str(error),
    )
    assert str(error) in problem.problem
    assert str(error) not in str(data.settings)


def test_the_excel_reader_tells_a_formula_without_result_from_an_empty_cell(
    tmp_path: Path,
):
    """openpyxl and other programs write formulas without results; Excel and
    LibreOffice always save the result, an empty text result included."""

    class Formula(RawCell):
        def xml(self, ref: str) -> str:
            kind = f' t="{self.kind}"' if self.kind != "n" else ""
            return f'<c r="{ref}"{kind}>{self.text}</c>'

    path = tmp_path / "formulas.xlsx"
    cells = [
        Formula("n", "<f>F2-E2</f>"),
        Formula("n", "<f>A1&amp;&quot;x&quot;</f><v/>"),
        Formula("n", "<f>B2</f><v></v>"),
        Formula("str", "<f>C2</f>"),
        Formula("n", '<f t="shared" si="0"/>'),
        Formula("str", '<f>IF(A1="","",A1)</f><v></v>'),  # saved: an empty text
        Formula("n", "<f>1+1</f><v>2</v>"),
        None,
        text("last"),
    ]
    headers = [text(f"H{i}") for i in range(len(cells))]
    write_xlsx(path, {"Sheet": [headers, cells, [number(1)]]})
    row = ExcelWorkbook(path).read().tables["Sheet"].rows[0]
    assert row.number == 2
    assert row.cells == (
        "=F2-E2",
        '=A1&"x"',
        "=B2",
        "=C2",
        "=…",
        None,
        D(2),
        None,
        "last",
    )
    assert [type(c) is UnsavedFormula for c in row.cells[:5]] == [True] * 5


def test_formulas_without_result_are_found_in_prefixed_and_indented_sheets():
    """Cells as other writers lay them out: a namespace prefix, line breaks."""
    from sheetbill.workbook.xlsx_safety import _scan_sheet

    xml = (
        b'<x:worksheet xmlns:x="main"><x:sheetData><x:row r="2">\n'
        b'  <x:c r="A2">\n    <x:f>1/3</x:f>\n    <x:v />\n  </x:c>\n'
        b'  <x:c r="B2"><x:f>A2</x:f><x:v>0.3</x:v></x:c>\n'
        b'  <x:c r="C2" t="str"><x:f>""</x:f><x:v></x:v></x:c>\n'
        b'  <x:c r="D2"><x:f t="shared" si="0" /></x:c>\n'
        b"</x:row></x:sheetData></x:worksheet>"
    )
    errors = _scan_sheet(iter([xml]), "x:worksheet").errors
    assert errors == {(2, 0): "=1/3", (2, 3): "=…"}
    assert all(type(v) is UnsavedFormula for v in errors.values())
