"""Paths and small helpers shared by the Excel backend tests."""

from __future__ import annotations

import zipfile
from pathlib import Path

from sheetbill.domain.sheet import ColumnFormat, ColumnSpec, TabSpec
from sheetbill.workbook.excel import ExcelWorkbook

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
FEATURES = SHARED / "xlsx-corpus" / "features"
HOSTILE = SHARED / "xlsx-corpus" / "hostile"

PEOPLE = TabSpec(
    "People",
    (
        ColumnSpec("Name"),
        ColumnSpec("Born", ColumnFormat.DATE),
        ColumnSpec("Balance", ColumnFormat.MONEY),
        ColumnSpec("Kind", choices=("a", "b")),
    ),
)


# A helper rather than a conftest.py fixture: other test folders import names from
# "conftest", and one more conftest module could shadow theirs.
def new_book(folder: Path) -> Path:
    """A new workbook with one tab (People) made by sheetbill itself."""
    path = folder / "book.xlsx"
    ExcelWorkbook.create_new(path, [PEOPLE])
    return path


def zip_text(path: Path, name: str) -> str:
    """One part of a written workbook as text."""
    with zipfile.ZipFile(path) as archive:
        return archive.read(name).decode("utf-8")


def zip_names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


def rewrite_zip(path: Path, parts: dict[str, bytes | None]) -> None:
    """Replace (or with None, remove) parts of a workbook; other parts stay in order."""
    with zipfile.ZipFile(path) as archive:
        kept = {name: archive.read(name) for name in archive.namelist()}
    for name, data in parts.items():
        if data is None:
            kept.pop(name, None)
        else:
            kept[name] = data
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in kept.items():
            archive.writestr(name, data)


def zip_bytes(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


WIDE = TabSpec(
    "Time Log",
    tuple(
        ColumnSpec(f"Col {i}", ColumnFormat.DATE if i == 0 else ColumnFormat.TEXT)
        for i in range(12)
    ),
)


def big_workbook(path: Path, rows: int) -> None:
    """A 12-column sheet of `rows` rows, generated as XML (openpyxl is too slow)."""
    ExcelWorkbook.create_new(path, [WIDE])
    lines = []
    for number in range(2, rows + 2):
        lines.append(
            f'<row r="{number}">'
            f'<c r="A{number}" s="3"><v>{45000 + number % 365}</v></c>'
            f'<c r="B{number}" t="inlineStr"><is><t>Person {number % 7}</t></is></c>'
            f'<c r="C{number}" t="inlineStr"><is><t>C{number % 50:03d}</t></is></c>'
            f'<c r="D{number}"><v>{number % 97 / 8}</v></c>'
            f'<c r="E{number}" t="inlineStr"><is><t>Work item {number}</t></is></c>'
            f'<c r="F{number}" t="b"><v>1</v></c>'
            f'<c r="G{number}"><v>{number * 1.5}</v></c>'
            f'<c r="H{number}" t="inlineStr"><is><t>yes</t></is></c>'
            f'<c r="I{number}"><v>{number}</v></c>'
            f'<c r="J{number}" t="inlineStr"><is><t>Proj</t></is></c>'
            f'<c r="K{number}" t="inlineStr"><is><t>Dev</t></is></c>'
            f'<c r="L{number}" t="inlineStr"><is><t>R{number:06d}</t></is></c></row>'
        )
    sheet = zip_text(path, "xl/worksheets/sheet1.xml")
    sheet = sheet.replace(
        "</row></sheetData>", "</row>" + "".join(lines) + "</sheetData>"
    )
    rewrite_zip(path, {"xl/worksheets/sheet1.xml": sheet.encode()})
