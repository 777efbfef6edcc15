"""The schedule of a recurring plan: dateutil's rrule as the design writes it, found
directly from the day a plan is covered to (without iterating from Start), with the
same periods as the plain rule iterated from Start."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import islice, pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from recurring_helpers import plain_periods, plan, plans

from sheetbill.domain.model import InvoiceLine, SourceRow
from sheetbill.domain.records import makes_frozen, new_instance, slot_setters
from sheetbill.domain.recurring import (
    LAST_DAY,
    Billing,
    Frequency,
    Period,
    PeriodRecord,
    due_periods,
    new_period,
    new_period_record,
    parse_period_key,
    period_key,
    periods_after,
    plan_end,
    recurring_source,
    schedule,
    source_text,
)

ONE_DAY = timedelta(days=1)


def starts(made, n=6):
    return [p.start for p in islice(schedule(made), n)]


@settings(deadline=None)
@given(plans())
def test_schedule_is_the_plain_rule_iterated_from_start(made):
    """Every period (first day, last day, bill date, index) as the rule with
    dtstart = Start gives it, End and Count applied."""
    assert list(islice(schedule(made), 40)) == plain_periods(made, 40)


MONTHS = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.YEARLY: 12}


@settings(deadline=None)
@given(plans())
def test_schedule_periods_are_contiguous_and_within_the_plan(made):
    periods = list(islice(schedule(made), 60))
    if periods:
        first = periods[0]
        assert first.start >= made.start
        # The first occurrence on or after Start: within one step of it.
        if made.frequency is Frequency.WEEKLY:
            step = timedelta(days=7 * made.interval)
        else:
            step = timedelta(days=31 * made.interval * MONTHS[made.frequency])
        assert first.start - made.start < step
    for before, after in pairwise(periods):
        assert after.start == before.end + ONE_DAY
        assert after.index == before.index + 1
    for period in periods:
        assert period.start <= period.end
        assert made.end is None or period.start <= made.end
        assert made.count is None or period.index < made.count
        if made.billing is Billing.IN_ADVANCE:
            assert period.bill_on == period.start
        else:
            assert period.bill_on == period.end + ONE_DAY
    if made.count is not None and made.end is None:
        assert len(periods) == min(made.count, 60)


@settings(deadline=None)
@given(plans(), st.integers(-60, 2000), st.integers(-60, 2000))
def test_due_periods_are_those_after_the_covered_day_billed_by_today(
    made, covered_offset, today_offset
):
    """From any covered day (even one no period ends on: Start, Day or Frequency
    edited since) the due periods are the schedule's that start after it and are
    billed by today, and the next is the one after them."""
    covered = made.start + timedelta(days=covered_offset)
    today = made.start + timedelta(days=today_offset)
    periods = list(islice(schedule(made), 400))
    after = [p for p in periods if p.start > covered]
    found = due_periods(made, covered, today)
    due = [p for p in after if p.bill_on <= today]
    assert list(found.due) == due
    later = [p for p in after if p.bill_on > today]
    if later:
        assert found.next == later[0]
    elif len(periods) < 400:
        assert found.next is None
    assert list(islice(periods_after(made, None), 400)) == periods


@settings(deadline=None)
@given(plans())
def test_plan_end_is_the_last_day_of_the_last_period(made):
    end = plan_end(made)
    if made.end is None and made.count is None:
        assert end is None
        return
    periods = list(islice(schedule(made), 2000))
    assert end == (periods[-1].end if periods else made.start - ONE_DAY)


def test_day_29_to_31_falls_on_a_shorter_months_last_day():
    assert starts(plan(day=31, start=date(2024, 1, 1)), 4) == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 31),
        date(2024, 4, 30),
    ]
    assert starts(plan(day=30, start=date(2025, 1, 1)), 3) == [
        date(2025, 1, 30),
        date(2025, 2, 28),
        date(2025, 3, 30),
    ]
    assert starts(plan(day=29, start=date(2025, 2, 1)), 2) == [
        date(2025, 2, 28),
        date(2025, 3, 29),
    ]


def test_last_day_and_blank_day_from_a_month_end_start():
    assert starts(plan(day=LAST_DAY, start=date(2024, 2, 10)), 3) == [
        date(2024, 2, 29),
        date(2024, 3, 31),
        date(2024, 4, 30),
    ]
    # Blank Day: Start's day, the 31st, falling back as Day 31 does (no month is
    # skipped).
    assert starts(plan(day=None, start=date(2025, 1, 31)), 3) == [
        date(2025, 1, 31),
        date(2025, 2, 28),
        date(2025, 3, 31),
    ]


def test_a_start_after_the_day_begins_with_the_next_occurrence():
    """No stub period: the first period starts on the first occurrence on or after
    Start."""
    made = plan(day=1, start=date(2026, 9, 15))
    first = next(schedule(made))
    assert (first.start, first.end, first.index) == (
        date(2026, 10, 1),
        date(2026, 10, 31),
        0,
    )


def test_weekly_quarterly_and_yearly():
    weekly = plan(frequency=Frequency.WEEKLY, day=1, interval=2, start=date(2026, 1, 1))
    assert starts(weekly, 3) == [date(2026, 1, 12), date(2026, 1, 26), date(2026, 2, 9)]
    blank = plan(frequency=Frequency.WEEKLY, day=None, start=date(2026, 1, 1))
    assert starts(blank, 2) == [date(2026, 1, 1), date(2026, 1, 8)]  # Thursdays
    quarterly = plan(frequency=Frequency.QUARTERLY, day=1, start=date(2026, 11, 1))
    assert starts(quarterly, 3) == [
        date(2026, 11, 1),
        date(2027, 2, 1),
        date(2027, 5, 1),
    ]
    # Yearly is in Start's month: the 1st of March 2024 is before Start.
    yearly = plan(frequency=Frequency.YEARLY, day=1, start=date(2024, 3, 15))
    assert starts(yearly, 2) == [date(2025, 3, 1), date(2026, 3, 1)]
    leap = plan(frequency=Frequency.YEARLY, day=None, start=date(2024, 2, 29))
    assert starts(leap, 3) == [date(2024, 2, 29), date(2025, 2, 28), date(2026, 2, 28)]


def test_interval_keeps_its_phase_when_found_from_a_covered_day():
    """Every 3 months from November: from any covered day the next period is one
    of November, February, May, August, never the month after the covered day."""
    made = plan(interval=3, start=date(2026, 11, 1))
    for covered in (date(2027, 1, 31), date(2027, 3, 15), date(2031, 6, 30)):
        following = next(periods_after(made, covered))
        assert following.start.month in (2, 5, 8, 11)
        assert following.start > covered


def test_end_and_count_bound_the_plan_whichever_comes_first():
    made = plan(start=date(2026, 1, 1), end=date(2026, 3, 1))
    assert [p.start for p in schedule(made)] == [
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
    ]
    # The last period starts on End and is billed in full.
    assert list(schedule(made))[-1].end == date(2026, 3, 31)
    assert len(list(schedule(plan(count=2)))) == 2
    assert len(list(schedule(plan(count=5, end=date(2026, 10, 1))))) == 2
    assert list(schedule(plan(count=0))) == []


def test_arrears_are_billed_the_day_after_the_period():
    made = plan(billing=Billing.IN_ARREARS, start=date(2026, 11, 1))
    first = next(schedule(made))
    assert first.bill_on == date(2026, 12, 1)
    found = due_periods(made, None, date(2026, 11, 30))
    assert found.due == () and found.next == first


def test_a_plan_decades_long_crosses_the_schedule_chunks_unchanged():
    made = plan(day=LAST_DAY, interval=2, start=date(2001, 1, 1))
    assert list(islice(schedule(made), 300)) == plain_periods(made, 300)
    weekly = plan(frequency=Frequency.WEEKLY, day=7, interval=3, start=date(2001, 1, 1))
    far = due_periods(weekly, date(2040, 1, 1), date(2040, 2, 1))
    assert [p.start for p in far.due] == [
        p.start
        for p in islice(schedule(weekly), 2000)
        if date(2040, 1, 1) < p.start <= date(2040, 2, 1)
    ]


@settings(deadline=None)
@given(
    st.text(min_size=1, max_size=20).map(str.strip).filter(bool),
    st.dates(date(1900, 1, 1), date(9999, 12, 31)),
)
def test_the_source_text_reads_back_as_the_plan_and_first_day(plan_id, first):
    key = period_key(plan_id, first)
    assert parse_period_key(key) == (plan_id, first)
    assert recurring_source(source_text(key)) == (plan_id, first)


def test_recurring_source_refuses_other_text():
    for text in (
        "Time Log T-000001",
        "Recurring , period 2026-11-01",
        "Recurring P-001, period November",
        "Recurring P-001",
        "",
    ):
        assert recurring_source(text) is None


def test_an_invoice_line_names_its_plan_and_period():
    line = InvoiceLine(
        line=1,
        description="Hosting, November 2026",
        quantity=Decimal(1),
        unit="item",
        unit_price=Decimal(100),
        tax_rate=Decimal(19),
        net=Decimal(100),
        tax=Decimal(19),
        total=Decimal(119),
        sources=(SourceRow("Recurring", 2, "P-001@2026-11-01", "x"),),
    )
    assert line.source_text == "Recurring P-001, period 2026-11-01"
    assert recurring_source(line.source_text) == ("P-001", date(2026, 11, 1))
    mixed = InvoiceLine(
        **{
            **{f: getattr(line, f) for f in line.__dataclass_fields__},
            "sources": (
                SourceRow("Time Log", 5, "T-000001", "a"),
                SourceRow("Time Log", 6, "T-000002", "b"),
            ),
        }
    )
    assert mixed.source_text == "Time Log T-000001, T-000002"


_HOURS = st.decimals(0, 100, places=2)


@given(
    st.dates(),
    st.dates(),
    st.dates(),
    st.text(max_size=8),
    st.integers(0, 10_000),
    st.one_of(st.none(), st.text(max_size=8)),
    st.lists(_HOURS, min_size=5, max_size=5),
    st.one_of(st.none(), _HOURS),
)
def test_fast_constructors_make_what_the_classes_make(
    start, end, bill_on, plan_id, index, invoice_no, hours, price
):
    """`new_period` and `new_period_record` (a catch-up makes tens of thousands)
    give objects equal to the classes' own, field for field, of the same class."""
    made = new_period(start, end, bill_on, plan_id, index)
    assert type(made) is Period
    assert made == Period(start, end, bill_on, plan_id, index)
    assert repr(made) == repr(Period(start, end, bill_on, plan_id, index))
    assert hash(made) == hash(Period(start, end, bill_on, plan_id, index))
    record = new_period_record(plan_id, start, end, invoice_no, *hours, price)
    assert type(record) is PeriodRecord
    assert record == PeriodRecord(plan_id, start, end, invoice_no, *hours, price)
    assert repr(record) == repr(
        PeriodRecord(plan_id, start, end, invoice_no, *hours, price)
    )


def test_a_fast_constructor_that_sets_a_field_wrong_is_refused_at_import():
    """`makes_frozen` calls the constructor once with a marker per field: one that
    swaps two fields, or leaves one unset, is refused before anything uses it."""
    setter = slot_setters(Period)

    def swapped(start, end, bill_on, plan_id, index):  # type: ignore[no-untyped-def]
        made = new_instance(Period)
        setter[0](made, end)
        setter[1](made, start)
        setter[2](made, bill_on)
        setter[3](made, plan_id)
        setter[4](made, index)
        return made

    def unset(start, end, bill_on, plan_id, index):  # type: ignore[no-untyped-def]
        made = new_instance(Period)
        setter[0](made, start)
        return made

    def misnamed(first, end, bill_on, plan_id, index):  # type: ignore[no-untyped-def]
        return Period(first, end, bill_on, plan_id, index)

    for wrong in (swapped, unset, misnamed):
        with pytest.raises(TypeError, match="does not make a Period"):
            makes_frozen(Period)(wrong)
    assert makes_frozen(Period)(new_period) is new_period
