"""A refused run has no side effects (issue 10, point 4): what will not be written is
found before a number is drawn; an invoice never written is planned again from the
rows as they are now, under its number; nothing that cannot fit a cell is planned."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from cli_runs import copy_case, drawn, one_line, sheetbill, state_of
from hypothesis import given, settings
from hypothesis import strategies as st
from readback import calamine_records, log_and_journal

from sheetbill.config import Config
from sheetbill.domain.model import InvoiceLine, SourceRow
from sheetbill.errors import WorkbookLockedError, WorkbookWriteError
from sheetbill.planning.invoices import MAX_CELL_TEXT
from sheetbill.planning.recovery import _row_ids_in
from sheetbill.state import StateDB
from sheetbill.testing import MemoryWorkbook
from sheetbill.usecases.run import run_billing
from sheetbill.workbook.excel import ExcelWorkbook

from helpers import small_book, time_row

D = Decimal
LOCKED = "open-in-libreoffice"
LOCK_FILE = ".~lock.locked.xlsx#"


def test_a_workbook_open_in_libreoffice_draws_no_number_and_makes_no_pdf(tmp_path):
    book = copy_case(LOCKED, "locked.xlsx", tmp_path / "shop")
    before = book.read_bytes()
    err = one_line(sheetbill("run", book.name, cwd=book.parent), 3)
    assert "open in LibreOffice" in err
    assert drawn(state_of(book)) == {}
    assert not (book.parent / "invoices").exists()
    assert book.read_bytes() == before


def test_a_read_only_workbook_draws_no_number(tmp_path):
    book = copy_case(LOCKED, "locked.xlsx", tmp_path / "shop")
    (book.parent / LOCK_FILE).unlink()
    book.chmod(0o444)
    err = one_line(sheetbill("run", book.name, cwd=book.parent), 3)
    assert "read-only" in err
    assert drawn(state_of(book)) == {}
    assert not (book.parent / "invoices").exists()


def test_a_pdf_folder_that_cannot_be_written_draws_no_number(tmp_path):
    book = copy_case(LOCKED, "locked.xlsx", tmp_path / "shop")
    (book.parent / LOCK_FILE).unlink()
    (book.parent / "invoices").write_text("a file where the folder should be")
    err = one_line(sheetbill("run", book.name, cwd=book.parent), 3)
    assert "invoices" in err and "PDF" in err
    assert drawn(state_of(book)) == {}


def test_a_lock_that_appears_mid_run_leaves_the_invoice_to_be_rebuilt_as_edited(
    tmp_path,
):
    """The case: refused late (numbers drawn, PDF made), then Hours of row 3 change
    and the lock goes; the rerun bills the new hours under the same number."""
    book = copy_case(LOCKED, "locked.xlsx", tmp_path / "shop")
    lock = book.parent / LOCK_FILE
    lock_text = lock.read_bytes()
    lock.unlink()
    state = state_of(book)
    as_of = date(2026, 11, 3)

    def lock_before_writing(step: str) -> None:
        if step == "Writing the workbook":
            lock.write_bytes(lock_text)

    with pytest.raises(WorkbookLockedError):
        run_billing(
            ExcelWorkbook(book),
            Config(),
            state_path=state,
            as_of=as_of,
            is_dry_run=False,
            progress=lock_before_writing,
        )
    with StateDB(state) as db:
        (first,) = db.pending_invoices()
    lock.unlink()
    was = _edit_hours(book, row=3, hours=7.5)
    result = run_billing(
        ExcelWorkbook(book), Config(), state_path=state, as_of=as_of, is_dry_run=False
    )
    assert result.recovered == () and result.withdrawn == ()
    (again,) = result.invoices
    assert again.number == first.number
    hours = sum(li.quantity for li in again.lines)
    assert hours == sum(li.quantity for li in first.lines) - was + D("7.5")
    assert again.total != first.total
    rows = calamine_records(book, "Invoices")
    assert [r["Invoice No"] for r in rows] == [first.number]
    assert float(rows[0]["Total"]) == float(again.total)


def _edit_hours(book, *, row: int, hours: float) -> Decimal:
    """Hours of a Time Log row changed as a person would (openpyxl, then saved);
    what the cell held before."""
    import openpyxl

    workbook = openpyxl.load_workbook(book)
    sheet = workbook["Time Log"]
    column = [c.value for c in sheet[1]].index("Hours") + 1
    was = sheet.cell(row=row, column=column).value
    sheet.cell(row=row, column=column, value=hours)
    workbook.save(book)
    return Decimal(str(was))


def book_with_two_customers():
    return MemoryWorkbook(
        small_book(
            time_rows=[
                time_row(date(2026, 10, 1), "Ann", "C1", Decimal(2)),
                time_row(date(2026, 10, 2), "Bob", "C2", Decimal(3)),
            ]
        )
    )


def run(workbook, tmp_path):
    return run_billing(
        workbook,
        Config(documents=False),
        state_path=tmp_path / "state.sqlite",
        as_of=date(2026, 11, 2),
        is_dry_run=False,
    )


def test_a_never_written_number_no_invoice_needs_is_withdrawn_once_and_logged(
    tmp_path,
):
    """Rows of a stopped run's invoice are no longer waiting: its number is not
    drawn again, nor given to anyone; the Log says why (EU VAT art. 226 allows no
    silent gaps)."""
    workbook = book_with_two_customers()
    workbook.fail_next_apply = WorkbookWriteError("disk full", path="memory.xlsx")
    with pytest.raises(WorkbookWriteError):
        run(workbook, tmp_path)
    workbook.edit("Time Log", 3, 2, "C1")  # Bob's row now belongs to customer C1
    result = run(workbook, tmp_path)
    assert [i.number for i in result.invoices] == ["INV-2026-0001"]
    assert result.withdrawn == ("INV-2026-0002",)
    assert workbook.column("Log", "Action")[-1] == "number withdrawn"
    assert workbook.column("Log", "Invoice")[-1] == "INV-2026-0002"
    assert workbook.column("Time Log", "Invoice No") == ["INV-2026-0001"] * 2
    for column, value in enumerate(time_row(date(2026, 10, 3), "Cy", "C2", D(1))):
        if value is not None:
            workbook.cells["Time Log"][(4, column)] = value
    later = run(workbook, tmp_path)
    assert [i.number for i in later.invoices] == ["INV-2026-0003"]
    assert later.withdrawn == ()


def line_of(sources: tuple[SourceRow, ...]) -> InvoiceLine:
    one, nil = Decimal(1), Decimal(0)
    return InvoiceLine(1, "d", one, "hour", one, nil, one, nil, one, sources)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["Time Log", "Orders"]), st.integers(1, 60)),
        min_size=1,
        max_size=40,
        unique=True,
    )
)
def test_a_source_cell_names_every_row_and_ranges_read_back(rows):
    """Runs of three or more Row IDs print as one range; reading the cell back
    gives every Row ID (used by `state rebuild`)."""
    sources = tuple(
        SourceRow(tab, n, f"{'T' if tab == 'Time Log' else 'O'}-{n:06d}", "x")
        for tab, n in rows
    )
    named = _row_ids_in(line_of(sources).source_text)
    assert sorted(named) == sorted(s.row_id for s in sources)


def test_a_line_of_four_thousand_rows_fits_one_cell():
    sources = tuple(SourceRow("Time Log", n, f"T-{n:06d}", "x") for n in range(4000))
    assert line_of(sources).source_text == "Time Log T-000000–T-003999"


def test_an_invoice_text_longer_than_a_cell_is_never_planned_nor_blocks_others(
    tmp_path,
):
    """A line whose description cannot fit a cell (project and activity of 20,000
    characters each) is an exception before numbers are drawn; the other customer is
    billed, and the next run is not blocked."""
    rows = [
        time_row(date(2026, 10, 1), "Ann", "C1", Decimal(2)),
        time_row(date(2026, 10, 2), "Bob", "C2", Decimal(3)),
    ]
    workbook = MemoryWorkbook(small_book(time_rows=rows))
    headers = [
        h
        for _, h in sorted(
            (c, v) for (r, c), v in workbook.cells["Time Log"].items() if r == 1
        )
    ]
    workbook.edit("Time Log", 2, headers.index("Project"), "P" * 20_000)
    workbook.edit("Time Log", 2, headers.index("Activity"), "A" * 20_000)
    result = run(workbook, tmp_path)
    assert [i.customer_id for i in result.invoices] == ["C2"]
    assert [i.number for i in result.invoices] == ["INV-2026-0001"]
    assert any(
        str(MAX_CELL_TEXT)[:2] in p.problem and p.customer_id == "C1"
        for p in result.problems
    )
    assert all(
        len(str(v)) <= MAX_CELL_TEXT
        for tab in workbook.cells.values()
        for v in tab.values()
    )
    again = run(workbook, tmp_path)
    assert again.invoices == () and again.withdrawn == ()


def test_a_stopped_runs_numbers_wait_while_invoicing_is_blocked(tmp_path):
    """A broken Number Pattern stops all invoicing: the numbers a stopped run drew
    are neither withdrawn nor used until it is fixed, then taken again in order."""
    workbook = book_with_two_customers()
    workbook.fail_next_apply = WorkbookWriteError("disk full", path="memory.xlsx")
    with pytest.raises(WorkbookWriteError):
        run(workbook, tmp_path)
    settings = workbook.cells["Settings"]
    row = max(r for r, _ in settings) + 1
    settings[(row, 0)], settings[(row, 1)] = "Number Pattern", "INV-{nope}"
    blocked = run(workbook, tmp_path)
    assert blocked.invoices == () and blocked.withdrawn == ()
    settings[(row, 1)] = "INV-{yyyy}-{seq:04}"
    fixed = run(workbook, tmp_path)
    assert [i.number for i in fixed.invoices] == ["INV-2026-0001", "INV-2026-0002"]
    assert fixed.withdrawn == ()


def _killed_after_the_pdfs(book, state, monkeypatch):
    """A run stopped (as by kill -9) after writing its PDFs, before recording them."""

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(StateDB, "record_documents", killed)
        with pytest.raises(KeyboardInterrupt):
            run_billing(
                ExcelWorkbook(book),
                Config(),
                state_path=state,
                as_of=date(2026, 11, 3),
                is_dry_run=False,
            )


def _pdf_text(path) -> str:
    import subprocess

    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.parametrize("edit", ["hours", "withdraw first customer"])
def test_pdfs_a_stopped_run_wrote_are_its_own_to_replace(tmp_path, monkeypatch, edit):
    """Files are recorded as intended before they are written: after a kill between
    writing PDFs and recording them, the rerun replaces them with the rebuilt
    invoices' PDFs (never reported as another's file), and deletes a withdrawn
    number's PDF, so no PDF shows content its number no longer has."""
    import openpyxl

    book = copy_case("two-runs-at-once", "16_numbering.xlsx", tmp_path / "shop")
    state = state_of(book)
    _killed_after_the_pdfs(book, state, monkeypatch)
    folder = book.parent / "invoices"
    assert len(list(folder.glob("*.pdf"))) == 5
    workbook = openpyxl.load_workbook(book)
    sheet = workbook["Time Log"]
    headers = [c.value for c in sheet[1]]
    if edit == "hours":
        sheet.cell(2, headers.index("Hours") + 1, 7.5)
    else:
        sheet.cell(2, headers.index("Approved") + 1, "no")
    workbook.save(book)
    result = run_billing(
        ExcelWorkbook(book),
        Config(),
        state_path=state,
        as_of=date(2026, 11, 3),
        is_dry_run=False,
    )
    assert not [p for p in result.problems if p.column == "PDF"], result.problems
    for invoice in result.invoices:
        text = _pdf_text(folder / f"{invoice.number}.pdf")
        assert invoice.customer_name.split()[0] in text
        assert (
            f"{invoice.total:,.2f}".replace(",", "X")
            .replace(".", ",")
            .replace("X", ".")
            in text
            or f"{invoice.total:,.2f}" in text
        )
    assert sorted(p.stem for p in folder.glob("*.pdf")) == sorted(
        i.number for i in result.invoices
    )
    assert result.withdrawn == (() if edit == "hours" else ("INV-2026-0005",))
    # The Log shows what the rerun recorded in the journal: its invoices, and the
    # number it withdrew.
    [(logged, recorded)] = log_and_journal(book, state)
    assert logged == recorded
    assert [a for a, _, _ in logged].count("number withdrawn") == len(result.withdrawn)
