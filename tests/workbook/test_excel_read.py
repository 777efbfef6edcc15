"""Reading: where tables start, how cells are typed, and how fast a big sheet reads."""

from __future__ import annotations

import shutil
import zipfile
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from xlsx_testing import (
    FEATURES,
    big_workbook,
    new_book,
    rewrite_zip,
    zip_text,
)

from sheetbill.domain.sheet import (
    CellWrite,
    WorkbookChanges,
)
from sheetbill.workbook import xlsx_sheet
from sheetbill.workbook.excel import ExcelWorkbook


def test_excel_read_table_starts_at_first_non_blank_row(tmp_path: Path) -> None:
    """Rows keep their real sheet numbers and cells their absolute columns, even when
    the data starts at C4."""
    table = ExcelWorkbook(FEATURES / "table-sample.xlsx").read().tables["Tabelle1"]
    assert table.header_row == 4
    assert table.headers[:3] == ("", "", "Field 1")
    assert table.headers[6] == "Field 5"  # "Field 4 " is stripped, "Field 5" kept
    assert table.headers[5] == "Field 4"
    assert [row.number for row in table.rows] == [5, 6, 7, 8, 9]
    assert table.rows[0].cells[:3] == (None, None, "a")
    assert table.last_row == 9


def test_excel_read_types_cells_at_the_boundary(tmp_path: Path) -> None:
    """Numbers become Decimal (0.1 stays 0.1, 1.0 becomes 1), "" becomes None, text
    keeps its spaces, and dates, times and booleans stay themselves."""
    book_path = new_book(tmp_path)
    book = ExcelWorkbook(book_path)
    writes = [
        CellWrite(2, 0, "  padded  "),
        CellWrite(2, 2, Decimal("0.1")),
        CellWrite(2, 4, Decimal("1.0")),
        CellWrite(2, 5, True),
        CellWrite(2, 6, clock(7, 30)),
        CellWrite(2, 7, ""),
        CellWrite(2, 8, Decimal("12345678901234")),
        CellWrite(3, 1, date(2026, 2, 1)),
        CellWrite(3, 5, datetime(2026, 2, 1, 13, 45)),
    ]
    changes = WorkbookChanges(writes={"People": tuple(writes)})
    book.apply(changes, expected_version=book.read().version)
    rows = book.read().tables["People"].rows
    assert rows[0].cells == (
        "  padded  ",
        None,
        Decimal("0.1"),
        None,
        Decimal(1),
        True,
        clock(7, 30),
        None,
        Decimal("12345678901234"),
    )
    assert str(rows[0].cells[4]) == "1"
    assert rows[1].cells == (
        None,
        date(2026, 2, 1),
        None,
        None,
        None,
        datetime(2026, 2, 1, 13, 45),
    )
    for value in (*rows[0].cells, *rows[1].cells):
        assert type(value) in (str, Decimal, bool, date, datetime, clock, type(None))


def test_excel_read_durations(tmp_path: Path) -> None:
    """A duration under a day reads like a clock time; a longer one as the text
    Excel shows, never as a bare number of days."""
    path = tmp_path / "durations.xlsx"
    sheet = openpyxl.Workbook()
    cells = sheet.active
    cells["A1"] = "Hours"
    for row, value in ((2, timedelta(hours=7, minutes=30)), (3, timedelta(hours=25.5))):
        cells.cell(row=row, column=1, value=value).number_format = "[h]:mm:ss"
    sheet.save(path)
    rows = ExcelWorkbook(path).read().tables[cells.title].rows
    assert [row.cells[0] for row in rows] == [clock(7, 30), "25:30:00"]


def test_excel_read_empty_and_chart_tabs(tmp_path: Path) -> None:
    """Empty worksheets are tables without headers; chart sheets are only names."""
    snapshot = ExcelWorkbook(FEATURES / "WithChartSheet.xlsx").read()
    assert "Chart2" in snapshot.tab_names
    assert "Chart2" not in snapshot.tables
    empty = ExcelWorkbook(FEATURES / "template.xlsx").read().tables["Feuil1"]
    assert (empty.header_row, empty.headers, empty.rows, empty.last_row) == (
        1,
        (),
        (),
        0,
    )


def test_excel_read_error_values_are_not_empty(tmp_path: Path) -> None:
    """calamine shows #REF! as empty; sheetbill shows its text so the cell does not
    look free to write into."""
    table = ExcelWorkbook(FEATURES / "customIndexedColors.xlsx").read().tables
    assert table["_TGK_HIDDEN"].headers[1] == "#REF!"


def test_excel_read_version_follows_content(tmp_path: Path) -> None:
    book_path = new_book(tmp_path)
    first = ExcelWorkbook(book_path).read().version
    copy = tmp_path / "copy.xlsx"
    shutil.copyfile(book_path, copy)
    assert ExcelWorkbook(copy).read().version.split(":")[0] == first.split(":")[0]
    sheet = zip_text(book_path, "xl/worksheets/sheet1.xml").replace("Name", "Nom")
    rewrite_zip(book_path, {"xl/worksheets/sheet1.xml": sheet.encode()})
    assert ExcelWorkbook(book_path).read().version.split(":")[0] != first.split(":")[0]


@pytest.mark.slow
def test_excel_big_sheet_appends_without_parsing_the_sheet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """100,000 rows x 12 columns read whole; appending a few rows parses only the new
    rows' XML, not the 20 MB sheet (speed itself is measured by `make bench`)."""
    path = tmp_path / "big.xlsx"
    big_workbook(path, 100_000)
    book = ExcelWorkbook(path, backups=0)
    snapshot = book.read()
    table = snapshot.tables["Time Log"]
    assert len(table.rows) == 100_000
    assert table.rows[-1].cells[11] == "R100001"
    parsed: list[int] = []
    parse_xml = xlsx_sheet.parse_xml

    def counted(data: bytes, part: str) -> object:
        parsed.append(len(data))
        return parse_xml(data, part)

    monkeypatch.setattr(xlsx_sheet, "parse_xml", counted)
    writes = tuple(CellWrite(table.last_row + i, 11, f"new {i}") for i in range(1, 11))
    book.apply(
        WorkbookChanges(writes={"Time Log": writes}), expected_version=snapshot.version
    )
    assert sum(parsed) < 100_000  # the sheet is ~20 MB of XML
    with zipfile.ZipFile(path) as archive:
        assert b"new 10" in archive.read("xl/worksheets/sheet1.xml")
