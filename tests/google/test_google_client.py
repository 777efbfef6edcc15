"""Credentials and the session: token cache 0600, base URL, sources and config keys."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta

import pytest
from google.oauth2.credentials import Credentials

from sheetbill.config import Config, load_config
from sheetbill.errors import ConfigError
from sheetbill.wiring import google_sheet, sheet_state_path
from sheetbill.workbook.google import ApiSession, GoogleWorkbook, google_sheet_id
from sheetbill.workbook.google.client import load_credentials, save_token

TOKEN = {
    "token": "cached-access-token",
    "refresh_token": "refresh",
    "client_id": "client.apps.googleusercontent.com",
    "client_secret": "secret",
    "scopes": ["https://www.googleapis.com/auth/spreadsheets"],
}


def test_token_cache_is_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "conf" / "google-token.json"
    path.parent.mkdir()
    path.write_text("{}")
    path.chmod(0o644)
    save_token(path, json.dumps(TOKEN))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["token"] == "cached-access-token"


def test_a_cached_sign_in_is_used_without_a_browser(tmp_path):
    path = tmp_path / "token.json"
    expiry = (datetime.now(UTC) + timedelta(hours=1)).replace(tzinfo=None)
    save_token(path, json.dumps({**TOKEN, "expiry": expiry.isoformat() + "Z"}))
    credentials = load_credentials(
        service_account=None, oauth_client=None, token_path=path, is_interactive=False
    )
    assert credentials.token == "cached-access-token"


def test_no_credentials_configured_names_the_keys(tmp_path):
    with pytest.raises(ConfigError, match="google_service_account"):
        load_credentials(
            service_account=None, oauth_client=None, token_path=tmp_path / "none.json"
        )


def test_a_cron_run_without_sign_in_fails_instead_of_waiting(tmp_path):
    client = tmp_path / "client.json"
    client.write_text("{}")
    with pytest.raises(ConfigError, match="sheetbill init --google"):
        load_credentials(
            service_account=None,
            oauth_client=client,
            token_path=tmp_path / "none.json",
            is_interactive=False,
        )


def test_a_missing_service_account_key_names_the_key(tmp_path):
    with pytest.raises(ConfigError, match="'google_service_account': no such file"):
        load_credentials(
            service_account=tmp_path / "sa.json",
            oauth_client=None,
            token_path=tmp_path / "t.json",
        )


def test_session_sends_the_token_to_the_configured_url(sheets_server):
    sheet_id = sheets_server.create_spreadsheet("auth", {"A": [["x"]]})
    session = ApiSession(api_url=sheets_server.url, credentials=Credentials("tok"))
    GoogleWorkbook(sheet_id, session=session).read()
    assert {r.authorization for r in sheets_server.log.requests} == {"Bearer tok"}
    assert session.stats.requests == 2 and session.stats.bytes_sent > 0


def test_connect_needs_no_credentials_for_a_local_server(sheets_server, tmp_path):
    sheet_id = sheets_server.create_spreadsheet("local", {"A": [["x"]]})
    config = Config(sheets_api_url=sheets_server.url, google_max_attempts=2)
    workbook = google_sheet(sheet_id, config, is_interactive=False)
    assert workbook.read().tab_names == ("A",)
    assert workbook.name == "Google Sheet 'local'"
    assert sheet_state_path(sheet_id, Config(path=tmp_path / "sheetbill.toml")) == (
        tmp_path / f"gsheets-{sheet_id}.sheetbill.sqlite"
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("gsheets://1AbC_d-efGhIjKlMnOp", "1AbC_d-efGhIjKlMnOp"),
        (
            "https://docs.google.com/spreadsheets/d/1AbC_d-efGhIjKlMnOp/edit#gid=0",
            "1AbC_d-efGhIjKlMnOp",
        ),
        ("books/shop.xlsx", None),
        ("gsheets://", None),
    ],
)
def test_google_sheet_id_reads_sources(source, expected):
    assert google_sheet_id(source) == expected


def test_config_reads_google_keys(tmp_path):
    path = tmp_path / "sheetbill.toml"
    path.write_text(
        'source = "gsheets://1AbC_d-efGhIjKlMnOp"\n'
        'sheets_api_url = "http://127.0.0.1:8765/"\n'
        'google_service_account = "keys/sa.json"\n'
        "google_max_attempts = 3\n"
        "google_timeout = 20\n"
    )
    config = load_config(path)
    assert config.sheets_api_url == "http://127.0.0.1:8765"
    assert config.google_service_account == tmp_path / "keys" / "sa.json"
    assert (config.google_max_attempts, config.google_timeout) == (3, 20.0)


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ('sheets_api_url = "sheets.example"', "sheets_api_url"),
        ("google_max_attempts = 0", "google_max_attempts"),
        ('google_timeout = "long"', "google_timeout"),
        ("google_token = 5", "google_token"),
    ],
)
def test_config_names_the_wrong_google_key(tmp_path, line, key):
    path = tmp_path / "sheetbill.toml"
    path.write_text(line + "\n")
    with pytest.raises(ConfigError, match=f"'{key}'"):
        load_config(path)


def test_a_cached_sign_in_without_drive_file_is_not_used_for_drive_uploads(tmp_path):
    """Setting pdf_drive_folder later needs a new sign-in that grants drive.file."""
    path = tmp_path / "token.json"
    expiry = (datetime.now(UTC) + timedelta(hours=1)).replace(tzinfo=None)
    save_token(path, json.dumps({**TOKEN, "expiry": expiry.isoformat() + "Z"}))
    client = tmp_path / "client.json"
    client.write_text("{}")
    with pytest.raises(ConfigError, match="no cached Google sign-in"):
        load_credentials(
            service_account=None,
            oauth_client=client,
            token_path=path,
            scopes=(
                "https://www.googleapis.com/auth/spreadsheets",
                "https://www.googleapis.com/auth/drive.file",
            ),
            is_interactive=False,
        )
