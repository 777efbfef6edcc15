"""How one value is stored in a worksheet `<c>` element, and A1 cell addresses.

Text is always an inline string (`t="inlineStr"`), never a formula, whatever its first
character. Characters XML cannot carry (control characters) are written as OOXML's
`_xHHHH_` escapes, which Excel, LibreOffice and calamine turn back into the character;
text that itself looks like such an escape gets its underscore escaped (`_x005F_`) so it
reads back unchanged. Lone surrogates and the non-characters U+FFFE and U+FFFF, which
no reader brings back, become U+FFFD. Numbers are written in plain notation; dates,
datetimes and times as serial numbers of the workbook's date system (1900, or 1904 when
workbookPr says so); a timezone-aware datetime is written as its wall time.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal

from lxml import etree

from sheetbill.domain.sheet import CellValue, column_letters
from sheetbill.errors import WorkbookWriteError

XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
EXCEL_MAX_TEXT = 32_767
MAX_ROW = 1_048_576
MAX_COLUMN = 16_384
_EPOCH_1900 = date(1899, 12, 30)
_EPOCH_1904 = date(1904, 1, 1)
# Excel counts a 29 February 1900 that never was: serials before 1 March are one less.
_LEAP_BUG_END = date(1900, 3, 1)
_ESCAPE = re.compile(
    "(_x[0-9A-Fa-f]{4}_)|([\x00-\x08\x0b\x0c\x0e-\x1f])|([\ud800-\udfff\ufffe\uffff])"
)
_COLUMNS: dict[str, int] = {}
# What lxml escapes in element text (checked against it for every code point).
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


def column_index(letters: str) -> int:
    """ "A" -> 0, "AA" -> 26."""
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number - 1


def cell_ref(row: int, column: int) -> str:
    return f"{column_letters(column)}{row}"


def parse_ref(ref: str) -> tuple[int, int] | None:
    """ "B7" -> (7, 1): 1-based row and 0-based column; None when not a cell address."""
    # Called for every cell of every row written: string methods beat a regex here.
    text = ref.replace("$", "") if "$" in ref else ref
    letters = text.rstrip("0123456789")
    digits = text[len(letters) :]
    if not 0 < len(letters) <= 3 or not 0 < len(digits) <= 7:
        return None
    column = _COLUMNS.get(letters)
    if column is None:
        if not (letters.isascii() and letters.isalpha()):
            return None
        column = _COLUMNS[letters] = column_index(letters)
    return int(digits), column


def escape_text(text: str) -> str:
    """Text as OOXML carries it (see the module docstring)."""
    if "_x" not in text and text.isprintable():
        return text

    def replace(match: re.Match[str]) -> str:
        if match.group(1):
            return "_x005F" + match.group(1)
        if match.group(2):
            return f"_x{ord(match.group(2)):04X}_"
        return "\ufffd"

    return _ESCAPE.sub(replace, text)


def plain_number(value: Decimal) -> str:
    """A Decimal in the plain notation a `<v>` holds (no exponent, no "-0")."""
    if not value.is_finite():
        raise WorkbookWriteError(f"cannot write the number {value} into a cell")
    if abs(value) >= Decimal("1e308"):
        raise WorkbookWriteError("cannot write a number this large into an Excel cell")
    if value.is_zero():
        return "0"
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def date_serial(value: date | datetime | time, *, date1904: bool) -> str:
    """The serial number Excel stores for a date, datetime or time of day."""
    if isinstance(value, time):
        return _with_time(0, value)
    day = value.date() if isinstance(value, datetime) else value
    epoch = _EPOCH_1904 if date1904 else _EPOCH_1900
    days = (day - epoch).days
    if not date1904 and day < _LEAP_BUG_END:
        days -= 1
    if days < (0 if date1904 else 1):
        system = "1904" if date1904 else "1900"
        raise WorkbookWriteError(
            f"cannot write the date {day.isoformat()}: Excel's {system} date system "
            "starts later"
        )
    if isinstance(value, datetime):
        return _with_time(days, value.timetz())
    return str(days)


def _with_time(days: int, moment: time) -> str:
    seconds = moment.hour * 3600 + moment.minute * 60 + moment.second
    microseconds = seconds * 1_000_000 + moment.microsecond
    if not microseconds:
        return str(days)
    return repr(days + microseconds / 86_400_000_000)


def is_dated(value: CellValue) -> bool:
    return isinstance(value, (date, time))


def set_value(
    cell: etree._Element, value: CellValue, *, main_ns: str, date1904: bool
) -> None:
    """Replace what `cell` holds by `value`; the caller has removed formula and value.

    None leaves the cell empty (the caller decides whether to keep the element).
    """
    if value is None:
        return
    if isinstance(value, str):
        escaped = escape_text(_checked_text(value))
        cell.set("t", "inlineStr")
        inline = etree.Element(f"{{{main_ns}}}is")
        text = etree.SubElement(inline, f"{{{main_ns}}}t")
        text.text = escaped
        text.set(XML_SPACE, "preserve")
        cell.insert(0, inline)
        return
    kind, stored = _stored_number(value, date1904=date1904)
    number = etree.Element(f"{{{main_ns}}}v")
    if kind:
        cell.set("t", kind)
    number.text = stored
    cell.insert(0, number)


def cell_xml(ref: str, style: int | None, value: CellValue, *, date1904: bool) -> str:
    """The `<c>` element `set_value` makes of a new cell at `ref` with style `style`
    (None: no style attribute), exactly as lxml writes it; "" for None."""
    if value is None:
        return ""
    styled = "" if style is None else f' s="{style}"'
    if isinstance(value, str):
        text = escape_text(_checked_text(value))
        if "&" in text or "<" in text or ">" in text or "\r" in text:
            text = text.translate(_TEXT_ESCAPES)
        return (
            f'<c r="{ref}"{styled} t="inlineStr"><is><t xml:space="preserve">{text}'
            "</t></is></c>"
        )
    kind, stored = _stored_number(value, date1904=date1904)
    typed = f' t="{kind}"' if kind else ""
    return f'<c r="{ref}"{styled}{typed}><v>{stored}</v></c>'


def _checked_text(value: str) -> str:
    if len(value) > EXCEL_MAX_TEXT:
        raise WorkbookWriteError(
            f"cannot write a text of {len(value):,} characters: an Excel cell "
            f"holds at most {EXCEL_MAX_TEXT:,}"
        )
    return value


def _stored_number(value: CellValue, *, date1904: bool) -> tuple[str, str]:
    """The `t` attribute ("" for a number) and the `<v>` text of a non-text value."""
    if isinstance(value, bool):
        return "b", "1" if value else "0"
    if isinstance(value, Decimal):
        return "", plain_number(value)
    if isinstance(value, (date, time)):
        return "", date_serial(value, date1904=date1904)
    raise WorkbookWriteError(f"cannot write a {type(value).__name__} into a cell")
