"""Builders for the sending planners' tests: invoices as they stand, customers, and
the journal's email records, each with plain defaults a test overrides."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sheetbill.domain.mail import (
    EmailHistory,
    EmailRecord,
    InvoiceStanding,
    PlannedEmail,
    Purpose,
    SendWord,
)
from sheetbill.domain.model import Customer
from sheetbill.planning.sending import envelope

D = Decimal
TODAY = date(2026, 11, 3)
ISSUED = date(2026, 11, 3)
DUE = date(2026, 11, 17)
# When the records' emails were handed over: a run at 09:00 UTC.
AT = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
SENDER = "Northwind Billing <billing@northwind.example>"


def standing(number: str = "INV-1", **changes: Any) -> InvoiceStanding:
    values: dict[str, Any] = {
        "number": number,
        "customer_id": "C1",
        "currency": "EUR",
        "total": D("1190.00"),
        "issue_date": ISSUED,
        "due_date": DUE,
    }
    values.update(changes)
    return InvoiceStanding(**values)


def customer(customer_id: str = "C1", **changes: Any) -> Customer:
    values: dict[str, Any] = {
        "row": 2,
        "customer_id": customer_id,
        "name": "Alpha GmbH",
        "email": "billing@alpha.example",
    }
    values.update(changes)
    return Customer(**values)


def customers(*found: Customer) -> dict[str, Customer]:
    return {c.customer_id: c for c in (found or (customer(),))}


def record(
    key: str,
    status: str = "done",
    *,
    at: datetime = AT,
    **changes: Any,
) -> EmailRecord:
    """A journal record of the email `key` (`<n>.<purpose>...`): its invoice and
    purpose are read from the key unless given."""
    number, _, rest = key.partition(".")
    purpose = Purpose(rest.split(".")[0]) if not key.startswith("digest.") else None
    values: dict[str, Any] = {
        "key": key,
        "purpose": purpose or Purpose.DIGEST,
        "status": status,
        "intended_at": at,
        "settled_at": at + timedelta(seconds=2) if status != "pending" else None,
        "invoice": number if purpose is not None else None,
        "envelope": envelope(SENDER, ("billing@alpha.example",), ()),
    }
    values.update(changes)
    return EmailRecord(**values)


def history(*records: EmailRecord) -> EmailHistory:
    return EmailHistory.of(records)


def sent(number: str = "INV-1", **changes: Any) -> EmailRecord:
    """The invoice email of `number`, accepted."""
    return record(f"{number}.invoice", **changes)


def keys(emails: list[PlannedEmail]) -> list[str]:
    return [e.key for e in emails]


def word(text: str) -> SendWord:
    return SendWord(text)
