"""Paths and small helpers shared by the Excel backend tests."""

from __future__ import annotations

import zipfile
from pathlib import Path

from sheetbill.workbook.base import ColumnFormat, ColumnSpec, TabSpec
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
