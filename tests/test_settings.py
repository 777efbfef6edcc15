"""An empty required setting points at its row ("fill in its Value"); only a setting
no row names asks for a new row."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sheetbill.model import Severity
from sheetbill.settings import read_settings

from helpers import table

D = Decimal
OTHER_ROWS = [["Default Currency", "EUR"], ["Locale", "en_GB"]]


@pytest.mark.parametrize("key", ["Company Name", "company name", "Company"])
@pytest.mark.parametrize("value", [None, "", "   ", "\n"])
@pytest.mark.parametrize("position", [0, 1, 2])
def test_an_empty_setting_whose_row_exists_says_fill_in_its_value(key, value, position):
    rows = [*OTHER_ROWS]
    rows.insert(position, [key, value])
    settings, problems = read_settings(table("Settings", ["Key", "Value"], rows))
    (problem,) = problems
    assert (problem.tab, problem.row, problem.column) == (
        "Settings",
        position + 2,
        "Value",
    )
    assert problem.severity is Severity.WARNING
    assert "'Company Name' is empty" in problem.problem
    assert problem.fix.startswith("Fill in its Value")
    assert "Add a row" not in problem.fix
    assert settings.locale == "en_GB"  # the other settings are read


def test_a_setting_no_row_names_asks_for_a_row():
    _, problems = read_settings(table("Settings", ["Key", "Value"], OTHER_ROWS))
    (problem,) = problems
    assert problem.row is None
    assert "Add a row with Key 'Company Name'" in problem.fix


def test_a_filled_setting_has_no_problem():
    settings, problems = read_settings(
        table("Settings", ["Key", "Value"], [["Company Name", "Smith & Sons"]])
    )
    assert (settings.company_name, problems) == ("Smith & Sons", [])


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
