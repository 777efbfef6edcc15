"""Paths and small helpers shared by the Excel backend tests."""

from __future__ import annotations

import zipfile
from pathlib import Path

from sheetbill.workbook.base import ColumnFormat, ColumnSpec, TabSpec

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


def zip_text(path: Path, name: str) -> str:
    """One part of a written workbook as text."""
    with zipfile.ZipFile(path) as archive:
        return archive.read(name).decode("utf-8")


def zip_names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()
