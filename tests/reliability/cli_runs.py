"""Running sheetbill as a user does, for the reliability tests: a copy of a case or
the demo in a folder of its own, the real CLI in a subprocess, the state re-read."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from paths import ROOT, SHARED

from helpers import add_settings_rows

CASES = SHARED / "cases"


def copy_case(case: str, name: str, folder: Path) -> Path:
    """The case's workbook (and whatever lies beside it) copied into `folder`, with
    the Settings rows it lacks to be invoiced without a problem (an address, IBAN,
    Default Tax Rate), typed before a lock file beside it is copied."""
    folder.mkdir(parents=True, exist_ok=True)
    book = folder / name
    shutil.copyfile(CASES / case / name, book)
    book.chmod(0o644)
    add_settings_rows(book)
    for source in (CASES / case).iterdir():
        if source.name != name:
            shutil.copyfile(source, folder / source.name)
            (folder / source.name).chmod(0o644)
    return book


def sheetbill(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sheetbill", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
        timeout=300,
    )


def one_line(done: subprocess.CompletedProcess[str], code: int) -> str:
    """The single line a refused command prints, after checking its exit code."""
    err = done.stderr.strip()
    assert done.returncode == code, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and err and "\n" not in err, done.stderr
    return err


def drawn(state: Path) -> dict[str, int]:
    """The counters a state database holds ({} when it has none or is absent)."""
    if not state.exists():
        return {}
    db = sqlite3.connect(state)
    try:
        return dict(db.execute("SELECT series, last FROM counters"))
    except sqlite3.DatabaseError:  # not a database (emptied, truncated): none
        return {}
    finally:
        db.close()


def state_of(book: Path) -> Path:
    return book.with_suffix(".sheetbill.sqlite")
