"""Reading one row of a known tab: cells by column name, problems instead of errors.

The pieces every tab reader uses: where a tab's columns are (`TabLayout`), a row
reader that collects problems (`RowReader`), parsers that remember repeated cell
values, and the fingerprint that notices edits to a billed row.
"""

from __future__ import annotations

import functools
import hashlib
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TypeVar

from sheetbill.domain.cells import (
    ERROR_VALUES,
    MAX_CELL_TEXT,
    TOO_LONG_FIX,
    TOO_LONG_PROBLEM,
    CellValueError,
    formula_problem,
    other_date_reading,
    parse_date,
    parse_number,
    parse_text,
    parse_yes_no,
    show,
    show_serial,
    spelled_date,
    text_date_order,
)
from sheetbill.domain.model import Problem, Settings, Severity
from sheetbill.domain.number_words import NumberWords, money_words
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.schema import ColumnMap, Owner, TabSchema
from sheetbill.domain.sheet import (
    CellValue,
    SerialFormat,
    SheetRow,
    Table,
    UnsavedFormula,
)

T = TypeVar("T")

# How many distinct values of one column a parser remembers (dates, hours, yes/no).
REMEMBERED_VALUES = 1 << 16


@dataclass(frozen=True, slots=True)
class TabLayout:
    """Where a known tab stands in the workbook and where its columns are."""

    schema: TabSchema
    table: Table
    columns: ColumnMap
    # Where RowReader finds each schema column in a row padded to `padded_width`:
    # a column the tab lacks points past every column used (the user's own columns
    # too, headed or not), at a blank.
    cell_index: Mapping[str, int] = field(init=False)
    padded_width: int = field(init=False)

    def __post_init__(self) -> None:
        known = self.columns.positions
        rows = self.table.rows
        blank = max(
            max(known.values(), default=-1) + 1,
            len(self.table.headers),
            max(map(len, (row.cells for row in rows)), default=0),
        )
        index = {c.name: known.get(c.name, blank) for c in self.schema.columns}
        object.__setattr__(self, "cell_index", index)
        object.__setattr__(self, "padded_width", blank + 1)

    @property
    def tab(self) -> str:
        return self.table.tab


class RowReader:
    """Reads one row's cells by column name, collecting problems instead of raising."""

    __slots__ = ("cells", "customer_id", "layout", "positions", "problems", "row")

    def __init__(self, layout: TabLayout, row: SheetRow, settings: Settings) -> None:
        self.layout = layout
        self.row = row
        cells = row.cells
        short = layout.padded_width - len(cells)
        # Padded once, so each read below is a plain index (a big tab has 100k rows).
        self.cells = cells + (None,) * short if short > 0 else cells
        self.positions = layout.cell_index
        self.problems: list[Problem] = []
        self.customer_id: str | None = None

    def raw(self, column: str) -> CellValue:
        return self.cells[self.positions[column]]

    def serial_format(self, column: str) -> SerialFormat | None:
        """How the sheet shows this cell's number when it is a date, time or duration
        that the backend handed over as a number of days (Google Sheets); else None."""
        formats = self.layout.table.serial_formats
        if not formats:
            return None
        position = self.layout.columns.positions.get(column)
        if position is None:
            return None
        return formats.get((self.row.number, position))

    def text(self, column: str) -> str:
        """The cell as trimmed text; "" (and the row's error) for a failed formula
        (#N/A) or one without a saved result, whose text must never be printed."""
        value = self.cells[self.positions[column]]
        if value.__class__ is str:
            if len(value) > MAX_CELL_TEXT:
                self._too_long(column)
            text = value.strip()
            if text[:1] == "#" and text.upper() in ERROR_VALUES:
                self._formula_failed(column)
                return ""
            return text
        if value is None:
            return ""
        if value.__class__ is UnsavedFormula:
            self._formula_failed(column)
            return ""
        return parse_text(value)

    def _too_long(self, column: str) -> None:
        """A text no cell can hold makes its row an error (once per column)."""
        code = ProblemCode.CELL_TOO_LONG
        if not self._has(column, code):
            self.fail(
                column,
                f"{column} {TOO_LONG_PROBLEM}.",
                TOO_LONG_FIX[0].upper() + TOO_LONG_FIX[1:] + ".",
                code=code,
            )

    def _formula_failed(self, column: str) -> None:
        """A text cell whose formula failed makes its row an error (once per column)."""
        error = formula_problem(self.raw(column))
        code = ProblemCode.CELL_FORMULA_FAILED
        if not self._has(column, code):
            problem = (
                f"{column} {error.problem}." if error else f"{column} is unreadable."
            )
            fix = error.fix if error else "type the value"
            self.fail(column, problem, fix[0].upper() + fix[1:] + ".", code=code)

    def _has(self, column: str, code: ProblemCode) -> bool:
        return any(p.column == column and p.code is code for p in self.problems)

    def fail(
        self,
        column: str,
        problem: str,
        fix: str,
        *,
        code: ProblemCode,
        value: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        if value is None:
            kind = self.serial_format(column)
            raw = self.raw(column)
            shown = show(raw) if kind is None else show_serial(raw, kind)
        else:
            shown = value
        self.problems.append(
            Problem(
                code=code,
                tab=self.layout.tab,
                row=self.row.number,
                column=column,
                value=shown,
                problem=problem,
                fix=fix,
                severity=severity,
                customer_id=self.customer_id,
            )
        )

    def required_text(self, column: str) -> str:
        text = self.text(column)
        if not text and formula_problem(self.raw(column)) is None:
            self._empty(column)
        return text

    def parsed(
        self, column: str, parser: Callable[[CellValue], T], *, required: bool = False
    ) -> T | None:
        raw = self.cells[self.positions[column]]
        if raw is None or (raw.__class__ is str and not raw.strip()):
            if required:
                self._empty(column)
            return None
        if raw.__class__ is str and len(raw) > MAX_CELL_TEXT:
            self._too_long(column)
            return None
        try:
            return parser(raw)
        except CellValueError as exc:
            self.fail(
                column,
                f"{column} {exc.problem}.",
                exc.fix[0].upper() + exc.fix[1:] + ".",
                code=exc.code,
            )
            return None

    def _empty(self, column: str) -> None:
        self.fail(
            column,
            f"{column} is empty.",
            f"Fill in the {column}.",
            code=ProblemCode.CELL_EMPTY,
        )

    @property
    def ok(self) -> bool:
        return not self.problems or not any(
            p.severity is Severity.ERROR for p in self.problems
        )


class TextDates:
    """Text dates that name another day read the other way round (3/11/2026): the
    first such cell, the next few and how many, for one warning per run rather than
    one per cell."""

    __slots__ = ("count", "found", "locale")

    # How many of the other cells the warning names, after the first.
    NAMED = 5

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self.count = 0
        self.found: list[tuple[str, int, str, str, date, date]] = []

    def note(self, tab: str, row: int, column: str, value: CellValue) -> None:
        """Remember the cell if it holds such a text date."""
        if value.__class__ is not str:
            return
        other = other_date_reading(value, locale=self.locale)
        if other is None:
            return
        self.count += 1
        if len(self.found) <= self.NAMED:
            read_as = parse_date(value, locale=self.locale)
            self.found.append((tab, row, column, show(value), read_as, other))

    def problems(self) -> list[Problem]:
        """One warning naming the first cell and how it was read, then the next few
        cells, and how many more."""
        if not self.found:
            return []
        (tab, row, column, value, read_as, other), *named = self.found
        more = self.count - 1
        others = ""
        if more:
            cells = [
                f"{t} row {r} ({c} {v}, read as {spelled_date(d)})"
                for t, r, c, v, d, _ in named
            ]
            if more > len(named):
                cells.append(f"{more - len(named)} more")
            listed = " and ".join(cells) if len(cells) < 3 else _listed(cells)
            others = (
                f" {more} more text date{'s' if more > 1 else ''} in the workbook "
                f"could be read either way: {listed}."
            )
        return [
            Problem(
                code=ProblemCode.CELL_AMBIGUOUS_DATE,
                tab=tab,
                row=row,
                column=column,
                value=value,
                problem=f"{column} {value} is read as {spelled_date(read_as)} "
                f"({text_date_order(value, self.locale)}); read the other "
                f"way round it would be {spelled_date(other)}.{others}",
                fix="If that is what you meant, nothing needs doing. Otherwise type "
                f"dates as {other.isoformat()} (year-month-day) or format the cells "
                "as dates; if all your dates are written the other way round, change "
                "the Locale in Settings.",
                severity=Severity.WARNING,
            )
        ]


def _listed(items: Sequence[str]) -> str:
    return ", ".join(items[:-1]) + ", and " + items[-1]


def fingerprint(cells: Sequence[CellValue]) -> str:
    """A short digest of cell values as a person sees them (1.0 and 1 are the same)."""
    shown = _shown
    text = "\x1f".join([p if type(p) is str else shown(p) for p in cells])
    return _blake2b(text.encode(), digest_size=10).hexdigest()


_blake2b = hashlib.blake2b
# Dates, numbers and blanks repeat down a column; text is shown as it is.
_shown = functools.lru_cache(maxsize=REMEMBERED_VALUES, typed=True)(show)


def locale_parser(
    parse: Callable[..., T], settings: Settings
) -> Callable[[CellValue], T]:
    return _parser_in_locale(parse, settings.locale)


@functools.cache
def _parser_in_locale(parse: Callable[..., T], locale: str) -> Callable[[CellValue], T]:
    return remembered(functools.partial(parse, locale=locale))


def number_parser(
    settings: Settings, words: NumberWords
) -> Callable[[CellValue], Decimal]:
    """`parse_number` in the Settings' locale, allowing `words` beside the number."""
    return _number_in(settings.locale, words)


def money_parser(
    settings: Settings, currency: str, billed: str
) -> Callable[[CellValue], Decimal]:
    """`parse_number` for an amount in `currency`: its code or sign may stand beside
    it; `billed` says whose currency it is, for the message about another one."""
    return _number_in(settings.locale, money_words(currency, settings.locale, billed))


@functools.cache
def _number_in(locale: str, words: NumberWords) -> Callable[[CellValue], Decimal]:
    return remembered(functools.partial(parse_number, locale=locale, words=words))


def remembered(parse: Callable[[CellValue], T]) -> Callable[[CellValue], T]:
    """`parse` keeping its answers: a column repeats a few values thousands of times.

    Keyed by type and value, so TRUE and 1, or a date and a datetime, stay apart.
    A value that fails is parsed again each time (its error is raised afresh).
    """
    return functools.lru_cache(maxsize=REMEMBERED_VALUES, typed=True)(parse)


yes_no = remembered(parse_yes_no)


def fingerprint_cells(
    layout: TabLayout,
) -> Callable[[Sequence[CellValue]], tuple[CellValue, ...]]:
    """The billing-relevant cells of a (padded) row: all human columns that are not
    sheetbill's own, in schema order."""
    columns = [
        layout.columns.positions[c.name]
        for c in layout.schema.columns
        if c.owner is Owner.HUMAN
        and c.name in layout.columns.positions
        and c.name != "Work Complete"
    ]
    if len(columns) == 1:  # itemgetter of one index gives the cell, not a tuple
        return lambda cells: (cells[columns[0]],)
    if not columns:
        return lambda cells: ()
    return operator.itemgetter(*columns)
