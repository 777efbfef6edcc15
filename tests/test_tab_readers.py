"""One reader per input tab: each returns what it read and its problems, and changes
nothing it is given; the Time Log and the Orders share the rules of billed rows."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from types import MappingProxyType

from sheetbill.domain.model import BilledRow
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.waiting import WaitReason
from sheetbill.tabs.customers import read_customers
from sheetbill.tabs.orders import read_orders
from sheetbill.tabs.rates import read_rates
from sheetbill.tabs.settings import read_settings
from sheetbill.tabs.time_log import read_time_log
from sheetbill.tabs.validation import locate_tabs, validate_book

from helpers import small_book, time_row

D = Decimal
TODAY = date(2026, 11, 2)
DAY = date(2026, 10, 1)
ORDER = [DAY, "C1", "Box", D(2), D(5), None, None, None, None, None]


def _book():  # type: ignore[no-untyped-def]
    return small_book(
        customers=[
            ["C1", "Alpha GmbH", "a@alpha.example", "EUR", D(19)],
            ["C1", "Twice", "t@alpha.example", "EUR", D(19)],
        ],
        rates=[
            [None, None, None, None, D(100), "hour", None],
            ["C7", None, None, None, D(90), "hour", None],
        ],
        time_rows=[
            time_row(DAY, "Ann", "C1", D(2), row_id="T-1", invoice_no="INV-1"),
            time_row(DAY, "Ann", "C1", D(1)),
            time_row(DAY, "Ann", "C1", D(1), approved="no"),
            time_row(DAY, "Ann", "C9", D(1)),
        ],
        order_rows=[ORDER, [DAY, "C9", "Box", D(1), D(5)]],
    )


def test_every_reader_returns_its_rows_and_problems_and_changes_nothing_given():
    """Readers get read-only customers and billed rows and tuples of rates; what
    they return is their own, and reading twice gives the same."""
    layouts = locate_tabs(_book(), {})
    settings, _ = read_settings(layouts["Settings"].table)
    billed = MappingProxyType({"T-1": BilledRow("T-1", "Time Log", "INV-1", "x")})
    given = copy.deepcopy((layouts, billed.copy()))

    customers, customer_problems = read_customers(layouts["Customers"], settings)
    assert list(customers) == ["C1"]
    assert [p.code for p in customer_problems] == [ProblemCode.CUSTOMERS_DUPLICATE_ID]
    frozen = MappingProxyType(customers)
    rates, rate_problems = read_rates(layouts["Rates"], settings, frozen)
    assert [r.row for r in rates.rates] == [2]
    assert [a.rule.row for a in rates.set_aside] == [3]
    assert [p.code for p in rate_problems] == [ProblemCode.RATES_UNKNOWN_CUSTOMER]
    time_log, time_problems = read_time_log(
        layouts["Time Log"],
        settings,
        frozen,
        rates.rates,
        rates.set_aside,
        today=TODAY,
        billed=billed,
    )
    assert [e.source.row for e in time_log.rows] == [3]
    assert [(p.row, p.code) for p in time_problems] == [
        (2, ProblemCode.ROW_CHANGED_AFTER_BILLING),
        (5, ProblemCode.ROW_UNKNOWN_CUSTOMER),
    ]
    assert time_log.waiting == (
        ("Time Log", 4, WaitReason.NOT_APPROVED),
        ("Time Log", 5, WaitReason.HAS_PROBLEM),
    )
    assert list(time_log.open_rows) == [("Time Log", 3), ("Time Log", 5)]
    orders, order_problems = read_orders(
        layouts["Orders"], settings, frozen, rates.rates, today=TODAY, billed=billed
    )
    assert [o.source.row for o in orders.rows] == [2]
    assert [(p.row, p.code) for p in order_problems] == [
        (3, ProblemCode.ROW_UNKNOWN_CUSTOMER)
    ]

    assert copy.deepcopy((layouts, billed.copy())) == given
    again = read_time_log(
        layouts["Time Log"],
        settings,
        frozen,
        rates.rates,
        rates.set_aside,
        today=TODAY,
        billed=billed,
    )
    assert again == (time_log, time_problems)


def test_a_copied_row_id_holds_the_copy_alike_on_the_time_log_and_the_orders():
    """The rules of billed rows are written once: the same Row ID twice is the
    same problem on either tab, and only the copy is held."""
    book = small_book(
        time_rows=[
            time_row(DAY, "Ann", "C1", D(1), row_id="R-1"),
            time_row(DAY, "Ann", "C1", D(1), row_id="R-1"),
        ],
        order_rows=[[*ORDER[:8], "R-2"], [*ORDER[:8], "R-2"]],
    )
    layouts = locate_tabs(book, {})
    settings, _ = read_settings(layouts["Settings"].table)
    customers, _ = read_customers(layouts["Customers"], settings)
    rates, _ = read_rates(layouts["Rates"], settings, customers)
    time_log, time_problems = read_time_log(
        layouts["Time Log"],
        settings,
        customers,
        rates.rates,
        (),
        today=TODAY,
        billed={},
    )
    orders, order_problems = read_orders(
        layouts["Orders"], settings, customers, rates.rates, today=TODAY, billed={}
    )
    for rows, problems in ((time_log, time_problems), (orders, order_problems)):
        assert [r.source.row for r in rows.rows] == [2]
        [copied] = problems
        assert (copied.row, copied.column, copied.code) == (
            3,
            "Row ID",
            ProblemCode.ROW_COPIED,
        )
        assert copied.problem.endswith("is also on row 2; this row looks copied.")


def test_a_time_log_row_not_approved_and_with_an_error_waits_for_the_error():
    """Not approved, but its Row ID cell holds a failed formula: the row waits as
    held by an exception (fix that first), not as not approved."""
    row = time_row(DAY, "Ann", "C1", D(1), approved="no", row_id="#N/A")
    layouts = locate_tabs(small_book(time_rows=[row]), {})
    settings, _ = read_settings(layouts["Settings"].table)
    customers, _ = read_customers(layouts["Customers"], settings)
    time_log, problems = read_time_log(
        layouts["Time Log"], settings, customers, (), (), today=TODAY, billed={}
    )
    assert [p.code for p in problems] == [ProblemCode.CELL_FORMULA_FAILED]
    assert time_log.waiting == (("Time Log", 2, WaitReason.HAS_PROBLEM),)


def test_a_row_naming_a_customer_whose_own_row_has_an_error_says_so_not_unknown():
    """A Customers row with an error is not read; the rows naming it are told to
    fix that row, not to add a customer who is already there. An ID no row has is
    still unknown."""
    book = small_book(
        customers=[
            ["C1", "Alpha GmbH", "a@alpha.example", "EURO", None],
            ["C2", "Beta Inc", "b@beta.example", "USD", D(0)],
        ],
        rates=[
            [None, None, None, None, D(100), "hour", None],
            ["C1", None, None, None, D(120), "hour", "EUR"],
        ],
        time_rows=[
            time_row(date(2026, 10, 1), "Ann", "C1", D(2)),
            time_row(date(2026, 10, 1), "Ann", "C9", D(2)),
        ],
    )
    data = validate_book(book, today=date(2026, 11, 2), billed={})
    [rate] = [p for p in data.problems if p.code is ProblemCode.RATES_UNKNOWN_CUSTOMER]
    assert "Customers row 2" in rate.problem
    told = {
        p.value: p
        for p in data.problems
        if p.tab == "Time Log" and p.code is ProblemCode.ROW_UNKNOWN_CUSTOMER
    }
    assert "Customers row 2" in told["C1"].problem
    assert "Fix the customer's row" in told["C1"].fix
    assert told["C9"].problem == "No customer has the ID C9."
