"""Fixtures for the Excel backend tests: small workbooks built by sheetbill."""

from __future__ import annotations

from pathlib import Path

import pytest

from sheetbill.workbook.base import ColumnFormat, ColumnSpec, TabSpec
from sheetbill.workbook.excel import ExcelWorkbook

PEOPLE = TabSpec(
    "People",
    (
        ColumnSpec("Name"),
        ColumnSpec("Born", ColumnFormat.DATE),
        ColumnSpec("Balance", ColumnFormat.MONEY),
        ColumnSpec("Kind", choices=("a", "b")),
    ),
)


@pytest.fixture
def book_path(tmp_path: Path) -> Path:
    """A new workbook with one tab (People) made by sheetbill itself."""
    path = tmp_path / "book.xlsx"
    ExcelWorkbook.create_new(path, [PEOPLE])
    return path
