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
