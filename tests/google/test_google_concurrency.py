"""People editing the sheet while sheetbill runs: rows are re-located, never mixed up.

Each test changes the spreadsheet at the server between sheetbill's read and its
write (right before the re-read that precedes the write), as a person would.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from test_google_backend import AS_OF, billing_tabs

from sheetbill.config import Config
from sheetbill.domain.sheet import CellWrite, WorkbookChanges
from sheetbill.errors import WorkbookChangedError
from sheetbill.usecases.run import run_billing
from tests.sheets_server import RequestInfo
from tests.sheets_server.endpoints import put_rows
from tests.sheets_server.model import Sheet

from helpers import TIME_HEADERS, time_row

D = Decimal
WRITES = ("spreadsheets.batchUpdate", "values.batchUpdate")


def before_recheck(book, change: Callable[[Sheet], None], tab: str = "Time Log"):
    """A hook that runs `change` on the tab once, before the second values.batchGet."""
    seen = []

    def action(info: RequestInfo) -> None:
        if info.endpoint == "values.batchGet":
            seen.append(info)
            if len(seen) == 2:
                change(book.server.book(book.spreadsheet_id).sheet(tab))

    return book.server.hook(action)


def run(book, tmp_path):
    return run_billing(
        book.workbook,
        Config(),
        state_path=tmp_path / "state.sqlite",
        as_of=AS_OF,
        is_dry_run=False,
    )


def assert_each_row_has_its_customers_invoice(book):
    invoice_of = {r["Customer ID"]: r["Invoice No"] for r in book.records("Invoices")}
    for record in book.records("Time Log"):
        if record.get("Invoice No") is not None:
            assert record["Invoice No"] == invoice_of[record["Customer ID"]], record


def test_rows_inserted_above_do_not_shift_the_writes(google_book, tmp_path):
    book = google_book(billing_tabs(3))

    def insert(sheet: Sheet) -> None:
        sheet.insert_rows(1, 2)  # two rows right under the header
        sheet.cell(1, 0).value = "typed meanwhile"

    with before_recheck(book, insert):
        result = run(book, tmp_path)
    assert result.replans == 0 and len(result.invoices) == 3
    assert_each_row_has_its_customers_invoice(book)
    assert book.values("Time Log")[1] == ["typed meanwhile"]
    assert book.column("Time Log", "Row ID") == [
        None,
        "T-000001",
        "T-000002",
        "T-000003",
    ]


def test_sorted_rows_each_get_their_own_invoice(google_book, tmp_path):
    book = google_book(billing_tabs(4))

    def sort_descending(sheet: Sheet) -> None:
        sheet.sort_rows(1, 5, 0, sheet.cols, [(2, False)])

    with before_recheck(book, sort_descending):
        result = run(book, tmp_path)
    assert result.replans == 0
    assert book.column("Time Log", "Customer ID") == ["C4", "C3", "C2", "C1"]
    assert_each_row_has_its_customers_invoice(book)


def test_a_deleted_row_stops_the_write_and_the_run_plans_again(google_book, tmp_path):
    book = google_book(billing_tabs(3))
    with before_recheck(book, lambda sheet: sheet.delete_rows(2, 3)):
        result = run(book, tmp_path)
    assert result.replans == 1
    assert book.server.count("values.batchUpdate") == 1  # the first plan wrote nothing
    assert book.column("Time Log", "Customer ID") == ["C1", "C3"]
    assert_each_row_has_its_customers_invoice(book)


def test_an_edited_row_stops_the_write_and_is_billed_as_edited(google_book, tmp_path):
    """The invoice drawn for the row as read was never written: it is planned again
    from the edited row, under the same number, and the row gets that invoice."""
    book = google_book(billing_tabs(2))

    def edit_hours(sheet: Sheet) -> None:
        sheet.cell(1, TIME_HEADERS.index("Hours")).value = 4

    with before_recheck(book, edit_hours):
        result = run(book, tmp_path)
    assert result.replans == 1
    assert not any(
        "changed while it was being billed" in p.problem for p in result.problems
    )
    first = next(i for i in result.invoices if i.number == "INV-2026-0001")
    assert sum(line.quantity for line in first.lines) == 4
    assert_each_row_has_its_customers_invoice(book)


def test_a_row_copied_during_the_run_is_billed_once_with_the_original(
    google_book, tmp_path
):
    """Two identical rows where there was one, before anything was written: both
    are work not yet billed, so the invoice planned again holds both, once each."""
    book = google_book(billing_tabs(2))

    def copy_row(sheet: Sheet) -> None:
        sheet.insert_rows(3, 1)
        for column in range(len(TIME_HEADERS)):
            if (1, column) in sheet.cells:
                sheet.cell(3, column).value = sheet.cells[(1, column)].value
                sheet.cell(3, column).fmt = dict(sheet.cells[(1, column)].fmt)

    with before_recheck(book, copy_row):
        result = run(book, tmp_path)
    assert result.replans == 1
    assert book.column("Time Log", "Customer ID") == ["C1", "C2", "C1"]
    assert book.column("Time Log", "Row ID") == ["T-000001", "T-000002", "T-000003"]
    assert book.column("Time Log", "Invoice No") == [
        "INV-2026-0001",
        "INV-2026-0002",
        "INV-2026-0001",
    ]
    assert book.column("Invoices", "Customer ID") == ["C1", "C2"]
    assert [len(i.sources) for i in result.invoices] == [2, 1]


def test_rows_typed_below_an_output_tab_are_kept(google_book, tmp_path):
    book = google_book(billing_tabs(1))
    run(book, tmp_path)
    time_log = book.server.book(book.spreadsheet_id).sheet("Time Log")
    put_rows(time_log, 2, [time_row(date(2026, 10, 5), "Bob", "C1", D(2))])

    def person_adds_invoice_row(sheet: Sheet) -> None:
        sheet.cell(2, 0).value = "typed by a person"

    with before_recheck(book, person_adds_invoice_row, tab="Invoices"):
        result = run(book, tmp_path)
    assert len(result.invoices) == 1
    assert book.column("Invoices", "Invoice No") == [
        "INV-2026-0001",
        "typed by a person",
        "INV-2026-0002",
    ]


def test_renamed_header_refuses_to_write_anything(google_book):
    book = google_book({"Time Log": [["Customer ID", "Row ID"], ["C1"]]})
    snapshot = book.workbook.read()
    book.server.book(book.spreadsheet_id).sheet("Time Log").cell(0, 1).value = "Ref"
    book.server.reset_log()
    with pytest.raises(WorkbookChangedError, match="headers of the tab 'Time Log'"):
        book.workbook.apply(
            WorkbookChanges(writes={"Time Log": (CellWrite(2, 1, "T-1", "T-1"),)}),
            expected_version=snapshot.version,
        )
    assert not any(book.server.count(e) for e in WRITES)


def test_deleted_tab_refuses_to_write_anything(google_book):
    book = google_book({"Time Log": [["Customer ID", "Row ID"], ["C1"]], "Other": []})
    snapshot = book.workbook.read()
    spreadsheet = book.server.book(book.spreadsheet_id)
    spreadsheet.sheets.remove(spreadsheet.sheet("Time Log"))
    book.server.reset_log()
    with pytest.raises(WorkbookChangedError, match="tabs changed"):
        book.workbook.apply(
            WorkbookChanges(writes={"Time Log": (CellWrite(2, 1, "T-1", "T-1"),)}),
            expected_version=snapshot.version,
        )
    assert not any(book.server.count(e) for e in WRITES)


def test_a_row_found_by_its_row_id_after_other_cells_changed(google_book):
    """Rows that carry a Row ID are found by it, whatever else a person edited."""
    book = google_book(
        {
            "Payments": [
                ["Payer", "Status", "Row ID"],
                ["Ann", None, "P-1"],
                ["Bob", None, "P-2"],
            ]
        }
    )
    snapshot = book.workbook.read()
    sheet = book.server.book(book.spreadsheet_id).sheet("Payments")
    sheet.sort_rows(1, 3, 0, 3, [(0, False)])
    sheet.cell(1, 0).value = "Bob Smith"
    book.workbook.apply(
        WorkbookChanges(writes={"Payments": (CellWrite(2, 1, "matched", "P-1"),)}),
        expected_version=snapshot.version,
    )
    assert book.values("Payments")[1:] == [
        ["Bob Smith", "", "P-2"],
        ["Ann", "matched", "P-1"],
    ]
