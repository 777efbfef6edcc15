"""The run use case: idempotent, crash-safe, re-plans over a person's change."""

from datetime import date
from decimal import Decimal

import pytest

from sheetbill.config import Config
from sheetbill.errors import RunInProgressError, WorkbookWriteError
from sheetbill.state import StateDB
from sheetbill.testing import MemoryWorkbook
from sheetbill.usecases.run import run_billing

from helpers import small_book, time_row

D = Decimal
AS_OF = date(2026, 11, 2)


def book_with_work():
    return MemoryWorkbook(
        small_book(
            time_rows=[
                time_row(date(2026, 10, 1), "Ann", "C1", D(2)),
                time_row(date(2026, 10, 2), "Bob", "C2", D(3)),
                time_row(date(2026, 10, 3), "Ann", "C9", D(1)),  # unknown customer
            ]
        )
    )


def run(workbook, tmp_path, **kwargs):
    return run_billing(
        workbook,
        Config(),
        state_path=tmp_path / "state.sqlite",
        as_of=AS_OF,
        is_dry_run=kwargs.get("dry_run", False),
    )


def test_run_writes_invoices_marks_rows_and_lists_exceptions(tmp_path):
    workbook = book_with_work()
    result = run(workbook, tmp_path)
    assert [i.number for i in result.invoices] == ["INV-2026-0001", "INV-2026-0002"]
    assert result.is_written and result.exit_code == 1
    assert workbook.column("Time Log", "Invoice No") == [
        "INV-2026-0001",
        "INV-2026-0002",
        None,
    ]
    assert workbook.column("Time Log", "Row ID") == ["T-000001", "T-000002", None]
    assert workbook.column("Invoices", "Invoice No") == [
        "INV-2026-0001",
        "INV-2026-0002",
    ]
    assert workbook.column("Exceptions", "Value") == ["C9"]


def test_second_run_changes_nothing_and_draws_no_number(tmp_path):
    workbook = book_with_work()
    run(workbook, tmp_path)
    applied, version = workbook.applied, workbook.version
    with StateDB(tmp_path / "state.sqlite") as state:
        before = state.snapshot()
    again = run(workbook, tmp_path)
    assert again.invoices == () and again.changes.is_empty
    assert (workbook.applied, workbook.version) == (applied, version)
    with StateDB(tmp_path / "state.sqlite") as state:
        assert state.snapshot() == before


def test_dry_run_changes_neither_workbook_nor_state(tmp_path):
    workbook = book_with_work()
    result = run(workbook, tmp_path, dry_run=True)
    assert len(result.invoices) == 2 and not result.changes.is_empty
    assert workbook.applied == 0
    assert not (tmp_path / "state.sqlite").exists()


def test_fixing_a_row_closes_its_exception_and_bills_it(tmp_path):
    workbook = book_with_work()
    run(workbook, tmp_path)
    workbook.edit("Time Log", 4, 2, "C1")  # the person fixes the customer ID
    result = run(workbook, tmp_path)
    assert [i.number for i in result.invoices] == ["INV-2026-0003"]
    assert result.exceptions_closed == 1 and result.exit_code == 0
    assert workbook.column("Exceptions", "Closed") == [AS_OF]


def test_a_run_stopped_before_writing_is_rebuilt_from_the_rows_under_its_numbers(
    tmp_path,
):
    """Numbers are drawn before the write. An invoice the workbook never showed is
    not issued yet: the rerun bills the rows as they are now, under the same
    numbers and Row IDs, and draws no more."""
    workbook = book_with_work()
    workbook.fail_next_apply = WorkbookWriteError("disk full", path="memory.xlsx")
    with pytest.raises(WorkbookWriteError):
        run(workbook, tmp_path)
    assert workbook.column("Time Log", "Invoice No") == [None, None, None]
    # Meanwhile a person inserts a new row at the top: the rows move down.
    workbook.cells["Time Log"] = {
        (r + 1 if r > 1 else r, c): v
        for (r, c), v in workbook.cells["Time Log"].items()
    }
    for column, value in enumerate(time_row(date(2026, 10, 4), "Cy", "C1", D(1))):
        if value is not None:
            workbook.cells["Time Log"][(2, column)] = value
    result = run(workbook, tmp_path)
    assert result.recovered == () and result.withdrawn == ()
    assert [i.number for i in result.invoices] == ["INV-2026-0001", "INV-2026-0002"]
    assert workbook.column("Time Log", "Invoice No") == [
        "INV-2026-0001",
        "INV-2026-0001",
        "INV-2026-0002",
        None,
    ]
    assert workbook.column("Time Log", "Row ID") == [
        "T-000001",
        "T-000002",
        "T-000003",
        None,
    ]
    assert workbook.column("Invoices", "Invoice No") == [
        "INV-2026-0001",
        "INV-2026-0002",
    ]
    assert run(workbook, tmp_path).changes.is_empty


def test_a_person_saving_during_the_run_makes_it_replan_not_overwrite(tmp_path):
    workbook = book_with_work()
    original_apply = workbook.apply

    def apply_after_a_human_edit(changes, *, expected_version):
        workbook.edit("Time Log", 2, 6, "edited by a person")  # Description cell
        workbook.apply = original_apply
        return original_apply(changes, expected_version=expected_version)

    workbook.apply = apply_after_a_human_edit
    result = run(workbook, tmp_path)
    assert result.is_written and result.replans == 1
    assert workbook.column("Time Log", "Description")[0] == "edited by a person"
    # The first plan's invoices were never written: planned again, same numbers.
    assert result.recovered == ()
    assert [i.number for i in result.invoices] == ["INV-2026-0001", "INV-2026-0002"]
    assert workbook.column("Invoices", "Invoice No") == [
        "INV-2026-0001",
        "INV-2026-0002",
    ]


def test_two_runs_at_once_cannot_both_hold_the_state(tmp_path):
    with StateDB(tmp_path / "state.sqlite"), pytest.raises(RunInProgressError):
        StateDB(tmp_path / "state.sqlite", lock_timeout=0.2).__enter__()
