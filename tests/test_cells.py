"""Cells: numbers, dates, yes/no and hours as people type them."""

from datetime import date, time
from decimal import Decimal

import pytest

from sheetbill.domain.cells import (
    CellValueError,
    parse_date,
    parse_hours,
    parse_number,
    parse_percent,
    parse_text,
    parse_time_of_day,
    parse_yes_no,
)
from sheetbill.domain.number_words import money_words

D = Decimal


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("1.234,50", "de_DE", "1234.50"),
        ("1,234.50", "en_US", "1234.50"),
        ("1234.5", "de_DE", "1234.5"),
        ("-3", "en_US", "-3"),
        ("1 234,50", "fr_FR", "1234.50"),
    ],
)
def test_parse_number_reads_text_in_the_locale(text, locale, expected):
    assert parse_number(text, locale=locale) == D(expected)


def test_parse_number_reads_an_amount_beside_its_own_currency_sign():
    euros = money_words("EUR", "de_DE", "customer C1 is billed in EUR")
    assert parse_number("€ 12,5", locale="de_DE", words=euros) == D("12.5")


def test_parse_number_refuses_words_and_booleans():
    for value in ("lots", True):
        with pytest.raises(CellValueError):
            parse_number(value, locale="en_US")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2026, 10, 1), date(2026, 10, 1)),
        (D(46296), date(2026, 10, 1)),
        ("2026-10-01", date(2026, 10, 1)),
        ("01.10.2026", date(2026, 10, 1)),
        ("2026-10-01T09:00", date(2026, 10, 1)),
    ],
)
def test_parse_date_accepts_dates_serials_and_text(value, expected):
    assert parse_date(value, locale="de_DE") == expected


def test_parse_date_reads_us_text_month_first():
    assert parse_date("10/01/2026", locale="en_US") == date(2026, 10, 1)


@pytest.mark.parametrize("value", ["31.02.2026", "soon", D(-5), "2026-13-01"])
def test_parse_date_refuses_impossible_dates(value):
    with pytest.raises(CellValueError):
        parse_date(value, locale="de_DE")


def test_parse_percent_reads_fraction_percent_sign_and_number_alike():
    assert {parse_percent(v, locale="en_US") for v in (D(19), "19%", D("0.19"))} == {
        D(19)
    }
    with pytest.raises(CellValueError):
        parse_percent(D(150), locale="en_US")


def test_parse_yes_no_and_hours_and_times():
    assert [parse_yes_no(v) for v in ("Yes", "x", "ja", "no", None, True)] == [
        True,
        True,
        True,
        False,
        False,
        True,
    ]
    assert parse_hours("1:30", locale="en_US") == D("1.5")
    assert parse_hours(time(2, 15), locale="en_US") == D("2.25")
    assert parse_time_of_day("9:05") == time(9, 5)
    assert parse_text(D("1001")) == "1001"
