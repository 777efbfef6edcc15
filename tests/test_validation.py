"""Validation: every bad cell becomes one Problem naming tab, row, column and value."""

from datetime import date, datetime, time
from decimal import Decimal

import pytest

from sheetbill.domain.model import Severity
from sheetbill.tabs.billable import BilledRow
from sheetbill.tabs.rows import fingerprint
from sheetbill.tabs.validation import validate_book

from helpers import ORDER_HEADERS, TIME_HEADERS, small_book, snapshot, time_row

D = Decimal
TODAY = date(2026, 11, 2)


def problems_of(book, billed=None):
    data = validate_book(book, today=TODAY, billed=billed or {})
    return data, [(p.tab, p.row, p.column, p.problem) for p in data.problems]


def only_problem(book, billed=None):
    data, problems = problems_of(book, billed)
    assert len(problems) == 1, problems
    return data, data.problems[0]


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        (time_row(date(2026, 10, 1), "Ann", "C9", D(2)), "Customer ID", "No customer"),
        (time_row(date(2026, 10, 1), "Ann", "C1", D(-2)), "Hours", "more than 0"),
        (time_row(date(2026, 10, 1), "Ann", "C1", D(30)), "Hours", "more than 24"),
        (time_row("31.02.2026", "Ann", "C1", D(2)), "Date", "not a date"),
        (time_row(date(2026, 10, 1), "", "C1", D(2)), "Person", "empty"),
        (time_row(date(2026, 10, 1), "Ann", "C1", "lots"), "Hours", "not a number"),
        (time_row(date(2026, 12, 1), "Ann", "C1", D(2)), "Date", "future"),
    ],
)
def test_validate_time_log_reports_bad_rows_with_tab_row_column_and_value(
    row, column, words
):
    book = small_book(time_rows=[time_row(date(2026, 10, 1), "Ann", "C1", D(1)), row])
    data, problem = only_problem(book)
    assert (problem.tab, problem.row, problem.column) == ("Time Log", 3, column)
    assert words in problem.problem
    assert problem.fix
    assert len(data.time_entries) == 1  # the good row goes on


def test_validate_reports_a_tie_between_equally_specific_rates():
    rates = [
        ["C1", None, None, "Dev", D(100), "hour", None],
        ["C1", None, None, "Dev", D(110), "hour", None],
    ]
    book = small_book(
        rates=rates, time_rows=[time_row(date(2026, 10, 1), "Ann", "C1", D(1))]
    )
    _, problem = only_problem(book)
    assert "equally specific" in problem.problem and "2, 3" in problem.problem


def test_validate_reports_no_rate():
    book = small_book(
        rates=[["C2", None, None, None, D(1), "hour", "USD"]],
        time_rows=[time_row(date(2026, 10, 1), "Ann", "C1", D(1))],
    )
    _, problem = only_problem(book)
    assert "No rate applies" in problem.problem


def test_validate_reports_a_rate_in_another_currency_than_the_customer():
    rates = [[None, None, None, None, D(100), "hour", None]]  # EUR, the default
    book = small_book(
        rates=rates, time_rows=[time_row(date(2026, 10, 1), "Ann", "C2", D(1))]
    )
    _, problem = only_problem(book)
    assert "in EUR" in problem.problem and "billed in USD" in problem.problem


def test_validate_reports_a_duplicate_row_id_on_the_copy():
    rows = [
        time_row(
            date(2026, 10, 1), "Ann", "C1", D(1), invoice_no="INV-1", row_id="T-1"
        ),
        time_row(
            date(2026, 10, 1), "Ann", "C1", D(1), invoice_no="INV-1", row_id="T-1"
        ),
    ]
    _, problem = only_problem(small_book(time_rows=rows))
    assert (problem.row, problem.column) == (3, "Row ID")
    assert "also on row 2" in problem.problem


def test_validate_reports_a_billed_row_changed_since_and_does_not_bill_it_again():
    original = small_book(time_rows=[time_row(date(2026, 10, 1), "Ann", "C1", D(1))])
    data = validate_book(original, today=TODAY, billed={})
    print_ = data.time_entries[0].source.fingerprint
    billed = {"T-1": BilledRow("T-1", "Time Log", "INV-1", print_)}
    same = small_book(
        time_rows=[
            time_row(
                date(2026, 10, 1), "Ann", "C1", D(1), invoice_no="INV-1", row_id="T-1"
            )
        ]
    )
    assert problems_of(same, billed)[1] == []
    changed = small_book(
        time_rows=[
            time_row(
                date(2026, 10, 1), "Ann", "C1", D(3), invoice_no="INV-1", row_id="T-1"
            )
        ]
    )
    data, problem = only_problem(changed, billed)
    assert "billed on INV-1 but has been changed" in problem.problem
    assert data.time_entries == ()


def test_validate_does_not_rebill_a_row_whose_invoice_no_was_cleared():
    data = validate_book(
        small_book(time_rows=[time_row(date(2026, 10, 1), "Ann", "C1", D(1))]),
        today=TODAY,
        billed={},
    )
    billed = {
        "T-1": BilledRow(
            "T-1", "Time Log", "INV-1", data.time_entries[0].source.fingerprint
        )
    }
    cleared = small_book(
        time_rows=[time_row(date(2026, 10, 1), "Ann", "C1", D(1), row_id="T-1")]
    )
    data, problem = only_problem(cleared, billed)
    assert "cleared" in problem.problem and data.time_entries == ()


def test_validate_skips_unapproved_and_non_billable_rows_silently():
    rows = [
        time_row(date(2026, 10, 1), "Ann", "C1", D(1), approved="no"),
        time_row(date(2026, 10, 1), "Ann", "C1", D(1), billable="no"),
        time_row(date(2026, 10, 1), "Ann", "C1", D(1), invoice_no="done by hand"),
    ]
    data, problems = problems_of(small_book(time_rows=rows))
    assert problems == [] and data.time_entries == ()


def test_validate_matches_headers_in_any_order_case_spacing_and_aliases():
    headers = [
        "  hours ",
        "APPROVED",
        "customer_id",
        "Person",
        "date",
        "Extra Notes",
        "billable",
        "Project",
        "Activity",
    ]
    row = [D(2), "yes", "C1", "Ann", date(2026, 10, 1), "keep me", "yes", "Web", "Dev"]
    book = small_book()
    tables = dict(book.tables)
    book = snapshot(
        {
            name: (t.headers, [list(r.cells) for r in t.rows])
            for name, t in tables.items()
            if name != "Time Log"
        }
        | {"Timesheet": (headers, [row])}
    )
    data, problems = problems_of(book)
    assert problems == []
    assert data.time_entries[0].hours == 2
    assert data.layouts["Time Log"].tab == "Timesheet"


def test_validate_reads_dates_as_serials_or_iso_text_and_amounts_in_the_locale():
    rows = [
        [D(46296), "C1", "Flyers", D(1), "1.234,50", None, None, None, None],
        ["2026-10-02", "C1", "Stickers", "2", "0,5", None, None, None, None],
    ]
    book = small_book(
        order_rows=rows,
        settings=[
            ["Locale", "de_DE"],
            ["Company Name", "X"],
            ["Default Tax Rate", D(19)],
        ],
    )
    data, problems = problems_of(book)
    assert problems == []
    assert [(o.day, o.unit_price) for o in data.orders] == [
        (date(2026, 10, 1), D("1234.50")),
        (date(2026, 10, 2), D("0.5")),
    ]


def test_validate_reports_a_missing_required_column_once_for_the_tab():
    headers = [h for h in TIME_HEADERS if h != "Person"]
    book = small_book(extra={"Time Log": (headers, [[date(2026, 10, 1), "C1"]])})
    _, problem = only_problem(book)
    assert (problem.tab, problem.column) == ("Time Log", "Person")
    assert "no 'Person' column" in problem.problem


def test_validate_customer_problems_include_bad_currency_and_duplicate_id():
    customers = [
        ["C1", "Alpha", "a@x.example", "EUR", None],
        ["C1", "Alpha again", "a@x.example", "EUR", None],
        ["C2", "Beta", "not an email", "XYZ", None],
    ]
    _, problems = problems_of(small_book(customers=customers, rates=[]))
    assert ("Customers", 3, "Customer ID") in [p[:3] for p in problems]
    assert ("Customers", 4, "Currency") in [p[:3] for p in problems]
    assert ("Customers", 4, "Email") in [p[:3] for p in problems]


def test_validate_settings_bad_value_keeps_default_and_says_so():
    """A setting no invoice depends on: its default stands in, and the fix says so."""
    data, problem = only_problem(
        small_book(settings=[["Company Name", "X"], ["Reminder Schedule", "soon"]])
    )
    assert (problem.tab, problem.row, problem.column, problem.value) == (
        "Settings",
        3,
        "Value",
        "soon",
    )
    assert "Until then the default" in problem.fix
    assert data.settings.unreadable == {"reminder_schedule"}


def test_validate_settings_bad_invoice_setting_is_marked_unreadable():
    """One an invoice depends on (the due date): no invoice is made until fixed."""
    data, problem = only_problem(
        small_book(settings=[["Company Name", "X"], ["Payment Terms Days", "soon"]])
    )
    assert (problem.row, problem.value) == (3, "soon")
    assert "no invoice is made" in problem.fix
    assert data.settings.terms_days == 30
    assert data.settings.unreadable == {"terms_days"}


def test_validate_order_without_price_and_rate_is_a_problem_but_item_rate_prices_it():
    rates = [[None, None, None, "Hosting", D(49), "item", None]]
    rows = [
        [date(2026, 10, 1), "C1", "Hosting", D(1), None, None, None, None, None],
        [date(2026, 10, 1), "C1", "Shoot", D(1), None, None, None, None, None],
    ]
    data, problem = only_problem(small_book(order_rows=rows, rates=rates))
    assert data.orders[0].unit_price == 49
    assert (problem.row, problem.column) == (3, "Unit Price")
    assert problem.severity is Severity.ERROR


def test_order_headers_fixture_matches_schema():
    from sheetbill.domain.schema import ORDERS

    assert [c.name for c in ORDERS.columns] == ORDER_HEADERS


def test_row_fingerprints_stay_what_earlier_versions_stored():
    """Billed rows are compared with the fingerprint stored when they were billed, so
    the digest of the same cells must never change between versions."""
    cells = (
        date(2026, 8, 1),
        " Ann ",
        "C-1",
        Decimal("1.50"),
        None,
        True,
        datetime(2026, 8, 1, 9, 30),
        time(7, 5),
        Decimal("1E+3"),
        "",
    )
    assert fingerprint(cells) == "48e39d2fd195aacfcf5e"
