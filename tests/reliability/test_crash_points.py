"""A run killed at any side effect (kill -9) and run again bills every row once:
no invoice number used twice or skipped silently, no row billed twice or lost, the
workbook opens, no temp file is left, and a further run changes nothing.

How it works: a clean run of a small book made from the demo (PDFs on) counts how
often each side effect of `crashpoints.EFFECTS` happens; then for every effect and
every n up to its count, a fresh copy is run and killed with SIGKILL at the n-th
call (before or after it, as the table says), run again to completion, and checked
against the invariants and against the clean run's tabs, documents and counters.

**A new kind of side effect** (an email handed to SMTP, a reminder recorded) is one
row in `crashpoints.EFFECTS`:

    Effect("email handed to SMTP", "sheetbill.mail.smtp:SmtpOutbox.send"),

naming the function (module:function or module:Class.method) that does it and
whether the run dies `"before"` or `"after"` the call (after, by default). The clean
run counts it and every n gets its own test. When the run's journal records a kind
through one function, point the row there and pick the kind with `counts=`:

    Effect("PDF written", "sheetbill.state.journal:Journal.done",
           counts=lambda args, kwargs: args[1].kind == "pdf"),

If what the new effect leaves after a crash needs its own check (an email sent
once), add it to `crashpoints.assert_invariants`.
"""

from __future__ import annotations

import atexit
import functools
import json
import shutil
import signal
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from cli_runs import state_of
from crashpoints import (
    BY_NAME,
    EFFECTS,
    Outcome,
    Runs,
    age_temp_files,
    assert_emails,
    assert_invariants,
    assert_no_temp_files,
    assert_same_billing,
    copy_book,
    outcome_of,
    state_dump,
    tree,
)
from small_demo import write_small_demo

AS_OF = "2026-11-02"
# Effects a run of an Excel workbook never has (Drive uploads are Google only).
NOT_ON_EXCEL = {"PDF uploaded"}


@dataclass(frozen=True, slots=True)
class Clean:
    """The small demo, and what a run of it that was never stopped leaves."""

    book: Path
    counts: dict[str, int]
    outcome: Outcome
    code: int


@functools.cache
def _runs() -> Runs:
    """One helper process per test process, closed when it ends."""
    runs = Runs()
    atexit.register(runs.close)
    return runs


def _run(folder: Path, *more: str, crash: tuple[str, int] | None = None, count=False):
    return _runs().run(
        folder, "run", "shop.xlsx", "--as-of", AS_OF, *more, crash=crash, count=count
    )


@functools.cache
def _clean() -> Clean:
    """Made once per test process: the tests are parametrized from its counts."""
    root = Path(tempfile.mkdtemp(prefix="sheetbill-crash-points-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    source = root / "small-demo.xlsx"
    write_small_demo(source)
    book = copy_book(source, root / "clean")
    done = _run(book.parent, count=True)
    assert done.code in (0, 1), done.stderr
    return Clean(source, dict(done.counts), outcome_of(book), done.code)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "point" not in metafunc.fixturenames:
        return
    try:
        counts = _clean().counts
    except AssertionError:  # no clean run: the tests below that need one say why
        counts = {}
    points = [
        (effect.name, n)
        for effect in EFFECTS
        for n in range(1, counts.get(effect.name, 0) + 1)
    ]
    metafunc.parametrize("point", points, ids=[f"{k}-{n}" for k, n in points])


def test_every_effect_names_a_function_that_exists():
    """A renamed or moved function fails here by name (a run cannot start then,
    and the tests of each point are left out)."""
    from crashpoints import _resolve

    for effect in EFFECTS:
        owner, attr, _ = _resolve(effect.target)
        assert callable(getattr(owner, attr)), effect


@pytest.mark.slow
def test_the_small_demo_reaches_every_effect_of_an_excel_run():
    counts = _clean().counts
    assert {e.name for e in EFFECTS} - set(counts) == NOT_ON_EXCEL, counts
    assert counts["document file written"] >= 4  # 4 PDFs and an XRechnung XML


@pytest.mark.slow
def test_a_run_never_stopped_holds_the_invariants_and_a_rerun_changes_nothing(
    tmp_path,
):
    clean = _clean()
    book = copy_book(clean.book, tmp_path / "shop")
    assert _run(book.parent).code == clean.code
    outcome = outcome_of(book)
    assert_invariants(book, outcome)
    assert_same_billing(outcome, clean.outcome)
    assert_no_temp_files(book)
    _assert_a_rerun_changes_nothing(book, clean.code)


@pytest.mark.slow
def test_a_run_killed_at_an_effect_dies_there(tmp_path):
    """The harness itself: killed after the numbers are drawn, the journal holds
    their writes pending and nothing else was written."""
    clean = _clean()
    book = copy_book(clean.book, tmp_path / "shop")
    before = book.read_bytes()
    killed = _run(book.parent, crash=("numbers drawn", 1))
    assert killed.code == -signal.SIGKILL, killed.stderr
    assert book.read_bytes() == before
    assert not (book.parent / "invoices").exists()
    state = sqlite3.connect(state_of(book))
    statuses = [
        s
        for (s,) in state.execute(
            "SELECT status FROM journal WHERE kind = 'invoice.write'"
        )
    ]
    state.close()
    assert statuses == ["pending"] * len(clean.outcome.tabs["Invoices"])


@pytest.mark.slow
def test_a_run_killed_at_any_effect_bills_every_row_once_after_a_rerun(tmp_path, point):
    clean = _clean()
    effect = BY_NAME[point[0]]
    book = copy_book(clean.book, tmp_path / "shop")
    killed = _run(book.parent, crash=point)
    assert killed.code == -signal.SIGKILL, (killed.code, killed.stderr)
    left = age_temp_files(book.parent)  # as when a person runs again later
    assert left or "temp file" not in effect.name, "killed before the temp file"
    if effect.way_out is not None:
        refused = _run(book.parent)
        message = refused.stderr.strip()
        assert refused.code == 2 and "\n" not in message, refused.stderr
        effect.way_out(book, message)
    rerun = _run(book.parent, "--json")
    assert rerun.code == clean.code, rerun.stdout + rerun.stderr
    outcome = outcome_of(book)
    assert_invariants(book, outcome)
    assert_same_billing(outcome, clean.outcome)
    assert_emails(book, outcome, clean.outcome)
    assert_no_temp_files(book)
    _assert_a_rerun_changes_nothing(book, clean.code)


def _assert_a_rerun_changes_nothing(book: Path, code: int) -> None:
    files, state = tree(book.parent), state_dump(book)
    again = _run(book.parent, "--json")
    assert again.code == code, again.stderr
    result = json.loads(again.stdout)
    assert not result["written"] and result["pdfs_rendered"] == 0, result["changes"]
    assert result["invoices"] == [] and result["recovered_invoices"] == []
    assert tree(book.parent) == files
    assert state_dump(book) == state
