"""Text a document cannot print: cells holding a character no font of sheetbill has.

Pure: the characters the fonts can draw are read by the documents adapter and passed
in. A cell found here is an Exceptions row before any number is drawn, so no invoice
is ever printed with an empty box in place of a character.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from sheetbill.model import (
    LineGrouping,
    Order,
    Problem,
    Severity,
    SourceRow,
    TimeEntry,
)
from sheetbill.validation import BookData

# Variation selectors and the grapheme joiner are Mn, not Cf, yet drawn as nothing.
_INVISIBLE = (
    (0x034F, 0x034F),
    (0x180B, 0x180F),
    (0xFE00, 0xFE0F),
    (0xE0100, 0xE01EF),
)
_SHOWN_AT_MOST = 3
R = TypeVar("R", TimeEntry, Order)


@dataclass(frozen=True, slots=True)
class PrintableCharacters:
    """The code points the fonts draw, as sorted disjoint ranges (first, last)."""

    firsts: tuple[int, ...]
    lasts: tuple[int, ...]
    # Whether every printable ASCII character is drawn (one look-up for most cells).
    has_ascii: bool = field(init=False)
    # Characters already found drawable or drawn as nothing: a big sheet repeats them.
    _known: set[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ascii_ = all(code in self for code in range(0x20, 0x7F))
        object.__setattr__(self, "has_ascii", ascii_)
        object.__setattr__(self, "_known", set())

    @classmethod
    def from_ranges(cls, ranges: Iterable[tuple[int, int]]) -> PrintableCharacters:
        merged: list[list[int]] = []
        for first, last in sorted(ranges):
            if merged and first <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], last)
            else:
                merged.append([first, last])
        return cls(tuple(r[0] for r in merged), tuple(r[1] for r in merged))

    def __contains__(self, code: object) -> bool:
        if not isinstance(code, int):
            return False
        at = bisect_right(self.firsts, code) - 1
        return at >= 0 and code <= self.lasts[at]

    def missing(self, text: str) -> list[str]:
        """The characters of `text` that would print as an empty box, each once.

        Spaces, line breaks and format characters (joiners, variation selectors,
        direction marks, soft hyphens) are drawn as nothing and need no glyph.
        """
        if text.isascii() and text.isprintable() and self.has_ascii:
            return []  # most cells: decided without a look-up per character
        known = self._known
        if known.issuperset(text):
            return []
        found = []
        for char in dict.fromkeys(text):
            if char in known:
                continue
            if ord(char) in self or not _drawn(char):
                known.add(char)
            else:
                found.append(char)
        return found


def _drawn(char: str) -> bool:
    """False for characters shown as nothing: white space and format characters."""
    if char.isspace() or unicodedata.category(char) == "Cf":
        return False
    code = ord(char)
    return not any(first <= code <= last for first, last in _INVISIBLE)


def describe(chars: Sequence[str]) -> str:
    """E.g. `'🦄' (U+1F984 UNICORN FACE)`; at most three, then how many more."""
    shown = []
    for char in chars[:_SHOWN_AT_MOST]:
        name = unicodedata.name(char, "")
        if not name:
            category = unicodedata.category(char)
            name = {"Co": "a private-use character", "Cs": "half a surrogate pair"}.get(
                category, "a character without a name"
            )
        glyph = f"'{char}' " if char.isprintable() else ""
        shown.append(f"{glyph}(U+{ord(char):04X} {name})")
    more = len(chars) - _SHOWN_AT_MOST
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


class Glyphs(Protocol):
    """What a set of fonts can draw (PrintableCharacters, or one read as needed)."""

    def missing(self, text: str) -> list[str]:
        """The characters of `text` that would print as an empty box, each once."""
        ...


@dataclass(frozen=True, slots=True)
class UnprintableText:
    """The cells whose text cannot be printed, and what is left out because of them."""

    problems: tuple[Problem, ...] = ()
    # (schema tab, sheet row) of Time Log and Orders rows that are not billed.
    rows: frozenset[tuple[str, int]] = frozenset()
    # Customers none of whose rows are billed.
    customers: frozenset[str] = frozenset()
    # A Settings value every document prints: no invoice is made at all.
    stops_invoicing: bool = False

    def is_printable(self, source: SourceRow, customer_id: str) -> bool:
        """Whether a billable row may be billed (its own cells and its customer's)."""
        return (source.tab, source.row) not in self.rows and (
            customer_id not in self.customers
        )

    def printable(self, rows: Sequence[R]) -> list[R]:
        """The time entries or orders that may be billed."""
        return [r for r in rows if self.is_printable(r.source, r.customer_id)]

    def held(self, rows: Iterable[TimeEntry | Order]) -> list[tuple[str, int]]:
        """(tab, sheet row) of the time entries or orders that may not be billed."""
        if not self.rows and not self.customers:
            return []
        return [
            (r.source.tab, r.source.row)
            for r in rows
            if not self.is_printable(r.source, r.customer_id)
        ]


# What the documents print of each, as (column, field); the time log's depend on
# how lines are grouped (see invoicing: a line names its project and activity,
# person or nothing more; one per entry shows its description, else the project and
# activity, and the person).
SETTINGS_PRINTED = (
    ("Company Name", "company_name"),
    ("Company Street", "company_address"),
    ("Company Postcode", "company_postcode"),
    ("Company City", "company_city"),
    ("Company Tax ID", "company_tax_id"),
    ("Contact Phone", "contact_phone"),
    ("Contact Email", "contact_email"),
    ("IBAN", "iban"),
    ("BIC", "bic"),
    ("Billing Owner", "billing_owner"),
    ("Number Pattern", "number_pattern"),
    ("Credit Note Pattern", "credit_note_pattern"),
)
CUSTOMERS_PRINTED = (
    ("Customer ID", "customer_id"),
    ("Name", "name"),
    ("Street", "address"),
    ("Postcode", "postcode"),
    ("City", "city"),
    ("Tax ID", "tax_id"),
    ("Buyer Reference", "buyer_reference"),
    ("Invoice Note", "invoice_note"),
)
ORDERS_PRINTED = (("Item", "item"), ("Description", "description"))
_PROJECT, _ACTIVITY = ("Project", "project"), ("Activity", "activity")
_PERSON, _DESCRIPTION = ("Person", "person"), ("Description", "description")
TIME_LOG_PRINTED: Mapping[LineGrouping, tuple[tuple[str, str], ...]] = {
    LineGrouping.PROJECT_ACTIVITY: (_PROJECT, _ACTIVITY),
    LineGrouping.PERSON: (_PROJECT, _PERSON),
    LineGrouping.DAY: (_PROJECT,),
    LineGrouping.ENTRY: (_PROJECT, _ACTIVITY, _DESCRIPTION, _PERSON),
}


def time_log_printed(
    entry: TimeEntry, grouping: LineGrouping
) -> tuple[tuple[str, str], ...]:
    """The (column, field) pairs of a time entry its invoice line shows."""
    if grouping is LineGrouping.ENTRY and entry.description:
        return (_DESCRIPTION, _PERSON)
    return TIME_LOG_PRINTED[grouping]


def find_unprintable(
    data: BookData,
    printable: Glyphs,
    *,
    setting_rows: Mapping[str, int] | None = None,
) -> UnprintableText:
    """Every printed cell of the billable rows, the customers and the Settings that
    holds a character `printable` lacks, as an Exceptions row each.

    `setting_rows` gives the sheet row of each Settings field (by field name), so a
    problem there names its row. Only what a document prints is checked: Settings'
    company details and number patterns, customers' ID, name, address, tax ID, buyer
    reference and invoice note, orders' item and description, and the time log
    columns the Settings' Line Grouping puts into a line.
    """
    problems: list[Problem] = []
    settings = data.settings
    settings_tab = _tab(data, "Settings")
    for column, name in SETTINGS_PRINTED:
        text = getattr(settings, name)
        if chars := printable.missing(text):
            problems.append(
                _problem(
                    settings_tab,
                    (setting_rows or {}).get(name),
                    "Value",
                    text,
                    chars,
                    f"The setting '{column}' holds",
                    "Every document prints it, so no invoice is made until then.",
                )
            )
    stops = bool(problems)
    customers_tab = _tab(data, "Customers")
    customers = set()
    for customer in data.customers.values():
        for column, name in CUSTOMERS_PRINTED:
            text = getattr(customer, name)
            if chars := printable.missing(text):
                customers.add(customer.customer_id)
                problems.append(
                    _problem(
                        customers_tab,
                        customer.row,
                        column,
                        text,
                        chars,
                        f"{column} holds",
                        "None of this customer's rows are billed until then.",
                        customer.customer_id,
                    )
                )
    rows = set()
    time_tab = _tab(data, "Time Log")
    for entry in data.time_entries:
        for column, name in time_log_printed(entry, settings.line_grouping):
            text = getattr(entry, name)
            if chars := printable.missing(text):
                rows.add((entry.source.tab, entry.source.row))
                problems.append(
                    _row_problem(time_tab, entry.source.row, column, text, chars)
                )
    orders_tab = _tab(data, "Orders")
    for order in data.orders:
        for column, name in ORDERS_PRINTED:
            text = getattr(order, name)
            if chars := printable.missing(text):
                rows.add((order.source.tab, order.source.row))
                problems.append(
                    _row_problem(orders_tab, order.source.row, column, text, chars)
                )
    return UnprintableText(
        tuple(problems), frozenset(rows), frozenset(customers), stops
    )


def _tab(data: BookData, schema_name: str) -> str:
    layout = data.layouts.get(schema_name)
    return layout.tab if layout is not None else schema_name


def _row_problem(
    tab: str, row: int, column: str, text: str, chars: Sequence[str]
) -> Problem:
    return _problem(
        tab,
        row,
        column,
        text,
        chars,
        f"{column} holds",
        "The row is not billed until then.",
    )


def _problem(
    tab: str,
    row: int | None,
    column: str,
    text: str,
    chars: Sequence[str],
    holds: str,
    consequence: str,
    customer_id: str | None = None,
) -> Problem:
    return Problem(
        tab,
        row,
        column,
        text,
        f"{holds} {describe(chars)}, which no font sheetbill prints with can draw: "
        f"the PDF would show an empty box. {consequence}",
        "Remove the character or write it in words (emoji and private-use "
        "characters cannot be printed), then run again.",
        Severity.ERROR,
        customer_id,
    )
