"""Reading an .xlsx with python-calamine into `Table`s of plain typed cells.

Cells cross the boundary as: numbers -> Decimal (`Decimal(repr(f))`, so 0.1 stays 0.1
and 1.0 becomes 1); "" -> None; text as stored (not stripped); bool; date, datetime and
time as calamine gives them for date-formatted cells. A duration ([h]:mm) under one day
becomes a `time` like a clock-formatted cell; a longer or negative one becomes its text
as Excel shows it ("25:30:00"), so nothing silently reads as a number of days. Error
values read as their text ("#N/A"), since calamine would show them as empty and a
person's cell must not look free. Chart and macro sheets are listed but not read.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import python_calamine

from sheetbill.collection import cycle_collection_paused
from sheetbill.errors import WorkbookError
from sheetbill.workbook.base import CellValue, SheetRow, Table, header_text
from sheetbill.workbook.xlsx_package import Package, serialize_xml
from sheetbill.workbook.xlsx_safety import check_contents, open_checked
from sheetbill.workbook.xlsx_zip import NewMember, write_zip


@cycle_collection_paused()  # a big sheet is a million small objects that all live on
def read_tables(data: bytes, path: Path) -> tuple[dict[str, Table], tuple[str, ...]]:
    """Every worksheet of the workbook in `data` as a Table, and all tab names in order.

    `data` goes through the safety checks first; calamine only sees what passed them.
    """
    archive, scan = open_checked(data, path)
    package = Package(archive, path)
    parts = {entry.part: entry.name for entry in package.sheets if entry.part}
    check_contents(archive, scan, parts, path)
    try:
        view = _calamine_view(data, package)
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(view))
        metadata = book.sheets_metadata
    except Exception as exc:  # calamine raises its own tree and plain ValueErrors
        raise _calamine_error(exc, path, None) from exc
    tables: dict[str, Table] = {}
    names: list[str] = []
    parts_by_tab = {entry.name: entry.part for entry in package.sheets}
    for sheet_meta in metadata:
        names.append(sheet_meta.name)
        if sheet_meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
            continue
        sheet_scan = scan.sheets.get(parts_by_tab.get(sheet_meta.name) or "")
        errors = sheet_scan.errors if sheet_scan else {}
        tables[sheet_meta.name] = _read_sheet(book, sheet_meta.name, path, errors)
    return tables, tuple(names)


def _calamine_view(data: bytes, package: Package) -> bytes:
    """The package as calamine can open it.

    calamine only looks for the workbook at xl/workbook.xml; a package whose main part
    lives elsewhere (found through _rels/.rels) gets a copy there, with a relationships
    part whose targets are absolute so they still resolve.
    """
    if package.workbook_part == "xl/workbook.xml":
        return data
    if package.member_name("xl/workbook.xml") is not None:
        raise WorkbookError(
            "this workbook's parts are laid out in a way sheetbill cannot read "
            "(xl/workbook.xml is not the workbook)",
            path=package.path,
        )
    rels = package.parse(package.workbook_rels_part)
    for node in rels:
        if node.get("TargetMode") == "External" or not node.get("Target"):
            continue
        for relation in package.workbook_rels:
            if relation.id == node.get("Id") and relation.part:
                node.set("Target", "/" + relation.part)
    added = [
        NewMember("xl/workbook.xml", package.read(package.workbook_part)),
        NewMember("xl/_rels/workbook.xml.rels", serialize_xml(rels)),
    ]
    return write_zip(package.archive, replaced={}, added=added)


def _read_sheet(
    book: python_calamine.CalamineWorkbook,
    tab: str,
    path: Path,
    errors: Mapping[tuple[int, int], str],
) -> Table:
    try:
        sheet = book.get_sheet_by_name(tab)
        start = sheet.start
        end = sheet.end
    except Exception as exc:  # see read_tables
        raise _calamine_error(exc, path, tab) from exc
    if start is None or end is None:
        return Table(tab=tab, header_row=1, headers=(), rows=(), last_row=0)
    first_row, first_col = start
    try:
        # to_python skips the empty rows and columns before `start` (iter_rows does not
        # skip the rows), so row i of the result is sheet row first_row + i + 1.
        rows = sheet.to_python(skip_empty_area=True)
    except Exception as exc:  # see read_tables
        raise _calamine_error(exc, path, tab) from exc
    for (row, column), text in errors.items():
        y, x = row - first_row - 1, column - first_col
        if 0 <= y < len(rows) and 0 <= x < len(rows[y]):
            rows[y][x] = text
    return _table(tab, rows, first_row, first_col, end[0] + 1)


def _table(
    tab: str, rows: Iterable[list[Any]], first_row: int, first_col: int, last_row: int
) -> Table:
    pad: list[CellValue] = [None] * first_col
    header_row = 0
    headers: tuple[str, ...] = ()
    found: list[SheetRow] = []
    convert = _CellConverter().row
    for offset, raw in enumerate(rows):
        cells = convert(raw)
        while cells and cells[-1] is None:
            cells.pop()
        if not cells or _is_blank(cells):
            continue
        number = first_row + offset + 1
        if not header_row:
            header_row = number
            headers = tuple(header_text(v) for v in pad + cells)
            continue
        found.append(
            SheetRow(number, tuple(pad + cells) if first_col else tuple(cells))
        )
    if not header_row:
        return Table(tab=tab, header_row=1, headers=(), rows=(), last_row=last_row)
    return Table(
        tab=tab,
        header_row=header_row,
        headers=headers,
        rows=tuple(found),
        last_row=last_row,
    )


def _is_blank(cells: list[CellValue]) -> bool:
    for value in cells:
        if value is not None and not (isinstance(value, str) and not value.strip()):
            return False
    return True


class _CellConverter:
    """Turns calamine values into CellValues; numbers are cached because sheets repeat
    them a lot (the conversion is most of the reading time after calamine's own)."""

    def __init__(self) -> None:
        self.numbers: dict[float, Decimal | None] = {}

    def row(self, raw: list[Any]) -> list[CellValue]:
        convert = self.cell
        return [(v or None) if type(v) is str else convert(v) for v in raw]

    def cell(self, value: Any) -> CellValue:
        kind = type(value)
        if kind is float:
            number = self.numbers.get(value)
            if number is None:
                number = self.numbers[value] = _number(value)
            return number
        if kind in _AS_IS:
            return value  # type: ignore[no-any-return]
        return _CONVERTERS[kind](value)  # type: ignore[no-any-return]


def _number(value: float) -> Decimal | None:
    if not math.isfinite(value):
        return None
    if value.is_integer():
        if abs(value) < 2**53:
            return Decimal(int(value))
        # Past 2**53 int() would show the binary value (576460752304999936), not the
        # number as typed (576460752305000000).
        return Decimal(int(Decimal(repr(value))))
    return Decimal(repr(value))


def _duration(value: timedelta) -> CellValue:
    if timedelta(0) <= value < timedelta(days=1):
        return (datetime.min + value).time()
    sign = "-" if value < timedelta(0) else ""
    seconds = abs(value).total_seconds()
    hours, rest = divmod(round(seconds), 3600)
    return f"{sign}{hours}:{rest // 60:02d}:{rest % 60:02d}"


_AS_IS = frozenset({bool, date, datetime, time})
_CONVERTERS: dict[type, Any] = {
    int: Decimal,
    timedelta: _duration,
    type(None): lambda _: None,
}


def _calamine_error(exc: Exception, path: Path, tab: str | None) -> WorkbookError:
    detail = " ".join(str(exc).split())[:200] or type(exc).__name__
    if isinstance(exc, python_calamine.PasswordError):
        return WorkbookError(
            "this file is password-protected (encrypted); save an unprotected copy and "
            "point sheetbill at it",
            path=path,
        )
    if isinstance(exc, python_calamine.ZipError):
        return WorkbookError(
            f"this is not a valid Excel file (the zip is damaged: {detail})", path=path
        )
    where = f"the tab {tab!r}" if tab else "the workbook"
    return WorkbookError(
        f"this is not a valid Excel file ({where} cannot be read: {detail})", path=path
    )
