"""Recurring plans: what a Recurring row means, its periods, and what a run decided.

Pure values and rules (no I/O, no clock). A plan bills one invoice per period of its
schedule; the schedule is dateutil's rrule (RFC 5545 recurrence rules) over the plan's
Frequency, Interval, Day, Start, End and Count. A period is known across runs by its
key, `<Plan ID>@<first day>` (`period_key`), which is what the state database records
as billed (a billed row of tab "Recurring"), so each period is billed at most once
whatever the sheet's Next Date says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

RECURRING_TAB = "Recurring"
# A Day cell of "last": the last day of the month (also -1).
LAST_DAY = -1


class Frequency(Enum):
    """The Frequency cell: how long one period is (times Interval)."""

    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"


class Billing(Enum):
    """The Billing cell: whether a period is billed on its first day or after it."""

    IN_ADVANCE = "in advance"  # billed on the period's first day
    IN_ARREARS = "in arrears"  # billed on the day after its last day


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """A Recurring row that reads as a plan (rows with an error are left out)."""

    row: int
    plan_id: str
    customer_id: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    frequency: Frequency
    # Every `interval` weeks / months / quarters / years.
    interval: int
    # Weekly: ISO weekday 1 (Monday) to 7 (Sunday). Else: day of month 1..31, or
    # LAST_DAY; 29..31 fall on a shorter month's last day. None: the Start's day.
    day: int | None
    start: date
    # The last period starts on or before End (billed in full: no proration).
    end: date | None
    # At most this many periods (with End: whichever comes first).
    count: int | None
    billing: Billing
    # A retainer: hours included per period (None: not a retainer).
    included_hours: Decimal | None = None
    # A retainer's time rows: only this project's ("" = all of the customer's).
    project: str = ""
    # Unused included hours carried to the next period, at most this many (0: none).
    max_rollover_hours: Decimal = Decimal(0)
    # Auto Send: True = sent automatically, False = left for review (a person's
    # `send`), None (blank) = as Settings' Send Invoices says.
    auto_send: bool | None = None
    is_active: bool = True
    # sheetbill's own cells as the sheet shows them (a person may have edited them).
    next_date_shown: date | None = None
    last_invoice_shown: str = ""

    @property
    def is_retainer(self) -> bool:
        return self.included_hours is not None


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """One period of a plan's schedule: its first and last day and when it is billed."""

    start: date
    end: date  # inclusive
    bill_on: date
    plan_id: str
    # 0 for the plan's first period.
    index: int

    @property
    def key(self) -> str:
        return period_key(self.plan_id, self.start)


def period_key(plan_id: str, start: date) -> str:
    """The state's key of a plan's period: `P-001@2026-11-01`."""
    return f"{plan_id}@{start.isoformat()}"


def parse_period_key(key: str) -> tuple[str, date] | None:
    """(Plan ID, first day) of a period key, or None when `key` is not one."""
    plan_id, at, day = key.rpartition("@")
    if not at or not plan_id:
        return None
    try:
        return plan_id, date.fromisoformat(day)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class PeriodRecord:
    """What the state remembers of a plan's period once decided: billed on an
    invoice, or skipped because the plan was paused (Active = no) when it came."""

    plan_id: str
    start: date
    end: date
    # None: skipped (paused); never billed later.
    invoice_no: str | None
    # A retainer's hours: included (the plan's, plus those carried in), used in the
    # period, billed as extra, and carried out to the next period.
    included_hours: Decimal = Decimal(0)
    carried_in: Decimal = Decimal(0)
    used_hours: Decimal = Decimal(0)
    extra_hours: Decimal = Decimal(0)
    carried_out: Decimal = Decimal(0)
    # The plan's Unit Price it was billed at (None when skipped).
    unit_price: Decimal | None = None
