"""Opening a Google Sheet from the config, and `sheetbill init --google <id>`."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path

from sheetbill.config import Config
from sheetbill.errors import ConfigError
from sheetbill.usecases.init import InitResult, plan_init
from sheetbill.workbook.google.backend import GoogleWorkbook
from sheetbill.workbook.google.client import (
    DRIVE_FILE_SCOPE,
    GOOGLE_API_URL,
    SPREADSHEETS_SCOPE,
    ApiSession,
    RetryPolicy,
    load_credentials,
)
from sheetbill.workbook.google.source import google_sheet_id


def default_token_path() -> Path:
    """Where a personal account's OAuth sign-in is cached (0600)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "sheetbill" / "google-token.json"


def connect(
    spreadsheet_id: str,
    config: Config,
    *,
    is_interactive: bool | None = None,
) -> GoogleWorkbook:
    """A GoogleWorkbook with the config's credentials, API URL and retry settings.

    Against a stand-in server (another `sheets_api_url`) no credentials are needed
    unless some are configured.
    """
    scopes = google_scopes(config)
    credentials = None
    has_credentials = config.google_service_account or config.google_oauth_client
    if has_credentials or config.sheets_api_url == GOOGLE_API_URL:
        credentials = load_credentials(
            service_account=config.google_service_account,
            oauth_client=config.google_oauth_client,
            token_path=config.google_token or default_token_path(),
            scopes=scopes,
            is_interactive=sys.stdin.isatty()
            if is_interactive is None
            else is_interactive,
        )
    session = ApiSession(
        api_url=config.sheets_api_url,
        credentials=credentials,
        policy=RetryPolicy(
            max_attempts=config.google_max_attempts, timeout=config.google_timeout
        ),
    )
    return GoogleWorkbook(spreadsheet_id, session=session)


def google_scopes(config: Config) -> tuple[str, ...]:
    """Spreadsheets only; drive.file (files sheetbill made) only when PDFs go to
    Drive, so a sheet-only setup never asks for access to the user's Drive."""
    if config.documents and config.pdf_drive_folder:
        return (SPREADSHEETS_SCOPE, DRIVE_FILE_SCOPE)
    return (SPREADSHEETS_SCOPE,)


def state_path(spreadsheet_id: str, config: Config) -> Path:
    """The state database of a Google Sheet: beside the config, named by its id."""
    if config.state is not None:
        return config.state
    folder = config.path.parent if config.path is not None else Path.cwd()
    return folder / f"gsheets-{spreadsheet_id}.sheetbill.sqlite"


def init_google(source: str, config: Config) -> InitResult:
    """`sheetbill init --google <id or URL>`: sign in if needed, then complete it."""
    sheet_id = google_sheet_id(source) or google_sheet_id(f"gsheets://{source}")
    if sheet_id is None:
        raise ConfigError(f"{source!r} is not a Google Sheet id or docs.google.com URL")
    return init_google_sheet(connect(sheet_id, config, is_interactive=True))


def init_google_sheet(workbook: GoogleWorkbook) -> InitResult:
    """Add the tabs, headers, dropdowns and formats an existing sheet lacks."""
    snapshot = workbook.read()
    changes, planned = plan_init(snapshot)
    if not changes.is_empty:
        workbook.apply(changes, expected_version=snapshot.version)
    return replace(planned, path=Path(workbook.name))
