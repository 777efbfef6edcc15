"""The Recurring tab's cells: sheetbill's own on each plan row, Next Date and Last
Invoice.

Pure. Only a cell that shows something else is written, so a run that changes
nothing writes nothing there; the rows of plans with errors get no cells at all
(the planner gives cells only for the plans that read).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from sheetbill.domain.cells import EXCEL_EPOCH, parse_text
from sheetbill.domain.schema import RecurringColumns
from sheetbill.domain.sheet import CellValue
from sheetbill.planning.recurring import PlanCells
from sheetbill.tabs.rows import TabLayout
from sheetbill.writeback.writer import TabWriter

C = RecurringColumns


def plan_row_writes(
    layout: TabLayout | None, cells: Sequence[PlanCells]
) -> TabWriter | None:
    """Next Date (a date cell; cleared when the plan has no next period) and Last
    Invoice (cleared when no period was billed) of each row in `cells`, where the
    row shows something else; None when no cell needs writing (or there is no
    Recurring tab).

    A date shown as a date, a date and time or a Google Sheet's serial number is
    the same day; text that names the day is written over with the date itself.
    Last Invoice compares without regard to case or surrounding spaces. A tab
    without the columns gains them at its right (`TabWriter.open`).
    """
    if layout is None or not cells:
        return None
    writer = TabWriter.open(layout.schema, layout)
    headers = len(writer.cells)
    rows = {r.number: r for r in layout.table.rows}
    positions = layout.columns.positions
    for wanted in cells:
        row = rows.get(wanted.row)
        next_date, last_invoice = (
            row.get(positions[c]) if row is not None and c in positions else None
            for c in (C.NEXT_DATE, C.LAST_INVOICE)
        )
        if _other_day(next_date, wanted.next_date):
            writer.put(wanted.row, C.NEXT_DATE, wanted.next_date)
        if _other_text(last_invoice, wanted.last_invoice):
            writer.put(wanted.row, C.LAST_INVOICE, wanted.last_invoice or None)
    return writer if len(writer.cells) > headers else None


def _other_day(shown: CellValue, day: date | None) -> bool:
    if day is None:
        return parse_text(shown) != ""
    if isinstance(shown, datetime):
        return shown.date() != day
    if isinstance(shown, date):
        return shown != day
    if isinstance(shown, Decimal):
        # A Google Sheet hands a date over as its serial number of days.
        return shown != (day - EXCEL_EPOCH).days
    return True


def _other_text(shown: CellValue, text: str) -> bool:
    return parse_text(shown).casefold() != text.strip().casefold()
