"""The import-linter contracts in pyproject.toml refuse each kind of wrong import.

`make lint` checks the package itself; here a copy of it gets one wrong import at a
time, so a contract weakened or dropped by mistake is noticed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def lint_copy(tmp_path: Path, module: str = "", line: str = "") -> tuple[int, str]:
    """`lint-imports` over a copy of the package with `line` added to `module`."""
    package = tmp_path / "sheetbill"
    shutil.copytree(
        ROOT / "sheetbill", package, ignore=shutil.ignore_patterns("__pycache__")
    )
    if module:
        path = package / module
        path.write_text(path.read_text() + f"\n{line}\n")
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from importlinter.cli import lint_imports_command; lint_imports_command()",
            "--no-cache",
            str(ROOT / "pyproject.toml"),
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


def test_layers_hold_for_an_untouched_copy(tmp_path):
    code, out = lint_copy(tmp_path)
    assert code == 0, out
    assert "0 broken" in out


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        (
            "tabs/rows.py",
            "from sheetbill.planning import invoices",
            "Each stage imports only the stages below it",
        ),
        (
            "domain/money.py",
            "from sheetbill.errors import ConfigError",
            "The domain imports nothing else of sheetbill",
        ),
        (
            "planning/recovery.py",
            "from sheetbill import tempfiles",
            "The core (domain, tabs, planning, writeback) reaches no adapter",
        ),
        (
            "state/database.py",
            "from sheetbill.planning.invoices import plan_invoices",
            "Adapters know the data model only",
        ),
        (
            "workbook/google/drive.py",
            "from sheetbill.config import Config",
            "Adapters know the data model only",
        ),
        (
            "cli.py",
            "from sheetbill.workbook.excel import ExcelWorkbook",
            "Only wiring and the use cases name a concrete adapter",
        ),
        (
            "mail/smtp.py",
            "from sheetbill.config import MailConfig",
            "Adapters know the data model only",
        ),
        (
            "views.py",
            "from sheetbill.mail.outbox import OutboxMailer",
            "Only wiring and the use cases name a concrete adapter",
        ),
    ],
)
def test_layers_refuse_an_import_against_a_contract(tmp_path, module, line, contract):
    code, out = lint_copy(tmp_path, module, f"{line}  # noqa")
    assert code == 1, out
    assert re.search(rf"^{re.escape(contract)}.* BROKEN$", out, re.MULTILINE), out
    assert "1 broken" in out, out
