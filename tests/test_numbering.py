"""Invoice number patterns: checked before use, one counter per series."""

from datetime import date

import pytest

from sheetbill.domain.numbering import (
    NumberPattern,
    PatternError,
    is_valid_invoice_number,
)


def test_number_pattern_formats_date_parts_and_padded_sequence():
    pattern = NumberPattern("INV-{yyyy}-{seq:04}")
    assert pattern.format(date(2026, 11, 25), 7) == "INV-2026-0007"
    assert pattern.format(date(2026, 11, 25), 12345) == "INV-2026-12345"
    assert NumberPattern("{yy}{mm}/{seq}").format(date(2026, 3, 1), 9) == "2603/9"


def test_number_pattern_series_starts_anew_each_year():
    pattern = NumberPattern("INV-{yyyy}-{seq:04}")
    assert pattern.series(date(2026, 12, 31)) != pattern.series(date(2027, 1, 1))
    assert pattern.series(date(2026, 1, 1)) == pattern.series(date(2026, 12, 31))


@pytest.mark.parametrize(
    "text", ["INV-{yyyy}", "{seq}-{seq}", "INV {seq}", "INV-{dd}-{seq}", "../{seq}"]
)
def test_number_pattern_refuses_patterns_that_cannot_make_safe_unique_numbers(text):
    with pytest.raises(PatternError):
        NumberPattern(text)


@pytest.mark.parametrize(
    ("number", "ok"),
    [
        ("INV-2026-0001", True),
        ("CN/2026/7", True),
        ("../etc", False),
        ("a b", False),
        ("", False),
        ("x" * 41, False),
        (".hidden", False),
    ],
)
def test_invoice_numbers_usable_as_file_names_are_recognised(number, ok):
    assert is_valid_invoice_number(number) is ok


@pytest.mark.parametrize(
    "text", ["INV-" + "x" * 40 + "-{seq}", "{yyyy}" * 9 + "{seq}", "-{seq}"]
)
def test_number_pattern_refuses_numbers_that_cannot_name_a_file(text):
    """A number is its PDF's file name: at most 40 characters, starting with a
    letter or digit, at any date and sequence (it ended a run in a 5,000-character
    message when the first PDF was written)."""
    with pytest.raises(PatternError):
        NumberPattern(text)
