"""Workbook backends: one interface (base), an Excel file, a Google Sheet."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sheetbill.config import Config
    from sheetbill.ports import Workbook


def open_workbook(
    config: Config, override: str | None = None, *, is_interactive: bool | None = None
) -> tuple[Workbook, Path]:
    """The workbook a source names (`gsheets://<id>`, a Google Sheets URL or an
    .xlsx/.xlsm path) and its state database. Backends are imported when used."""
    from sheetbill.errors import ConfigError
    from sheetbill.workbook.google.source import google_sheet_id

    sheet_id = google_sheet_id(override or config.source)
    if sheet_id is not None:
        from sheetbill.workbook.google.connection import connect, state_path

        workbook = connect(sheet_id, config, is_interactive=is_interactive)
        return workbook, state_path(sheet_id, config)
    from sheetbill.workbook.excel import ExcelWorkbook

    path = config.workbook_path(override)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise ConfigError(
            "sheetbill reads .xlsx and .xlsm workbooks and Google Sheets "
            "(gsheets://<id>); save the file in one of those",
            path=path,
        )
    return ExcelWorkbook(path, backups=config.backups), config.state_path(path)
