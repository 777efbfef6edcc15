"""What the reminder planner's tests share: an invoice due on 2026-11-10 in Berlin,
its customer, emails recorded at a shop's time, and the planner called on them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sheetbill.domain.mail import (
    EmailHistory,
    EmailRecord,
    InvoiceStanding,
    PlannedEmail,
    Purpose,
    Skip,
)
from sheetbill.domain.model import Customer, Settings
from sheetbill.planning.reminders import (
    plan_reminders,
)

BERLIN = ZoneInfo("Europe/Berlin")
SCHEDULE = (-3, 1, 7, 14, 30)
DUE = date(2026, 11, 10)
ISSUED = date(2026, 10, 11)
CUSTOMER = Customer(
    row=2,
    customer_id="C001",
    name="Acme GmbH",
    email="ap@acme.de",
    cc="boss@acme.de; books@acme.de",
    language="de",
)


def invoice(number: str = "INV-2026-0007", **changes: object) -> InvoiceStanding:
    made = InvoiceStanding(
        number=number,
        customer_id="C001",
        currency="EUR",
        total=Decimal("1190.00"),
        issue_date=ISSUED,
        due_date=DUE,
    )
    return replace(made, **changes)


def at(day: date, hour: int = 10, minute: int = 0, zone: ZoneInfo = BERLIN) -> datetime:
    """A wall time in `zone` as the journal keeps it: UTC."""
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


def record(
    key: str,
    when: datetime,
    *,
    status: str = "done",
    stage: int | None = None,
    number: str = "INV-2026-0007",
) -> EmailRecord:
    purpose = Purpose(key.split(".")[1])
    settled = None if status == "pending" else when + timedelta(seconds=3)
    return EmailRecord(key, purpose, status, when, settled, invoice=number, stage=stage)


def invoice_sent(when: datetime | None = None, **kw: object) -> EmailRecord:
    return record("INV-2026-0007.invoice", when or at(ISSUED), **kw)


def reminder_sent(
    stage: int, when: datetime | None = None, **kw: object
) -> EmailRecord:
    sent = when or at(DUE + timedelta(days=stage))
    return record(f"INV-2026-0007.reminder.{stage:+d}", sent, stage=stage, **kw)


def plan(
    today: date,
    *records: EmailRecord,
    standing: InvoiceStanding | None = None,
    schedule: Sequence[int] = SCHEDULE,
    customer: Customer | None = CUSTOMER,
    zone: ZoneInfo = BERLIN,
) -> tuple[list[PlannedEmail], list[Skip]]:
    customers = {} if customer is None else {customer.customer_id: customer}
    return plan_reminders(
        [standing or invoice()],
        customers,
        Settings(reminder_schedule=tuple(schedule)),
        EmailHistory.of(records),
        today=today,
        zone=zone,
    )


def only_email(found: tuple[list[PlannedEmail], list[Skip]]) -> PlannedEmail:
    planned, skipped = found
    assert skipped == [] and len(planned) == 1, found
    return planned[0]


def only_skip(found: tuple[list[PlannedEmail], list[Skip]]) -> Skip:
    planned, skipped = found
    assert planned == [] and len(skipped) == 1, found
    return skipped[0]
