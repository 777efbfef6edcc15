"""The reminder planner over many runs (hypothesis): runs with downtime and payments,
each run's reminders fed back into the history (split from test_reminders.py)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import example, given, settings
from hypothesis import strategies as st

from sheetbill.domain.mail import (
    EmailHistory,
    EmailRecord,
    InvoiceStanding,
    PlannedEmail,
    Purpose,
    Skip,
    SkipReason,
)
from sheetbill.domain.model import Customer, Settings
from sheetbill.planning.reminders import (
    Schedule,
    plan_reminders,
    plan_reminders_from,
)

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
