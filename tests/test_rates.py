"""The remembered rate lookup (RateBook) always answers as the plain precedence rule."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetbill.domain.model import RateRule
from sheetbill.domain.rates import RateBook, closest_rate, explain_no_rate, find_rate

CUSTOMERS = ["", "C1", "c1", "C2"]
PROJECTS = ["", "Web", "web", "App"]
PEOPLE = ["", "Ann", "ANN", "Bob"]
ACTIVITIES = ["", "Dev", "QA"]
DAYS = [None, date(2026, 10, 1), date(2026, 10, 15), date(2026, 11, 1)]

RULES = st.lists(
    st.builds(
        RateRule,
        row=st.integers(min_value=2, max_value=50),
        rate=st.sampled_from([Decimal(90), Decimal(100), Decimal(120)]),
        unit=st.sampled_from(["hour", "day", "item"]),
        customer_id=st.sampled_from(CUSTOMERS),
        project=st.sampled_from(PROJECTS),
        person=st.sampled_from(PEOPLE),
        activity=st.sampled_from(ACTIVITIES),
        valid_from=st.sampled_from(DAYS),
        valid_to=st.sampled_from(DAYS),
    ),
    max_size=8,
)
ENTRIES = st.lists(
    st.tuples(
        st.sampled_from(CUSTOMERS[1:]),
        st.sampled_from(PROJECTS),
        st.sampled_from(PEOPLE),
        st.sampled_from(ACTIVITIES),
        st.sampled_from([*DAYS[1:], date(2026, 9, 1), date(2026, 12, 1)]),
    ),
    min_size=1,
    max_size=30,
)


@given(rules=RULES, entries=ENTRIES)
def test_rate_book_answers_as_find_rate_over_all_rules(rules, entries):
    book = RateBook(rules)
    for customer_id, project, person, activity, day in entries:
        wanted = find_rate(
            [r for r in rules if r.unit != "item"],
            customer_id=customer_id,
            project=project,
            person=person,
            activity=activity,
            on=day,
        )
        found = book.find(
            customer_id=customer_id,
            project=project,
            person=person,
            activity=activity,
            on=day,
        )
        assert found.rate == wanted.rate
        assert set(found.ties) == set(wanted.ties)


def test_rate_book_tells_people_apart_only_where_a_rate_names_a_person():
    rules = [
        RateRule(2, Decimal(100)),
        RateRule(3, Decimal(150), customer_id="C1", person="Ann"),
    ]
    book = RateBook(rules)
    ann = book.find(
        customer_id="C1", project="", person="ann", activity="", on=date(2026, 10, 1)
    )
    bob = book.find(
        customer_id="C1", project="", person="Bob", activity="", on=date(2026, 10, 1)
    )
    other = book.find(
        customer_id="C2", project="", person="Ann", activity="", on=date(2026, 10, 1)
    )
    assert (ann.rate.rate, bob.rate.rate) == (Decimal(150), Decimal(100))
    assert other.rate.rate == Decimal(100)


def _rank(rule, entry, day):
    """(Key columns naming something else than the entry, days outside validity)."""
    differing = sum(
        bool(getattr(rule, k)) and getattr(rule, k).casefold() != v.casefold()
        for k, v in entry.items()
    )
    if rule.valid_from and day < rule.valid_from:
        return differing, (rule.valid_from - day).days
    if rule.valid_to and day > rule.valid_to:
        return differing, (day - rule.valid_to).days
    return differing, 0


@given(rules=RULES, entries=ENTRIES)
def test_closest_rate_has_the_fewest_differences_then_the_nearest_date(rules, entries):
    """Closeness: fewest of Customer ID, Project, Person, Activity that name something
    else than the entry, then fewest days outside the rate's validity, then an hour
    or day rate before an item row (which prices no time, and says so); and what it
    names is what keeps that rate from applying."""
    hourly = [r for r in rules if r.unit != "item"]
    for customer_id, project, person, activity, day in entries:
        entry = dict(
            customer_id=customer_id, project=project, person=person, activity=activity
        )
        near = closest_rate(rules, **entry, on=day)
        if not rules:
            assert near is None
            continue
        assert near is not None and near.rule in rules
        best = min(_rank(r, entry, day) for r in rules)
        assert _rank(near.rule, entry, day) == best
        assert (len(near.differing), near.days_outside) == best
        is_item = near.rule.unit == "item"
        assert (near.set_aside is not None) == is_item
        if is_item:
            assert not any(_rank(r, entry, day) == best for r in hourly)
        match = find_rate(hourly, **entry, on=day)
        if match.rate is None and not match.ties:
            assert near.differing or near.days_outside or is_item


RATE = Decimal(85)
DAY = date(2026, 11, 2)


@pytest.mark.parametrize(
    ("rules", "column", "words", "fix_words"),
    [
        (
            [RateRule(2, RATE, activity="Design")],
            "Activity",
            ["Rates row 2 (85 per hour)", "for Activity 'Design'"],
            ["Activity 'Photography'"],
        ),
        (
            [RateRule(2, RATE, customer_id="ACME", activity="Photography")],
            "Customer ID",
            ["Rates row 2", "for Customer ID 'ACME'"],
            ["Customer ID 'HCR'"],
        ),
        (
            [
                RateRule(2, RATE, customer_id="ACME", activity="Design"),
                RateRule(3, RATE, project="Shop", person="Orla"),
            ],
            "Project",
            ["Rates row 3", "for Project 'Shop'"],
            ["Project blank"],
        ),
        (
            [RateRule(2, RATE, activity="Photography", valid_from=date(2026, 12, 1))],
            "Date",
            ["Rates row 2", "valid only from 2026-12-01"],
            ["Valid From or Valid To of Rates row 2", "2026-11-02"],
        ),
        (
            [
                RateRule(2, RATE, valid_to=date(2025, 1, 31)),
                RateRule(3, RATE, valid_to=date(2026, 10, 31)),
            ],
            "Date",
            ["Rates row 3", "valid only until 2026-10-31"],
            ["Rates row 3"],
        ),
        (
            [RateRule(2, RATE, unit="item", activity="Photography")],
            "Customer ID",
            [
                "Rates row 2 (85 per item) matches this entry, but its Unit is item "
                "(item rates price Orders, not time)."
            ],
            ["set its Unit to hour or day"],
        ),
        (
            [
                RateRule(2, RATE, customer_id="ACME"),
                RateRule(3, RATE, unit="item", activity="Design"),
            ],
            "Customer ID",
            ["The closest is Rates row 2 (85 per hour), but it is for Customer ID"],
            ["Customer ID 'HCR'"],
        ),
        (
            [],
            "Customer ID",
            ["no hour or day rate"],
            ["Add a Rates row"],
        ),
    ],
)
def test_no_rate_names_what_was_looked_for_and_the_closest_row(
    rules, column, words, fix_words
):
    why = explain_no_rate(
        rules,
        customer_id="HCR",
        project="",
        person="Orla",
        activity="Photography",
        on=DAY,
    )
    assert why.column == column
    assert why.problem.startswith(
        "No rate applies to customer HCR, no project, person Orla, activity "
        "Photography on 2026-11-02."
    )
    for text in words:
        assert text in why.problem
    for text in fix_words:
        assert text in why.fix


# --- rows set aside are named with their reason (break-it report, point 11) ----------


def _no_rate_problems(rates, time_rows):
    from sheetbill.tabs.validation import validate_book

    from helpers import small_book

    data = validate_book(
        small_book(rates=rates, time_rows=time_rows), today=DAY, billed={}
    )
    return {p.row: p for p in data.problems if p.tab == "Time Log"}


def test_no_rate_names_the_rate_row_set_aside_for_its_currency_unit_or_dates():
    """The report's workbook: C1 (EUR) has a USD rate, C3's rate has Unit item, C2's
    ended in October, C4 has a usable one. Each entry's message names its own
    customer's row and the real reason, never C4's row."""
    names = ["C1", "C2", "C3", "C4"]
    customers = [[c, c, f"{c}@example.com", "EUR", None] for c in names]
    rates = [
        ["C1", None, None, "Dev", Decimal(100), "hour", "USD"],
        ["C2", None, None, "Dev", Decimal(100), "hour", None, date(2026, 10, 31)],
        ["C3", None, None, "Dev", Decimal(100), "item", None],
        ["C4", None, None, "dev ", Decimal(100), "hour", None],
        ["C1", None, None, "QA", Decimal(-5), "hour", None],
    ]
    from sheetbill.tabs.validation import validate_book

    from helpers import RATE_HEADERS, TIME_HEADERS, small_book, time_row

    rows = [time_row(DAY, "Ann", c, Decimal(2)) for c in names]
    rows.append(time_row(DAY, "Ann", "C1", Decimal(2), activity="QA"))
    book = small_book(
        customers=customers,
        time_rows=rows,
        extra={"Rates": ([*RATE_HEADERS, "Valid To"], rates)},
    )
    data = validate_book(book, today=DAY, billed={})
    said = {
        p.row: (p.column, p.problem, p.fix)
        for p in data.problems
        if p.tab == "Time Log"
    }
    assert set(said) == {2, 3, 4, 6} and TIME_HEADERS[2] == "Customer ID"
    column, problem, fix = said[2]
    assert column == "Customer ID"
    assert problem.endswith(
        "Rates row 2 (100 USD per hour) matches this entry, but it is in USD while "
        "customer C1 is billed in EUR."
    )
    assert "set its Currency to EUR" in fix and "C4" not in problem + fix
    column, problem, fix = said[3]
    assert (column, problem.endswith("but it is valid only until 2026-10-31.")) == (
        "Date",
        True,
    )
    column, problem, fix = said[4]
    assert "Rates row 4 (100 per item) matches this entry, but its Unit is item" in (
        problem
    )
    assert "set its Unit to hour or day" in fix
    column, problem, fix = said[6]
    assert problem.endswith(
        "Rates row 6 (-5 per hour) matches this entry, but it has a problem of its "
        "own (Rate is negative)."
    )


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "C1", "C2"]),
            st.sampled_from(["", "Dev", "QA"]),
            st.sampled_from(["hour", "item", "hours"]),
            st.sampled_from(["", "EUR", "USD"]),
            st.sampled_from([Decimal(100), Decimal(-1), "lots"]),
        ),
        max_size=6,
    )
)
def test_a_rate_row_that_matches_but_cannot_be_used_is_the_one_named(rows):
    """Property: when no rate applies to an entry but some Rates row names only what
    the entry has (a row set aside for its currency, unit or another error, or an
    item row), the message names such a row as matching the entry, never a row for
    someone else."""
    from sheetbill.tabs.validation import validate_book

    from helpers import small_book, time_row

    rates = [[c, None, None, a, r, u, cur] for c, a, u, cur, r in rows]
    entries = [
        time_row(DAY, "Ann", c, Decimal(1), activity=a)
        for c in ("C1", "C2")
        for a in ("Dev", "QA")
    ]
    data = validate_book(
        small_book(rates=rates, time_rows=entries), today=DAY, billed={}
    )
    for problem in data.problems:
        if problem.tab != "Time Log" or "No rate applies" not in problem.problem:
            continue
        customer, _, activity = entries[problem.row - 2][2:5]
        matching = [
            n
            for n, (c, a, *_) in enumerate(rows, start=2)
            if c in ("", customer) and a in ("", activity)
        ]
        if matching:
            assert any(f"Rates row {n} " in problem.problem for n in matching)
            assert "matches this entry" in problem.problem
