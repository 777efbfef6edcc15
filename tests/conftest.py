"""Shared fixtures: paths to the shared corpora and a copy of the demo workbook."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEMO = ROOT / "sheet_templates" / "demo.xlsx"


@pytest.fixture
def demo_book(tmp_path: Path) -> Path:
    """A private copy of the committed demo workbook."""
    target = tmp_path / "books" / "northwind.xlsx"
    target.parent.mkdir()
    shutil.copyfile(DEMO, target)
    return target
