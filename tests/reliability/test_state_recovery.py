"""State and workbook disagree (issue 10, point 2): a state database that is missing,
empty, truncated or another copy's never draws again a number or Row ID the workbook
shows; the run stops in one line, and `sheetbill state rebuild` is the way out."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess

import pytest
from cli_runs import copy_case, drawn, one_line, sheetbill, state_of
from hypothesis import given, settings
from hypothesis import strategies as st
from readback import calamine_records

from sheetbill.domain.model import Counters
from sheetbill.domain.numbering import NumberPattern
from sheetbill.planning.recovery import BookMarks, unknown_to_state

CASE = "state-database-lost"
BOOK = "16b_restored_without_state.xlsx"
AS_OF = "2026-11-05"


def billed_demo(tmp_path, *, documents: bool):
    """The demo workbook in a folder of its own, billed once as of 2026-10-01."""
    from paths import DEMO

    folder = tmp_path / "shop"
    folder.mkdir()
    book = folder / "shop.xlsx"
    shutil.copyfile(DEMO, book)
    if not documents:
        (folder / "sheetbill.toml").write_text("documents = false\n")
    done = sheetbill("run", book.name, "--as-of", "2026-10-01", cwd=folder)
    assert done.returncode < 2, done.stderr
    return book


def shown_numbers(book):
    invoices = [str(r["Invoice No"]) for r in calamine_records(book, "Invoices")]
    row_ids = [str(r["Row ID"]) for r in calamine_records(book, "Time Log")]
    return invoices, [r for r in row_ids if r]


def emptied(state):
    state.write_bytes(b"")


def truncated(state):
    data = state.read_bytes()
    state.write_bytes(data[: len(data) // 3])


def another_copys(state):
    """The state of a copy of the workbook that billed less (an older copy)."""
    state.unlink()
    db = sqlite3.connect(state)
    db.executescript(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT);"
    )
    db.close()


@pytest.mark.parametrize("spoil", [None, emptied, truncated, another_copys])
def test_a_state_that_is_not_this_workbooks_stops_the_run_before_any_number(
    tmp_path, spoil
):
    book = copy_case(CASE, BOOK, tmp_path / "shop")
    state = state_of(book)
    if spoil is not None:
        # A state of its own first, then spoiled as the case says.
        assert sheetbill("state", "rebuild", BOOK, cwd=book.parent).returncode == 0
        for leftover in book.parent.glob("*.replaced-*"):
            leftover.unlink()
        spoil(state)
    before = book.read_bytes()
    err = one_line(sheetbill("run", BOOK, "--as-of", AS_OF, cwd=book.parent), 2)
    assert "state rebuild" in err or "state database" in err
    assert book.read_bytes() == before
    assert not (book.parent / "invoices").exists()
    assert drawn(state) in ({}, {"#row-id": 0})
    if spoil is None:  # `check` says so too, before anyone runs
        checked = sheetbill("check", BOOK, "--as-of", AS_OF, "--json", cwd=book.parent)
        assert checked.returncode == 1 and "state rebuild" in checked.stdout


def test_after_a_rebuild_no_number_or_row_id_the_workbook_shows_is_drawn_again(
    tmp_path,
):
    book = copy_case(CASE, BOOK, tmp_path / "shop")
    numbers, row_ids = shown_numbers(book)
    one_line(sheetbill("run", BOOK, "--as-of", AS_OF, cwd=book.parent), 2)
    rebuilt = sheetbill("state", "rebuild", BOOK, "--json", cwd=book.parent)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert f'"invoices": {len(numbers)}' in rebuilt.stdout
    done = sheetbill("run", BOOK, "--as-of", AS_OF, cwd=book.parent)
    assert done.returncode == 0, done.stdout + done.stderr
    after, after_ids = shown_numbers(book)
    new = [n for n in after if n not in numbers]
    new_ids = [r for r in after_ids if r not in row_ids]
    assert new and not set(new) & set(numbers) and not set(new_ids) & set(row_ids)
    assert max(new) > max(numbers) and max(new_ids) > max(row_ids)
    # PDFs made again for the rebuilt invoices show their service period or date
    # of supply (German invoices must), taken from the billed rows.
    text = subprocess.run(
        ["pdftotext", str(book.parent / "invoices" / f"{numbers[0]}.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    labels = ("Leistungszeitraum", "Service period", "Leistungsdatum", "Date of supply")
    assert any(label in text for label in labels)
    # The billed rows were rebuilt as they are: no row reported as edited.
    again = sheetbill("run", BOOK, "--as-of", AS_OF, "--json", cwd=book.parent)
    assert again.returncode == 0 and '"written": false' in again.stdout


def test_a_rebuild_keeps_the_state_database_that_was_there(tmp_path):
    book = copy_case(CASE, BOOK, tmp_path / "shop")
    state = state_of(book)
    assert sheetbill("state", "rebuild", BOOK, cwd=book.parent).returncode == 0
    truncated(state)
    done = sheetbill("state", "rebuild", BOOK, cwd=book.parent)
    assert done.returncode == 0, done.stderr
    kept = list(book.parent.glob(f"{state.name}.replaced-*"))
    assert len(kept) == 1 and kept[0].stat().st_size > 0
    assert "kept as" in done.stdout


def test_a_workbook_copied_beside_the_original_cannot_reuse_its_numbers(tmp_path):
    """A "test copy" gets a state of its own (empty): it stops until rebuilt."""
    book = copy_case(CASE, BOOK, tmp_path / "shop")
    assert sheetbill("state", "rebuild", BOOK, cwd=book.parent).returncode == 0
    copy = book.with_name("test-copy.xlsx")
    shutil.copyfile(book, copy)
    err = one_line(sheetbill("run", copy.name, "--as-of", AS_OF, cwd=book.parent), 2)
    assert "state rebuild" in err and copy.name in err


@settings(max_examples=200, deadline=None)
@given(
    shown=st.sets(st.integers(1, 40), max_size=12),
    shown_ids=st.sets(st.integers(1, 60), max_size=12),
    last=st.integers(0, 45),
    last_id=st.integers(0, 65),
    known=st.sets(st.integers(1, 45), max_size=12),
)
def test_a_run_goes_on_only_when_nothing_it_draws_is_shown(
    shown, shown_ids, last, last_id, known
):
    """Whenever the check lets a run go on, the next numbers and Row IDs it would
    draw (counter + 1, + 2, ...) are none the workbook shows."""
    pattern = NumberPattern("INV-{yyyy}-{seq:04}")
    number = "INV-2026-{:04d}".format
    marks = BookMarks(
        frozenset(number(n) for n in shown), frozenset(f"T-{n:06d}" for n in shown_ids)
    )
    counters = Counters({"INV-2026-{seq:04}": last}, last_id)
    unknown = unknown_to_state(
        marks, counters, [number(n) for n in known if n <= last], pattern.text
    )
    if not unknown:
        assert not {number(last + k) for k in range(1, 50)} & marks.invoice_numbers
        assert not {f"T-{last_id + k:06d}" for k in range(1, 70)} & marks.row_ids
    else:
        assert all(u in marks.invoice_numbers | marks.row_ids for u in unknown)


def test_a_workbook_older_than_its_state_never_bills_its_rows_again(tmp_path):
    """Restored from a backup taken before the last run (or saved over sheetbill's
    write by another program): the rows that run billed look new in it, but the
    state knows their content; they are held as exceptions, never billed twice."""
    book = billed_demo(tmp_path, documents=False)
    folder = book.parent
    older = book.read_bytes()
    done = sheetbill("run", book.name, "--as-of", "2026-11-02", "--json", cwd=folder)
    assert done.returncode < 2 and '"invoices": [\n    {' in done.stdout
    billed = {r["Row ID"] for r in calamine_records(book, "Time Log") if r["Row ID"]}
    book.write_bytes(older)  # the backup put back
    again = sheetbill("run", book.name, "--as-of", "2026-11-02", "--json", cwd=folder)
    assert again.returncode == 1, again.stderr
    assert '"invoices": []' in again.stdout
    assert "It is not billed again" in again.stdout
    rows = calamine_records(book, "Time Log")
    assert not any(r["Invoice No"] and r["Row ID"] not in billed for r in rows)


def test_a_number_typed_on_a_billed_row_ahead_of_the_counter_is_never_drawn(
    tmp_path,
):
    """A person types a number three ahead of the counter (INV-2026-0023 after 20)
    into a Time Log row's Invoice No: drawing it for another customer would put one
    number on two billings. The run stops before drawing; after `state rebuild`
    numbering goes on past it."""
    import openpyxl

    book = billed_demo(tmp_path, documents=False)
    folder = book.parent
    drawn = len(calamine_records(book, "Invoices"))
    ahead, after = (f"INV-2026-{drawn + n:04d}" for n in (3, 4))
    workbook = openpyxl.load_workbook(book)
    sheet = workbook["Time Log"]
    headers = [c.value for c in sheet[1]]
    row = next(
        r
        for r in range(2, sheet.max_row + 1)
        if not sheet.cell(r, headers.index("Invoice No") + 1).value
    )
    sheet.cell(row, headers.index("Invoice No") + 1, ahead)
    workbook.save(book)
    err = one_line(sheetbill("run", book.name, "--as-of", "2026-11-02", cwd=folder), 2)
    assert ahead in err
    assert sheetbill("state", "rebuild", book.name, cwd=folder).returncode == 0
    done = sheetbill("run", book.name, "--as-of", "2026-11-02", cwd=folder)
    assert done.returncode < 2, done.stderr
    numbers = [str(r["Invoice No"]) for r in calamine_records(book, "Invoices")]
    assert ahead not in numbers and after in numbers


def test_a_rebuilt_state_keeps_the_workbooks_pdfs_as_its_own(tmp_path):
    """After a lost state is rebuilt, the PDFs already in the workbook's folder are
    its own: kept byte for byte and linked, never reported as another's file."""
    book = billed_demo(tmp_path, documents=True)
    folder = book.parent
    pdfs = {p.name: p.read_bytes() for p in (folder / "invoices").glob("*.pdf")}
    assert pdfs
    for leftover in folder.glob("shop.sheetbill.sqlite*"):
        leftover.unlink()
    rebuilt = sheetbill("state", "rebuild", book.name, "--json", cwd=folder)
    assert f'"pdfs_claimed": {len(pdfs)}' in rebuilt.stdout, rebuilt.stdout
    again = sheetbill("run", book.name, "--as-of", "2026-10-01", "--json", cwd=folder)
    assert again.returncode < 2, again.stderr
    assert "not a file this workbook made" not in again.stdout
    assert {p.name: p.read_bytes() for p in (folder / "invoices").glob("*.pdf")} == pdfs


@pytest.mark.parametrize("spoil", [None, emptied, truncated])
def test_check_reads_the_state_without_writing_or_waiting(tmp_path, spoil):
    """`check` writes nothing, not even the run lock's file, and never waits for a
    run: it reads the state database read-only. An emptied state is one with nothing
    drawn (the workbook's numbers are then reported); a corrupt one is one line."""
    book = copy_case(CASE, BOOK, tmp_path / "shop")
    state = state_of(book)
    assert sheetbill("state", "rebuild", BOOK, cwd=book.parent).returncode == 0
    for leftover in book.parent.glob("*.lock"):
        leftover.unlink()
    if spoil is not None:
        spoil(state)
    from sheetbill.state.database import run_lock

    def files() -> dict[str, bytes]:
        # SQLite's own -wal/-shm files of a reader are not sheetbill writing.
        return {
            p.name: p.read_bytes()
            for p in book.parent.iterdir()
            if not p.name.endswith(("-wal", "-shm"))
        }

    with run_lock(state, timeout=1):  # a run is working: check does not wait
        before = files()
        done = sheetbill("check", BOOK, "--as-of", AS_OF, "--json", cwd=book.parent)
        assert files() == before
    if spoil is truncated:
        one_line(done, 2)
    else:
        assert done.returncode in (0, 1), done.stderr
        assert ("state rebuild" in done.stdout) == (spoil is emptied)
