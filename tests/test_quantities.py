"""Quantities as billed: at most 5 decimals, days from the line's rounded hours, and
the amount always the billed quantity times the unit price (docs/decisions.md)."""

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from sheetbill.domain.model import Counters, HoursRounding, Severity
from sheetbill.domain.money import Rounding, round_money
from sheetbill.domain.quantities import QUANTITY_DECIMALS, billed_quantity, round_hours
from sheetbill.planning.invoices import plan_invoices
from sheetbill.tabs.validation import validate_book

from helpers import SETTINGS_ROWS, small_book, time_row

D = Decimal
TODAY = date(2026, 11, 2)
DAY_RATE = [[None, None, None, None, D("1234.50"), "day", None]]


def plan(book):
    data = validate_book(book, today=TODAY, billed={})
    invoices, _ = plan_invoices(
        customers=data.customers,
        entries=data.time_entries,
        orders=data.orders,
        settings=data.settings,
        today=TODAY,
        counters=Counters({}, 0),
    )
    return data, invoices


def day_rows(*hours):
    return [
        time_row(date(2026, 10, 1 + n), "Ann", "C1", h) for n, h in enumerate(hours)
    ]


def test_days_are_billed_from_the_rounded_hours_of_the_line():
    # 8 h + 7.5 h at 8 hours per day: 1.9375 days, not 1.938.
    _, (invoice,) = plan(small_book(time_rows=day_rows(D(8), D("7.5")), rates=DAY_RATE))
    (line,) = invoice.lines
    assert (line.quantity, line.net) == (D("1.9375"), D("2391.84"))
    # A quarter hour is 0.03125 days exactly (the default 0.25 h and 8 h per day).
    _, (invoice,) = plan(small_book(time_rows=day_rows(D("0.25")), rates=DAY_RATE))
    assert invoice.lines[0].quantity == D("0.03125")
    # Three hours at 7.5 hours per day are 0.4 days, not 3 x 0.1333.
    book = small_book(
        time_rows=day_rows(D(1), D(1), D(1)),
        rates=DAY_RATE,
        settings=[*SETTINGS_ROWS, ["Hours Per Day", D("7.5")]],
    )
    _, (invoice,) = plan(book)
    assert invoice.lines[0].quantity == D("0.4")


@settings(max_examples=80, deadline=None)
@given(
    # Two decimals: a three-decimal fraction of an hour such as 0.725 may be a time
    # of day stored as a fraction of a day, which is refused (tests/test_durations.py).
    hours=st.lists(
        st.decimals(min_value=D("0.01"), max_value=D(12), places=2),
        min_size=1,
        max_size=12,
    ),
    per_day=st.sampled_from([D(8), D("7.5"), D("7.6"), D(6), D(9)]),
    increment=st.sampled_from([D("0.25"), D("0.1"), D("0.01"), D(1 / 60)]),
    direction=st.sampled_from(list(HoursRounding)),
    rounding=st.sampled_from(list(Rounding)),
)
def test_a_day_line_bills_its_hours_to_five_decimals_of_a_day(
    hours, per_day, increment, direction, rounding
):
    book = small_book(
        time_rows=day_rows(*hours),
        rates=DAY_RATE,
        settings=[
            *SETTINGS_ROWS,
            ["Hours Per Day", per_day],
            ["Hours Increment", increment],
            ["Hours Rounding", direction.value],
            ["Rounding", rounding.value],
        ],
    )
    data, (invoice,) = plan(book)
    (line,) = invoice.lines
    exact = sum(round_hours(h, data.settings) for h in hours) / per_day
    assert -line.quantity.as_tuple().exponent <= QUANTITY_DECIMALS
    assert abs(line.quantity - exact) <= D("0.000005")
    assert line.quantity == billed_quantity(exact, rounding)
    assert line.net == round_money(line.quantity * D("1234.50"), "EUR", rounding)


@given(
    quantity=st.decimals(
        min_value=D(-(10**9)), max_value=D(10**9), places=9, allow_nan=False
    ),
    rounding=st.sampled_from(list(Rounding)),
)
def test_billed_quantity_keeps_five_decimals_by_the_money_rounding(quantity, rounding):
    billed = billed_quantity(quantity, rounding)
    assert -billed.as_tuple().exponent <= QUANTITY_DECIMALS
    assert abs(billed - quantity) <= D("0.000005")
    if quantity == quantity.quantize(D("0.00001")):
        assert billed == quantity


def order(quantity):
    return [
        date(2026, 10, 5),
        "C1",
        "Paper",
        quantity,
        D("3.00"),
        None,
        None,
        None,
        None,
    ]


def test_an_order_quantity_with_more_decimals_than_billed_is_a_warning():
    data, (invoice,) = plan(
        small_book(order_rows=[order(D("0.3333333")), order(D("2.5"))])
    )
    (problem,) = data.problems
    assert (problem.tab, problem.row, problem.column) == ("Orders", 2, "Quantity")
    assert problem.severity is Severity.WARNING
    assert "bills it as 0.33333." in problem.problem
    assert [li.quantity for li in invoice.lines] == [D("0.33333"), D("2.5")]
    assert invoice.lines[0].net == D("1.00")  # 0.33333 x 3.00 = 0.99999


def test_an_order_quantity_that_fits_is_billed_as_typed_without_a_word():
    typed = [D("2.5"), D("0.12345"), D(12)]
    data, (invoice,) = plan(small_book(order_rows=[order(q) for q in typed]))
    assert list(data.problems) == []
    assert [li.quantity for li in invoice.lines] == typed


def test_hours_at_a_minute_increment_bill_five_decimals():
    book = small_book(
        time_rows=day_rows(D("0.3333")),
        settings=[*SETTINGS_ROWS, ["Hours Increment", D(1 / 60)]],
    )
    _, (invoice,) = plan(book)
    assert invoice.lines[0].quantity == D("0.33333")
    assert invoice.lines[0].net == D("33.33")  # 0.33333 h x 100 = 33.333


def test_settings_rounding_applies_to_quantities_as_to_money():
    half = D("1.000005")
    assert billed_quantity(half, Rounding.HALF_UP) == D("1.00001")
    assert billed_quantity(half, Rounding.HALF_EVEN) == D(1)
    assert billed_quantity(D("0.000005"), Rounding.HALF_UP) == D("0.00001")
    assert billed_quantity(D("0.000005"), Rounding.HALF_EVEN) == 0
