"""The Log tab's writes: a row per invoice created, approval taken, number
withdrawn and email handed over, at the shop's wall-clock time — each made from the
run's journal entry (`domain.journal.log_line`), so the Log and the state's journal
say the same."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sheetbill.domain.journal import (
    EMAIL_SEND,
    PAYMENT_APPLY,
    Intent,
    invoice_approved,
    invoice_written,
    log_line,
    number_withdrawn,
)
from sheetbill.domain.model import Invoice
from sheetbill.domain.schema import LogColumns
from sheetbill.domain.sheet import CellValue
from sheetbill.domain.shoptime import local_time, zone_label
from sheetbill.planning.payments import AppliedPayment, applied_details
from sheetbill.writeback.writer import TabWriter


@dataclass(frozen=True, slots=True)
class RunLog:
    """Appends this run's rows to the Log tab."""

    writer: TabWriter
    now: datetime
    # The Settings' Timezone.
    zone: str
    run_id: str

    def created(self, invoice: Invoice) -> None:
        self._append(invoice_written(invoice))

    def approved(self, number: str, approver: str, creator: str) -> None:
        self._append(invoice_approved(number, approver=approver, creator=creator))

    def withdrawn(self, number: str, reason: str) -> None:
        self._append(number_withdrawn(number, reason))

    def email(self, key: str, details: Mapping[str, Any]) -> None:
        """An email this run handed over, with its outcome."""
        self._append(Intent(EMAIL_SEND, key, details))

    def payment(self, row_id: str, action: str, applied: AppliedPayment) -> None:
        """A payment applied, re-applied after an edit, or taken back."""
        self._append(Intent(PAYMENT_APPLY, row_id, applied_details(applied, action)))

    def recurring(self, intent: Intent) -> None:
        """A recurring plan's period skipped (paused), or a plan removed or back."""
        self._append(intent)

    def _append(self, intent: Intent) -> None:
        """The Log row of an effect of this run, made from its journal entry: what
        the state records is what the Log shows."""
        line = log_line(intent)
        if line is None:
            raise ValueError(f"the Log shows no {intent.kind}")
        self.writer.append(
            {
                **self._time(),
                LogColumns.RUN_ID: self.run_id,
                LogColumns.ACTION: line.action,
                LogColumns.INVOICE: line.invoice,
                LogColumns.DETAIL: line.detail,
            }
        )

    def _time(self) -> dict[str, CellValue]:
        """Time in the shop's zone, and that zone named (a naive `now` is UTC)."""
        return {
            LogColumns.TIME: local_time(self.now, self.zone),
            LogColumns.TIME_ZONE: zone_label(self.now, self.zone),
        }
