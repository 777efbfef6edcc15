"""The local Sheets API server's value semantics, as real gspread sees them."""

from __future__ import annotations

import gspread
import pytest
import requests

from sheetbill.workbook.google import ApiSession


@pytest.fixture
def worksheet(sheets_server):
    client = gspread.Client(auth=None, session=ApiSession(api_url=sheets_server.url))
    return client.create("semantics").sheet1


def test_server_user_entered_parses_text_raw_keeps_it(worksheet):
    worksheet.update(
        [["00123", "=1+1", "2026-11-02", "10%"]],
        "A1",
        value_input_option="USER_ENTERED",
    )
    worksheet.update([["00123", "=1+1"]], "A2", value_input_option="RAW")
    assert worksheet.get("A1:D2", value_render_option="UNFORMATTED_VALUE") == [
        [123, 2, 46328, 0.1],
        ["00123", "=1+1"],
    ]
    assert worksheet.get("A1:D1", value_render_option="FORMULA") == [
        [123, "=1+1", 46328, 0.1]
    ]
    assert worksheet.get("A1:D1")[0] == ["123", "2", "2026-11-02", "10%"]


def test_server_trims_trailing_blanks_and_reads_columns(worksheet):
    worksheet.update([["a", "", "c", ""], ["", "", "", ""], ["d"]], "A1")
    reply = worksheet.spreadsheet.values_get("Sheet1")
    assert reply["range"] == "Sheet1!A1:Z1000"
    assert reply["values"] == [["a", "", "c"], [], ["d"]]
    by_column = worksheet.spreadsheet.values_get(
        "Sheet1!A1:C3", params={"majorDimension": "COLUMNS"}
    )
    assert by_column["values"] == [["a", "", "d"], [], ["c"]]


def test_server_refuses_writes_past_the_grid(worksheet):
    with pytest.raises(gspread.exceptions.APIError, match="exceeds grid limits"):
        worksheet.update([["x"]], "A1001")


def test_server_answers_501_for_endpoints_it_does_not_implement(
    sheets_server, worksheet
):
    url = f"{sheets_server.url}/v4/spreadsheets/{worksheet.spreadsheet_id}:batchUpdate"
    reply = requests.post(url, json={"requests": [{"mergeCells": {}}]}, timeout=10)
    assert reply.status_code == 501
    assert reply.json()["error"]["status"] == "UNIMPLEMENTED"


def test_server_batch_update_is_all_or_nothing(worksheet):
    worksheet.update([["keep"]], "A1")
    with pytest.raises(gspread.exceptions.APIError):
        worksheet.spreadsheet.values_batch_update(
            {
                "valueInputOption": "RAW",
                "data": [
                    {"range": "Sheet1!A1", "values": [["changed"]]},
                    {"range": "Sheet1!A5000", "values": [["past the grid"]]},
                ],
            }
        )
    assert worksheet.acell("A1").value == "keep"


def test_server_stores_a_typed_time_as_a_day_fraction_under_a_time_format(worksheet):
    """As Google does: 8:30 is 0.3541666… shown as a time, 25:30 a duration."""
    worksheet.update(
        [["8:30", "25:30", "8:30 pm", "8:75"]], "A1", value_input_option="USER_ENTERED"
    )
    assert worksheet.get("A1:D1", value_render_option="UNFORMATTED_VALUE") == [
        [0.3541666666666667, 1.0625, 0.8541666666666666, "8:75"]
    ]
    assert worksheet.get("A1:D1") == [["8:30:00 AM", "25:30:00", "8:30:00 PM", "8:75"]]
    reply = worksheet.client.fetch_sheet_metadata(
        worksheet.spreadsheet_id,
        params={
            "ranges": "Sheet1!A1:C1",
            "fields": "sheets.data.rowData.values.effectiveFormat.numberFormat",
        },
    )
    assert reply == {
        "sheets": [
            {
                "data": [
                    {
                        "rowData": [
                            {
                                "values": [
                                    {"effectiveFormat": {"numberFormat": f}}
                                    for f in (
                                        {"type": "TIME", "pattern": "h:mm:ss am/pm"},
                                        {"type": "TIME", "pattern": "[h]:mm:ss"},
                                        {"type": "TIME", "pattern": "h:mm:ss am/pm"},
                                    )
                                ]
                            }
                        ]
                    }
                ]
            }
        ]
    }


def test_server_keeps_a_duration_format_when_a_time_is_typed_into_it(worksheet):
    worksheet.format("A1", {"numberFormat": {"type": "TIME", "pattern": "[h]:mm"}})
    worksheet.update([["8:30"]], "A1", value_input_option="USER_ENTERED")
    assert worksheet.get("A1") == [["8:30"]]


def test_server_append_to_a_range_whose_first_row_is_blank_writes_there(worksheet):
    """Google looks for the table from the range's first row: a blank first row
    means no table, and the rows go there, not below a table further down."""
    worksheet.update([["h1", "h2"], ["a", "b"]], "A3")
    reply = worksheet.append_rows([["x", "y"]], table_range="A1:B1")
    assert reply["updates"]["updatedRange"] == "Sheet1!A1:B1"
    assert "tableRange" not in reply
    assert worksheet.get("A1:B4") == [["x", "y"], [], ["h1", "h2"], ["a", "b"]]


def test_server_append_ends_the_table_at_its_first_blank_row(worksheet):
    worksheet.update([["h1", "h2"], ["a", "b"], [], ["c", "d"]], "A1")
    reply = worksheet.append_rows([["x", "y"]])
    assert reply["tableRange"] == "Sheet1!A1:B2"
    assert reply["updates"]["updatedRange"] == "Sheet1!A3:B3"
    assert worksheet.get("A3:B4") == [["x", "y"], ["c", "d"]]
