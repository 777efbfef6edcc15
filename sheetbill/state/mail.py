"""Every email as the state database keeps it: journal entries of kind `email.send`
(recorded before the email is handed over, settled with the transport's answer) and
`email.skip` (a decision not to send, kept once for `sheetbill explain`).

The journal is the only record of what was sent: the Invoices tab's Sent At,
Reminder Stage and Last Reminder are drawn from it each run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sheetbill.domain.journal import EMAIL_SEND, EMAIL_SKIP, Entry, Intent, Status
from sheetbill.domain.mail import EmailHistory, EmailRecord, Purpose, Skip
from sheetbill.state.journal import (
    Journal,
    confirm_in,
    entries_in,
    entry_in,
    intend_in,
    record_done_in,
    settle_in,
)

# What the journal says of an email a stopped run left pending.
STOPPED = "the run stopped while handing it to the mail server"


def email_record(entry: Entry) -> EmailRecord:
    """The email an `email.send` entry records."""
    details = entry.details
    return EmailRecord(
        key=entry.key,
        purpose=Purpose(details.get("purpose", Purpose.INVOICE.value)),
        status=entry.status.value,
        intended_at=entry.intended_at,
        settled_at=entry.settled_at,
        invoice=details.get("invoice") or None,
        stage=details.get("stage"),
        paid=_decimal(details.get("paid")),
        owner=details.get("owner") or "",
        problems=tuple(details.get("problems") or ()),
        is_refusal=bool(details.get("refusal")),
        envelope=details.get("envelope") or "",
        detail=details.get("detail") or "",
    )


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def skip_key(skip: Skip) -> str:
    """`<invoice>.<purpose>[.<stage>].<reason>`: one entry per decision, ever."""
    parts = [skip.invoice or "-", skip.purpose.value]
    if skip.stage is not None:
        parts.append(f"{skip.stage:+d}")
    parts.append(skip.reason.value.replace(" ", "-"))
    return ".".join(parts)


class MailRecords(Journal):
    """The emails' part of the state database (`StateDB`)."""

    def email_history(self) -> EmailHistory:
        return EmailHistory.of(
            email_record(e) for e in entries_in(self.db, kind=EMAIL_SEND)
        )

    def email_entry(self, key: str) -> Entry | None:
        return entry_in(self.db, EMAIL_SEND, key)

    def settle_stopped_emails(self, *, now: datetime) -> list[str]:
        """Emails a stopped run left pending become unknown (needs review): whether
        the server took them cannot be told. Returns their keys. Called under the
        run lock, so no other run is handing one over."""
        with self.transaction() as db:
            stopped = entries_in(db, kind=EMAIL_SEND, status=Status.PENDING)
            for entry in stopped:
                details = {**entry.details, "detail": STOPPED}
                settle_in(db, entry, Status.UNKNOWN, details, now=now)
        return [e.key for e in stopped]

    def confirm_sent(self, key: str, *, now: datetime) -> None:
        """A person said an email whose outcome was unknown did arrive."""
        with self.transaction() as db:
            entry = entry_in(db, EMAIL_SEND, key)
            if entry is not None:
                details = {**entry.details, "confirmed": "by a person"}
                confirm_in(db, EMAIL_SEND, key, details, now=now)

    def record_shown_emails(
        self,
        emails: Iterable[tuple[str, Mapping[str, Any], str, datetime]],
        *,
        run_id: str,
    ) -> None:
        """Emails a rebuilt state takes from the workbook's cells (key, details,
        "done" or "unknown", when): recorded as they were, never handed over."""
        with self.transaction() as db:
            for key, details, status, at in emails:
                if entry_in(db, EMAIL_SEND, key) is not None:
                    continue
                intent = Intent(EMAIL_SEND, key, details)
                if status == Status.UNKNOWN.value:
                    entry = intend_in(db, intent, run_id=run_id, now=at)
                    settle_in(db, entry, Status.UNKNOWN, now=at)
                else:
                    record_done_in(db, intent, run_id=run_id, now=at)

    def record_skips(
        self, skips: Iterable[Skip], *, run_id: str, now: datetime
    ) -> None:
        """Each decision not to send, the first time it is made (its date is then
        the day it was first made)."""
        with self.transaction() as db:
            for skip in skips:
                details: Mapping[str, Any] = {
                    "purpose": skip.purpose.value,
                    "invoice": skip.invoice,
                    "stage": skip.stage,
                    "reason": skip.reason.value,
                    "detail": skip.detail,
                }
                key = skip_key(skip)
                if entry_in(db, EMAIL_SKIP, key) is None:
                    intent = Intent(EMAIL_SKIP, key, details)
                    record_done_in(db, intent, run_id=run_id, now=now)
