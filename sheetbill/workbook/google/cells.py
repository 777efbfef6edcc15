"""Cells between the Sheets API and the core: typing values read, encoding writes.

Read with UNFORMATTED_VALUE and SERIAL_NUMBER dates, a cell is a JSON number, string or
boolean. Numbers become Decimal from their JSON text (never through float), strings
stay strings (`00123` and `0x1A` stay text: Google already decided they are text),
"" becomes None, formula errors (#N/A) stay their text, as on the Excel backend, so a
column that needs a number reports the error instead of reading a blank. Dates
arrive as serial numbers and stay Decimal; `cells.parse_date` reads serials.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sheetbill.domain.sheet import CellValue, ColumnFormat

EPOCH = datetime(1899, 12, 30)  # noqa: DTZ001 (sheet serials are zone-free)

# Number formats sheetbill gives the columns it creates and the cells it writes.
NUMBER_FORMATS: dict[ColumnFormat, dict[str, str]] = {
    ColumnFormat.TEXT: {"type": "TEXT"},
    ColumnFormat.WRAPPED_TEXT: {"type": "TEXT"},  # and wrapped (payloads)
    ColumnFormat.DATE: {"type": "DATE", "pattern": "yyyy-mm-dd"},
    ColumnFormat.DATETIME: {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm"},
    ColumnFormat.MONEY: {"type": "NUMBER", "pattern": "#,##0.00"},
    ColumnFormat.NUMBER: {"type": "NUMBER", "pattern": "#,##0.##########"},
    ColumnFormat.INTEGER: {"type": "NUMBER", "pattern": "0"},
}
TIME_FORMAT = {"type": "TIME", "pattern": "hh:mm"}


def cell_value(raw: Any) -> CellValue:
    """One cell of a values response parsed with `parse_float=Decimal`."""
    if isinstance(raw, str):
        return raw or None
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, Decimal):
        return raw if raw.is_finite() else "#NUM!"
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(repr(raw))
    return None


def row_values(raw: list[Any]) -> tuple[CellValue, ...]:
    """A row's cells, trailing empty cells dropped (the API trims them too)."""
    cells = [cell_value(v) for v in raw]
    while cells and cells[-1] is None:
        cells.pop()
    return tuple(cells)


def api_value(value: CellValue) -> tuple[Any, dict[str, str] | None]:
    """The JSON value a RAW write sends for a cell, and the number format it needs.

    Sheets stores every number as a double. A Decimal whose float round-trips to the
    same decimal (all money amounts, up to 15 significant digits) is sent as a JSON
    number; one that would lose digits is written as its text, so nothing is rounded
    silently (the core reads numbers typed as text back exactly).
    """
    if value is None:
        return "", None  # RAW "" clears the cell; JSON null would leave it unchanged
    if isinstance(value, bool | str):
        return value, None
    if isinstance(value, Decimal):
        if value == value.to_integral_value() and abs(value) < 2**53:
            return int(value), None
        number = float(value)
        if Decimal(repr(number)) == value:
            return number, None
        return format(value.normalize(), "f"), None
    if isinstance(value, datetime):
        return serial(value), NUMBER_FORMATS[ColumnFormat.DATETIME]
    if isinstance(value, date):
        return serial(value), NUMBER_FORMATS[ColumnFormat.DATE]
    return serial(value), TIME_FORMAT


def serial(value: date | datetime | time) -> int | float:
    """A date, date-time or time of day as a serial number (days since 1899-12-30)."""
    if isinstance(value, time):
        return (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    if isinstance(value, datetime):
        delta = value.replace(tzinfo=None) - EPOCH
        return delta.days + round(delta.seconds / 86400, 10)
    return (value - EPOCH.date()).days
