"""STUB (the tab helper's): each plan row's Next Date and Last Invoice."""

from __future__ import annotations

from collections.abc import Sequence

from sheetbill.planning.recurring import PlanCells
from sheetbill.tabs.rows import TabLayout
from sheetbill.writeback.writer import TabWriter


def plan_row_writes(
    layout: TabLayout | None, cells: Sequence[PlanCells]
) -> TabWriter | None:
    """The Recurring tab's writes (None: nothing to write)."""
    if layout is None or not cells:
        return None
    raise NotImplementedError
