"""Numbers, dates and money as the customer reads them, through babel's CLDR data.

`1.234,50 €` in de_DE, `¥1,235` in en_US: customer Language + Country, else Settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

from sheetbill.model import Customer, Settings

HUNDRED = Decimal(100)


def _parse(text: str) -> Locale | None:
    try:
        return Locale.parse(text.strip().replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def customer_locale(customer: Customer, settings: Settings) -> str:
    """`de` + `AT` -> de_AT; a bare language or a country name -> the language alone.

    A Language cell that babel does not know falls back to the Settings' Locale, and
    that to en_US, so a typo never stops an invoice.
    """
    language = customer.language.strip()
    country = customer.country.strip().upper()
    if language and "_" not in language and "-" not in language and len(country) == 2:
        found = _parse(f"{language}_{country}")
        # babel accepts any pair (en_DE exists); keep it only when it names a region.
        if found is not None and found.territory == country:
            return str(found)
    for candidate in (language, settings.locale, "en_US"):
        found = _parse(candidate) if candidate else None
        if found is not None:
            return str(found)
    return "en_US"


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
        """Hours and pieces: no trailing zeros (`2,5` rather than `2,50`)."""
        return format_decimal(value, format="#,##0.###", locale=self.locale)

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
