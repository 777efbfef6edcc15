"""Customer email addresses are checked for syntax (email-validator, no DNS): one
that cannot be an address is a warning on its cell, naming what is wrong."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetbill.domain.model import Severity
from sheetbill.tabs.email_addresses import cc_problem, email_problem
from sheetbill.tabs.validation import validate_book

from helpers import small_book


@pytest.mark.parametrize(
    "address",
    [
        "facturas at estudiosol",
        "anna@",
        "anna@@acme.example",
        "anna@acme",
        "anna müller@acme.example",
        "a@acme.example, b@acme.example",
        "anna@shop.test",
        "anna@acme..example",
    ],
)
def test_an_address_that_cannot_be_one_is_a_warning_on_the_email_cell(address):
    customers = [["C1", "Alpha GmbH", address, "EUR", None]]
    data = validate_book(
        small_book(customers=customers), today=date(2026, 11, 3), billed={}
    )
    [problem] = [p for p in data.problems if p.column == "Email"]
    assert (problem.tab, problem.row, problem.value) == ("Customers", 2, address)
    assert problem.severity is Severity.WARNING
    assert problem.problem.startswith("Email is not one valid email address: ")
    assert "C1" in data.customers  # the customer is still billed


@pytest.mark.parametrize(
    "address",
    ["billing@acme.example", "anna.müller@bäckerei.example", "x+tag@sub.acme.example"],
)
def test_a_real_address_passes(address):
    assert email_problem(address) is None


def test_a_wrong_address_in_cc_is_a_warning_that_names_it():
    assert cc_problem("a@acme.example; b@acme.example\nc@acme.example") is None
    customers = (
        ["Customer ID", "Name", "CC"],
        [["C1", "Alpha GmbH", "a@acme.example, b at acme"]],
    )
    book = small_book(extra={"Customers": customers})
    data = validate_book(book, today=date(2026, 11, 3), billed={})
    [problem] = [p for p in data.problems if p.column == "CC"]
    assert (problem.row, problem.severity) == (2, Severity.WARNING)
    assert "'b at acme'" in problem.problem


@given(st.text(max_size=60))
def test_email_problem_answers_for_any_text(text):
    """Never an exception: an explanation or None."""
    why = email_problem(text)
    assert why is None or (isinstance(why, str) and why)
