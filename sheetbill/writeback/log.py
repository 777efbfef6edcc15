"""The Log tab's writes: a row per invoice created, approval taken and number
withdrawn, at the shop's wall-clock time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sheetbill.domain.model import Invoice
from sheetbill.domain.schema import LogColumns
from sheetbill.domain.sheet import CellValue
from sheetbill.domain.shoptime import local_time, zone_label
from sheetbill.domain.wording import amount_text, counted
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
        self._append(
            "invoice created",
            invoice.number,
            f"{invoice.customer_id}: {counted(len(invoice.lines), 'line')}, total "
            f"{amount_text(invoice.total, invoice.currency)}",
        )

    def approved(self, number: str, approver: str, creator: str) -> None:
        self._append(
            "invoice approved", number, f"approved by {approver}; created by {creator}"
        )

    def withdrawn(self, number: str, reason: str) -> None:
        self._append("number withdrawn", number, reason)

    def _append(self, action: str, number: str, detail: str) -> None:
        self.writer.append(
            {
                **self._time(),
                LogColumns.RUN_ID: self.run_id,
                LogColumns.ACTION: action,
                LogColumns.INVOICE: number,
                LogColumns.DETAIL: detail,
            }
        )

    def _time(self) -> dict[str, CellValue]:
        """Time in the shop's zone, and that zone named (a naive `now` is UTC)."""
        return {
            LogColumns.TIME: local_time(self.now, self.zone),
            LogColumns.TIME_ZONE: zone_label(self.now, self.zone),
        }
