"""In-memory spreadsheets of the local Sheets API server: sheets, cells, formats.

A cell holds what Google keeps: the effective value (number, text or bool), the
formula it came from, its user-entered format and a note. Values go in as RAW or
USER_ENTERED and come out as FORMATTED_VALUE, UNFORMATTED_VALUE or FORMULA.
"""

from __future__ import annotations

import ast
import copy
import itertools
import operator
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar

from .a1 import RangeError, Span, format_range, parse_cells, quote_title, split_range

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


# --- values in ------------------------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def write_cell(cell: Cell, raw: Any, *, user_entered: bool) -> None:
    """Store one value of a values.update body in `cell`."""
    if raw is None:
        return  # null leaves the cell as it is
    cell.formula = None
    if isinstance(raw, bool | int | float):
        cell.value = raw
        return
    text = str(raw)
    if text == "":
        cell.value = None
        return
    if not user_entered:
        cell.value = text
        return
    cell.value, formula, number_format = parse_user_entered(text)
    cell.formula = formula
    if number_format is not None:
        cell.fmt["numberFormat"] = number_format


def parse_user_entered(
    text: str,
) -> tuple[Scalar | None, str | None, dict[str, str] | None]:
    """What Sheets makes of typed text: formula, bool, number, percent, date, text."""
    if text.startswith("'"):
        return text[1:], None, None
    if text.startswith("=") and len(text) > 1:
        return evaluate(text), text, None
    stripped = text.strip()
    if stripped.upper() in ("TRUE", "FALSE"):
        return stripped.upper() == "TRUE", None, None
    if _NUMBER.match(stripped):
        return _number(float(stripped)), None, None
    if _GROUPED.match(stripped):
        decimals = len(stripped.partition(".")[2])
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return (
            _number(float(stripped.replace(",", ""))),
            None,
            {"type": "NUMBER", "pattern": pattern},
        )
    if stripped.endswith("%") and _NUMBER.match(stripped[:-1].strip()):
        return float(stripped[:-1]) / 100, None, {"type": "PERCENT", "pattern": "0%"}
    for regex, order, pattern in (
        (_ISO_DATE, "ymd", "yyyy-mm-dd"),
        (_US_DATE, "mdy", "M/d/yyyy"),
    ):
        match = regex.match(stripped)
        if match:
            parts = dict(zip(order, (int(g) for g in match.groups()), strict=True))
            try:
                day = date(parts["y"], parts["m"], parts["d"])
            except ValueError:
                break
            return (day - EPOCH).days, None, {"type": "DATE", "pattern": pattern}
    return text, None, None


def _number(value: float) -> float | int:
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


_OPS: dict[type, Callable[..., Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}


def evaluate(formula: str) -> Scalar:
    """Arithmetic formulas only (=1+1, = 1 / 1024); anything else is #NAME?."""
    try:
        tree = ast.parse(formula[1:].strip(), mode="eval")
        return _number(float(_eval(tree.body)))
    except (SyntaxError, ValueError, ZeroDivisionError, TypeError, KeyError):
        return "#NAME?"


def _eval(node: ast.AST) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.BinOp):
        return float(_OPS[type(node.op)](_eval(node.left), _eval(node.right)))
    if isinstance(node, ast.UnaryOp):
        return float(_OPS[type(node.op)](_eval(node.operand)))
    raise ValueError("unsupported")


# --- values out -----------------------------------------------------------------------


def render(cell: Cell | None, *, option: str, dates: str) -> Any:
    """One cell's value under a valueRenderOption and dateTimeRenderOption."""
    if cell is None or cell.is_empty:
        return ""
    if option == "FORMULA" and cell.formula is not None:
        return cell.formula
    value = cell.value
    if value is None:
        return ""
    if option in ("UNFORMATTED_VALUE", "FORMULA"):
        number_type = cell.fmt.get("numberFormat", {}).get("type", "")
        if (
            dates == "FORMATTED_STRING"
            and number_type in ("DATE", "TIME", "DATE_TIME")
            and isinstance(value, int | float)
            and not isinstance(value, bool)
        ):
            return format_value(cell)
        return value
    return format_value(cell)


def format_value(cell: Cell) -> str:
    """The text Sheets shows for a cell, for the number formats sheetbill uses."""
    value = cell.value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str) or value is None:
        return value or ""
    number_format = cell.fmt.get("numberFormat", {})
    kind = number_format.get("type", "")
    pattern = number_format.get("pattern", "")
    if kind in ("DATE", "DATE_TIME", "TIME"):
        return format_date(
            value,
            pattern
            or {"DATE": "yyyy-mm-dd", "TIME": "h:mm:ss"}.get(
                kind, "yyyy-mm-dd h:mm:ss"
            ),
        )
    if kind == "PERCENT":
        decimals = len(pattern.partition(".")[2].rstrip("%"))
        return f"{value * 100:.{decimals}f}%"
    if kind in ("NUMBER", "CURRENCY") and pattern and pattern.lower() != "general":
        body = pattern.split(";")[0]
        decimals = len(re.sub(r"[^0#]", "", body.partition(".")[2]))
        grouped = "," in body.partition(".")[0]
        text = f"{value:,.{decimals}f}" if grouped else f"{value:.{decimals}f}"
        if "#" in body.partition(".")[2]:
            text = text.rstrip("0").rstrip(".") if "." in text else text
        return text
    return general(value)


def general(value: float | int) -> str:
    if isinstance(value, int) or (float(value).is_integer() and abs(value) < 1e15):
        return str(int(value))
    text = repr(float(value))
    if "e" in text:
        mantissa, _, exponent = text.partition("e")
        return f"{float(mantissa):.2f}E{int(exponent):+03d}"
    return text


def format_date(serial: float, pattern: str) -> str:
    moment = datetime(1899, 12, 30) + timedelta(days=float(serial))
    moment = moment.replace(microsecond=0) + timedelta(
        seconds=round(moment.microsecond / 1e6)
    )
    tokens = re.findall(
        r"yyyy|yy|mm|m|MM|M|dd|d|hh|h|HH|H|ss|s|[^a-zA-Z]+|[a-zA-Z]+", pattern
    )
    out = []
    seen_hour = False
    for token in tokens:
        low = token.lower()
        if low == "yyyy":
            out.append(f"{moment.year:04d}")
        elif low == "yy":
            out.append(f"{moment.year % 100:02d}")
        elif low in ("mm", "m"):
            number = moment.minute if seen_hour else moment.month
            out.append(f"{number:02d}" if low == "mm" else str(number))
        elif low in ("dd", "d"):
            out.append(f"{moment.day:02d}" if low == "dd" else str(moment.day))
        elif low in ("hh", "h"):
            seen_hour = True
            out.append(f"{moment.hour:02d}" if low == "hh" else str(moment.hour))
        elif low in ("ss", "s"):
            out.append(f"{moment.second:02d}" if low == "ss" else str(moment.second))
        else:
            out.append(token)
    return "".join(out)


def read_values(
    sheet: Sheet,
    bounds: tuple[int, int, int, int],
    *,
    option: str,
    dates: str,
    major: str,
) -> tuple[str, list[list[Any]]]:
    """The range's values as the API returns them: trailing blanks trimmed."""
    row0, row1, col0, col1 = bounds
    grid = [
        [
            render(sheet.cells.get((r, c)), option=option, dates=dates)
            for c in range(col0, col1)
        ]
        for r in range(row0, min(row1, row0 + max(0, sheet.used_rows() - row0)))
    ]
    if major == "COLUMNS":
        grid = (
            [list(column) for column in itertools.zip_longest(*grid, fillvalue="")]
            if grid
            else []
        )
    trimmed = [_trim(line) for line in grid]
    while trimmed and not trimmed[-1]:
        trimmed.pop()
    return format_range(sheet.title, row0, row1, col0, col1), trimmed


def _trim(line: list[Any]) -> list[Any]:
    end = len(line)
    while end and line[end - 1] == "":
        end -= 1
    return line[:end]


def write_values(
    sheet: Sheet,
    bounds: tuple[int, int, int, int],
    values: Any,
    *,
    user_entered: bool,
    major: str,
    a1: str,
    is_open: bool,
) -> dict[str, Any]:
    """Write a values.update body; the reply's updatedRange/Rows/Columns/Cells."""
    if not isinstance(values, list) or not all(isinstance(v, list) for v in values):
        shown = values if isinstance(values, str) else str(values)
        message = (
            "Invalid value at 'data.values' "
            "(type.googleapis.com/google.protobuf.ListValue), "
            f'"{shown}"'
        )
        raise ApiError(
            400,
            message,
            [
                {
                    "@type": "type.googleapis.com/google.rpc.BadRequest",
                    "fieldViolations": [
                        {"field": "data.values", "description": message}
                    ],
                }
            ],
        )
    grid: list[list[Any]] = values
    if major == "COLUMNS":
        grid = (
            [list(r) for r in itertools.zip_longest(*values, fillvalue=None)]
            if values
            else []
        )
    row0, row1, col0, col1 = bounds
    height = len(grid)
    width = max((len(r) for r in grid), default=0)
    if not is_open:
        if height > row1 - row0:
            raise ApiError(
                400,
                f"Requested writing within range [{a1}], but tried writing to row "
                f"[{row0 + height}]",
            )
        if width > col1 - col0:
            raise ApiError(
                400,
                f"Requested writing within range [{a1}], but tried writing to column "
                f"[{_letters(col0 + width)}]",
            )
    if row0 + height > sheet.rows or col0 + width > sheet.cols:
        last = format_range(
            sheet.title, row0, row0 + max(height, 1), col0, col0 + max(width, 1)
        ).split("!")[1]
        raise ApiError(
            400,
            f"Range ({quote_title(sheet.title)}!{last}) exceeds grid limits. "
            f"Max rows: {sheet.rows}, max columns: {sheet.cols}",
        )
    cells = 0
    rows_written: set[int] = set()
    columns_written: set[int] = set()
    for r, line in enumerate(grid):
        for c, raw in enumerate(line):
            if raw is None:
                continue  # null leaves the cell alone and is not counted
            rows_written.add(r)
            columns_written.add(c)
            cell = sheet.cell(row0 + r, col0 + c)
            write_cell(cell, raw, user_entered=user_entered)
            if cell.is_empty and not cell.fmt and cell.note is None:
                del sheet.cells[(row0 + r, col0 + c)]
            cells += 1
    if not height or not width:
        return {
            "updatedRange": format_range(sheet.title, row0, row0 + 1, col0, col0 + 1)
        }
    return {
        "updatedRange": format_range(
            sheet.title, row0, row0 + height, col0, col0 + width
        ),
        "updatedRows": len(rows_written),
        "updatedColumns": len(columns_written),
        "updatedCells": cells,
    }


def _letters(index_plus_one: int) -> str:
    from .a1 import column_letters

    return column_letters(index_plus_one - 1)
