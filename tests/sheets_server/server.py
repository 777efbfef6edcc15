"""The local Sheets API v4 (and Drive v3 basics) server: HTTP, routing, faults, hooks.

A ThreadingHTTPServer on 127.0.0.1 that unmodified gspread talks to once its requests
are sent to `url` instead of Google's hosts. Tests count requests, inject faults
(status codes, Retry-After, delays) and change a spreadsheet between two requests, as
a person editing at the same time would.
"""

from __future__ import annotations

import itertools
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .a1 import format_range
from .batch import batch_update, unsupported
from .document import apply_mask, cell_fields_of, parse_mask, spreadsheet_resource
from .drive import FOLDER_MIME, DriveStore
from .endpoints import (
    SPREADSHEET_MIME,
    clear,
    drive_file,
    put_rows,
    route,
    table_under,
    unimplemented,
    update,
    value_range,
)
from .model import ApiError, Sheet, Spreadsheet, new_spreadsheet_id, now_rfc3339
from .values import read_values, render

# Every endpoint the server answers; anything else is 501.
IMPLEMENTED = (
    "spreadsheets.create",
    "spreadsheets.get",
    "spreadsheets.batchUpdate",
    "values.get",
    "values.update",
    "values.append",
    "values.clear",
    "values.batchGet",
    "values.batchUpdate",
    "values.batchClear",
    "drive.files.create",
    "drive.files.list",
    "drive.files.get",
    "drive.files.delete",
    "drive.upload.create",
    "drive.upload.update",
)

_FAULT_STATUS = {
    429: (
        "RESOURCE_EXHAUSTED",
        "Quota exceeded for quota metric 'Requests' and limit "
        "'Requests per minute per user' of service 'sheets.googleapis.com'.",
    ),
    500: ("INTERNAL", "Internal error encountered."),
    502: ("UNAVAILABLE", "Bad gateway."),
    503: ("UNAVAILABLE", "The service is currently unavailable."),
    504: ("DEADLINE_EXCEEDED", "The service did not answer in time."),
}


@dataclass(frozen=True, slots=True)
class RequestInfo:
    """One request as the server saw it."""

    index: int
    method: str
    path: str
    endpoint: str
    query: Mapping[str, list[str]]
    body: bytes
    bytes_in: int
    # The Authorization header as sent ("" when none), to check credentials are used.
    authorization: str = ""


@dataclass(slots=True)
class Fault:
    """Answer the next `times` matching requests with `status` (after `delay` s)."""

    status: int | None
    endpoint: str | None = None
    times: int = 1
    retry_after: str | None = None
    delay: float = 0.0


@dataclass(slots=True)
class _Log:
    requests: list[RequestInfo] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    bytes_out: int = 0


class SheetsServer:
    """In-memory spreadsheets behind a real HTTP server on 127.0.0.1."""

    def __init__(self, *, port: int = 0) -> None:
        self.books: dict[str, Spreadsheet] = {}
        # Drive files that are not spreadsheets: folders and uploaded PDFs.
        self.drive = DriveStore()
        self.lock = threading.RLock()
        self.faults: list[Fault] = []
        self.log = _Log()
        self.before_request: Callable[[RequestInfo], None] | None = None
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    # --- lifecycle --------------------------------------------------------------------
    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> SheetsServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> SheetsServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- test controls ----------------------------------------------------------------
    def create_spreadsheet(
        self,
        title: str = "Test spreadsheet",
        tabs: Mapping[str, Sequence[Sequence[Any]]] | None = None,
        *,
        spreadsheet_id: str | None = None,
        is_private: bool = False,
    ) -> str:
        """A spreadsheet with these tabs (rows of Python values); "Sheet1" if none."""
        with self.lock:
            book_id = spreadsheet_id or new_spreadsheet_id()
            stamp = now_rfc3339()
            book = Spreadsheet(book_id, title, created=stamp, modified=stamp)
            book.is_private = is_private
            for index, (name, rows) in enumerate((tabs or {"Sheet1": []}).items()):
                sheet = Sheet(
                    sheet_id=0 if index == 0 else book.new_sheet_id(), title=name
                )
                sheet.rows = max(1000, len(rows) + 1)
                sheet.cols = max(26, max((len(r) for r in rows), default=0))
                book.sheets.append(sheet)
                put_rows(sheet, 0, rows)
            self.books[book_id] = book
            return book_id

    def book(self, book_id: str) -> Spreadsheet:
        return self.books[book_id]

    def values(
        self, book_id: str, tab: str, *, option: str = "UNFORMATTED_VALUE"
    ) -> list[list[Any]]:
        """A tab's values as the API returns them (trimmed), for assertions."""
        with self.lock:
            sheet = self.books[book_id].sheet(tab)
            _, rows = read_values(
                sheet,
                (0, sheet.rows, 0, sheet.cols),
                option=option,
                dates="SERIAL_NUMBER",
                major="ROWS",
            )
            return rows

    def cell(self, book_id: str, tab: str, a1_row: int, column: int) -> Any:
        with self.lock:
            sheet = self.books[book_id].sheet(tab)
            return render(
                sheet.cells.get((a1_row - 1, column)),
                option="UNFORMATTED_VALUE",
                dates="SERIAL_NUMBER",
            )

    def inject(
        self,
        status: int | None,
        *,
        endpoint: str | None = None,
        times: int = 1,
        retry_after: str | None = None,
        delay: float = 0.0,
    ) -> None:
        with self.lock:
            self.faults.append(Fault(status, endpoint, times, retry_after, delay))

    def reset_log(self) -> None:
        with self.lock:
            self.log = _Log()

    def count(self, endpoint: str | None = None) -> int:
        return sum(
            1 for r in self.log.requests if endpoint is None or r.endpoint == endpoint
        )

    @property
    def bytes_in(self) -> int:
        return sum(r.bytes_in for r in self.log.requests)

    @contextmanager
    def hook(self, action: Callable[[RequestInfo], None]) -> Iterator[None]:
        """Run `action` before each request is handled (under the server's lock)."""
        self.before_request = action
        try:
            yield
        finally:
            self.before_request = None

    # --- request handling -------------------------------------------------------------
    def handle(
        self,
        method: str,
        raw_path: str,
        body: bytes,
        bytes_in: int,
        authorization: str = "",
        content_type: str = "",
    ) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(raw_path)
        query = parse_qs(parts.query, keep_blank_values=True)
        endpoint, args = route(method, parts.path)
        with self.lock:
            info = RequestInfo(
                len(self.log.requests),
                method,
                parts.path,
                endpoint,
                query,
                body,
                bytes_in,
                authorization,
            )
            self.log.requests.append(info)
            if self.before_request is not None:
                self.before_request(info)
            fault = self._take_fault(endpoint)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.status is not None:
                return self._fault_reply(fault)
        with self.lock:
            try:
                if endpoint.startswith("drive.upload."):
                    one = {k: v[-1] for k, v in query.items()}
                    reply = self.drive.upload(endpoint, args, one, body, content_type)
                    status = 200
                else:
                    status, reply = self._dispatch(endpoint, args, query, body)
            except ApiError as exc:
                status, reply = exc.code, exc.body()
            except NotImplementedError as exc:
                status, reply = 501, unimplemented(f"{endpoint} {exc}".strip())
            self.log.statuses.append(status)
            # Google pretty-prints its JSON unless asked not to (prettyPrint=false).
            compact = query.get("prettyPrint", [""])[-1].lower() == "false"
            data = (
                b""
                if status == 204
                else json.dumps(
                    reply,
                    ensure_ascii=False,
                    indent=None if compact else 2,
                    separators=(",", ":") if compact else None,
                ).encode()
            )
            self.log.bytes_out += len(data)
        return status, {"Content-Type": "application/json; charset=UTF-8"}, data

    def _take_fault(self, endpoint: str) -> Fault | None:
        for fault in self.faults:
            if fault.endpoint in (None, endpoint):
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def _fault_reply(self, fault: Fault) -> tuple[int, dict[str, str], bytes]:
        status = fault.status or 500
        kind, message = _FAULT_STATUS.get(status, ("UNKNOWN", "Injected fault."))
        headers = {"Content-Type": "application/json; charset=UTF-8"}
        if fault.retry_after is not None:
            headers["Retry-After"] = fault.retry_after
        body = {"error": {"code": status, "message": message, "status": kind}}
        with self.lock:
            self.log.statuses.append(status)
        return status, headers, json.dumps(body).encode()

    def _book(self, book_id: str) -> Spreadsheet:
        book = self.books.get(book_id)
        if book is None:
            raise ApiError(404, "Requested entity was not found.")
        if book.is_private:
            raise ApiError(403, "The caller does not have permission")
        return book

    def _dispatch(
        self,
        endpoint: str,
        args: list[str],
        query: Mapping[str, list[str]],
        body: bytes,
    ) -> tuple[int, Any]:
        if endpoint not in IMPLEMENTED:
            raise NotImplementedError
        try:
            payload = json.loads(body) if body.strip() else {}
        except ValueError as exc:
            raise ApiError(400, "Invalid JSON payload received.") from exc
        one = {k: v[-1] for k, v in query.items()}
        if endpoint == "drive.files.create":
            return 200, self._drive_create(payload)
        if endpoint == "drive.files.list":
            return 200, self._drive_list(one)
        if endpoint == "spreadsheets.create":
            title = payload.get("properties", {}).get("title", "Untitled spreadsheet")
            return 200, self._resource(
                self.books[self.create_spreadsheet(title)], {}, query
            )
        if endpoint not in IMPLEMENTED:
            raise NotImplementedError
        if endpoint == "drive.files.get" and args[0] in self.drive.files:
            return 200, self.drive.get(args[0], one.get("fields", ""))
        book = self._book(args[0])
        if endpoint == "drive.files.get":
            return 200, drive_file(book, one.get("fields", "kind,id,name,mimeType"))
        if endpoint == "drive.files.delete":
            del self.books[book.spreadsheet_id]
            return 204, None
        if endpoint == "spreadsheets.get":
            return 200, self._resource(book, one, query)
        if endpoint == "spreadsheets.batchUpdate":
            if unsupported(payload):
                raise NotImplementedError(", ".join(unsupported(payload)))
            return 200, batch_update(book, payload)
        return 200, self._values(endpoint, book, args, one, query, payload)

    def _resource(
        self, book: Spreadsheet, one: Mapping[str, str], query: Mapping[str, list[str]]
    ) -> Any:
        ranges = query.get("ranges", [])
        fields = one.get("fields", "")
        with_grid = one.get(
            "includeGridData", "false"
        ).lower() == "true" or "data" in re.split(r"[./(),]", fields)
        grid = None
        only = None
        if ranges:
            resolved = [book.resolve(r) for r in ranges]
            only = [s for s, _ in resolved]
            if with_grid:
                grid = resolved
        elif with_grid:
            grid = [(s, (0, s.rows, 0, s.cols)) for s in book.sheets]
        try:
            mask = parse_mask(fields) if fields else {}
        except ValueError as exc:
            raise ApiError(400, f"Request contains an invalid argument. {exc}") from exc
        resource = spreadsheet_resource(
            book,
            base_url=self.url,
            grid=grid,
            only=only,
            cell_fields=cell_fields_of(mask),
        )
        return apply_mask(resource, mask) if mask else resource

    def _values(
        self,
        endpoint: str,
        book: Spreadsheet,
        args: list[str],
        one: Mapping[str, str],
        query: Mapping[str, list[str]],
        payload: Any,
    ) -> Any:
        option = one.get("valueRenderOption", "FORMATTED_VALUE")
        dates = one.get("dateTimeRenderOption", "SERIAL_NUMBER")
        major = one.get("majorDimension", "ROWS")
        if endpoint == "values.get":
            sheet, bounds = book.resolve(args[1])
            rng, rows = read_values(
                sheet, bounds, option=option, dates=dates, major=major
            )
            return value_range(rng, major, rows)
        if endpoint == "values.batchGet":
            resolved = [(r, *book.resolve(r)) for r in query.get("ranges", [])]
            out = []
            for _, sheet, bounds in resolved:
                rng, rows = read_values(
                    sheet, bounds, option=option, dates=dates, major=major
                )
                out.append(value_range(rng, major, rows))
            return {"spreadsheetId": book.spreadsheet_id, "valueRanges": out}
        if endpoint == "values.clear":
            return {
                "spreadsheetId": book.spreadsheet_id,
                "clearedRange": clear(book, args[1]),
            }
        if endpoint == "values.batchClear":
            cleared = [clear(book, r) for r in payload.get("ranges", [])]
            return {"spreadsheetId": book.spreadsheet_id, "clearedRanges": cleared}
        if endpoint == "values.update":
            reply = update(book, args[1], payload, one)
            book.touch()
            return {"spreadsheetId": book.spreadsheet_id, **reply}
        if endpoint == "values.append":
            return self._append(book, args[1], payload, one)
        if endpoint == "values.batchUpdate":
            return self._batch_update_values(book, payload)
        raise NotImplementedError

    def _append(
        self, book: Spreadsheet, a1: str, payload: Any, one: Mapping[str, str]
    ) -> Any:
        sheet, (row0, _, col0, col1) = book.resolve(a1)
        values = payload.get("values", [])
        if payload.get("majorDimension") == "COLUMNS":
            values = [list(r) for r in itertools.zip_longest(*values, fillvalue=None)]
        # The "table" is found as Google does (see table_under): from the range's
        # first row down to a blank row; none when that first row is blank. Its first
        # column is where new rows start, which is why a row with blanks first can
        # shift later appends to the right (FIELD-NOTES: append_rows shifts columns).
        table = table_under(sheet, row0, col0, col1)
        if table is not None:
            first_row, last, col0, table_end = table
        else:
            last = row0 - 1
        start = last + 1
        needed = start + len(values)
        if needed > sheet.rows and one.get("insertDataOption", "OVERWRITE") in (
            "OVERWRITE",
            "INSERT_ROWS",
        ):
            sheet.rows = needed  # append grows the grid
        target = format_range(
            sheet.title,
            start,
            start + max(1, len(values)),
            col0,
            col0 + max((len(v) for v in values), default=1),
        )
        reply = update(
            book,
            target,
            {"values": values, "majorDimension": "ROWS"},
            one,
        )
        if one.get("includeValuesInResponse", "false").lower() == "true":
            reply["updatedData"] = {
                "range": reply["updatedRange"],
                "majorDimension": "ROWS",
                "values": values,
            }
        book.touch()
        reply_body: dict[str, Any] = {"spreadsheetId": book.spreadsheet_id}
        if table is not None:
            reply_body["tableRange"] = format_range(
                sheet.title, first_row, start, col0, table_end
            )
        reply_body["updates"] = {"spreadsheetId": book.spreadsheet_id, **reply}
        return reply_body

    def _batch_update_values(self, book: Spreadsheet, payload: Any) -> Any:
        input_option = payload.get("valueInputOption")
        if input_option not in ("RAW", "USER_ENTERED"):
            raise ApiError(
                400, "Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED"
            )
        # All or nothing: write into a copy of every touched sheet, then commit.
        work = book.fork()
        replies = []
        for item in payload.get("data", []):
            sheet, _ = book.resolve(item.get("range", ""), check=False)
            work.by_id(sheet.sheet_id)
            replies.append(
                {
                    "spreadsheetId": book.spreadsheet_id,
                    **update(
                        work,
                        item["range"],
                        item,
                        {"valueInputOption": input_option},
                    ),
                }
            )
        book.sheets = work.sheets
        book.touch()
        totals = {
            key: sum(r.get(key.replace("total", "updated"), 0) for r in replies)
            for key in ("totalUpdatedRows", "totalUpdatedColumns", "totalUpdatedCells")
        }
        return {
            "spreadsheetId": book.spreadsheet_id,
            **totals,
            "totalUpdatedSheets": len(
                {r["updatedRange"].rpartition("!")[0] for r in replies}
            ),
            "responses": replies,
        }

    def _drive_create(self, payload: Any) -> Any:
        if payload.get("mimeType") == FOLDER_MIME:
            parent = (payload.get("parents") or ["root"])[0]
            folder = self.drive.create_folder(payload.get("name", "Untitled"), parent)
            return self.drive.get(folder, "")
        if payload.get("mimeType", SPREADSHEET_MIME) != SPREADSHEET_MIME:
            raise NotImplementedError("only spreadsheets can be created")
        book_id = self.create_spreadsheet(payload.get("name", "Untitled spreadsheet"))
        book = self.books[book_id]
        return {
            "kind": "drive#file",
            "id": book_id,
            "name": book.title,
            "mimeType": SPREADSHEET_MIME,
        }

    def _drive_list(self, one: Mapping[str, str]) -> Any:
        named = re.search(r"name\s*=\s*(['\"])(.*?)\1", one.get("q", ""))
        files = [
            drive_file(book, "id,name,createdTime,modifiedTime")
            for book in self.books.values()
            if not book.is_private and (named is None or book.title == named.group(2))
        ]
        return {"kind": "drive#fileList", "files": files}


def _handler_for(server: SheetsServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # Headers and body go out in two writes: without this, Nagle's algorithm
            # and delayed ACKs add 40 ms to every request on loopback.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            bytes_in = len(self.requestline) + 2 + len(str(self.headers)) + len(body)
            try:
                status, headers, data = server.handle(
                    self.command,
                    self.path,
                    body,
                    bytes_in,
                    self.headers.get("Authorization", ""),
                    self.headers.get("Content-Type", ""),
                )
            except Exception as exc:  # a server bug must answer, not hang the test
                status, headers = 500, {"Content-Type": "application/json"}
                data = json.dumps(
                    {"error": {"code": 500, "message": repr(exc), "status": "INTERNAL"}}
                ).encode()
            try:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

        def log_message(self, format: str, *args: Any) -> None:
            return None

    return Handler
