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
