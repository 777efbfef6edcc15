"""Seller and buyer addresses split the way QR codes and e-invoices need them.

The last address line `12345 City` is postcode and city; the country comes from the
Country cell, a VAT ID's prefix or the locale's region."""

from __future__ import annotations

import re
from dataclasses import dataclass

from babel import Locale, UnknownLocaleError

from sheetbill.model import Customer, Settings

POSTCODE_CITY = re.compile(
    r"^(?:[A-Z]{1,2}-)?(\d{4,5}|[A-Z0-9]{2,4} ?[A-Z0-9]{3})\s+(.+)$"
)
# Greek VAT IDs start with EL although the ISO country is GR.
VAT_PREFIX = {"EL": "GR"}


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address: free lines, then postcode, city and ISO country code."""

    lines: tuple[str, ...]
    postcode: str
    city: str
    country: str

    @property
    def street_lines(self) -> tuple[str, ...]:
        """The lines before the `postcode city` line."""
        return self.lines[:-1] if self.city else self.lines


def address_lines(text: str) -> tuple[str, ...]:
    """An Address cell's lines: split at line breaks, else at commas."""
    parts = text.splitlines() if "\n" in text else text.split(",")
    return tuple(p.strip() for p in parts if p.strip())


def country_from_tax_id(tax_id: str) -> str:
    prefix = tax_id.strip()[:2].upper()
    if len(prefix) == 2 and prefix.isalpha():
        return VAT_PREFIX.get(prefix, prefix)
    return ""


def parse_address(text: str, country: str) -> Address:
    lines = address_lines(text)
    postcode = city = ""
    if lines and (match := POSTCODE_CITY.match(lines[-1])):
        postcode, city = match[1], match[2]
    return Address(lines, postcode, city, country)


def seller_address(settings: Settings) -> Address:
    country = country_from_tax_id(settings.company_tax_id)
    if not country:
        try:
            country = Locale.parse(settings.locale).territory or ""
        except (UnknownLocaleError, ValueError, TypeError):
            country = ""
    return parse_address(settings.company_address, country)


def buyer_address(customer: Customer) -> Address:
    country = customer.country.strip().upper()
    if len(country) != 2 or not country.isalpha():
        country = country_from_tax_id(customer.tax_id)
    return parse_address(customer.address, country)
