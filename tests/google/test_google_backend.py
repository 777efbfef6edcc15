"""GoogleWorkbook against the local Sheets API server: reading, writing, API economy."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from sheetbill.config import Config
from sheetbill.domain.schema import INVOICES, LOG
from sheetbill.domain.sheet import CellWrite, ColumnFormat, WorkbookChanges
from sheetbill.errors import WorkbookError
from sheetbill.usecases.run import run_billing
from sheetbill.workbook.google import ApiSession, GoogleWorkbook

from helpers import (
    CUSTOMER_HEADERS,
    RATE_HEADERS,
    SETTINGS_ROWS,
    TIME_HEADERS,
    time_row,
)

D = Decimal
AS_OF = date(2026, 11, 2)


def billing_tabs(customers: int, *, rows_per_customer: int = 1) -> dict:
    """Settings, Customers, Rates, and a Time Log with approved work for each."""
    time_log = [TIME_HEADERS]
    for number in range(1, customers + 1):
        for day in range(rows_per_customer):
            time_log.append(
                time_row(date(2026, 10, 1 + day % 28), "Ann", f"C{number}", D("1.5"))
            )
    return {
        "Settings": [["Key", "Value"], *SETTINGS_ROWS],
        "Customers": [
            CUSTOMER_HEADERS,
            *[
                [f"C{n}", f"Customer {n}", f"c{n}@example.com", "EUR", None]
                for n in range(1, customers + 1)
            ],
        ],
        "Rates": [RATE_HEADERS, [None, None, None, None, D(100), "hour", None]],
        "Time Log": time_log,
    }


def test_read_types_cells_like_the_excel_backend(google_book):
    """Numbers are Decimal from their JSON text, text stays text, dates are serials,
    an error value stays its text (as the Excel backend reads it), never a blank."""
    book = google_book(
        {
            "Data": [
                ["Name", "Amount", "Code", "Hex", "Flag", "When", "Formula"],
                ["a", D("0.1"), "00123", "0x1A", True, date(2026, 11, 2), "=1+1"],
                ["b", D("12345678.25"), "", "#N/A", False, None, None],
            ],
            "Empty": [],
        }
    )
    snapshot = book.workbook.read()
    table = snapshot.tables["Data"]
    assert snapshot.tab_names == ("Data", "Empty")
    assert table.headers[:3] == ("Name", "Amount", "Code")
    first, second = table.rows
    assert first.cells == (
        "a",
        D("0.1"),
        "00123",
        "0x1A",
        True,
        D(46328),
        D(2),
    )
    assert second.cells == ("b", D("12345678.25"), None, "#N/A", False)
    assert all(not isinstance(v, float) for v in first.cells)
    assert (table.header_row, table.last_row) == (1, 3)
    assert snapshot.tables["Empty"].rows == ()


def test_read_makes_three_requests_whatever_the_number_of_tabs(google_book):
    """Tab titles, every tab's values, the number formats of the number columns."""
    book = google_book({f"Tab {n}": [["A"], [n]] for n in range(12)})
    book.server.reset_log()
    book.workbook.read()
    assert [r.endpoint for r in book.server.log.requests] == [
        "spreadsheets.get",
        "values.batchGet",
        "spreadsheets.get",
    ]


def test_read_of_tabs_without_numbers_asks_for_no_formats(google_book):
    book = google_book({f"Tab {n}": [["A"], ["text"]] for n in range(3)})
    book.server.reset_log()
    book.workbook.read()
    assert [r.endpoint for r in book.server.log.requests] == [
        "spreadsheets.get",
        "values.batchGet",
    ]


def test_read_version_changes_when_a_cell_changes(google_book):
    book = google_book({"Data": [["A"], ["x"]]})
    first = book.workbook.read().version
    assert book.workbook.read().version == first
    book.server.book(book.spreadsheet_id).sheet("Data").cell(1, 0).value = "y"
    assert book.workbook.read().version != first


def test_apply_writes_text_as_text_never_as_formula(google_book):
    book = google_book({"Data": [["Name", "Note"], ["a"]]})
    snapshot = book.workbook.read()
    book.workbook.apply(
        WorkbookChanges(
            writes={"Data": (CellWrite(2, 1, "=1+1"), CellWrite(3, 0, "007"))}
        ),
        expected_version=snapshot.version,
    )
    assert book.values("Data", option="FORMULA") == [
        ["Name", "Note"],
        ["a", "=1+1"],
        ["007"],
    ]


def test_apply_creates_tabs_with_headers_formats_widths_and_dropdowns(google_book):
    book = google_book({"Sheet1": []})
    snapshot = book.workbook.read()
    book.workbook.apply(
        WorkbookChanges(
            new_tabs=(INVOICES.spec(), LOG.spec()),
            writes={
                "Invoices": (
                    CellWrite(2, 0, "INV-1", "INV-1"),
                    CellWrite(2, 2, date(2026, 11, 2), "INV-1"),
                    CellWrite(2, 9, D("1234.50"), "INV-1"),
                ),
                "Log": (CellWrite(2, 0, datetime(2026, 11, 2, 9, 30)),),
            },
        ),
        expected_version=snapshot.version,
    )
    sheet = book.server.book(book.spreadsheet_id).sheet("Invoices")
    assert sheet.frozen_rows == 1
    assert sheet.cells[(0, 0)].fmt["textFormat"]["bold"] is True
    assert sheet.col_widths[0] == round(INVOICES.columns[0].width * 7)
    status = [c.name for c in INVOICES.columns].index("Status")
    rule = sheet.validation_at(5, status)
    assert rule and rule["condition"]["type"] == "ONE_OF_LIST"
    assert book.values("Invoices", option="FORMATTED_VALUE")[1][:10] == [
        "INV-1",
        "",
        "2026-11-02",
        "",
        "",
        "",
        "",
        "",
        "",
        "1,234.50",
    ]
    assert book.values("Log", option="FORMATTED_VALUE")[1] == ["2026-11-02 09:30"]
    assert book.column("Invoices", "Issue Date") == [D(46328)]


def test_apply_formats_dates_written_into_existing_tabs(google_book):
    book = google_book({"Exceptions": [["Opened", "Problem", "Closed"], [None, "x"]]})
    snapshot = book.workbook.read()
    book.workbook.apply(
        WorkbookChanges(
            writes={"Exceptions": (CellWrite(2, 2, date(2026, 11, 2)),)},
            formats={"Exceptions": {2: ColumnFormat.DATE}},
        ),
        expected_version=snapshot.version,
    )
    assert book.values("Exceptions", option="FORMATTED_VALUE")[1] == [
        "",
        "x",
        "2026-11-02",
    ]


def test_apply_grows_the_grid_when_rows_go_past_it(google_book):
    book = google_book({"Log": [["Time", "Detail"]]})
    snapshot = book.workbook.read()
    writes = tuple(CellWrite(row, 1, f"line {row}") for row in range(2, 1503))
    book.workbook.apply(
        WorkbookChanges(writes={"Log": writes}), expected_version=snapshot.version
    )
    assert book.server.book(book.spreadsheet_id).sheet("Log").rows >= 1502
    assert book.values("Log")[-1] == ["", "line 1502"]


def test_decimals_that_a_double_cannot_hold_are_written_as_text(google_book):
    book = google_book({"Data": [["Amount"]]})
    snapshot = book.workbook.read()
    book.workbook.apply(
        WorkbookChanges(
            writes={
                "Data": (
                    CellWrite(2, 0, D("0.10")),
                    CellWrite(3, 0, D("12345678901234567.89")),
                )
            }
        ),
        expected_version=snapshot.version,
    )
    assert book.values("Data")[1:] == [[0.1], ["12345678901234567.89"]]


def test_run_creating_500_invoices_makes_at_most_6_requests(google_book, tmp_path):
    """Requests are counted at the server: a read, a re-read, two writes."""
    book = google_book(billing_tabs(500))
    book.server.reset_log()
    result = run_billing(
        book.workbook,
        Config(),
        state_path=tmp_path / "state.sqlite",
        as_of=AS_OF,
        is_dry_run=False,
    )
    assert len(result.invoices) == 500 and result.is_written
    assert book.server.count() <= 6
    assert [r.endpoint for r in book.server.log.requests].count(
        "values.batchUpdate"
    ) == 1
    invoice_of = {r["Customer ID"]: r["Invoice No"] for r in book.records("Invoices")}
    assert len(invoice_of) == 500
    assert all(
        r["Invoice No"] == invoice_of[r["Customer ID"]]
        for r in book.records("Time Log")
    )


def test_second_run_writes_nothing(google_book, tmp_path):
    book = google_book(billing_tabs(3))
    state = tmp_path / "state.sqlite"
    run_billing(
        book.workbook, Config(), state_path=state, as_of=AS_OF, is_dry_run=False
    )
    book.server.reset_log()
    again = run_billing(
        book.workbook, Config(), state_path=state, as_of=AS_OF, is_dry_run=False
    )
    assert again.invoices == () and again.changes.is_empty
    assert {r.endpoint for r in book.server.log.requests} == {
        "spreadsheets.get",
        "values.batchGet",
    }


def test_unknown_spreadsheet_is_a_clear_error(sheets_server):
    workbook = GoogleWorkbook(
        "1" + "x" * 43, session=ApiSession(api_url=sheets_server.url)
    )
    with pytest.raises(WorkbookError, match="no such Google Sheet"):
        workbook.read()


def test_private_spreadsheet_says_to_share_it(sheets_server):
    sheet_id = sheets_server.create_spreadsheet("secret", is_private=True)
    workbook = GoogleWorkbook(sheet_id, session=ApiSession(api_url=sheets_server.url))
    with pytest.raises(WorkbookError, match="share it"):
        workbook.read()
