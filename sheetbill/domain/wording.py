"""Counts and amounts in what sheetbill says: `1 invoice`, `3 invoices` (never
`invoice(s)`), `2,345,678.90 EUR`."""

from __future__ import annotations

from decimal import Decimal

from sheetbill.domain.money import minor_units


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`count` and the noun in the number it needs: `1 line`, `0 lines`, `2 PDFs`;
    `plural` for a noun that does not just take an -s (`entry`, `entries`)."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def amount_text(amount: Decimal, currency: str) -> str:
    """`2,345,678.90 EUR`, `1,143,450 JPY`: thousands separated, in the currency's
    minor units (ISO 4217), its code after the number."""
    return f"{amount:,.{minor_units(currency)}f} {currency}"
