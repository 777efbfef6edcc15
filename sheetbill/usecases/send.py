"""Sending a run's emails, each at most once: invoice emails, reminders, receipts and
the owners' digest.

The planners (`sheetbill.planning.sending`, `reminders`, `receipts`, `digest`) decide
which emails go; this module renders each (`sheetbill.mail.templates`), records it in
the journal as about to be handed over, hands it to the mail transport, and settles
the entry with the answer. The order is at-most-once's (DESIGN.md, principle 2): the
intent is committed before the transport sees the email, so a run stopped anywhere
leaves an entry a rerun will not send again (pending or unknown: needs review).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from email.utils import formataddr, parseaddr
from pathlib import Path
from typing import Any

from sheetbill.domain.journal import EMAIL_SEND, Intent, Status
from sheetbill.domain.mail import (
    Attachment,
    Delivery,
    EmailHistory,
    EmailRecord,
    InvoiceStanding,
    MailPlan,
    OutgoingEmail,
    PlannedEmail,
    Purpose,
    SendResult,
    message_id,
)
from sheetbill.domain.model import Invoice, Problem, Settings
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.errors import SheetbillError
from sheetbill.planning.sending import envelope
from sheetbill.planning.statuses import InvoiceCells
from sheetbill.ports import MailSession
from sheetbill.state import StateDB
from sheetbill.tabs.invoices import InvoiceRow
from sheetbill.usecases.results import EmailLine

# What the Log and `explain` call each answer.
_OUTCOME_WORD = {
    Delivery.ACCEPTED: "sent",
    Delivery.REFUSED: "refused",
    Delivery.DEFERRED: "deferred",
    Delivery.UNKNOWN: "unknown",
}
# What a journal entry's status becomes for each answer of the transport.
_OUTCOME = {
    Delivery.ACCEPTED: Status.DONE,
    Delivery.REFUSED: Status.FAILED,
    Delivery.DEFERRED: Status.FAILED,
    Delivery.UNKNOWN: Status.UNKNOWN,
}


@dataclass(frozen=True, slots=True)
class Sender:
    """Who the emails are from, and where replies go."""

    address: str
    reply_to: str = ""

    @property
    def domain(self) -> str:
        return parseaddr(self.address)[1].rpartition("@")[2] or "sheetbill.invalid"


def sender_of(configured: str, reply_to: str, settings: Settings) -> Sender | None:
    """`[mail] from`, else the Settings' company name and Contact Email; None when
    neither names an address."""
    if configured.strip():
        return Sender(configured.strip(), reply_to.strip() or settings.contact_email)
    if settings.contact_email.strip():
        address = formataddr((settings.company_name.strip(), settings.contact_email))
        return Sender(address, reply_to.strip())
    return None


@dataclass(frozen=True, slots=True)
class Sent:
    """One email handed over in this run, and what came of it."""

    email: PlannedEmail
    result: SendResult
    subject: str
    # Its journal entry's details once settled (the Log row is made from them).
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Sending:
    """What a run's sending needs besides the emails: where things are and who says
    what came of each."""

    state: StateDB
    session: MailSession
    render: Callable[[PlannedEmail], tuple[str, str, str]]
    attachments: Callable[[PlannedEmail], tuple[Attachment, ...]]
    sender: Sender
    transport: str
    run_id: str
    clock: Callable[[], datetime]
    sent: list[Sent] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def send_all(self, emails: Sequence[PlannedEmail]) -> None:
        for email in emails:
            self.send_one(email)

    def send_one(self, email: PlannedEmail) -> None:
        """Render, record as intended, hand over, record the answer. An email the
        journal holds as sent, unknown or under way is never handed over again."""
        found = self.state.email_entry(email.key)
        if found is not None and found.status is not Status.FAILED:
            return
        try:
            subject, text, html = self.render(email)
            attached = self.attachments(email)
        except SheetbillError as exc:
            self.problems.append(_not_rendered(email, exc))
            return
        outgoing = OutgoingEmail(
            message_id=message_id(email.key, self.sender.domain),
            sender=self.sender.address,
            to=email.to,
            subject=subject,
            text=text,
            html=html,
            cc=email.cc,
            reply_to=self.sender.reply_to,
            attachments=attached,
        )
        details = _details(email, outgoing, self.transport)
        intent = Intent(EMAIL_SEND, email.key, details)
        now = self.clock()
        if found is None:
            entry = self.state.intend(intent, run_id=self.run_id, now=now)
        else:
            entry = self.state.reopen(intent, run_id=self.run_id, now=now)
        result = self.session.send(outgoing)
        outcome = {
            **details,
            "outcome": _OUTCOME_WORD[result.delivery],
            "detail": result.detail,
            "refusal": result.delivery is Delivery.REFUSED,
            "refused": list(result.refused),
        }
        self.state.settle(entry, _OUTCOME[result.delivery], outcome, now=self.clock())
        self.sent.append(Sent(email, result, subject, outcome))


@dataclass(frozen=True, slots=True)
class MailValues:
    """What the sending steps hand on."""

    history: EmailHistory = field(default_factory=EmailHistory)
    standings: tuple[InvoiceStanding, ...] = ()
    plan: MailPlan = field(default_factory=MailPlan)
    digests: tuple[PlannedEmail, ...] = ()
    # Handed over in this run (a dry run: none).
    sent: tuple[Sent, ...] = ()
    # Drawn invoices as the state holds them, by number (this run's new ones too).
    invoices: Mapping[str, Invoice] = field(default_factory=dict)
    # The Invoices tab's rows as read with the standings, and each drawn invoice's
    # approval after this run's reading, by number.
    rows: tuple[InvoiceRow, ...] = ()
    approvals: Mapping[str, str] = field(default_factory=dict)
    # The Status each row was last written with (the state's), by number.
    last_shown: Mapping[str, str] = field(default_factory=dict)
    # Invoices made while Send Invoices said automatically (they go by themselves).
    by_itself: frozenset[str] = frozenset()
    # Each invoice's sending cells after the run's emails, by number.
    cells: Mapping[str, InvoiceCells] = field(default_factory=dict)


def _details(
    email: PlannedEmail, outgoing: OutgoingEmail, transport: str
) -> dict[str, Any]:
    paid = _paid(email)
    return {
        "purpose": email.purpose.value,
        "invoice": email.invoice,
        "customer_id": email.customer_id,
        "stage": email.stage,
        "paid": None if paid is None else str(paid),
        "owner": _owner(email),
        "problems": list(email.problems),
        "to": list(outgoing.to),
        "cc": list(outgoing.cc),
        "subject": outgoing.subject,
        "message_id": outgoing.message_id,
        "envelope": envelope(outgoing.sender, outgoing.to, outgoing.cc),
        "transport": transport,
    }


def _not_rendered(email: PlannedEmail, exc: SheetbillError) -> Problem:
    return Problem(
        code=ProblemCode.MAIL_NOT_RENDERED,
        tab="Invoices" if email.invoice else "Settings",
        row=None,
        column="",
        value=email.invoice or email.key,
        problem=f"The {email.purpose.value} email {email.key} was not sent: {exc}",
        fix="Correct the email template named, then run again; nothing was sent.",
        customer_id=email.customer_id,
    )


def predicted_history(
    history: EmailHistory, emails: Sequence[PlannedEmail], *, at: datetime
) -> EmailHistory:
    """The history as it would be once these emails went (what a dry run shows)."""
    records = dict(history.records)
    for email in emails:
        records[email.key] = EmailRecord(
            key=email.key,
            purpose=email.purpose,
            status=Status.DONE.value,
            intended_at=at,
            settled_at=at,
            invoice=email.invoice,
            stage=email.stage,
            paid=_paid(email),
            owner=_owner(email),
            problems=email.problems,
        )
    return EmailHistory(records)


def _owner(email: PlannedEmail) -> str:
    """A digest's owner (`owner_key`: its addresses, sorted), as its facts name it."""
    if email.purpose is not Purpose.DIGEST:
        return ""
    return str(email.facts.get("owner") or (email.to[0] if email.to else ""))


def _paid(email: PlannedEmail) -> Decimal | None:
    """A receipt's Paid so far, in minor units, as its planner states it (what the
    journal keeps: the next receipt is judged by it)."""
    paid = email.facts.get("paid_so_far")
    return paid if isinstance(paid, Decimal) else None


def invoice_files(state: StateDB, folder: Path, invoice: str) -> tuple[Attachment, ...]:
    """The invoice's PDF (a Factur-X PDF carries its XML inside) and any XRechnung
    XML, as this state wrote them: a file changed since is not attached."""
    from sheetbill.documents.files import file_sha256

    found: list[Attachment] = []
    for name, record in sorted(state.files_of([invoice]).items()):
        path = folder / name
        kind = {".pdf": "application/pdf", ".xml": "application/xml"}.get(path.suffix)
        if kind is None:
            continue
        try:
            if file_sha256(path) != record.sha256:
                raise _FileChanged(name)
            found.append(Attachment(name, kind, path.read_bytes()))
        except OSError as exc:
            raise _FileChanged(name) from exc
    return tuple(found)


class _FileChanged(SheetbillError):
    def __init__(self, name: str) -> None:
        super().__init__(
            f"its document {name} is missing or was changed since sheetbill made it"
        )


def template_context(
    email: PlannedEmail,
    settings: Settings,
    *,
    today: date,
    invoice: Invoice | None,
    has_qr: bool,
) -> dict[str, Any]:
    """What the email's template is given (sheet_templates/email/README.md): the
    planner's facts, the company, the payment details and the day."""
    company = {
        "name": settings.company_name,
        "email": settings.contact_email,
        "phone": settings.contact_phone,
        "address": ", ".join(
            p
            for p in (
                " ".join(settings.company_address.split()),
                " ".join(
                    x for x in (settings.company_postcode, settings.company_city) if x
                ),
            )
            if p
        ),
        "tax_id": settings.company_tax_id,
    }
    payment: Mapping[str, Any] | None = None
    if invoice is not None and settings.iban.strip():
        payment = {
            "iban": settings.iban,
            "bic": settings.bic,
            "reference": invoice.number,
            "has_qr": has_qr,
        }
    return {
        **email.facts,
        "company": company,
        "payment": payment,
        "language": email.language,
        "today": today,
    }


def email_lines(mail: MailValues | None, *, is_dry_run: bool) -> tuple[EmailLine, ...]:
    """The run's emails for its summary: those handed over, or (dry) those planned."""
    if mail is None:
        return ()
    if is_dry_run:
        return tuple(
            EmailLine(
                e.purpose.value, e.key, e.invoice, (*e.to, *e.cc), "", "would send"
            )
            for e in (*mail.plan.emails, *mail.digests)
        )
    return tuple(
        EmailLine(
            _what(s.email),
            s.email.key,
            s.email.invoice,
            (*s.email.to, *s.email.cc),
            s.subject,
            _SAID[s.result.delivery],
            s.result.detail,
        )
        for s in mail.sent
    )


def _what(email: PlannedEmail) -> str:
    """ "invoice", "reminder +7", "receipt", "digest"."""
    if email.purpose is Purpose.REMINDER and email.stage is not None:
        return f"reminder {email.stage:+d}"
    return email.purpose.value


_SAID = {
    Delivery.ACCEPTED: "sent",
    Delivery.REFUSED: "refused",
    Delivery.DEFERRED: "not sent, tried again next run",
    Delivery.UNKNOWN: "needs review",
}
