"""In-memory spreadsheets of the local Sheets API server: sheets, cells, formats.

A cell holds what Google keeps: the effective value (number, text or bool), the
formula it came from, its user-entered format and a note. Values go in as RAW or
USER_ENTERED and come out as FORMATTED_VALUE, UNFORMATTED_VALUE or FORMULA.
"""

from __future__ import annotations

import copy
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from .a1 import RangeError, Span, parse_cells, quote_title, split_range

EPOCH = date(1899, 12, 30)
Scalar = float | int | str | bool


class ApiError(Exception):
    """An error the API answers with: status, message and the google.rpc status."""

    STATUS: ClassVar[dict[int, str]] = {
        400: "INVALID_ARGUMENT",
        403: "PERMISSION_DENIED",
        404: "NOT_FOUND",
    }

    def __init__(self, code: int, message: str, details: list[Any] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {
            "code": self.code,
            "message": self.message,
            "status": self.STATUS.get(self.code, "UNKNOWN"),
        }
        if self.details:
            error["details"] = self.details
        return {"error": error}


@dataclass(slots=True)
class Cell:
    value: Scalar | None = None
    formula: str | None = None
    fmt: dict[str, Any] = field(default_factory=dict)
    note: str | None = None

    @property
    def is_empty(self) -> bool:
        return self.value is None and self.formula is None


@dataclass(slots=True)
class Sheet:
    sheet_id: int
    title: str
    rows: int = 1000
    cols: int = 26
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    props: dict[str, Any] = field(default_factory=dict)
    frozen_rows: int = 0
    frozen_cols: int = 0
    # Other grid properties set (hideGridlines...); false ones are left out.
    grid_extra: dict[str, Any] = field(default_factory=dict)
    col_widths: dict[int, int] = field(default_factory=dict)
    # Data validation rules by grid range (row0, row1, col0, col1); the last one wins.
    # They do not move when rows are inserted: enough for the tests that read them.
    validations: list[tuple[tuple[int, int, int, int], dict[str, Any] | None]] = field(
        default_factory=list
    )

    def validation_at(self, row: int, col: int) -> dict[str, Any] | None:
        for (row0, row1, col0, col1), rule in reversed(self.validations):
            if row0 <= row < row1 and col0 <= col < col1:
                return rule
        return None

    def clone(self) -> Sheet:
        cells = {
            key: Cell(c.value, c.formula, _copy_json(c.fmt) if c.fmt else {}, c.note)
            for key, c in self.cells.items()
        }
        return Sheet(
            self.sheet_id,
            self.title,
            self.rows,
            self.cols,
            cells,
            copy.deepcopy(self.props),
            self.frozen_rows,
            self.frozen_cols,
            dict(self.grid_extra),
            dict(self.col_widths),
            list(self.validations),
        )

    def cell(self, row: int, col: int) -> Cell:
        found = self.cells.get((row, col))
        if found is None:
            found = self.cells[(row, col)] = Cell()
        return found

    def last_row_with_anything(self) -> int:
        """Rows up to the last one with a value, a note or a format."""
        return 1 + max((r for r, _ in self.cells), default=-1)

    def used_rows(self) -> int:
        return 1 + max(
            (r for (r, _), c in self.cells.items() if not c.is_empty), default=-1
        )

    def properties(self, index: int) -> dict[str, Any]:
        grid: dict[str, Any] = {"rowCount": self.rows, "columnCount": self.cols}
        if self.frozen_rows:
            grid["frozenRowCount"] = self.frozen_rows
        if self.frozen_cols:
            grid["frozenColumnCount"] = self.frozen_cols
        grid.update(self.grid_extra)
        props: dict[str, Any] = {
            "sheetId": self.sheet_id,
            "title": self.title,
            "index": index,
            "sheetType": "GRID",
            "gridProperties": grid,
        }
        props.update(copy.deepcopy(self.props))
        return props

    # Structural edits, as a person (or insertDimension/deleteDimension) makes them.
    def insert_rows(self, at: int, count: int = 1) -> None:
        self._shift(0, at, count)
        self.rows += count

    def delete_rows(self, start: int, end: int) -> None:
        self._shift(0, end, start - end)
        self.rows -= end - start

    def insert_columns(self, at: int, count: int = 1) -> None:
        self._shift(1, at, count)
        self.cols += count

    def delete_columns(self, start: int, end: int) -> None:
        self._shift(1, end, start - end)
        self.cols -= end - start

    def _shift(self, axis: int, start: int, delta: int) -> None:
        moved: dict[tuple[int, int], Cell] = {}
        for key, value in self.cells.items():
            pos = key[axis]
            if delta < 0 and start + delta <= pos < start:
                continue  # deleted
            if pos >= start:
                key = (pos + delta, key[1]) if axis == 0 else (key[0], pos + delta)
            moved[key] = value
        self.cells = moved

    def sort_rows(
        self, row0: int, row1: int, col0: int, col1: int, specs: list[tuple[int, bool]]
    ) -> None:
        """Sort rows [row0, row1) by (column, ascending) keys; blanks last."""
        rows = [
            {c: self.cells[(r, c)] for c in range(col0, col1) if (r, c) in self.cells}
            for r in range(row0, row1)
        ]
        for column, ascending in reversed(specs):
            rows.sort(
                key=lambda cells, c=column: _sort_key(cells.get(c)),  # type: ignore[misc]
                reverse=not ascending,
            )
            # Blank cells stay at the end whichever the direction, as in Sheets.
            rows.sort(key=lambda cells, c=column: _is_blank(cells.get(c)))  # type: ignore[misc]
        for r in range(row0, row1):
            for c in range(col0, col1):
                self.cells.pop((r, c), None)
        for offset, cells in enumerate(rows):
            for c, value in cells.items():
                self.cells[(row0 + offset, c)] = value

    def grid_span(
        self, span: Span, *, a1: str, check: bool = True
    ) -> tuple[int, int, int, int]:
        row0 = span.row0 or 0
        col0 = span.col0 or 0
        row1 = span.row1 if span.row1 is not None else self.rows
        col1 = span.col1 if span.col1 is not None else self.cols
        if check and (
            row1 > self.rows
            or col1 > self.cols
            or row0 >= self.rows
            or col0 >= self.cols
        ):
            raise ApiError(
                400,
                f"Range ({quote_title(self.title)}!{a1}) exceeds grid limits. "
                "Max rows: "
                f"{self.rows}, max columns: {self.cols}",
            )
        return row0, row1, col0, col1


def _copy_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy_json(v) for v in value]
    return value


def _is_blank(cell: Cell | None) -> bool:
    return cell is None or cell.is_empty


def _sort_key(cell: Cell | None) -> tuple[int, Any]:
    value = None if cell is None else cell.value
    if isinstance(value, bool):
        return (2, value)
    if isinstance(value, int | float):
        return (0, value)
    return (1, str(value or "").casefold())


@dataclass(slots=True)
class Spreadsheet:
    spreadsheet_id: str
    title: str
    sheets: list[Sheet] = field(default_factory=list)
    props: dict[str, Any] = field(default_factory=dict)
    created: str = ""
    modified: str = ""
    is_private: bool = False
    # Set on a working copy for a batchUpdate: sheets are cloned when first touched.
    cloned: set[int] | None = None

    def fork(self) -> Spreadsheet:
        """A working copy whose sheets are copied on first access by id."""
        return Spreadsheet(
            self.spreadsheet_id,
            self.title,
            list(self.sheets),
            copy.deepcopy(self.props),
            self.created,
            self.modified,
            self.is_private,
            set(),
        )

    def sheet(self, title: str) -> Sheet:
        for sheet in self.sheets:
            if sheet.title == title:
                return sheet
        raise KeyError(title)

    def by_id(self, sheet_id: int) -> Sheet:
        for position, sheet in enumerate(self.sheets):
            if sheet.sheet_id == sheet_id:
                if self.cloned is not None and sheet_id not in self.cloned:
                    sheet = self.sheets[position] = sheet.clone()
                    self.cloned.add(sheet_id)
                return sheet
        raise ApiError(400, f"No grid with id: {sheet_id}")

    def new_sheet_id(self) -> int:
        taken = {s.sheet_id for s in self.sheets}
        while True:
            candidate = secrets.randbelow(2_000_000_000) + 1
            if candidate not in taken:
                return candidate

    def resolve(
        self, text: str, *, check: bool = True
    ) -> tuple[Sheet, tuple[int, int, int, int]]:
        """The sheet and closed grid span an A1 range names (first sheet if none)."""
        try:
            title, cells = split_range(text)
            if title is None:
                # "Sheet1" alone is a whole sheet; "A1:B2" is on the first sheet.
                match = [s for s in self.sheets if s.title == text]
                if match:
                    sheet, cells = match[0], ""
                else:
                    sheet = self.sheets[0]
            else:
                sheet = self.sheet(title)
            span = parse_cells(cells)
        except (RangeError, KeyError) as exc:
            raise ApiError(400, f"Unable to parse range: {text}") from exc
        return sheet, sheet.grid_span(span, a1=cells or "A1", check=check)

    def touch(self) -> None:
        self.modified = now_rfc3339()


def now_rfc3339() -> str:
    return (
        datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{datetime.now(UTC).microsecond // 1000:03d}Z"
    )


def new_spreadsheet_id() -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
    return "1" + "".join(secrets.choice(alphabet) for _ in range(43))
