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

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reminder_helpers import (
    CUSTOMER,
    DUE,
    ISSUED,
    SCHEDULE,
    at,
    invoice,
    invoice_sent,
    only_email,
    only_skip,
    plan,
    record,
    reminder_sent,
)

from sheetbill.domain.approvals import APPROVED, AWAITING
from sheetbill.domain.mail import (
    EmailRecord,
    Purpose,
    SendWord,
    SkipReason,
)
from sheetbill.domain.money import Money
from sheetbill.planning.reminders import (
    Day,
)

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
