"""`sheetbill.wiring`: the config turned into the workbook, its state database and the
Drive uploader. Nothing here talks to Google: a sheet is only opened, never read."""

from __future__ import annotations

import pytest

from sheetbill.config import Config
from sheetbill.errors import ConfigError
from sheetbill.wiring import open_workbook, pdf_uploader, sheet_to_complete
from sheetbill.workbook.excel import ExcelWorkbook
from sheetbill.workbook.google.backend import GoogleWorkbook
from sheetbill.workbook.google.drive import DriveFolder

SHEET_ID = "1AbC_d-efGhIjKlMnOp"
# A stand-in server: no credentials are asked for, and nothing is sent to it here.
STAND_IN = "http://127.0.0.1:9"


def test_open_workbook_gives_an_excel_file_its_state_database_beside_it(tmp_path):
    config = Config(path=tmp_path / "sheetbill.toml", source="shop.xlsx", backups=3)
    workbook, state = open_workbook(config)
    assert isinstance(workbook, ExcelWorkbook)
    assert workbook.path == tmp_path / "shop.xlsx" and workbook.backups == 3
    assert state == tmp_path / "shop.sheetbill.sqlite"


def test_open_workbook_refuses_a_file_that_is_no_excel_workbook(tmp_path):
    with pytest.raises(ConfigError, match=r"\.xlsx and \.xlsm") as raised:
        open_workbook(Config(), str(tmp_path / "shop.csv"))
    assert raised.value.path == tmp_path / "shop.csv"


def test_open_workbook_keeps_a_google_sheets_state_beside_the_config(tmp_path):
    """Named by the sheet's id, since a Google Sheet has no folder of its own; the
    config's `state` wins when set."""
    config = Config(path=tmp_path / "sheetbill.toml", sheets_api_url=STAND_IN)
    workbook, state = open_workbook(config, f"gsheets://{SHEET_ID}")
    assert isinstance(workbook, GoogleWorkbook)
    assert workbook.spreadsheet_id == SHEET_ID
    assert state == tmp_path / f"gsheets-{SHEET_ID}.sheetbill.sqlite"
    chosen = Config(sheets_api_url=STAND_IN, state=tmp_path / "mine.sqlite")
    assert open_workbook(chosen, f"gsheets://{SHEET_ID}")[1] == tmp_path / "mine.sqlite"


@pytest.mark.parametrize(
    "source",
    [SHEET_ID, f"https://docs.google.com/spreadsheets/d/{SHEET_ID}/edit#gid=0"],
)
def test_sheet_to_complete_takes_an_id_or_a_sheets_url(source):
    workbook = sheet_to_complete(source, Config(sheets_api_url=STAND_IN))
    assert isinstance(workbook, GoogleWorkbook)
    assert workbook.spreadsheet_id == SHEET_ID


def test_sheet_to_complete_refuses_what_names_no_sheet():
    with pytest.raises(ConfigError, match="is not a Google Sheet id"):
        sheet_to_complete("shop.xlsx", Config(sheets_api_url=STAND_IN))


def test_pdf_uploader_is_the_drive_folder_only_when_pdfs_go_to_drive(tmp_path):
    sheet, _ = open_workbook(Config(sheets_api_url=STAND_IN), f"gsheets://{SHEET_ID}")
    assert pdf_uploader(sheet, Config()) is None
    folder = "folder-0123456"
    no_pdfs = Config(documents=False, pdf_drive_folder=folder)
    assert pdf_uploader(sheet, no_pdfs) is None
    uploader = pdf_uploader(sheet, Config(pdf_drive_folder=folder))
    assert isinstance(uploader, DriveFolder) and uploader.folder_id == folder
    assert isinstance(sheet, GoogleWorkbook) and uploader.session is sheet.session
    excel = ExcelWorkbook(tmp_path / "shop.xlsx")
    with pytest.raises(ConfigError, match="'pdf_drive_folder'"):
        pdf_uploader(excel, Config(pdf_drive_folder=folder))
