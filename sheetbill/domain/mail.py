"""Email as values: what a run decides to send, what it hands a mail server, what
came of it, and what the journal remembers of every email ever sent.

Pure. The decisions (which invoice email, reminder, receipt or digest goes today) are
`sheetbill.planning.sending`, `reminders`, `receipts` and `digest`; the templates and
transports are the adapter `sheetbill.mail`; the use case `sheetbill.usecases.send`
records each email in the journal (kind `EMAIL_SEND` of `sheetbill.domain.journal`)
before it is handed over and settles it after. An email's key never depends on the
run that sends it, so a rerun finds the same key and never sends it twice.

The context a template gets (`PlannedEmail.facts` plus what the use case adds) is
documented in sheet_templates/email/README.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any

from sheetbill.domain.money import Money


class Purpose(StrEnum):
    """What an email is for."""

    INVOICE = "invoice"
    REMINDER = "reminder"
    RECEIPT = "receipt"
    DIGEST = "digest"


class SendInvoices(StrEnum):
    """The Settings row Send Invoices."""

    # Made invoices go out in the run that makes them (not while held or awaiting
    # approval).
    AUTOMATICALLY = "automatically"
    # They go out when a person writes `send` in the Invoices tab's Send column.
    AFTER_REVIEW = "after review"


class ReceiptMode(StrEnum):
    """`[mail] receipts` in sheetbill.toml."""

    PAID = "paid"  # one receipt when the balance reaches zero
    EACH_PAYMENT = "each payment"  # one for every increase of Paid
    OFF = "off"


class SendWord(StrEnum):
    """What a person may write in the Invoices tab's Send column (folded)."""

    NONE = ""
    SEND = "send"  # after review: send this invoice now
    # An email of this invoice whose outcome is unknown (needs review):
    SENT = "sent"  # it did arrive: count it as sent
    RESEND = "resend"  # it did not: send it once more, as a new email


class SkipReason(StrEnum):
    """Why an email did not go (shown by `sheetbill explain`, kept in the journal)."""

    NOT_DUE = "stage not yet due"
    ALREADY_SENT = "already sent"
    PAID = "paid"
    ON_HOLD = "on hold"
    VOID = "void"
    ALREADY_TODAY = "already reminded today"
    LIMIT = "limit reached"
    NEEDS_REVIEW = "needs review"
    OPTED_OUT = "customer opted out"
    AWAITING_APPROVAL = "awaiting approval"
    AWAITING_SEND = "waiting for send in the Send column"
    NOT_SENT_BY_SHEETBILL = "invoice not sent by sheetbill"
    NO_ADDRESS = "no valid email address"
    REFUSED = "refused by the mail server"
    CREDIT_NOTE = "credit note"
    NO_DOCUMENT = "no PDF yet"


@dataclass(frozen=True, slots=True)
class PlannedEmail:
    """An email a run decided to send; nothing is rendered yet.

    `key` is unique among every email sheetbill ever sends and the same in every run
    that plans it: `INV-2026-0007.invoice`, `INV-2026-0007.reminder.+7`,
    `INV-2026-0007.receipt.1190.00` (Paid so far), `digest.<owner hash>.<problems
    hash>`, `INV-2026-0007.invoice.resend`.
    """

    purpose: Purpose
    key: str
    # A template's name under sheet_templates/email/<language>/, e.g. "invoice",
    # "reminder-before", "reminder-after", "reminder-firm", "reminder-final",
    # "receipt", "digest"; a stage may have its own ("reminder+7"), tried first.
    template: str
    # en, de, fr or es (others fall back to en).
    language: str
    to: tuple[str, ...]
    cc: tuple[str, ...] = ()
    invoice: str | None = None
    customer_id: str | None = None
    # A reminder's stage: days from the due date (-3, +7).
    stage: int | None = None
    # Invoice numbers whose PDF (and Factur-X PDF) go with it.
    attachments: tuple[str, ...] = ()
    # The values its template is given (see sheet_templates/email/README.md).
    facts: Mapping[str, Any] = field(default_factory=dict)
    # Which emails go first when a limit holds some back: the earliest.
    due: date = date.min
    # A digest: the problems' keys it tells of (`problem_key`), so the next digest
    # leaves them out.
    problems: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes
    # Shown inside the HTML body (an `<img src="cid:...">`) rather than attached.
    content_id: str | None = None


@dataclass(frozen=True, slots=True)
class OutgoingEmail:
    """An email rendered and ready for a transport. Headers hold no CR or LF (the
    composer refuses them as a last line of defence; validation stops them first)."""

    message_id: str
    sender: str
    to: tuple[str, ...]
    subject: str
    text: str
    html: str
    cc: tuple[str, ...] = ()
    reply_to: str = ""
    attachments: tuple[Attachment, ...] = ()


class Delivery(Enum):
    """What came of handing an email to a transport."""

    ACCEPTED = "accepted"  # the server took it (250 after the data), or it is filed
    # The server refused it for good (5xx): not sent; not tried again until what it
    # refused changed, or a person writes resend.
    REFUSED = "refused"
    # It was not sent and may be tried again (4xx, connection refused or lost before
    # the data was handed over).
    DEFERRED = "deferred"
    # It may or may not have gone (connection lost after the data, a False from the
    # library): never sent again automatically; needs review.
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class SendResult:
    delivery: Delivery
    # The server's words (code and text) or the error, for the owner; no secret.
    detail: str = ""
    # Recipients the server refused while it took the email for the others.
    refused: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EmailRecord:
    """One email as the journal holds it (kind EMAIL_SEND)."""

    key: str
    purpose: Purpose
    # pending | done | failed | unknown, as `sheetbill.domain.journal.Status` says.
    status: str
    # When it was recorded as about to be handed over, and when its outcome was.
    intended_at: datetime
    settled_at: datetime | None = None
    invoice: str | None = None
    stage: int | None = None
    # Receipts: Paid so far when it was sent.
    paid: Decimal | None = None
    # Digests: the owner and the problems' keys.
    owner: str = ""
    problems: tuple[str, ...] = ()
    # Failed: True when the server refused it for good (5xx).
    is_refusal: bool = False
    # What it was sent to and from, to tell whether a refusal's cause was fixed.
    envelope: str = ""
    detail: str = ""

    @property
    def may_have_gone(self) -> bool:
        """Sent, or perhaps sent: never handed over again automatically."""
        return self.status in ("done", "unknown", "pending")


@dataclass(frozen=True, slots=True)
class EmailHistory:
    """Every email the journal holds, by key, for the planners."""

    records: Mapping[str, EmailRecord] = field(default_factory=dict)
    # Each invoice's records, oldest first: made once, as planners ask for every
    # invoice's (20,000 open invoices must not each scan every record).
    _by_invoice: Mapping[str, tuple[EmailRecord, ...]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        found: dict[str, list[EmailRecord]] = {}
        for record in self.records.values():
            if record.invoice is not None:
                found.setdefault(record.invoice, []).append(record)
        by_invoice = {
            n: tuple(sorted(rs, key=lambda r: (r.intended_at, r.key)))
            for n, rs in found.items()
        }
        object.__setattr__(self, "_by_invoice", by_invoice)

    @classmethod
    def of(cls, records: Iterable[EmailRecord]) -> EmailHistory:
        return cls({r.key: r for r in records})

    def get(self, key: str) -> EmailRecord | None:
        return self.records.get(key)

    def for_invoice(self, number: str) -> list[EmailRecord]:
        """Its emails, oldest first."""
        return list(self._by_invoice.get(number, ()))

    def digested(self, owner: str) -> frozenset[str]:
        """The problem keys of every digest that may have reached `owner`."""
        return frozenset(
            key
            for r in self.records.values()
            if r.purpose is Purpose.DIGEST and r.owner == owner and r.may_have_gone
            for key in r.problems
        )


@dataclass(frozen=True, slots=True)
class InvoiceStanding:
    """An invoice as the emails about it are decided: the state's record of it and
    what its Invoices row says now (Paid and the human columns)."""

    number: str
    customer_id: str
    currency: str
    total: Decimal
    issue_date: date
    due_date: date
    # "invoice" or "credit note".
    kind: str = "invoice"
    # From the Paid cell (blank: 0).
    paid: Decimal = Decimal(0)
    # NOT_NEEDED, AWAITING or APPROVED (`sheetbill.domain.approvals`).
    approval: str = "not needed"
    is_held: bool = False
    is_void: bool = False
    send: SendWord = SendWord.NONE
    # Its Invoices row (None when the tab does not show it once).
    row: int | None = None
    has_document: bool = True
    # Made while Send Invoices said automatically: it may go without a person's
    # `send`. An invoice made before (or while after review) never goes by itself.
    sends_itself: bool = True
    # Its row shows another Due Date, Total or Currency than the invoice: sheetbill
    # writes none of its cells there (the row may be another one, retyped).
    shows_other_details: bool = False
    # The first and last day of the work billed (`Invoice.service_period`).
    service_period: tuple[date, date] | None = None

    @property
    def balance(self) -> Decimal:
        return self.total - self.paid

    def money(self, amount: Decimal) -> Money:
        return Money(amount, self.currency)


@dataclass(frozen=True, slots=True)
class Skip:
    """An email that did not go today, and why."""

    purpose: Purpose
    reason: SkipReason
    invoice: str | None = None
    stage: int | None = None
    # Words for `explain`: the date a stage falls due, the limit that held it.
    detail: str = ""


@dataclass(frozen=True, slots=True)
class MailPlan:
    """What a run sends, in order, what waits for the next run (limits), and why the
    rest do not go."""

    emails: tuple[PlannedEmail, ...] = ()
    waiting: tuple[PlannedEmail, ...] = ()
    skipped: tuple[Skip, ...] = ()


# atext (RFC 5322 section 3.2.3) less "=", which starts an escape here.
_MESSAGE_ID_TEXT = re.compile(r"[^A-Za-z0-9!#$%&'*+/?^_`{|}~.-]")


def message_id(key: str, sender_domain: str) -> str:
    """The Message-ID of the email with this key (RFC 5322 section 3.6.4: `<id-left
    @id-right>`, both dot-atoms): any other character of the key is written as
    =XX, so two keys never share an id and a rerun gives the same one."""
    left = _MESSAGE_ID_TEXT.sub(_escaped, key)
    # A dot-atom neither starts nor ends with a dot, nor has two in a row.
    left = re.sub(r"^\.|\.$|(?<=\.)\.", "=2E", left) or "email"
    return f"<{left}@{sender_domain}>"


def _escaped(found: re.Match[str]) -> str:
    return "".join(f"={byte:02X}" for byte in found[0].encode())


def problem_key(tab: str, row: int | None, column: str, problem: str) -> str:
    """A problem's identity in a digest (the same as its Exceptions row's)."""
    return "\x1f".join((tab, "" if row is None else str(row), column, problem))


def oldest_due_first(emails: Sequence[PlannedEmail]) -> list[PlannedEmail]:
    """Digests first (one per owner), then by `due`, then by key."""
    return sorted(emails, key=lambda e: (e.purpose is not Purpose.DIGEST, e.due, e.key))
