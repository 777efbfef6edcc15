"""The Google Sheets backend: `GoogleWorkbook`, its HTTP session and credentials.

Where sheetbill talks to Google: client.py (auth, base URL, bounded retries),
backend.py (read and apply), relocate.py (finding rows people moved), payloads.py
(request bodies), cells.py (typing cell values), source.py (gsheets:// sources),
drive.py (invoice PDFs uploaded to a Drive folder).
"""

from __future__ import annotations

from sheetbill.workbook.google.backend import GoogleWorkbook
from sheetbill.workbook.google.client import (
    GOOGLE_API_URL,
    SPREADSHEETS_SCOPE,
    ApiSession,
    RetryPolicy,
    load_credentials,
)
from sheetbill.workbook.google.source import google_sheet_id

__all__ = [
    "GOOGLE_API_URL",
    "SPREADSHEETS_SCOPE",
    "ApiSession",
    "GoogleWorkbook",
    "RetryPolicy",
    "google_sheet_id",
    "load_credentials",
]
