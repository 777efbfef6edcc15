"""Excel tables (ListObjects) on tabs sheetbill appends to take the appended rows in.

Rule: rows written directly below a table's last row, into rows that held no value,
in the table's columns, become part of the table (its `ref` and its autofilter's `ref`
grow; not one other byte of the table part, nor of any other part, changes). A table
ending in a totals row, rows the user already filled, and rows another table or a
merged cell takes stop it; rows written inside a table leave it as it is; a table
never grows by columns.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from lxml import etree
from paths import SHARED
from readback import calamine_rows, libreoffice_csv, zip_parts

from sheetbill.cli import main
from sheetbill.domain.sheet import (
    CellValue,
    CellWrite,
    ColumnSpec,
    TabSpec,
    WorkbookChanges,
    column_letters,
)
from sheetbill.workbook.excel import ExcelWorkbook
from sheetbill.workbook.xlsx_package import MAIN_NS, REL_NS, Package
from sheetbill.workbook.xlsx_tables import Area, parse_area
from sheetbill.workbook.xlsx_zip import ZipArchive

CASE = SHARED / "cases" / "excel-table-on-invoices" / "12_excel_tables.xlsx"
CORPUS = SHARED / "xlsx-corpus" / "features"
TABLE_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"
APPENDED_TABS = ("Invoices", "Invoice Lines", "Exceptions", "Log")
WIDTH = 8  # columns of the generated sheets
SHEET = "xl/worksheets/sheet1.xml"  # the one tab of a generated workbook


# Building workbooks with tables


@dataclass(frozen=True)
class TableSpec:
    """A table to put on a sheet: its range and the options that matter here."""

    name: str
    ref: str
    auto_filter: bool = True
    totals: bool = False
    header_row: bool = True


def _table_xml(number: int, spec: TableSpec, headers: list[str]) -> bytes:
    area = parse_area(spec.ref)
    assert area is not None
    names = headers[area.left : area.right + 1] if spec.header_row else []
    names += [f"Column{i}" for i in range(len(names), area.right - area.left + 1)]
    attrs = f'id="{number}" name="{spec.name}" displayName="{spec.name}" '
    attrs += f'ref="{spec.ref}"'
    attrs += ' totalsRowCount="1"' if spec.totals else ' totalsRowShown="0"'
    attrs += "" if spec.header_row else ' headerRowCount="0"'
    columns = "".join(
        f'<tableColumn id="{i + 1}" name="{name}"'
        + (' totalsRowFunction="count"' if spec.totals else "")
        + "/>"
        for i, name in enumerate(names)
    )
    data_area = area.with_bottom(area.bottom - 1) if spec.totals else area
    auto_filter = f'<autoFilter ref="{data_area.ref}"/>' if spec.auto_filter else ""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<table xmlns="{MAIN_NS}" {attrs}>{auto_filter}'
        f'<tableColumns count="{len(names)}">{columns}</tableColumns>'
        '<tableStyleInfo name="TableStyleMedium2" showRowStripes="1"/></table>'
    ).encode()


def add_tables(
    path: Path, tab: str, specs: list[TableSpec], *, merges: tuple[str, ...] = ()
) -> None:
    """Put tables (and merged ranges) on a tab of an existing workbook, as Excel
    stores them: a table part each, the sheet's relationships, `<tableParts>`."""
    package = Package(ZipArchive(path.read_bytes()), path)
    sheet = next(s.part for s in package.sheets if s.name == tab)
    assert sheet is not None
    parts = zip_parts(path)
    header = calamine_rows(path, tab)[0]
    headers = [str(h) for h in header] + [""] * 30
    headers = [h or f"Col {i}" for i, h in enumerate(headers)]
    rels_name = f"{sheet.rpartition('/')[0]}/_rels/{sheet.rpartition('/')[2]}.rels"
    rels = parts.get(rels_name, b"").decode() or (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"></Relationships>'
    )
    taken = [n for n in parts if n.startswith("xl/tables/")]
    ids = []
    for offset, spec in enumerate(specs):
        number = len(taken) + offset + 1
        part = f"xl/tables/table{number}.xml"
        parts[part] = _table_xml(number, spec, headers)
        rel_id = f"rIdT{number}"
        ids.append(rel_id)
        rels = rels.replace(
            "</Relationships>",
            f'<Relationship Id="{rel_id}" Type="{REL_NS}/table" '
            f'Target="../tables/table{number}.xml"/></Relationships>',
        )
        types = parts["[Content_Types].xml"].decode()
        parts["[Content_Types].xml"] = types.replace(
            "</Types>",
            f'<Override PartName="/{part}" ContentType="{TABLE_TYPE}"/></Types>',
        ).encode()
    parts[rels_name] = rels.encode()
    text = parts[sheet].decode()
    if merges:
        cells = "".join(f'<mergeCell ref="{m}"/>' for m in merges)
        text = re.sub(
            "(</sheetData>)",
            rf'\1<mergeCells count="{len(merges)}">{cells}</mergeCells>',
            text,
        )
    table_parts = "".join(
        f'<tablePart xmlns:r="{REL_NS}" r:id="{rel_id}"/>' for rel_id in ids
    )
    text = text.replace(
        "</worksheet>",
        f'<tableParts count="{len(ids)}">{table_parts}</tableParts></worksheet>',
    )
    parts[sheet] = text.encode()
    _write_parts(path, parts)


def _write_parts(path: Path, parts: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def _sheet_with_rows(path: Path, tab: str, rows: dict[int, dict[int, str]]) -> None:
    """Replace the rows of `tab` below its header by `rows` (inline text cells)."""
    package = Package(ZipArchive(path.read_bytes()), path)
    sheet = next(s.part for s in package.sheets if s.name == tab)
    assert sheet is not None
    parts = zip_parts(path)
    text = parts[sheet].decode()
    body = "".join(
        f'<row r="{number}">'
        + "".join(
            f'<c r="{column_letters(column)}{number}" t="inlineStr">'
            f"<is><t>{value}</t></is></c>"
            for column, value in sorted(cells.items())
        )
        + "</row>"
        for number, cells in sorted(rows.items())
    )
    head, _, rest = text.partition("</row>")
    parts[sheet] = (head + "</row>" + body + rest.partition("</sheetData>")[1]).encode()
    parts[sheet] += rest.partition("</sheetData>")[2].encode()
    _write_parts(path, parts)


def table_refs(path: Path) -> dict[str, tuple[str, str | None]]:
    """Every table's name: its ref and its autofilter's ref (None: no autofilter)."""
    found = {}
    for name, data in zip_parts(path).items():
        if name.startswith("xl/tables/"):
            root = etree.fromstring(data)
            auto_filter = root.find(f"{{{MAIN_NS}}}autoFilter")
            found[root.get("name", "")] = (
                root.get("ref", ""),
                None if auto_filter is None else auto_filter.get("ref"),
            )
    return found


def _with_refs(data: bytes, old: tuple[str, str | None], new: tuple[str, str]) -> bytes:
    """A table part as it must be after growing: only the two ref values differ."""
    grown = data.replace(f'ref="{old[0]}"'.encode(), f'ref="{new[0]}"'.encode(), 1)
    if old[1] is not None:
        at = grown.index(b"<autoFilter")
        grown = grown[:at] + grown[at:].replace(
            f'ref="{old[1]}"'.encode(), f'ref="{new[1]}"'.encode(), 1
        )
    return grown


def _apply(path: Path, tab: str, cells: dict[tuple[int, int], CellValue]) -> None:
    book = ExcelWorkbook(path, backups=0)
    writes = {tab: tuple(CellWrite(r, c, v) for (r, c), v in sorted(cells.items()))}
    book.apply(WorkbookChanges(writes=writes), expected_version=book.read().version)


def _changed_parts(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    assert list(after)[: len(before)] == list(before)
    return {name for name in before if before[name] != after[name]}


# The case: sheetbill run on a workbook whose tabs hold Excel tables


def _case_copy(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / CASE.name
    shutil.copyfile(CASE, target)
    return target


def test_run_grows_the_invoices_table_so_its_sum_counts_every_invoice(
    tmp_path: Path,
) -> None:
    """The case: `=SUM(InvoicesTbl[Total])` recalculated by LibreOffice is 773.50
    after the run (238 before the fix), and only the table's two refs changed."""
    book = _case_copy(tmp_path / "book")
    before = zip_parts(book)
    assert main(["run", str(book), "--as-of", "2026-11-03"]) == 0
    after = zip_parts(book)
    assert table_refs(book) == {"InvoicesTbl": ("A1:X4", "A1:X4")}
    table = "xl/tables/table1.xml"
    assert after[table] == _with_refs(
        before[table], ("A1:X2", "A1:X2"), ("A1:X4", "A1:X4")
    )
    sheets = {
        p
        for p in before
        if p.startswith("xl/worksheets/sheet") and before[p] != after[p]
    }
    assert _changed_parts(before, after) == sheets | {table}
    shown = libreoffice_csv([book], tmp_path / "csv")[book]["Dashboard"]
    assert shown[0][4:6] == ["Invoiced total", "773.5"]
    assert shown[1][4:6] == ["Invoice count", "3"]


def _add_time_rows(path: Path) -> None:
    """Two time rows for a customer who does not exist: two exceptions."""
    parts = zip_parts(path)
    sheet = "xl/worksheets/sheet4.xml"
    rows = "".join(
        f'<row r="{n}"><c r="A{n}" s="5"><v>46328</v></c>'
        + "".join(
            f'<c r="{c}{n}" t="inlineStr"><is><t>{v}</t></is></c>'
            for c, v in zip("BCDE", ("Zoe", f"ZZ{n}", "P", "Dev"), strict=True)
        )
        + f'<c r="F{n}"><v>1</v></c>'
        + f'<c r="J{n}" t="inlineStr"><is><t>yes</t></is></c>'
        + f'<c r="K{n}" t="inlineStr"><is><t>yes</t></is></c></row>'
        for n in (5, 6)
    )
    parts[sheet] = parts[sheet].replace(
        b"</sheetData>", rows.encode() + b"</sheetData>"
    )
    dashboard = "xl/worksheets/sheet12.xml"
    columns = {
        "LinesTbl": "Invoice No",
        "ExceptionsTbl": "Opened",
        "LogTbl": "Time",
        "TimeTbl": "Date",
    }
    checks = "".join(
        f'<row r="{n}"><c r="E{n}" t="inlineStr"><is><t>{name}</t></is></c>'
        f'<c r="F{n}"><f>COUNTA({name}[{column}])</f><v></v></c></row>'
        for n, (name, column) in enumerate(columns.items(), 3)
    )
    parts[dashboard] = parts[dashboard].replace(
        b"</sheetData>", checks.encode() + b"</sheetData>"
    )
    _write_parts(path, parts)


def test_run_grows_a_table_on_every_tab_it_appends_to(tmp_path: Path) -> None:
    """Tables on Invoice Lines, Exceptions (no autofilter) and Log end at the last
    appended row; the Time Log table, whose rows get only Invoice No and Row ID, stays
    byte for byte; LibreOffice counts in each table the rows sheetbill wrote."""
    book = _case_copy(tmp_path / "book")
    _add_time_rows(book)
    add_tables(book, "Invoice Lines", [TableSpec("LinesTbl", "A1:K2")])
    add_tables(
        book, "Exceptions", [TableSpec("ExceptionsTbl", "A1:K2", auto_filter=False)]
    )
    add_tables(book, "Log", [TableSpec("LogTbl", "A1:E2")])
    add_tables(book, "Time Log", [TableSpec("TimeTbl", "A1:N6")])
    before = zip_parts(book)
    assert main(["run", str(book), "--as-of", "2026-11-03"]) == 1  # 2 exceptions
    refs = table_refs(book)
    counts = {}
    for tab, name in (
        ("Invoices", "InvoicesTbl"),
        ("Invoice Lines", "LinesTbl"),
        ("Exceptions", "ExceptionsTbl"),
        ("Log", "LogTbl"),
    ):
        last = len(calamine_rows(book, tab))
        assert last >= 3, tab  # at least one row appended below the table
        width = refs[name][0].split(":")[1].rstrip("0123456789")
        assert refs[name][0] == f"A1:{width}{last}", tab
        if refs[name][1] is not None:
            assert refs[name][1] == refs[name][0]
        counts[name] = last - 1
    assert refs["ExceptionsTbl"][1] is None
    assert refs["TimeTbl"] == ("A1:N6", "A1:N6")
    after = zip_parts(book)
    for name, data in before.items():
        if name.startswith("xl/tables/"):
            old = etree.fromstring(data)
            old_refs = table_refs_of(old)
            new_refs = refs[old.get("name", "")]
            assert after[name] == _with_refs(data, old_refs, new_refs), name
    shown = libreoffice_csv([book], tmp_path / "csv")[book]["Dashboard"]
    assert shown[0][5] == "773.5"
    by_name = {row[4]: row[5] for row in shown[2:6]}
    assert by_name == {
        "LinesTbl": str(counts["LinesTbl"]),
        "ExceptionsTbl": str(counts["ExceptionsTbl"]),
        "LogTbl": str(counts["LogTbl"]),
        "TimeTbl": "5",
    }


def table_refs_of(root: etree._Element) -> tuple[str, str | None]:
    auto_filter = root.find(f"{{{MAIN_NS}}}autoFilter")
    return root.get("ref", ""), None if auto_filter is None else auto_filter.get("ref")


# Writing below tables of every shape (the writer, on generated sheets)


@dataclass(frozen=True)
class Shape:
    """A tab with one table, what lies below it, and the rows sheetbill writes."""

    tab: str
    left: int
    right: int
    filled: int  # data rows of the table holding values
    empty_inside: int  # empty rows at the table's end
    totals: bool
    auto_filter: bool
    user_rows: int  # rows below the table holding the user's values (written into)
    appended: int  # new rows below everything
    write_left: int
    write_right: int
    obstacle: str | None  # "table" or "merge" in the rows below
    obstacle_at: int  # rows below the table's last row


@st.composite
def shapes(draw: st.DrawFn) -> Shape:
    left = draw(st.integers(0, WIDTH - 1))
    write_left = draw(st.integers(0, WIDTH - 1))
    filled = draw(st.integers(0, 3))
    return Shape(
        tab=draw(st.sampled_from(APPENDED_TABS)),
        left=left,
        right=draw(st.integers(left, WIDTH - 1)),
        filled=filled,
        empty_inside=draw(st.integers(0 if filled else 1, 2)),
        totals=draw(st.booleans()),
        auto_filter=draw(st.booleans()),
        user_rows=draw(st.sampled_from([0, 0, 1, 2])),
        appended=draw(st.integers(0, 4)),
        write_left=write_left,
        write_right=draw(st.integers(write_left, WIDTH - 1)),
        obstacle=draw(st.sampled_from([None, None, "table", "merge"])),
        obstacle_at=draw(st.integers(1, 4)),
    )


def _expected_bottom(
    area: Area,
    totals: bool,
    written: dict[int, set[int]],
    held: set[int],
    blocked: list[Area],
) -> int:
    """The rule, stated once more for the test."""
    bottom = area.bottom
    if totals:
        return bottom
    while True:
        row = bottom + 1
        strip = Area(row, area.left, row, area.right)
        if not any(area.left <= c <= area.right for c in written.get(row, ())):
            return bottom
        if row in held or any(strip.overlaps(b) for b in blocked):
            return bottom
        bottom = row


@dataclass(frozen=True)
class Built:
    """A generated workbook, the writes to make into it and the rows holding values."""

    path: Path
    writes: dict[tuple[int, int], CellValue]
    held: set[int]


def _build(shape: Shape, folder: Path) -> Built:
    """The workbook of `shape` and the writes sheetbill would make into it."""
    path = folder / "book.xlsx"
    columns = tuple(ColumnSpec(f"Col {i}") for i in range(WIDTH))
    ExcelWorkbook.create_new(path, [TabSpec(shape.tab, columns)], backups=0)
    rows: dict[int, dict[int, str]] = {}
    for number in range(2, 2 + shape.filled):
        rows[number] = {c: f"d{number}.{c}" for c in range(WIDTH)}
    bottom = 1 + shape.filled + shape.empty_inside
    if shape.totals:
        bottom += 1
        rows[bottom] = {shape.left: "Total"}
    for number in range(bottom + 1, bottom + 1 + shape.user_rows):
        rows[number] = {c: f"u{number}.{c}" for c in range(WIDTH)}
    if rows:
        _sheet_with_rows(path, shape.tab, rows)
    area = Area(1, shape.left, bottom, shape.right)
    specs = [TableSpec("Main", area.ref, shape.auto_filter, shape.totals)]
    merges: tuple[str, ...] = ()
    row = bottom + shape.obstacle_at
    if shape.obstacle == "table":
        specs.append(
            TableSpec(
                "Other", Area(row, area.left, row, area.right).ref, False, False, False
            )
        )
    elif shape.obstacle == "merge":
        low = shape.left if shape.left < WIDTH - 1 else shape.left - 1
        merges = (Area(row, low, row, low + 1).ref,)
    add_tables(path, shape.tab, specs, merges=merges)
    last_used = max([1, *rows])
    writes: dict[tuple[int, int], CellValue] = {}
    updated = range(bottom + 1, bottom + 1 + shape.user_rows)
    appended = range(last_used + 1, last_used + 1 + shape.appended)
    for number in [*updated, *appended]:
        for column in range(shape.write_left, shape.write_right + 1):
            writes[(number, column)] = f"w{number}.{column}"
    return Built(path, writes, set(rows))


@settings(max_examples=30, deadline=None)
@given(shape=shapes())
# A totals row, the user's rows below a table (sheetbill writes Invoice No into them),
# another table or a merged range in the way: each stops the table, whatever the draw.
@example(shape=Shape("Invoices", 0, 3, 2, 0, True, True, 0, 3, 0, 7, None, 9))
@example(shape=Shape("Invoices", 0, 7, 1, 0, False, True, 2, 2, 0, 7, None, 9))
@example(shape=Shape("Log", 1, 3, 1, 0, False, False, 0, 4, 0, 7, "table", 3))
@example(shape=Shape("Exceptions", 7, 7, 0, 1, False, True, 0, 4, 0, 7, "merge", 2))
def test_excel_apply_grows_exactly_the_tables_the_written_rows_continue(
    shape: Shape,
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        built = _build(shape, Path(folder))
        path, writes = built.path, built.writes
        before = zip_parts(path)
        old_refs = table_refs(path)
        _apply(path, shape.tab, writes)
        after = zip_parts(path)
        written: dict[int, set[int]] = {}
        for number, column in writes:
            written.setdefault(number, set()).add(column)
        areas = {name: parse_area(ref) for name, (ref, _) in old_refs.items()}
        merged = []
        for match in re.finditer(rb'<mergeCell ref="([^"]+)"', before[SHEET]):
            merged.append(parse_area(match.group(1).decode()))
        expected_parts = {SHEET} if writes else set()
        for name, data in before.items():
            if not name.startswith("xl/tables/"):
                continue
            table = etree.fromstring(data)
            area = areas[table.get("name", "")]
            assert area is not None
            others = [a for n, a in areas.items() if a is not None and a != area]
            bottom = _expected_bottom(
                area,
                table.get("totalsRowCount") == "1",
                written,
                built.held,
                [*others, *(m for m in merged if m is not None)],
            )
            old = table_refs_of(table)
            if bottom == area.bottom:
                assert after[name] == data
                continue
            expected_parts.add(name)
            new_filter = None if old[1] is None else area.with_bottom(bottom).ref
            assert old[1] is None or old[1] == old[0]
            new = (area.with_bottom(bottom).ref, new_filter or "")
            assert after[name] == _with_refs(data, old, new)
        assert _changed_parts(before, after) == expected_parts


def test_excel_apply_leaves_a_table_ending_in_a_totals_row_alone(
    tmp_path: Path,
) -> None:
    """Rows below a totals row are below the totals, not the data: the table keeps
    its range rather than turn the totals row into a data row."""
    shape = Shape("Invoices", 0, 3, 2, 0, True, True, 0, 3, 0, 7, None, 1)
    built = _build(shape, tmp_path)
    path, writes = built.path, built.writes
    before = zip_parts(path)
    _apply(path, "Invoices", writes)
    assert table_refs(path) == {"Main": ("A1:D4", "A1:D3")}
    assert _changed_parts(before, zip_parts(path)) == {"xl/worksheets/sheet1.xml"}


def test_excel_apply_fills_empty_rows_inside_a_table_and_grows_it_below(
    tmp_path: Path,
) -> None:
    shape = Shape("Log", 0, 7, 1, 2, False, True, 0, 4, 0, 7, None, 9)
    built = _build(shape, tmp_path)
    path, writes = built.path, built.writes
    _apply(path, "Log", writes)
    assert table_refs(path) == {"Main": ("A1:H6", "A1:H6")}


def test_excel_apply_rows_inside_a_table_leave_it_byte_for_byte(
    tmp_path: Path,
) -> None:
    shape = Shape("Exceptions", 0, 7, 1, 3, False, True, 0, 3, 0, 7, None, 9)
    built = _build(shape, tmp_path)
    path, writes = built.path, built.writes
    before = zip_parts(path)
    _apply(path, "Exceptions", writes)
    assert _changed_parts(before, zip_parts(path)) == {"xl/worksheets/sheet1.xml"}


def test_excel_apply_never_grows_a_table_by_a_column(tmp_path: Path) -> None:
    """A header sheetbill adds right of a table's last column stays outside it: a new
    table column would need a name Excel accepts, its formulas and formats guessed."""
    shape = Shape("Invoices", 0, 7, 1, 0, False, True, 0, 2, 0, 7, None, 9)
    built = _build(shape, tmp_path)
    path, writes = built.path, built.writes
    writes[(1, WIDTH)] = "Closed"
    writes[(3, WIDTH)] = "later"
    _apply(path, "Invoices", writes)
    assert table_refs(path) == {"Main": ("A1:H4", "A1:H4")}
    root = etree.fromstring(zip_parts(path)["xl/tables/table1.xml"])
    assert root.find(f"{{{MAIN_NS}}}tableColumns").get("count") == str(WIDTH)


def test_excel_apply_leaves_a_table_it_cannot_edit_with_certainty(
    tmp_path: Path,
) -> None:
    """A table part whose bytes would fool the in-place edit (an autoFilter tag in a
    comment) is left as it is rather than damaged."""
    shape = Shape("Invoices", 0, 7, 1, 0, False, True, 0, 2, 0, 7, None, 9)
    built = _build(shape, tmp_path)
    path, writes = built.path, built.writes
    parts = zip_parts(path)
    table = parts["xl/tables/table1.xml"]
    parts["xl/tables/table1.xml"] = table.replace(
        b"<autoFilter", b'<!-- <autoFilter ref="A1:H2"/> --><autoFilter', 1
    )
    _write_parts(path, parts)
    _apply(path, "Invoices", writes)
    assert zip_parts(path)["xl/tables/table1.xml"] == parts["xl/tables/table1.xml"]


def test_excel_apply_edits_a_table_part_written_with_a_prefix_and_single_quotes(
    tmp_path: Path,
) -> None:
    shape = Shape("Invoices", 0, 7, 1, 0, False, True, 0, 2, 0, 7, None, 9)
    built = _build(shape, tmp_path)
    path, writes = built.path, built.writes
    parts = zip_parts(path)
    table = (
        f"<x:table xmlns:x='{MAIN_NS}' xmlns:xr='urn:x' id='1' xr:ref='Z9' "
        "name='Main' displayName='Main' ref = 'A1:H2'><x:autoFilter ref='A1:H2'/>"
        "<x:tableColumns count='8'>"
        + "".join(f"<x:tableColumn id='{i + 1}' name='Col {i}'/>" for i in range(8))
        + "</x:tableColumns></x:table>"
    ).encode()
    parts["xl/tables/table1.xml"] = table
    _write_parts(path, parts)
    _apply(path, "Invoices", writes)
    assert zip_parts(path)["xl/tables/table1.xml"] == table.replace(
        b"ref = 'A1:H2'", b"ref = 'A1:H4'"
    ).replace(b"autoFilter ref='A1:H2'", b"autoFilter ref='A1:H4'")


# Tables of real-world workbooks


def _corpus_tables() -> list[tuple[Path, str, str]]:
    """(file, tab, table part) for every table of the corpus."""
    found = []
    for path in sorted(CORPUS.glob("*.xls[xm]")):
        package = Package(ZipArchive(path.read_bytes()), path)
        for sheet in package.sheets:
            if not sheet.part or sheet.kind != "worksheet":
                continue
            for rel in package.relationships(sheet.part):
                if rel.kind == "table" and rel.part:
                    found.append((path, sheet.name, rel.part))
    return found


CORPUS_TABLES = _corpus_tables()


def _write_below(source: Path, tab: str, part: str, folder: Path) -> Path:
    """A copy of `source` with 3 rows written below the table in `part`."""
    target = folder / f"{source.stem}-{part.rpartition('/')[2][:-4]}{source.suffix}"
    shutil.copyfile(source, target)
    area = parse_area(etree.fromstring(zip_parts(source)[part]).get("ref", ""))
    assert area is not None
    cells = {
        (area.bottom + k, c): f"new {k}.{c}"
        for k in (1, 2, 3)
        for c in range(area.left, area.right + 1)
    }
    _apply(target, tab, cells)
    return target


@pytest.mark.slow
def test_excel_apply_below_corpus_tables_keeps_them_valid(tmp_path: Path) -> None:
    """Each table of the corpus, with 3 rows written below it: the table grows over
    the rows that were blank when it has no totals row, only its ref and autofilter
    ref change, every other part stays byte for byte, and LibreOffice opens the file
    and shows the rows."""
    assert len(CORPUS_TABLES) >= 8
    written = []
    for source, tab, part in CORPUS_TABLES:
        before = zip_parts(source)
        result = _write_below(source, tab, part, tmp_path)
        after = zip_parts(result)
        table = etree.fromstring(before[part])
        area = parse_area(table.get("ref", ""))
        assert area is not None
        shown = calamine_rows(source, tab)
        # The sheet's used range starts at A1 for these files (calamine pads it).
        held = {
            n
            for n in range(area.bottom + 1, area.bottom + 4)
            if n <= len(shown) and any(v != "" for v in shown[n - 1])
        }
        others = [
            parse_area(etree.fromstring(before[p]).get("ref", ""))
            for s, t, p in CORPUS_TABLES
            if s == source and t == tab and p != part
        ]
        bottom = _expected_bottom(
            area,
            int(table.get("totalsRowCount", "0")) > 0,
            {
                n: set(range(area.left, area.right + 1))
                for n in range(area.bottom + 1, area.bottom + 4)
            },
            held,
            [o for o in others if o is not None],
        )
        sheet = next(
            s.part
            for s in Package(ZipArchive(source.read_bytes()), source).sheets
            if s.name == tab
        )
        changed = _changed_parts(before, after)
        if bottom == area.bottom:
            assert changed == {sheet}, (source.name, part)
        else:
            assert changed == {sheet, part}, (source.name, part)
            old = table_refs_of(table)
            filter_area = parse_area(old[1]) if old[1] is not None else None
            new_filter = old[1] or ""
            if filter_area is not None and filter_area.bottom == area.bottom:
                new_filter = filter_area.with_bottom(bottom).ref
            new = (area.with_bottom(bottom).ref, new_filter)
            assert after[part] == _with_refs(before[part], old, new), source.name
        written.append((result, tab, area))
    shown_by_file = libreoffice_csv([r for r, _, _ in written], tmp_path / "csv")
    for result, tab, area in written:
        sheets = shown_by_file[result]
        rows = sheets[tab] if tab in sheets else next(iter(sheets.values()))
        cell = rows[area.bottom + 2][area.left]
        assert cell == f"new 3.{area.left}", (result.name, tab)
