"""Endpoint plumbing of the local server: routing paths, value ranges, Drive files."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import unquote

from .a1 import format_range
from .model import EPOCH, ApiError, Sheet, Spreadsheet
from .values import (
    DURATION,
    TIME_OF_DAY,
    evaluate,
    parse_user_entered,
    write_values,
)

SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"


def table_under(
    sheet: Sheet, row0: int, col0: int, col1: int
) -> tuple[int, int, int, int] | None:
    """(first row, last row, first column, end column) of the table an append to a
    range finds, or None.

    As Google finds it: the rows holding anything from the range's first row down to
    the first blank row (a blank row ends the table); its columns are the last run of
    filled cells in its last row, grown upwards over the rows that touch it. When the
    range's first row is blank there is no table, and the append writes there rather
    than below a table further down.
    """
    filled: dict[int, set[int]] = {}
    for (r, c), cell in sheet.cells.items():
        if r >= row0 and col0 <= c < col1 and not cell.is_empty:
            filled.setdefault(r, set()).add(c)
    if row0 not in filled:
        return None
    last = row0
    while last + 1 in filled:
        last += 1
    columns = sorted(filled[last])
    end = columns[-1]
    start = end
    while start - 1 in filled[last]:
        start -= 1
    first = last
    while first - 1 in filled and any(start <= c <= end for c in filled[first - 1]):
        first -= 1
    return first, last, start, end + 1


def drive_file(book: Spreadsheet, fields: str) -> dict[str, Any]:
    full = {
        "kind": "drive#file",
        "id": book.spreadsheet_id,
        "name": book.title,
        "mimeType": SPREADSHEET_MIME,
        "createdTime": book.created,
        "modifiedTime": book.modified,
        "webViewLink": (
            f"https://docs.google.com/spreadsheets/d/{book.spreadsheet_id}"
            "/edit?usp=drivesdk"
        ),
    }
    wanted = [f.strip() for f in fields.split(",") if f.strip()]
    return {k: v for k, v in full.items() if k in wanted}


def value_range(rng: str, major: str, rows: list[list[Any]]) -> dict[str, Any]:
    reply: dict[str, Any] = {"range": rng, "majorDimension": major}
    if rows:
        reply["values"] = rows
    return reply


def update(
    book: Spreadsheet, a1: str, payload: Any, one: Mapping[str, str]
) -> dict[str, Any]:
    input_option = one.get("valueInputOption")
    if input_option not in ("RAW", "USER_ENTERED"):
        raise ApiError(400, "'valueInputOption' is required but not specified")
    sheet, bounds = book.resolve(a1, check=False)
    cells = a1.rpartition("!")[2] if "!" in a1 else ""
    is_open = ":" not in cells
    return write_values(
        sheet,
        bounds,
        payload.get("values", []),
        user_entered=input_option == "USER_ENTERED",
        major=payload.get("majorDimension") or "ROWS",
        a1=a1,
        is_open=is_open,
    )


def clear(book: Spreadsheet, a1: str) -> str:
    sheet, (row0, row1, col0, col1) = book.resolve(a1)
    for key in [k for k in sheet.cells if row0 <= k[0] < row1 and col0 <= k[1] < col1]:
        cell = sheet.cells[key]
        cell.value, cell.formula = None, None
        if not cell.fmt and cell.note is None:
            del sheet.cells[key]
    book.touch()
    return format_range(sheet.title, row0, row1, col0, col1)


def unimplemented(what: str) -> dict[str, Any]:
    return {
        "error": {
            "code": 501,
            "message": f"Not implemented by the local Sheets API server: {what}",
            "status": "UNIMPLEMENTED",
        }
    }


def route(method: str, path: str) -> tuple[str, list[str]]:
    """The endpoint name and its path arguments (spreadsheet id, range)."""
    segments = path.strip("/").split("/")
    if segments[:4] == ["upload", "drive", "v3", "files"]:
        if len(segments) == 4 and method == "POST":
            return "drive.upload.create", []
        if len(segments) == 5 and method in ("PATCH", "PUT"):
            return "drive.upload.update", [unquote(segments[4])]
        return "upload.other", []
    if segments[:2] == ["drive", "v3"] and segments[2:3] == ["files"]:
        rest = [unquote(s) for s in segments[3:]]
        if not rest:
            return {"POST": "drive.files.create", "GET": "drive.files.list"}.get(
                method, "drive.other"
            ), []
        if len(rest) == 1:
            kind = {"GET": "drive.files.get", "DELETE": "drive.files.delete"}.get(
                method, "drive.other"
            )
            return kind, rest
        return "drive." + "/".join(rest[1:]), rest[:1]
    if segments[:2] != ["v4", "spreadsheets"]:
        return "unknown", []
    rest = segments[2:]
    if not rest:
        return ("spreadsheets.create" if method == "POST" else "unknown"), []
    head = unquote(rest[0])
    if len(rest) == 1:
        book_id, _, verb = head.partition(":")
        if verb == "batchUpdate" and method == "POST":
            return "spreadsheets.batchUpdate", [book_id]
        if not verb and method == "GET":
            return "spreadsheets.get", [book_id]
        return f"spreadsheets.{verb or method.lower()}", [book_id]
    if rest[1].startswith("values"):
        if len(rest) == 2:
            verb = rest[1].partition(":")[2]
            return f"values.{verb}", [head]
        raw = "/".join(rest[2:])
        for suffix, name in ((":append", "values.append"), (":clear", "values.clear")):
            if raw.endswith(suffix) and method == "POST":
                return name, [head, unquote(raw[: -len(suffix)])]
        name = {"GET": "values.get", "PUT": "values.update"}.get(method, "values.other")
        return name, [head, unquote(raw)]
    return "spreadsheets." + "/".join(rest[1:]), [head]


def put_rows(sheet: Sheet, row0: int, rows: Sequence[Sequence[Any]]) -> None:
    """Fill cells from Python values as a person would have typed them."""
    for r, line in enumerate(rows):
        for c, value in enumerate(line):
            if value is None or value == "":
                sheet.cells.pop((row0 + r, c), None)
                continue
            cell = sheet.cell(row0 + r, c)
            cell.formula = None
            if isinstance(value, datetime):
                delta = value - datetime(1899, 12, 30)
                cell.value = delta.days + delta.seconds / 86400
                cell.fmt["numberFormat"] = {
                    "type": "DATE_TIME",
                    "pattern": "yyyy-mm-dd hh:mm",
                }
            elif isinstance(value, date):
                cell.value = (value - EPOCH).days
                cell.fmt["numberFormat"] = {"type": "DATE", "pattern": "yyyy-mm-dd"}
            elif isinstance(value, time | timedelta):
                # Typed as 8:30 (a time of day), or into a Duration column ([h]:mm).
                cell.value = parse_user_entered(_clock_text(value))[0]
                cell.fmt["numberFormat"] = dict(
                    TIME_OF_DAY if isinstance(value, time) else DURATION
                )
            elif isinstance(value, Decimal):
                cell.value = (
                    int(value) if value == value.to_integral_value() else float(value)
                )
            elif isinstance(value, str) and value.startswith("="):
                cell.formula, cell.value = value, evaluate(value)
            else:
                cell.value = value


def _clock_text(value: time | timedelta) -> str:
    """8:30:00 for a time of day, 25:30:00 for a duration: what a person types."""
    if isinstance(value, time):
        return f"{value.hour}:{value.minute:02d}:{value.second:02d}"
    seconds = int(value.total_seconds())
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
