"""Which payment reminders go today, so an unpaid invoice is chased on the Settings'
Reminder Schedule without the two things that embarrass a shop: a duplicate, and a
wave of stale reminders after a few days without a run.

Pure: the journal's emails (`EmailHistory`) and the invoices as they stand are given;
`today` is the date in the Settings time zone, and every recorded time (UTC) is turned
into a date of that zone, so a run at 23:30 and one at 00:30 decide as a person there
would. The rule (docs/decisions.md, Issue 14 — reminders):

- Stages are days from the due date (`Settings.reminder_schedule`); the latest stage
  whose date (due + stage) is today or past is the only candidate, so after downtime
  only that one goes, never the backlog.
- It goes when it was not sent before (any record that may have gone), it is later
  than every stage sent so far, its date is after the day the invoice email went, and
  no email of the invoice went today.
- Never for credit notes, void, held, awaiting approval, needs review or paid
  invoices, customers with Reminders off or without a valid address, nor for an
  invoice whose invoice email sheetbill did not send (an upgrade must not start a
  wave of reminders for invoices sent by hand).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sheetbill.domain.approvals import AWAITING
from sheetbill.domain.mail import (
    EmailHistory,
    EmailRecord,
    InvoiceStanding,
    PlannedEmail,
    Purpose,
    Skip,
    SkipReason,
)
from sheetbill.domain.model import Customer, InvoiceKind, Settings
from sheetbill.planning.sending import (
    RESEND,
    InvoiceEmails,
    emails_of,
    invoice_facts,
    language_of,
    no_address,
    recipients,
    sorted_out,
)

# The tones of the built-in templates (sheet_templates/email/<language>/).
BEFORE, AFTER, FIRM, FINAL = (
    "reminder-before",
    "reminder-after",
    "reminder-firm",
    "reminder-final",
)
_INVOICE, _REMINDER = Purpose.INVOICE, Purpose.REMINDER

# An invoice's emails by invoice number.
RecordsByInvoice = Mapping[str, Sequence[EmailRecord]]
# To and CC of a customer's emails, or why none may go.
_Addresses = tuple[tuple[str, ...], tuple[str, ...]] | str


def plan_reminders(
    invoices: Sequence[InvoiceStanding],
    customers: Mapping[str, Customer],
    settings: Settings,
    history: EmailHistory,
    *,
    today: date,
    zone: ZoneInfo,
) -> tuple[list[PlannedEmail], list[Skip]]:
    """The reminders due today (at most one per invoice) and, for every other
    invoice, a Skip saying why none goes (for `sheetbill explain`).

    `today` is the date in `zone`, the Settings time zone; the history's times are
    UTC (naive ones are read as UTC). `customers` is keyed by customer id. Stages are
    whole days from the due date. Rule: issue 14 point 5, as docs/decisions.md
    (Issue 14 — reminders) details it. Raises nothing for bad data: a stage not
    due, a missing customer or address is a Skip.
    """
    return _plan(
        invoices, customers, settings, history.for_invoice, today=today, zone=zone
    )


def plan_reminders_from(
    invoices: Sequence[InvoiceStanding],
    customers: Mapping[str, Customer],
    settings: Settings,
    records: RecordsByInvoice,
    *,
    today: date,
    zone: ZoneInfo,
) -> tuple[list[PlannedEmail], list[Skip]]:
    """`plan_reminders` with the history already grouped by invoice (oldest
    first); an invoice absent from `records` has no emails. For comparing ways of
    finding an invoice's emails (benchmarks/bench_reminders.py)."""
    return _plan(
        invoices,
        customers,
        settings,
        lambda number: records.get(number, ()),
        today=today,
        zone=zone,
    )


def _plan(
    invoices: Sequence[InvoiceStanding],
    customers: Mapping[str, Customer],
    settings: Settings,
    records_of: Callable[[str], Sequence[EmailRecord]],
    *,
    today: date,
    zone: ZoneInfo,
) -> tuple[list[PlannedEmail], list[Skip]]:
    schedule = Schedule.of(settings.reminder_schedule)
    day = Day.of(today, zone)
    # Each customer's addresses checked once per run, however many invoices it has.
    addresses: dict[str, _Addresses] = {}
    return sorted_out(
        _decide(
            invoice,
            _Past.of(emails_of(records_of(invoice.number), invoice.send), day),
            schedule,
            customers,
            addresses,
            day,
        )
        for invoice in invoices
    )


@dataclass(frozen=True, slots=True)
class Schedule:
    """The Reminder Schedule: its stages in order and the tone of each."""

    stages: tuple[int, ...]
    tones: Mapping[int, str]
    # The last stage, when it is after the due date: the final reminder.
    final: int | None

    @classmethod
    def of(cls, stages: Sequence[int]) -> Schedule:
        ordered = tuple(sorted(set(stages)))
        after_due = [stage for stage in ordered if stage > 0]
        final = after_due[-1] if after_due else None
        tones = {stage: _tone(stage, after_due) for stage in ordered}
        return cls(ordered, tones, final)

    def latest_due(self, due_date: date, today: date) -> int | None:
        """The latest stage whose date is `today` or before, if any."""
        at = bisect.bisect_right(self.stages, (today - due_date).days)
        return self.stages[at - 1] if at else None

    def after(self, stage: int | None) -> int | None:
        """The first stage after `stage` (after none: the first of all)."""
        if stage is None:
            return self.stages[0] if self.stages else None
        at = bisect.bisect_right(self.stages, stage)
        return self.stages[at] if at < len(self.stages) else None


def _tone(stage: int, after_due: Sequence[int]) -> str:
    """Friendly before the due date, polite just after, firm later, final last."""
    if stage <= 0:
        return BEFORE
    if stage == after_due[0]:
        return AFTER
    return FINAL if stage == after_due[-1] else FIRM


@dataclass(frozen=True, slots=True)
class Day:
    """A date of the Settings time zone and the UTC instants it spans, so a
    journal time (UTC) is placed on a person's calendar there."""

    today: date
    zone: ZoneInfo
    # The first instant of the day and of the next (UTC).
    starts: datetime
    ends: datetime

    @classmethod
    def of(cls, day: date, zone: ZoneInfo) -> Day:
        return cls(day, zone, _start(day, zone), _start(day + timedelta(days=1), zone))

    def holds(self, moment: datetime) -> bool:
        return self.starts <= _utc(moment) < self.ends

    def date_of(self, moment: datetime) -> date:
        """The Settings-zone date of a journal time."""
        return _utc(moment).astimezone(self.zone).date()


def _start(day: date, zone: ZoneInfo) -> datetime:
    """The first instant (UTC) of a day in `zone`. Where a clock change skips
    midnight, zoneinfo reads the missing 00:00 with the offset before the change
    (fold=0), which gives the instant of the change: the day's first one."""
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def _utc(moment: datetime) -> datetime:
    """A journal time as UTC (the journal writes UTC; a naive one is read as UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


class _Past(NamedTuple):
    """What the journal tells of one invoice's emails, as far as reminders care.
    (A NamedTuple: one is made per open invoice per run, and a frozen dataclass
    takes several times as long to make.)"""

    # The emails that count as having reached the customer (`InvoiceEmails.gone`).
    gone: Sequence[EmailRecord]
    # The Settings-zone day the invoice email went (None: sheetbill did not send it).
    invoice_sent_on: date | None
    # The latest reminder stage that may have reached the customer.
    last_stage: int | None
    # Some email's outcome is unknown and no person has said what came of it.
    needs_review: bool
    # Keys a person asked to send once more (Send = resend), as `<key>.resend`.
    owed: AbstractSet[str]

    @classmethod
    def of(cls, emails: InvoiceEmails, day: Day) -> _Past:
        sent_at: datetime | None = None
        last_stage: int | None = None
        for record in emails.gone:
            purpose = record.purpose
            if purpose is _INVOICE:
                at = _utc(record.settled_at or record.intended_at)
                sent_at = at if sent_at is None or at > sent_at else sent_at
            elif purpose is _REMINDER and record.stage is not None:
                stage = record.stage
                last_stage = (
                    stage if last_stage is None or stage > last_stage else last_stage
                )
        sent_on = None if sent_at is None else day.date_of(sent_at)
        return cls(emails.gone, sent_on, last_stage, emails.needs_review, emails.resend)

    def went_on(self, day: Day) -> bool:
        """Whether an email of the invoice may have gone on `day`: handed over or
        settled then (a send across midnight counts on both days)."""
        return any(
            day.holds(record.intended_at)
            or (record.settled_at is not None and day.holds(record.settled_at))
            for record in self.gone
        )


def _decide(
    invoice: InvoiceStanding,
    past: _Past,
    schedule: Schedule,
    customers: Mapping[str, Customer],
    addresses: dict[str, _Addresses],
    day: Day,
) -> PlannedEmail | Skip:
    """The reminder this invoice gets today, or why it gets none."""
    number, today = invoice.number, day.today
    customer = customers.get(invoice.customer_id)
    blocked = _blocked(invoice, past, customer)
    if blocked is not None:
        return Skip(Purpose.REMINDER, blocked[0], invoice=number, detail=blocked[1])
    stage = schedule.latest_due(invoice.due_date, today)
    waiting = _waiting(invoice, past, schedule, stage)
    if waiting is not None:
        return waiting
    assert stage is not None  # _waiting returns a Skip when no stage is due
    if past.went_on(day):
        return Skip(
            Purpose.REMINDER,
            SkipReason.ALREADY_TODAY,
            invoice=number,
            stage=stage,
            detail=f"an email of this invoice went on {today.isoformat()}",
        )
    found = addresses.get(invoice.customer_id)
    if found is None:
        found = recipients(customer) or no_address(invoice, customer)
        addresses[invoice.customer_id] = found
    if isinstance(found, str):
        return Skip(
            Purpose.REMINDER, SkipReason.NO_ADDRESS, number, stage=stage, detail=found
        )
    assert customer is not None  # recipients finds none for a missing customer
    return _reminder(invoice, customer, found, schedule, stage, past, today)


def _blocked(
    invoice: InvoiceStanding, past: _Past, customer: Customer | None
) -> tuple[SkipReason, str] | None:
    """Why this invoice is not chased as it stands, whatever the date, or None."""
    if invoice.kind == InvoiceKind.CREDIT_NOTE.value:
        return SkipReason.CREDIT_NOTE, "credit notes are never chased"
    if invoice.is_void:
        return SkipReason.VOID, "Void = yes"
    if past.needs_review:
        return SkipReason.NEEDS_REVIEW, "an email of it may or may not have gone"
    if invoice.balance <= 0:
        return SkipReason.PAID, f"paid {invoice.paid} of {invoice.total}"
    if invoice.is_held:
        return SkipReason.ON_HOLD, "Hold = yes"
    if invoice.approval == AWAITING:
        return SkipReason.AWAITING_APPROVAL, "it waits for an approver"
    if past.invoice_sent_on is None:
        return (
            SkipReason.NOT_SENT_BY_SHEETBILL,
            "reminders follow only an invoice email sheetbill sent",
        )
    if customer is not None and not customer.reminders:
        return SkipReason.OPTED_OUT, f"Reminders = off for {customer.customer_id}"
    return None


def _waiting(
    invoice: InvoiceStanding, past: _Past, schedule: Schedule, stage: int | None
) -> Skip | None:
    """A Skip when the latest due stage may not go (none is due, it or a later one
    went, or it fell due before the invoice email went), naming the next stage."""
    assert past.invoice_sent_on is not None  # _blocked stops an invoice not sent
    last_sent = past.last_stage
    if (
        stage is not None
        and (last_sent is None or stage > last_sent)
        and invoice.due_date + timedelta(days=stage) > past.invoice_sent_on
    ):
        return None
    if last_sent is None or stage is None:
        reached = stage if last_sent is None else last_sent
    else:
        reached = max(stage, last_sent)
    following = schedule.after(reached)
    if following is not None:
        on = invoice.due_date + timedelta(days=following)
        reason, detail = SkipReason.NOT_DUE, f"stage {following:+d} falls due on {on}"
    elif last_sent is not None:
        following = last_sent
        reason = SkipReason.ALREADY_SENT
        detail = f"stage {last_sent:+d} went; the schedule has no later stage"
    elif stage is None:
        reason, detail = SkipReason.NOT_DUE, "the Reminder Schedule names no stage"
    else:
        following = stage
        reason = SkipReason.NOT_DUE
        detail = f"no stage falls after the invoice email of {past.invoice_sent_on}"
    return Skip(
        Purpose.REMINDER, reason, invoice=invoice.number, stage=following, detail=detail
    )


def _reminder(
    invoice: InvoiceStanding,
    customer: Customer,
    addresses: tuple[tuple[str, ...], tuple[str, ...]],
    schedule: Schedule,
    stage: int,
    past: _Past,
    today: date,
) -> PlannedEmail:
    key = f"{invoice.number}.reminder.{stage:+d}"
    if key in past.owed:
        key += RESEND
    language = language_of(customer)
    return PlannedEmail(
        purpose=Purpose.REMINDER,
        key=key,
        template=schedule.tones[stage],
        language=language,
        to=addresses[0],
        cc=addresses[1],
        invoice=invoice.number,
        customer_id=customer.customer_id,
        stage=stage,
        attachments=(invoice.number,) if invoice.has_document else (),
        facts=_facts(invoice, customer, language, stage, schedule, today),
        due=invoice.due_date,
    )


def _facts(
    invoice: InvoiceStanding,
    customer: Customer,
    language: str,
    stage: int,
    schedule: Schedule,
    today: date,
) -> dict[str, Any]:
    """The reminder's part of the template context (sheet_templates/email/README.md):
    the invoice's facts as every email of it tells them, and the stage's; the use
    case adds the company and the payment details."""
    return {
        **invoice_facts(invoice, customer, language=language),
        "stage": stage,
        "days_overdue": max(0, (today - invoice.due_date).days),
        "is_final": stage == schedule.final,
    }
