"""Where things are, for tests: the repository, ../shared and the demo workbook."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEMO = ROOT / "sheet_templates" / "demo.xlsx"
