"""Invoices: grouping, hours rounding, rate precedence, totals that always add up."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from sheetbill.domain.model import (
    Counters,
    HoursRounding,
    LineGrouping,
    Settings,
    TaxMode,
)
from sheetbill.domain.money import Rounding, minor_units, quantum, round_money
from sheetbill.domain.quantities import round_hours
from sheetbill.planning.invoices import compute_amounts, plan_invoices
from sheetbill.tabs.validation import validate_book

from helpers import small_book, time_row

D = Decimal
TODAY = date(2026, 11, 2)


def plan(book, **kwargs):
    data = validate_book(book, today=TODAY, billed={})
    invoices, after = plan_invoices(
        customers=data.customers,
        entries=data.time_entries,
        orders=data.orders,
        settings=kwargs.get("settings", data.settings),
        today=TODAY,
        counters=kwargs.get("counters", Counters({}, 0)),
    )
    return data, invoices, after


def assert_adds_up(invoice):
    assert invoice.net == sum(li.net for li in invoice.lines)
    assert invoice.tax == sum(li.tax for li in invoice.lines)
    assert invoice.total == invoice.net + invoice.tax
    for line in invoice.lines:
        assert line.net + line.tax == line.total
        assert line.total.as_tuple().exponent == -minor_units(invoice.currency)
    assert sum(b.net for b in invoice.breakdown) == invoice.net
    assert sum(b.tax for b in invoice.breakdown) == invoice.tax


def test_plan_invoices_makes_one_invoice_per_customer_and_currency():
    book = small_book(
        time_rows=[
            time_row(date(2026, 10, 1), "Ann", "C1", D(2)),
            time_row(date(2026, 10, 2), "Ann", "C1", D(3)),
            time_row(date(2026, 10, 2), "Bob", "C2", D(1)),
            time_row(date(2026, 10, 3), "Bob", "C3", D("1.5")),
        ]
    )
    _, invoices, after = plan(book)
    assert [(i.customer_id, i.currency) for i in invoices] == [
        ("C1", "EUR"),
        ("C2", "USD"),
        ("C3", "JPY"),
    ]
    assert [i.number for i in invoices] == [
        "INV-2026-0001",
        "INV-2026-0002",
        "INV-2026-0003",
    ]
    c1 = invoices[0]
    assert len(c1.lines) == 1 and c1.lines[0].quantity == 5
    assert (c1.net, c1.tax, c1.total) == (D("500.00"), D("95.00"), D("595.00"))
    assert invoices[2].total == D(19800)  # 1.5 h x 12000 JPY + 10 %, no decimals
    assert after.last_sequence == {"INV-2026-{seq:04}": 3}
    assert after.last_row_id == 4


def test_plan_invoices_continues_numbering_from_the_counters():
    book = small_book(time_rows=[time_row(date(2026, 10, 1), "Ann", "C1", D(2))])
    _, invoices, _ = plan(book, counters=Counters({"INV-2026-{seq:04}": 41}, 100))
    assert invoices[0].number == "INV-2026-0042"
    assert invoices[0].sources[0].row_id == "T-000101"


def test_plan_invoices_is_deterministic():
    rows = [
        time_row(date(2026, 10, d), p, c, D(h))
        for d, p, c, h in [
            (1, "Ann", "C1", 2),
            (2, "Bob", "C2", 3),
            (5, "Ann", "C3", 1),
            (6, "Cy", "C1", 4),
        ]
    ]
    assert plan(small_book(time_rows=rows))[1] == plan(small_book(time_rows=rows))[1]


def test_round_hours_follows_increment_and_direction():
    base = Settings()
    assert round_hours(D("1.1"), base) == D("1")
    assert round_hours(D("1.13"), base) == D("1.25")
    assert round_hours(D("1.01"), replace(base, hours_rounding=HoursRounding.UP)) == D(
        "1.25"
    )
    assert round_hours(D("1.24"), replace(base, hours_rounding=HoursRounding.DOWN)) == 1
    assert round_hours(D("0.4"), replace(base, hours_increment=D("0.5"))) == D("0.5")


def test_lines_group_by_project_and_activity_by_default_and_per_entry_when_set():
    rows = [
        time_row(date(2026, 10, 1), "Ann", "C1", D(1), project="Web", activity="Dev"),
        time_row(date(2026, 10, 2), "Bob", "C1", D(2), project="Web", activity="Dev"),
        time_row(date(2026, 10, 2), "Bob", "C1", D(2), project="App", activity="Dev"),
    ]
    _, invoices, _ = plan(small_book(time_rows=rows))
    assert [li.description for li in invoices[0].lines] == ["Web – Dev", "App – Dev"]
    data = validate_book(small_book(time_rows=rows), today=TODAY, billed={})
    per_entry = replace(data.settings, line_grouping=LineGrouping.ENTRY)
    _, invoices, _ = plan(small_book(time_rows=rows), settings=per_entry)
    assert len(invoices[0].lines) == 3


def test_rate_precedence_prefers_customer_then_project_then_person():
    rates = [
        [None, None, None, None, D(100), "hour", None],
        [None, None, "Ann", None, D(110), "hour", None],
        [None, "Web", None, None, D(120), "hour", None],
        ["C1", None, None, None, D(130), "hour", None],
        ["C1", None, None, "Dev", D(140), "hour", None],
    ]
    rows = [
        time_row(date(2026, 10, 1), "Ann", "C1", D(1), project="Web", activity="Dev"),
        time_row(date(2026, 10, 1), "Ann", "C1", D(1), project="Web", activity="QA"),
        time_row(date(2026, 10, 1), "Ann", "C2", D(1), project="Web", activity="QA"),
        time_row(date(2026, 10, 1), "Bob", "C2", D(1), project="App", activity="QA"),
    ]
    customers = [
        ["C1", "Alpha", "a@x.example", "EUR", None],
        ["C2", "Beta", "b@x.example", "EUR", None],
    ]
    _, invoices, _ = plan(small_book(time_rows=rows, rates=rates, customers=customers))
    prices = {(li.unit_price) for li in invoices[0].lines}
    assert prices == {D(140), D(130)}
    assert sorted(li.unit_price for li in invoices[1].lines) == [D(100), D(120)]


def test_inclusive_tax_takes_tax_out_of_the_price():
    customers = [["C1", "Alpha", "a@x.example", "EUR", D(19)]]
    book = small_book(
        customers=customers,
        time_rows=[time_row(date(2026, 10, 1), "Ann", "C1", D(1))],
        settings=[["Tax Mode", "inclusive"], ["Default Currency", "EUR"]],
    )
    _, invoices, _ = plan(book)
    invoice = invoices[0]
    assert (invoice.total, invoice.tax, invoice.net) == (
        D("100.00"),
        D("15.97"),
        D("84.03"),
    )
    assert_adds_up(invoice)


AMOUNT_LINES = st.lists(
    st.tuples(
        st.sampled_from([D(0), D(7), D(10), D(19), D("20"), D("5.5")]),
        st.integers(min_value=-(10**6), max_value=10**8),
    ),
    min_size=1,
    max_size=40,
)


@given(
    lines=AMOUNT_LINES,
    currency=st.sampled_from(["EUR", "JPY", "KWD"]),
    mode=st.sampled_from(list(TaxMode)),
    rounding=st.sampled_from(list(Rounding)),
)
def test_compute_amounts_lines_always_add_up_to_the_rate_totals(
    lines, currency, mode, rounding
):
    step = quantum(currency)
    priced = [(rate, step * units) for rate, units in lines]
    config = replace(Settings(), rounding=rounding)
    amounts = compute_amounts(priced, currency=currency, tax_mode=mode, settings=config)
    for (_rate, amount), result in zip(priced, amounts, strict=True):
        assert result.net + result.tax == result.total
        assert (result.net if mode is TaxMode.EXCLUSIVE else result.total) == amount
    for rate in {r for r, _ in priced}:
        subtotal = sum(a for r, a in priced if r == rate)
        tax = sum(
            res.tax for (r, _), res in zip(priced, amounts, strict=True) if r == rate
        )
        # Multiply before dividing: 59085.03 * 20 / 120 is exactly 9847.505.
        divisor = 100 if mode is TaxMode.EXCLUSIVE else 100 + rate
        assert tax == round_money(subtotal * rate / divisor, currency, rounding)


@settings(max_examples=60, deadline=None)
@given(
    entries=st.lists(
        st.tuples(
            st.sampled_from(["C1", "C2", "C3"]),
            st.sampled_from(["Ann", "Bob"]),
            st.sampled_from(["Web", "App"]),
            st.decimals(min_value=D("0.01"), max_value=D(12), places=2),
        ),
        min_size=1,
        max_size=25,
    ),
    mode=st.sampled_from(["exclusive", "inclusive"]),
)
def test_planned_invoices_add_up_for_any_time_log(entries, mode):
    rows = [
        time_row(date(2026, 10, 1 + i % 28), p, c, h, project=proj)
        for i, (c, p, proj, h) in enumerate(entries)
    ]
    book = small_book(
        time_rows=rows, settings=[["Tax Mode", mode], ["Default Tax Rate", D(19)]]
    )
    _, invoices, _ = plan(book)
    for invoice in invoices:
        assert_adds_up(invoice)


def test_dated_rates_price_entries_by_their_own_date():
    """Remembered lookups must not carry one date's rate over to another date."""
    rates = [
        ["C1", None, None, None, D(80), "hour", None, None, date(2026, 8, 31)],
        ["C1", None, None, None, D(90), "hour", None, date(2026, 9, 1), None],
    ]
    headers = [
        "Customer ID",
        "Project",
        "Person",
        "Activity",
        "Rate",
        "Unit",
        "Currency",
        "Valid From",
        "Valid To",
    ]
    rows = [
        time_row(date(2026, 8, 31), "Ann", "C1", D(1)),
        time_row(date(2026, 9, 1), "Ann", "C1", D(1)),
        time_row(date(2026, 8, 30), "Ann", "C1", D(1)),
    ]
    book = small_book(time_rows=rows, extra={"Rates": (headers, rates)})
    _, invoices, _ = plan(book)
    assert sorted((li.unit_price, li.quantity) for li in invoices[0].lines) == [
        (D(80), D(2)),
        (D(90), D(1)),
    ]
