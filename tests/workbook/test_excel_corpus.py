"""Writing into 44 real-world workbooks keeps every other part intact, and what was
written reads back in calamine and in LibreOffice."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from xlsx_testing import FEATURES

from sheetbill.domain.sheet import (
    CellValue,
    CellWrite,
    ColumnFormat,
    ColumnSpec,
    Table,
    TabSpec,
    WorkbookChanges,
)
from sheetbill.workbook.excel import ExcelWorkbook
from sheetbill.workbook.xlsx_package import Package
from sheetbill.workbook.xlsx_zip import ZipArchive

CORPUS = sorted(p for p in FEATURES.iterdir() if p.suffix in (".xlsx", ".xlsm"))
KEPT_ELEMENTS = (
    "dataValidation",
    "conditionalFormatting",
    "mergeCell",
    "hyperlink",
    "tablePart",
    "drawing",
    "legacyDrawing",
)
SOFFICE_MISSING = (
    "LibreOffice (soffice) is missing: run make test, which installs LibreOffice"
)
CSV_FILTER = (
    "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
)

NEW_TABS = (
    TabSpec(
        "Invoices",
        (
            ColumnSpec("Invoice No"),
            ColumnSpec("Issue Date", ColumnFormat.DATE),
            ColumnSpec("Total", ColumnFormat.MONEY),
            ColumnSpec("Status", choices=("draft", "sent", "paid")),
        ),
    ),
    TabSpec(
        "Invoice Lines",
        (
            ColumnSpec("Invoice No"),
            ColumnSpec("Line", ColumnFormat.INTEGER),
            ColumnSpec("Description", width=40),
            ColumnSpec("Net", ColumnFormat.MONEY),
        ),
    ),
    TabSpec(
        "Exceptions",
        (
            ColumnSpec("Opened", ColumnFormat.DATETIME),
            ColumnSpec("Problem", width=60),
            ColumnSpec("Value"),
        ),
    ),
)
NEW_ROWS: dict[str, list[list[CellValue]]] = {
    "Invoices": [
        ["INV-2026-0001", date(2026, 1, 5), Decimal("1234.50"), "draft"],
        ["INV-2026-0002", date(2026, 2, 28), Decimal("0.1"), "sent"],
    ],
    "Invoice Lines": [
        ["INV-2026-0001", Decimal(1), "=SUM(A1:A9)", Decimal("1000")],
        ["INV-2026-0001", Decimal(2), "+49 30 1234", Decimal("234.5")],
        ["INV-2026-0002", Decimal(1), "-5 discount; @home", Decimal("0.1")],
    ],
    "Exceptions": [
        [datetime(2026, 3, 1, 9, 30), "Customer C9 has no email", "=HYPERLINK(1)"],
    ],
}


@dataclass(frozen=True)
class Edited:
    """A corpus file after the standard changes, with what the test expects."""

    source: Path
    result: Path
    target: Table | None
    target_writes: dict[tuple[int, int], CellValue]


def apply_standard_changes(source: Path, folder: Path) -> Edited:
    """Copy `source`, add three tabs with rows, and write a new column and row into
    its first worksheet that has content."""
    result = folder / source.name
    shutil.copyfile(source, result)
    book = ExcelWorkbook(result, backups=0)
    snapshot = book.read()
    writes: dict[str, tuple[CellWrite, ...]] = {
        tab: tuple(
            CellWrite(row_number, column, value)
            for row_number, row in enumerate(rows, start=2)
            for column, value in enumerate(row)
        )
        for tab, rows in NEW_ROWS.items()
    }
    target = next((t for t in snapshot.tables.values() if t.headers), None)
    target_writes: dict[tuple[int, int], CellValue] = {}
    if target is not None:
        free = max([len(target.headers), *(len(r.cells) for r in target.rows)])
        target_writes[(target.header_row, free)] = "sheetbill note"
        for row in target.rows[:3]:
            target_writes[(row.number, free)] = f"note {row.number}"
        target_writes[(target.last_row + 1, 0)] = "=added below"
        target_writes[(target.last_row + 1, free)] = Decimal("42.5")
        writes[target.tab] = tuple(
            CellWrite(r, c, v) for (r, c), v in target_writes.items()
        )
    version = book.apply(
        WorkbookChanges(new_tabs=NEW_TABS, writes=writes),
        expected_version=snapshot.version,
    )
    assert version == ExcelWorkbook(result).read().version
    return Edited(source, result, target, target_writes)


def _members(path: Path) -> dict[str, zipfile.ZipInfo]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: info for info in archive.infolist()}


def _content(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def _parts_that_may_change(path: Path, edited: Edited) -> set[str]:
    package = Package(ZipArchive(path.read_bytes()), path)
    allowed = {
        "[Content_Types].xml",
        package.workbook_part,
        package.workbook_rels_part,
        package.styles_part or "",
    }
    if edited.target is not None:
        part = next(s.part for s in package.sheets if s.name == edited.target.tab)
        allowed.add(part or "")
    return allowed


def _sheet_part(path: Path, tab: str) -> str:
    package = Package(ZipArchive(path.read_bytes()), path)
    part = next(s.part for s in package.sheets if s.name == tab)
    assert part is not None
    return part


def _head(sheet: bytes) -> bytes:
    before = sheet.partition(b"<sheetData")[0]
    return re.sub(rb'<dimension ref="[^"]*"', b"<dimension", before)


def _count(root: etree._Element, local: str) -> int:
    return sum(1 for node in root.iter() if etree.QName(node).localname == local)


def _ext_lists(root: etree._Element) -> list[bytes]:
    return [
        etree.tostring(node, method="c14n")
        for node in root
        if etree.QName(node).localname == "extLst"
    ]


@pytest.mark.parametrize("source", CORPUS, ids=lambda p: p.name)
def test_excel_apply_keeps_every_other_part(source: Path, tmp_path: Path) -> None:
    """Only the parts a write must touch change; the rest stay byte-identical, in
    order, and the edited sheet keeps its validations, formats, merges, links,
    tables, drawings and extLst."""
    edited = apply_standard_changes(source, tmp_path)
    before, after = _members(source), _members(edited.result)
    allowed = _parts_that_may_change(source, edited)
    assert list(after)[: len(before)] == list(before)
    added = list(after)[len(before) :]
    assert len(added) == 3 + ("xl/styles.xml" not in before)
    for name, info in before.items():
        if name in allowed:
            continue
        assert _content(edited.result, name) == _content(source, name), name
        assert after[name].CRC == info.CRC
        assert after[name].compress_size == info.compress_size, f"{name} recompressed"
    if edited.target is not None:
        part = _sheet_part(source, edited.target.tab)
        old_bytes, new_bytes = _content(source, part), _content(edited.result, part)
        old_root, new_root = etree.fromstring(old_bytes), etree.fromstring(new_bytes)
        for local in KEPT_ELEMENTS:
            assert _count(new_root, local) == _count(old_root, local), local
        assert _ext_lists(new_root) == _ext_lists(old_root)
        # Everything before the rows but the dimension, and all after, is unchanged.
        assert _head(new_bytes) == _head(old_bytes)
        old_tail = old_bytes.rpartition(
            b"</sheetData>" if b"</sheetData>" in old_bytes else b"<sheetData/>"
        )[2]
        assert new_bytes.rpartition(b"</sheetData>")[2] == old_tail
    workbook_part = Package(ZipArchive(source.read_bytes()), source).workbook_part
    old_book = etree.fromstring(_content(source, workbook_part))
    new_book = etree.fromstring(_content(edited.result, workbook_part))
    old_names = [n for n in old_book if etree.QName(n).localname == "definedNames"]
    new_names = [n for n in new_book if etree.QName(n).localname == "definedNames"]
    assert [etree.tostring(n, method="c14n") for n in new_names] == [
        etree.tostring(n, method="c14n") for n in old_names
    ]
    if source.suffix == ".xlsm":
        vba = next(name for name in before if name.endswith("vbaProject.bin"))
        assert _content(edited.result, vba) == _content(source, vba)
        assert b"macroEnabled" in _content(edited.result, "[Content_Types].xml")


@pytest.mark.parametrize("source", CORPUS, ids=lambda p: p.name)
def test_excel_apply_reads_back_in_calamine(source: Path, tmp_path: Path) -> None:
    """calamine finds every written value at its place, text that looks like a formula
    as text, and every other tab exactly as before."""
    original = ExcelWorkbook(source).read()
    edited = apply_standard_changes(source, tmp_path)
    snapshot = ExcelWorkbook(edited.result).read()
    assert snapshot.tab_names[: len(original.tab_names)] == original.tab_names
    assert snapshot.tab_names[len(original.tab_names) :] == tuple(
        t.name for t in NEW_TABS
    )
    for spec in NEW_TABS:
        table = snapshot.tables[spec.name]
        assert table.headers == tuple(c.header for c in spec.columns)
        got = [list(row.cells) for row in table.rows]
        assert got == NEW_ROWS[spec.name]
        assert [row.number for row in table.rows] == list(range(2, 2 + len(got)))
    for tab, table in original.tables.items():
        if edited.target is not None and tab == edited.target.tab:
            continue
        assert snapshot.tables[tab] == table
    if edited.target is not None:
        table = snapshot.tables[edited.target.tab]
        cells = {
            (row.number, column): value
            for row in table.rows
            for column, value in enumerate(row.cells)
        }
        for column, header in enumerate(table.headers):
            cells[(table.header_row, column)] = header
        for (row_number, column), value in edited.target_writes.items():
            assert cells.get((row_number, column)) == value
        assert table.last_row == edited.target.last_row + 1


def _convert_with_libreoffice(paths: list[Path], out: Path, profile: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.fail(SOFFICE_MISSING)
    completed = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            CSV_FILTER,
            "--outdir",
            str(out),
            *map(str, paths),
        ],
        capture_output=True,
        timeout=240,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr.decode(errors="replace")


def _csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _as_shown(value: CellValue) -> str:
    if isinstance(value, datetime):
        # Written raw (not as shown), LibreOffice prints seconds too.
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


BATCHES = [CORPUS[i::4] for i in range(4)]


@pytest.mark.slow
@pytest.mark.parametrize("batch", range(len(BATCHES)))
def test_excel_apply_reads_back_in_libreoffice(batch: int, tmp_path: Path) -> None:
    """LibreOffice opens every written workbook and shows the new tabs' values (dates
    as yyyy-mm-dd, formula-looking text as text) and the cells written into the old
    tab."""
    edited = [apply_standard_changes(source, tmp_path) for source in BATCHES[batch]]
    out = tmp_path / "csv"
    _convert_with_libreoffice([e.result for e in edited], out, tmp_path / "profile")
    for item in edited:
        stem = item.result.stem
        for tab, rows in NEW_ROWS.items():
            shown = _csv_rows(out / f"{stem}-{tab}.csv")
            for row_number, row in enumerate(rows, start=1):
                for column, value in enumerate(row):
                    cell = shown[row_number][column]
                    if isinstance(value, Decimal):
                        assert Decimal(cell) == value, (stem, tab, cell)
                    else:
                        assert cell == _as_shown(value), (stem, tab, cell)
        if item.target is None:
            continue
        shown = _csv_rows(out / f"{stem}-{item.target.tab}.csv")
        text = {cell for row in shown for cell in row}
        for value in item.target_writes.values():
            assert (str(value) if not isinstance(value, Decimal) else "42.5") in text


@pytest.mark.slow
def test_excel_create_new_opens_in_libreoffice(tmp_path: Path) -> None:
    """A workbook sheetbill creates from nothing opens in LibreOffice with its tabs."""
    path = tmp_path / "fresh.xlsx"
    ExcelWorkbook.create_new(path, NEW_TABS)
    _convert_with_libreoffice([path], tmp_path / "csv", tmp_path / "profile")
    for spec in NEW_TABS:
        shown = _csv_rows(tmp_path / "csv" / f"fresh-{spec.name}.csv")
        assert shown[0] == [c.header for c in spec.columns]
