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

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sheetbill.domain.cells import parse_text
from sheetbill.domain.recurring import (
    PeriodRecord,
    Plan,
    periods_after,
    recurring_source,
)
from sheetbill.domain.schema import LogColumns
from sheetbill.domain.sheet import CellValue
from sheetbill.tabs.recurring import plan_key
from sheetbill.tabs.rows import TabLayout


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


@dataclass(frozen=True, slots=True)
class LoggedDecisions:
    """What the Log tab shows a run decided of its plans besides billing."""

    # Periods skipped while their plan was paused (never billed later).
    skipped: tuple[PeriodRecord, ...] = ()
    # Plan ID -> whether its latest Log row says it is removed (False: back).
    removed: Mapping[str, bool] = field(default_factory=dict)


# The Detail of a "period skipped" Log row starts with its period (`journal.
# log_line`): "2026-09-01 to 2026-09-30: the plan was paused ...".
_SKIPPED_DETAIL = re.compile(r"\s*(\d{4}-\d{2}-\d{2}) to (\d{4}-\d{2}-\d{2}):")


def logged_decisions(
    log: TabLayout | None, billed: Iterable[PeriodRecord]
) -> LoggedDecisions:
    """The skipped periods and removed plans the Log tab's rows show, so a rebuilt
    state neither bills a period skipped while its plan was paused nor tells a
    plan removed twice. A skipped period a billed one (`billed`) has the start of
    is left out; a row whose Detail was edited beyond reading is passed over."""
    if log is None:
        return LoggedDecisions()
    at = log.columns.positions
    if not all(c in at for c in (LogColumns.ACTION, LogColumns.INVOICE)):
        return LoggedDecisions()
    taken = {(plan_key(r.plan_id), r.start) for r in billed}
    skipped: dict[tuple[str, date], PeriodRecord] = {}
    removed: dict[str, bool] = {}
    for row in log.table.rows:
        action = parse_text(row.get(at[LogColumns.ACTION])).strip()
        plan_id = parse_text(row.get(at[LogColumns.INVOICE])).strip()
        if not plan_id:
            continue
        if action in ("plan removed", "plan back"):
            removed[plan_id] = action == "plan removed"
        elif action == "period skipped" and LogColumns.DETAIL in at:
            period = _skipped_period(parse_text(row.get(at[LogColumns.DETAIL])))
            key = (plan_key(plan_id), period[0]) if period else None
            if period is not None and key is not None and key not in taken:
                skipped[key] = PeriodRecord(plan_id, period[0], period[1], None)
    return LoggedDecisions(tuple(skipped.values()), removed)


def _skipped_period(detail: str) -> tuple[date, date] | None:
    found = _SKIPPED_DETAIL.match(detail)
    if found is None:
        return None
    try:
        start, end = (date.fromisoformat(found[i]) for i in (1, 2))
    except ValueError:
        return None
    return (start, end) if start <= end else None
