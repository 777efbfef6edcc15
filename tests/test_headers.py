"""A missing column names the header that looks like it ("found 'Hrs'") and a fix that
works: renaming the header, or the alias line for sheetbill.toml."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from paths import SHARED

from sheetbill.cli import main
from sheetbill.domain.model import Severity
from sheetbill.domain.schema import ORDERS, TIME_LOG, normalize_header
from sheetbill.tabs.headers import alias_line, likeness
from sheetbill.tabs.validation import validate_book

from helpers import (
    ORDER_HEADERS,
    TIME_HEADERS,
    add_settings_rows,
    small_book,
    time_row,
)

D = Decimal
TODAY = date(2026, 11, 2)
DAY = date(2026, 10, 1)
ORDER = [DAY, "C1", "Widget", D(2), D(10), None, "", None, None]


def book_with_header(tab: str, column: str, header: str):
    """The small book with one header of `tab` typed as `header`."""
    if tab == "Time Log":
        headers = [header if h == column else h for h in TIME_HEADERS]
        return small_book(
            extra={"Time Log": (headers, [time_row(DAY, "Ann", "C1", D(2))])}
        )
    headers = [header if h == column else h for h in ORDER_HEADERS]
    return small_book(extra={"Orders": (headers, [ORDER])})


def column_problems(data, tab):
    return [p for p in data.problems if p.tab == tab and p.row == 1]


@pytest.mark.parametrize(
    ("tab", "column", "header"),
    [
        ("Time Log", "Hours", "Hrs"),
        ("Time Log", "Hours", "Hours worked"),
        ("Time Log", "Person", "Persn"),
        ("Time Log", "Customer ID", "Cust ID"),
        ("Time Log", "Customer ID", "CustomerNo"),
        ("Time Log", "Date", "Dates"),
        ("Orders", "Quantity", "Quanity"),
        ("Orders", "Quantity", "Qnty"),
        ("Orders", "Item", "Items"),
        ("Orders", "Date", "Dte"),
    ],
)
def test_a_missing_required_column_names_the_header_found_and_the_fix(
    tab, column, header
):
    data = validate_book(book_with_header(tab, column, header), today=TODAY, billed={})
    (problem,) = column_problems(data, tab)
    assert (problem.column, problem.value, problem.severity) == (
        column,
        header,
        Severity.ERROR,
    )
    assert f"no '{column}' column" in problem.problem
    assert f"found '{header}'" in problem.problem
    assert f"rename its header to '{column}'" in problem.fix
    assert alias_line(tab, column, header) in problem.fix
    # Not one "is empty" per row: the tab is not read until the header is fixed.
    assert not [p for p in data.problems if p.tab == tab and p.row != 1]
    # The alias the fix names makes the tab readable.
    fixed = validate_book(
        book_with_header(tab, column, header),
        today=TODAY,
        billed={},
        aliases={tab: {column: (header,)}},
    )
    assert not [p for p in fixed.problems if p.tab == tab]
    assert len(fixed.time_entries if tab == "Time Log" else fixed.orders) == 1


REQUIRED = [
    (schema.name, c.name)
    for schema in (TIME_LOG, ORDERS)
    for c in schema.columns
    if c.required and len(c.name) >= 4
]


@given(
    st.sampled_from(REQUIRED),
    st.integers(min_value=0, max_value=30),
    st.sampled_from(["delete", "replace", "insert", "swap"]),
    st.sampled_from("abcdefghijklmnopqrstuvwxyz"),
)
def test_a_header_with_one_letter_wrong_is_named_for_its_column(
    tab_column, position, edit, letter
):
    """Whatever letter was slipped, dropped, added or swapped in a required header."""
    tab, column = tab_column
    at = position % len(column)
    header = {
        "delete": column[:at] + column[at + 1 :],
        "replace": column[:at] + letter + column[at + 1 :],
        "insert": column[:at] + letter + column[at:],
        "swap": column[:at] + column[at + 1 : at + 2] + column[at] + column[at + 2 :],
    }[edit]
    schema = TIME_LOG if tab == "Time Log" else ORDERS
    known = {normalize_header(n) for c in schema.columns for n in (c.name, *c.aliases)}
    assume(normalize_header(header) and normalize_header(header) not in known)
    data = validate_book(book_with_header(tab, column, header), today=TODAY, billed={})
    problem = next(p for p in column_problems(data, tab) if p.column == column)
    assert f"found '{header}'" in problem.problem


@pytest.mark.parametrize(
    ("header", "name"),
    [("Location", "Person"), ("Notes", "Hours"), ("Day", "Date"), ("Km", "Quantity")],
)
def test_an_unrelated_header_is_not_named(header, name):
    assert likeness(header, name) < 0.75


def test_an_optional_column_with_a_near_miss_header_is_a_warning_and_rows_go_on():
    headers = ["Descripton" if h == "Description" else h for h in TIME_HEADERS]
    row = time_row(DAY, "Ann", "C1", D(2), description="Homepage")
    data = validate_book(
        small_book(extra={"Time Log": (headers, [row])}), today=TODAY, billed={}
    )
    (problem,) = data.problems
    assert (problem.row, problem.column, problem.value, problem.severity) == (
        1,
        "Description",
        "Descripton",
        Severity.WARNING,
    )
    assert "found 'Descripton'" in problem.problem
    assert len(data.time_entries) == 1


def test_hours_is_not_missing_while_start_and_end_stand_in():
    headers = [h for h in TIME_HEADERS if h != "Hours"] + ["Start", "End"]
    row = [c for i, c in enumerate(time_row(DAY, "Ann", "C1", None)) if i != 5]
    data = validate_book(
        small_book(extra={"Time Log": (headers, [[*row, "09:00", "10:30"]])}),
        today=TODAY,
        billed={},
    )
    assert data.problems == ()
    assert data.time_entries[0].hours == D("1.5")


def check_json(*args: str, capsys) -> tuple[int, dict]:
    code = main(["check", *args, "--json", "--as-of", "2026-11-03"])
    return code, json.loads(capsys.readouterr().out)


def test_check_names_hrs_and_the_alias_line_it_suggests_works(tmp_path, capsys):
    """The case messages/hrs-header.xlsx: "Hours is empty" though the column headed
    "Hrs" holds 3. Now the message names "Hrs", and its alias line fixes it."""
    book = tmp_path / "hrs-header.xlsx"
    shutil.copyfile(SHARED / "cases" / "messages" / "hrs-header.xlsx", book)
    add_settings_rows(book)  # the case has neither, which errors ask for
    code, result = check_json(str(book), capsys=capsys)
    (problem,) = [p for p in result["exceptions"] if p["tab"] == "Time Log"]
    assert code == 1
    assert (problem["tab"], problem["row"], problem["column"], problem["value"]) == (
        "Time Log",
        1,
        "Hours",
        "Hrs",
    )
    assert "found 'Hrs'" in problem["problem"]
    line = re.search(r"the line (.+?) at the top of sheetbill.toml", problem["fix"])
    assert line is not None
    (tmp_path / "sheetbill.toml").write_text(line[1] + "\n", encoding="utf-8")
    code, result = check_json(str(book), capsys=capsys)
    assert not [p for p in result["exceptions"] if p["tab"] == "Time Log"]
    assert result["counts"]["billable time entries"] == 1
