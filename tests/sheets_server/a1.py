"""A1 notation as the Sheets API reads and writes it: ranges, sheet-name quoting.

Rows and columns are 0-based, end-exclusive here (like the API's GridRange); `None`
bounds are open ("Sheet1!A:A", "Sheet1") and get closed by the sheet's grid size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CELL = re.compile(r"^([A-Za-z]*)(\d*)$")
_PLAIN_TITLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CELL_LIKE = re.compile(r"^[A-Za-z]{1,3}\d+$|^[Rr]\d+[Cc]\d+$")


class RangeError(ValueError):
    """A range the API would refuse: 'Unable to parse range: ...'."""


@dataclass(frozen=True, slots=True)
class Span:
    """Rows and columns of a range, 0-based, end-exclusive; None = open."""

    row0: int | None
    row1: int | None
    col0: int | None
    col1: int | None


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    value = 0
    for char in letters.upper():
        value = value * 26 + ord(char) - 64
    return value - 1


def quote_title(title: str) -> str:
    """A sheet title as the API prints it in ranges: quoted unless plain."""
    if _PLAIN_TITLE.match(title) and not _CELL_LIKE.match(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def split_range(text: str) -> tuple[str | None, str]:
    """("Sheet 1", "A1:B2") from "'Sheet 1'!A1:B2"; (None, text) when no sheet part."""
    if text.startswith("'"):
        index = 1
        title = ""
        while index < len(text):
            char = text[index]
            if char == "'":
                if text[index + 1 : index + 2] == "'":
                    title += "'"
                    index += 2
                    continue
                rest = text[index + 1 :]
                if rest and not rest.startswith("!"):
                    raise RangeError(text)
                return title, rest[1:]
            title += char
            index += 1
        raise RangeError(text)
    if "!" in text:
        title, _, cells = text.rpartition("!")
        return title, cells
    return None, text


def parse_cells(cells: str) -> Span:
    """The cell part of a range: "A1", "A1:B2", "A:A", "2:3", "A2:C", "" (all)."""
    if not cells:
        return Span(None, None, None, None)
    first, sep, second = cells.partition(":")
    col0, row0 = _corner(first, cells)
    col1, row1 = _corner(second, cells) if sep else (col0, row0)
    # "D4:A1" means A1:D4, as in the Sheets UI.
    if row0 is not None and row1 is not None and row1 < row0:
        row0, row1 = row1, row0
    if col0 is not None and col1 is not None and col1 < col0:
        col0, col1 = col1, col0
    return Span(
        row0=row0,
        row1=None if row1 is None else row1 + 1,
        col0=col0,
        col1=None if col1 is None else col1 + 1,
    )


def _corner(part: str, whole: str) -> tuple[int | None, int | None]:
    match = _CELL.match(part)
    if not match or not part:
        raise RangeError(whole)
    letters, digits = match.groups()
    column = column_index(letters) if letters else None
    row = int(digits) - 1 if digits else None
    if row is not None and row < 0:
        raise RangeError(whole)
    return column, row


def format_range(title: str, row0: int, row1: int, col0: int, col1: int) -> str:
    """'Sheet1!A1:B2' for rows [row0, row1) and columns [col0, col1)."""
    first = f"{column_letters(col0)}{row0 + 1}"
    last = f"{column_letters(col1 - 1)}{row1}"
    cells = first if first == last else f"{first}:{last}"
    return f"{quote_title(title)}!{cells}"
