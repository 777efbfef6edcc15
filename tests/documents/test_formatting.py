"""Locale formatting through babel: what the customer expects to read."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sheetbill.documents.formatting import Formatter, customer_locale
from sheetbill.documents.labels import LANGUAGES, labels_for, language_of
from sheetbill.domain.model import Customer, Settings

D = Decimal


def test_formatter_money_follows_locale_and_currency_digits():
    assert Formatter("de_DE", "EUR").money(D("1234.50")) == "1.234,50\xa0€"
    assert Formatter("en_US", "JPY").money(D("1235")) == "¥1,235"
    assert Formatter("en_US", "KWD").money(D("1.234")) == "KWD1.234"
    assert Formatter("de_CH", "CHF").money(D("-5.00")) == "CHF-5.00"


def test_formatter_quantity_percent_and_date():
    fmt = Formatter("de_DE", "EUR")
    assert fmt.quantity(D("2.50")) == "2,5"
    assert fmt.percent(D("7.5")) == "7,5\xa0%"
    assert fmt.date(date(2026, 11, 2)) == "02.11.2026"
    assert fmt.unit_price(D("0.125")) == "0,125\xa0€"


def test_customer_locale_combines_language_and_country():
    settings = Settings(locale="en_GB")
    assert (
        customer_locale(Customer(1, "C", "n", language="de", country="AT"), settings)
        == "de_AT"
    )
    assert (
        customer_locale(
            Customer(1, "C", "n", language="fr", country="Germany"), settings
        )
        == "fr"
    )
    assert (
        customer_locale(Customer(1, "C", "n", language="zz", country=""), settings)
        == "en_GB"
    )


def test_labels_for_every_language_have_the_same_keys():
    keys = set(LANGUAGES["en"])
    assert all(set(labels) == keys for labels in LANGUAGES.values())
    assert language_of("de-CH") == "de" and language_of("") == "en"
    assert labels_for("ES")["invoice"] == "Factura"
