"""Which number cells a Google Sheet shows as a date, a time or a duration.

Read with UNFORMATTED_VALUE, 8:30 typed into a cell arrives as 0.3541666… (a fraction
of a day) and a duration of 25:30 as 1.0625: the value alone does not tell them from
numbers. Their number formats come in one spreadsheets.get, asked only for the columns
that hold numbers (as blocks of adjacent columns, each from its first to its last row
holding a number) and masked down to each cell's format type, so a 10,000-row tab
costs no more requests than a 10-row one. The Excel reader needs none of this: the
file's styles type such cells as date/time as they are read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from sheetbill.domain.sheet import SerialFormat, Table
from sheetbill.workbook.google.payloads import a1, quote_title

# The one field of each cell asked for, with what tells the blocks apart.
FIELDS = (
    "sheets(properties(title),data(startRow,startColumn,"
    "rowData(values(effectiveFormat(numberFormat(type))))))"
)
_KINDS = {
    "DATE": SerialFormat.DATE,
    "TIME": SerialFormat.TIME,
    "DATE_TIME": SerialFormat.DATE_TIME,
}


def number_ranges(tables: Iterable[Table]) -> list[str]:
    """A1 ranges covering every number cell below the headers, by column blocks."""
    ranges: list[str] = []
    for table in tables:
        spans: dict[int, tuple[int, int]] = {}
        for row in table.rows:
            number = row.number
            for column, value in enumerate(row.cells):
                if value.__class__ is Decimal:
                    first, _ = spans.get(column, (number, number))
                    spans[column] = (first, number)
        title = quote_title(table.tab)
        for start, end in _blocks(sorted(spans)):
            first = min(spans[c][0] for c in range(start, end + 1) if c in spans)
            last = max(spans[c][1] for c in range(start, end + 1) if c in spans)
            ranges.append(f"{title}!{a1(first, start)}:{a1(last, end)}")
    return ranges


def _blocks(columns: list[int]) -> list[tuple[int, int]]:
    """Runs of adjacent columns as (first, last)."""
    blocks: list[tuple[int, int]] = []
    for column in columns:
        if blocks and blocks[-1][1] + 1 == column:
            blocks[-1] = (blocks[-1][0], column)
        else:
            blocks.append((column, column))
    return blocks


def serial_formats(
    reply: Mapping[str, Any], tables: Mapping[str, Table]
) -> dict[str, dict[tuple[int, int], SerialFormat]]:
    """Per tab, the number cells shown as a date, time or duration (from `FIELDS`)."""
    found: dict[str, dict[tuple[int, int], SerialFormat]] = {}
    for sheet in reply.get("sheets", []):
        title = str(sheet.get("properties", {}).get("title", ""))
        table = tables.get(title)
        if table is None:
            continue
        rows = {row.number: row for row in table.rows}
        kinds = found.setdefault(title, {})
        for grid in sheet.get("data", []):
            row0 = int(grid.get("startRow", 0))
            col0 = int(grid.get("startColumn", 0))
            for r, row_data in enumerate(grid.get("rowData", [])):
                for c, cell in enumerate(row_data.get("values", [])):
                    kind = _KINDS.get(
                        cell.get("effectiveFormat", {})
                        .get("numberFormat", {})
                        .get("type", "")
                    )
                    if kind is None:
                        continue
                    row = rows.get(row0 + r + 1)
                    # Only numbers: text typed into a time column stays text.
                    if row is not None and row.get(col0 + c).__class__ is Decimal:
                        kinds[(row.number, col0 + c)] = kind
    return found
