"""Turning one cell's value into what a column means: text, number, date, yes/no, hours.

Backends hand over str/Decimal/bool/date/time cells; people type numbers as text in
their locale (`1.234,50`), dates as dates, Excel serials or ISO text. Each parser
returns the value or raises `CellValueError` with the problem and the fix in plain
words.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, time, timedelta
from decimal import ROUND_FLOOR, Decimal, InvalidOperation

from babel import Locale, UnknownLocaleError
from babel.numbers import NumberFormatError, parse_decimal

from sheetbill.domain.number_words import (
    HOUR_WORDS,
    HOURS,
    MINUTE_WORDS,
    PERCENT,
    PLAIN,
    NumberWords,
)
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.sheet import CellValue, SerialFormat, UnsavedFormula

# Excel's day 0 in the 1900 date system (it counts the non-existent 1900-02-29, so the
# epoch that makes serials after February 1900 right is 1899-12-30).
EXCEL_EPOCH = date(1899, 12, 30)
MAX_EXCEL_SERIAL = 2958465  # 9999-12-31
# The dates an Excel cell can hold as a date (a Google Sheet holds more, but a date
# sheetbill writes back, as Work Complete, must fit both).
FIRST_DATE, LAST_DATE = date(1900, 1, 1), date(9999, 12, 31)

# Numbers a cell may hold: Excel keeps 15 significant digits, so nobody typed more
# before the point, and a nonzero number below 1e-15 is a float's leftover (or `1E-400`
# typed as text). Within these bounds every product and sum sheetbill makes of them
# fits Decimal's 28 digits; beyond them `quantize` raises.
MAX_NUMBER = Decimal("1e15")
MIN_NUMBER = Decimal("1e-15")
# Payment terms longer than ten years are a typo (and would put a due date past 9999).
MAX_TERMS_DAYS = 3650
# The most characters one Excel cell holds.
MAX_CELL_TEXT = 32_767
# Numbers shown in messages: plain up to this many digits, else with an exponent.
_PLAIN_DIGITS = 30
_PLAIN_LENGTH = 40

YES = frozenset({"yes", "y", "true", "1", "x", "ja", "oui", "si", "sí", "✓", "✔"})
NO = frozenset({"no", "n", "false", "0", "nein", "non", "-"})


# What a formula that failed shows (Excel, LibreOffice and Google Sheets), and what it
# usually means: both backends read such a cell as this text, never as blank or 0.
ERROR_MEANINGS = {
    "#N/A": "a lookup found nothing",
    "#REF!": "it refers to a cell that was deleted",
    "#VALUE!": "it uses a value of the wrong kind",
    "#DIV/0!": "it divides by zero",
    "#NAME?": "it names a function or range that does not exist",
    "#NUM!": "it gives a number too large or impossible",
    "#NULL!": "two of its ranges do not meet",
    "#ERROR!": "it cannot be read",
    "#SPILL!": "its results are blocked by other cells",
    "#CALC!": "it cannot calculate a result (an empty list)",
    "#FIELD!": "it names a field that does not exist",
    "#CONNECT!": "its data source cannot be reached",
    "#BLOCKED!": "its data source is blocked",
    "#BUSY!": "it was still calculating when the file was saved",
    "#UNKNOWN!": "it uses something this version of Excel does not know",
    "#PYTHON!": "its Python code failed",
    "#GETTING_DATA": "its data was still loading when the file was saved",
}
ERROR_VALUES = frozenset(ERROR_MEANINGS)
# Errors that are not wrong formulas but a result that had not arrived yet.
_STILL_LOADING = frozenset({"#GETTING_DATA", "#BUSY!"})


class CellValueError(ValueError):
    """A cell's value does not fit its column; `problem` and `fix` are for the user,
    `code` the kind of problem (a failed formula is not a mistyped value)."""

    def __init__(
        self, problem: str, fix: str, *, code: ProblemCode = ProblemCode.CELL_UNREADABLE
    ) -> None:
        super().__init__(problem)
        self.problem = problem
        self.fix = fix
        self.code = code


def refuse_error_value(value: CellValue) -> None:
    """CellValueError for a formula's error (#DIV/0!, #N/A ...) or a formula whose
    result was never saved, in any cell sheetbill reads: it is never read as 0, as
    blank or as its text."""
    problem = formula_problem(value)
    if problem is not None:
        raise problem


def formula_problem(value: CellValue) -> CellValueError | None:
    """What is wrong with a cell whose formula failed (it holds #N/A, #DIV/0! ...) or
    whose result the file never saved (an UnsavedFormula); None for any other cell."""
    if value.__class__ is UnsavedFormula:
        return CellValueError(
            f"holds the formula {value} but no result: the file was saved by a "
            "program that does not calculate formulas",
            "open the workbook in Excel or LibreOffice and save it there, so the "
            "result is stored (or type the value)",
            code=ProblemCode.CELL_FORMULA_FAILED,
        )
    if value.__class__ is not str:
        return None
    error = value.strip().upper()
    meaning = ERROR_MEANINGS.get(error)
    if meaning is None:
        return None
    if error in _STILL_LOADING:
        return CellValueError(
            f"holds the error {error}: {meaning}",
            "open the workbook in Excel, wait until every result has arrived, and "
            "save it",
            code=ProblemCode.CELL_FORMULA_FAILED,
        )
    return CellValueError(
        f"holds the error {error}: its formula failed ({meaning})",
        "fix the formula (or the cells it uses), or type the value",
        code=ProblemCode.CELL_FORMULA_FAILED,
    )


def is_blank(value: CellValue) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def show(value: CellValue) -> str:
    """A cell value as the user would recognise it in a message (any value, however
    odd: NaN, 1E+999999999)."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Decimal):
        return format_decimal_plain(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def format_decimal_plain(value: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: 1E+3 -> 1000, 2.50 -> 2.5.

    A number too big or too small to write out plainly keeps its exponent (1E+400),
    and NaN and Infinity their names, so showing a cell never fails.
    """
    if not value.is_finite():
        return str(value)
    if value.is_zero():
        return "-0" if value.is_signed() else "0"
    if not -_PLAIN_DIGITS <= value.adjusted() < _PLAIN_DIGITS:
        return str(value)
    if value == value.to_integral_value():
        # Not quantize: that fails past 28 digits.
        text = format(value, "f")
        plain = text.rstrip("0").rstrip(".") if "." in text else text
    else:
        plain = format(value.normalize(), "f")
    # Many significant digits far from the point (-5.83…E-30 with 31 digits) write out
    # longer than a message can carry: those keep their exponent, every digit kept.
    return plain if len(plain) <= _PLAIN_LENGTH else str(value)


def checked_number(value: Decimal) -> Decimal:
    """`value` if it is a number sheetbill can compute with; else CellValueError.

    The one gate every number from a cell passes (parse_number): NaN and Infinity
    (Decimal reads both from text) and numbers out of MAX_NUMBER/MIN_NUMBER stop here,
    as the cell's problem, instead of as `decimal.InvalidOperation` somewhere later.
    """
    if not value.is_finite():
        raise CellValueError("is not a number", "type a number such as 1234.50")
    magnitude = value.copy_abs()  # abs() would round, and overflow past 1E+999999
    if magnitude >= MAX_NUMBER:
        raise CellValueError(
            "is too large (more than 15 digits before the decimal point)",
            "type a number below 1,000,000,000,000,000",
        )
    if magnitude and magnitude < MIN_NUMBER:
        raise CellValueError(
            "is too small (a number this close to 0 is never meant)",
            "type 0 or a number with at most 15 decimals",
        )
    return value


def is_too_long(value: CellValue) -> bool:
    """True for a text longer than an Excel cell holds (a Google Sheet, or a file not
    written by Excel, can hold more): it could never be written back anywhere."""
    return value.__class__ is str and len(value) > MAX_CELL_TEXT


TOO_LONG_PROBLEM = f"is longer than the {MAX_CELL_TEXT:,} characters a cell can hold"
TOO_LONG_FIX = "shorten it"


def clipped(text: str, limit: int) -> str:
    """`text` cut to its first `limit` characters with "…" and its length noted, so
    that what sheetbill writes about a value always fits a cell; short text as is."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


def parse_text(value: CellValue) -> str:
    """Any cell as trimmed text; numbers typed into text columns keep their digits."""
    if isinstance(value, str):
        return value.strip()
    if value is None:
        return ""
    return show(value).strip()


def parse_number(
    value: CellValue, *, locale: str, words: NumberWords = PLAIN
) -> Decimal:
    """A number from a numeric cell or from text in the workbook's locale.

    Beside the number may stand only what `words` allows (the row's currency, a unit,
    a percent sign); a cell with any other word raises CellValueError naming it.
    """
    return read_number(value, locale=locale, words=words)[0]


def read_number(
    value: CellValue, *, locale: str, words: NumberWords
) -> tuple[Decimal, str]:
    """The number of a cell and the word beside it (casefolded; "" for none), which
    `words` allows; else CellValueError."""
    refuse_error_value(value)
    if isinstance(value, bool):
        raise CellValueError("is TRUE/FALSE, not a number", "type a number")
    if isinstance(value, Decimal):
        return checked_number(value), ""
    if isinstance(value, str):
        # Thousands separated by spaces (fr_FR uses a narrow no-break space) are
        # part of the number; a word beside it is read, never dropped.
        parts = _NUMBER_IN_TEXT.fullmatch(re.sub(r"\s", "", value))
        if parts and _is_one_word(parts["before"], parts["after"], parts["number"]):
            number = _decimal_of(parts["number"], locale=locale)
            if number is not None:
                word = parts["before"] or parts["after"]
                if word and word.casefold() not in words.allowed:
                    raise CellValueError(*words.refusal(word))
                return checked_number(number), word.casefold()
    # The fix fits the column (hours are not money): the example of its `words`.
    raise CellValueError(
        "is not a number", f"{words.fix}; write numbers as your locale {locale} does"
    )


_NUMBER_IN_TEXT = re.compile(
    r"(?P<before>[^\d\-+.,]*)(?P<number>[\-+]?[\d.,]*\d(?:[eE][\-+]?\d+)?)"
    r"(?P<after>[^\d.,]*)"
)


def _is_one_word(before: str, after: str, number: str) -> bool:
    """At most one word, on one side. After a word the number starts with a digit:
    in "ca. 12" or "EUR.12" the point belongs to the word, not to 0.12."""
    if before and after:
        return False
    return not before or number.lstrip("+-")[:1].isdigit()


def _decimal_of(text: str, *, locale: str) -> Decimal | None:
    for attempt in (locale, "en_US"):
        try:
            return Decimal(parse_decimal(text, locale=attempt, strict=True))
        except (NumberFormatError, InvalidOperation, ValueError):
            continue
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def parse_percent(value: CellValue, *, locale: str) -> Decimal:
    """A tax rate as a percentage: 19, '19%', '19 %' and 0.19 all mean 19 %.

    A number strictly between 0 and 1 is read as a fraction, because that is what Excel
    stores for a cell formatted as a percentage.
    """
    is_marked = isinstance(value, str) and "%" in value
    number = parse_number(value, locale=locale, words=PERCENT)
    if not is_marked and 0 < number < 1:
        number *= 100
    if number < 0 or number >= 100:
        raise CellValueError(
            "is not a tax rate between 0 and 100 %", "type the rate in percent, e.g. 19"
        )
    return number.normalize() if number != 0 else Decimal(0)


def parse_date(value: CellValue, *, locale: str) -> date:
    """A date from a date cell, an Excel serial number or text (ISO or the locale's).

    Only dates from 1900 to 9999: what an Excel cell can hold as a date.
    """
    refuse_error_value(value)
    parsed: date | None = None
    if isinstance(value, datetime):
        parsed = value.date()
    elif isinstance(value, date):
        parsed = value
    elif isinstance(value, Decimal):
        if 1 <= value <= MAX_EXCEL_SERIAL:
            return EXCEL_EPOCH + timedelta(days=int(value))
    elif isinstance(value, str):
        parsed = _parse_date_text(value.strip(), locale=locale)
        if parsed is None:
            _refuse_other_order(value, locale)
    if parsed is None:
        raise CellValueError(
            "is not a date",
            "type a date such as 2026-11-25 or format the cell as a date",
        )
    if not FIRST_DATE <= parsed <= LAST_DATE:
        raise CellValueError(
            "is a date before 1900, which Excel cannot hold as a date",
            "type the date such as 2026-11-25",
        )
    return parsed


def _parse_date_text(text: str, *, locale: str) -> date | None:
    """ISO first (2026-11-25, with or without time), then 3/11/2026 in the order the
    Locale writes dates (`is_month_first`), and 3.11.2026 day first everywhere."""
    if re.match(r"^\d{4}-\d\d-\d\d", text):
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            return None
    readings = _date_readings(text)
    if readings is None:
        return None
    return readings[0] if is_read_month_first(text, locale) else readings[1]


def is_read_month_first(text: str, locale: str) -> bool:
    """Whether a text date such as 3/11/2026 is read month first: as the Locale
    writes short dates, except with dots. Dots are the day-first convention (de_DE,
    ru_RU, ...): no locale writes month.day.year, so 11.03.2026 is 11 March even
    under en_US."""
    return "." not in text and is_month_first(locale)


def text_date_order(text: str, locale: str) -> str:
    """How a text date is read, for messages: "month first, Locale en_US", or "day
    first, as dates with dots are written"."""
    if "." in text:
        return "day first, as dates with dots are written"
    return f"{date_order(locale)}, Locale {locale}"


_NUMERIC_DATE = re.compile(r"\s*(\d{1,2})[./](\d{1,2})[./](\d{4})\s*")


def _date_readings(text: str) -> tuple[date | None, date | None] | None:
    """A text such as 3/11/2026 read month first and day first (None where that
    reading is no date); None for text of another shape."""
    match = _NUMERIC_DATE.fullmatch(text)
    if not match:
        return None
    first, second, year = (int(g) for g in match.groups())
    return _date_or_none(year, first, second), _date_or_none(year, second, first)


def _date_or_none(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


@functools.cache
def is_month_first(locale: str) -> bool:
    """Whether the Locale writes the month before the day in a short date: en_US and
    ja_JP do (M/d/yy, y/MM/dd), en_GB and de_DE do not (dd/MM/y, dd.MM.yy).

    From babel's (CLDR's) short date pattern; a locale babel does not know reads day
    first unless it ends in _US.
    """
    try:
        short = Locale.parse(locale.replace("-", "_")).date_formats["short"]
        pattern = str(short.pattern)
    except (UnknownLocaleError, ValueError, TypeError, KeyError, AttributeError):
        return locale.endswith("_US")
    month, day = pattern.replace("L", "M").find("M"), pattern.find("d")
    if month < 0 or day < 0:
        return locale.endswith("_US")
    return month < day


def date_order(locale: str) -> str:
    """ "month first" or "day first": how the Locale reads 3/11/2026."""
    return "month first" if is_month_first(locale) else "day first"


def other_date_reading(value: CellValue, *, locale: str) -> date | None:
    """For a text date such as 3/11/2026 that names another day when read in the
    other order (3 November, not 11 March): that other day. None for any other value,
    including 13/11/2026 or 3/3/2026, which read one way only, and 3.11.2026 under a
    day-first Locale, where dots and Locale agree."""
    if value.__class__ is not str:
        return None
    if "." in value and not is_month_first(locale):
        return None
    readings = _date_readings(value)
    if readings is None or None in readings or readings[0] == readings[1]:
        return None
    month_first, day_first = readings
    return day_first if is_read_month_first(value, locale) else month_first


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def spelled_date(day: date) -> str:
    """A date no reader can take the wrong way round: 11 March 2026."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _refuse_other_order(text: str, locale: str) -> None:
    """13/11/2026 under a month-first Locale: no date as the Locale reads it, but a
    date the other way round, so the message says which order was meant."""
    readings = _date_readings(text)
    if readings is None:
        return
    other = readings[1] if is_read_month_first(text, locale) else readings[0]
    if other is None:
        return
    if "." in text:
        raise CellValueError(
            "is not a date read day first, as dates with dots are written (read "
            f"the other way it is {spelled_date(other)})",
            f"type the date as {other.isoformat()}, or format the cell as a date",
        )
    raise CellValueError(
        f"is not a date read {date_order(locale)}, as the Locale {locale} writes "
        f"dates (read the other way it is {spelled_date(other)})",
        f"type the date as {other.isoformat()}, or format the cell as a date; "
        "if all your dates are written the other way round, change the Locale "
        "in Settings",
    )


def parse_yes_no(value: CellValue) -> bool:
    """yes/no, TRUE/FALSE, x, 1/0 (and ja/nein, oui/non, sí/no) as a boolean."""
    refuse_error_value(value)
    if isinstance(value, bool):
        return value
    text = parse_text(value).casefold()
    if text == "yes":
        return True
    if text in YES:
        return True
    if text in NO or not text:
        return False
    raise CellValueError("is not yes or no", "choose yes or no")


def parse_hours(value: CellValue, *, locale: str) -> Decimal:
    """Hours as a number (1.5, 1.5 h), in minutes (45 min is 0.75), a duration (1:30,
    25:30:00) or an Excel time cell. Any other word ("3 days") is refused.

    A number that reads as a time of day stored as a fraction of a day (0.3541666… is
    8:30; see `day_fraction_clock`) is refused: it is what a time cell copied without
    its format holds, and billing it as hours would bill 21 minutes for 8:30 hours.
    """
    if isinstance(value, time):
        return _hours_of_seconds(value.hour * 3600 + value.minute * 60 + value.second)
    if isinstance(value, str):
        match = _DURATION_TEXT.fullmatch(value)
        if match:
            if int(match[2]) >= 60 or int(match[3] or 0) >= 60:
                raise CellValueError(
                    "has more than 59 minutes", "type hours as h:mm or 1.5"
                )
            return _hours_of_seconds(
                int(match[1]) * 3600 + int(match[2]) * 60 + int(match[3] or 0)
            )
    number, word = read_number(value, locale=locale, words=HOURS)
    if word in MINUTE_WORDS:
        return checked_number(number / _MINUTES_PER_HOUR)
    if word in HOUR_WORDS:
        return number  # typed as hours: no time of day has a unit
    clock = day_fraction_clock(number)
    if clock is not None:
        as_hours = format_decimal_plain(_hours_of_seconds(_seconds_of_days(number)))
        raise CellValueError(
            f"looks like the time {clock} stored as a fraction of a day, not "
            f"{show(number)} hours",
            f"if the work took {clock} hours, type {clock} (read as {as_hours} hours); "
            f"if it took {number.quantize(Decimal('0.01'))} hours, type that",
        )
    return number


def parse_hours_number(value: CellValue, *, locale: str) -> Decimal:
    """A number of hours from a setting: 8, 8 h, or in minutes (15 min is 0.25)."""
    number, word = read_number(value, locale=locale, words=HOURS)
    return (
        checked_number(number / _MINUTES_PER_HOUR) if word in MINUTE_WORDS else number
    )


_DURATION_TEXT = re.compile(r"\s*(\d{1,3}):(\d\d)(?::(\d\d))?\s*")
_MINUTES_PER_HOUR = 60
_MINUTES_PER_DAY = 1440
# How far from a whole minute a day fraction may be: Sheets keeps times as doubles.
_MINUTE_SLACK = Decimal("1e-6")
_HUNDREDTH = Decimal("0.01")


def day_fraction_clock(number: Decimal) -> str | None:
    """The time of day `number` is as a fraction of a day ("8:30" for 0.3541666…), or
    None when it reads as hours.

    The rule (docs/decisions.md): strictly between 0 and 1, a whole number of minutes
    of a day, and more than two decimals. People type hours with at most two decimals
    (0.25, 0.5, 0.75); a time stored as a day fraction almost never has so few
    (0:36 is 0.025, 3:00 is 0.125, 8:30 is 0.3541666…). The rare hours that match
    (0.125 h, or a formula such as =20/60) are reported, never billed silently.
    """
    if not 0 < number < 1 or number == number.quantize(_HUNDREDTH):
        return None
    minutes = number * _MINUTES_PER_DAY
    whole = minutes.to_integral_value()
    if abs(minutes - whole) > _MINUTE_SLACK:
        return None
    hours, rest = divmod(int(whole), 60)
    return f"{hours}:{rest:02d}"


def hours_of_serial(value: CellValue, *, kind: SerialFormat) -> Decimal:
    """Hours from a number the sheet shows as a time or duration: it counts days, as
    Google Sheets keeps them (8:30 is 0.3541666…, a duration of 25:30 is 1.0625).

    Read to the second, as the Excel reader's time cells are (`parse_hours`). A date,
    or a date and time, is not a number of hours.
    """
    if not isinstance(value, Decimal):
        raise CellValueError("is not a number", "type hours as 8:30 or 8.5")
    if kind is SerialFormat.DATE or (kind is SerialFormat.DATE_TIME and value >= 1):
        shown = "a date and time" if kind is SerialFormat.DATE_TIME else "a date"
        raise CellValueError(
            f"is shown as {shown}, not as hours",
            "type the hours as 8:30 or 8.5 (Format > Number > Duration or Number)",
        )
    return _hours_of_seconds(_seconds_of_days(checked_number(value)))


def time_of_day_of_serial(value: CellValue, *, kind: SerialFormat) -> time:
    """A clock time from a number the sheet shows as a time, or as a date and time
    (its time of day, as the Excel reader gives a date-time cell's)."""
    if kind is SerialFormat.DATE_TIME and isinstance(value, Decimal) and value >= 1:
        value = value - value.to_integral_value(rounding=ROUND_FLOOR)
    if kind is SerialFormat.DATE:
        raise CellValueError("is shown as a date", "type a time such as 09:30")
    return parse_time_of_day(value)


def show_serial(value: CellValue, kind: SerialFormat) -> str:
    """A number of days as the sheet shows it: 2026-11-08, 2026-11-08 09:30, 8:30 or
    25:30 (a duration), for messages; anything else as `show` gives it."""
    if not isinstance(value, Decimal) or not value.is_finite():
        return show(value)
    if kind is SerialFormat.TIME or value < 1:
        seconds = _seconds_of_days(value)
        sign = "-" if seconds < 0 else ""
        hours, rest = divmod(abs(seconds), 3600)
        clock = f"{sign}{hours}:{rest // 60:02d}"
        return clock + (f":{rest % 60:02d}" if rest % 60 else "")
    if not 1 <= value <= MAX_EXCEL_SERIAL:
        return show(value)
    moment = datetime.combine(EXCEL_EPOCH, time()) + timedelta(
        seconds=_seconds_of_days(value)
    )
    if kind is SerialFormat.DATE:
        return moment.date().isoformat()
    return moment.isoformat(sep=" ", timespec="minutes")


def _seconds_of_days(days: Decimal) -> int:
    return int((days * 86400).to_integral_value())


def _hours_of_seconds(seconds: int) -> Decimal:
    """Whole hours plus minutes/60 plus seconds/3600, as a time cell is read."""
    sign = -1 if seconds < 0 else 1
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    value = Decimal(hours) + Decimal(minutes) / 60 + Decimal(secs) / 3600
    return value if sign > 0 else -value


def parse_time_of_day(value: CellValue) -> time:
    """A clock time from a time cell, a fraction of a day, or text such as 09:30,
    9:30:15, 9:30 AM or 5 p.m.

    AM/PM is read in any Locale: it is unambiguous, and what a spreadsheet set to
    English shows and people copy (12 AM is midnight, 12 PM noon).
    """
    refuse_error_value(value)
    if isinstance(value, datetime):
        return value.time()
    if isinstance(value, time):
        return value
    if isinstance(value, Decimal) and 0 <= value < 1:
        seconds = int((value * 86400).to_integral_value())
        return time(seconds // 3600, seconds % 3600 // 60)
    if isinstance(value, str):
        clock = _clock_of_text(value)
        if clock is not None:
            return clock
    raise CellValueError(
        "is not a time of day", "type a time such as 09:30 (or 9:30 AM, 5:30 PM)"
    )


_CLOCK_TEXT = re.compile(
    r"\s*(\d{1,2})(?:[:.h](\d\d)(?::(\d\d))?)?\s*(?:([ap])\.?\s*m\.?)?\s*",
    re.IGNORECASE,
)


def _clock_of_text(text: str) -> time | None:
    match = _CLOCK_TEXT.fullmatch(text)
    if match is None:
        return None
    hour, minute, second = (int(g or 0) for g in match.groups()[:3])
    half = (match[4] or "").casefold()
    if minute > 59 or second > 59:
        return None
    if not half:
        # A bare "9" is a number, not a time.
        return time(hour, minute, second) if match[2] and hour < 24 else None
    if not 1 <= hour <= 12:
        return None
    return time(hour % 12 + (12 if half == "p" else 0), minute, second)
