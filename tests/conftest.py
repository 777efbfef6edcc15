"""Shared fixtures: paths to the shared corpora and a copy of the demo workbook."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from google_fixtures import google_book, sheets_server  # noqa: F401 (fixtures)
from paths import DEMO


@pytest.fixture
def demo_book(tmp_path: Path) -> Path:
    """A private copy of the committed demo workbook."""
    target = tmp_path / "books" / "northwind.xlsx"
    target.parent.mkdir()
    shutil.copyfile(DEMO, target)
    return target
