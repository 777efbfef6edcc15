"""Fixtures for the Google Sheets backend: the local Sheets API server, sheets on it.

They reach every test through tests/conftest.py.

`google_book(tabs)` makes a fresh spreadsheet on the server, filled from a dict of
tab -> rows (Python values: str, Decimal/int/float, bool, date, datetime, None), and
returns a `GoogleBook` whose `.workbook` is a GoogleWorkbook pointed at it and whose
`.tables()` / `.records(tab)` read everything back through a second, fresh reader.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from paths import ROOT

# `tests.sheets_server` is imported from the repository root.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sheetbill.domain.sheet import CellValue, Table
from sheetbill.workbook.google import ApiSession, GoogleWorkbook, RetryPolicy
from tests.sheets_server import SheetsServer

Tabs = Mapping[str, Sequence[Sequence[Any]]]


@dataclass
class GoogleBook:
    """A spreadsheet on the local server and a GoogleWorkbook pointed at it."""

    server: SheetsServer
    spreadsheet_id: str
    workbook: GoogleWorkbook
    # Back-off waits the session asked for (tests never really sleep).
    sleeps: list[float] = field(default_factory=list)

    @property
    def source(self) -> str:
        return f"gsheets://{self.spreadsheet_id}"

    def tables(self) -> dict[str, Table]:
        """Every tab as a fresh GoogleWorkbook reads it (typed for the core)."""
        reader = GoogleWorkbook(
            self.spreadsheet_id, session=ApiSession(api_url=self.server.url)
        )
        return dict(reader.read().tables)

    def records(self, tab: str) -> list[dict[str, CellValue]]:
        table = self.tables()[tab]
        return [
            {h: row.get(i) for i, h in enumerate(table.headers) if h}
            for row in table.rows
        ]

    def column(self, tab: str, header: str) -> list[CellValue]:
        return [record.get(header) for record in self.records(tab)]

    def values(self, tab: str, *, option: str = "UNFORMATTED_VALUE") -> list[list[Any]]:
        """The tab as the API returns it (no typing), straight from the server."""
        return self.server.values(self.spreadsheet_id, tab, option=option)


@pytest.fixture
def sheets_server() -> Iterator[SheetsServer]:
    """A local Sheets API server on 127.0.0.1 (a free port), for one test."""
    with SheetsServer() as server:
        yield server


def make_session(
    server: SheetsServer,
    sleeps: list[float],
    *,
    max_attempts: int = 4,
    timeout: float = 10.0,
) -> ApiSession:
    policy = RetryPolicy(
        max_attempts=max_attempts,
        timeout=timeout,
        sleep=sleeps.append,
        jitter=lambda: 0.0,
    )
    return ApiSession(api_url=server.url, policy=policy)


@pytest.fixture
def google_book(sheets_server: SheetsServer) -> Callable[..., GoogleBook]:
    """Factory: google_book({"Tab": [[headers...], [row...]]}, max_attempts=4)."""

    def make(
        tabs: Tabs, *, title: str = "sheetbill test", **session: Any
    ) -> GoogleBook:
        spreadsheet_id = sheets_server.create_spreadsheet(title, tabs)
        sleeps: list[float] = []
        workbook = GoogleWorkbook(
            spreadsheet_id, session=make_session(sheets_server, sleeps, **session)
        )
        return GoogleBook(sheets_server, spreadsheet_id, workbook, sleeps)

    return make
