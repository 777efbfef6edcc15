"""Hours that are times: read as the time they show, never a day fraction as hours.

Google Sheets hands a time over as a fraction of a day (8:30 is 0.3541666…); a time
cell copied as a value, or written through the API, keeps only that number. The rule
(docs/decisions.md): a number strictly between 0 and 1 that is a whole number of
minutes of a day and has more than two decimals is refused in Hours; people type
hours with at most two decimals.
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetbill.domain.cells import (
    CellValueError,
    day_fraction_clock,
    hours_of_serial,
    parse_hours,
    time_of_day_of_serial,
)
from sheetbill.domain.sheet import SerialFormat

D = Decimal
MINUTES_PER_DAY = 1440


def as_google_stores(minutes: int) -> Decimal:
    """A whole number of minutes as the double Sheets keeps, read from its JSON."""
    return D(repr(minutes / MINUTES_PER_DAY))


def has_more_than_two_decimals(minutes: int) -> bool:
    return (D(minutes) / MINUTES_PER_DAY) * 100 % 1 != 0


@settings(max_examples=300, deadline=None)
@given(st.integers(1, MINUTES_PER_DAY - 1).filter(has_more_than_two_decimals))
def test_a_time_stored_as_a_day_fraction_is_never_billed_as_hours(minutes):
    clock = f"{minutes // 60}:{minutes % 60:02d}"
    for value in (as_google_stores(minutes), str(as_google_stores(minutes))):
        with pytest.raises(CellValueError, match=f"the time {clock} ") as raised:
            parse_hours(value, locale="en_US")
        assert f"type {clock}" in raised.value.fix


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 48 * 100))
def test_hours_with_at_most_two_decimals_are_read_as_typed(hundredths):
    hours = D(hundredths) / 100
    assert day_fraction_clock(hours) is None
    assert parse_hours(hours, locale="en_US") == hours
    assert parse_hours(str(hours), locale="en_US") == hours


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 86_399))
def test_a_number_shown_as_a_time_reads_as_the_excel_time_cell(seconds):
    """What Google hands over for a time cell reads exactly as the Excel reader's
    `time` for the same cell, to the second."""
    clock = time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
    stored = D(repr(seconds / 86_400))
    for kind in (SerialFormat.TIME, SerialFormat.DATE_TIME):
        assert hours_of_serial(stored, kind=kind) == parse_hours(clock, locale="en_US")
    assert time_of_day_of_serial(stored, kind=SerialFormat.TIME) == clock.replace(
        second=0
    )


def test_a_duration_of_a_day_or_more_reads_as_its_hours():
    assert hours_of_serial(D("1.0625"), kind=SerialFormat.TIME) == D("25.5")
    # The Excel reader hands such a duration over as the text Excel shows.
    assert parse_hours("25:30:00", locale="en_US") == D("25.5")


def test_a_date_is_not_hours_and_a_date_time_gives_its_time_of_day():
    for value, kind in (
        (D(46328), SerialFormat.DATE),
        (D("46328.375"), SerialFormat.DATE_TIME),
    ):
        with pytest.raises(CellValueError, match="shown as a date"):
            hours_of_serial(value, kind=kind)
    start = time_of_day_of_serial(D("46328.9375"), kind=SerialFormat.DATE_TIME)
    assert start == time(22, 30)
