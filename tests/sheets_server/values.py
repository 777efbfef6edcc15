"""Cell values of the local server: RAW and USER_ENTERED input, rendered output.

What Sheets makes of typed text (numbers, dates, percentages, formulas), how it shows a
number under a format, and the values.get/values.update semantics: trailing blanks
trimmed, majorDimension, grid limits, null cells left alone.
"""

from __future__ import annotations

import ast
import itertools
import operator
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from .a1 import column_letters, format_range, quote_title
from .model import EPOCH, ApiError, Cell, Scalar, Sheet

# --- values in ------------------------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
# 8:30, 8:30:15, 8:30 pm, 25:30 (a duration past a day).
_CLOCK = re.compile(r"^(\d+):([0-5]\d)(?::([0-5]\d))?(?:\s*([AaPp][Mm]))?$")
# What an en_US sheet gives a typed time of day, and a duration of a day or more.
TIME_OF_DAY = {"type": "TIME", "pattern": "h:mm:ss am/pm"}
DURATION = {"type": "TIME", "pattern": "[h]:mm:ss"}


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
    kept = cell.fmt.get("numberFormat", {}).get("type")
    # A cell already formatted for that kind of value keeps its format (8:30 typed
    # into a Duration column stays a duration).
    if number_format is not None and number_format.get("type") != kept:
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
    clock = _CLOCK.match(stripped)
    if clock:
        return _clock(text, *clock.groups())
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


def _clock(
    text: str, hours_text: str, minutes: str, seconds: str | None, half: str | None
) -> tuple[Scalar, None, dict[str, str] | None]:
    """A typed time as Sheets stores it: a fraction of a day (8:30 is 0.3541666…)
    under a time format; from 24 hours on, a duration ([h]:mm:ss)."""
    hours = int(hours_text)
    if half is not None:
        if not 1 <= hours <= 12:
            return text, None, None
        hours = hours % 12 + (12 if half.lower() == "pm" else 0)
    total = hours * 3600 + int(minutes) * 60 + int(seconds or 0)
    number_format = TIME_OF_DAY if hours < 24 else DURATION
    return _number(total / 86400), None, dict(number_format)


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
    """A serial number under a date/time pattern: yyyy, m, d, h, mm, ss, am/pm, [h]."""
    moment = datetime(1899, 12, 30) + timedelta(days=float(serial))
    moment = moment.replace(microsecond=0) + timedelta(
        seconds=round(moment.microsecond / 1e6)
    )
    tokens = re.findall(
        r"\[h+\]|am/pm|AM/PM|yyyy|yy|mm|m|MM|M|dd|d|hh|h|HH|H|ss|s|[^a-zA-Z\[]+"
        r"|[a-zA-Z\[]+",
        pattern,
    )
    twelve = any(t.lower() == "am/pm" for t in tokens)
    out = []
    seen_hour = False
    for token in tokens:
        low = token.lower()
        if low.startswith("[h"):
            seen_hour = True
            elapsed = round(float(serial) * 86400) // 3600
            out.append(f"{elapsed:0{len(token) - 2}d}")
        elif low == "am/pm":
            out.append("PM" if moment.hour >= 12 else "AM")
        elif low == "yyyy":
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
            hour = (moment.hour % 12 or 12) if twelve else moment.hour
            out.append(f"{hour:02d}" if low == "hh" else str(hour))
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
    return column_letters(index_plus_one - 1)
