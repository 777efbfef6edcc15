"""An empty required setting points at its row ("fill in its Value"); only a setting
no row names asks for a new row (which `sheetbill init` adds)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sheetbill.model import Severity
from sheetbill.seller import seller_problems
from sheetbill.settings import read_settings
from sheetbill.validation import locate_tabs

from helpers import snapshot

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
