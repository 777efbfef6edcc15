"""What a spreadsheet holds, as values: cells, rows, tabs, and the changes to write.

A backend (Excel file, Google Sheet; see `sheetbill.ports.Workbook`) reads every tab
into `Table`s of plain typed cells, and applies a `WorkbookChanges`: new tabs, and cell
writes addressed by sheet row and column. The planning core decides every address; a
backend only carries them out, and refuses when the workbook changed since it was read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import NamedTuple

from sheetbill.domain.records import makes, new_record

# What a cell holds once it crossed the adapter boundary. Numbers are always Decimal
# (never float), dates are `date`/`datetime`, times of day `time`. No library type.
CellValue = str | Decimal | bool | date | datetime | time | None


class UnsavedFormula(str):
    """A formula cell whose file holds no result, as text ("=F2-E2"): a program wrote
    the formula but nothing calculated it (Excel and LibreOffice store the result when
    they save). Its value is unknown, which is neither blank nor the formula's text."""

    __slots__ = ()


def header_text(value: CellValue) -> str:
    """A header cell as text, the same for every backend (numbers without exponent)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Decimal):
        return format(value, "f")
    return value.isoformat()


class SheetRow(NamedTuple):
    """One row of a tab as read: its 1-based sheet row number and cells by column.

    A NamedTuple, not a dataclass: a big tab has 100,000 of them, made in a tight loop.
    """

    number: int
    # Cells from column A on (index 0 = column A); shorter than the header row when the
    # trailing cells are empty.
    cells: tuple[CellValue, ...]

    def get(self, column: int) -> CellValue:
        return self.cells[column] if column < len(self.cells) else None

    @property
    def is_blank(self) -> bool:
        return all(
            v is None or (isinstance(v, str) and not v.strip()) for v in self.cells
        )


class SerialFormat(Enum):
    """How a sheet shows a number that counts days: as a date, a time or duration, or a
    date and time. Google Sheets hands such cells over as that number (8:30 is
    0.3541666…); the Excel reader types them as date/time itself."""

    DATE = "date"
    TIME = "time"  # a time of day or a duration ([h]:mm)
    DATE_TIME = "date_time"


@dataclass(frozen=True, slots=True)
class Table:
    """One tab as read: the header row and the rows below it (blank rows dropped)."""

    tab: str
    # 1-based sheet row number of the header row (the first non-blank row).
    header_row: int
    # Header texts by absolute column (index 0 = column A); "" where a header is blank.
    headers: tuple[str, ...]
    rows: tuple[SheetRow, ...]
    # The last used sheet row (header or data), so appends go below it.
    last_row: int
    # Number cells the sheet shows as a date, time or duration, by (sheet row, column):
    # only a backend that hands those over as numbers (Google Sheets) fills it.
    serial_formats: Mapping[tuple[int, int], SerialFormat] = field(default_factory=dict)


class ColumnFormat(Enum):
    """How a column of a tab sheetbill creates is shown."""

    TEXT = "text"  # plain text; numbers typed in stay as typed
    WRAPPED_TEXT = "wrapped text"  # text wrapped at the column's width (messages)
    DATE = "date"  # a calendar date (yyyy-mm-dd)
    DATETIME = "datetime"  # date and time (yyyy-mm-dd hh:mm)
    # Thousands separated, with as many decimals as the Decimal written carries
    # (`money_decimals`): the planner writes amounts in their currency's minor units,
    # so JPY shows 1,143,450 and KWD 12.500.
    MONEY = "money"
    NUMBER = "number"  # a general number
    INTEGER = "integer"  # a whole number


# More decimals than a money cell shows: a unit price of 0.1234567891 is shown rounded.
MAX_MONEY_DECIMALS = 10


def money_decimals(value: Decimal) -> int:
    """The decimals a MONEY cell shows for `value`: those it carries (its exponent),
    0 to MAX_MONEY_DECIMALS."""
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int):  # NaN, Infinity: never written
        return 0
    return min(max(-exponent, 0), MAX_MONEY_DECIMALS)


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """A column of a tab sheetbill creates: header, format, width, dropdown choices."""

    header: str
    format: ColumnFormat = ColumnFormat.TEXT
    width: float = 14.0
    # When set, a dropdown (list data validation) offering these values.
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TabSpec:
    """A tab to create: name, columns in order, header row frozen."""

    name: str
    columns: tuple[ColumnSpec, ...]


class CellWrite(NamedTuple):
    """One cell to write (a NamedTuple: a big run plans hundreds of thousands).

    `row` is the 1-based sheet row, `column` the 0-based column (0 = A). A `str` is
    always written as text, never as a formula, whatever its first character.
    `row_key` names the row's identity (its Row ID, for rows that have one) so a backend
    whose rows can move while we run (Google Sheets) can re-locate the row.
    """

    row: int
    column: int
    value: CellValue
    row_key: str | None = None


@makes(CellWrite)
def new_cell_write(
    row: int, column: int, value: CellValue, row_key: str | None
) -> CellWrite:
    """A CellWrite, the fast way (see `sheetbill.domain.records`)."""
    return new_record(CellWrite, (row, column, value, row_key))


@makes(SheetRow)
def new_sheet_row(number: int, cells: tuple[CellValue, ...]) -> SheetRow:
    """A SheetRow, the fast way (see `sheetbill.domain.records`)."""
    return new_record(SheetRow, (number, cells))


@dataclass(frozen=True, slots=True)
class WorkbookChanges:
    """Everything one run writes: tabs to add, then cells to write, per tab name."""

    new_tabs: tuple[TabSpec, ...] = ()
    # New header cells of existing tabs (or of new tabs) are ordinary writes here.
    writes: Mapping[str, tuple[CellWrite, ...]] = field(default_factory=dict)
    # Column formats for cells written into tabs sheetbill created before (so that a
    # date written into an Invoices tab made in an earlier run is shown as a date).
    formats: Mapping[str, Mapping[int, ColumnFormat]] = field(default_factory=dict)
    # Per existing tab, the first row the plan appends: every row from there down was
    # blank when read. A backend never writes into such a row that holds anything now
    # (the Excel backend refuses; the Google one moves new rows below the last row).
    appended_from: Mapping[str, int] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not self.new_tabs and not any(self.writes.values())

    @property
    def cell_count(self) -> int:
        return sum(len(cells) for cells in self.writes.values())


@dataclass(frozen=True, slots=True)
class BookSnapshot:
    """All tabs as read, and a token that changes whenever the workbook changes."""

    tables: Mapping[str, Table]
    # Opaque: a backend compares it at write time, to refuse writing over a person's
    # change.
    version: str
    # Tab names in workbook order, including tabs that are empty.
    tab_names: tuple[str, ...]


# Excel's widest sheet (XFD): letters beyond it are computed, never kept.
_LETTER_COLUMNS = 16_384
_LETTERS: dict[int, str] = {}


def column_letters(column: int) -> str:
    """A column's letters as spreadsheets show them: 0 -> "A", 25 -> "Z", 26 -> "AA".
    The one home of the rule (Excel and Google name columns alike); cached, since a
    big write names millions of cells."""
    letters = _LETTERS.get(column)
    if letters is not None:
        return letters
    letters = ""
    number = column + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    if 0 <= column < _LETTER_COLUMNS:
        _LETTERS[column] = letters
    return letters
