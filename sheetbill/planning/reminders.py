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
import re
from collections.abc import Mapping, Sequence
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
    SendWord,
    Skip,
    SkipReason,
)
from sheetbill.domain.model import Customer, InvoiceKind, Settings
from sheetbill.tabs.email_addresses import email_problem

# The tones of the built-in templates (sheet_templates/email/<language>/).
BEFORE, AFTER, FIRM, FINAL = (
    "reminder-before",
    "reminder-after",
    "reminder-firm",
    "reminder-final",
)
# The journal's words for an email that may or may not have reached the server.
_UNCERTAIN = frozenset({"pending", "unknown"})
_RESEND = ".resend"
_NONE_OWED: frozenset[str] = frozenset()
_INVOICE, _REMINDER = Purpose.INVOICE, Purpose.REMINDER
_CREDIT_NOTE = InvoiceKind.CREDIT_NOTE.value
# A CC cell may hold several addresses (as tabs.email_addresses reads it).
_CC_SEPARATORS = re.compile(r"[,;\n]")
# What str.splitlines takes for a line's end: in a header it could add lines.
_LINE_BREAKS = re.compile("[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]")

# An invoice's emails by invoice number.
RecordsByInvoice = Mapping[str, Sequence[EmailRecord]]


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
    wanted = {invoice.number for invoice in invoices}
    return plan_reminders_from(
        invoices,
        customers,
        settings,
        records_by_invoice(history, wanted),
        today=today,
        zone=zone,
    )


def records_by_invoice(
    history: EmailHistory, numbers: AbstractSet[str] | None = None
) -> dict[str, list[EmailRecord]]:
    """The emails of each invoice (of those in `numbers`, when given), in no
    particular order, in one pass over the history: asking `history.for_invoice`
    per invoice would read the whole history for each."""
    found: dict[str, list[EmailRecord]] = {}
    for record in history.records.values():
        number = record.invoice
        if number is None or (numbers is not None and number not in numbers):
            continue
        if number in found:
            found[number].append(record)
        else:
            found[number] = [record]
    return found


def plan_reminders_from(
    invoices: Sequence[InvoiceStanding],
    customers: Mapping[str, Customer],
    settings: Settings,
    records: RecordsByInvoice,
    *,
    today: date,
    zone: ZoneInfo,
) -> tuple[list[PlannedEmail], list[Skip]]:
    """`plan_reminders` with the history already grouped by invoice
    (`records_by_invoice`); an invoice absent from `records` has no emails."""
    schedule = Schedule.of(settings.reminder_schedule)
    day = Day.of(today, zone)
    addresses = _Addresses(customers)
    planned: list[PlannedEmail] = []
    skipped: list[Skip] = []
    for invoice in invoices:
        past = _Past.of(records.get(invoice.number, ()), invoice.send, day)
        decided = _decide(invoice, past, schedule, addresses, day)
        if isinstance(decided, Skip):
            skipped.append(decided)
        else:
            planned.append(decided)
    return planned, skipped


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


def _has_gone(record: EmailRecord, send: SendWord) -> bool | None:
    """Whether an email may have reached the customer, after what a person wrote in
    the invoice's Send cell: `sent` (it arrived) or `resend` (it did not; a resend
    itself is only settled by `sent`). None: nobody knows (needs review)."""
    if record.status not in _UNCERTAIN:
        return record.may_have_gone
    if send is SendWord.SENT:
        return True
    if send is SendWord.RESEND and not record.key.endswith(_RESEND):
        return False
    return None


class _Past(NamedTuple):
    """What the journal tells of one invoice's emails, as far as reminders care.
    (A NamedTuple: one is made per open invoice per run, and a frozen dataclass
    takes several times as long to make.)"""

    records: Sequence[EmailRecord]
    send: SendWord
    # The Settings-zone day the invoice email went (None: sheetbill did not send it).
    invoice_sent_on: date | None
    # The latest reminder stage that may have reached the customer.
    last_stage: int | None
    # Some email's outcome is unknown and no person has said what came of it.
    needs_review: bool
    # Reminders a person said did not arrive (Send = resend): owed once more.
    owed: frozenset[str]

    @classmethod
    def of(cls, records: Sequence[EmailRecord], send: SendWord, day: Day) -> _Past:
        sent_at: datetime | None = None
        last_stage: int | None = None
        needs_review = False
        owed: frozenset[str] = _NONE_OWED
        for record in records:
            # Nearly every email is done: that answer without asking _has_gone.
            if record.status != "done":
                has_gone = _has_gone(record, send)
                if has_gone is None:
                    needs_review = True
                elif not has_gone:
                    if record.status in _UNCERTAIN and record.purpose is _REMINDER:
                        owed = owed | {record.key}
                    continue
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
        return cls(records, send, sent_on, last_stage, needs_review, owed)

    def went_on(self, day: Day) -> bool:
        """Whether an email of the invoice may have gone on `day`: handed over or
        settled then (a send across midnight counts on both days)."""
        return any(
            day.holds(record.intended_at)
            or (record.settled_at is not None and day.holds(record.settled_at))
            for record in self.records
            if _has_gone(record, self.send) is not False
        )


def _decide(
    invoice: InvoiceStanding,
    past: _Past,
    schedule: Schedule,
    addresses: _Addresses,
    day: Day,
) -> PlannedEmail | Skip:
    """The reminder this invoice gets today, or why it gets none."""
    number, today = invoice.number, day.today
    blocked = _blocked(invoice, past, addresses.customers.get(invoice.customer_id))
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
    envelope = addresses.envelope(invoice.customer_id)
    if envelope.problem:
        return Skip(
            Purpose.REMINDER,
            SkipReason.NO_ADDRESS,
            invoice=number,
            stage=stage,
            detail=envelope.problem,
        )
    return _reminder(invoice, schedule, stage, envelope, past, today)


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
    schedule: Schedule,
    stage: int,
    envelope: _Envelope,
    past: _Past,
    today: date,
) -> PlannedEmail:
    key = f"{invoice.number}.reminder.{stage:+d}"
    if key in past.owed:
        key += _RESEND
    customer = envelope.customer
    return PlannedEmail(
        purpose=Purpose.REMINDER,
        key=key,
        template=schedule.tones[stage],
        language=customer.language,
        to=envelope.to,
        cc=envelope.cc,
        invoice=invoice.number,
        customer_id=customer.customer_id,
        stage=stage,
        attachments=(invoice.number,) if invoice.has_document else (),
        facts=_facts(invoice, customer, stage, schedule, today),
        due=invoice.due_date,
    )


def _facts(
    invoice: InvoiceStanding,
    customer: Customer,
    stage: int,
    schedule: Schedule,
    today: date,
) -> dict[str, Any]:
    """The reminder's part of the template context (sheet_templates/email/README.md);
    the use case adds the company, the payment details and the service period."""
    return {
        "invoice": {
            "number": invoice.number,
            "kind": invoice.kind,
            "issue_date": invoice.issue_date,
            "due_date": invoice.due_date,
            "total": invoice.money(invoice.total),
            "paid": invoice.money(invoice.paid),
            "balance": invoice.money(invoice.balance),
            # InvoiceStanding does not carry the period yet: the use case adds it.
            "service_period": None,
        },
        "customer": {"id": customer.customer_id, "name": customer.name},
        "stage": stage,
        "days_overdue": max(0, (today - invoice.due_date).days),
        "is_final": stage == schedule.final,
    }


_NOBODY = Customer(row=0, customer_id="", name="")


@dataclass(frozen=True, slots=True)
class _Envelope:
    """Where a customer's reminders go, or why they cannot."""

    customer: Customer
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    # Why not, in words for `explain` ("" when they can).
    problem: str = ""


class _Addresses:
    """Each customer's envelope, checked once per run however many reminders they
    get (email-validator is the slow part of planning)."""

    def __init__(self, customers: Mapping[str, Customer]) -> None:
        self.customers = customers
        self._checked: dict[str, _Envelope] = {}

    def envelope(self, customer_id: str) -> _Envelope:
        found = self._checked.get(customer_id)
        if found is None:
            found = _envelope(self.customers.get(customer_id))
            self._checked[customer_id] = found
        return found


def _envelope(customer: Customer | None) -> _Envelope:
    """The customer's Email and CC addresses, or why reminders cannot reach them."""
    if customer is None:
        return _Envelope(_NOBODY, problem="the customer is not in the Customers tab")
    if _LINE_BREAKS.search(customer.name):
        return _Envelope(customer, problem="the customer's Name holds a line break")
    cc = tuple(a for a in (p.strip() for p in _CC_SEPARATORS.split(customer.cc)) if a)
    for address in (customer.email, *cc):
        why = email_problem(address) if address else "Email is blank"
        if why is not None:
            return _Envelope(customer, problem=f"{address or 'Email'}: {why}")
    return _Envelope(customer, (customer.email,), cc)
