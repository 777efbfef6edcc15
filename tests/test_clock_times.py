"""Start and End as people type them: 09:30, 9:30 AM, 5 p.m. (break-it report, 12).

Under en_US a spreadsheet shows times as "9:00 AM"; such a Start once made the row an
error ("Start is not a time of day"). AM/PM is read in every Locale (it is never
ambiguous); 12 AM is midnight and 12 PM noon.
"""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetbill.domain.cells import CellValueError, parse_time_of_day
from sheetbill.tabs.validation import validate_book

from helpers import SETTINGS_ROWS, small_book

TODAY = date(2026, 11, 20)


@given(
    st.integers(0, 23),
    st.integers(0, 59),
    st.sampled_from(["{}M", "{}m", "{}.m.", "{}. m.", "{}.M."]),
    st.booleans(),
    st.sampled_from(["", " "]),
    st.booleans(),
)
def test_a_twelve_hour_time_reads_as_the_clock_time_it_names(
    hour, minute, style, is_upper, space, with_minutes
):
    """Property: h[:mm] AM/PM reads as the 24-hour time it names, for every hour and
    minute and every way the marker is written."""
    half = "p" if hour >= 12 else "a"
    marker = style.format(half.upper() if is_upper else half)
    twelve = f"{hour % 12 or 12}"
    text = f"{twelve}:{minute:02d}" if with_minutes else twelve
    expected = time(hour, minute if with_minutes else 0)
    assert parse_time_of_day(f"{text}{space}{marker}") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 AM", time(0, 0)),
        ("12:30 PM", time(12, 30)),
        ("9:00 AM", time(9, 0)),
        ("5:30 PM", time(17, 30)),
        ("09:30", time(9, 30)),
        ("9.30", time(9, 30)),
        ("9h30", time(9, 30)),
        ("23:59:59", time(23, 59, 59)),
    ],
)
def test_clock_times_people_type(text, expected):
    assert parse_time_of_day(text) == expected


@pytest.mark.parametrize(
    "text", ["13:00 PM", "0:30 AM", "9:60 AM", "24:00", "9", "9 o'clock", "9:00 XM"]
)
def test_what_is_no_clock_time_is_refused(text):
    with pytest.raises(CellValueError, match="is not a time of day"):
        parse_time_of_day(text)


def test_start_and_end_with_am_and_pm_bill_the_hours_between():
    headers = ["Date", "Person", "Customer ID", "Project", "Activity", "Hours"]
    headers += ["Start", "End", "Billable", "Approved", "Invoice No", "Row ID"]
    row = [TODAY, "Ann", "C1", "Web", "Dev", None, "9:00 AM", "5:30 PM", "yes", "yes"]
    late = [TODAY, "Bo", "C1", "Web", "Dev", None, "10 PM", "1:15 AM", "yes", "yes"]
    book = small_book(
        settings=[*SETTINGS_ROWS, ["Locale", "en_US"]],
        extra={"Time Log": (headers, [row, late])},
    )
    data = validate_book(book, today=TODAY, billed={})
    assert data.problems == ()
    assert [e.hours for e in data.time_entries] == [Decimal("8.5"), Decimal("3.25")]
