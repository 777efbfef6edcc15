"""The `explain` command: why an email of an invoice went, did not go, or waits — the
question people ask most when a reminder surprises them — told from the journal.

It reads the state database alone, read-only and without the run lock (a run may be
working meanwhile), and writes nothing. Times are shown in UTC: the state does not
keep the Settings time zone, and reading the workbook to learn it would make a
question about one invoice as slow as a run. A recurring plan's Plan ID is the other
subject (`explain_plan`): its terms and schedule are in the workbook, which is then
read too (as is a subject the state does not know, to look for a Plan ID there).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path, PurePath
from typing import Any

from sheetbill.domain.journal import (
    EMAIL_SEND,
    EMAIL_SKIP,
    INVOICE_APPROVE,
    INVOICE_WRITE,
    NUMBER_WITHDRAW,
    PDF_UPLOAD,
    PDF_WRITE,
    Entry,
    Status,
    log_line,
)
from sheetbill.domain.mail import Purpose, SkipReason
from sheetbill.domain.model import Invoice
from sheetbill.domain.recurring import PeriodRecord
from sheetbill.domain.wording import amount_text
from sheetbill.errors import StateMissingError, UsageError
from sheetbill.state import StateDB
from sheetbill.tabs.recurring import plan_key
from sheetbill.usecases.explain_plan import (
    BookReader,
    PlanExplanation,
    book_or_reason,
    explain_plan,
)

# The invoice's own effects, keyed by its number, in the order they happen within a
# run (the order of two entries of the same second).
OWN_KINDS = (INVOICE_WRITE, INVOICE_APPROVE, PDF_WRITE, PDF_UPLOAD, NUMBER_WITHDRAW)
# How many of the latest numbers an unknown one's message lists.
NUMBERS_SHOWN = 5
# Where the times shown are (see the module's docstring).
TIME_ZONE = "UTC"
# A date in a skip's detail (a stage's due date: "next on 2026-11-14").
_DAY = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")


class Outcome(StrEnum):
    """What came of an entry, in a word or two for --json (`Event.outcome`)."""

    MADE = "made"
    BEING_MADE = "being made"  # a run stopped at it; the next one completes it
    NOT_MADE = "not made"  # its number was drawn, its invoice never written
    APPROVED = "approved"
    PDF_MADE = "pdf made"
    UPLOADED = "uploaded"
    WITHDRAWN = "withdrawn"
    SENT = "sent"
    REFUSED = "refused"  # 5xx: not sent, not tried again until its cause changed
    DEFERRED = "deferred"  # 4xx, no connection: tried again on the next run
    NEEDS_REVIEW = "needs review"  # may or may not have arrived
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class Event:
    """One journal entry about the subject, in words."""

    # In UTC (`when`).
    at: datetime
    # What it is about: "invoice", "PDF", "invoice email", "reminder +7", ...
    what: str
    outcome: Outcome
    # The outcome in plain words: "sent to ap@acme.example", "skipped: paid".
    text: str
    entry: Entry
    # More lines of words (an email's subject and Message-ID).
    more: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Explanation:
    """Everything the journal says about one subject, oldest first."""

    # "invoice" (later also a recurring plan).
    kind: str
    # Its number, as the state spells it; `asked` as typed.
    subject: str
    asked: str
    state: Path
    events: tuple[Event, ...]
    # What comes next, when the entries tell it; None when they do not.
    next_step: str | None
    time_zone: str = TIME_ZONE
    # The invoice as the state holds it (None for a number withdrawn before its
    # invoice was recorded).
    invoice: Invoice | None = None


def explain(
    state_path: Path, asked: str, *, book: BookReader | None = None
) -> Explanation | PlanExplanation:
    """What the state database at `state_path` holds about `asked`: an invoice
    number (any case, spaces and dashes tolerated while it names one invoice), or a
    recurring plan's Plan ID (trimmed, any case) that the state or the workbook's
    Recurring tab knows; `book` reads the workbook's plans, only when a plan is
    asked about or `asked` is not an invoice number.

    Raises StateMissingError (exit 2) when there is no state database there or it
    holds nothing (and `asked` is no Plan ID of the workbook), UsageError (exit 2)
    for a subject neither knows, StateError for a state it cannot read.
    """
    if not state_path.exists():
        return _plan_of_book(
            asked,
            book,
            StateMissingError(
                "no state database here: sheetbill has not run for this workbook (or "
                "its state is elsewhere: 'state' in sheetbill.toml), so there is "
                "nothing to explain",
                path=state_path,
            ),
        )
    with StateDB.for_reading(state_path) as state:
        history = state.recurring_history() if state.has_tables() else {}
        if not history and (not state.has_tables() or state.is_empty()):
            return _plan_of_book(
                asked,
                book,
                StateMissingError(
                    "the state database holds nothing yet: no invoice has been made "
                    "for this workbook, so there is nothing to explain",
                    path=state_path,
                ),
                state=state_path,
            )
        numbers, withdrawn = state.invoice_numbers(), state.withdrawn_numbers()
        number = _matching(asked, (*numbers, *withdrawn), folds=(_spaceless,))
        if number is not None:
            return _explain_invoice(state, number, asked)
        removed = state.removed_plans()
        key = plan_key(asked)
        if key in {plan_key(p) for p in (*history, *removed)}:
            return _explain_plan(state, key, asked, history, removed, book)
        number = _matching(asked, (*numbers, *withdrawn), folds=(_alphanumeric,))
        if number is not None:
            return _explain_invoice(state, number, asked)
        read = book_or_reason(book)
        if not isinstance(read, str) and key in read.rows:
            return explain_plan(
                key, asked, state=state.path, history=(), invoices={}, book=read
            )
        plan_ids = [*history, *(p for p in removed if p not in history)]
        if not isinstance(read, str):
            plan_ids += [spelled for spelled, _ in read.rows.values()]
        raise UsageError(_unknown_subject(asked, numbers, plan_ids))


def _plan_of_book(
    asked: str,
    book: BookReader | None,
    missing: StateMissingError,
    *,
    state: Path | None = None,
) -> PlanExplanation:
    """A plan no run decided a period of yet, from the workbook alone; `missing`
    is raised when `asked` is no Plan ID there."""
    read = book_or_reason(book)
    key = plan_key(asked)
    if isinstance(read, str) or key not in read.rows:
        raise missing
    return explain_plan(key, asked, state=state, history=(), invoices={}, book=read)


def _explain_plan(
    state: StateDB,
    key: str,
    asked: str,
    history: Mapping[str, Sequence[PeriodRecord]],
    removed: Mapping[str, bool],
    book: BookReader | None,
) -> PlanExplanation:
    records = sorted(
        (r for plan_id, rs in history.items() if plan_key(plan_id) == key for r in rs),
        key=lambda r: r.start,
    )
    numbers = [r.invoice_no for r in records if r.invoice_no]
    being_made = {i.number for i in state.pending_invoices()}
    return explain_plan(
        key,
        asked,
        state=state.path,
        history=records,
        invoices={i.number: i for i in state.invoices(numbers)},
        being_made=frozenset(being_made.intersection(numbers)),
        told_removed=any(told for p, told in removed.items() if plan_key(p) == key),
        book=book_or_reason(book),
    )


def invoice_number(
    asked: str, numbers: Sequence[str], *, withdrawn: Sequence[str] = ()
) -> str:
    """The one of `numbers` (drawn, oldest first) or `withdrawn` that `asked`
    names: the same once spaces are dropped and case folded, else the only one the
    same in its letters and digits alone (`inv 2026 0007` for `INV-2026-0007`).
    UsageError when none is, naming how to find numbers."""
    found = _matching(asked, (*numbers, *withdrawn))
    if found is None:
        raise UsageError(_unknown_number(asked, numbers))
    return found


def _matching(
    asked: str,
    numbers: Sequence[str],
    *,
    folds: Sequence[Callable[[str], str]] = (),
) -> str | None:
    """The one of `numbers` that `asked` names under the first of `folds` (spaces
    dropped, then letters and digits alone) that names exactly one."""
    for fold in folds or (_spaceless, _alphanumeric):
        wanted = fold(asked)
        found = list(dict.fromkeys(n for n in numbers if fold(n) == wanted))
        if len(found) == 1 and wanted:
            return found[0]
    return None


def _spaceless(text: str) -> str:
    return "".join(text.split()).casefold()


def _alphanumeric(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


def _unpadded(text: str) -> str:
    return re.sub(r"(?<![0-9])0+(?=[0-9])", "", _alphanumeric_spaced(text))


def _alphanumeric_spaced(text: str) -> str:
    """Letters and digits, each run of anything else one space (so digit groups
    stay apart)."""
    return " ".join(re.findall(r"[^\W_]+", text.casefold()))


def _unknown_number(asked: str, numbers: Sequence[str]) -> str:
    if not numbers:
        return (
            f"{asked.strip()!r} is not an invoice number of this workbook: no "
            "invoice has been made for it yet (they are made by sheetbill run)"
        )
    known = ", ".join(reversed(numbers[-NUMBERS_SHOWN:]))
    # The same number with fewer or more leading zeros (INV-2026-7), else one of
    # nearly the same spelling.
    unpadded = _unpadded(asked)
    close = [n for n in numbers if _unpadded(n) == unpadded][:1] or (
        difflib.get_close_matches(asked.strip(), numbers, n=1, cutoff=0.8)
    )
    return (
        f"{asked.strip()!r} is not an invoice number of this workbook"
        + (f" (did you mean {close[0]}?)" if close else "")
        + "; its numbers are in the Invoices tab's Invoice No column, "
        f"the latest here: {known}"
    )


def _unknown_subject(
    asked: str, numbers: Sequence[str], plan_ids: Sequence[str]
) -> str:
    """An unknown invoice number's message, or, when the workbook has recurring
    plans, one that names both kinds of subject."""
    if not plan_ids:
        return _unknown_number(asked, numbers)
    plans = list(dict.fromkeys(plan_ids))
    close = (
        difflib.get_close_matches(asked.strip(), [*numbers, *plans], n=1, cutoff=0.8)
        or [p for p in plans if _alphanumeric(p) == _alphanumeric(asked)][:1]
    )
    latest = ", ".join(reversed(numbers[-NUMBERS_SHOWN:])) or "none yet"
    shown = ", ".join(plans[:NUMBERS_SHOWN]) + (
        ", ..." if len(plans) > NUMBERS_SHOWN else ""
    )
    return (
        f"{asked.strip()!r} is neither an invoice number nor a Plan ID of this "
        "workbook"
        + (f" (did you mean {close[0]}?)" if close else "")
        + "; invoice numbers are in the Invoices tab's Invoice No column (the "
        f"latest here: {latest}), Plan IDs in the Recurring tab's Plan ID column "
        f"({shown})"
    )


def _explain_invoice(state: StateDB, number: str, asked: str) -> Explanation:
    own = [
        found for kind in OWN_KINDS if (found := state.entry(kind, number)) is not None
    ]
    emails = [
        e
        for kind in (EMAIL_SEND, EMAIL_SKIP)
        for e in state.entries_keyed_under(kind, f"{number}.")
        if e.details.get("invoice", number) == number
    ]
    digests = [
        e
        for e in state.entries_keyed_under(EMAIL_SEND, f"{Purpose.DIGEST.value}.")
        if _tells_of(e, number)
    ]
    invoice = next(iter(state.invoices([number])), None)
    currency = invoice.currency if invoice is not None else ""
    events = sorted(
        (event_of(e, currency=currency) for e in (*own, *emails, *digests)),
        key=_in_date_order,
    )
    return Explanation(
        "invoice",
        number,
        asked,
        state.path,
        tuple(events),
        next_step(emails),
        invoice=invoice,
    )


def _tells_of(digest: Entry, number: str) -> bool:
    """Whether a digest told its owner of a problem naming the invoice."""
    named = re.compile(rf"(?<![0-9A-Za-z]){re.escape(number)}(?![0-9A-Za-z])")
    return digest.details.get("invoice") == number or any(
        named.search(str(key)) for key in digest.details.get("problems", ())
    )


def _in_date_order(event: Event) -> tuple[datetime, int]:
    kind = event.entry.kind
    within = OWN_KINDS.index(kind) if kind in OWN_KINDS else len(OWN_KINDS)
    return event.at, within


# Kinds whose moment is when they were decided, not when the workbook showed them:
# an invoice is made when its number is drawn, approved when the approval was taken,
# an email skipped when that was first decided.
_AT_INTENT = frozenset((INVOICE_WRITE, INVOICE_APPROVE, NUMBER_WITHDRAW, EMAIL_SKIP))


def when(entry: Entry) -> datetime:
    """An entry's moment in UTC: when it happened (an email: when its outcome was
    known), else when it was set out to."""
    if entry.kind in _AT_INTENT or entry.settled_at is None:
        return in_utc(entry.intended_at)
    return in_utc(entry.settled_at)


def in_utc(moment: datetime) -> datetime:
    """A journal time in UTC (one recorded without a zone was UTC already)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


# -- entries in words (pure) ------------------------------------------------------


def event_of(entry: Entry, *, currency: str = "") -> Event:
    """An entry in words; `currency` the invoice's, for a receipt's amount."""
    at = when(entry)
    if entry.kind == EMAIL_SEND:
        return _sent(entry, at, currency)
    if entry.kind == EMAIL_SKIP:
        return _skipped(entry, at, currency)
    return _own(entry, at)


def _own(entry: Entry, at: datetime) -> Event:
    details, pending = entry.details, entry.status is Status.PENDING
    if entry.kind == INVOICE_WRITE and entry.status is Status.FAILED:
        text = "its number was drawn, its invoice never written into the workbook"
        return Event(at, "invoice", Outcome.NOT_MADE, text, entry)
    if entry.kind == INVOICE_WRITE:
        line = _log_detail(entry)
        if pending:
            text = "being made: a run stopped before its rows were written; the next "
            return Event(
                at, "invoice", Outcome.BEING_MADE, text + "run completes it", entry
            )
        return Event(at, "invoice", Outcome.MADE, f"made: {line}", entry)
    if entry.kind == INVOICE_APPROVE:
        text = f"approved by {details.get('approver', '?')}"
        if pending:
            text += " (the next run shows it in the workbook)"
        return Event(at, "invoice", Outcome.APPROVED, text, entry)
    if entry.kind == PDF_WRITE:
        name = PurePath(str(details.get("path", ""))).name
        if pending:
            text = "being made (a run stopped while at it; the next run completes it)"
            return Event(at, "PDF", Outcome.BEING_MADE, text, entry)
        return Event(at, "PDF", Outcome.PDF_MADE, f"made: {name}".rstrip(": "), entry)
    if entry.kind == PDF_UPLOAD:
        return Event(at, "PDF", Outcome.UPLOADED, "uploaded to Drive", entry)
    reason = details.get("reason", "")
    text = f"number withdrawn: {reason}" if reason else "number withdrawn"
    return Event(at, "invoice", Outcome.WITHDRAWN, text, entry)


def _log_detail(entry: Entry) -> str:
    try:
        line = log_line(entry.intent)
    except (KeyError, TypeError, InvalidOperation):  # an entry missing a detail
        return "its rows written into the workbook"
    return line.detail if line is not None else ""


def what_of(details: Mapping[str, Any], key: str, currency: str = "") -> str:
    """What an email is: `invoice email`, `reminder +7`, `receipt (Paid 1,190.00
    EUR)`, `digest to owner@...`; `(sent again)` for a resend."""
    purpose = str(details.get("purpose", ""))
    stage = _stage(details.get("stage"))
    if purpose == Purpose.REMINDER:
        what = f"reminder {stage}" if stage else "reminder"
    elif purpose == Purpose.RECEIPT:
        paid = _amount(details.get("paid"), currency)
        what = f"receipt (Paid {paid})" if paid else "receipt"
    elif purpose == Purpose.DIGEST:
        owner = details.get("owner")
        what = f"digest to {owner}" if owner else "digest"
    else:
        what = f"{purpose} email" if purpose else "email"
    return f"{what} (sent again)" if key.endswith(".resend") else what


def _stage(stage: object) -> str:
    if isinstance(stage, bool) or stage is None or stage == "":
        return ""
    try:
        return f"{int(str(stage)):+d}"
    except ValueError:
        return str(stage)


def _amount(amount: object, currency: str) -> str:
    if amount is None or amount == "":
        return ""
    try:
        value = Decimal(str(amount))
        return amount_text(value, currency) if currency else f"{value:,}"
    except (InvalidOperation, ValueError, KeyError):
        return str(amount)


def _sent(entry: Entry, at: datetime, currency: str) -> Event:
    details = entry.details
    what = what_of(details, entry.key, currency)
    said = str(details.get("detail", "") or "").strip()
    server = f": {said}" if said else ""
    if entry.status is Status.DONE:
        outcome, text = Outcome.SENT, _delivered(details)
    elif entry.status is Status.FAILED and details.get("refusal"):
        outcome, text = Outcome.REFUSED, f"refused by the server{server}"
    elif entry.status is Status.FAILED:
        outcome = Outcome.DEFERRED
        text = f"not sent, will be tried again on the next run{server}"
    elif entry.status is Status.UNKNOWN:
        outcome = Outcome.NEEDS_REVIEW
        text = f"needs review — may or may not have arrived{server}: {_REVIEW}"
    else:
        outcome = Outcome.NEEDS_REVIEW
        text = (
            "needs review — a run stopped (or is still running) while handing it "
            f"over, so it may or may not have arrived: {_REVIEW}"
        )
    more = _headers(details)
    if entry.status is Status.DONE and said:
        more = (*more, f"the server said: {said}")
    return Event(at, what, outcome, text, entry, more)


_REVIEW = "write sent (it arrived) or resend in its Send cell in the Invoices tab"


def _delivered(details: Mapping[str, Any]) -> str:
    to = ", ".join(map(str, details.get("to", ()))) or "?"
    cc = ", ".join(map(str, details.get("cc", ())))
    copied = f" (cc {cc})" if cc else ""
    if details.get("transport") == "outbox":
        return f"written to the outbox, to {to}{copied}"
    return f"sent to {to}{copied}"


def _headers(details: Mapping[str, Any]) -> tuple[str, ...]:
    subject, message_id = details.get("subject"), details.get("message_id")
    shown = [
        f'subject "{subject}"' if subject else "",
        f"Message-ID {message_id}" if message_id else "",
    ]
    return tuple(filter(None, [", ".join(filter(None, shown))]))


def _skipped(entry: Entry, at: datetime, currency: str) -> Event:
    details = entry.details
    what = what_of(details, entry.key, currency)
    reason = str(details.get("reason", "")) or "no reason recorded"
    detail = str(details.get("detail", "") or "").strip()
    day = _DAY.search(detail)
    if reason == SkipReason.NOT_DUE and day and detail == day[1]:
        detail = f"next on {day[1]}"
    text = f"skipped: {reason}" + (f" ({detail})" if detail else "")
    return Event(at, what, Outcome.SKIPPED, text, entry)


# -- what comes next (pure) --------------------------------------------------------


def next_step(emails: Iterable[Entry]) -> str | None:
    """What comes next for the invoice's emails as far as the journal tells: an
    email that needs review holds every other back; else the latest entry says.
    None when it says nothing of the future (an email sent)."""
    ordered = sorted(emails, key=when)
    # A person's resend settles the email it sends again (the resend's own outcome
    # is then what counts).
    resent = {
        e.key.removesuffix(".resend") for e in ordered if e.key.endswith(".resend")
    }
    for entry in ordered:
        if entry.kind != EMAIL_SEND or entry.key in resent:
            continue
        if entry.status in (Status.UNKNOWN, Status.PENDING):
            what = what_of(entry.details, entry.key)
            return (
                f"its {what} needs review: unless its Send cell already says sent or "
                "resend, nothing more is sent for this invoice until a person "
                "writes one of them there"
            )
    if not ordered:
        return None
    last = ordered[-1]
    if last.kind == EMAIL_SEND:
        return _after_send(last)
    said = _AFTER_SKIP.get(str(last.details.get("reason", "")))
    if said is None:
        return None
    day = _DAY.search(str(last.details.get("detail", "") or ""))
    what = what_of(last.details, last.key)
    text = said.format(what=what, day=day[1] if day else "when it falls due")
    on = in_utc(last.intended_at).date()
    return f"{text} (as the journal stood on {on.isoformat()})"


def _after_send(entry: Entry) -> str | None:
    what = what_of(entry.details, entry.key)
    if entry.status is Status.FAILED and entry.details.get("refusal"):
        return (
            f"the {what} is not sent again until the address it went to (Email or "
            "CC in Customers) or the sender changes, or a person writes resend in "
            "its Send cell"
        )
    if entry.status is Status.FAILED:
        return f"the {what} is tried again on the next run"
    return None


# Keyed by SkipReason's value: the journal keeps the words, so a reason added later
# reads as it is written (and has no next step here until it gets one).
_AFTER_SKIP: Mapping[str, str] = {
    SkipReason.NOT_DUE: "the {what} is due on {day}, if the invoice is still open then",
    SkipReason.PAID: "no more reminders: the invoice is paid",
    SkipReason.ON_HOLD: "nothing is sent while its Hold says yes",
    SkipReason.VOID: "nothing is sent: the invoice is void",
    SkipReason.ALREADY_TODAY: (
        "the {what} may go on a later day (one email per invoice per day)"
    ),
    SkipReason.LIMIT: (
        "the {what} goes in the next run (oldest due first), unless the limit holds "
        "it back again"
    ),
    SkipReason.NEEDS_REVIEW: (
        "nothing more is sent for this invoice until a person writes sent or resend "
        "in its Send cell"
    ),
    SkipReason.OPTED_OUT: "no reminders: the customer's Reminders is off in Customers",
    SkipReason.AWAITING_APPROVAL: (
        "the {what} goes once an approver writes their name in its Approve cell"
    ),
    SkipReason.AWAITING_SEND: (
        "the {what} goes when a person writes send in its Send cell"
    ),
    SkipReason.NOT_SENT_BY_SHEETBILL: (
        "no reminders or receipts: sheetbill did not send its invoice email"
    ),
    SkipReason.NO_ADDRESS: (
        "the {what} goes once the customer has a valid Email in Customers"
    ),
    SkipReason.REFUSED: (
        "the {what} is not sent again until the address (Email or CC in Customers) "
        "changes, or a person writes resend in its Send cell"
    ),
    SkipReason.CREDIT_NOTE: "no reminders: it is a credit note",
    SkipReason.NO_DOCUMENT: "the {what} goes once its PDF is made",
    SkipReason.ROW_DIFFERS: (
        "nothing is sent until its Invoices row shows its own Total, Due Date and "
        "Currency again"
    ),
}
