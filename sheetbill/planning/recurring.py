"""Recurring plans: which periods a run bills, skips or leaves for later.

Pure and deterministic: the same plans, history, time rows and day give the same
decisions. INTERFACE (the lead's): bodies are the planning helper's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from sheetbill.domain.model import (
    Counters,
    Customer,
    Invoice,
    Problem,
    Settings,
    TimeEntry,
)
from sheetbill.domain.recurring import Period, PeriodRecord, Plan
from sheetbill.planning.invoices import PricedItem


@dataclass(frozen=True, slots=True)
class RecurringBill:
    """One period a run bills: its invoice's priced items and what the state keeps."""

    plan: Plan
    period: Period
    # The plan's line (one SourceRow: tab "Recurring", the plan's sheet row, Row ID
    # = the period key, fingerprint = the plan's terms), then a retainer's included
    # and extra hours lines (the Time Log rows they consume as sources; their Row
    # IDs are drawn by `recurring_invoices`).
    items: tuple[PricedItem, ...]
    # The record the state keeps once the invoice is numbered (invoice_no "" until
    # then).
    record: PeriodRecord
    # The Time Log rows the retainer consumes (sheet order).
    consumed: tuple[TimeEntry, ...] = ()


@dataclass(frozen=True, slots=True)
class PlanCells:
    """sheetbill's cells of one plan row after the run."""

    row: int
    # The day the next period is billed; None when the plan has ended, or is
    # paused.
    next_date: date | None
    # The invoice of the plan's latest billed period ("" when none).
    last_invoice: str


@dataclass(frozen=True, slots=True)
class RecurringPlan:
    """What the plans make of this run."""

    # In numbering order: by bill date, then Plan ID, then period.
    bills: tuple[RecurringBill, ...] = ()
    # Periods that came while the plan was paused: recorded, never billed.
    skipped: tuple[PeriodRecord, ...] = ()
    # Time Log rows (tab, sheet row) kept for a retainer: consumed by a bill of this
    # run, or waiting for a period not yet billed. Ordinary invoicing leaves them.
    reserved: frozenset[tuple[str, int]] = frozenset()
    # Of those, the ones waiting (not consumed this run), for the waiting counts.
    waiting: tuple[tuple[str, int], ...] = ()
    # Plan IDs the history knows that no row has any more (all of them; the run
    # tells each once).
    removed: tuple[str, ...] = ()
    # Each plan's next period after this run (None: ended), by Plan ID.
    upcoming: Mapping[str, Period | None] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()


def plan_recurring(
    *,
    plans: Sequence[Plan],
    history: Mapping[str, Sequence[PeriodRecord]],
    entries: Sequence[TimeEntry],
    customers: Mapping[str, Customer],
    settings: Settings,
    today: date,
) -> RecurringPlan:
    """The periods due by `today` that no record covers, billed in period order;
    see docs/decisions.md "Issue 16"."""
    raise NotImplementedError


def recurring_invoices(
    bills: Sequence[RecurringBill],
    *,
    customers: Mapping[str, Customer],
    settings: Settings,
    today: date,
    counters: Counters,
    reuse: Sequence[str] = (),
    reuse_row_ids: Sequence[int] = (),
) -> tuple[list[Invoice], list[PeriodRecord], Counters, list[str], list[int]]:
    """One invoice per bill, numbered in the bills' order (taking `reuse` first),
    issued `today`, its service period the bill's period; the consumed Time Log rows
    get Row IDs (`reuse_row_ids` first). Returns the invoices, their records (with
    invoice numbers), the counters after, and the reuse numbers and Row IDs left for
    ordinary invoicing."""
    raise NotImplementedError


def plan_cells(
    plans: Sequence[Plan],
    history: Mapping[str, Sequence[PeriodRecord]],
    upcoming: Mapping[str, Period | None],
) -> list[PlanCells]:
    """Next Date and Last Invoice of each plan row, from the history after the run
    (this run's records included)."""
    raise NotImplementedError


def period_label(period: Period, plan: Plan, language: str) -> str:
    """The period in the customer's language: "November 2026", "Q4 2026", "2026",
    or a date range ("Nov 15 - Dec 14, 2026") when it is not a calendar month,
    quarter or year (babel)."""
    raise NotImplementedError
