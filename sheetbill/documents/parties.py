"""Seller and buyer addresses as QR codes, e-invoices and the printed page need them.

Street, postcode, city and country come from cells of their own (Settings rows, the
Customers columns); nothing is guessed from a free text. A workbook made before those
cells existed keeps its whole address in the street cell: it prints as typed, and
has no postcode or city to give (e-invoices that need them ask for them)."""

from __future__ import annotations

from dataclasses import dataclass

from sheetbill.domain.countries import buyer_country, country_name, seller_country
from sheetbill.domain.model import Customer, Settings

# Where the city comes before the postcode on an envelope (UPU addressing
# conventions): on one line in North America and Australia, on two in the UK.
_CITY_THEN_POSTCODE = frozenset({"US", "CA", "AU"})
_POSTCODE_BELOW_CITY = frozenset({"GB", "IE"})


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address: street lines, postcode, city and ISO country code."""

    lines: tuple[str, ...]
    postcode: str
    city: str
    country: str

    @property
    def street_lines(self) -> tuple[str, ...]:
        """The lines before postcode and city (the whole address in old workbooks)."""
        return self.lines

    @property
    def town_lines(self) -> tuple[str, ...]:
        """Postcode and city as an envelope shows them in the address's country."""
        postcode, city = self.postcode, self.city
        if not postcode or not city:
            return tuple(t for t in (postcode, city) if t)
        if self.country in _POSTCODE_BELOW_CITY:
            return (city, postcode)
        if self.country in _CITY_THEN_POSTCODE:
            return (f"{city} {postcode}",)
        return (f"{postcode} {city}",)

    def printed_lines(self, *, country_in: str = "") -> tuple[str, ...]:
        """The lines the invoice prints; with `country_in` (a language), the
        country's name last, in that language."""
        lines = (*self.street_lines, *self.town_lines)
        # An old workbook's whole address may already end in its country.
        is_structured = bool(self.postcode or self.city)
        if country_in and self.country and is_structured:
            lines = (*lines, country_name(self.country, country_in))
        return lines


def address_lines(text: str) -> tuple[str, ...]:
    """A street cell's lines: split at line breaks, else at commas."""
    parts = text.splitlines() if "\n" in text else text.split(",")
    return tuple(p.strip() for p in parts if p.strip())


def seller_address(settings: Settings) -> Address:
    return Address(
        address_lines(settings.company_address),
        settings.company_postcode.strip(),
        settings.company_city.strip(),
        seller_country(settings),
    )


def buyer_address(customer: Customer) -> Address:
    return Address(
        address_lines(customer.address),
        customer.postcode.strip(),
        customer.city.strip(),
        buyer_country(customer),
    )


def printed_addresses(
    settings: Settings, customer: Customer, language: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The seller's and the buyer's lines on the page: each names its country
    when the two are in different countries (a letter abroad needs it)."""
    seller, buyer = seller_address(settings), buyer_address(customer)
    is_abroad = bool(buyer.country and seller.country) and (
        buyer.country != seller.country
    )
    shown = language if is_abroad else ""
    return seller.printed_lines(country_in=shown), buyer.printed_lines(country_in=shown)
