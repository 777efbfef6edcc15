"""Exact money: Decimal amounts, ISO 4217 minor units, and the one rounding rule.

The rule (docs/decisions.md): every line amount is rounded to the currency's minor
unit, then lines are summed; tax is computed per tax rate on the rounded sum of that
rate's lines (EN 16931 BR-CO-17) and spread back over the lines so that lines always add
up to the invoice. The rounding mode is half-up unless Settings say half-even.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from enum import Enum
from functools import cache

from babel.numbers import get_currency_precision, list_currencies

ZERO = Decimal(0)
HUNDRED = Decimal(100)


class Rounding(Enum):
    """How a half minor unit is rounded."""

    HALF_UP = "half-up"  # 0.125 -> 0.13: what most shops and tax offices expect
    HALF_EVEN = "half-even"  # 0.125 -> 0.12: banker's rounding, some ERPs use it

    @property
    def decimal_mode(self) -> str:
        return ROUND_HALF_UP if self is Rounding.HALF_UP else ROUND_HALF_EVEN


@cache
def known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def is_currency(code: str) -> bool:
    """True for an ISO 4217 code babel knows (EUR, JPY, KWD...)."""
    return code in known_currencies()


@cache
def minor_units(currency: str) -> int:
    """Digits after the decimal point for a currency: JPY 0, EUR 2, KWD 3."""
    return int(get_currency_precision(currency))


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def round_money(amount: Decimal, currency: str, rounding: Rounding) -> Decimal:
    """The single rounding function: amount to the currency's minor unit."""
    return amount.quantize(quantum(currency), rounding=rounding.decimal_mode)


class CurrencyMismatchError(ValueError):
    """Two amounts of different currencies were added: always a bug."""


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in one currency (an ISO 4217 code). Adding, subtracting or comparing
    amounts of two currencies raises: 100 EUR is neither more nor less than 90 USD.
    Equal means same amount and same currency."""

    amount: Decimal
    currency: str

    def __add__(self, other: Money) -> Money:
        self._check(other, "+")
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other, "-")
        return Money(self.amount - other.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._check(other, "<")
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._check(other, "<=")
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._check(other, ">")
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._check(other, ">=")
        return self.amount >= other.amount

    def _check(self, other: Money, operation: str) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatchError(f"{self.currency} {operation} {other.currency}")

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(quantum(currency) * 0, currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


def allocate(
    total: Decimal, weights: Sequence[Decimal], step: Decimal
) -> list[Decimal]:
    """Split `total` (a multiple of `step`) in proportion to `weights`, exactly.

    Largest remainder method: each share is rounded down to `step`, then the steps left
    over go to the shares with the largest remainders (earliest first on ties), so the
    shares always sum to `total` and each is within one step of its exact value.
    """
    if not weights:
        return []
    weight_sum = sum(weights, ZERO)
    if weight_sum == 0:
        shares = [ZERO * step for _ in weights]
        shares[0] = total
        return shares
    sign = Decimal(-1) if total < 0 else Decimal(1)
    units = int(abs(total) / step)
    exact = [abs(total) * w / weight_sum / step for w in weights]
    floors = [int(e.to_integral_value(rounding=ROUND_FLOOR)) for e in exact]
    # The floors sum to at most `units` and the remainders to less than len(weights),
    # so 0 <= left < len(weights): one extra step for the largest remainders.
    left = units - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [sign * step * f for f in floors]


def sum_amounts(amounts: Iterable[Decimal]) -> Decimal:
    return sum(amounts, ZERO)
