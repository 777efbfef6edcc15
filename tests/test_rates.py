"""The remembered rate lookup (RateBook) always answers as the plain precedence rule."""

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from sheetbill.model import RateRule
from sheetbill.rates import RateBook, find_rate

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
