"""An empty required setting points at its row ("fill in its Value"); only a setting
no row names asks for a new row (which `sheetbill init` adds)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetbill.domain.model import ApprovalThreshold, Severity
from sheetbill.domain.money import Money
from sheetbill.tabs.seller import seller_problems
from sheetbill.tabs.settings import read_settings
from sheetbill.tabs.validation import locate_tabs

from helpers import snapshot, table

D = Decimal
OTHER_ROWS = [["Default Currency", "EUR"], ["Locale", "en_GB"]]


def seller_problems_of(rows):
    book = snapshot({"Settings": (["Key", "Value"], rows)})
    layout = locate_tabs(book, {})["Settings"]
    settings, problems = read_settings(layout.table)
    return settings, problems, seller_problems(settings, layout)


@pytest.mark.parametrize("key", ["Company Name", "company name", "Company"])
@pytest.mark.parametrize("value", [None, "", "   ", "\n"])
@pytest.mark.parametrize("position", [0, 1, 2])
def test_an_empty_setting_whose_row_exists_says_fill_in_its_value(key, value, position):
    rows = [*OTHER_ROWS]
    rows.insert(position, [key, value])
    settings, problems, seller = seller_problems_of(rows)
    assert problems == []
    (problem,) = [p for p in seller if "Company Name" in p.problem]
    assert (problem.tab, problem.row, problem.column) == (
        "Settings",
        position + 2,
        "Value",
    )
    assert problem.severity is Severity.ERROR  # no invoice is made without it
    assert "'Company Name' is empty" in problem.problem
    assert problem.fix.startswith("Fill in its Value")
    assert "Add a row" not in problem.fix
    assert settings.locale == "en_GB"  # the other settings are read


def test_a_setting_no_row_names_asks_for_a_row():
    _, _, seller = seller_problems_of(OTHER_ROWS)
    (problem,) = [p for p in seller if "Company Name" in p.problem]
    assert problem.row is None
    assert "Add a row with Key 'Company Name'" in problem.fix
    assert "sheetbill init" in problem.fix  # which adds the row


def test_a_filled_setting_has_no_problem():
    settings, problems, seller = seller_problems_of(
        [
            ["Company Name", "Smith & Sons"],
            ["Company Address", "1 Main St, Springfield"],
            ["IBAN", "DE89 3704 0044 0532 0130 00"],
        ]
    )
    assert (settings.company_name, problems, seller) == ("Smith & Sons", [], [])


def test_the_company_address_comes_in_parts_and_old_names_still_read():
    settings, problems = read_settings(
        table(
            "Settings",
            ["Key", "Value"],
            [
                ["Company Name", "Shop"],
                ["Company Address", "Torstraße 140"],  # the key before issue 12
                ["Company Postcode", "10119"],
                ["City", "Berlin"],
                ["Company Country", "Deutschland"],
                ["Contact Phone", "+49 30 1234567"],
                ["Contact Email", "invoices@shop.example"],
            ],
        )
    )
    assert problems == []
    assert (
        settings.company_address,
        settings.company_postcode,
        settings.company_city,
        settings.company_country,
    ) == ("Torstraße 140", "10119", "Berlin", "DE")


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        ("Company Country", "Atlantis", "is not a country"),
        ("Contact Phone", "call us", "is not a telephone number"),
        ("Contact Email", "invoices at shop", "is not one valid email address"),
    ],
)
def test_a_seller_detail_that_cannot_be_right_is_a_problem_on_its_row(key, value, says):
    _, problems = read_settings(
        table("Settings", ["Key", "Value"], [["Company Name", "Shop"], [key, value]])
    )
    (problem,) = problems
    assert (problem.row, problem.column, problem.value) == (3, "Value", value)
    assert says in problem.problem


# --- Approval Threshold: one amount per currency


def threshold_of(value, *rows):
    table_rows = [
        ["Company Name", "Test Shop"],
        *OTHER_ROWS,
        *rows,
        ["Approval Threshold", value],
    ]
    return read_settings(table("Settings", ["Key", "Value"], table_rows))


@pytest.mark.parametrize(
    ("value", "locale", "amounts"),
    [
        ("25000 EUR; 30000 USD; 4000000 JPY", "en_GB", {"EUR": 25000, "USD": 30000}),
        ("EUR 25,000\nUSD 30,000", "en_GB", {"EUR": 25000, "USD": 30000}),
        ("25.000 EUR; 30.000,50 usd", "de_DE", {"EUR": 25000, "USD": D("30000.50")}),
        ("25000; 30000 USD", "en_GB", {"EUR": 25000, "USD": 30000}),
        (D(25000), "en_GB", {"EUR": 25000}),
        ("25000 EUR;", "en_GB", {"EUR": 25000}),
    ],
)
def test_approval_threshold_reads_one_amount_per_currency(value, locale, amounts):
    """A bare amount (or a number cell) is in the Default Currency; a code goes
    before or after its amount; entries are apart by ';' or line breaks."""
    settings, problems = threshold_of(value, ["Locale", locale])
    assert problems == []
    found = {a.currency: a.amount for a in settings.approval_threshold.amounts}
    assert {c: found[c] for c in amounts} == amounts


def test_a_bare_threshold_is_in_the_default_currency_wherever_its_row_is():
    settings, _ = read_settings(
        table(
            "Settings",
            ["Key", "Value"],
            [["Approval Threshold", "4000000"], ["Default Currency", "JPY"]],
        )
    )
    assert settings.approval_threshold.amounts == (Money(D(4000000), "JPY"),)


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("25000 EURO", "not an amount and a currency code"),
        ("25000 XYZ", "XYZ is not a currency code"),
        ("EUR 25000 USD", "not an amount and a currency code"),
        ("25000 EUR; 30000 eur", "two amounts in EUR"),
        ("25000; 30000 EUR", "two amounts in EUR (a bare number is in the Default"),
        ("-5 EUR", "is negative"),
        ("USD", "not an amount and a currency code"),
        ("#N/A", "#N/A"),
    ],
)
def test_an_approval_threshold_that_cannot_be_read_stops_invoicing(value, says):
    """Never a guess: today's reader took '4000000 JPY' as 4,000,000 in every
    currency. An unreadable threshold is an error on its row, and no invoice is made
    until it is fixed (the threshold decides whether an invoice is final)."""
    settings, problems = threshold_of(value)
    (problem,) = problems
    assert (problem.row, problem.column, problem.value) == (5, "Value", value)
    assert problem.severity is Severity.ERROR
    assert says in problem.problem
    assert "no invoice is made" in problem.fix
    assert "approval_threshold" in settings.unreadable


@given(
    amounts=st.dictionaries(
        st.sampled_from(["EUR", "USD", "JPY", "KWD", "GBP"]),
        st.decimals(min_value=0, max_value=10**12, places=3),
        min_size=1,
    )
)
def test_an_approval_threshold_as_shown_reads_back_the_same(amounts):
    """Property: what the starter and demo write (`str`) reads back as it was."""
    written = str(ApprovalThreshold(tuple(Money(a, c) for c, a in amounts.items())))
    settings, problems = threshold_of(written)
    assert problems == []
    assert {
        a.currency: a.amount for a in settings.approval_threshold.amounts
    } == amounts
