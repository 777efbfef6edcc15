"""Payment reminders (issue 14 point 5): which reminder goes today, and why none does.

The rule (docs/decisions.md, Issue 14 — reminders): stages are days from the due date
(Settings Reminder Schedule); the latest stage whose date has come is the only one
that may go, once, when it is later than every stage sent so far, falls after the day
the invoice email went and no email of the invoice went today — all dates in the
Settings time zone, while the journal's times are UTC. Never for paid, void, held,
awaiting approval, needs review, credit notes, customers with Reminders off or
without a valid address, nor for invoices whose invoice email sheetbill did not send.

Pure: the planner is given values; the properties run sequences of runs (with
downtime and payments) feeding each run's reminders back into the history.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sheetbill.domain.approvals import APPROVED, AWAITING
from sheetbill.domain.mail import (
    EmailHistory,
    EmailRecord,
    InvoiceStanding,
    PlannedEmail,
    Purpose,
    SendWord,
    Skip,
    SkipReason,
)
from sheetbill.domain.model import Customer, Settings
from sheetbill.domain.money import Money
from sheetbill.planning.reminders import (
    Day,
    Schedule,
    plan_reminders,
    plan_reminders_from,
)

BERLIN = ZoneInfo("Europe/Berlin")
SCHEDULE = (-3, 1, 7, 14, 30)
DUE = date(2026, 11, 10)
ISSUED = date(2026, 10, 11)
CUSTOMER = Customer(
    row=2,
    customer_id="C001",
    name="Acme GmbH",
    email="ap@acme.de",
    cc="boss@acme.de; books@acme.de",
    language="de",
)


def invoice(number: str = "INV-2026-0007", **changes: object) -> InvoiceStanding:
    made = InvoiceStanding(
        number=number,
        customer_id="C001",
        currency="EUR",
        total=Decimal("1190.00"),
        issue_date=ISSUED,
        due_date=DUE,
    )
    return replace(made, **changes)


def at(day: date, hour: int = 10, minute: int = 0, zone: ZoneInfo = BERLIN) -> datetime:
    """A wall time in `zone` as the journal keeps it: UTC."""
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


def record(
    key: str,
    when: datetime,
    *,
    status: str = "done",
    stage: int | None = None,
    number: str = "INV-2026-0007",
) -> EmailRecord:
    purpose = Purpose(key.split(".")[1])
    settled = None if status == "pending" else when + timedelta(seconds=3)
    return EmailRecord(key, purpose, status, when, settled, invoice=number, stage=stage)


def invoice_sent(when: datetime | None = None, **kw: object) -> EmailRecord:
    return record("INV-2026-0007.invoice", when or at(ISSUED), **kw)


def reminder_sent(
    stage: int, when: datetime | None = None, **kw: object
) -> EmailRecord:
    sent = when or at(DUE + timedelta(days=stage))
    return record(f"INV-2026-0007.reminder.{stage:+d}", sent, stage=stage, **kw)


def plan(
    today: date,
    *records: EmailRecord,
    standing: InvoiceStanding | None = None,
    schedule: Sequence[int] = SCHEDULE,
    customer: Customer | None = CUSTOMER,
    zone: ZoneInfo = BERLIN,
) -> tuple[list[PlannedEmail], list[Skip]]:
    customers = {} if customer is None else {customer.customer_id: customer}
    return plan_reminders(
        [standing or invoice()],
        customers,
        Settings(reminder_schedule=tuple(schedule)),
        EmailHistory.of(records),
        today=today,
        zone=zone,
    )


def only_email(found: tuple[list[PlannedEmail], list[Skip]]) -> PlannedEmail:
    planned, skipped = found
    assert skipped == [] and len(planned) == 1, found
    return planned[0]


def only_skip(found: tuple[list[PlannedEmail], list[Skip]]) -> Skip:
    planned, skipped = found
    assert planned == [] and len(skipped) == 1, found
    return skipped[0]


# --- the stage that goes -----------------------------------------------------------


def test_reminders_a_stage_goes_on_its_date_with_its_key_envelope_and_facts():
    email = only_email(plan(DUE - timedelta(days=3), invoice_sent()))
    assert email.purpose is Purpose.REMINDER
    assert email.key == "INV-2026-0007.reminder.-3"
    assert email.stage == -3
    assert email.template == "reminder-before"
    assert (email.to, email.cc) == (("ap@acme.de",), ("boss@acme.de", "books@acme.de"))
    assert email.language == "de"
    assert (email.invoice, email.customer_id) == ("INV-2026-0007", "C001")
    assert email.attachments == ("INV-2026-0007",)
    assert email.due == DUE
    assert email.facts["stage"] == -3
    assert email.facts["days_overdue"] == 0
    assert email.facts["is_final"] is False
    assert email.facts["customer"] == {"id": "C001", "name": "Acme GmbH"}
    assert email.facts["invoice"]["due_date"] == DUE


def test_reminders_state_the_balance_still_open_after_a_partial_payment():
    partly = invoice(paid=Decimal("400.00"))
    email = only_email(plan(DUE + timedelta(days=1), invoice_sent(), standing=partly))
    facts = email.facts["invoice"]
    assert facts["total"] == Money(Decimal("1190.00"), "EUR")
    assert facts["paid"] == Money(Decimal("400.00"), "EUR")
    assert facts["balance"] == Money(Decimal("790.00"), "EUR")


def test_reminders_count_days_overdue_from_the_due_date():
    email = only_email(plan(DUE + timedelta(days=9), invoice_sent()))
    assert (email.stage, email.facts["days_overdue"]) == (7, 9)


@pytest.mark.parametrize(
    ("schedule", "stage", "template", "is_final"),
    [
        (SCHEDULE, -3, "reminder-before", False),
        (SCHEDULE, 1, "reminder-after", False),
        (SCHEDULE, 7, "reminder-firm", False),
        (SCHEDULE, 14, "reminder-firm", False),
        (SCHEDULE, 30, "reminder-final", True),
        # The only stage after the due date is the first after it: polite, yet last.
        ((-3, 7), 7, "reminder-after", True),
        # A stage on the due date is still before it is overdue.
        ((0, 5, 10), 0, "reminder-before", False),
        ((0, 5, 10), 10, "reminder-final", True),
    ],
)
def test_reminders_tone_follows_the_stage(schedule, stage, template, is_final):
    email = only_email(
        plan(DUE + timedelta(days=stage), invoice_sent(), schedule=schedule)
    )
    assert (email.stage, email.template, email.facts["is_final"]) == (
        stage,
        template,
        is_final,
    )
    assert email.key == f"INV-2026-0007.reminder.{stage:+d}"


def test_reminders_after_downtime_only_the_latest_due_stage_goes():
    """Nine days past due, no reminder sent yet: +7 goes, not -3 and +1 as well."""
    email = only_email(plan(DUE + timedelta(days=9), invoice_sent()))
    assert email.stage == 7


def test_reminders_a_stage_sent_before_never_goes_again_and_the_skip_names_the_next():
    skip = only_skip(plan(DUE + timedelta(days=8), invoice_sent(), reminder_sent(7)))
    assert (skip.reason, skip.stage) == (SkipReason.NOT_DUE, 14)
    assert skip.detail == "stage +14 falls due on 2026-11-24"


def test_reminders_a_stage_that_failed_goes_again():
    """Failed (4xx) is not sent; the same stage goes again in the next run."""
    failed = reminder_sent(7, status="failed")
    email = only_email(plan(DUE + timedelta(days=8), invoice_sent(), failed))
    assert email.key == "INV-2026-0007.reminder.+7"


def test_reminders_before_any_stage_the_skip_names_the_first_stage_and_its_date():
    skip = only_skip(plan(DUE - timedelta(days=10), invoice_sent()))
    assert (skip.reason, skip.stage) == (SkipReason.NOT_DUE, -3)
    assert skip.detail == "stage -3 falls due on 2026-11-07"


def test_reminders_a_stage_must_be_later_than_every_stage_sent():
    """The schedule changed after +14 went: its +10 is earlier, so it never goes."""
    skip = only_skip(
        plan(
            DUE + timedelta(days=12),
            invoice_sent(),
            reminder_sent(14, at(DUE + timedelta(days=1))),
            schedule=(1, 10, 20),
        )
    )
    assert (skip.reason, skip.stage) == (SkipReason.NOT_DUE, 20)


def test_reminders_after_the_last_stage_the_skip_says_already_sent():
    skip = only_skip(plan(DUE + timedelta(days=60), invoice_sent(), reminder_sent(30)))
    assert (skip.reason, skip.stage) == (SkipReason.ALREADY_SENT, 30)


def test_reminders_an_empty_schedule_sends_nothing_and_says_so():
    skip = only_skip(plan(DUE + timedelta(days=60), invoice_sent(), schedule=()))
    assert skip.reason is SkipReason.NOT_DUE
    assert "names no stage" in skip.detail


def test_reminders_a_stage_on_or_before_the_invoice_email_day_never_goes():
    """The invoice email went two days after the due date: +1 fell due before it
    went, so the customer hears of it next at +7."""
    late = invoice_sent(at(DUE + timedelta(days=2)))
    skip = only_skip(plan(DUE + timedelta(days=2), late))
    assert (skip.reason, skip.stage) == (SkipReason.NOT_DUE, 7)
    assert only_email(plan(DUE + timedelta(days=7), late)).stage == 7


def test_reminders_no_stage_after_a_very_late_invoice_email_says_so():
    late = invoice_sent(at(DUE + timedelta(days=40)))
    skip = only_skip(plan(DUE + timedelta(days=41), late))
    assert (skip.reason, skip.stage) == (SkipReason.NOT_DUE, 30)
    assert "no stage falls after the invoice email" in skip.detail


def test_reminders_at_most_one_email_per_invoice_per_day():
    """A receipt for a partial payment went this morning: the reminder waits a day."""
    today = DUE + timedelta(days=1)
    receipt = record("INV-2026-0007.receipt.400.00", at(today, 8))
    partly = invoice(paid=Decimal("400.00"))
    skip = only_skip(plan(today, invoice_sent(), receipt, standing=partly))
    assert (skip.reason, skip.stage) == (SkipReason.ALREADY_TODAY, 1)
    tomorrow = only_email(
        plan(today + timedelta(days=1), invoice_sent(), receipt, standing=partly)
    )
    assert tomorrow.stage == 1


@pytest.mark.parametrize("today", [DUE + timedelta(days=1), DUE + timedelta(days=2)])
def test_reminders_an_email_sent_across_midnight_went_on_both_days(today):
    """Handed over at 23:59:50, accepted at 00:00:20: it went on both days."""
    handed = at(DUE + timedelta(days=1), 23, 59) + timedelta(seconds=50)
    receipt = EmailRecord(
        "INV-2026-0007.receipt.400.00",
        Purpose.RECEIPT,
        "done",
        handed,
        handed + timedelta(seconds=30),
        invoice="INV-2026-0007",
    )
    skip = only_skip(plan(today, invoice_sent(), receipt, schedule=(1, 2)))
    assert skip.reason is SkipReason.ALREADY_TODAY


def test_reminders_an_email_that_failed_today_did_not_go_today():
    today = DUE + timedelta(days=1)
    receipt = record("INV-2026-0007.receipt.400.00", at(today, 8), status="failed")
    email = only_email(plan(today, invoice_sent(), receipt))
    assert email.stage == 1


def test_reminders_without_a_pdf_go_without_an_attachment():
    email = only_email(
        plan(
            DUE + timedelta(days=1),
            invoice_sent(),
            standing=invoice(has_document=False),
        )
    )
    assert email.attachments == ()


# --- never ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("standing", "reason"),
    [
        (invoice(paid=Decimal("1190.00")), SkipReason.PAID),
        (invoice(paid=Decimal("1200.00")), SkipReason.PAID),
        (invoice(is_void=True), SkipReason.VOID),
        (invoice(is_held=True), SkipReason.ON_HOLD),
        (invoice(approval=AWAITING), SkipReason.AWAITING_APPROVAL),
        (invoice(kind="credit note", total=Decimal("-100")), SkipReason.CREDIT_NOTE),
    ],
)
def test_reminders_never_for_an_invoice_that_stands_so(standing, reason):
    skip = only_skip(plan(DUE + timedelta(days=1), invoice_sent(), standing=standing))
    assert (skip.purpose, skip.reason, skip.invoice) == (
        Purpose.REMINDER,
        reason,
        "INV-2026-0007",
    )


def test_reminders_go_for_an_approved_invoice():
    approved = invoice(approval=APPROVED)
    assert only_email(plan(DUE + timedelta(days=1), invoice_sent(), standing=approved))


@pytest.mark.parametrize(
    "records",
    [
        pytest.param((), id="no invoice email"),
        pytest.param((invoice_sent(status="failed"),), id="invoice email failed"),
        pytest.param(
            (record("INV-2026-0007.receipt.10.00", at(ISSUED)),), id="only a receipt"
        ),
    ],
)
def test_reminders_never_for_an_invoice_whose_invoice_email_sheetbill_did_not_send(
    records,
):
    """An invoice from before sending existed, or sent by hand, is never chased: the
    upgrade must not start a wave of reminders."""
    skip = only_skip(plan(DUE + timedelta(days=20), *records))
    assert skip.reason is SkipReason.NOT_SENT_BY_SHEETBILL


@pytest.mark.parametrize(
    "uncertain",
    [
        pytest.param(invoice_sent(status="unknown"), id="invoice email unknown"),
        pytest.param(reminder_sent(1, status="unknown"), id="reminder unknown"),
        pytest.param(reminder_sent(1, status="pending"), id="stopped run"),
        pytest.param(
            record("INV-2026-0007.receipt.10.00", at(DUE), status="unknown"),
            id="receipt unknown",
        ),
    ],
)
def test_reminders_never_while_an_email_of_the_invoice_needs_review(uncertain):
    records = {r.key: r for r in (invoice_sent(), uncertain)}
    skip = only_skip(plan(DUE + timedelta(days=8), *records.values()))
    assert skip.reason is SkipReason.NEEDS_REVIEW


def test_reminders_a_person_writing_sent_counts_the_unknown_email_as_sent():
    unknown = reminder_sent(1, status="unknown")
    said_sent = invoice(send=SendWord.SENT)
    email = only_email(
        plan(DUE + timedelta(days=8), invoice_sent(), unknown, standing=said_sent)
    )
    assert email.stage == 7
    # It went, so it is not sent again, and +1 is not earlier than a later stage.
    skip = only_skip(
        plan(DUE + timedelta(days=2), invoice_sent(), unknown, standing=said_sent)
    )
    assert (skip.reason, skip.stage) == (SkipReason.NOT_DUE, 7)


def test_reminders_a_person_writing_resend_gets_the_unknown_reminder_once_more():
    unknown = reminder_sent(7, status="unknown")
    resend = invoice(send=SendWord.RESEND)
    today = DUE + timedelta(days=9)
    email = only_email(plan(today, invoice_sent(), unknown, standing=resend))
    assert (email.key, email.stage) == ("INV-2026-0007.reminder.+7.resend", 7)
    again = record(
        "INV-2026-0007.reminder.+7.resend", at(today), stage=7, status="done"
    )
    skip = only_skip(
        plan(today + timedelta(days=1), invoice_sent(), unknown, again, standing=resend)
    )
    assert (skip.reason, skip.stage) == (SkipReason.NOT_DUE, 14)


def test_reminders_a_resend_whose_outcome_is_unknown_needs_review_again():
    unknown = reminder_sent(7, status="unknown")
    again = record(
        "INV-2026-0007.reminder.+7.resend",
        at(DUE + timedelta(days=9)),
        stage=7,
        status="unknown",
    )
    skip = only_skip(
        plan(
            DUE + timedelta(days=15),
            invoice_sent(),
            unknown,
            again,
            standing=invoice(send=SendWord.RESEND),
        )
    )
    assert skip.reason is SkipReason.NEEDS_REVIEW


def test_reminders_when_a_later_stage_is_due_a_resend_gives_way_to_it():
    """+1 did not arrive, a person says; by now +7 is due: +7 goes (one email)."""
    unknown = reminder_sent(1, status="unknown")
    email = only_email(
        plan(
            DUE + timedelta(days=8),
            invoice_sent(),
            unknown,
            standing=invoice(send=SendWord.RESEND),
        )
    )
    assert email.key == "INV-2026-0007.reminder.+7"


def test_reminders_an_invoice_email_to_be_resent_is_not_chased_until_it_went():
    unknown = invoice_sent(status="unknown")
    resend = invoice(send=SendWord.RESEND)
    skip = only_skip(plan(DUE + timedelta(days=1), unknown, standing=resend))
    assert skip.reason is SkipReason.NOT_SENT_BY_SHEETBILL
    resent = record("INV-2026-0007.invoice.resend", at(ISSUED + timedelta(days=2)))
    email = only_email(plan(DUE + timedelta(days=1), unknown, resent, standing=resend))
    assert email.stage == 1


def test_reminders_never_for_a_customer_with_reminders_off():
    off = replace(CUSTOMER, reminders=False)
    skip = only_skip(plan(DUE + timedelta(days=1), invoice_sent(), customer=off))
    assert skip.reason is SkipReason.OPTED_OUT


@pytest.mark.parametrize(
    ("email", "cc"),
    [
        ("", ""),
        ("not an address", ""),
        ("ap@acme.de\nBcc: all@acme.de", ""),
        ("ap@acme.de", "boss@acme.de, nobody@@acme.de"),
    ],
)
def test_reminders_never_to_a_customer_without_a_valid_address(email, cc):
    wrong = replace(CUSTOMER, email=email, cc=cc)
    skip = only_skip(plan(DUE + timedelta(days=1), invoice_sent(), customer=wrong))
    assert (skip.reason, skip.stage) == (SkipReason.NO_ADDRESS, 1)
    assert skip.detail


@pytest.mark.parametrize("name", ["Acme\r\nBcc: all@acme.de", "Acme\u2028GmbH"])
def test_reminders_never_to_a_customer_whose_name_holds_a_line_break(name):
    wrong = replace(CUSTOMER, name=name)
    skip = only_skip(plan(DUE + timedelta(days=1), invoice_sent(), customer=wrong))
    assert (skip.reason, skip.stage) == (SkipReason.NO_ADDRESS, 1)
    assert skip.detail


def test_reminders_never_for_a_customer_not_in_the_customers_tab():
    skip = only_skip(plan(DUE + timedelta(days=1), invoice_sent(), customer=None))
    assert skip.reason is SkipReason.NO_ADDRESS


# --- the Settings time zone ---------------------------------------------------------


def _local(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


def _utc(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


# Two runs around midnight: at 23:30 and at 00:30 of the next day, by the wall clock
# of the Settings zone or of UTC. A person in the zone sees the first pair on two
# days and the second on one day, in each of these zones.
@pytest.mark.parametrize(
    "zone", ["Europe/Berlin", "Pacific/Auckland", "America/Los_Angeles"]
)
@pytest.mark.parametrize(
    ("clock", "two_days"), [(_local, True), (_utc, False)], ids=["local", "utc"]
)
@pytest.mark.parametrize("first", ["receipt", "invoice email"])
def test_reminders_around_midnight_decide_as_a_person_in_the_zone_would(
    zone, clock, two_days, first
):
    """An email went at the first run; at the second a stage falls due on the day
    the person there lives in. The reminder goes only when that is a new day for
    them: two emails on one of their days never, and a new day is not lost because
    UTC's date did or did not change."""
    tz = ZoneInfo(zone)
    night = date(2026, 11, 9)
    first_run = clock(night, 23, 30, tz)
    second_run = clock(night + timedelta(days=1), 0, 30, tz)
    today = second_run.astimezone(tz).date()
    assert (today > first_run.astimezone(tz).date()) is two_days
    standing = invoice(
        due_date=today - timedelta(days=1), issue_date=night - timedelta(30)
    )
    if first == "receipt":
        records = [
            invoice_sent(first_run - timedelta(days=30)),
            record("INV-2026-0007.receipt.10.00", first_run),
        ]
    else:
        records = [invoice_sent(first_run)]
    planned, skipped = plan(today, *records, standing=standing, zone=tz)
    assert [e.stage for e in planned] == ([1] if two_days else [])
    if not two_days:
        assert [s.reason for s in skipped] == [
            SkipReason.ALREADY_TODAY if first == "receipt" else SkipReason.NOT_DUE
        ]


# Zones whose clocks change at midnight (so a day may start at 01:00) or far from UTC.
DAY_ZONES = [
    "America/Havana",
    "America/Santiago",
    "Asia/Beirut",
    "America/Asuncion",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "Europe/Berlin",
]


@pytest.mark.parametrize("zone", DAY_ZONES)
def test_reminders_day_spans_exactly_the_instants_of_that_date_in_the_zone(zone):
    """Every day of 2022-2026, including days whose midnight a clock change skips."""
    tz = ZoneInfo(zone)
    day = date(2022, 1, 1)
    while day < date(2027, 1, 1):
        span = Day.of(day, tz)
        assert span.starts.astimezone(tz).date() == day
        assert (span.starts - timedelta(seconds=1)).astimezone(tz).date() < day
        assert (span.ends - timedelta(seconds=1)).astimezone(tz).date() == day
        day += timedelta(days=1)


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(DAY_ZONES),
    moment=st.datetimes(
        min_value=datetime(2022, 1, 1), max_value=datetime(2026, 12, 31)
    ),
    shift=st.integers(-1, 1),
)
def test_reminders_day_holds_an_instant_when_its_zone_date_is_that_day(
    zone, moment, shift
):
    tz = ZoneInfo(zone)
    instant = moment.replace(tzinfo=UTC)
    local = instant.astimezone(tz).date()
    day = local + timedelta(days=shift)
    assert Day.of(day, tz).holds(instant) is (shift == 0)
    # A naive journal time is read as UTC.
    assert Day.of(day, tz).holds(moment) is (shift == 0)


# --- properties over runs -----------------------------------------------------------

SIM_ZONES = [
    "UTC",
    "Europe/Berlin",
    "Pacific/Auckland",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Pacific/Chatham",
]
SIM_CUSTOMER = Customer(row=2, customer_id="C1", name="Acme", email="ap@acme.de")
TOTAL = Decimal("100.00")


@dataclass
class Life:
    """Invoices, the runs and payments that happen to them, and what went."""

    zone: ZoneInfo
    schedule: tuple[int, ...]
    invoices: list[InvoiceStanding]
    # (minutes since the last event, "run" or an invoice index that gets paid, amount)
    events: list[tuple[int, str | int, Decimal]]
    start: datetime
    settle_seconds: int
    records: dict[str, EmailRecord] = field(default_factory=dict)
    paid: dict[str, Decimal] = field(default_factory=dict)
    # When each invoice was paid in full.
    paid_at: dict[str, datetime] = field(default_factory=dict)


@st.composite
def lives(draw: st.DrawFn) -> Life:
    zone = ZoneInfo(draw(st.sampled_from(SIM_ZONES)))
    schedule = tuple(
        draw(st.lists(st.integers(-10, 40), min_size=1, max_size=6, unique=True))
    )
    start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(
        minutes=draw(st.integers(0, 365 * 24 * 60))
    )
    issued = start.astimezone(zone).date()
    count = draw(st.integers(1, 3))
    invoices = [
        InvoiceStanding(
            number=f"INV-{n}",
            customer_id="C1",
            currency="EUR",
            total=TOTAL,
            issue_date=issued,
            due_date=issued + timedelta(days=draw(st.integers(0, 45))),
        )
        for n in range(count)
    ]
    # Runs a few hours apart, daily, or after days without any (downtime).
    gap = st.one_of(
        st.integers(1, 6 * 60), st.integers(20 * 60, 28 * 60), st.integers(1, 14 * 1440)
    )
    event = st.tuples(
        gap,
        st.one_of(st.just("run"), st.integers(0, count - 1)),
        st.sampled_from([Decimal("30.00"), Decimal("100.00")]),
    )
    events = draw(st.lists(event, min_size=1, max_size=40))
    settle = draw(st.integers(0, 120))
    return Life(zone, schedule, invoices, events, start, settle)


def _add(
    life: Life, email_key: str, purpose: Purpose, when: datetime, **kw: object
) -> None:
    life.records[email_key] = EmailRecord(
        email_key,
        purpose,
        "done",
        when,
        when + timedelta(seconds=life.settle_seconds),
        **kw,
    )


def live(
    life: Life,
) -> Iterator[tuple[datetime, list[PlannedEmail], list[Skip], list[InvoiceStanding]]]:
    """Play the events: the invoice emails go at the start; each payment sends a
    receipt; each run plans reminders, and what it plans goes (recorded done)."""
    customers = {"C1": SIM_CUSTOMER}
    settings_ = Settings(reminder_schedule=life.schedule)
    for played in (life.records, life.paid, life.paid_at):
        played.clear()  # an explicit example may be played more than once
    for standing in life.invoices:
        _add(
            life,
            f"{standing.number}.invoice",
            Purpose.INVOICE,
            life.start,
            invoice=standing.number,
        )
        life.paid[standing.number] = Decimal(0)
    now = life.start
    for minutes, what, amount in life.events:
        now += timedelta(minutes=minutes)
        if what != "run":
            number = life.invoices[int(what)].number
            paid = min(TOTAL, life.paid[number] + amount)
            if paid != life.paid[number]:
                life.paid[number] = paid
                if paid == TOTAL:
                    life.paid_at[number] = now
                _add(
                    life,
                    f"{number}.receipt.{paid}",
                    Purpose.RECEIPT,
                    now,
                    invoice=number,
                )
            continue
        standings = [replace(s, paid=life.paid[s.number]) for s in life.invoices]
        history = EmailHistory(dict(life.records))
        today = now.astimezone(life.zone).date()
        planned, skipped = plan_reminders(
            standings, customers, settings_, history, today=today, zone=life.zone
        )
        yield now, planned, skipped, standings
        for email in planned:
            _add(
                life,
                email.key,
                Purpose.REMINDER,
                now,
                invoice=email.invoice,
                stage=email.stage,
            )


def _zone_days(email: EmailRecord, zone: ZoneInfo) -> set[date]:
    moments = [email.intended_at, email.settled_at or email.intended_at]
    return {moment.astimezone(zone).date() for moment in moments}


# A partial payment's receipt an hour before the run on the day stage +1 falls due.
RECEIPT_THEN_RUN = Life(
    zone=ZoneInfo("Europe/Berlin"),
    schedule=(1, 5),
    invoices=[
        InvoiceStanding(
            number="INV-0",
            customer_id="C1",
            currency="EUR",
            total=TOTAL,
            issue_date=date(2026, 3, 1),
            due_date=date(2026, 3, 1),
        )
    ],
    events=[(23 * 60, 0, Decimal("30.00")), (60, "run", Decimal("30.00"))],
    start=datetime(2026, 3, 1, 8, tzinfo=UTC),
    settle_seconds=3,
)


@settings(max_examples=250, deadline=None)
@given(life=lives())
@example(life=RECEIPT_THEN_RUN)
def test_reminders_over_runs_with_downtime_and_payments(life: Life):
    """Each stage at most once; stages rising; never two emails of an invoice on one
    day of the Settings zone; after a gap only the latest due stage; nothing once
    paid; and grouping the history once decides as scanning it per invoice does."""
    schedule = Schedule.of(life.schedule)
    customers = {"C1": SIM_CUSTOMER}
    for now, planned, skipped, standings in live(life):
        today = now.astimezone(life.zone).date()
        by_number = {s.number: s for s in standings}
        assert len({e.invoice for e in planned}) == len(planned)  # one per invoice
        assert len(planned) + len(skipped) == len(standings)
        for email in planned:
            standing = by_number[email.invoice]
            assert standing.balance > 0
            assert email.stage == schedule.latest_due(standing.due_date, today)
            assert email.key not in life.records
            earlier = [r for r in life.records.values() if r.invoice == email.invoice]
            assert all(today not in _zone_days(r, life.zone) for r in earlier)
        for skip in skipped:
            if by_number[skip.invoice].balance <= 0:
                assert skip.reason is SkipReason.PAID
        history = EmailHistory(dict(life.records))
        scanned = plan_reminders_from(
            standings,
            customers,
            Settings(reminder_schedule=life.schedule),
            _Scan(history),
            today=today,
            zone=life.zone,
        )
        assert scanned == (planned, skipped)
    for standing in life.invoices:
        sent = sorted(
            (r for r in life.records.values() if r.invoice == standing.number),
            key=lambda r: r.intended_at,
        )
        stages = [r.stage for r in sent if r.purpose is Purpose.REMINDER]
        assert stages == sorted(set(stages))
        paid_at = life.paid_at.get(standing.number)
        if paid_at is not None:
            assert not any(
                r.purpose is Purpose.REMINDER and r.intended_at > paid_at for r in sent
            )


class _Scan(Mapping[str, Sequence[EmailRecord]]):
    """The history searched the plain way, one scan per invoice."""

    def __init__(self, history: EmailHistory) -> None:
        self.history = history

    def __getitem__(self, number: str) -> Sequence[EmailRecord]:
        found = [r for r in self.history.records.values() if r.invoice == number]
        return sorted(found, key=lambda r: r.intended_at)

    def __iter__(self) -> Iterator[str]:
        return iter({r.invoice for r in self.history.records.values() if r.invoice})

    def __len__(self) -> int:
        return len(set(self))


@settings(max_examples=150, deadline=None)
@given(
    zone=st.sampled_from(SIM_ZONES),
    schedule=st.lists(st.integers(-10, 40), min_size=1, max_size=6, unique=True),
    terms=st.integers(0, 45),
    sent_at=st.times(),
    run_at=st.times(),
    start=st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)),
)
def test_reminders_with_daily_runs_every_stage_after_the_invoice_email_goes_on_its_day(
    zone, schedule, terms, sent_at, run_at, start
):
    """Nothing is lost: with daily runs (at any hour of the Settings zone), each
    stage whose date falls after the invoice email's day goes on its date."""
    tz = ZoneInfo(zone)
    standing = InvoiceStanding(
        number="INV-1",
        customer_id="C1",
        currency="EUR",
        total=TOTAL,
        issue_date=start,
        due_date=start + timedelta(days=terms),
    )
    sent = datetime.combine(start, sent_at, tzinfo=tz).astimezone(UTC)
    sent_day = sent.astimezone(tz).date()
    records = {
        "INV-1.invoice": EmailRecord(
            "INV-1.invoice", Purpose.INVOICE, "done", sent, sent, invoice="INV-1"
        )
    }
    went: list[tuple[date, int]] = []
    day = start
    last = standing.due_date + timedelta(days=max(schedule) + 2)
    while day <= last:
        now = datetime.combine(day, run_at, tzinfo=tz).astimezone(UTC)
        today = now.astimezone(tz).date()
        planned, _ = plan_reminders(
            [standing],
            {"C1": SIM_CUSTOMER},
            Settings(reminder_schedule=tuple(schedule)),
            EmailHistory(dict(records)),
            today=today,
            zone=tz,
        )
        for email in planned:
            assert email.stage is not None
            went.append((today, email.stage))
            records[email.key] = EmailRecord(
                email.key, Purpose.REMINDER, "done", now, now, "INV-1", email.stage
            )
        day += timedelta(days=1)
    expected = [
        (standing.due_date + timedelta(days=s), s)
        for s in sorted(schedule)
        if standing.due_date + timedelta(days=s) > sent_day
        and standing.due_date + timedelta(days=s) >= start
    ]
    assert went == expected
