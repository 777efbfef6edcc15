"""Times and durations typed into a Google Sheet are read as hours, as on Excel.

Google keeps 8:30 as the day fraction 0.3541666… under a TIME format and hands it over
as that number; sheetbill once billed it as 0.35 h (0.25 h rounded) and said "No
problems found" (case ../shared/cases/google-durations). The sheets here are typed as a
person types them, through real gspread with USER_ENTERED input, into the local Sheets
API server, which stores times and durations as Google does.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import gspread
import openpyxl
import pytest
from paths import SHARED

from sheetbill.config import Config
from sheetbill.domain.sheet import SerialFormat
from sheetbill.tabs.validation import validate_book
from sheetbill.usecases.check import check_workbook
from sheetbill.usecases.run import run_billing
from sheetbill.workbook.excel import ExcelWorkbook
from sheetbill.workbook.google import ApiSession, GoogleWorkbook

from helpers import SETTINGS_ROWS

D = Decimal
CASE = SHARED / "cases" / "google-durations" / "19_gsheets_duration.json"
AS_OF = date(2026, 11, 3)
FORMAT_FIELD = "numberFormat"


def case_tabs() -> dict[str, list[list[Any]]]:
    return json.loads(CASE.read_text(encoding="utf-8"))


def typed_sheet(server, tabs, *, typed=None):
    """A spreadsheet whose tabs were typed in (USER_ENTERED), then `typed` cells
    ((tab, A1, text)) typed over them; a GoogleWorkbook pointed at it."""
    sheet_id = server.create_spreadsheet("typed", {name: [] for name in tabs})
    client = gspread.Client(auth=None, session=ApiSession(api_url=server.url))
    spreadsheet = client.open_by_key(sheet_id)
    for name, rows in tabs.items():
        spreadsheet.worksheet(name).update(
            rows, "A1", value_input_option="USER_ENTERED"
        )
    for tab, cell, text in typed or ():
        spreadsheet.worksheet(tab).update(
            [[text]], cell, value_input_option="USER_ENTERED"
        )
    return sheet_id, GoogleWorkbook(sheet_id, session=ApiSession(api_url=server.url))


def hours_problems(result) -> list[tuple[str, int, str, str]]:
    return [
        (p.tab, p.row, p.column, p.value)
        for p in result.problems
        if p.column in ("Hours", "Start", "End")
    ]


def test_8_30_typed_into_hours_on_google_bills_8_5_hours(sheets_server, tmp_path):
    _, workbook = typed_sheet(
        sheets_server, case_tabs(), typed=[("Time Log", "F2", "8:30")]
    )
    result = run_billing(
        workbook,
        Config(documents=False),
        state_path=tmp_path / "state.sqlite",
        as_of=AS_OF,
        is_dry_run=False,
    )
    assert hours_problems(result) == []
    (invoice,) = result.invoices
    (line,) = invoice.lines
    assert (line.quantity, line.net) == (D("10.5"), D("1050.00"))  # 8:30 + 2 hours


@pytest.mark.parametrize("as_typed", ["text", "number"])
def test_a_day_fraction_in_hours_without_a_time_format_is_an_exception(
    sheets_server, tmp_path, as_typed
):
    """The case as recorded: 0.3541666666666667 with no time format (a cell pasted as
    a value, or written through the API) is reported on its cell, never billed."""
    tabs = case_tabs()
    if as_typed == "number":
        tabs["Time Log"][1][5] = 0.3541666666666667
    sheet_id = sheets_server.create_spreadsheet("case", tabs)
    workbook = GoogleWorkbook(sheet_id, session=ApiSession(api_url=sheets_server.url))
    checked = check_workbook(workbook, Config(), as_of=AS_OF, state_path=None)
    assert hours_problems(checked) == [("Time Log", 2, "Hours", "0.3541666666666667")]
    (problem,) = [p for p in checked.problems if p.column == "Hours"]
    assert "8:30" in problem.problem and "type 8:30" in problem.fix
    result = run_billing(
        workbook,
        Config(documents=False),
        state_path=tmp_path / "state.sqlite",
        as_of=AS_OF,
        is_dry_run=False,
    )
    (invoice,) = result.invoices
    assert [line.quantity for line in invoice.lines] == [D(2)]  # only the other row


def test_a_date_typed_into_hours_on_google_is_an_exception(sheets_server):
    _, workbook = typed_sheet(
        sheets_server, case_tabs(), typed=[("Time Log", "F2", "2026-11-08")]
    )
    checked = check_workbook(workbook, Config(), as_of=AS_OF, state_path=None)
    (problem,) = [p for p in checked.problems if p.column == "Hours"]
    assert (problem.row, problem.value) == (2, "2026-11-08")
    assert "shown as a date" in problem.problem


def test_a_problem_on_a_time_cell_shows_the_time_as_typed(sheets_server):
    """30:00 typed into Hours is more than a day's hours: the Exceptions row shows
    30:00, not the 1.25 days Google hands over."""
    _, workbook = typed_sheet(
        sheets_server, case_tabs(), typed=[("Time Log", "F2", "30:00")]
    )
    checked = check_workbook(workbook, Config(), as_of=AS_OF, state_path=None)
    (problem,) = [p for p in checked.problems if p.column == "Hours"]
    assert (problem.row, problem.value) == (2, "30:00")
    assert problem.problem.startswith("30 hours in one entry")


TIME_LOG = ["Date", "Person", "Customer ID", "Hours", "Start", "End"]
TIME_LOG += ["Billable", "Approved"]
YES = ["yes", "yes"]
# The same work typed into Excel and into Google Sheets: (Hours, Start, End, hours).
WORK: list[tuple[Any, Any, Any, Decimal]] = [
    (time(8, 30), None, None, D("8.5")),
    (timedelta(hours=1, minutes=15), None, None, D("1.25")),
    (timedelta(hours=25, minutes=30), None, None, D("25.5")),
    (time(0, 20, 30), None, None, D(20) / 60 + D(30) / 3600),
    (None, time(9), time(17, 30), D("8.5")),
    (None, datetime(2026, 11, 2, 22), datetime(2026, 11, 3, 1, 30), D("3.5")),
    (D("2.5"), None, None, D("2.5")),
]


def work_tabs() -> dict[str, list[list[Any]]]:
    return {
        "Settings": [
            ["Key", "Value"],
            *SETTINGS_ROWS,
            ["Max Hours Per Entry", D(48)],
        ],
        "Customers": [["Customer ID", "Name", "Email"], ["C1", "One", "a@b.example"]],
        "Rates": [["Rate", "Unit"], [D(100), "hour"]],
        "Time Log": [
            TIME_LOG,
            *[
                [date(2026, 11, 2), "Ann", "C1", hours, start, end, *YES]
                for hours, start, end, _ in WORK
            ],
        ],
    }


def excel_book(path: Path, tabs: dict[str, list[list[Any]]]) -> ExcelWorkbook:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in tabs.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cells in sheet.iter_rows():
            for cell in cells:
                if isinstance(cell.value, time):
                    cell.number_format = "h:mm:ss"
                elif isinstance(cell.value, timedelta):
                    cell.number_format = "[h]:mm:ss"
    book.save(path)
    return ExcelWorkbook(path, backups=0)


def test_times_and_durations_read_the_same_on_google_and_excel(google_book, tmp_path):
    """Hours typed as 8:30, as durations (1:15, 25:30), as seconds; Start and End as
    times and as dates with times past midnight: the same hours on both backends."""
    tabs = work_tabs()
    google = google_book(tabs).workbook.read()
    excel = excel_book(tmp_path / "work.xlsx", tabs).read()
    hours = {}
    for name, snapshot in (("google", google), ("excel", excel)):
        data = validate_book(snapshot, today=AS_OF, billed={})
        assert [p for p in data.problems if p.tab == "Time Log"] == [], name
        hours[name] = [entry.hours for entry in data.time_entries]
    assert hours["google"] == hours["excel"] == [expected for *_, expected in WORK]


def test_the_google_read_marks_time_cells_by_their_format(google_book):
    table = google_book(work_tabs()).workbook.read().tables["Time Log"]
    assert table.serial_formats[(2, 3)] is SerialFormat.TIME  # 8:30 in Hours
    assert table.serial_formats[(7, 4)] is SerialFormat.DATE_TIME  # a Start
    assert table.serial_formats[(2, 0)] is SerialFormat.DATE  # a Date
    assert (8, 3) not in table.serial_formats  # 2.5 typed as a number


def test_formats_cost_one_request_however_many_rows(google_book):
    """10,000 time rows typed as times: the read is still three requests (titles,
    values, formats), and the formats are asked for the number columns only."""
    rows = 10_000
    tabs = work_tabs()
    tabs["Time Log"] = [
        TIME_LOG,
        *[
            [date(2026, 10, 1), "Ann", "C1", time(1 + n % 8, 15), None, None, *YES]
            for n in range(rows)
        ],
    ]
    book = google_book(tabs)
    book.server.reset_log()
    table = book.workbook.read().tables["Time Log"]
    requests = book.server.log.requests
    assert [r.endpoint for r in requests] == [
        "spreadsheets.get",
        "values.batchGet",
        "spreadsheets.get",
    ]
    formats = requests[2].query
    assert FORMAT_FIELD in formats["fields"][0]
    assert "'Time Log'!D2:D10001" in formats["ranges"]
    assert not any(r.startswith("'Time Log'!B") for r in formats["ranges"])
    kinds = [table.serial_formats.get((row.number, 3)) for row in table.rows]
    assert kinds == [SerialFormat.TIME] * rows
