"""A month's reconciliation (issue 15, point 4): matched, unmatched and exceptions,
the bank total against the matched total, and the rows open at month end.

Pure: the rows are `PaymentRow`s as the Payments tab's reader makes them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetbill.domain.payments import PaymentCells, PaymentStatus
from sheetbill.planning.reconciliation import (
    PART_OF_STATUS,
    Part,
    month_days,
    part_of,
    reconcile,
)
from sheetbill.tabs.payments import PaymentRow

D = Decimal
NOVEMBER = (2026, 11)


def line(
    row: int,
    booked: date,
    amount: Decimal,
    currency: str = "EUR",
    *,
    payer: str = "",
    reference: str = "",
    row_id: str = "",
) -> PaymentRow:
    return PaymentRow(
        row, booked, amount, currency, payer=payer, reference=reference, row_id=row_id
    )


def cells(row: int, status: str, invoice: str = "", note: str = "") -> PaymentCells:
    return PaymentCells(row, f"P-{row:06d}", invoice, status, note)


def test_reconcile_splits_a_month_into_matched_unmatched_and_exceptions():
    rows = [
        line(2, date(2026, 11, 3), D("1190.00"), payer="ACME GmbH"),
        line(3, date(2026, 11, 5), D("500.00"), reference="Invoice 12"),
        line(4, date(2026, 11, 6), D("-100.00")),
        line(5, date(2026, 11, 7), D("300.00")),
        line(6, date(2026, 11, 8), D("250.00"), currency="USD"),
        line(7, date(2026, 11, 9), D("80.00")),
        line(8, date(2026, 11, 10), D("1000.00")),
    ]
    shown = {
        2: cells(2, "matched", "INV-2026-0007"),
        3: cells(3, "unmatched", note="no open invoice of 500.00"),
        4: cells(4, "refund", "INV-2026-0007"),
        5: cells(5, "ambiguous", note="INV-2026-0008 or INV-2026-0009"),
        6: cells(6, "currency mismatch", "INV-2026-0010"),
        7: cells(7, ""),
        8: cells(8, "over-payment", "INV-2026-0011"),
    }
    done = reconcile(rows, shown, month=NOVEMBER)
    eur, usd = done.currencies
    assert eur.currency == "EUR" and usd.currency == "USD"
    assert (eur.bank.count, eur.bank.total) == (6, D("2970.00"))
    assert (eur.matched.count, eur.matched.total) == (2, D("1090.00"))
    assert (eur.unmatched.count, eur.unmatched.total) == (2, D("580.00"))
    assert (eur.exceptions.count, eur.exceptions.total) == (2, D("1300.00"))
    assert eur.difference == D("1880.00")
    assert {s: t.count for s, t in eur.by_status.items()} == {
        "": 1,
        "ambiguous": 1,
        "matched": 1,
        "over-payment": 1,
        "refund": 1,
        "unmatched": 1,
    }
    assert (usd.exceptions.count, usd.difference) == (1, D("250.00"))
    assert [r.row for r in done.open] == [3, 5, 6, 7, 8]
    assert done.open[0].payer == "" and done.open[0].reference == "Invoice 12"
    assert done.open[0].note == "no open invoice of 500.00"
    assert done.open_at_month_end == 5


def test_reconcile_counts_the_rows_dated_from_the_first_to_the_last_day():
    rows = [
        line(2, date(2028, 1, 31), D(1)),
        line(3, date(2028, 2, 1), D(10)),
        line(4, date(2028, 2, 29), D(100)),
        line(5, date(2028, 3, 1), D(1000)),
    ]
    done = reconcile(
        rows, {r.row: cells(r.row, "matched") for r in rows}, month=(2028, 2)
    )
    assert (done.first_day, done.last_day) == (date(2028, 2, 1), date(2028, 2, 29))
    (eur,) = done.currencies
    assert (eur.bank.count, eur.bank.total) == (2, D(110))


def test_reconcile_carries_rows_of_earlier_months_still_open_and_no_later_ones():
    """Open at month end: the month's own open rows and those booked before it that
    a person has not resolved yet; a row booked after the month is not counted."""
    rows = [
        line(2, date(2026, 9, 30), D(40)),
        line(3, date(2026, 10, 2), D(50)),
        line(4, date(2026, 10, 3), D(60)),
        line(5, date(2026, 11, 4), D(70)),
        line(6, date(2026, 12, 1), D(80)),
    ]
    shown = {
        2: cells(2, "ambiguous"),
        3: cells(3, "matched", "INV-2026-0001"),
        4: cells(4, "unmatched"),
        5: cells(5, "unmatched"),
        6: cells(6, "unmatched"),
    }
    done = reconcile(rows, shown, month=NOVEMBER)
    assert [r.row for r in done.carried] == [2, 4]
    assert [r.row for r in done.open] == [5]
    assert done.open_at_month_end == 3
    (eur,) = done.currencies
    assert eur.bank.total == D(70)


def test_reconcile_a_row_a_run_has_not_seen_is_not_matched_yet():
    """No cells for it, or a blank Status: nothing says it matched, so it counts as
    unmatched (and is listed, with a blank status)."""
    rows = [line(2, date(2026, 11, 3), D(10)), line(3, date(2026, 11, 4), D(20))]
    done = reconcile(rows, {3: cells(3, "  ")}, month=NOVEMBER)
    (eur,) = done.currencies
    assert (eur.unmatched.count, eur.matched.count) == (2, 0)
    assert [(r.row, r.status, r.part) for r in done.open] == [
        (2, "", Part.UNMATCHED),
        (3, "", Part.UNMATCHED),
    ]


def test_reconcile_takes_the_row_id_the_row_shows_else_the_cells():
    rows = [
        line(2, date(2026, 11, 3), D(10), row_id="P-000042"),
        line(3, date(2026, 11, 4), D(20)),
    ]
    shown = {2: cells(2, "unmatched"), 3: cells(3, "unmatched")}
    done = reconcile(rows, shown, month=NOVEMBER)
    assert [r.row_id for r in done.open] == ["P-000042", "P-000003"]


@pytest.mark.parametrize(
    ("status", "part"),
    [
        ("matched", Part.MATCHED),
        ("Matched", Part.MATCHED),
        ("refund", Part.MATCHED),
        ("payout", Part.MATCHED),
        ("ignored", Part.MATCHED),
        ("unmatched", Part.UNMATCHED),
        ("", Part.UNMATCHED),
        ("paid by hand", Part.UNMATCHED),
        ("ambiguous", Part.EXCEPTION),
        (" Currency  mismatch ", Part.EXCEPTION),
        ("over-payment", Part.EXCEPTION),
    ],
)
def test_part_of_a_status_as_the_row_shows_it(status, part):
    assert part_of(status) is part


def test_every_payment_status_has_a_part():
    """A Status sheetbill writes is never read as "not matched yet" by accident."""
    assert set(PART_OF_STATUS) == {s.value for s in PaymentStatus}


@pytest.mark.parametrize("month", [(2026, 13), (2026, 0), (0, 1), (10000, 1)])
def test_month_days_refuses_a_month_that_does_not_exist(month):
    with pytest.raises(ValueError, match=r"month must be|year .*out of range"):
        month_days(month)
    with pytest.raises(ValueError, match=r"month must be|year .*out of range"):
        reconcile([], {}, month=month)


STATUSES = st.sampled_from(["", "paid?", *(s.value for s in PaymentStatus)])
AMOUNTS = st.decimals(
    min_value=D("-99999.999"), max_value=D("99999.999"), places=3, allow_nan=False
)


@st.composite
def month_of_rows(draw: st.DrawFn) -> tuple[list[PaymentRow], dict[int, PaymentCells]]:
    count = draw(st.integers(0, 40))
    rows, shown = [], {}
    for row in range(2, 2 + count):
        day = date(2026, 10, 15) + timedelta(days=draw(st.integers(0, 60)))
        rows.append(
            line(row, day, draw(AMOUNTS), draw(st.sampled_from(["EUR", "USD", "JPY"])))
        )
        status = draw(st.none() | STATUSES)
        if status is not None:
            shown[row] = cells(row, status)
    return rows, shown


@given(month_of_rows())
def test_reconcile_parts_add_up_to_the_bank_total_per_currency(book):
    """Matched + unmatched + exceptions = bank total, in rows and in amount, for
    every currency; the difference is exactly the unmatched and exception rows."""
    rows, shown = book
    done = reconcile(rows, shown, month=NOVEMBER)
    in_month = [r for r in rows if r.booked.month == 11]
    assert {c.currency for c in done.currencies} == {r.currency for r in in_month}
    for c in done.currencies:
        own = [r for r in in_month if r.currency == c.currency]
        assert c.bank.count == len(own)
        assert c.bank.total == sum((r.amount for r in own), D(0))
        parts = (c.matched, c.unmatched, c.exceptions)
        assert sum(p.count for p in parts) == c.bank.count
        assert sum((p.total for p in parts), D(0)) == c.bank.total
        assert c.difference == c.unmatched.total + c.exceptions.total
        assert sum(t.count for t in c.by_status.values()) == c.bank.count
    assert sum(c.unmatched.count + c.exceptions.count for c in done.currencies) == len(
        done.open
    )


@given(month_of_rows())
def test_reconcile_rows_of_other_months_change_no_total(book):
    """Removing every row booked outside the month leaves the totals as they were."""
    rows, shown = book
    only_november = [r for r in rows if r.booked.month == 11]
    assert (
        reconcile(only_november, shown, month=NOVEMBER).currencies
        == reconcile(rows, shown, month=NOVEMBER).currencies
    )
