"""Numbers, dates and money as the customer reads them, through babel's CLDR data.

`1.234,50 €` in de_DE, `¥1,235` in en_US: one locale per document, in the language of
its labels (`customer_locale`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.languages import get_official_languages
from babel.numbers import (
    format_currency,
    format_decimal,
    format_percent,
    get_group_symbol,
)

from sheetbill.documents.labels import language_of
from sheetbill.domain.model import Customer, Settings

HUNDRED = Decimal(100)
# Where a line may break inside a number too wide for its column: after a group
# separator, never elsewhere (`breakable`).
ZERO_WIDTH_BREAK = "\u200b"
NO_BREAK_SPACE = "\u00a0"


def _parse(text: str) -> Locale | None:
    try:
        return Locale.parse(text.strip().replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def customer_locale(customer: Customer, settings: Settings) -> str:
    """The one locale of a customer's documents: labels, numbers and dates agree.

    Its language is the label language (`language_of` the customer's Language, else
    the Settings' Locale; English when there are no labels in that language). Its
    region is the first that fits of: the customer's Language + Country (`de` + `AT`
    -> de_AT), the Language cell's own region (`de_CH`), the Settings' Locale. A region
    fits when the locale is in the label language and that language is spoken there
    (an official or de facto language in CLDR): so an English invoice to a Norwegian
    customer reads `4.156 days`, never en_NO's `4,156 days`. Nothing fits: the
    language alone (`en`, `de`, `fr`, `es`). A cell babel does not know never stops an
    invoice. Rule: docs/decisions.md, "Quantities and the document locale".
    """
    language = language_of(customer.language or settings.locale)
    typed = customer.language.strip()
    country = customer.country.strip().upper()
    candidates = [typed, settings.locale]
    if typed and "_" not in typed and "-" not in typed and len(country) == 2:
        candidates.insert(0, f"{typed}_{country}")
    for candidate in candidates:
        found = _parse(candidate) if candidate else None
        if found is not None and _fits(found, language):
            return str(found)
    return language


def _fits(locale: Locale, language: str) -> bool:
    """A locale of `language` with a region where that language is spoken."""
    territory = locale.territory
    return (
        territory is not None
        and locale.language == language
        and not locale.script
        and not locale.variant
        and language in get_official_languages(territory, de_facto=True)
    )


@dataclass(frozen=True, slots=True)
class Formatter:
    """Formats values for one invoice: its currency in its customer's locale."""

    locale: str
    currency: str

    def money(self, amount: Decimal, currency: str | None = None) -> str:
        # Amounts are already rounded to the currency's minor unit (money.py), so
        # babel's own rounding to the currency digits never changes a value.
        return format_currency(amount, currency or self.currency, locale=self.locale)

    def number(self, value: Decimal, digits: int = 2) -> str:
        return format_decimal(value, format=f"#,##0.{'0' * digits}", locale=self.locale)

    def quantity(self, value: Decimal) -> str:
        """Hours, days and pieces with every decimal they have, no trailing zeros
        (`2,5` rather than `2,50`; `1,9375` days, never a rounded `1,938`): the line
        amount is this quantity times the unit price (`invoicing.billed_quantity`)."""
        return format_decimal(
            value, format="#,##0.###", locale=self.locale, decimal_quantization=False
        )

    def unit_price(self, value: Decimal) -> str:
        """A price may carry more digits than the currency (0.125 per item)."""
        return format_currency(
            value,
            self.currency,
            locale=self.locale,
            currency_digits=True,
            decimal_quantization=False,
        )

    def percent(self, rate: Decimal) -> str:
        """Tax rates are stored as percent (19 means 19 %)."""
        return format_percent(
            rate / HUNDRED, locale=self.locale, decimal_quantization=False
        )

    def date(self, value: date | None) -> str:
        return "" if value is None else format_date(value, "medium", locale=self.locale)

    def breakable(self, number: str) -> str:
        """A formatted amount or quantity that a line may break only after one of
        its group separators (`12.193.<break>234.<break>568,05 €`), with every
        space in it (before a currency sign or code) a no-break space."""
        separator = _group_after_digit(self.locale)
        marked = separator.sub(r"\g<0>" + ZERO_WIDTH_BREAK, number)
        return marked.replace(" ", NO_BREAK_SPACE)


@cache
def _group_after_digit(locale: str) -> re.Pattern[str]:
    """The locale's group separator between two digits."""
    return re.compile(rf"(?<=\d){re.escape(get_group_symbol(locale))}(?=\d)")
