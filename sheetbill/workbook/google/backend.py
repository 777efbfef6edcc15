"""`GoogleWorkbook`: the Workbook interface on a Google Sheet, through gspread.

A read is two or three requests (sheet titles; every tab in one values.batchGet; when
any tab holds numbers, the number formats of those columns, see formats.py); a write
is at most three (a re-read of the tabs written to, one spreadsheets.batchUpdate for
new tabs, grid growth and formats, one values.batchUpdate with RAW input), however
many rows a run writes. Rows are re-located right before writing (see relocate.py).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, TypeVar

import gspread
import requests
from gspread.urls import SPREADSHEET_VALUES_BATCH_URL

from sheetbill.domain.sheet import (
    BookSnapshot,
    SheetRow,
    Table,
    WorkbookChanges,
    header_text,
    new_sheet_row,
)
from sheetbill.errors import (
    WorkbookChangedError,
    WorkbookError,
    WorkbookWriteError,
)
from sheetbill.workbook.google import formats, payloads
from sheetbill.workbook.google.cells import row_values
from sheetbill.workbook.google.client import RETRY_STATUSES, ApiSession
from sheetbill.workbook.google.relocate import relocate

T = TypeVar("T")
# Reads kept for `apply`: the billing loop writes against the latest read.
_KEPT_READS = 4
_METADATA_FIELDS = (
    "properties.title,"
    "sheets.properties(sheetId,title,index,sheetType,gridProperties(rowCount,columnCount))"
)
_RANGE_END = re.compile(r"!([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?$")


@dataclass(frozen=True, slots=True)
class TabState:
    """One tab as last read: its table, id and grid size."""

    table: Table
    sheet_id: int
    rows: int
    columns: int


@dataclass(frozen=True, slots=True)
class _Read:
    tabs: Mapping[str, TabState]
    titles: tuple[str, ...]
    sheet_ids: frozenset[int]


class GoogleWorkbook:
    """A Google Sheet read and written through gspread's HTTP client."""

    def __init__(self, spreadsheet_id: str, *, session: requests.Session) -> None:
        self.spreadsheet_id = spreadsheet_id
        self.session = session
        # gspread builds the URLs and raises APIError; `session` does auth and retries.
        self._http = gspread.Client(auth=None, session=session).http_client  # type: ignore[arg-type]
        self._title: str | None = None
        self._reads: dict[str, _Read] = {}

    @property
    def name(self) -> str:
        if self._title:
            return f"Google Sheet '{self._title}'"
        return f"gsheets://{self.spreadsheet_id}"

    # --- reading ----------------------------------------------------------------------
    def read(self) -> BookSnapshot:
        """Every tab, in two or three requests. Raises WorkbookError when unreadable."""
        metadata = self._call(
            "read the list of tabs",
            lambda: self._http.fetch_sheet_metadata(
                self.spreadsheet_id, params={"fields": _METADATA_FIELDS}
            ),
            is_write=False,
        )
        self._title = metadata.get("properties", {}).get("title") or self._title
        sheets = [s.get("properties", {}) for s in metadata.get("sheets", [])]
        titles = tuple(str(p.get("title", "")) for p in sheets)
        grids = {
            str(p["title"]): p for p in sheets if p.get("sheetType", "GRID") == "GRID"
        }
        text, ranges = self._batch_get(list(grids), is_write=False)
        tabs: dict[str, TabState] = {}
        for title, value_range in zip(grids, ranges, strict=True):
            grid = grids[title].get("gridProperties", {})
            tabs[title] = TabState(
                table=build_table(title, value_range.get("values", [])),
                sheet_id=int(grids[title].get("sheetId", 0)),
                rows=int(grid.get("rowCount", payloads.DEFAULT_ROWS)),
                columns=int(grid.get("columnCount", payloads.DEFAULT_COLUMNS)),
            )
        tabs = self._with_serial_formats(tabs)
        version = hashlib.sha256(
            json.dumps(titles).encode() + b"\0" + text.encode()
        ).hexdigest()[:32]
        self._remember(
            version,
            _Read(tabs, titles, frozenset(int(p.get("sheetId", 0)) for p in sheets)),
        )
        return BookSnapshot(
            {title: state.table for title, state in tabs.items()}, version, titles
        )

    def _with_serial_formats(self, tabs: Mapping[str, TabState]) -> dict[str, TabState]:
        """The tabs with their date, time and duration cells marked: one request."""
        tables = {title: state.table for title, state in tabs.items()}
        ranges = formats.number_ranges(tables.values())
        if not ranges:
            return dict(tabs)
        params: dict[str, Any] = {
            "ranges": ranges,
            "fields": formats.FIELDS,
            "prettyPrint": "false",
        }
        reply = self._call(
            "read the number formats of the tabs",
            lambda: self._http.fetch_sheet_metadata(self.spreadsheet_id, params=params),
            is_write=False,
        )
        found = formats.serial_formats(reply, tables)
        return {
            title: (
                replace(state, table=replace(state.table, serial_formats=found[title]))
                if found.get(title)
                else state
            )
            for title, state in tabs.items()
        }

    def _remember(self, version: str, read: _Read) -> None:
        self._reads.pop(version, None)
        self._reads[version] = read
        while len(self._reads) > _KEPT_READS:
            del self._reads[next(iter(self._reads))]

    def _batch_get(
        self, titles: Sequence[str], *, is_write: bool
    ) -> tuple[str, list[dict[str, Any]]]:
        """One values.batchGet of whole tabs: raw text (for the version), ranges."""
        if not titles:
            return "", []
        params: dict[str, Any] = {
            "ranges": [payloads.quote_title(t) for t in titles],
            "valueRenderOption": "UNFORMATTED_VALUE",
            "dateTimeRenderOption": "SERIAL_NUMBER",
            "majorDimension": "ROWS",
        }
        response = self._call(
            "read the tabs again before writing" if is_write else "read the tabs",
            lambda: self._http.request(
                "get", SPREADSHEET_VALUES_BATCH_URL % self.spreadsheet_id, params=params
            ),
            is_write=is_write,
        )
        text = response.text
        # Numbers as Decimal straight from their JSON text: never through float.
        body = json.loads(text, parse_float=Decimal)
        ranges = list(body.get("valueRanges", []))
        if len(ranges) != len(titles):
            raise WorkbookError(
                "Google Sheets answered with the wrong number of tabs", path=self.name
            )
        return text, ranges

    # --- writing ----------------------------------------------------------------------
    def check_writable(self) -> None:
        """Google answers a write it refuses with an error at write time; there is
        no lock file to look for, and asking for permissions costs a request."""
        return None

    def apply(self, changes: WorkbookChanges, *, expected_version: str) -> str:
        """Re-read, re-locate, then write in at most two requests; see module doc."""
        if changes.is_empty:
            return expected_version
        read = self._reads.get(expected_version)
        if read is None:
            raise WorkbookChangedError(
                "this sheet was not read at that version by this run; read it again",
                path=self.name,
            )
        new_names = [spec.name for spec in changes.new_tabs]
        existing = [
            t for t in changes.writes if changes.writes[t] and t not in new_names
        ]
        for tab in existing:
            if tab not in read.tabs:
                raise WorkbookWriteError(
                    f"sheetbill planned writes into the tab {tab!r}, which it never "
                    "read",
                    path=self.name,
                )
        _, ranges = self._batch_get(existing, is_write=True)
        structure: list[dict[str, Any]] = []
        data: list[dict[str, Any]] = []
        for tab, value_range in zip(existing, ranges, strict=True):
            state = read.tabs[tab]
            now = build_table(tab, value_range.get("values", []))
            moved = relocate(tab, changes.writes[tab], state.table, now, name=self.name)
            rows, columns = _grid_size(value_range.get("range", ""), state)
            structure += payloads.grow_requests(state.sheet_id, rows, columns, moved)
            structure += payloads.format_requests(
                state.sheet_id, moved, changes.formats.get(tab, {})
            )
            data += payloads.value_ranges(tab, moved)
        taken = set(read.sheet_ids)
        for offset, spec in enumerate(changes.new_tabs):
            sheet_id = _new_sheet_id(taken)
            writes = changes.writes.get(spec.name, ())
            last = max((w.row for w in writes), default=1)
            structure += payloads.new_tab_requests(
                spec,
                sheet_id=sheet_id,
                index=len(read.titles) + offset,
                rows=max(payloads.DEFAULT_ROWS, last + 1),
            )
            structure += payloads.format_requests(
                sheet_id, writes, changes.formats.get(spec.name, {})
            )
            data += payloads.value_ranges(spec.name, writes)
        if structure:
            self._call(
                "add tabs and formats",
                lambda: self._http.batch_update(
                    self.spreadsheet_id, {"requests": structure}
                ),
                is_write=True,
            )
        reply: Any = {}
        if data:
            reply = self._call(
                "write the cells",
                lambda: self._http.values_batch_update(
                    self.spreadsheet_id,
                    {"valueInputOption": "RAW", "data": data},
                ),
                is_write=True,
            )
        return hashlib.sha256(
            (expected_version + json.dumps(reply, sort_keys=True)).encode()
        ).hexdigest()[:32]

    # --- errors -----------------------------------------------------------------------
    def _call(self, what: str, action: Callable[[], T], *, is_write: bool) -> T:
        """Run one API call; translate gspread and requests errors into ours."""
        error = WorkbookWriteError if is_write else WorkbookError
        nothing = "; nothing was written" if is_write else ""
        try:
            return action()
        except gspread.exceptions.APIError as exc:
            raise self._api_error(exc, what, is_write=is_write) from exc
        except requests.RequestException as exc:
            raise error(
                f"could not {what}: Google Sheets did not answer ({exc}){nothing}. "
                "Run again later",
                path=self.name,
            ) from exc

    def _api_error(
        self, exc: gspread.exceptions.APIError, what: str, *, is_write: bool
    ) -> WorkbookError | WorkbookWriteError:
        code = exc.code
        message = str(exc.error.get("message", "")) if exc.error else ""
        error = WorkbookWriteError if is_write else WorkbookError
        nothing = "; nothing was written" if is_write else ""
        if code == 404:
            return WorkbookError(
                "no such Google Sheet: check the id, and that it was not deleted",
                path=self.name,
            )
        if code == 403:
            return WorkbookError(
                "no access to this Google Sheet: share it (as editor) with the "
                "service account's email, or sign in with an account that may edit it",
                path=self.name,
            )
        if code == 401:
            return WorkbookError(
                f"Google refused the credentials ({message})", path=self.name
            )
        if code == 400 and is_write and _is_structure_change(message):
            return WorkbookChangedError(
                f"the sheet's tabs changed while sheetbill ran ({message}); "
                "nothing was written",
                path=self.name,
            )
        if code in RETRY_STATUSES:
            attempts = ""
            if isinstance(self.session, ApiSession):
                attempts = f" after {self.session.policy.max_attempts} attempts"
            return error(
                f"could not {what}: Google Sheets answered {code} ({message}){attempts}"
                f"{nothing}. Run again later; the next run completes the work",
                path=self.name,
            )
        return error(
            f"could not {what}: Google Sheets answered {code}: {message}{nothing}",
            path=self.name,
        )


def _is_structure_change(message: str) -> bool:
    """A tab deleted or renamed (range unparsable) or added by someone else."""
    return "Unable to parse range" in message or "already exists" in message


def build_table(tab: str, values: Sequence[Sequence[Any]]) -> Table:
    """A Table from a values response (row i is sheet row i + 1)."""
    header_row = 0
    headers: tuple[str, ...] = ()
    rows: list[SheetRow] = []
    for offset, raw in enumerate(values):
        cells = row_values(list(raw))
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        number = offset + 1
        if not header_row:
            header_row = number
            headers = tuple(header_text(c) for c in cells)
            continue
        rows.append(new_sheet_row(number, cells))
    return Table(
        tab=tab,
        header_row=header_row or 1,
        headers=headers,
        rows=tuple(rows),
        last_row=len(values),
    )


def _grid_size(returned: str, state: TabState) -> tuple[int, int]:
    """The grid size from a whole-tab range as Google returns it ('Tab'!A1:Z1000)."""
    match = _RANGE_END.search(returned)
    if not match or not match.group(3):
        return state.rows, state.columns
    letters = match.group(3)
    columns = 0
    for char in letters:
        columns = columns * 26 + ord(char) - 64
    return int(match.group(4)), columns


def _new_sheet_id(taken: set[int]) -> int:
    while True:
        candidate = secrets.randbelow(2_000_000_000) + 1
        if candidate not in taken:
            taken.add(candidate)
            return candidate
