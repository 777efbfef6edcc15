"""Text a document cannot show: cells holding a character no font of sheetbill has
(or, for one drawn in the font of the text around it, not every font has), or one no
PDF prints and no e-invoice carries (controls, text-direction overrides).

Pure: the characters the fonts can draw are read by the documents adapter and passed
in. A cell found here is an Exceptions row before any number is drawn, so no invoice
is ever printed with an empty box in place of a character, and no e-invoice fails to
be written for one.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Protocol, TypeVar

from sheetbill.domain.characters import Refusal, refusal
from sheetbill.domain.model import (
    Customer,
    Invoice,
    LineGrouping,
    Order,
    Problem,
    Severity,
    SourceRow,
    TimeEntry,
)
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.tabs.settings import setting_rows
from sheetbill.tabs.validation import BookData

_SHOWN_AT_MOST = 3
R = TypeVar("R", TimeEntry, Order)


def describe(chars: Sequence[str]) -> str:
    """E.g. `'🦄' (U+1F984 UNICORN FACE)`; at most three, then how many more."""
    shown = []
    for char in chars[:_SHOWN_AT_MOST]:
        name = unicodedata.name(char, "")
        if not name:
            category = unicodedata.category(char)
            if refusal(char, _drawn_all) is Refusal.CONTROL and category == "Cn":
                category = "noncharacter"
            name = {
                "Cc": "a control character",
                "Co": "a private-use character",
                "Cs": "half a surrogate pair",
                "noncharacter": "a noncharacter",
            }.get(category, "a character without a name")
        glyph = f"'{char}' " if char.isprintable() else ""
        shown.append(f"{glyph}(U+{ord(char):04X} {name})")
    more = len(chars) - _SHOWN_AT_MOST
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _drawn_all(code: int) -> bool:
    return True


def not_xml(text: str) -> list[str]:
    """The characters of `text` no e-invoice may carry (CONTROL), once each."""
    if text.isprintable():
        return []
    return [c for c in dict.fromkeys(text) if refusal(c, _drawn_all) is Refusal.CONTROL]


class Glyphs(Protocol):
    """What a set of fonts can draw (PrintableCharacters, or one read as needed)."""

    def missing(self, text: str) -> list[str]:
        """The characters of `text` that may not reach a document, each once."""
        ...

    def __contains__(self, code: object) -> bool:
        """Whether some font draws the code point."""
        ...


@dataclass(frozen=True, slots=True)
class UnprintableText:
    """The cells whose text cannot be printed, and what is left out because of them."""

    problems: tuple[Problem, ...] = ()
    # (schema tab, sheet row) of Time Log, Orders and Recurring rows that are not
    # billed.
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
    ("Contact Name", "contact_name"),
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
# Not printed, but carried in a customer's e-invoice XML (the buyer's email, BT-49).
CUSTOMERS_IN_E_INVOICE = (("Email", "email"),)
_SETTING_COLUMNS = {name: column for column, name in SETTINGS_PRINTED}
_CUSTOMER_COLUMNS = {
    name: column for column, name in (*CUSTOMERS_PRINTED, *CUSTOMERS_IN_E_INVOICE)
}
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


def unprintable_cells(data: BookData, printable: Glyphs) -> UnprintableText:
    """The printed cells of `data` holding a character `printable` cannot draw
    (`find_unprintable`, with the Settings rows from the Settings tab)."""
    layout = data.layouts.get("Settings")
    return find_unprintable(
        data, printable, setting_rows=setting_rows(layout.table if layout else None)
    )


def find_unprintable(
    data: BookData,
    printable: Glyphs,
    *,
    setting_rows: Mapping[str, int] | None = None,
) -> UnprintableText:
    """Every printed cell of the billable rows, the customers and the Settings that
    holds a character that may not reach a document (`refusal`, with the glyphs of
    `printable`), as an Exceptions row each.

    `setting_rows` gives the sheet row of each Settings field (by field name), so a
    problem there names its row. Only what a document prints or carries is checked:
    Settings' company details and number patterns, customers' ID, name, address, tax
    ID, buyer reference and invoice note (and the email an e-invoice carries), orders'
    item and description, recurring plans' description, and the time log columns
    the Settings' Line Grouping puts into a line.
    """
    problems: list[Problem] = []
    drawn = printable.__contains__
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
                    code=ProblemCode.PRINTABLE_UNPRINTABLE_CHARACTER,
                    drawn=drawn,
                )
            )
    stops = bool(problems)
    customers_tab = _tab(data, "Customers")
    customers = set()
    for customer in data.customers.values():
        for column, name, chars in _customer_cells(customer, printable):
            text = getattr(customer, name)
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
                    code=ProblemCode.PRINTABLE_UNPRINTABLE_CHARACTER,
                    drawn=drawn,
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
                    _row_problem(time_tab, entry.source.row, column, text, chars, drawn)
                )
    orders_tab = _tab(data, "Orders")
    for order in data.orders:
        for column, name in ORDERS_PRINTED:
            text = getattr(order, name)
            if chars := printable.missing(text):
                rows.add((order.source.tab, order.source.row))
                problems.append(
                    _row_problem(
                        orders_tab, order.source.row, column, text, chars, drawn
                    )
                )
    recurring_tab = _tab(data, "Recurring")
    for plan in data.plans:
        if chars := printable.missing(plan.description):
            rows.add(("Recurring", plan.row))
            problems.append(
                _row_problem(
                    recurring_tab,
                    plan.row,
                    "Description",
                    plan.description,
                    chars,
                    drawn,
                )
            )
    return UnprintableText(
        tuple(problems), frozenset(rows), frozenset(customers), stops
    )


def behind_a_failed_document(
    data: BookData,
    invoice: Invoice,
    *,
    setting_rows: Mapping[str, int] | None = None,
) -> list[Problem]:
    """The cells behind `invoice` holding a character no document may hold whatever
    the fonts (a control or a direction control), as an Exceptions row each naming
    the invoice: for a document that could not be made, where the cause is known.

    Every text of the customer and the Settings is looked at, printed or not, and
    the printed cells of the invoice's own rows: what `find_unprintable` missed.
    """
    number = invoice.number
    holds_for = f"The PDF of {number} was not made:"
    later = f"It is made on the next run, as {number}, once the cell is fixed."
    found: list[Problem] = []
    settings_tab = _tab(data, "Settings")
    for name, text in _texts(data.settings):
        if chars := _refused_anyway(text):
            column = _SETTING_COLUMNS.get(name, _column_of(name))
            row = (setting_rows or {}).get(name)
            holds = f"{holds_for} the setting '{column}' holds"
            found.append(
                _problem(
                    settings_tab,
                    row,
                    "Value",
                    text,
                    chars,
                    holds,
                    later,
                    code=ProblemCode.PDF_CELL_REFUSED,
                )
            )
    customer = data.customers.get(invoice.customer_id)
    if customer is not None:
        customers_tab = _tab(data, "Customers")
        for name, text in _texts(customer):
            if chars := _refused_anyway(text):
                column = _CUSTOMER_COLUMNS.get(name, _column_of(name))
                found.append(
                    _problem(
                        customers_tab,
                        customer.row,
                        column,
                        text,
                        chars,
                        f"{holds_for} {column} holds",
                        later,
                        customer.customer_id,
                        code=ProblemCode.PDF_CELL_REFUSED,
                    )
                )
    rows = {(s.tab, s.row) for s in invoice.sources}
    sources: list[tuple[SourceRow, str, tuple[tuple[str, str], ...], object]] = [
        (e.source, "Time Log", TIME_LOG_PRINTED[LineGrouping.ENTRY], e)
        for e in data.time_entries
    ]
    sources += [(o.source, "Orders", ORDERS_PRINTED, o) for o in data.orders]
    for source, schema_tab, columns, record in sources:
        if (source.tab, source.row) not in rows:
            continue
        for column, name in columns:
            text = getattr(record, name)
            if chars := _refused_anyway(text):
                found.append(
                    _problem(
                        _tab(data, schema_tab),
                        source.row,
                        column,
                        text,
                        chars,
                        f"{holds_for} {column} holds",
                        later,
                        code=ProblemCode.PDF_CELL_REFUSED,
                    )
                )
    return found


def _texts(record: object) -> list[tuple[str, str]]:
    return [
        (f.name, value)
        for f in fields(record)  # type: ignore[arg-type]
        if isinstance(value := getattr(record, f.name), str)
    ]


def _refused_anyway(text: str) -> list[str]:
    if text.isprintable():
        return []
    return [c for c in dict.fromkeys(text) if refusal(c, _drawn_all) is not None]


def _column_of(name: str) -> str:
    return name.replace("_", " ").title().replace(" Id", " ID")


def _customer_cells(
    customer: Customer, printable: Glyphs
) -> Iterator[tuple[str, str, list[str]]]:
    """(column, field, characters refused) of each of the customer's cells that holds
    a character a document of theirs may not show or carry."""
    for column, name in CUSTOMERS_PRINTED:
        if chars := printable.missing(getattr(customer, name)):
            yield column, name, chars
    # Any E-Invoice value but none: one sheetbill does not know is no reason to let
    # an XML-breaking character through.
    if customer.e_invoice.strip().lower() not in ("", "none", "no"):
        for column, name in CUSTOMERS_IN_E_INVOICE:
            if chars := not_xml(getattr(customer, name)):
                yield column, name, chars


def _tab(data: BookData, schema_name: str) -> str:
    layout = data.layouts.get(schema_name)
    return layout.tab if layout is not None else schema_name


def _row_problem(
    tab: str,
    row: int,
    column: str,
    text: str,
    chars: Sequence[str],
    drawn: Callable[[int], bool],
) -> Problem:
    return _problem(
        tab,
        row,
        column,
        text,
        chars,
        f"{column} holds",
        "The row is not billed until then.",
        code=ProblemCode.PRINTABLE_UNPRINTABLE_CHARACTER,
        drawn=drawn,
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
    *,
    code: ProblemCode,
    drawn: Callable[[int], bool] | None = None,
) -> Problem:
    """`drawn(code)` says whether some font draws a code point (None: none does)."""
    kinds: dict[Refusal, list[str]] = {}
    for char in chars:
        # A character some font draws is refused only where it stands.
        kind = refusal(char, drawn or _drawn_none) or Refusal.NOT_IN_EVERY_FONT
        kinds.setdefault(kind, []).append(char)
    found = "; and ".join(
        f"{describe(group)}, {_WHY[kind]}" for kind, group in kinds.items()
    )
    fix = "; ".join(_FIX[kind] for kind in kinds)
    return Problem(
        code=code,
        tab=tab,
        row=row,
        column=column,
        value=text,
        problem=f"{holds} {found}. {consequence}",
        fix=f"{fix[0].upper()}{fix[1:]}, then run again.",
        severity=Severity.ERROR,
        customer_id=customer_id,
    )


def _drawn_none(code: int) -> bool:
    return False


_WHY = {
    Refusal.CONTROL: "which cannot be seen (it comes along with text pasted from "
    "another program), and which no PDF can print and no e-invoice can carry",
    Refusal.DIRECTION: "a text-direction control, which would print the text around "
    "it reordered or backwards",
    Refusal.NO_GLYPH: "which no font sheetbill prints with can draw: the PDF would "
    "show an empty box",
    Refusal.NOT_IN_EVERY_FONT: "which the PDF draws in the font of the text around "
    "it (as it does a space followed by an invisible variation selector, or an "
    "annotation character), and not every font sheetbill prints with can draw it: "
    "the PDF may show an empty box",
}
_FIX = {
    Refusal.CONTROL: "type the text of the cell again (the character cannot be seen, "
    "so retyping is the surest way to remove it)",
    Refusal.DIRECTION: "remove the direction control (Arabic and Hebrew text prints "
    "in its own direction without it)",
    Refusal.NO_GLYPH: "remove the character or write it in words (emoji and "
    "private-use characters cannot be printed)",
    Refusal.NOT_IN_EVERY_FONT: "type the text around the space again (the variation "
    "selector after it cannot be seen, so retyping is the surest way to remove it), "
    "or remove the character",
}
