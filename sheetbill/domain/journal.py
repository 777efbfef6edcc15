"""The journal of side effects: each effect is recorded as intended, with a stable key,
before it happens and settled after, so a run stopped anywhere leaves a record a rerun
can act on. Pure: the values, the rules for a rerun, and what the Log tab shows.

The state database keeps the journal (`sheetbill.state.journal`); the Log tab's rows
are made from the same entries (`log_line`), so the two never tell different stories.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any, NamedTuple

from sheetbill.domain.model import Invoice
from sheetbill.domain.wording import amount_text, counted

# JSON as stored: the fields of each kind's details are named where they are built.
Details = Mapping[str, Any]

# The kinds of effect, each keyed by an invoice number (unique per kind).
INVOICE_WRITE = "invoice.write"  # an invoice's rows written into the workbook
PDF_WRITE = "pdf.write"  # its PDF (and e-invoice XML) written into the PDF folder
PDF_UPLOAD = "pdf.upload"  # its PDF uploaded to Drive
INVOICE_APPROVE = "invoice.approve"  # its approval shown in the workbook
NUMBER_WITHDRAW = "number.withdraw"  # a drawn number never to be used
# The Status an invoice's row was last written with, keyed by number: what tells a
# person's edit of Status from sheetbill's own word.
INVOICE_STATUS = "invoice.status"
# Keyed by the email's key (`sheetbill.domain.mail.PlannedEmail.key`):
EMAIL_SEND = "email.send"  # an email handed to the mail transport
EMAIL_SKIP = "email.skip"  # a decision not to send one, kept for `explain`
# A Payments row applied to its invoices (its Row ID, match and evidence written).
PAYMENT_APPLY = "payment.apply"
# The Paid sheetbill last wrote on an invoice's row (a person's other value stands).
INVOICE_PAID = "invoice.paid"
# A transaction `payments import` appended to the Payments tab, by content key.
PAYMENT_IMPORT = "payment.import"
# A number kept for the metrics, by name and month (open reconciliation exceptions).
METRIC = "metric"
# A recurring plan's period decided, by period key (`P-001@2026-11-01`): billed on an
# invoice (recorded with it, in one transaction) or skipped while the plan was paused.
RECURRING_PERIOD = "recurring.period"
# A plan whose row is gone from the Recurring tab, by Plan ID (told once).
RECURRING_REMOVED = "recurring.removed"


class Status(Enum):
    """Where an effect stands."""

    PENDING = "pending"  # recorded before acting; whether it happened is not known
    DONE = "done"  # it happened, and its outcome is recorded
    FAILED = "failed"  # it did not happen (an error said so); it may be done again
    UNKNOWN = "unknown"  # it may or may not have happened: only a person can tell


class Recovery(Enum):
    """What a stopped attempt (an entry left pending) of a kind of effect allows."""

    LOOK = "look"  # whether it happened can be looked up: the rerun completes it
    REPEAT = "repeat"  # doing it again is harmless: the rerun does it again
    ASK = "ask"  # neither (a mail handed to a server): a person decides


class Decision(Enum):
    """What a rerun does with an entry."""

    NOTHING = "nothing"  # done: nothing more to do
    REDO = "redo"  # do the effect (again)
    COMPLETE = "complete"  # look whether it happened, then settle it and go on
    LEAVE_FOR_PERSON = "leave for person"  # never retried automatically


# A kind not named here is one whose stopped attempt nobody can check or repeat
# safely (sending, later): it is left for a person, the safe default.
RECOVERY: Mapping[str, Recovery] = {
    # The workbook shows an invoice's number once its rows were written.
    INVOICE_WRITE: Recovery.LOOK,
    # The files are looked at: one the stopped run wrote is its own to replace.
    PDF_WRITE: Recovery.LOOK,
    # Uploading again at worst leaves a second copy in the Drive folder.
    PDF_UPLOAD: Recovery.REPEAT,
    # The approval is in the state; the rerun writes its Status and Log row.
    INVOICE_APPROVE: Recovery.LOOK,
    # Recorded in the same transaction as the withdrawal itself.
    NUMBER_WITHDRAW: Recovery.LOOK,
    # A decision, recorded in one write with its outcome.
    EMAIL_SKIP: Recovery.REPEAT,
    # Recorded once the workbook shows it.
    INVOICE_STATUS: Recovery.REPEAT,
    # The workbook is looked at: a row showing the Row ID was written.
    PAYMENT_APPLY: Recovery.LOOK,
    # Writing the same Paid again is harmless.
    INVOICE_PAID: Recovery.REPEAT,
    # Recorded once the workbook shows the rows; a stopped import is run again.
    PAYMENT_IMPORT: Recovery.REPEAT,
    # A count measured again by the next run.
    METRIC: Recovery.REPEAT,
    # Decisions recorded in one write with what they are about.
    RECURRING_PERIOD: Recovery.REPEAT,
    RECURRING_REMOVED: Recovery.REPEAT,
    # EMAIL_SEND is left out on purpose: a stopped send may have reached the server,
    # so it is the person's to decide (needs review), never sent again by itself.
}


@dataclass(frozen=True, slots=True)
class Intent:
    """An effect about to be carried out: its kind, key and what it is about."""

    kind: str
    key: str
    details: Details = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Entry:
    """An effect as the journal holds it."""

    kind: str
    key: str
    status: Status
    details: Details
    # The run that last set out to do it, and when; when its outcome was recorded.
    run_id: str
    intended_at: datetime
    settled_at: datetime | None = None

    @property
    def intent(self) -> Intent:
        return Intent(self.kind, self.key, self.details)


class JournalError(ValueError):
    """A step the journal's rules forbid: a bug in the caller, never bad data."""


def intended(intent: Intent, *, run_id: str, now: datetime) -> Entry:
    """The entry of an effect recorded before it is carried out."""
    return Entry(intent.kind, intent.key, Status.PENDING, intent.details, run_id, now)


def settled(
    entry: Entry, status: Status, details: Details | None = None, *, now: datetime
) -> Entry:
    """The entry with its outcome; `details` replace the intent's when given. Only a
    pending entry is settled: a settled one keeps its outcome (settling twice, as a
    rerun may, changes nothing)."""
    if status is Status.PENDING:
        raise JournalError(f"{entry.kind} {entry.key}: an outcome cannot be pending")
    if entry.status is not Status.PENDING:
        return entry
    return replace(
        entry,
        status=status,
        details=entry.details if details is None else details,
        settled_at=now,
    )


def reopened(entry: Entry, details: Details, *, run_id: str, now: datetime) -> Entry:
    """The entry intended again (a failed effect redone, a PDF made anew); never one
    whose outcome is unknown: doing it again is a person's decision."""
    if entry.status is Status.UNKNOWN:
        raise JournalError(
            f"{entry.kind} {entry.key} may have happened already; "
            "only a person may have it done again"
        )
    return replace(
        entry,
        status=Status.PENDING,
        details=details,
        run_id=run_id,
        intended_at=now,
        settled_at=None,
    )


def confirmed(entry: Entry, details: Details, *, now: datetime) -> Entry:
    """An effect whose outcome was unknown, which a person says did happen (an email
    that did arrive): done from now on. Any other entry is returned unchanged."""
    if entry.status is not Status.UNKNOWN:
        return entry
    return replace(entry, status=Status.DONE, details=details, settled_at=now)


def what_to_do(entry: Entry) -> Decision:
    """What a rerun does with an entry: pending means a run stopped while at it, so
    its kind decides (`RECOVERY`); an unknown outcome is never retried by itself."""
    if entry.status is Status.DONE:
        return Decision.NOTHING
    if entry.status is Status.FAILED:
        return Decision.REDO
    if entry.status is Status.UNKNOWN:
        return Decision.LEAVE_FOR_PERSON
    recovery = RECOVERY.get(entry.kind, Recovery.ASK)
    if recovery is Recovery.LOOK:
        return Decision.COMPLETE
    if recovery is Recovery.REPEAT:
        return Decision.REDO
    return Decision.LEAVE_FOR_PERSON


# -- the intents of a run, as the Log tab shows them ------------------------------


def invoice_written(invoice: Invoice) -> Intent:
    """An invoice's rows to be written into the workbook."""
    return Intent(
        INVOICE_WRITE,
        invoice.number,
        {
            "customer_id": invoice.customer_id,
            "lines": len(invoice.lines),
            "total": str(invoice.total),
            "currency": invoice.currency,
        },
    )


def number_withdrawn(number: str, reason: str) -> Intent:
    return Intent(NUMBER_WITHDRAW, number, {"reason": reason})


def invoice_approved(number: str, *, approver: str, creator: str) -> Intent:
    return Intent(INVOICE_APPROVE, number, {"approver": approver, "creator": creator})


class LogLine(NamedTuple):
    """A Log tab row's Action, Invoice and Detail."""

    action: str
    invoice: str
    detail: str


def log_line(intent: Intent) -> LogLine | None:
    """The Log tab's row for an effect; None for effects the Log does not show (the
    files of documents: their links are in the Invoices tab)."""
    details = intent.details
    if intent.kind == INVOICE_WRITE:
        total = amount_text(Decimal(details["total"]), details["currency"])
        return LogLine(
            "invoice created",
            intent.key,
            f"{details['customer_id']}: {counted(details['lines'], 'line')}, "
            f"total {total}",
        )
    if intent.kind == INVOICE_APPROVE:
        return LogLine(
            "invoice approved",
            intent.key,
            f"approved by {details['approver']}; created by {details['creator']}",
        )
    if intent.kind == NUMBER_WITHDRAW:
        return LogLine("number withdrawn", intent.key, details["reason"])
    if intent.kind == EMAIL_SEND:
        return _email_line(details)
    if intent.kind == PAYMENT_APPLY:
        return _payment_line(intent.key, details)
    if intent.kind in (RECURRING_PERIOD, RECURRING_REMOVED):
        return _recurring_line(intent.kind, intent.key, details)
    return None


def _recurring_line(kind: str, key: str, details: Details) -> LogLine | None:
    """A plan's period skipped while it was paused, or a plan whose row is gone (or
    back); a billed period's Log row is its invoice's ("invoice created")."""
    if kind == RECURRING_REMOVED:
        if details.get("back"):
            return LogLine(
                "plan back",
                key,
                "its row is in the Recurring tab again: it goes on from the "
                "periods already billed",
            )
        return LogLine(
            "plan removed",
            key,
            "its row is no longer in the Recurring tab: it makes no more invoices"
            + (
                f" (last billed: {details['last_invoice']})"
                if details.get("last_invoice")
                else ""
            ),
        )
    if details.get("invoice"):
        return None
    return LogLine(
        "period skipped",
        details["plan_id"],
        f"{details['start']} to {details['end']}: the plan was paused (Active = no) "
        "when the period came; it is not billed",
    )


# A payment's Status that applies nothing: its Log row says so, not "applied".
_LEFT_FOR_A_PERSON = ("unmatched", "ambiguous", "currency mismatch")


def _payment_line(row_id: str, details: Details) -> LogLine:
    """A payment applied, re-applied after a person's edit, or taken back because
    its row was deleted: what it settles now, and the evidence."""
    said = details.get("action", "applied")
    invoices = ", ".join(n for n, _ in details.get("allocations", ()))
    amount = amount_text(Decimal(details["amount"]), details["currency"])
    where = f"{row_id} (row {details.get('row')}), {amount} of {details['booked']}"
    if said == "deleted":
        # Rows above it may have gone too: the row it was on is not known.
        where = f"{row_id}, {amount} of {details['booked']}, taken back"
    elif not invoices and details.get("status") in _LEFT_FOR_A_PERSON:
        said = str(details["status"])
    action = f"payment {said}"
    note = details.get("note") or details.get("status", "")
    return LogLine(action, invoices, f"{where}: {note}" if note else where)


# The Log's Action for an email, by its outcome (`details["outcome"]`).
_EMAIL_ACTIONS = {
    "sent": "{purpose} sent",
    "refused": "{purpose} refused",
    "deferred": "{purpose} not sent yet",
    "unknown": "{purpose} needs review",
}


def _email_line(details: Details) -> LogLine:
    purpose = details.get("purpose", "email")
    if purpose == "reminder" and details.get("stage") is not None:
        purpose = f"reminder {details['stage']:+d}"
    elif purpose in ("invoice", "receipt"):
        purpose = f"{purpose} email"
    action = _EMAIL_ACTIONS.get(details.get("outcome", ""), "{purpose} handed over")
    to = ", ".join((*details.get("to", ()), *details.get("cc", ())))
    said = f": {details['detail']}" if details.get("detail") else ""
    return LogLine(
        action.format(purpose=purpose),
        details.get("invoice") or "",
        f"to {to} ({details.get('message_id', '')}){said}",
    )
