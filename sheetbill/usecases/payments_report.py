"""`sheetbill payments report --month YYYY-MM`: a month of the Payments tab
reconciled — bank total against matched total — for month end, while runs go on.

It only reads: the workbook once, without the run lock (a run may be working
meanwhile), and writes nothing anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sheetbill.config import Config
from sheetbill.domain.cells import show
from sheetbill.domain.model import Problem
from sheetbill.domain.payments import PaymentCells
from sheetbill.domain.schema import PaymentColumns as C
from sheetbill.planning.payments import OPEN_EXCEPTIONS_METRIC
from sheetbill.planning.reconciliation import Reconciliation, reconcile
from sheetbill.ports import Workbook
from sheetbill.state import StateDB
from sheetbill.tabs.payments import PaymentRow, read_payments
from sheetbill.tabs.validation import locate_tabs, read_settings_tab


@dataclass(frozen=True, slots=True)
class PaymentsReport:
    """A month reconciled, and what kept rows out of it."""

    workbook: str
    reconciliation: Reconciliation
    # The Payments tab's problems: a row whose Date or Amount cannot be read is
    # not counted in any total.
    problems: tuple[Problem, ...]
    has_payments_tab: bool
    # What the month's last run kept for the metrics: the payments left for a
    # person when it ran (None: no run of that month recorded one).
    recorded_open: int | None = None


def payments_report(
    workbook: Workbook,
    config: Config,
    *,
    month: tuple[int, int],
    state_path: Path | None = None,
) -> PaymentsReport:
    """The month's reconciliation. `month`: (year, month), checked by the caller
    (ValueError for one that does not exist). `state_path`: the workbook's state,
    read only for the count of open exceptions the month's runs kept; each row
    counts as its Status shows (what the last run wrote). Raises WorkbookError."""
    snapshot = workbook.read()
    layouts = locate_tabs(snapshot, config.aliases)
    settings, _ = read_settings_tab(layouts)
    layout = layouts.get("Payments")
    rows, problems = read_payments(layout, settings)
    cells = {row.row: shown_cells(row) for row in rows}
    return PaymentsReport(
        workbook.name,
        reconcile(rows, cells, month=month),
        tuple(problems),
        has_payments_tab=layout is not None,
        recorded_open=_recorded_open(state_path, month),
    )


def _recorded_open(state_path: Path | None, month: tuple[int, int]) -> int | None:
    """The open reconciliation exceptions a run of `month` recorded (read-only)."""
    if state_path is None or not state_path.exists():
        return None
    name = f"{OPEN_EXCEPTIONS_METRIC}.{month[0]:04d}-{month[1]:02d}"
    # A run may hold the state meanwhile: the report touches no file of it.
    with StateDB.for_reading(state_path, untouched=True) as state:
        if not state.has_tables():
            return None
        return state.metrics(name).get(name)


def shown_cells(row: PaymentRow) -> PaymentCells:
    """sheetbill's cells of a row as the sheet shows them (what the last run wrote,
    or blank for a row added since)."""
    return PaymentCells(
        row=row.row,
        row_id=row.row_id,
        matched_invoice=show(row.shown.get(C.MATCHED_INVOICE)).strip(),
        status=show(row.shown.get(C.STATUS)).strip(),
        note=show(row.shown.get(C.MATCH_NOTE)).strip(),
    )
