"""The recurring periods a workbook shows as billed, for `state rebuild`: each
Invoice Lines row whose Source names a plan's period (`Recurring P-001, period
2026-11-01`) is that period billed on that invoice, so a rebuilt state never bills
it again.

Pure. A period's last day comes from the plan's schedule as its row says now; when
the row is gone or no longer has a period starting that day, the period is taken to
end on its first day (the next period billed then starts after it). A retainer's
hours carried over are not shown anywhere in the workbook: after a rebuild the next
period starts with none carried in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta

from sheetbill.domain.cells import parse_text
from sheetbill.domain.recurring import (
    PeriodRecord,
    Plan,
    periods_after,
    recurring_source,
)
from sheetbill.domain.sheet import CellValue
from sheetbill.tabs.recurring import plan_key


def shown_periods(
    lines: Mapping[str, Iterable[tuple[int, Mapping[str, CellValue]]]],
    plans: Sequence[Plan],
    numbers: Iterable[str],
) -> list[PeriodRecord]:
    """The periods billed on the invoices `numbers` (those the Invoices tab shows),
    from their Invoice Lines rows (`lines`: by invoice number, each row's cells by
    column name); in invoice then line order, each period once."""
    by_key = {plan_key(p.plan_id): p for p in plans}
    found: dict[tuple[str, date], PeriodRecord] = {}
    for number in numbers:
        for _, cells in lines.get(number, ()):
            source = recurring_source(parse_text(cells.get("Source")))
            if source is None or (plan_key(source[0]), source[1]) in found:
                continue
            plan_id, start = source
            plan = by_key.get(plan_key(plan_id))
            found[(plan_key(plan_id), start)] = PeriodRecord(
                plan_id=plan.plan_id if plan else plan_id,
                start=start,
                end=_last_day(plan, start),
                invoice_no=number,
            )
    return list(found.values())


def _last_day(plan: Plan | None, start: date) -> date:
    if plan is None:
        return start
    for period in periods_after(plan, start - timedelta(days=1)):
        return period.end if period.start == start else start
    return start
