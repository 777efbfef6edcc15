"""Payments as the state database keeps them: journal entries of kind
`payment.apply` (a Payments row's Row ID, fingerprint and match: pending before the
workbook is written, done once it shows them), `invoice.paid` (the Paid sheetbill
last wrote on an invoice's row, so a person's own value is told from it) and
`payment.import` (each transaction an import appended, by content key).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sheetbill.domain.journal import (
    INVOICE_PAID,
    METRIC,
    PAYMENT_APPLY,
    PAYMENT_IMPORT,
    Entry,
    Intent,
    Status,
)
from sheetbill.state.journal import (
    Journal,
    entries_in,
    entry_in,
    record_done_in,
    reopen_in,
    settle_keys_in,
)

_ROW_ID_NUMBER = re.compile(r"^[A-Z]-(\d+)$")


class PaymentRecords(Journal):
    """The payments' part of the state database (`StateDB`)."""

    def payment_entries(self) -> list[Entry]:
        """Every application recorded (`payment.apply`), in the order first made."""
        return entries_in(self.db, kind=PAYMENT_APPLY)

    def last_payment_row_id(self) -> int:
        """The highest Row ID number any application used (P-000012 -> 12)."""
        last = 0
        for entry in entries_in(self.db, kind=PAYMENT_APPLY):
            found = _ROW_ID_NUMBER.match(entry.key)
            if found:
                last = max(last, int(found.group(1)))
        return last

    def written_paid(self) -> dict[str, frozenset[Decimal]]:
        """Invoice number -> the Paid values sheetbill wrote on its row: the last
        one shown and, while a write is under way, the one being written."""
        written: dict[str, frozenset[Decimal]] = {}
        for entry in entries_in(self.db, kind=INVOICE_PAID):
            values = [entry.details.get("paid")]
            if entry.status is Status.PENDING:
                values += _listed(entry.details.get("before"))
            written[entry.key] = frozenset(
                amount for v in values if (amount := _decimal(v)) is not None
            )
        return written

    def record_payments(
        self,
        applied: Sequence[tuple[str, Mapping[str, Any]]],
        paid: Mapping[str, Decimal],
        *,
        run_id: str,
        now: datetime,
    ) -> None:
        """Before the workbook is written: each application (Row ID, details) and
        each Paid about to be written, pending (one transaction)."""
        if not applied and not paid:
            return
        with self.transaction() as db:
            for row_id, details in applied:
                reopen_in(
                    db,
                    Intent(PAYMENT_APPLY, row_id, dict(details)),
                    run_id=run_id,
                    now=now,
                )
            for number, amount in paid.items():
                intent = Intent(
                    INVOICE_PAID,
                    number,
                    {"paid": str(amount), "before": _shown_values(db, number)},
                )
                reopen_in(db, intent, run_id=run_id, now=now)

    def mark_payments_written(
        self,
        row_ids: Iterable[str],
        numbers: Iterable[str],
        gone: Sequence[tuple[str, Mapping[str, Any]]],
        *,
        run_id: str,
        now: datetime,
    ) -> None:
        """The workbook shows them: applications and Paid values done; the
        applications of deleted rows recorded as gone."""
        with self.transaction() as db:
            settle_keys_in(db, PAYMENT_APPLY, row_ids, Status.DONE, now=now)
            settle_keys_in(db, INVOICE_PAID, numbers, Status.DONE, now=now)
            for row_id, details in gone:
                intent = Intent(PAYMENT_APPLY, row_id, dict(details))
                record_done_in(db, intent, run_id=run_id, now=now)

    def load_rebuilt_payments(
        self,
        applied: Sequence[tuple[str, Mapping[str, Any]]],
        paid: Mapping[str, Decimal],
        *,
        run_id: str,
        now: datetime,
    ) -> None:
        """A rebuilt state's applications and Paid values, as the workbook shows
        them (done)."""
        with self.transaction() as db:
            for row_id, details in applied:
                intent = Intent(PAYMENT_APPLY, row_id, dict(details))
                record_done_in(db, intent, run_id=run_id, now=now)
            for number, amount in paid.items():
                intent = Intent(INVOICE_PAID, number, {"paid": str(amount)})
                record_done_in(db, intent, run_id=run_id, now=now)

    def record_metric(
        self, name: str, value: int, *, run_id: str, now: datetime
    ) -> None:
        """A count for the metrics (the last run's value stands; the same value
        again changes nothing, so a rerun leaves the state as it was)."""
        with self.transaction() as db:
            found = entry_in(db, METRIC, name)
            if found is not None and found.details.get("value") == value:
                return
            intent = Intent(METRIC, name, {"value": value})
            record_done_in(db, intent, run_id=run_id, now=now)

    def metrics(self, prefix: str = "") -> dict[str, int]:
        """The counts recorded, by name (those starting with `prefix`)."""
        return {
            e.key: int(e.details.get("value", 0))
            for e in entries_in(self.db, kind=METRIC)
            if e.key.startswith(prefix)
        }

    def imported_keys(self) -> set[str]:
        """The content keys of every transaction an import appended and wrote."""
        return {
            e.key
            for e in entries_in(self.db, kind=PAYMENT_IMPORT)
            if e.status is Status.DONE
        }

    def record_imported(
        self, keys: Mapping[str, Mapping[str, Any]], *, run_id: str, now: datetime
    ) -> None:
        """Transactions an import appended, once the workbook shows them."""
        with self.transaction() as db:
            for key, details in keys.items():
                intent = Intent(PAYMENT_IMPORT, key, dict(details))
                record_done_in(db, intent, run_id=run_id, now=now)


def _shown_values(db: sqlite3.Connection, number: str) -> list[str]:
    """What the row may show before a new Paid is written: the last one written
    and, after stopped runs, every one under way since."""
    found = entry_in(db, INVOICE_PAID, number)
    if found is None:
        return []
    if found.status is not Status.PENDING:
        return [str(found.details.get("paid"))]
    earlier = _listed(found.details.get("before"))
    return sorted({*earlier, str(found.details.get("paid"))})


def _listed(value: object) -> list[str]:
    """`before` as recorded: a list (a single value in older entries, or none)."""
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None
