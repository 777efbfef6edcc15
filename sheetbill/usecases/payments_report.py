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
from sheetbill.planning.reconciliation import Reconciliation, reconcile
from sheetbill.ports import Workbook
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


def payments_report(
    workbook: Workbook,
    config: Config,
    *,
    month: tuple[int, int],
    state_path: Path | None = None,
) -> PaymentsReport:
    """The month's reconciliation. `month`: (year, month), checked by the caller
    (ValueError for one that does not exist). `state_path`: the workbook's state,
    for the matches a run would make of rows it has not seen yet; until those are
    planned here, each row counts as its Status shows. Raises WorkbookError."""
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
    )


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
