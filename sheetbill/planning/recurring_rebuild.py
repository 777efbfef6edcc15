"""The recurring periods a workbook shows as billed, for `state rebuild`: each
Invoice Lines row whose Source names a plan's period (`Recurring P-001, period
2026-11-01`) is that period billed on that invoice, so a rebuilt state never bills
it again.

Pure. A period's last day comes from the plan's schedule as its row says now; when
it no longer has a period starting that day, the period lasted one step of its
Frequency; when the row is gone, it is taken to end on its first day. A retainer's
hours carried over are not shown anywhere in the workbook: after a rebuild the next
period starts with none carried in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from sheetbill.domain.cells import parse_text
from sheetbill.domain.recurring import (
    Frequency,
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
    # (folded Plan ID, first day) -> (invoice, Plan ID as the Source writes it)
    found: dict[tuple[str, date], tuple[str, str]] = {}
    for number in numbers:
        for _, cells in lines.get(number, ()):
            source = recurring_source(parse_text(cells.get("Source")))
            if source is not None:
                found.setdefault((plan_key(source[0]), source[1]), (number, source[0]))
    starts: dict[str, list[date]] = {}
    for folded, first in found:
        starts.setdefault(folded, []).append(first)
    for days in starts.values():
        days.sort()
    records = []
    for (key, start), (number, plan_id) in found.items():
        plan = by_key.get(key)
        days = starts[key]
        at = days.index(start)
        records.append(
            PeriodRecord(
                plan_id=plan.plan_id if plan else plan_id,
                start=start,
                end=_last_day(plan, days[at - 1] if at else None, start),
                invoice_no=number,
            )
        )
    return records


def _last_day(plan: Plan | None, previous: date | None, start: date) -> date:
    """The period's last day by the plan's schedule as its row says now. When no
    period of it starts that day (Day or Frequency edited since), the period lasted
    as long as the spacing from the plan's previous period billed (a whole number of
    months when both start on the same day of the month), else one step of its
    Frequency and Interval as the row says now: the next period billed then starts
    where it would have without the rebuild, not within the billed one. Its row
    gone: it ends on its first day."""
    if plan is None:
        return start
    for period in periods_after(plan, start - timedelta(days=1)):
        if period.start == start:
            return period.end
        break
    if previous is not None:
        months = (start.year - previous.year) * 12 + start.month - previous.month
        if previous.day == start.day and months > 0:
            return start + relativedelta(months=months) - timedelta(days=1)
        return start + (start - previous) - timedelta(days=1)
    if plan.frequency is Frequency.WEEKLY:
        step = relativedelta(weeks=plan.interval)
    else:
        step = relativedelta(months=plan.interval * _MONTHS[plan.frequency])
    return start + step - timedelta(days=1)


_MONTHS = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.YEARLY: 12}


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
    log: TabLayout | None, billed: Iterable[PeriodRecord], plans: Sequence[Plan]
) -> LoggedDecisions:
    """The skipped periods and removed plans the Log tab's rows show, so a rebuilt
    state neither bills a period skipped while its plan was paused nor tells a
    plan removed twice. A skipped period a billed one (`billed`) has the start of
    is left out; a row whose Detail was edited beyond reading is passed over. Only
    the first day is taken from the Detail: the period ends as the plan's schedule
    says (one day when it no longer has a period starting then), so an edited
    Detail can never cover a period that was not skipped."""
    if log is None:
        return LoggedDecisions()
    at = log.columns.positions
    if not all(c in at for c in (LogColumns.ACTION, LogColumns.INVOICE)):
        return LoggedDecisions()
    taken = {(plan_key(r.plan_id), r.start) for r in billed}
    by_key = {plan_key(p.plan_id): p for p in plans}
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
            start = _skipped_start(parse_text(row.get(at[LogColumns.DETAIL])))
            key = (plan_key(plan_id), start) if start else None
            if start is not None and key is not None and key not in taken:
                plan = by_key.get(key[0])
                end = _scheduled_end(plan, start) if plan else start
                skipped[key] = PeriodRecord(plan_id, start, end, None)
    return LoggedDecisions(tuple(skipped.values()), removed)


def _scheduled_end(plan: Plan, start: date) -> date:
    """The last day of the plan's period starting on `start`; `start` when none
    does."""
    for period in periods_after(plan, start - timedelta(days=1)):
        return period.end if period.start == start else start
    return start


def _skipped_start(detail: str) -> date | None:
    found = _SKIPPED_DETAIL.match(detail)
    if found is None:
        return None
    try:
        start, end = (date.fromisoformat(found[i]) for i in (1, 2))
    except ValueError:
        return None
    return start if start <= end else None


def with_retainer_hours(
    records: Sequence[PeriodRecord],
    plans: Sequence[Plan],
    hours: Mapping[str, Decimal],
) -> list[PeriodRecord]:
    """The billed periods of each retainer with their hours worked out again: used
    = the hours of the Time Log rows that carry the period's invoice (`hours`, by
    invoice, rounded as billed), included = the plan's Included Hours as its row
    says now, and the carry-over chained from period to period as the drawdown does
    it (`retainers.draw_down`: at most Max Rollover Hours; none across a gap, where
    a skipped period was). So the next period after a rebuild starts with the hours
    carried in that it would have had."""
    by_key = {plan_key(p.plan_id): p for p in plans if p.included_hours is not None}
    redone: dict[int, PeriodRecord] = {}
    chains: dict[str, list[tuple[int, PeriodRecord]]] = {}
    for at, record in enumerate(records):
        if plan_key(record.plan_id) in by_key and record.invoice_no:
            chains.setdefault(plan_key(record.plan_id), []).append((at, record))
    for key, chain in chains.items():
        plan = by_key[key]
        assert plan.included_hours is not None
        carried, last_end = _NONE, None
        for at, record in sorted(chain, key=lambda c: c[1].start):
            if last_end is not None and record.start > last_end + timedelta(days=1):
                carried = _NONE
            used = hours.get(record.invoice_no or "", _NONE)
            available = plan.included_hours + carried
            out = min(plan.max_rollover_hours, max(_NONE, available - used))
            redone[at] = replace(
                record,
                included_hours=plan.included_hours,
                carried_in=carried,
                used_hours=used,
                extra_hours=max(_NONE, used - available),
                carried_out=out,
            )
            carried, last_end = out, record.end
    return [redone.get(at, record) for at, record in enumerate(records)]


_NONE = Decimal(0)
