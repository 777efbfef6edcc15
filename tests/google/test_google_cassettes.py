"""The local Sheets API server against 105 recordings of the real Google API.

Each cassette (vcrpy JSON, recorded by gspread's own test suite) is replayed in order
against a fresh server, after translating spreadsheet and sheet ids: every exchange
whose endpoint sheetbill or gspread (on sheetbill's behalf) uses must answer the
recorded status with JSON of the same structure, keys and value types, and the same
values where they are deterministic (not ids or timestamps). An exchange with an
endpoint or batchUpdate request the server does not implement must answer 501; the
rest of that cassette is then skipped, since the recorded state moved on without us.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from tests.sheets_server import IMPLEMENTED, SheetsServer
from tests.sheets_server.batch import SUPPORTED
from tests.sheets_server.endpoints import route

CASSETTES = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "sheets-api-cassettes"
)

# What the server answers 501 for, and why sheetbill does not need it.
NOT_IMPLEMENTED = {
    "drive.export": "spreadsheet export (PDF/CSV) — sheetbill renders its own PDFs",
    "drive.copy": "copying a spreadsheet",
    "drive.comments": "Drive comments",
    "upload": "CSV import through Drive v2 upload",
    "mergeCells": "merging cells",
    "unmergeCells": "merging cells",
    "addNamedRange": "named ranges",
    "deleteNamedRange": "named ranges",
    "updateNamedRange": "named ranges",
    "setBasicFilter": "filters",
    "clearBasicFilter": "filters",
    "addDimensionGroup": "row/column groups",
    "deleteDimensionGroup": "row/column groups",
    "addProtectedRange": "protected ranges",
    "deleteProtectedRange": "protected ranges",
    "copyPaste": "copy/paste of ranges",
    "cutPaste": "cut/paste of ranges",
}
# Exchanges whose recorded answer depends on things outside the recording.
ACCOUNT_STATE = {
    "ClientTest.test_openall.json": "the recorded Drive held files of earlier runs",
    "ClientTest.test_open_all_has_metadata.json": "ditto",
    "ClientTest.test_copy.json": "copies files the server never saw",
}
# Keys whose values are made up by the server (ids, times, URLs): type only.
VOLATILE = {
    "spreadsheetId",
    "id",
    "sheetId",
    "createdTime",
    "modifiedTime",
    "spreadsheetUrl",
    "namedRangeId",
}
# Single exchanges the server answers differently, and why (status still compared).
KNOWN_DIFFERENCES = {
    ("WorksheetTest.test_auto_resize_columns.json", 8): (
        "autoResizeDimensions fits columns to rendered text; the server has no fonts "
        "and keeps the width"
    ),
    ("WorksheetTest.test_auto_resize_columns.json", 17): "the same, second recording",
}
PRIVATE = {"ClientTest.test_access_private_spreadsheet.json"}
_ID = re.compile(r"/(?:spreadsheets|files)/([A-Za-z0-9_-]{20,})")


def _body(record: dict[str, Any]) -> str:
    body = record.get("body")
    if isinstance(body, dict):
        body = body.get("string")
    return body or ""


def _kind(method: str, uri: str, body: str) -> tuple[str, str | None]:
    """The server's endpoint name, and why it is not implemented (None: it is)."""
    parts = urlsplit(uri)
    endpoint, _ = route(method, parts.path)
    if parts.path.startswith("/upload/") and endpoint not in IMPLEMENTED:
        return "upload", NOT_IMPLEMENTED["upload"]
    if endpoint.startswith("drive.") and endpoint not in IMPLEMENTED:
        key = "drive." + endpoint.rsplit(".", 1)[-1].rsplit("/", 1)[-1]
        return endpoint, NOT_IMPLEMENTED.get(key, "not implemented")
    if endpoint == "spreadsheets.batchUpdate" and body:
        kinds = [next(iter(r)) for r in json.loads(body).get("requests", [])]
        missing = [k for k in kinds if k not in SUPPORTED]
        if missing:
            return endpoint, NOT_IMPLEMENTED.get(missing[0], "not implemented")
    if endpoint not in IMPLEMENTED:
        return endpoint, "not implemented"
    return endpoint, None


def _compare(recorded: Any, actual: Any, path: str, *, loose_lists: bool) -> None:
    if isinstance(recorded, dict):
        assert isinstance(actual, dict), f"{path}: {actual!r}"
        assert set(actual) == set(recorded), (
            f"{path}: keys {sorted(actual)} != recorded {sorted(recorded)}"
        )
        for key, value in recorded.items():
            if key in VOLATILE:
                assert type(actual[key]) is type(value), f"{path}.{key}"
                continue
            _compare(value, actual[key], f"{path}.{key}", loose_lists=loose_lists)
    elif isinstance(recorded, list):
        assert isinstance(actual, list), f"{path}: {actual!r}"
        if loose_lists:
            if recorded and actual:
                _compare(recorded[0], actual[0], f"{path}[0]", loose_lists=True)
            return
        assert len(actual) == len(recorded), f"{path}: {actual!r} != {recorded!r}"
        for index, (a, b) in enumerate(zip(recorded, actual, strict=True)):
            _compare(a, b, f"{path}[{index}]", loose_lists=loose_lists)
    elif isinstance(recorded, bool) or recorded is None or isinstance(recorded, str):
        assert actual == recorded, f"{path}: {actual!r} != recorded {recorded!r}"
    else:
        assert isinstance(actual, int | float) and not isinstance(actual, bool), path
        assert actual == pytest.approx(recorded), f"{path}: {actual} != {recorded}"


def _translate(text: str, ids: dict[str, str]) -> str:
    for old, new in sorted(ids.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(old, new)
    return text


def _learn_ids(recorded: Any, actual: Any, ids: dict[str, str]) -> None:
    """Map recorded ids (spreadsheets, sheets) to the server's, from two replies."""
    if isinstance(recorded, dict) and isinstance(actual, dict):
        for key, value in recorded.items():
            if key in ("id", "spreadsheetId", "sheetId") and key in actual:
                if str(value) != str(actual[key]):
                    ids[str(value)] = str(actual[key])
            elif key in actual:
                _learn_ids(value, actual[key], ids)
    elif isinstance(recorded, list) and isinstance(actual, list):
        for a, b in zip(recorded, actual, strict=False):
            _learn_ids(a, b, ids)


@pytest.mark.parametrize(
    "cassette", sorted(CASSETTES.glob("*.json")), ids=lambda p: p.stem
)
def test_server_answers_like_the_recorded_api(
    cassette: Path, sheets_server: SheetsServer
):
    interactions = json.loads(cassette.read_text())["interactions"]
    ids: dict[str, str] = {}
    if cassette.name in PRIVATE:
        for item in interactions:
            match = _ID.search(urlsplit(item["request"]["uri"]).path)
            if match and item["response"]["status"]["code"] == 403:
                sheets_server.create_spreadsheet(
                    spreadsheet_id=match.group(1), is_private=True
                )
    session = requests.Session()
    compared = 0
    for number, item in enumerate(interactions):
        request, response = item["request"], item["response"]
        method, uri, body = request["method"], request["uri"], _body(request)
        endpoint, missing = _kind(method, uri, body)
        where = f"{cassette.name}#{number} {method} {endpoint}"
        parts = urlsplit(uri)
        known = set(ids) | {"test"} | {s for s in sheets_server.books}
        match = _ID.search(parts.path)
        if match and match.group(1) not in known and cassette.name in ACCOUNT_STATE:
            continue
        url = sheets_server.url + _translate(parts.path, ids)
        if parts.query:
            url += "?" + _translate(parts.query, ids)
        reply = session.request(
            method,
            url,
            data=_translate(body, ids).encode() if body else None,
            headers={"Content-Type": "application/json"} if body else {},
            timeout=30,
        )
        if missing is not None:
            assert reply.status_code == 501, where
            return
        assert reply.status_code == response["status"]["code"], (
            f"{where}: {reply.status_code} {reply.text[:300]}"
        )
        text = _body(response)
        if (cassette.name, number) in KNOWN_DIFFERENCES:
            continue
        compared += 1
        if not text.strip():
            continue
        try:
            recorded = json.loads(text)
        except json.JSONDecodeError:
            continue  # a non-JSON body (an export): status only
        actual = reply.json()
        _learn_ids(recorded, actual, ids)
        recorded = json.loads(_translate(text, ids))
        _compare(
            recorded,
            actual,
            where,
            loose_lists=endpoint == "drive.files.list"
            or cassette.name in ACCOUNT_STATE,
        )
    assert compared, f"{cassette.name}: no exchange was compared"
