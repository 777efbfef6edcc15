"""Recurring plans as the state database keeps them: journal entries of kind
`recurring.period` (each period decided, by period key: billed on an invoice, recorded
in the same transaction as that invoice's number, or skipped while the plan was
paused) and `recurring.removed` (a plan whose row is gone, told once).

A period's entry is the proof that it was billed: a run bills only periods after the
last one recorded, so no period is billed twice, whatever the sheet says.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sheetbill.domain.journal import (
    RECURRING_PERIOD,
    RECURRING_REMOVED,
    Intent,
)
from sheetbill.domain.recurring import PeriodRecord, period_key
from sheetbill.state.journal import Journal, entries_in, record_done_in

_HOURS = ("included_hours", "carried_in", "used_hours", "extra_hours", "carried_out")


def period_intent(record: PeriodRecord) -> Intent:
    """The journal's entry of a decided period."""
    details: dict[str, Any] = {
        "plan_id": record.plan_id,
        "start": record.start.isoformat(),
        "end": record.end.isoformat(),
        "invoice": record.invoice_no,
        "unit_price": None if record.unit_price is None else str(record.unit_price),
    }
    details.update((name, str(getattr(record, name))) for name in _HOURS)
    return Intent(RECURRING_PERIOD, period_key(record.plan_id, record.start), details)


def period_record(details: Mapping[str, Any]) -> PeriodRecord:
    """A decided period from its journal entry's details."""
    price = details.get("unit_price")
    hours = {name: Decimal(details.get(name) or 0) for name in _HOURS}
    return PeriodRecord(
        plan_id=details["plan_id"],
        start=date.fromisoformat(details["start"]),
        end=date.fromisoformat(details["end"]),
        invoice_no=details.get("invoice") or None,
        unit_price=None if price is None else Decimal(price),
        **hours,
    )


def record_periods_in(
    db: sqlite3.Connection,
    records: Iterable[PeriodRecord],
    *,
    run_id: str,
    now: datetime,
) -> None:
    """Record decided periods inside the caller's transaction (with the invoices
    that bill them)."""
    for record in records:
        record_done_in(db, period_intent(record), run_id=run_id, now=now)


def forget_periods_of_in(db: sqlite3.Connection, numbers: Collection[str]) -> None:
    """Forget the periods billed on invoices whose number is withdrawn or taken by
    a rebuilt invoice: those periods are planned again."""
    if not numbers:
        return
    db.executemany(
        "DELETE FROM journal WHERE kind = ? AND json_extract(details, '$.invoice') = ?",
        [(RECURRING_PERIOD, number) for number in numbers],
    )


class RecurringRecords(Journal):
    """The recurring plans' part of the state database (`StateDB`)."""

    def recurring_history(self) -> dict[str, list[PeriodRecord]]:
        """Every decided period by Plan ID, in period order."""
        history: dict[str, list[PeriodRecord]] = {}
        for entry in entries_in(self.db, kind=RECURRING_PERIOD):
            record = period_record(entry.details)
            history.setdefault(record.plan_id, []).append(record)
        for records in history.values():
            records.sort(key=lambda r: r.start)
        return history

    def record_plan_decisions(
        self, intents: Sequence[Intent], *, run_id: str, now: datetime
    ) -> None:
        """What a run decided of its plans besides billing, in one write: periods
        that came while their plan was paused (`period_intent`) and plans whose row
        is gone or back (`recurring.removed`). The same entries make their Log rows
        (`RecurringDrawn.logged`)."""
        if intents:
            with self.transaction() as db:
                for intent in intents:
                    record_done_in(db, intent, run_id=run_id, now=now)

    def removed_plans(self) -> dict[str, bool]:
        """Plan ID -> whether it is told removed now (False: told back since)."""
        return {
            e.key: not e.details.get("back")
            for e in entries_in(self.db, kind=RECURRING_REMOVED)
        }
