"""A retainer's period: its time rows drawn down against the included hours, and the
lines that show it (included, used and extra hours, in the customer's language).

Pure. The rule is the design's (docs/decisions.md, "Issue 16 — planner"): rows in
(day, sheet row) order, each row's hours rounded as ordinary time; the rows that fit
the hours available (included plus those carried in) make the included line at 0.00,
the row that crosses them and every row after it the extra line of its rate.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from operator import attrgetter
from typing import NamedTuple

from babel import Locale, UnknownLocaleError
from babel.dates import (
    format_date,
    format_interval,
    format_skeleton,
    parse_pattern,
    tokenize_pattern,
)
from babel.numbers import format_decimal

from sheetbill.domain.model import Settings, SourceRow, TimeEntry
from sheetbill.domain.quantities import round_hours
from sheetbill.domain.records import makes, new_record
from sheetbill.domain.tax_category import LineTax
from sheetbill.planning.invoices import PricedItem, new_priced_item

_ZERO = Decimal(0)
_ONE_DAY = timedelta(days=1)
# A retainer line's items sort after the plan's line by their first number alone.
_NO_DAY = date.min

# The words of a retainer's lines, in the languages invoices are printed in
# (documents/labels.py); any other language gets English, as its invoice does.
# included: {period}, {included}, {carried} (the carried part or ""), {used}.
_WORDS: dict[str, tuple[str, str, str]] = {
    "en": (
        "Included hours, {period}: {included} h included{carried}, {used} h used",
        " (+{hours} h carried over)",
        "Extra hours, {period}",
    ),
    "de": (
        "Inklusivstunden, {period}: {included} Std. inklusive{carried}, {used} Std. "
        "genutzt",
        " (+{hours} Std. übertragen)",
        "Zusätzliche Stunden, {period}",
    ),
    "fr": (
        "Heures incluses, {period} : {included} h incluses{carried}, {used} h "
        "utilisées",
        " (+{hours} h reportées)",
        "Heures supplémentaires, {period}",
    ),
    "es": (
        "Horas incluidas, {period}: {included} h incluidas{carried}, {used} h "
        "utilizadas",
        " (+{hours} h acumuladas)",
        "Horas adicionales, {period}",
    ),
}


# The languages recurring lines are printed in (any other: English).
LANGUAGES = tuple(_WORDS)


def line_language(language: str) -> str:
    """The language of a customer's recurring lines: the Language cell's own (`de`
    also for `de_AT` or `de-CH`) when invoices are printed in it, else English."""
    code = language.strip().casefold().replace("-", "_").partition("_")[0]
    return code if code in _WORDS else "en"


@functools.lru_cache(maxsize=64)
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language.strip().replace("-", "_") or "en")
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def label(start: date, end: date, language: str) -> str:
    """See `planning.recurring.period_label`."""
    locale = _locale(language)
    after = end + _ONE_DAY
    whole_months = start.day == 1 and after.day == 1
    months = (after.year - start.year) * 12 + after.month - start.month
    if whole_months and months == 1:
        return str(format_skeleton("yMMMM", start, locale=locale))
    if whole_months and months == 3 and start.month % 3 == 1:
        return str(format_date(start, "QQQ y", locale=locale))
    if whole_months and months == 12 and start.month == 1:
        return str(format_date(start, "y", locale=locale))
    return _range(start, end, language)


# The fields babel's `format_interval` compares, largest first, for dates.
_FIELDS = (
    ("y", attrgetter("year")),
    ("M", attrgetter("month")),
    ("d", attrgetter("day")),
)


def _range(start: date, end: date, language: str) -> str:
    """babel's `format_interval(start, end, "yMMMd")` for two dates, the CLDR way it
    does it (the pattern pair of the largest field that differs), without its
    comparing of every field babel knows: a catch-up labels thousands of periods.
    Any other case is babel's own. tests/test_recurring_plan.py checks they agree."""
    formats = _interval_patterns(language)
    if formats is not None:
        for field, value in _FIELDS:
            if value(start) != value(end) and field in formats:
                first, last = formats[field]
                return _dated(first, start, language) + _dated(last, end, language)
    return str(format_interval(start, end, _SKELETON, locale=_locale(language)))


_SKELETON = "yMMMd"
_DATE_FIELDS = {"y", "M", "d"}


@functools.lru_cache(maxsize=64)
def _interval_patterns(language: str) -> dict[str, tuple[str, str]] | None:
    """The locale's pattern pairs of the "yMMMd" interval by the field that
    differs; None when it has none, or any for another field (babel's own then)."""
    formats = _locale(language).interval_formats.get(_SKELETON)
    if formats is None or not set(formats) <= _DATE_FIELDS:
        return None
    return {field: (pair[0], pair[1]) for field, pair in formats.items()}


@functools.lru_cache(maxsize=16384)
def _dated(pattern: str, day: date, language: str) -> str:
    """One end of a range: `day` in babel's date `pattern`. babel builds a formatter
    for every call, and a catch-up has thousands of ranges: the pattern's fields are
    put in its text as babel formats them, each remembered by the one part of a date
    it reads (day, month or year; `_field`). Remembered: ranges share their ends."""
    compiled = _compiled(pattern)
    if compiled is None:
        return str(parse_pattern(pattern).apply(day, _locale(language)))
    text, fields = compiled
    return text % {name: _field(name, reads(day), language) for name, reads in fields}


# The part of a date a babel date field reads: `d` the day of the month, `M` and `L`
# the month, `y` the calendar year (CLDR's date field symbols).
_READS = {
    "d": attrgetter("day"),
    "M": attrgetter("month"),
    "L": attrgetter("month"),
    "y": attrgetter("year"),
}


@functools.lru_cache(maxsize=256)
def _compiled(
    pattern: str,
) -> tuple[str, tuple[tuple[str, attrgetter[int]], ...]] | None:
    """babel's text of a date pattern (`%(MMM)s %(d)s`) and its fields with the part
    of a date each reads; None when a field reads anything else."""
    fields = []
    for _, value in tokenize_pattern(pattern):
        if isinstance(value, tuple):  # a field (character, count); else literal text
            char, count = value
            if char not in _READS:
                return None
            fields.append((char * count, _READS[char]))
    # `format` is the %-format text (typed as babel's DateTimeFormat).
    return str(parse_pattern(pattern).format), tuple(fields)


@functools.lru_cache(maxsize=4096)
def _field(name: str, part: int, language: str) -> str:
    """babel's text of the date field `name` for `part`, the day, month or year it
    reads, formatted on a day that has it."""
    if name[0] == "d":
        day = date(2000, 1, part)
    elif name[0] == "y":
        day = date(part, 1, 1)
    else:
        day = date(2000, part, 1)
    return str(parse_pattern(name).apply(day, _locale(language)))


class Drawdown(NamedTuple):
    """A retainer's period as billed: its lines' items and its hours. Made once per
    period of a catch-up (hence a NamedTuple, `new_drawdown`)."""

    items: tuple[PricedItem, ...]
    included: Decimal
    carried_in: Decimal
    used: Decimal
    extra: Decimal
    carried_out: Decimal


@makes(Drawdown)
def new_drawdown(
    items: tuple[PricedItem, ...],
    included: Decimal,
    carried_in: Decimal,
    used: Decimal,
    extra: Decimal,
    carried_out: Decimal,
) -> Drawdown:
    """A Drawdown, the fast way (see `sheetbill.domain.records`)."""
    return new_record(Drawdown, (items, included, carried_in, used, extra, carried_out))


def draw_down(
    rows: Sequence[TimeEntry],
    *,
    included: Decimal,
    carried_in: Decimal,
    max_rollover: Decimal,
    label: str,
    language: str,
    tax: LineTax,
    settings: Settings,
) -> Drawdown:
    """The period's `rows` (in day, sheet row order) against `included` +
    `carried_in` hours: the included line (hours used within them, at 0.00; present
    when no hour was used), and one extra line per rate (a day rate's hours billed
    as days of Settings' Hours per Day). Carried out: the unused hours, at most
    `max_rollover`. `label`: the period's (`period_label`)."""
    available = included + carried_in
    hours = [round_hours(entry.hours, settings) for entry in rows]
    used = sum(hours, _ZERO)
    words = _WORDS.get(language) or _WORDS[line_language(language)]
    carried = words[1].format(hours=_hours(carried_in, language)) if carried_in else ""
    inside = words[0].format(
        period=label,
        included=_hours(included, language),
        carried=carried,
        used=_hours(used, language),
    )
    if rows:
        texts = (inside, words[2].format(period=label))
        items = _items(rows, hours, available, texts, tax, settings)
    else:  # most periods of a catch-up: the line shows that no hour was used
        items = (_included_item(_ZERO, None, inside, tax),)
    extra, carried_out = hours_after(available, used, max_rollover)
    return new_drawdown(items, included, carried_in, used, extra, carried_out)


def hours_after(
    available: Decimal, used: Decimal, max_rollover: Decimal
) -> tuple[Decimal, Decimal]:
    """A retainer period's hours once `used` are drawn from the `available` ones
    (included plus carried in): (extra, carried out). The hours beyond those
    available are billed as extra; the unused carry to the next period, at most
    `max_rollover`."""
    return (
        max(_ZERO, used - available),
        min(max_rollover, max(_ZERO, available - used)),
    )


@functools.lru_cache(maxsize=1024)
def _hours(hours: Decimal, language: str) -> str:
    """`8.5`, `8,5`: hours in the language's digits (remembered: a few values)."""
    return str(format_decimal(hours, locale=_locale(language)))


def _items(
    rows: Sequence[TimeEntry],
    hours: Sequence[Decimal],
    available: Decimal,
    texts: tuple[str, str],
    tax: LineTax,
    settings: Settings,
) -> tuple[PricedItem, ...]:
    """The included line's items, then the extra lines'. A row is the source of one
    line: the included one when all its hours fit, else the extra one of its rate
    (with the hours that did not fit)."""
    left = available
    inside: list[PricedItem] = []
    extra: list[PricedItem] = []
    rates: dict[tuple[Decimal, str], int] = {}
    crossed_within = _ZERO
    for entry, rounded in zip(rows, hours, strict=True):
        within = max(_ZERO, min(rounded, left))
        left -= rounded
        if within == rounded:
            inside.append(_included_item(rounded, entry.source, texts[0], tax))
            continue
        crossed_within += within
        rate = entry.rate
        rank = rates.setdefault((rate.rate, rate.unit), len(rates))
        quantity = rounded - within
        if rate.unit == "day":
            # Exact here; the line's sum of days is rounded once, in price_lines.
            quantity = quantity / settings.hours_per_day
        extra.append(
            new_priced_item(
                ("retainer", "extra", str(rate.rate), rate.unit),
                texts[1],
                quantity,
                rate.unit,
                rate.rate,
                tax.rate,
                entry.source,
                (2, _NO_DAY, rank),
                tax.category,
            )
        )
    if crossed_within or not inside:
        # The crossing row's hours within, which it is no source of; or the line
        # shows that no hour was used.
        inside.append(_included_item(crossed_within, None, texts[0], tax))
    return (*inside, *extra)


def _included_item(
    hours: Decimal, source: SourceRow | None, text: str, tax: LineTax
) -> PricedItem:
    return new_priced_item(
        ("retainer", "included"),
        text,
        hours,
        "hour",
        _ZERO,
        tax.rate,
        source,
        (1, _NO_DAY, 0),
        tax.category,
    )
