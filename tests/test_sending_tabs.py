"""What sending reads from the tabs: Paid and Send on each Invoices row (a Paid that
is not an amount and a Send that is not a word are problems on their cells), the
Settings row Send Invoices (after review when absent), and Customers whose Name,
Email or CC hold a line break: a problem on that cell, and no email to them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from sheetbill.domain.mail import SendInvoices, SendWord
from sheetbill.domain.model import Settings, Severity
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.schema import INVOICES, SEND_WORDS, InvoiceColumns
from sheetbill.tabs.invoices import read_invoices
from sheetbill.tabs.settings import read_settings
from sheetbill.tabs.validation import locate_tabs, validate_book
from sheetbill.usecases.init import init_workbook

from helpers import SETTINGS_ROWS, small_book, snapshot

D = Decimal
HEADERS = [c.name for c in INVOICES.columns]


def _layout(*rows: dict[str, Any]):
    book = snapshot(
        {"Invoices": (HEADERS, [[r.get(h) for h in HEADERS] for r in rows])}
    )
    return locate_tabs(book, {})["Invoices"]


def _settings(locale: str = "en_US") -> Settings:
    return Settings(locale=locale)


# --- the Invoices tab ---


@pytest.mark.parametrize(
    ("cell", "currency", "locale", "paid"),
    [
        (None, "EUR", "en_US", D(0)),
        ("", "EUR", "en_US", D(0)),
        (D("1190.5"), "EUR", "en_US", D("1190.5")),
        ("1.190,50 €", "EUR", "de_DE", D("1190.50")),
        ("EUR 1,190.50", "EUR", "en_US", D("1190.50")),
        ("5000", "JPY", "en_US", D(5000)),
        (D("1E+4"), "EUR", "en_US", D(10000)),
        ("0 EUR", "EUR", "en_US", D(0)),
    ],
)
def test_paid_is_read_as_an_amount_in_the_locale_with_its_currency_beside_it(
    cell, currency, locale, paid
):
    layout = _layout({"Invoice No": "INV-1", "Paid": cell, "Currency": currency})
    [row], problems = read_invoices(layout, settings=_settings(locale))
    assert (row.paid, problems) == (paid, [])


@pytest.mark.parametrize(
    "cell", ["lots", "-5", D(-5), "100 USD", "#N/A", "1e4", "1.5E+3 EUR", "2 e 3"]
)
def test_a_paid_that_is_not_an_amount_is_an_error_on_its_cell(cell):
    layout = _layout(
        {"Invoice No": "INV-1", "Paid": cell, "Currency": "EUR", "Customer ID": "C1"}
    )
    [row], [problem] = read_invoices(layout)
    assert row.paid is None
    assert (problem.code, problem.row, problem.column, problem.severity) == (
        ProblemCode.INVOICES_BAD_PAID,
        2,
        "Paid",
        Severity.ERROR,
    )
    assert "nothing is emailed about INV-1" in problem.problem
    assert problem.customer_id == "C1"


@pytest.mark.parametrize(
    ("cell", "word"),
    [
        (None, SendWord.NONE),
        ("send", SendWord.SEND),
        (" Sent ", SendWord.SENT),
        ("RESEND", SendWord.RESEND),
    ],
)
def test_send_is_read_as_a_word(cell, word):
    [row], problems = read_invoices(_layout({"Invoice No": "INV-1", "Send": cell}))
    assert (row.send, problems) == (word, [])


def test_a_send_that_is_not_a_word_is_a_warning_and_read_as_blank():
    [row], [problem] = read_invoices(_layout({"Invoice No": "INV-1", "Send": "yes"}))
    assert row.send is None
    assert (problem.code, problem.column, problem.value, problem.severity) == (
        ProblemCode.INVOICES_BAD_SEND,
        "Send",
        "yes",
        Severity.WARNING,
    )


def test_the_rows_hand_on_sheetbill_s_cells_as_shown():
    sent_at = date(2026, 11, 3)
    [row], _ = read_invoices(
        _layout(
            {
                "Invoice No": "INV-1",
                "Due Date": date(2026, 11, 17),
                "Total": D("1190.00"),
                "Balance": D("1000.00"),
                "Sent At": sent_at,
                "Reminder Stage": "+7",
            }
        )
    )
    assert row.shown == {
        "Due Date": date(2026, 11, 17),
        "Total": D("1190.00"),
        "Balance": D("1000.00"),
        "Sent At": sent_at,
        "Reminder Stage": "+7",
    }


def test_the_send_column_stands_before_approve_with_the_send_words():
    names = [c.name for c in INVOICES.columns]
    at = names.index(InvoiceColumns.SEND)
    assert names[at - 1 : at + 2] == ["Created By", "Send", "Approve"]
    assert INVOICES.column("Send").choices == SEND_WORDS
    assert tuple(w.value for w in SendWord if w.value) == SEND_WORDS


# --- Settings ---


def _send_invoices(*rows: list[Any]):
    book = snapshot({"Settings": (["Key", "Value"], rows)})
    return read_settings(book.tables["Settings"])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("automatically", SendInvoices.AUTOMATICALLY),
        (" Automatically ", SendInvoices.AUTOMATICALLY),
        ("after review", SendInvoices.AFTER_REVIEW),
        ("After-Review", SendInvoices.AFTER_REVIEW),
        ("", SendInvoices.AFTER_REVIEW),
    ],
)
def test_send_invoices_is_read_from_settings(value, expected):
    settings, problems = _send_invoices(["Send Invoices", value])
    assert (settings.send_invoices, problems) == (expected, [])


def test_without_the_row_invoices_wait_for_review_and_a_bad_value_says_so():
    settings, _ = _send_invoices(["Locale", "en_US"])
    assert settings.send_invoices is SendInvoices.AFTER_REVIEW
    settings, [problem] = _send_invoices(["Send Invoices", "always"])
    assert settings.send_invoices is SendInvoices.AFTER_REVIEW
    assert problem.code is ProblemCode.SETTINGS_BAD_SEND_INVOICES
    assert problem.severity is Severity.WARNING
    assert "automatically or after review" in problem.fix
    assert "'after review'" in problem.fix  # the default that stands in


def test_a_new_workbook_says_send_invoices_after_review(tmp_path):
    path = tmp_path / "shop.xlsx"
    init_workbook(path)
    rows = {
        r[0]: r[1]
        for r in openpyxl.load_workbook(path)["Settings"].iter_rows(values_only=True)
    }
    assert rows["Send Invoices"] == "after review"
    headers = next(openpyxl.load_workbook(path)["Invoices"].iter_rows(values_only=True))
    assert "Send" in headers


# --- Customers ---


def _customers(name: str = "Alpha GmbH", email: str = "a@alpha.example", cc=None):
    book = small_book(
        extra={
            "Customers": (
                ["Customer ID", "Name", "Email", "CC"],
                [["C1", name, email, cc]],
            )
        },
        settings=SETTINGS_ROWS,
    )
    data = validate_book(book, today=date(2026, 11, 3), billed={})
    return data.customers["C1"], [p for p in data.problems if p.tab == "Customers"]


@pytest.mark.parametrize(
    ("column", "changes"),
    [
        ("Name", {"name": "Alpha GmbH\nBuchhaltung"}),
        ("Email", {"email": "a@alpha.example\r\nBcc: x@evil.example"}),
        ("Name", {"name": "Alpha\u2028GmbH"}),
    ],
)
def test_a_line_break_in_name_or_email_is_a_warning_and_stops_emails(column, changes):
    found, [problem] = _customers(**changes)
    assert (problem.code, problem.column, problem.row, problem.severity) == (
        ProblemCode.CUSTOMERS_LINE_BREAK,
        column,
        2,
        Severity.WARNING,
    )
    assert "nothing is emailed to this customer" in problem.problem
    assert problem.customer_id == "C1"
    assert not found.is_mailable  # billed, but never emailed


def test_cc_addresses_on_lines_of_their_own_are_fine():
    found, problems = _customers(cc="b@alpha.example\nc@alpha.example")
    assert problems == [] and found.is_mailable


def test_a_cc_line_that_is_no_address_stops_emails():
    found, [problem] = _customers(cc="b@alpha.example\r\nBcc: x@evil.example")
    assert problem.code is ProblemCode.CUSTOMERS_BAD_EMAIL and problem.column == "CC"
    assert not found.is_mailable


def test_an_invalid_email_stops_emails_and_a_valid_one_does_not():
    assert not _customers(email="a at alpha")[0].is_mailable
    assert _customers()[0].is_mailable
