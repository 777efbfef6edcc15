"""A word beside a number is read, never dropped (break-it report, point 1).

"20 min" was billed as 20 hours, "1.5k" as 1.50 and "12 USD" as €12: any word of up to
five letters around a number was thrown away. Now a cell may hold, beside its number,
only what its column means: the row's currency (its code or sign) in a money column, a
unit of hours (or minutes, converted) in Hours, days in Terms Days, a percent sign in a
tax rate. Any other word is an exception naming the cell, never a guessed number.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sheetbill.domain.cells import (
    CellValueError,
    parse_hours,
    parse_number,
    parse_percent,
)
from sheetbill.domain.model import ApprovalThreshold
from sheetbill.domain.money import Money
from sheetbill.domain.number_words import (
    DAYS,
    HOURS,
    MINUTE_WORDS,
    PERCENT,
    PLAIN,
    NumberWords,
    money_words,
)
from sheetbill.tabs.settings import read_settings
from sheetbill.tabs.validation import validate_book

from helpers import SETTINGS_ROWS, small_book, table, time_row

D = Decimal
TODAY = date(2026, 11, 20)
EUROS = money_words("EUR", "en_US", "customer C1 is billed in EUR")

# Words people write beside numbers: units, multipliers, currencies, signs.
WORDS = [
    "k", "K", "Mio", "mn", "bn", "x", "days", "day", "d", "wk", "m", "min", "Min",
    "mins", "minutes", "h", "H", "hrs", "Std", "heures", "s", "sec", "%", "pct",
    "EUR", "eur", "€", "USD", "$", "US$", "£", "GBP", "¥", "JPY", "CHF", "Fr",
    "pcs", "Stk", "ea", "€/h", "/h", "EURO", "euros", "ca",
]  # fmt: skip
KINDS: list[tuple[str, NumberWords]] = [
    ("plain", PLAIN),
    ("percent", PERCENT),
    ("hours", HOURS),
    ("days", DAYS),
    ("euros", EUROS),
    ("dollars", money_words("USD", "en_US", "customer C2 is billed in USD")),
    ("yen", money_words("JPY", "ja_JP", "customer C3 is billed in JPY")),
]


def word_text() -> st.SearchStrategy[str]:
    """Any word without digits or a sign (+, -): letters, currency signs, %, /."""
    letters = st.characters(categories=("L", "Sc"), include_characters="%/'")
    return st.sampled_from(WORDS) | st.text(letters, min_size=1, max_size=6)


@settings(max_examples=600, deadline=None)
@given(
    number=st.decimals(
        min_value=D("-1e6"), max_value=D("1e6"), places=2, allow_nan=False
    ),
    word=word_text(),
    before=st.booleans(),
    space=st.sampled_from(["", " ", "\u00a0"]),
    kind=st.sampled_from(KINDS),
)
@example(number=D(20), word="min", before=False, space=" ", kind=KINDS[2])
@example(number=D("1.5"), word="k", before=False, space="", kind=KINDS[4])
@example(number=D(12), word="USD", before=False, space=" ", kind=KINDS[4])
@example(number=D(40), word="£", before=True, space="", kind=KINDS[4])
def test_a_number_with_any_word_is_read_exactly_or_refused(
    number, word, before, space, kind
):
    """Property: a number typed with a word beside it reads as exactly that number
    when its column allows the word (hours: minutes are divided by 60), and is
    refused otherwise; it never reads as another number."""
    _, words = kind
    shown = format(number, "f")
    text = f"{word}{space}{shown}" if before else f"{shown}{space}{word}"
    parse = parse_hours if words is HOURS else parse_number
    try:
        read = (
            parse_hours(text, locale="en_US")
            if parse is parse_hours
            else parse_number(text, locale="en_US", words=words)
        )
    except CellValueError:
        return
    folded = word.casefold()
    assert folded in words.allowed, (text, read)
    if words is HOURS and folded in MINUTE_WORDS:
        assert read == number / 60
    else:
        assert read == number


@pytest.mark.parametrize(
    ("text", "locale", "hours"),
    [
        ("20 min", "en_US", D(20) / 60),
        ("45 mins", "en_US", D("0.75")),
        ("90 Minuten", "de_DE", D("1.5")),
        ("1.5 h", "en_US", D("1.5")),
        ("2 hrs", "en_US", D(2)),
        ("7,5 Std", "de_DE", D("7.5")),
        ("8 heures", "fr_FR", D(8)),
    ],
)
def test_hours_read_an_hours_unit_and_convert_minutes(text, locale, hours):
    assert parse_hours(text, locale=locale) == hours


def test_hours_with_a_unit_are_never_taken_for_a_time_of_day():
    """0.35416… alone looks like 8:30 stored as a day fraction; typed with "h" it
    says it is hours."""
    with pytest.raises(CellValueError, match="8:30"):
        parse_hours("0.354166667", locale="en_US")
    assert parse_hours("0.354166667 h", locale="en_US") == D("0.354166667")


@pytest.mark.parametrize("text", ["3 days", "2 wk", "20 m", "1.5 k", "12 EUR"])
def test_hours_refuse_any_other_word_naming_it_and_what_to_type(text):
    with pytest.raises(CellValueError) as refused:
        parse_hours(text, locale="en_US")
    word = text.split()[1]
    assert refused.value.problem.startswith(f"has '{word}' beside the number")
    assert "45 min" in refused.value.fix and "1:30" in refused.value.fix


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("1.5k", "has 'k' beside the number; only EUR or € may stand there"),
        ("2 Mio", "has 'Mio' beside the number; only EUR or € may stand there"),
        ("12 USD", "is an amount in USD, but customer C1 is billed in EUR"),
        ("£40", "is an amount in GBP, but customer C1 is billed in EUR"),
        ("$ 40", "is an amount in USD, but customer C1 is billed in EUR"),
        ("19 %", "has '%' beside the number; only EUR or € may stand there"),
    ],
)
def test_an_amount_refuses_another_currency_and_any_other_word(text, problem):
    with pytest.raises(CellValueError) as refused:
        parse_number(text, locale="en_US", words=EUROS)
    assert refused.value.problem == problem


@pytest.mark.parametrize("text", ["EUR 12", "12 EUR", "12eur", "€12", "12 €"])
def test_an_amount_reads_its_own_currency_code_or_sign(text):
    assert parse_number(text, locale="en_US", words=EUROS) == D(12)


def test_a_currency_sign_another_currency_has_in_the_locale_is_refused():
    """In en_CA "$" is the Canadian dollar: it is not read as US dollars there."""
    us_in_canada = money_words("USD", "en_CA", "customer C2 is billed in USD")
    assert parse_number("US$ 12", locale="en_CA", words=us_in_canada) == D(12)
    with pytest.raises(CellValueError, match="is an amount in CAD"):
        parse_number("$12", locale="en_CA", words=us_in_canada)
    us_at_home = money_words("USD", "en_US", "customer C2 is billed in USD")
    assert parse_number("$12", locale="en_US", words=us_at_home) == D(12)


@pytest.mark.parametrize("text", ["ca. 12", "EUR.12", "EUR,5"])
def test_a_point_after_a_word_is_not_a_decimal_point(text):
    """ "ca. 12" is not 0.12."""
    with pytest.raises(CellValueError):
        parse_number(text, locale="en_US", words=EUROS)


def test_a_tax_rate_takes_a_percent_sign_and_nothing_else():
    assert parse_percent("19 %", locale="en_US") == D(19)
    with pytest.raises(CellValueError, match="only a percent sign"):
        parse_percent("19 VAT", locale="en_US")


def test_the_break_it_workbook_bills_no_guessed_number():
    """The report's rows: each word that is not the column's is an exception on its
    cell and the row is not billed; "20 min" is a third of an hour."""
    order_rows = [
        [TODAY, "C1", f"I{i}", D(1), price, None, None, None, None]
        for i, price in enumerate(["1.5k", "12 USD", "2 Mio", "£40", "€40", "12 EUR"])
    ]
    book = small_book(
        time_rows=[
            time_row(TODAY, "Ann", "C1", "20 min"),
            time_row(TODAY, "Ann", "C1", "3 days"),
            time_row(TODAY, "Ann", "C1", "45 mins"),
        ],
        order_rows=order_rows,
    )
    data = validate_book(book, today=TODAY, billed={})
    problems = {(p.tab, p.row, p.column, p.value): p for p in data.problems}
    assert set(problems) == {
        ("Time Log", 3, "Hours", "3 days"),
        ("Orders", 2, "Unit Price", "1.5k"),
        ("Orders", 3, "Unit Price", "12 USD"),
        ("Orders", 4, "Unit Price", "2 Mio"),
        ("Orders", 5, "Unit Price", "£40"),
    }
    assert problems[("Orders", 3, "Unit Price", "12 USD")].problem == (
        "Unit Price is an amount in USD, but customer C1 is billed in EUR."
    )
    assert [e.hours for e in data.time_entries] == [D(20) / 60, D("0.75")]
    assert [(o.source.row, o.unit_price) for o in data.orders] == [
        (6, D(40)),
        (7, D(12)),
    ]


def test_a_rate_reads_its_rows_currency_or_its_customers():
    rates = [
        [None, None, None, None, "100 EUR", "hour", None],  # default: EUR
        ["C2", None, None, None, "150 $", "hour", None],  # C2 is billed in USD
        ["C3", None, None, None, "12000 EUR", "hour", "JPY"],
        [None, None, None, "Ops", "90 k", "hour", None],
    ]
    data = validate_book(small_book(rates=rates), today=TODAY, billed={})
    assert [(r.row, r.rate) for r in data.rates] == [(2, D(100)), (3, D(150))]
    assert [(p.row, p.column, p.problem) for p in data.problems] == [
        (4, "Rate", "Rate is an amount in EUR, but the row's Currency is JPY."),
        (5, "Rate", "Rate has 'k' beside the number; only EUR or € may stand there."),
    ]


@pytest.mark.parametrize(
    ("key", "value", "field", "expected"),
    [
        ("Hours Increment", "15 min", "hours_increment", D("0.25")),
        ("Hours Per Day", "8 h", "hours_per_day", D(8)),
        ("Payment Terms Days", "30 days", "terms_days", 30),
        (
            "Approval Threshold",
            "5000 €",
            "approval_threshold",
            ApprovalThreshold((Money(D(5000), "EUR"),)),
        ),
        ("Default Tax Rate", "19 %", "default_tax_rate", D(19)),
    ],
)
def test_settings_read_their_own_unit(key, value, field, expected):
    rows = [*SETTINGS_ROWS, [key, value]]
    settings_, problems = read_settings(table("Settings", ["Key", "Value"], rows))
    assert getattr(settings_, field) == expected and problems == []


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("Hours Increment", "1 day", "has 'day' beside the number"),
        ("Payment Terms Days", "2 weeks", "has 'weeks' beside the number"),
        ("Approval Threshold", "5k", "has 'k' beside the number"),
    ],
)
def test_settings_refuse_another_word(key, value, problem):
    rows = [*SETTINGS_ROWS, [key, value]]
    _, problems = read_settings(table("Settings", ["Key", "Value"], rows))
    (found,) = problems
    assert found.value == value and problem in found.problem


def test_orders_quantity_takes_no_word():
    rows = [[TODAY, "C1", "Mug", "3 pcs", D(5), None, None, None, None]]
    data = validate_book(small_book(order_rows=rows), today=TODAY, billed={})
    (problem,) = data.problems
    assert (problem.column, problem.value) == ("Quantity", "3 pcs")
    assert problem.problem == (
        "Quantity has 'pcs' beside the number; only a number may stand there."
    )
    assert data.orders == ()
