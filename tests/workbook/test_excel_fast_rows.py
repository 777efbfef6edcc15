"""The sheet writer's byte-level path (new rows, cells right of a row's last cell)
writes what its lxml path writes: the same bytes, the same styles asked for in the
same order, the same errors; rows it cannot read safely go through lxml."""

from __future__ import annotations

import functools
import os
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from xlsx_testing import FEATURES, new_book

from sheetbill.domain.sheet import (
    CellValue,
    CellWrite,
    ColumnFormat,
    ColumnSpec,
    TabSpec,
    WorkbookChanges,
)
from sheetbill.errors import WorkbookError, WorkbookWriteError
from sheetbill.workbook import xlsx_writer
from sheetbill.workbook.excel import ExcelWorkbook
from sheetbill.workbook.xlsx_cells import cell_ref, cell_xml, set_value
from sheetbill.workbook.xlsx_package import MAIN_NS, Package, serialize_xml
from sheetbill.workbook.xlsx_rows import RowWrites
from sheetbill.workbook.xlsx_sheet import SheetEditor, StyleResolver
from sheetbill.workbook.xlsx_zip import ZipArchive

EXAMPLES = int(os.environ.get("SHEETBILL_EXAMPLES", "60"))
X14AC = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
Call = tuple[int, int | None, int | None, type]

texts = st.text(
    alphabet=st.characters(exclude_categories=["Cs"]), max_size=12
) | st.sampled_from(["", " ", "a&b<c>", "x\r\ny", "_x0041_", "\x01", "é–€"])
numbers = st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, places=3)
values = st.one_of(
    texts,
    numbers,
    st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 1, 1)),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2100, 1, 1)),
    st.times(),
    st.booleans(),
    st.none(),
)


def _resolver(calls: list[Call]) -> StyleResolver:
    """A style resolver that varies with what it is asked, and records it."""

    def resolve(
        column: int, current: int | None, inherited: int | None, value: CellValue
    ) -> int | None:
        calls.append((column, current, inherited, type(value)))
        if current is not None:
            return current
        if inherited is not None:
            return (inherited + 1) % 5
        return column % 3 or None

    return resolve


def _write(
    data: bytes, writes: list[CellWrite], *, is_fast: bool
) -> tuple[bytes | str, list[Call]]:
    """The part written, or the error's text, and the styles asked for."""
    calls: list[Call] = []
    editor = SheetEditor(
        data, tab="Data", main_ns=MAIN_NS, date1904=False, is_fast=is_fast
    )
    try:
        return editor.write(writes, _resolver(calls)), calls
    except (WorkbookError, WorkbookWriteError) as exc:
        return str(exc), calls


def _between_rows_ignored(data: bytes | str) -> bytes | str:
    """The part without the blank text between rows, where the two paths may put an
    appended row on either side of it (one element-only content, same meaning)."""
    if isinstance(data, str):
        return data
    root = etree.fromstring(data)
    for node in root.iter(f"{{{MAIN_NS}}}sheetData", f"{{{MAIN_NS}}}row"):
        if node.tail is not None and not node.tail.strip():
            node.tail = None
        if node.tag.endswith("sheetData") and node.text and not node.text.strip():
            node.text = None
    return etree.tostring(root, method="c14n")


@st.composite
def sheets(draw: st.DrawFn) -> bytes:
    """A small worksheet part as lxml writes it: rows with or without spans and
    Excel's extra attributes, styled and empty cells, column styles, and now and
    then something only the lxml path takes (a cell or row without address, extLst)."""
    root = etree.fromstring(f'<worksheet xmlns="{MAIN_NS}" xmlns:x14ac="{X14AC}"/>')
    if draw(st.booleans()):
        etree.SubElement(root, f"{{{MAIN_NS}}}dimension").set("ref", "A1:C3")
    styled = draw(st.sets(st.integers(0, 7), max_size=3))
    if styled:
        cols = etree.SubElement(root, f"{{{MAIN_NS}}}cols")
        for column in sorted(styled):
            col = etree.SubElement(cols, f"{{{MAIN_NS}}}col")
            col.set("min", str(column + 1))
            col.set("max", str(column + 1))
            col.set("style", str(draw(st.integers(0, 4))))
    sheet_data = etree.SubElement(root, f"{{{MAIN_NS}}}sheetData")
    for number in sorted(draw(st.sets(st.integers(1, 14), max_size=8))):
        row = etree.SubElement(sheet_data, f"{{{MAIN_NS}}}row")
        if draw(st.integers(0, 15)) or number == 1:
            row.set("r", str(number))
        if draw(st.booleans()):
            row.set("spans", draw(st.sampled_from(["1:3", "2:2", "1:2 4:5"])))
        if draw(st.booleans()):
            row.set(f"{{{X14AC}}}dyDescent", "0.25")
        for column in sorted(draw(st.sets(st.integers(0, 6), max_size=4))):
            cell = etree.SubElement(row, f"{{{MAIN_NS}}}c")
            if draw(st.integers(0, 15)):
                cell.set("r", cell_ref(number, column))
            if draw(st.booleans()):
                cell.set("s", str(draw(st.integers(0, 4))))
            kind = draw(st.sampled_from(["empty", "number", "text"]))
            if kind == "number":
                etree.SubElement(cell, f"{{{MAIN_NS}}}v").text = "1.5"
            elif kind == "text":
                set_value(cell, "old", main_ns=MAIN_NS, date1904=False)
        if not draw(st.integers(0, 12)):
            ext = etree.SubElement(row, f"{{{MAIN_NS}}}extLst")
            etree.SubElement(ext, f"{{{MAIN_NS}}}ext").set("uri", "{x}")
    if draw(st.booleans()):
        etree.indent(root)
    return serialize_xml(root)


@st.composite
def sheet_writes(draw: st.DrawFn) -> tuple[bytes, list[CellWrite]]:
    """A sheet, and writes mostly of the common kinds: new columns right of the
    rows' cells, new rows below; now and then anywhere."""
    data = draw(sheets())
    writes: list[CellWrite] = []
    for _ in range(draw(st.integers(1, 12))):
        kind = draw(st.sampled_from(["new column", "new row", "anywhere"]))
        if kind == "new column":
            rows = range(draw(st.integers(1, 14)), draw(st.integers(1, 16)))
            column = draw(st.integers(6, 9))
            writes += [CellWrite(r, column, draw(values)) for r in rows]
        elif kind == "new row":
            row = draw(st.integers(10, 20))
            columns = draw(st.lists(st.integers(0, 9), max_size=5))
            writes += [CellWrite(row, c, draw(values)) for c in columns]
        else:
            row, column = draw(st.integers(1, 20)), draw(st.integers(0, 9))
            writes.append(CellWrite(row, column, draw(values)))
    return data, writes


@settings(
    max_examples=EXAMPLES * 3,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(sheet_writes())
def test_sheet_editor_fast_path_writes_the_lxml_bytes(
    case: tuple[bytes, list[CellWrite]],
) -> None:
    data, writes = case
    fast, fast_calls = _write(data, writes, is_fast=True)
    slow, slow_calls = _write(data, writes, is_fast=False)
    assert fast_calls == slow_calls
    if b"\n" in data.partition(b"<sheetData")[2]:
        assert _between_rows_ignored(fast) == _between_rows_ignored(slow)
    else:
        assert fast == slow


@settings(max_examples=EXAMPLES * 3, deadline=None)
@given(st.one_of(texts, st.text(), values), st.none() | st.integers(0, 99))
def test_cell_xml_is_the_lxml_serialization_of_set_value(
    value: CellValue, style: int | None
) -> None:
    cell = etree.fromstring(f'<c xmlns="{MAIN_NS}"/>')
    cell.set("r", "XFD1048576")
    if style is not None:
        cell.set("s", str(style))
    set_value(cell, value, main_ns=MAIN_NS, date1904=False)
    expected = etree.tostring(cell, encoding="UTF-8").replace(
        f' xmlns="{MAIN_NS}"'.encode(), b""
    )
    written = cell_xml("XFD1048576", style, value, date1904=False)
    assert written.encode("utf-8") == (b"" if value is None else expected)


@pytest.mark.parametrize(
    "value",
    ["x" * 32_768, Decimal("NaN"), date(1899, 1, 1), 7, 1.5],
    ids=["long text", "nan", "too early", "int", "float"],
)
def test_sheet_editor_fast_path_refuses_what_the_lxml_path_refuses(
    value: object,
) -> None:
    data = serialize_xml(
        etree.fromstring(
            f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1"><c r="A1"><v>1</v>'
            "</c></row></sheetData></worksheet>"
        )
    )
    cell_value: CellValue = value  # type: ignore[assignment]
    for writes in ([CellWrite(1, 3, cell_value)], [CellWrite(5, 0, cell_value)]):
        fast, _ = _write(data, writes, is_fast=True)
        slow, _ = _write(data, writes, is_fast=False)
        assert isinstance(fast, str)
        assert fast == slow


def test_sheet_editor_new_columns_and_rows_parse_no_block(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A run's usual writes into a big sheet (two new columns on every row, rows
    appended) take the byte-level path: no block of rows is parsed."""
    rows = "".join(
        f'<row r="{n}" spans="1:3"><c r="A{n}" s="1"><v>{n}</v></c>'
        f'<c r="C{n}" t="inlineStr"><is><t>x</t></is></c></row>'
        for n in range(1, 3001)
    )
    data = f'<worksheet xmlns="{MAIN_NS}"><sheetData>{rows}</sheetData></worksheet>'

    def refuse(*_: object) -> None:
        raise AssertionError("a block went through lxml")

    monkeypatch.setattr(SheetEditor, "_run_block", refuse)
    writes = [CellWrite(n, c, f"v{n}") for n in range(1, 3001) for c in (4, 5)]
    writes += [CellWrite(n, c, Decimal(n)) for n in range(3001, 3100) for c in (0, 2)]
    editor = SheetEditor(data.encode(), tab="Data", main_ns=MAIN_NS, date1904=False)
    written = editor.write(writes, _resolver([]))
    assert b'<row r="2" spans="1:6"><c r="A2" s="1"><v>2</v></c>' in written
    assert b'<row r="3099"><c r="A3099" s="' in written


@pytest.mark.parametrize(
    "row",
    [
        '<row r="2"><c r="A2"/><extLst><ext uri="{x}"/></extLst></row>',
        '<row r="2"><c r="A2" xmlns:y="urn:y" y:z="1"/></row>',
        '<row r="2"><c><v>1</v></c></row>',
        '<row r="2"><c r="$A$2"><v>1</v></c></row>',
        '<row r="02"><c r="A2"><v>1</v></c></row>',
        '<row r="2"><c r="A3"><v>1</v></c></row>',
        "<row r='2' spans='1:1'><c r='A2'><v>1</v></c></row>",
        '<row r="2" spans="&#49;:1"><c r="A2"><v>1</v></c></row>',
        '<row r="2"><?pi x?><c r="A2"><v>1</v></c></row>',
        '<row r="2"  />',
        '<row r="2" spans="1:2><c r="A2"><v>1</v></c></row>',
        '<row r="2"><c r="A2/></row>',
    ],
)
def test_sheet_editor_unusual_rows_read_as_lxml_reads_them(row: str) -> None:
    """Rows the byte search cannot read safely go through lxml (which refuses
    damaged ones), or are read to the same effect."""
    data = (
        f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1"><c r="A1" s="3"/>'
        f'<c r="B1" s="2"/></row>{row}</sheetData></worksheet>'
    ).encode()
    writes = [CellWrite(2, 1, "new"), CellWrite(3, 0, "below"), CellWrite(3, 1, None)]
    fast, fast_calls = _write(data, writes, is_fast=True)
    slow, slow_calls = _write(data, writes, is_fast=False)
    assert fast_calls == slow_calls
    assert _between_rows_ignored(fast) == _between_rows_ignored(slow)


@pytest.mark.parametrize(
    "part",
    [
        '<worksheet xmlns="{ns}" xmlns:x="{ns}"><sheetData><row r="1">'
        '<c r="A1" s="3"/><x:c r="B1" s="2"/></row><row r="2"><x:c r="B2"/></row>'
        "</sheetData></worksheet>",
        '<x:worksheet xmlns:x="{ns}"><x:sheetData><x:row r="1"><x:c r="A1" s="3"/>'
        '<x:c r="B1" s="2"/></x:row><x:row r="2"/></x:sheetData></x:worksheet>',
        '<worksheet xmlns="{ns}"><sheetData xmlns="{ns}"><row r="1"><c r="A1" s="3"/>'
        '<c r="B1" s="2"/></row><row r="2"/></sheetData></worksheet>',
    ],
    ids=["prefixed cells", "prefixed sheet", "namespace on sheetData"],
)
def test_sheet_editor_prefixed_sheets_read_as_lxml_reads_them(part: str) -> None:
    """Cells the byte search would not see (written with a prefix) cannot make it
    put a cell on top of them: such sheets go through lxml."""
    data = part.format(ns=MAIN_NS).encode()
    writes = [CellWrite(2, 1, "new"), CellWrite(2, 2, "x"), CellWrite(3, 1, "below")]
    fast, fast_calls = _write(data, writes, is_fast=True)
    slow, slow_calls = _write(data, writes, is_fast=False)
    assert fast_calls == slow_calls
    assert fast == slow


@pytest.mark.parametrize(
    "source",
    sorted(p for p in FEATURES.iterdir() if p.suffix in (".xlsx", ".xlsm")),
    ids=lambda p: p.name,
)
def test_sheet_editor_fast_path_matches_lxml_on_real_sheets(source: Path) -> None:
    """Every worksheet of the corpus, given two new columns on its rows and rows
    below: the same content either way (bytes may differ only where lxml rewrites
    untouched bytes of a row, e.g. blanks inside a tag)."""
    package = Package(ZipArchive(source.read_bytes()), source)
    for sheet in package.sheets:
        if sheet.kind != "worksheet" or not sheet.part:
            continue
        data = package.read(sheet.part)
        writes = [CellWrite(n, c, f"x{n}") for n in range(1, 80) for c in (60, 61)]
        writes += [
            CellWrite(n, c, Decimal(n)) for n in range(5000, 5003) for c in (0, 2)
        ]
        fast, fast_calls = _write(data, writes, is_fast=True)
        slow, slow_calls = _write(data, writes, is_fast=False)
        assert fast_calls == slow_calls, sheet.name
        assert _between_rows_ignored(fast) == _between_rows_ignored(slow), sheet.name


def test_excel_apply_fast_and_lxml_paths_write_the_same_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A billing-like run (new tabs with rows, new columns on an existing tab) with
    the real style resolution gives the same parts either way."""
    invoices = TabSpec(
        "Invoices",
        (
            ColumnSpec("No"),
            ColumnSpec("Date", ColumnFormat.DATE),
            ColumnSpec("Total", ColumnFormat.MONEY),
            ColumnSpec("Count", ColumnFormat.NUMBER),
            ColumnSpec("Sent", ColumnFormat.DATETIME),
        ),
    )
    people = [
        CellWrite(n, c, v)
        for n in range(1, 40)
        for c, v in ((4, f"INV-{n}"), (5, date(2026, 1, n % 28 + 1)))
    ]
    people += [CellWrite(n, 0, f"P{n}") for n in range(2, 20)]
    rows = [
        CellWrite(n, c, v)
        for n in range(2, 60)
        for c, v in enumerate(
            (
                f"INV-{n}",
                date(2026, 2, 1),
                Decimal(n),
                Decimal("1.5"),
                datetime(2026, 2, 1, 9),
            )
        )
    ]
    changes = WorkbookChanges(
        new_tabs=(invoices,), writes={"People": tuple(people), "Invoices": tuple(rows)}
    )
    parts = {}
    for is_fast in (True, False):
        folder = tmp_path / str(is_fast)
        folder.mkdir()
        book_path = new_book(folder)
        monkeypatch.setattr(
            xlsx_writer, "SheetEditor", functools.partial(SheetEditor, is_fast=is_fast)
        )
        book = ExcelWorkbook(book_path, backups=0)
        book.apply(changes, expected_version=book.read().version)
        with zipfile.ZipFile(book_path) as archive:
            parts[is_fast] = {n: archive.read(n) for n in archive.namelist()}
    assert parts[True] == parts[False]


@settings(max_examples=EXAMPLES * 3, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 6), st.integers(0, 4), st.none() | st.sampled_from("ab")
        ),
        max_size=25,
    )
)
def test_row_writes_group_by_row_and_the_last_write_wins(
    cells: list[tuple[int, int, CellValue]],
) -> None:
    """Writes grouped by row in any order of arrival, as a dict per row would hold
    them, and the corners of the cells given a value."""
    expected: dict[int, dict[int, CellValue]] = {}
    for row, column, value in cells:
        expected.setdefault(row, {})[column] = value
    grouped = RowWrites([CellWrite(r, c, v) for r, c, v in cells], tab="Data")
    assert dict(grouped) == expected
    assert list(grouped) == sorted(expected)
    valued = [(r, c) for r, row in expected.items() for c, v in row.items() if v]
    if valued:
        rows, columns = [r for r, _ in valued], [c for _, c in valued]
        corners = [(min(rows), min(columns)), (max(rows), max(columns))]
        assert grouped.corners == corners
    else:
        assert grouped.corners == []
