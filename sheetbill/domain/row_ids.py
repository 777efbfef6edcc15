"""Row IDs: what sheetbill writes into a billed row's Row ID cell, and telling them
from whatever else a person or a formula put there.

Pure. A Row ID is text, a tab letter and a number (`T-000012` on the Time Log,
`O-000003` on the Orders, `P-000001` on the Payments); any other value in that
cell is someone's, and sheetbill must neither take it for an ID nor write over it.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal

from sheetbill.domain.sheet import CellValue, SerialFormat

# Row IDs sheetbill hands out: a letter, a dash and the running number (T-000012).
ROW_ID = re.compile(r"^([A-Z])-(\d{1,12})$")
# The billed tabs' Row IDs share one counter (`Counters.last_row_id`).
BILLED_ROW_ID_PREFIX = {"Time Log": "T-", "Orders": "O-"}
ROW_ID_PREFIX = {**BILLED_ROW_ID_PREFIX, "Payments": "P-"}


def is_row_id(value: CellValue) -> bool:
    """Whether the cell holds a Row ID as sheetbill writes it (text, trimmed)."""
    return isinstance(value, str) and ROW_ID.match(value.strip()) is not None


def is_invoice_number(value: CellValue, serial: SerialFormat | None) -> bool:
    """Whether a filled Invoice No cell can be an invoice's number: text, or a whole
    number typed without quotes (an invoice `1234` of another program). TRUE/FALSE,
    a date or time, 0 and other numbers say nothing about which invoice billed it."""
    if isinstance(value, str):
        return True
    if isinstance(value, Decimal) and serial is None:
        return value.is_finite() and value >= 1 and value == value.to_integral_value()
    return False


def kind_of_value(value: CellValue, serial: SerialFormat | None) -> str:
    """What a cell holds, in a person's words ("a number", "a date", ...)."""
    if isinstance(value, bool):
        return "TRUE or FALSE"
    if isinstance(value, datetime | date) or serial in (
        SerialFormat.DATE,
        SerialFormat.DATE_TIME,
    ):
        return "a date"
    if isinstance(value, time) or serial is SerialFormat.TIME:
        return "a time"
    if isinstance(value, Decimal):
        return "a number"
    return "text"
