"""Property: whatever cells are written into a fresh sheet, calamine reads back the
same values at the same places (the last write to a cell wins)."""

from __future__ import annotations

import os
import tempfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheetbill.domain.sheet import (
    CellValue,
    CellWrite,
    ColumnSpec,
    TabSpec,
    WorkbookChanges,
)
from sheetbill.workbook.excel import ExcelWorkbook

SHEET = TabSpec("Data", tuple(ColumnSpec(f"C{i}") for i in range(8)))

# Text of any character a workbook can hold: not lone surrogates nor U+FFFE/U+FFFF
# (those become U+FFFD, tested on their own).
texts = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs",), blacklist_characters="\ufffe\uffff"
    ),
    max_size=30,
)
# Excel keeps 15 significant digits.
numbers = st.builds(
    lambda digits, exponent: Decimal(digits).scaleb(exponent),
    st.integers(-(10**15) + 1, 10**15 - 1),
    st.integers(-12, 6),
)
dates = st.dates(min_value=date(1900, 3, 1), max_value=date(9999, 12, 31))
# calamine keeps milliseconds; whole seconds make the comparison exact.
moments = st.datetimes(
    min_value=datetime(1900, 3, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)
).map(lambda moment: moment.replace(microsecond=0))
values = st.one_of(texts, numbers, dates, moments, st.booleans(), st.none())
writes = st.lists(
    st.tuples(st.integers(2, 25), st.integers(0, 9), values), min_size=1, max_size=30
)


def _as_read(value: CellValue) -> CellValue:
    """What a written value reads back as: "" is empty, a datetime at midnight is a
    date (calamine decides by the serial number)."""
    if value == "":
        return None
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date()
    return value


@settings(
    max_examples=int(os.environ.get("SHEETBILL_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(writes)
def test_excel_cells_read_back_as_written(
    cells: list[tuple[int, int, CellValue]],
) -> None:
    expected: dict[tuple[int, int], CellValue] = {}
    for row, column, value in cells:
        expected[(row, column)] = _as_read(value)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "book.xlsx"
        ExcelWorkbook.create_new(path, [SHEET])
        book = ExcelWorkbook(path, backups=0)
        changes = WorkbookChanges(
            writes={"Data": tuple(CellWrite(r, c, v) for r, c, v in cells)}
        )
        book.apply(changes, expected_version=book.read().version)
        table = book.read().tables["Data"]
    got = {
        (row.number, column): value
        for row in table.rows
        for column, value in enumerate(row.cells)
        if value is not None
    }
    present = {row.number for row in table.rows}
    for (row, column), value in expected.items():
        if value is None:
            assert (row, column) not in got
        elif row in present:
            assert got.get((row, column)) == value, (row, column)
        else:
            # Rows of blank text only are dropped by the reader, as blank rows.
            assert isinstance(value, str) and not value.strip()
    assert set(got) <= set(expected)
