"""The bodies of sheetbill's two write requests: cell values, and tabs and formats.

Values go in one values.batchUpdate (RAW, explicit A1 ranges, cells of a row merged
into runs and runs of consecutive rows into blocks). New tabs, grid growth and number
formats go in one spreadsheets.batchUpdate. Both grow with the data, not in number.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from sheetbill.domain.sheet import CellWrite, ColumnFormat, TabSpec, money_decimals
from sheetbill.workbook.google.cells import NUMBER_FORMATS, api_value

DEFAULT_ROWS = 1000
DEFAULT_COLUMNS = 26
# Excel's column width is in characters of the default font; Sheets' is in pixels.
PIXELS_PER_CHARACTER = 7
_FORMATTED_NUMBERS = (ColumnFormat.MONEY, ColumnFormat.NUMBER, ColumnFormat.INTEGER)


def quote_title(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def a1(row: int, column: int) -> str:
    letters = ""
    index = column + 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


def value_ranges(tab: str, writes: Sequence[CellWrite]) -> list[dict[str, Any]]:
    """ValueRanges for one tab's writes: explicit ranges, rows merged into blocks."""
    cells: dict[tuple[int, int], Any] = {}
    for write in writes:
        cells[(write.row, write.column)] = api_value(write.value)[0]
    runs: list[tuple[int, int, list[Any]]] = []
    for (row, column), value in sorted(cells.items()):
        if runs and runs[-1][0] == row and runs[-1][1] + len(runs[-1][2]) == column:
            runs[-1][2].append(value)
        else:
            runs.append((row, column, [value]))
    blocks: list[tuple[int, int, list[list[Any]]]] = []
    for row, column, values in runs:
        if blocks:
            first_row, first_column, rows = blocks[-1]
            if (
                first_column == column
                and first_row + len(rows) == row
                and len(rows[0]) == len(values)
            ):
                rows.append(values)
                continue
        blocks.append((row, column, [values]))
    title = quote_title(tab)
    return [
        {
            "range": f"{title}!{a1(row, column)}:"
            f"{a1(row + len(rows) - 1, column + len(rows[0]) - 1)}",
            "majorDimension": "ROWS",
            "values": rows,
        }
        for row, column, rows in blocks
    ]


def format_requests(
    sheet_id: int, writes: Sequence[CellWrite], formats: Mapping[int, ColumnFormat]
) -> list[dict[str, Any]]:
    """Number formats for written cells: dates always, numbers as the column says."""
    rows_by_format: dict[tuple[int, str], list[int]] = defaultdict(list)
    for write in writes:
        _, number_format = api_value(write.value)
        column_format = formats.get(write.column)
        if (
            number_format is None
            and isinstance(write.value, Decimal)
            and column_format in _FORMATTED_NUMBERS
        ):
            number_format = NUMBER_FORMATS[column_format]
            if column_format is ColumnFormat.MONEY:
                # An amount shows its currency's minor units (JPY 0, KWD 3).
                decimals = money_decimals(write.value)
                pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
                number_format = {"type": "NUMBER", "pattern": pattern}
        if number_format is not None:
            key = (write.column, json.dumps(number_format, sort_keys=True))
            rows_by_format[key].append(write.row)
    requests = []
    for (column, encoded), rows in sorted(rows_by_format.items()):
        for first, last in _runs(rows):
            requests.append(
                _repeat_format(sheet_id, first - 1, last, column, json.loads(encoded))
            )
    wrapped: dict[int, list[int]] = defaultdict(list)
    for write in writes:
        if formats.get(write.column) is ColumnFormat.WRAPPED_TEXT:
            wrapped[write.column].append(write.row)
    for column, rows in sorted(wrapped.items()):
        for first, last in _runs(rows):
            requests.append(_wrap(sheet_id, first - 1, last, column))
    return requests


def grow_requests(
    sheet_id: int, grid_rows: int, grid_columns: int, writes: Iterable[CellWrite]
) -> list[dict[str, Any]]:
    """appendDimension when writes reach past the grid (the API refuses those)."""
    rows = max((w.row for w in writes), default=0)
    columns = max((w.column + 1 for w in writes), default=0)
    requests = []
    if rows > grid_rows:
        requests.append(_append(sheet_id, "ROWS", rows - grid_rows))
    if columns > grid_columns:
        requests.append(_append(sheet_id, "COLUMNS", columns - grid_columns))
    return requests


def new_tab_requests(
    spec: TabSpec, *, sheet_id: int, index: int, rows: int
) -> list[dict[str, Any]]:
    """addSheet with bold frozen headers, widths, number formats and dropdowns."""
    columns = max(DEFAULT_COLUMNS, len(spec.columns))
    requests: list[dict[str, Any]] = [
        {
            "addSheet": {
                "properties": {
                    "sheetId": sheet_id,
                    "title": spec.name,
                    "index": index,
                    "gridProperties": {
                        "rowCount": rows,
                        "columnCount": columns,
                        "frozenRowCount": 1,
                    },
                }
            }
        },
        {
            "updateCells": {
                "start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0},
                "rows": [
                    {
                        "values": [
                            {
                                "userEnteredValue": {"stringValue": column.header},
                                "userEnteredFormat": {"textFormat": {"bold": True}},
                            }
                            for column in spec.columns
                        ]
                    }
                ],
                "fields": "userEnteredValue,userEnteredFormat.textFormat.bold",
            }
        },
    ]
    for position, column in enumerate(spec.columns):
        requests.append(
            _repeat_format(sheet_id, 1, rows, position, NUMBER_FORMATS[column.format])
        )
        if column.format is ColumnFormat.WRAPPED_TEXT:
            requests.append(_wrap(sheet_id, 1, rows, position))
        requests.append(
            {
                "updateDimensionProperties": {
                    "range": {
                        "sheetId": sheet_id,
                        "dimension": "COLUMNS",
                        "startIndex": position,
                        "endIndex": position + 1,
                    },
                    "properties": {
                        "pixelSize": round(column.width * PIXELS_PER_CHARACTER)
                    },
                    "fields": "pixelSize",
                }
            }
        )
        if column.choices:
            requests.append(
                {
                    "setDataValidation": {
                        "range": _grid(sheet_id, 1, rows, position),
                        "rule": {
                            "condition": {
                                "type": "ONE_OF_LIST",
                                "values": [
                                    {"userEnteredValue": c} for c in column.choices
                                ],
                            },
                            "showCustomUi": True,
                            # A value outside the list is warned about, not refused:
                            # people type "Yes" and sheetbill reads it fine.
                            "strict": False,
                        },
                    }
                }
            )
    return requests


def _repeat_format(
    sheet_id: int, row0: int, row1: int, column: int, number_format: dict[str, str]
) -> dict[str, Any]:
    return {
        "repeatCell": {
            "range": _grid(sheet_id, row0, row1, column),
            "cell": {"userEnteredFormat": {"numberFormat": number_format}},
            "fields": "userEnteredFormat.numberFormat",
        }
    }


def _wrap(sheet_id: int, row0: int, row1: int, column: int) -> dict[str, Any]:
    """Text wrapped at the column's width (a long message read whole)."""
    return {
        "repeatCell": {
            "range": _grid(sheet_id, row0, row1, column),
            "cell": {"userEnteredFormat": {"wrapStrategy": "WRAP"}},
            "fields": "userEnteredFormat.wrapStrategy",
        }
    }


def _grid(sheet_id: int, row0: int, row1: int, column: int) -> dict[str, int]:
    return {
        "sheetId": sheet_id,
        "startRowIndex": row0,
        "endRowIndex": row1,
        "startColumnIndex": column,
        "endColumnIndex": column + 1,
    }


def _append(sheet_id: int, dimension: str, length: int) -> dict[str, Any]:
    return {
        "appendDimension": {
            "sheetId": sheet_id,
            "dimension": dimension,
            "length": length,
        }
    }


def _runs(rows: Iterable[int]) -> list[tuple[int, int]]:
    """Consecutive row numbers as (first, last) pairs."""
    runs: list[tuple[int, int]] = []
    for row in sorted(set(rows)):
        if runs and runs[-1][1] + 1 == row:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs
