"""Text no font can print is an exception naming its cell, found before planning.

Pure: the fonts' characters are given as ranges here; the real fonts are read in
tests/documents/test_fonts.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from sheetbill.invoicing import Counters, plan_invoices
from sheetbill.model import LineGrouping, Severity
from sheetbill.printable import PrintableCharacters, describe, find_unprintable
from sheetbill.settings import setting_rows
from sheetbill.validation import BookData, validate_book

from helpers import SETTINGS_ROWS, small_book, time_row

D = Decimal
TODAY = date(2026, 11, 2)
# Latin only: enough for the small books here, and without the emoji below.
LATIN = PrintableCharacters.from_ranges([(0x20, 0x7E), (0xA0, 0x24F), (0x2013, 0x2014)])
UNICORN = "🦄"


def book_data(**kwargs: object) -> BookData:
    return validate_book(small_book(**kwargs), today=TODAY, billed={})  # type: ignore[arg-type]


def customers(name: str = "Alpha GmbH") -> list[list[object]]:
    return [
        ["C1", name, "a@alpha.example", "EUR", None],
        ["C2", "Beta Inc", "b@beta.example", "USD", D(0)],
    ]


def test_printable_characters_missing_lists_each_character_once():
    assert LATIN.missing(f"Caf\u00e9 {UNICORN} {UNICORN} \ue000") == [UNICORN, "\ue000"]
    assert LATIN.missing("plain ASCII text, with punctuation & more") == []


def test_printable_characters_missing_ignores_what_is_drawn_as_nothing():
    """Spaces, line breaks, joiners, variation selectors, bidi marks, soft hyphens."""
    assert LATIN.missing("a\u3000b\n\tc\u200d\ufe0f\u200f\u00ad\u2060d") == []


def test_printable_characters_missing_finds_control_characters():
    assert LATIN.missing("bell\x07") == ["\x07"]


def test_describe_names_code_points_and_counts_the_rest():
    assert describe([UNICORN]) == "'🦄' (U+1F984 UNICORN FACE)"
    assert describe(["\ue000"]) == "(U+E000 a private-use character)"
    assert describe(["\x07"]) == "(U+0007 a character without a name)"
    assert describe(list("🦄🚀🍣👍")).endswith("and 1 more")


def test_find_unprintable_names_the_customer_cell_and_leaves_the_customer_out():
    data = book_data(customers=customers(f"Alpha {UNICORN} GmbH"))
    found = find_unprintable(data, LATIN)
    [problem] = found.problems
    assert (problem.tab, problem.row, problem.column) == ("Customers", 2, "Name")
    assert problem.value == f"Alpha {UNICORN} GmbH"
    assert "U+1F984 UNICORN FACE" in problem.problem
    assert "empty box" in problem.problem and "rows are billed" in problem.problem
    assert problem.severity is Severity.ERROR and problem.customer_id == "C1"
    assert found.customers == {"C1"} and not found.stops_invoicing


def test_find_unprintable_settings_company_name_stops_invoicing_and_names_its_row():
    rows = [["Company Name", f"Test {UNICORN} Shop"], *SETTINGS_ROWS[1:]]
    data = book_data(settings=rows)
    found = find_unprintable(
        data, LATIN, setting_rows=setting_rows(data.layouts["Settings"].table)
    )
    [problem] = found.problems
    assert (problem.tab, problem.row, problem.column) == ("Settings", 2, "Value")
    assert (
        "'Company Name'" in problem.problem and "no invoice is made" in problem.problem
    )
    assert found.stops_invoicing


def test_find_unprintable_orders_item_and_description_name_their_row():
    order = [TODAY, "C1", f"Mug {UNICORN}", D(1), D(5), None, "\ue000 print"]
    data = book_data(customers=customers(), order_rows=[order])
    found = find_unprintable(data, LATIN)
    assert [(p.tab, p.row, p.column) for p in found.problems] == [
        ("Orders", 2, "Item"),
        ("Orders", 2, "Description"),
    ]
    assert found.rows == {("Orders", 2)}


def _time_book(grouping: LineGrouping, **text: str) -> BookData:
    data = book_data(
        customers=customers(),
        time_rows=[time_row(date(2026, 10, 1), "Ann", "C1", D(2), **text)],  # type: ignore[arg-type]
    )
    return replace(data, settings=replace(data.settings, line_grouping=grouping))


def test_find_unprintable_time_log_checks_only_what_the_line_grouping_prints():
    by_activity = _time_book(
        LineGrouping.PROJECT_ACTIVITY, description=f"not printed {UNICORN}"
    )
    assert find_unprintable(by_activity, LATIN).problems == ()
    per_entry = _time_book(LineGrouping.ENTRY, description=f"printed {UNICORN}")
    [problem] = find_unprintable(per_entry, LATIN).problems
    assert (problem.tab, problem.row, problem.column) == ("Time Log", 2, "Description")
    assert "The row is not billed" in problem.problem


texts = st.sampled_from(["", "Web", "Dev", "Ann", f"x{UNICORN}", f"{UNICORN}y"])


@settings(max_examples=200)
@given(
    grouping=st.sampled_from(list(LineGrouping)),
    project=texts,
    activity=texts,
    description=texts,
    person=texts.filter(bool),
)
def test_find_unprintable_flags_a_time_row_exactly_when_its_line_would_show_it(
    grouping: LineGrouping, project: str, activity: str, description: str, person: str
):
    """Tied to the planner: what a line shows is what is checked, no more, no less."""
    data = book_data(
        customers=customers(),
        time_rows=[
            time_row(
                date(2026, 10, 1),
                person,
                "C1",
                D(2),
                project=project,
                activity=activity,
                description=description,
            )
        ],
    )
    data = replace(data, settings=replace(data.settings, line_grouping=grouping))
    [entry] = data.time_entries
    [invoice], _ = plan_invoices(
        customers=data.customers,
        entries=[entry],
        orders=[],
        settings=data.settings,
        today=TODAY,
        counters=Counters({}, 0),
    )
    [line] = invoice.lines
    is_shown = UNICORN in line.description
    assert bool(find_unprintable(data, LATIN).rows) == is_shown
