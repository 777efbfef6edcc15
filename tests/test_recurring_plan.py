"""The recurring planner over runs: each period billed exactly once, in order, on its
date, whatever the downtime, pauses and edits between runs; retainers' hours; the
invoices' numbers, lines, service periods and sources; the plan rows' cells."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from itertools import islice, pairwise

import pytest
from babel import Locale
from babel.dates import format_interval, parse_pattern
from hypothesis import given, settings
from hypothesis import strategies as st
from recurring_helpers import SETTINGS, customer, plan, plans, time_entry

from sheetbill.domain.model import Counters, Invoice, Severity, TimeEntry
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.recurring import (
    Billing,
    Frequency,
    Period,
    PeriodRecord,
    Plan,
    recurring_source,
    schedule,
)
from sheetbill.planning.recurring import (
    RecurringPlan,
    period_label,
    plan_cells,
    plan_recurring,
    recurring_invoices,
)
from sheetbill.planning.retainers import _dated as retainers_dated
from sheetbill.planning.retainers import label

D = Decimal
ONE_DAY = timedelta(days=1)
CUSTOMERS = {"C1": customer("C1"), "C2": customer("C2", "de")}


@dataclass
class Book:
    """What the state and the sheet hold between runs, as the run keeps them."""

    plans: list[Plan]
    entries: list[TimeEntry] = field(default_factory=list)
    history: dict[str, list[PeriodRecord]] = field(default_factory=dict)
    counters: Counters = field(default_factory=lambda: Counters({}, 0))
    invoices: list[Invoice] = field(default_factory=list)
    # Time Log rows billed on an invoice, by (tab, row): the invoice.
    billed_rows: dict[tuple[str, int], str] = field(default_factory=dict)

    def run(self, today: date) -> RecurringPlan:
        planned = plan_recurring(
            plans=self.plans,
            history=self.history,
            entries=self.entries,
            customers=CUSTOMERS,
            settings=SETTINGS,
            today=today,
        )
        invoices, records, self.counters, _, _ = recurring_invoices(
            planned.bills,
            customers=CUSTOMERS,
            settings=SETTINGS,
            today=today,
            counters=self.counters,
        )
        for record in (*records, *planned.skipped):
            self.history.setdefault(record.plan_id, []).append(record)
        for invoice in invoices:
            for source in invoice.sources:
                if source.tab == "Time Log":
                    self.billed_rows[(source.tab, source.row)] = invoice.number
        self.entries = [
            e
            for e in self.entries
            if (e.source.tab, e.source.row) not in self.billed_rows
        ]
        self.invoices.extend(invoices)
        return planned

    def records(self, plan_id: str = "P-001") -> list[PeriodRecord]:
        return self.history.get(plan_id, [])


def run_days(first: date, gaps: Sequence[int]) -> list[date]:
    days = [first]
    for gap in gaps:
        days.append(days[-1] + timedelta(days=gap))
    return days


gaps = st.lists(st.integers(1, 130), min_size=1, max_size=25)


def periods_through(made: Plan, last_day: date) -> list[tuple[date, date]]:
    return [
        (p.start, p.end) for p in islice(schedule(made), 500) if p.bill_on <= last_day
    ]


# --- Exactly once ----------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(plans(), st.integers(-40, 40), gaps)
def test_time_travel_bills_every_period_once_in_order(made, offset, gap_days):
    """Runs on random days with random downtime: the plan gets exactly its periods
    billed by the last run, once each, in order, contiguous, numbered in period
    order, each invoice's service period its period, none billed before its date;
    a rerun on the last day adds nothing."""
    book = Book([made])
    days = run_days(made.start + timedelta(days=offset), gap_days)
    for today in days:
        planned = book.run(today)
        assert all(b.period.bill_on <= today for b in planned.bills)
        assert [b.period.start for b in planned.bills] == sorted(
            b.period.start for b in planned.bills
        )
    expected = periods_through(made, days[-1])
    assert [(r.start, r.end) for r in book.records()] == expected
    assert [i.service_period for i in book.invoices] == expected
    numbers = [int(i.number.rsplit("-", 1)[1]) for i in book.invoices]
    series = [i.number.rsplit("-", 1)[0] for i in book.invoices]
    assert all(
        a < b for a, b, s, t in zip(numbers, numbers[1:], series, series[1:]) if s == t
    )
    for before, after in pairwise(expected):
        assert after[0] == before[1] + ONE_DAY
    assert book.run(days[-1]).bills == ()


@settings(max_examples=100, deadline=None)
@given(plans(), gaps, st.data())
def test_a_paused_plan_skips_the_periods_it_was_paused_for_and_resumes(
    made, gap_days, data
):
    """Each period is recorded once: skipped when the first run on or after its
    bill date saw the plan paused (never billed later), else billed."""
    days = run_days(made.start, gap_days)
    active = data.draw(st.lists(st.booleans(), min_size=len(days), max_size=len(days)))
    book = Book([made])
    for today, is_active in zip(days, active, strict=True):
        book.plans = [replace(made, is_active=is_active)]
        book.run(today)
    records = book.records()
    assert [(r.start, r.end) for r in records] == periods_through(made, days[-1])
    for record in records:
        bill_on = record.start if made.billing is Billing.IN_ADVANCE else record.end
        if made.billing is Billing.IN_ARREARS:
            bill_on += ONE_DAY
        seen_on = next(i for i, day in enumerate(days) if day >= bill_on)
        assert (record.invoice_no is None) == (not active[seen_on])
    assert len(book.invoices) == sum(1 for r in records if r.invoice_no)


@settings(max_examples=150, deadline=None)
@given(plans(), plans(), gaps, gaps)
def test_editing_start_day_or_frequency_never_bills_a_covered_day_again(
    made, edited, before, after
):
    book = Book([made])
    days = run_days(made.start, before)
    for today in days:
        book.run(today)
    book.plans = [
        replace(
            made,
            frequency=edited.frequency,
            interval=edited.interval,
            day=edited.day,
            start=edited.start,
            billing=edited.billing,
        )
    ]
    for today in run_days(days[-1] + ONE_DAY, after):
        book.run(today)
    records = book.records()
    for earlier, later in pairwise(records):
        assert later.start > earlier.end
    assert len({r.start for r in records}) == len(records)


def test_three_months_of_downtime_bill_three_periods_once_in_order():
    book = Book([plan(start=date(2026, 9, 1))])
    for n in range(30):
        book.run(date(2026, 9, 1) + timedelta(days=n))
    assert [i.number for i in book.invoices] == ["INV-2026-0001"]
    # The laptop stays closed from October to the last day of December.
    planned = book.run(date(2026, 12, 31))
    assert [b.period.start for b in planned.bills] == [
        date(2026, 10, 1),
        date(2026, 11, 1),
        date(2026, 12, 1),
    ]
    new = book.invoices[1:]
    assert [i.number for i in new] == [
        "INV-2026-0002",
        "INV-2026-0003",
        "INV-2026-0004",
    ]
    assert [i.service_period for i in new] == [
        (date(2026, 10, 1), date(2026, 10, 31)),
        (date(2026, 11, 1), date(2026, 11, 30)),
        (date(2026, 12, 1), date(2026, 12, 31)),
    ]
    assert {i.issue_date for i in new} == {date(2026, 12, 31)}
    assert {i.due_date for i in new} == {date(2027, 1, 14)}
    assert [i.lines[0].description for i in new] == [
        "Hosting, October 2026",
        "Hosting, November 2026",
        "Hosting, December 2026",
    ]
    assert book.run(date(2026, 12, 31)).bills == ()


def test_a_catch_up_bills_in_order_of_bill_date_then_plan_id():
    """The numbering order: by bill date, then Plan ID, then period."""
    book = Book(
        [
            plan(plan_id="P-003", row=2, start=date(2026, 10, 1)),
            plan(plan_id="P-002", row=3, start=date(2026, 10, 1)),
            plan(plan_id="P-001", row=4, day=15, start=date(2026, 10, 1)),
        ]
    )
    planned = book.run(date(2026, 11, 20))
    assert [(b.plan.plan_id, b.period.start.isoformat()) for b in planned.bills] == [
        ("P-002", "2026-10-01"),
        ("P-003", "2026-10-01"),
        ("P-001", "2026-10-15"),
        ("P-002", "2026-11-01"),
        ("P-003", "2026-11-01"),
        ("P-001", "2026-11-15"),
    ]
    assert [i.number[-2:] for i in book.invoices] == [
        "01",
        "02",
        "03",
        "04",
        "05",
        "06",
    ]


def test_a_price_change_applies_to_the_periods_not_yet_billed():
    book = Book([plan(start=date(2026, 10, 1))])
    book.run(date(2026, 11, 5))
    book.plans = [plan(start=date(2026, 10, 1), unit_price=D(120))]
    book.run(date(2026, 12, 1))
    assert [i.net for i in book.invoices] == [D("100.00"), D("100.00"), D("120.00")]
    assert [r.unit_price for r in book.records()] == [D(100), D(100), D(120)]


def test_a_removed_plan_is_named_once_its_row_is_gone_but_not_a_row_with_errors():
    book = Book([plan()])
    book.run(date(2026, 9, 1))
    book.plans = []
    assert book.run(date(2026, 10, 1)).removed == ("P-001",)
    assert book.records() and len(book.records()) == 1
    kept = plan_recurring(
        plans=[],
        history=book.history,
        entries=[],
        customers=CUSTOMERS,
        settings=SETTINGS,
        today=date(2026, 10, 1),
        unread_ids=(" p-001 ",),
    )
    assert kept.removed == ()
    # The row back: it goes on from its history (October next, not September).
    book.plans = [plan()]
    assert [b.period.start for b in book.run(date(2026, 10, 1)).bills] == [
        date(2026, 10, 1)
    ]


def test_a_plan_id_matches_its_history_trimmed_and_case_folded():
    book = Book([plan(plan_id="P-001")])
    book.run(date(2026, 9, 1))
    book.plans = [plan(plan_id=" p-001")]
    planned = book.run(date(2026, 9, 20))
    assert planned.bills == () and planned.removed == ()


# --- Next Date by hand -----------------------------------------------------------


def next_date_problems(shown: date | None, today: date) -> list:
    book = Book([plan(start=date(2026, 9, 1))])
    book.run(date(2026, 10, 2))
    book.plans = [plan(start=date(2026, 9, 1), next_date_shown=shown)]
    planned = book.run(today)
    return list(planned.problems), planned


def test_next_date_as_sheetbill_wrote_it_or_blank_is_no_problem():
    assert next_date_problems(date(2026, 11, 1), date(2026, 10, 20))[0] == []
    assert next_date_problems(None, date(2026, 10, 20))[0] == []


def test_next_date_set_back_warns_and_bills_nothing_again():
    problems, planned = next_date_problems(date(2026, 9, 1), date(2026, 10, 20))
    assert planned.bills == ()
    (problem,) = problems
    assert problem.code is ProblemCode.RECURRING_NEXT_DATE_EDITED
    assert problem.severity is Severity.WARNING
    assert (problem.tab, problem.row, problem.column) == ("Recurring", 2, "Next Date")
    assert "INV-2026-0001" in problem.problem and "not billed again" in problem.problem


def test_next_date_moved_later_warns_and_the_period_is_billed_on_its_date():
    problems, planned = next_date_problems(date(2026, 12, 1), date(2026, 11, 1))
    assert [b.period.start for b in planned.bills] == [date(2026, 11, 1)]
    (problem,) = problems
    assert "writes the right date back" in problem.problem


def test_next_date_left_behind_by_a_run_stopped_before_its_write_back_is_no_edit():
    """The periods were recorded with their invoices, the workbook shows the
    invoices, but the plan row still shows the Next Date from before them."""
    book = Book([plan(start=date(2026, 9, 1))])
    book.run(date(2026, 9, 2))  # September billed: Next Date 2026-10-01 shown
    book.run(date(2026, 10, 2))  # October billed, its write-back stopped
    book.plans = [plan(start=date(2026, 9, 1), next_date_shown=date(2026, 10, 1))]
    october = book.history["P-001"][-1].invoice_no
    assert october is not None
    lagging = plan_recurring(
        plans=book.plans,
        history=book.history,
        entries=(),
        customers=CUSTOMERS,
        settings=SETTINGS,
        today=date(2026, 10, 3),
        lagging={october},
    )
    assert lagging.problems == () and lagging.bills == ()
    assert len(book.run(date(2026, 10, 3)).problems) == 1  # a person's edit


# --- Retainers -------------------------------------------------------------------


def retainer(**changes: object) -> Plan:
    return plan(
        **{
            "description": "Retainer",
            "unit_price": D(1000),
            "start": date(2026, 10, 1),
            "billing": Billing.IN_ARREARS,
            "included_hours": D(10),
            **changes,
        }
    )


def lines(invoice: Invoice) -> list[tuple[str, Decimal, str, Decimal, list[int]]]:
    return [
        (
            li.description,
            li.quantity,
            li.unit,
            li.unit_price,
            [s.row for s in li.sources],
        )
        for li in invoice.lines
    ]


def test_a_retainer_draws_its_rows_down_and_bills_the_rest_at_each_rows_rate():
    book = Book(
        [retainer()],
        [
            time_entry(5, date(2026, 10, 2), "4"),
            time_entry(6, date(2026, 10, 3), "5"),
            time_entry(7, date(2026, 10, 9), "3", rate="120"),
            time_entry(8, date(2026, 10, 20), "1.1", rate="100"),
            time_entry(9, date(2026, 11, 2), "2"),
        ],
    )
    planned = book.run(date(2026, 11, 1))
    (invoice,) = book.invoices
    assert lines(invoice) == [
        ("Retainer, October 2026", D(1), "item", D(1000), [2]),
        (
            "Included hours, October 2026: 10 h included, 13 h used",
            D(10),
            "hour",
            D(0),
            [5, 6],
        ),
        ("Extra hours, October 2026", D(2), "hour", D(120), [7]),
        ("Extra hours, October 2026", D(1), "hour", D(100), [8]),
    ]
    assert invoice.net == D("1340.00")
    (record,) = book.records()
    assert (record.used_hours, record.extra_hours, record.carried_out) == (
        D(13),
        D(3),
        D(0),
    )
    # November's row waits for November's bill; ordinary invoicing leaves it.
    assert planned.waiting == (("Time Log", 9),)
    assert ("Time Log", 9) in planned.reserved
    assert [s.row_id for s in invoice.sources if s.tab == "Time Log"] == [
        "T-000001",
        "T-000002",
        "T-000003",
        "T-000004",
    ]
    assert book.billed_rows[("Time Log", 5)] == invoice.number


def test_a_row_crossing_the_included_hours_is_a_source_of_the_extra_line_only():
    book = Book([retainer()], [time_entry(5, date(2026, 10, 2), "12")])
    book.run(date(2026, 11, 1))
    assert lines(book.invoices[0])[1:] == [
        (
            "Included hours, October 2026: 10 h included, 12 h used",
            D(10),
            "hour",
            D(0),
            [],
        ),
        ("Extra hours, October 2026", D(2), "hour", D(100), [5]),
    ]


def test_a_day_rate_is_billed_in_days_of_the_settings_hours_per_day():
    book = Book(
        [retainer(included_hours=D(0))],
        [time_entry(5, date(2026, 10, 2), "4", rate="800", unit="day")],
    )
    book.run(date(2026, 11, 1))
    assert lines(book.invoices[0])[2] == (
        "Extra hours, October 2026",
        D("0.5"),
        "day",
        D(800),
        [5],
    )


def test_unused_hours_roll_over_capped_and_not_after_a_skipped_period():
    book = Book(
        [retainer(max_rollover_hours=D(3))],
        [time_entry(5, date(2026, 10, 2), "4")],
    )
    book.run(date(2026, 11, 1))
    book.run(date(2026, 12, 1))
    october, november = book.records()
    assert (october.carried_out, november.carried_in) == (D(3), D(3))
    assert november.carried_out == D(3)  # 13 available, none used, at most 3
    assert lines(book.invoices[1])[1][0] == (
        "Included hours, November 2026: 10 h included (+3 h carried over), 0 h used"
    )
    book.plans = [retainer(max_rollover_hours=D(3), is_active=False)]
    book.run(date(2027, 1, 1))
    book.plans = [retainer(max_rollover_hours=D(3))]
    book.run(date(2027, 2, 1))
    december, january = book.records()[2:]
    assert december.invoice_no is None
    assert january.carried_in == D(0)


def test_a_retainer_takes_only_its_projects_rows_and_no_late_logged_ones():
    book = Book(
        [retainer(project=" web ")],
        [time_entry(5, date(2026, 10, 2), "4", project="Web")],
    )
    book.run(date(2026, 11, 1))
    book.entries = [
        time_entry(6, date(2026, 10, 5), "2", project="Web"),  # logged late
        time_entry(7, date(2026, 11, 5), "2", project="Shop"),
        time_entry(8, date(2026, 9, 30), "2", project="Web"),  # before Start
        time_entry(9, date(2026, 11, 6), "2", project="WEB"),
    ]
    planned = book.run(date(2026, 11, 10))
    assert planned.reserved == frozenset({("Time Log", 9)})
    assert planned.waiting == (("Time Log", 9),)


def test_a_paused_retainer_reserves_nothing_and_two_retainers_share_no_row():
    rows = [
        time_entry(5, date(2026, 10, 2), "4"),
        time_entry(6, date(2026, 10, 3), "1"),
    ]
    paused = plan_recurring(
        plans=[retainer(is_active=False)],
        history={},
        entries=rows,
        customers=CUSTOMERS,
        settings=SETTINGS,
        today=date(2026, 11, 1),
    )
    assert paused.reserved == frozenset() and paused.bills == ()
    two = plan_recurring(
        plans=[retainer(), retainer(plan_id="P-002", row=3, project="Web")],
        history={},
        entries=rows,
        customers=CUSTOMERS,
        settings=SETTINGS,
        today=date(2026, 11, 1),
    )
    consumed = [(b.plan.plan_id, [e.source.row for e in b.consumed]) for b in two.bills]
    assert consumed == [("P-001", []), ("P-002", [5, 6])]


def test_retainer_lines_in_the_customers_language():
    book = Book(
        [retainer(customer_id="C2")],
        [time_entry(5, date(2026, 10, 2), "12.5", customer_id="C2")],
    )
    book.run(date(2026, 11, 1))
    assert [li.description for li in book.invoices[0].lines] == [
        "Retainer, Oktober 2026",
        "Inklusivstunden, Oktober 2026: 10 Std. inklusive, 12,5 Std. genutzt",
        "Zusätzliche Stunden, Oktober 2026",
    ]


# --- Invoices, cells and labels --------------------------------------------------


def test_recurring_invoices_take_reused_numbers_and_row_ids_first():
    planned = plan_recurring(
        plans=[retainer()],
        history={},
        entries=[
            time_entry(5, date(2026, 10, 2), "1"),
            time_entry(4, date(2026, 10, 3), "1"),
        ],
        customers=CUSTOMERS,
        settings=SETTINGS,
        today=date(2026, 12, 1),
    )
    invoices, records, after, numbers_left, row_ids_left = recurring_invoices(
        planned.bills,
        customers=CUSTOMERS,
        settings=SETTINGS,
        today=date(2026, 12, 1),
        counters=Counters({"INV-2026-{seq:04}": 7}, 40),
        reuse=("INV-2026-0005",),
        reuse_row_ids=(33, 31, 35),
    )
    assert [i.number for i in invoices] == ["INV-2026-0005", "INV-2026-0008"]
    assert [r.invoice_no for r in records] == ["INV-2026-0005", "INV-2026-0008"]
    assert after == Counters({"INV-2026-{seq:04}": 8}, 40)
    assert (numbers_left, row_ids_left) == ([], [35])
    sources = [(s.row, s.row_id) for s in invoices[0].sources if s.tab == "Time Log"]
    assert sorted(sources) == [(4, "T-000031"), (5, "T-000033")]
    plan_line = invoices[0].lines[0]
    assert plan_line.source_text == "Recurring P-001, period 2026-10-01"
    assert recurring_source(plan_line.source_text) == ("P-001", date(2026, 10, 1))
    assert (plan_line.tax_rate, invoices[0].tax) == (D(19), D("190.00"))
    assert invoices[0].work_complete == date(2026, 10, 31)


def test_plan_cells_show_the_next_bill_date_and_the_last_invoice():
    book = Book([plan(start=date(2026, 9, 1), count=3)])
    planned = book.run(date(2026, 10, 5))
    (cells,) = plan_cells(book.plans, book.history, planned.upcoming)
    assert (cells.row, cells.next_date, cells.last_invoice) == (
        2,
        date(2026, 11, 1),
        "INV-2026-0002",
    )
    paused = [replace(book.plans[0], is_active=False)]
    assert plan_cells(paused, book.history, planned.upcoming)[0].next_date is None
    ended = book.run(date(2026, 11, 1))
    assert ended.upcoming == {"P-001": None}
    assert plan_cells(book.plans, book.history, ended.upcoming)[0] == replace(
        cells, next_date=None, last_invoice="INV-2026-0003"
    )


@pytest.mark.parametrize(
    ("language", "month", "quarter"),
    [
        ("en", "November 2026", "Q4 2026"),
        ("de", "November 2026", "Q4 2026"),
        ("fr", "novembre 2026", "T4 2026"),
        ("es", "noviembre de 2026", "T4 2026"),
        ("de-AT", "November 2026", "Q4 2026"),
        ("FR_ch", "novembre 2026", "T4 2026"),
        ("it", "November 2026", "Q4 2026"),  # its invoice is printed in English
        ("xx", "November 2026", "Q4 2026"),
    ],
)
def test_period_labels_in_the_customers_language(language, month, quarter):
    def label(start: date, end: date) -> str:
        return period_label(Period(start, end, start, "P-001", 0), plan(), language)

    assert label(date(2026, 11, 1), date(2026, 11, 30)) == month
    assert label(date(2026, 10, 1), date(2026, 12, 31)) == quarter
    assert label(date(2026, 1, 1), date(2026, 12, 31)) == "2026"


def test_period_labels_of_other_periods_are_date_ranges():
    weekly = next(
        schedule(plan(frequency=Frequency.WEEKLY, day=1, start=date(2026, 11, 2)))
    )
    assert period_label(weekly, plan(), "en") == "Nov 2\u2009–\u20098, 2026"
    monthly = next(schedule(plan(day=15, start=date(2026, 11, 15))))
    assert period_label(monthly, plan(), "de") == "15. Nov.\u2009–\u200914. Dez. 2026"
    # November to January is no calendar quarter.
    assert (
        period_label(
            replace(monthly, start=date(2026, 11, 1), end=date(2027, 1, 31)),
            plan(),
            "en",
        )
        == "Nov 1, 2026\u2009–\u2009Jan 31, 2027"
    )


def _ranges() -> list[tuple[date, date]]:
    """Periods in every month: within it, across two months, across two years."""
    found = []
    for month in range(1, 13):
        first = date(2026, month, 3)
        found.append((first, first + timedelta(days=6)))
        found.append((first + timedelta(days=12), first + timedelta(days=45)))
    found.append((date(2026, 12, 15), date(2027, 1, 14)))
    found.append((date(1999, 12, 31), date(2000, 1, 6)))
    return found


@pytest.mark.parametrize(
    "language",
    [
        *("en", "de", "fr", "es", "it", "nl", "pl", "ru", "uk", "fi", "hu", "cs"),
        *("tr", "ja", "zh", "ko", "ar", "he", "fa", "hi", "th", "el", "pt_BR"),
        *("en_GB", "de_CH", "fr_CA", "sr_Latn", "ca", "lt", "ga", "vi", "bg"),
    ],
)
def test_period_ranges_read_as_babels_format_interval_in_many_locales(language):
    """The ends of a range are put together from babel's own texts of their date
    fields (remembered by the day, month or year each reads), or are babel's whole
    when a field reads anything else: the text is babel's in every month and
    locale."""
    locale = Locale.parse(language)
    for start, end in _ranges():
        expected = format_interval(start, end, "yMMMd", locale=locale)
        assert label(start, end, language) == expected


@given(
    st.dates(date(1900, 1, 1), date(2100, 12, 31)),
    st.sampled_from(["d MMM y", "EEE, MMM d", "dd.MM.yy", "LLLL y", "y-MM-dd 'at' w"]),
    st.sampled_from(["en", "de", "fr", "ja", "ar"]),
)
def test_a_range_end_is_babels_date_pattern_text(day, pattern, language):
    """A pattern whose fields each read the day, month or year is put together
    from their texts; any other (a weekday, a week) is babel's whole: the same."""
    expected = parse_pattern(pattern).apply(day, Locale.parse(language))
    assert retainers_dated(pattern, day, language) == expected


@settings(deadline=None)
@given(
    st.dates(date(1990, 1, 1), date(2090, 12, 31)),
    st.integers(0, 800),
    st.sampled_from(["en", "de", "fr", "es", "it", "ja", "de_AT", "en_GB"]),
)
def test_period_ranges_read_as_babels_format_interval(start, days, language):
    end = start + timedelta(days=days)
    if start.day == 1 and (end + ONE_DAY).day == 1:
        return  # a calendar month, quarter or year: named, not a range
    text = label(start, end, language)
    assert text == format_interval(start, end, "yMMMd", locale=Locale.parse(language))
