"""Reading an .xlsx with python-calamine into `Table`s of plain typed cells.

Cells cross the boundary as: numbers -> Decimal (`Decimal(repr(f))`, so 0.1 stays 0.1
and 1.0 becomes 1), a number stored as NaN or infinity -> "#NUM!"; "" -> None; text
as stored (not stripped); bool; date, datetime and time as calamine gives them for
date-formatted cells. A duration ([h]:mm) under one day
becomes a `time` like a clock-formatted cell; a longer or negative one becomes its text
as Excel shows it ("25:30:00"), so nothing silently reads as a number of days. Error
values read as their text ("#N/A"), since calamine would show them as empty and a
person's cell must not look free; so does a formula whose result the file never saved,
as an `UnsavedFormula` ("=F2-E2"). Chart and macro sheets are listed but not read.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import python_calamine

from sheetbill.domain.sheet import (
    CellValue,
    SheetRow,
    Table,
    UnsavedFormula,
    header_text,
    new_sheet_row,
)
from sheetbill.errors import WorkbookError
from sheetbill.garbage_collection import cycle_collection_paused
from sheetbill.workbook.xlsx_package import Package, serialize_xml
from sheetbill.workbook.xlsx_safety import PackageScan, check_contents, open_checked
from sheetbill.workbook.xlsx_split import Piece, split_sheet
from sheetbill.workbook.xlsx_zip import NewMember, ZipArchive, write_zip

# A worksheet whose XML unpacks to this many bytes or more (some 35,000 rows of a
# dozen columns) is cut into pieces that calamine parses on two threads.
SPLIT_ABOVE = 16 << 20
_PIECES = 4
_THREADS = 2


@cycle_collection_paused()  # a big sheet is a million small objects that all live on
def read_tables(
    data: bytes, path: Path, *, split_above: int = SPLIT_ABOVE
) -> tuple[dict[str, Table], tuple[str, ...]]:
    """Every worksheet of the workbook in `data` as a Table, and all tab names in order.

    `data` goes through the safety checks first; calamine only sees what passed them.
    Worksheets of `split_above` bytes or more are parsed in pieces, in parallel.
    """
    archive, scan = open_checked(data, path, keep_above=split_above)
    package = Package(archive, path)
    parts = {entry.part: entry.name for entry in package.sheets if entry.part}
    check_contents(archive, scan, parts, path)
    try:
        view = _calamine_view(data, package)
        view = _with_far_numbers_plain(view, archive if view is data else None, scan)
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(view))
        metadata = book.sheets_metadata
    except Exception as exc:  # calamine raises its own tree and plain ValueErrors
        raise _calamine_error(exc, path, None) from exc
    except BaseException as exc:
        if not _is_panic(exc):
            raise
        raise _calamine_error(exc, path, None) from exc
    parts_by_tab = {entry.name: entry.part for entry in package.sheets}
    worksheets = [
        m.name for m in metadata if m.typ == python_calamine.SheetTypeEnum.WorkSheet
    ]
    with ThreadPoolExecutor(_THREADS) as pool:
        view_archive = archive if view is data else ZipArchive(view)
        in_pieces = {}
        for tab in worksheets:
            part = parts_by_tab.get(tab) or ""
            pieces = split_sheet(scan.contents.pop(part, b""), _PIECES)
            if pieces:
                in_pieces[tab] = [
                    pool.submit(_parse_piece, view_archive, part, tab, piece)
                    for piece in pieces
                ]
        tables: dict[str, Table] = {}
        for tab in worksheets:
            sheet_scan = scan.sheets.get(parts_by_tab.get(tab) or "")
            errors = sheet_scan.errors if sheet_scan else {}
            table = None
            if tab in in_pieces:
                table = _joined_pieces(tab, in_pieces.pop(tab), errors)
            if table is None:
                table = _read_sheet(book, tab, path, errors)
            tables[tab] = table
    return tables, tuple(m.name for m in metadata)


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


def _with_far_numbers_plain(
    view: bytes, archive: ZipArchive | None, scan: PackageScan
) -> bytes:
    """`view` with the number format taken off numbers no date or duration can be
    (see `plain_far_numbers`), in every sheet the scan saw such a number in.

    Only calamine's copy changes; the sheets' new text replaces their kept contents,
    so a sheet read in pieces is read from it too.
    """
    flagged = [part for part, sheet in scan.sheets.items() if sheet.has_far_numbers]
    if not flagged:
        return view
    source = archive or ZipArchive(view)
    replaced: dict[str, bytes] = {}
    for part in flagged:
        content = scan.contents.get(part)
        if content is None:
            content = source.read(part)
        plain = plain_far_numbers(content)
        if plain is not content:
            replaced[part] = plain
            if part in scan.contents:
                scan.contents[part] = plain
    if not replaced:
        return view
    return write_zip(source, replaced=replaced, level=1)


# A number cell: its attributes and its value (a prefixed namespace is left alone, to
# the panic guard in _read_sheet).
_NUMBER_CELL = re.compile(
    rb"<c\b([^>]*)>(\s*(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)?\s*<v>)([^<]*)</v>"
)
_STYLE = re.compile(rb"\ss\s*=\s*[\"'][0-9]*[\"']")
_TYPE = re.compile(rb"\st\s*=\s*[\"']([a-zA-Z]*)[\"']")
# No date or duration serial reaches this (9999-12-31 is 2958465).
_FAR_SERIAL = 10_000_000


def plain_far_numbers(xml: bytes) -> bytes:
    """The sheet with the style taken off number cells no date, time or duration can
    be: negative, NaN or infinite, or 10 million and more (`xml` itself when none).

    Under a date or duration format calamine reads such a number as midnight, or
    raises, or panics (a Rust panic, taking the whole read down); without it, the
    number reads as the number it is, and the column it is in says what is wrong.
    """

    def plain(match: re.Match[bytes]) -> bytes:
        attrs = match.group(1)
        kind = _TYPE.search(attrs)
        if kind and kind.group(1) not in (b"", b"n"):
            return match.group(0)
        style = _STYLE.search(attrs)
        if not style:
            return match.group(0)
        try:
            number = float(match.group(3))
        except ValueError:
            return match.group(0)
        if math.isfinite(number) and 0 <= number < _FAR_SERIAL:
            return match.group(0)
        attrs = attrs[: style.start()] + attrs[style.end() :]
        return b"<c" + attrs + b">" + match.group(2) + match.group(3) + b"</v>"

    plain_xml = _NUMBER_CELL.sub(plain, xml)
    return xml if plain_xml == xml else plain_xml


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
        # to_python skips the empty rows and columns before `start` (iter_rows does not
        # skip the rows), so row i of the result is sheet row start[0] + i + 1.
        rows = sheet.to_python(skip_empty_area=True) if start is not None else []
    except Exception as exc:  # see read_tables
        raise _calamine_error(exc, path, tab) from exc
    except BaseException as exc:
        if not _is_panic(exc):
            raise
        raise _calamine_error(exc, path, tab) from exc
    builder = _TableBuilder(tab)
    if start is not None and end is not None:
        builder.add(_with_errors(rows, start, errors), start, end)
    return builder.table()


_Parsed = tuple[list[list[Any]], tuple[int, int], tuple[int, int]] | None


def _parse_piece(archive: ZipArchive, part: str, tab: str, piece: Piece) -> _Parsed:
    """One piece of a split worksheet, parsed by calamine as the workbook's only
    change (runs on a worker thread)."""
    # calamine copies the package in: ours is freed before the sheet is parsed.
    book = python_calamine.CalamineWorkbook.from_filelike(
        io.BytesIO(write_zip(archive, replaced={part: piece}, level=0))
    )
    sheet = book.get_sheet_by_name(tab)
    start, end = sheet.start, sheet.end
    if start is None or end is None:
        return None
    return sheet.to_python(skip_empty_area=True), start, end


def _joined_pieces(
    tab: str, pieces: list[Future[_Parsed]], errors: Mapping[tuple[int, int], str]
) -> Table | None:
    """The pieces of a split worksheet as one Table, or None when they do not join up
    as the whole sheet would read (a piece failed, or rows are out of order so the
    pieces overlap): then the caller parses it whole."""
    builder = _TableBuilder(tab)
    last = -1
    for future in pieces:
        try:
            parsed = future.result()
        except Exception:  # the whole sheet, parsed again, reports what is wrong
            return None
        except BaseException as exc:
            if not _is_panic(exc):
                raise
            return None
        if parsed is None:
            continue
        rows, start, end = parsed
        if start[0] <= last:
            return None
        last = end[0]
        builder.add(_with_errors(rows, start, errors), start, end)
    return builder.table()


def _with_errors(
    rows: list[list[Any]],
    start: tuple[int, int],
    errors: Mapping[tuple[int, int], str],
) -> list[list[Any]]:
    first_row, first_col = start
    for (row, column), text in errors.items():
        y, x = row - first_row - 1, column - first_col
        if 0 <= y < len(rows) and 0 <= x < len(rows[y]):
            rows[y][x] = text
    return rows


class _TableBuilder:
    """Collects the rows of a tab, from one calamine range or several in sheet order."""

    def __init__(self, tab: str) -> None:
        self.tab = tab
        self.header_row = 0
        self.headers: tuple[str, ...] = ()
        self.rows: list[SheetRow] = []
        self.last_row = 0
        self.convert = _CellConverter().row

    def add(
        self, rows: Iterable[list[Any]], start: tuple[int, int], end: tuple[int, int]
    ) -> None:
        """Rows of a calamine range from `start` to `end` (0-based, inclusive)."""
        first_row, first_col = start
        pad: list[CellValue] = [None] * first_col
        convert = self.convert
        found = self.rows
        for offset, raw in enumerate(rows):
            cells = convert(raw)
            while cells and cells[-1] is None:
                cells.pop()
            if not cells or _is_blank(cells):
                continue
            number = first_row + offset + 1
            if not self.header_row:
                self.header_row = number
                self.headers = tuple(header_text(v) for v in pad + cells)
                continue
            found.append(
                new_sheet_row(number, tuple(pad + cells) if first_col else tuple(cells))
            )
        self.last_row = max(self.last_row, end[0] + 1)

    def table(self) -> Table:
        if not self.header_row:
            return Table(
                tab=self.tab, header_row=1, headers=(), rows=(), last_row=self.last_row
            )
        return Table(
            tab=self.tab,
            header_row=self.header_row,
            headers=self.headers,
            rows=tuple(self.rows),
            last_row=self.last_row,
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
        self.numbers: dict[float, CellValue] = {}

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


def _number(value: float) -> CellValue:
    if not math.isfinite(value):
        # `1e400` or NaN stored as a number: Excel shows #NUM!, and a cell that holds
        # something must not read as empty (nor as a number).
        return "#NUM!"
    if value.is_integer():
        if abs(value) < 2**53:
            return Decimal(int(value))
        # Past 2**53 int() would show the binary value (576460752304999936), not the
        # number as typed (576460752305000000).
        return Decimal(int(Decimal(repr(value))))
    return Decimal(repr(value))


def _duration(value: timedelta) -> CellValue:
    if timedelta(0) <= value < timedelta(days=1):
        return (datetime.min + value).time()  # noqa: DTZ901 (a cell has no zone)
    sign = "-" if value < timedelta(0) else ""
    seconds = abs(value).total_seconds()
    hours, rest = divmod(round(seconds), 3600)
    return f"{sign}{hours}:{rest // 60:02d}:{rest % 60:02d}"


_AS_IS = frozenset({bool, date, datetime, time, UnsavedFormula})
_CONVERTERS: dict[type, Any] = {
    int: Decimal,
    timedelta: _duration,
    type(None): lambda _: None,
}


def _is_panic(exc: BaseException) -> bool:
    """A Rust panic inside calamine (a date or duration far outside the calendar
    panics while converting): pyo3 raises it as a BaseException, so `except
    Exception` lets it through; KeyboardInterrupt and SystemExit are not panics."""
    return type(exc).__name__ == "PanicException"


def _calamine_error(exc: BaseException, path: Path, tab: str | None) -> WorkbookError:
    detail = " ".join(str(exc).split())[:200] or type(exc).__name__
    if _is_panic(exc):
        where = f"the tab {tab!r}" if tab else "the workbook"
        return WorkbookError(
            f"{where} holds a value sheetbill cannot read ({detail}), most likely a "
            "date or duration far outside the calendar (before 1900 or after 9999); "
            "correct or clear such cells, or format them as numbers",
            path=path,
        )
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
