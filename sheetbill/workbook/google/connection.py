"""Signing in to Google and opening a Google Sheet: credentials, scopes, session."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from sheetbill.workbook.google.backend import GoogleWorkbook
from sheetbill.workbook.google.client import (
    DRIVE_FILE_SCOPE,
    GOOGLE_API_URL,
    SPREADSHEETS_SCOPE,
    ApiSession,
    RetryPolicy,
    load_credentials,
)


def default_token_path() -> Path:
    """Where a personal account's OAuth sign-in is cached (0600)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "sheetbill" / "google-token.json"


def connect(
    spreadsheet_id: str,
    *,
    api_url: str,
    service_account: Path | None,
    oauth_client: Path | None,
    token_path: Path | None,
    scopes: tuple[str, ...],
    policy: RetryPolicy,
    is_interactive: bool | None = None,
) -> GoogleWorkbook:
    """A GoogleWorkbook signed in with a service account's key or a person's OAuth
    sign-in (cached at `token_path`, by default `default_token_path()`).

    Against a stand-in server (another `api_url`) no credentials are needed unless
    some are given.
    """
    credentials = None
    if service_account or oauth_client or api_url == GOOGLE_API_URL:
        credentials = load_credentials(
            service_account=service_account,
            oauth_client=oauth_client,
            token_path=token_path or default_token_path(),
            scopes=scopes,
            is_interactive=sys.stdin.isatty()
            if is_interactive is None
            else is_interactive,
        )
    session = ApiSession(api_url=api_url, credentials=credentials, policy=policy)
    return GoogleWorkbook(spreadsheet_id, session=session)


def google_scopes(*, uploads_pdfs: bool) -> tuple[str, ...]:
    """Spreadsheets only; drive.file (files sheetbill made) only when PDFs go to
    Drive, so a sheet-only setup never asks for access to the user's Drive."""
    if uploads_pdfs:
        return (SPREADSHEETS_SCOPE, DRIVE_FILE_SCOPE)
    return (SPREADSHEETS_SCOPE,)
