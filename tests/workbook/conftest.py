"""Fixtures for the Excel backend tests: small workbooks built by sheetbill."""

from __future__ import annotations

from pathlib import Path

import pytest
from xlsx_testing import PEOPLE

from sheetbill.workbook.excel import ExcelWorkbook


@pytest.fixture
def book_path(tmp_path: Path) -> Path:
    """A new workbook with one tab (People) made by sheetbill itself."""
    path = tmp_path / "book.xlsx"
    ExcelWorkbook.create_new(path, [PEOPLE])
    return path
