"""A text date such as 3/11/2026 is read in the order the Settings Locale writes dates,
and when it names another day read the other way round, one warning per run says how
it was read (the first such cell, and how many more)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetbill.domain.cells import CellValueError, other_date_reading, parse_date
from sheetbill.domain.model import Severity
from sheetbill.tabs.validation import validate_book

from helpers import SETTINGS_ROWS, small_book, time_row

D = Decimal
TODAY = date(2026, 11, 20)
MONTH_FIRST = ["en_US", "ja_JP", "zh_CN", "ko_KR"]
DAY_FIRST = ["en_GB", "de_DE", "fr_FR", "es_ES", "nb_NO", "en_AU"]


@given(
    st.integers(1, 31),
    st.integers(1, 31),
    st.integers(1900, 2100),
    st.sampled_from(MONTH_FIRST + DAY_FIRST),
    st.sampled_from("/."),
)
def test_a_text_date_reads_in_the_locales_order_and_knows_the_other_reading(
    first, second, year, locale, separator
):
    text = f"{first}{separator}{second}{separator}{year}"
    # Dots are day first everywhere; slashes follow the Locale.
    is_month_first = locale in MONTH_FIRST and separator == "/"
    month, day = (first, second) if is_month_first else (second, first)
    try:
        meant = date(year, month, day)
    except ValueError:
        meant = None
    try:
        other = date(year, day, month)
    except ValueError:
        other = None
    if meant is None:
        with pytest.raises(CellValueError) as raised:
            parse_date(text, locale=locale)
        if other is not None:  # 13/11/2026 under en_US: the message names 13 Nov
            assert "read the other way it is" in raised.value.problem
            assert other.isoformat() in raised.value.fix
        return
    assert parse_date(text, locale=locale) == meant
    # Dots under a day-first Locale: both conventions agree, nothing to warn of.
    agreed = separator == "." and locale in DAY_FIRST
    ambiguous = other is not None and other != meant and not agreed
    assert other_date_reading(text, locale=locale) == (other if ambiguous else None)


@pytest.mark.parametrize(
    "value", [date(2026, 3, 11), "2026-03-11", D(46092), "3/3/2026", "13/11/2026"]
)
def test_a_date_that_reads_one_way_only_has_no_other_reading(value):
    assert other_date_reading(value, locale="en_GB") is None


def dated_book(locale: str, dates: list[object]):
    settings = [*SETTINGS_ROWS, ["Locale", locale]]
    rows = [time_row(d, "Ann", "C1", D(1)) for d in dates]
    return small_book(settings=settings, time_rows=rows)


@pytest.mark.parametrize(
    ("locale", "reading", "other", "more"),
    [
        (
            "en_US",
            "11 March 2026 (month first, Locale en_US)",
            "3 November 2026",
            "2 more text dates in the workbook could be read either way: Time Log "
            "row 6 (Date 4/11/2026, read as 11 April 2026) and Time Log row 7 (Date "
            "5.11.2026, read as 5 November 2026).",
        ),
        (
            "en_GB",
            "3 November 2026 (day first, Locale en_GB)",
            "11 March 2026",
            "1 more text date in the workbook could be read either way: Time Log "
            "row 6 (Date 4/11/2026, read as 4 November 2026).",
        ),
        (
            "de_DE",
            "3 November 2026 (day first, Locale de_DE)",
            "11 March 2026",
            "1 more text date in the workbook could be read either way: Time Log "
            "row 6 (Date 4/11/2026, read as 4 November 2026).",
        ),
    ],
)
def test_ambiguous_text_dates_are_one_warning_naming_the_first_cell_and_the_reading(
    locale, reading, other, more
):
    """The other cells are named too; a dotted date (5.11.2026) is day first, and
    only worth a word where the Locale writes the month first."""
    dates = [
        date(2026, 11, 1),
        "2026-11-02",
        "3/11/2026",
        "13/11/2026" if locale != "en_US" else "11/13/2026",
        "4/11/2026",
        "5.11.2026",
        "6/6/2026",
    ]
    data = validate_book(dated_book(locale, dates), today=TODAY, billed={})
    (problem,) = data.problems
    assert (problem.tab, problem.row, problem.column, problem.value) == (
        "Time Log",
        4,
        "Date",
        "3/11/2026",
    )
    assert problem.severity is Severity.WARNING
    assert f"read as {reading}" in problem.problem
    assert f"other way round it would be {other}" in problem.problem
    assert problem.problem.endswith(more)
    assert "Locale in Settings" in problem.fix
    assert len(data.time_entries) == len(dates)  # a warning: the rows are billed


def test_no_warning_when_every_text_date_reads_one_way():
    dates = ["2026-11-02", "13/11/2026", "6/6/2026", date(2026, 3, 11)]
    data = validate_book(dated_book("en_GB", dates), today=TODAY, billed={})
    assert data.problems == ()


def test_the_warning_names_the_first_few_other_cells_and_counts_the_rest():
    dates = [f"{day}/11/2026" for day in range(1, 10)]
    data = validate_book(dated_book("en_US", dates), today=TODAY, billed={})
    (problem,) = data.problems
    assert problem.row == 2
    assert "8 more text dates in the workbook could be read either way: " in (
        problem.problem
    )
    for row in range(3, 8):
        assert f"Time Log row {row} (Date {row - 1}/11/2026" in problem.problem
    assert "Time Log row 8" not in problem.problem
    assert problem.problem.endswith(", and 3 more.")


@pytest.mark.parametrize("locale", MONTH_FIRST + DAY_FIRST)
def test_a_dotted_date_is_day_first_under_every_locale(locale):
    """11.03.2026 is 11 March: dots are the day-first convention, and no locale
    writes month.day.year."""
    assert parse_date("11.03.2026", locale=locale) == date(2026, 3, 11)
    assert parse_date("3.11.2026", locale=locale) == date(2026, 11, 3)


def test_a_dotted_date_under_a_month_first_locale_is_one_warning_saying_why():
    data = validate_book(
        dated_book("en_US", ["11.03.2026", "2026-11-02"]), today=TODAY, billed={}
    )
    (problem,) = data.problems
    assert (problem.row, problem.value) == (2, "11.03.2026")
    assert problem.problem.startswith(
        "Date 11.03.2026 is read as 11 March 2026 (day first, as dates with dots are "
        "written); read the other way round it would be 3 November 2026."
    )
    assert [e.day for e in data.time_entries] == [date(2026, 3, 11), date(2026, 11, 2)]


def test_a_dotted_date_that_is_no_date_day_first_says_so():
    with pytest.raises(CellValueError) as refused:
        parse_date("11.13.2026", locale="en_US")
    assert refused.value.problem == (
        "is not a date read day first, as dates with dots are written (read the "
        "other way it is 13 November 2026)"
    )
    assert "Locale" not in refused.value.fix
