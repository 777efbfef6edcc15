"""Which sources are Google Sheets: `gsheets://<id>` or a docs.google.com URL."""

from __future__ import annotations

import re

_URL = re.compile(
    r"^https?://docs\.google\.com/spreadsheets/(?:u/\d+/)?d/([A-Za-z0-9_-]+)"
)
_ID = re.compile(r"^[A-Za-z0-9_-]{10,}$")


def google_sheet_id(source: str) -> str | None:
    """The spreadsheet id a source names, or None when it is not a Google Sheet."""
    text = source.strip()
    if text.startswith("gsheets://"):
        sheet_id = text.removeprefix("gsheets://").strip("/")
        return sheet_id if _ID.match(sheet_id) else None
    match = _URL.match(text)
    return match.group(1) if match else None
