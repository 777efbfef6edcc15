"""Overlapping runs (issue 10, point 1): real processes on one workbook, started
together or staggered, produce exactly one set of invoices."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from paths import SHARED
from readback import calamine_records

CASE = SHARED / "cases" / "two-runs-at-once" / "16_numbering.xlsx"
AS_OF = "2026-11-03"


def start_run(book: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "sheetbill", "run", str(book), "--as-of", AS_OF],
        cwd=book.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(run: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = run.communicate(timeout=300)
    return run.returncode, out, err


def fresh_book(folder: Path, *, documents: bool) -> Path:
    folder.mkdir()
    book = folder / CASE.name
    shutil.copyfile(CASE, book)
    (folder / "sheetbill.toml").write_text(
        f"documents = {'true' if documents else 'false'}\nlock_timeout = 120\n"
    )
    return book


def assert_billed_once(book: Path) -> None:
    rows = calamine_records(book, "Time Log")
    numbers = [str(r["Invoice No"]) for r in rows]
    assert all(numbers) and len(set(numbers)) == len(rows)
    invoices = [str(r["Invoice No"]) for r in calamine_records(book, "Invoices")]
    assert sorted(invoices) == sorted(numbers), "one Invoices row per invoice"
    assert Counter(invoices).most_common(1)[0][1] == 1
    state = sqlite3.connect(book.with_suffix(".sheetbill.sqlite"))
    try:
        drawn = [n for (n,) in state.execute("SELECT number FROM invoices")]
        (last,) = state.execute("SELECT last FROM counters WHERE series != '#row-id'")
    finally:
        state.close()
    assert sorted(drawn) == sorted(invoices) and last[0] == len(rows)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("processes", "stagger", "documents"),
    [
        (3, 0.0, False),
        (3, 0.0, True),
        (2, 0.2, False),
        (2, 0.7, False),
        (2, 1.5, True),
        (3, 0.4, False),
    ],
)
def test_runs_started_together_or_staggered_bill_every_row_once(
    tmp_path, processes, stagger, documents
):
    """Whoever gets the lock first bills; the others read after it and find
    nothing to do (exit 0, no number drawn), however they are staggered."""
    book = fresh_book(tmp_path / "shop", documents=documents)
    runs = []
    for _ in range(processes):
        runs.append(start_run(book))
        time.sleep(stagger)
    results = [finish(r) for r in runs]
    assert [code for code, _, _ in results] == [0] * processes, results
    assert sum("5 invoices created" in out for _, out, _ in results) == 1
    assert all("Traceback" not in err for _, _, err in results)
    assert_billed_once(book)
    if documents:
        assert len(list((book.parent / "invoices").glob("*.pdf"))) == 5


def test_a_run_waiting_for_the_lock_plans_from_what_the_run_before_wrote(tmp_path):
    """The lock is taken before the workbook is read: a run held at the lock while
    another bills reads the billed rows afterwards, never a stale copy."""
    from sheetbill.state.database import run_lock

    billed = fresh_book(tmp_path / "billed", documents=False)
    assert finish(start_run(billed))[0] == 0
    book = fresh_book(tmp_path / "shop", documents=False)
    state = book.with_suffix(".sheetbill.sqlite")
    with run_lock(state, timeout=5):
        waiting = start_run(book)
        # Long enough for it to start and reach the lock (filelock polls it, so
        # there is nothing to observe); a run that read first would plan stale.
        time.sleep(3)
        # Meanwhile "another run" bills the workbook: its result lands in place.
        for source in (billed, billed.with_suffix(".sheetbill.sqlite")):
            shutil.copyfile(source, book.parent / source.name)
    code, out, err = finish(waiting)
    assert code == 0 and "No new invoices" in out and "Traceback" not in err
    assert_billed_once(book)
