"""MemoryWorkbook keeps the Workbook port's contract, as the Excel and Google backends
do: one token per version, stale plans refused with nothing written."""

from decimal import Decimal

import pytest

from sheetbill.domain.sheet import (
    CellWrite,
    ColumnFormat,
    ColumnSpec,
    TabSpec,
    WorkbookChanges,
)
from sheetbill.errors import WorkbookChangedError, WorkbookLockedError
from sheetbill.testing import MemoryWorkbook

from helpers import snapshot

D = Decimal


def _book() -> MemoryWorkbook:
    return MemoryWorkbook(
        snapshot(
            {
                "Customers": (
                    ["Customer ID", "Name", "Currency"],
                    [["C1", "Alpha", "EUR"], ["C2", "Beta", "USD"]],
                ),
                "Time Log": (["Date", "Hours"], [[None, D(2)]]),
            }
        )
    )


def _write(tab: str, *cells: CellWrite) -> WorkbookChanges:
    return WorkbookChanges(writes={tab: cells})


def test_memory_workbook_reads_back_the_tabs_it_was_given():
    workbook = _book()
    book = workbook.read()
    assert book.tab_names == ("Customers", "Time Log")
    customers = book.tables["Customers"]
    assert customers.headers == ("Customer ID", "Name", "Currency")
    assert [(row.number, row.cells) for row in customers.rows] == [
        (2, ("C1", "Alpha", "EUR")),
        (3, ("C2", "Beta", "USD")),
    ]
    assert book.tables["Time Log"].rows[0].cells == (None, D(2))
    assert workbook.column("Customers", "Name") == ["Alpha", "Beta"]


def test_memory_workbook_writes_a_plan_and_hands_out_a_new_version():
    workbook = _book()
    read = workbook.read()
    version = workbook.apply(
        _write("Customers", CellWrite(3, 1, "Beta GmbH"), CellWrite(4, 0, "C3")),
        expected_version=read.version,
    )
    assert version != read.version
    assert workbook.read().version == version
    assert workbook.column("Customers", "Name") == ["Alpha", "Beta GmbH", None]
    assert workbook.column("Customers", "Customer ID") == ["C1", "C2", "C3"]
    assert workbook.applied == 1


def test_memory_workbook_refuses_a_plan_made_from_a_stale_version():
    """A person's edit after the read moves the version on: the plan made from the
    read is refused, and nothing of it is written."""
    workbook = _book()
    read = workbook.read()
    workbook.edit("Customers", 2, 1, "Alpha AG")
    with pytest.raises(WorkbookChangedError):
        workbook.apply(
            _write("Customers", CellWrite(3, 1, "Beta GmbH")),
            expected_version=read.version,
        )
    assert workbook.column("Customers", "Name") == ["Alpha AG", "Beta"]
    assert workbook.applied == 0
    with pytest.raises(WorkbookChangedError):
        workbook.apply(
            _write("Customers", CellWrite(3, 1, "Beta GmbH")),
            expected_version="v0",
        )


def test_memory_workbook_refuses_the_second_plan_made_from_one_read():
    workbook = _book()
    read = workbook.read()
    workbook.apply(
        _write("Customers", CellWrite(2, 1, "A")), expected_version=read.version
    )
    with pytest.raises(WorkbookChangedError):
        workbook.apply(
            _write("Customers", CellWrite(3, 1, "B")), expected_version=read.version
        )
    assert workbook.column("Customers", "Name") == ["A", "Beta"]


def test_memory_workbook_writes_nothing_for_empty_changes():
    """As the Excel and Google backends: the version stays, so a run with nothing to
    do leaves the workbook alone."""
    workbook = _book()
    read = workbook.read()
    assert workbook.apply(WorkbookChanges(), expected_version=read.version) == (
        read.version
    )
    assert workbook.read().version == read.version
    assert workbook.applied == 0


def test_memory_workbook_adds_new_tabs_with_their_headers_and_clears_none_cells():
    workbook = _book()
    spec = TabSpec(
        "Invoices",
        (ColumnSpec("Invoice No"), ColumnSpec("Total", ColumnFormat.MONEY)),
    )
    changes = WorkbookChanges(
        new_tabs=(spec,),
        writes={
            "Invoices": (CellWrite(2, 0, "INV-1"), CellWrite(2, 1, D("9.50"))),
            "Time Log": (CellWrite(2, 1, None),),
        },
    )
    workbook.apply(changes, expected_version=workbook.read().version)
    book = workbook.read()
    assert book.tab_names == ("Customers", "Time Log", "Invoices")
    assert book.tables["Invoices"].headers == ("Invoice No", "Total")
    assert workbook.column("Invoices", "Total") == [D("9.50")]
    assert book.tables["Time Log"].rows == ()


def test_memory_workbook_fails_as_told_once_then_writes():
    workbook = _book()
    read = workbook.read()
    workbook.fail_next_apply = WorkbookLockedError("held open", path="memory.xlsx")
    with pytest.raises(WorkbookLockedError):
        workbook.apply(
            _write("Customers", CellWrite(2, 1, "A")), expected_version=read.version
        )
    assert workbook.read().version == read.version
    workbook.apply(
        _write("Customers", CellWrite(2, 1, "A")), expected_version=read.version
    )
    assert workbook.column("Customers", "Name") == ["A", "Beta"]


def test_memory_workbook_check_writable_fails_while_told():
    workbook = _book()
    workbook.check_writable()
    workbook.fail_check_writable = WorkbookLockedError("held", path="memory.xlsx")
    with pytest.raises(WorkbookLockedError):
        workbook.check_writable()
    with pytest.raises(WorkbookLockedError):
        workbook.check_writable()
