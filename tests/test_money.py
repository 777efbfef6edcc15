"""Money: minor units, one rounding function, exact allocation, one currency."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetbill.domain.money import (
    CurrencyMismatchError,
    Money,
    Rounding,
    allocate,
    minor_units,
    quantum,
    round_money,
)

D = Decimal
CURRENCIES = st.sampled_from(["EUR", "USD", "JPY", "KWD", "BHD", "CHF"])


def test_minor_units_follow_iso_4217():
    assert (minor_units("JPY"), minor_units("EUR"), minor_units("KWD")) == (0, 2, 3)


@pytest.mark.parametrize(
    ("amount", "rounding", "expected"),
    [
        ("0.125", Rounding.HALF_UP, "0.13"),
        ("0.125", Rounding.HALF_EVEN, "0.12"),
        ("-0.125", Rounding.HALF_UP, "-0.13"),
        ("2.675", Rounding.HALF_UP, "2.68"),
    ],
)
def test_round_money_rounds_half_as_configured(amount, rounding, expected):
    assert round_money(D(amount), "EUR", rounding) == D(expected)


def test_round_money_uses_no_decimals_for_yen():
    assert str(round_money(D("1234.5"), "JPY", Rounding.HALF_UP)) == "1235"


def test_money_refuses_to_add_two_currencies():
    with pytest.raises(CurrencyMismatchError):
        _ = Money(D(1), "EUR") + Money(D(1), "USD")


@pytest.mark.parametrize(
    "operation",
    [
        lambda a, b: a - b,
        lambda a, b: a < b,
        lambda a, b: a <= b,
        lambda a, b: a > b,
        lambda a, b: a >= b,
    ],
    ids=["-", "<", "<=", ">", ">="],
)
def test_money_refuses_to_subtract_or_compare_two_currencies(operation):
    """100 EUR is neither more nor less than 90 USD: comparing them is a bug."""
    with pytest.raises(CurrencyMismatchError, match=r"EUR \S+ USD"):
        operation(Money(D(100), "EUR"), Money(D(90), "USD"))


@given(
    currency=CURRENCIES,
    a=st.decimals(min_value=-(10**9), max_value=10**9, places=3),
    b=st.decimals(min_value=-(10**9), max_value=10**9, places=3),
)
def test_money_in_one_currency_adds_and_compares_as_its_amounts(currency, a, b):
    x, y = Money(a, currency), Money(b, currency)
    assert x + y == Money(a + b, currency)
    assert x - y == Money(a - b, currency)
    assert (x < y, x <= y, x > y, x >= y) == (a < b, a <= b, a > b, a >= b)
    assert x + Money.zero(currency) == x


def test_money_of_two_currencies_is_never_equal():
    assert Money(D(1), "EUR") != Money(D(1), "USD")


@given(
    currency=CURRENCIES,
    amount=st.decimals(min_value=-(10**9), max_value=10**9, places=6, allow_nan=False),
    rounding=st.sampled_from(list(Rounding)),
)
def test_round_money_lands_on_the_minor_unit(currency, amount, rounding):
    rounded = round_money(amount, currency, rounding)
    assert rounded.as_tuple().exponent == -minor_units(currency)
    assert abs(rounded - amount) <= quantum(currency) / 2


@given(
    currency=CURRENCIES,
    units=st.integers(min_value=-(10**7), max_value=10**7),
    weights=st.lists(
        st.decimals(min_value=D("0.01"), max_value=D(10**6), places=2),
        min_size=1,
        max_size=30,
    ),
)
def test_allocate_shares_sum_exactly_and_stay_within_one_step(currency, units, weights):
    step = quantum(currency)
    total = step * units
    shares = allocate(total, weights, step)
    assert sum(shares) == total
    weight_sum = sum(weights)
    for share, weight in zip(shares, weights, strict=True):
        assert abs(share - total * weight / weight_sum) < step
        assert share % step == 0
