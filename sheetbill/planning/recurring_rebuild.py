"""The recurring periods a workbook shows as billed, for `state rebuild`: each
Invoice Lines row whose Source names a plan's period (`Recurring P-001, period
2026-11-01`) is that period billed on that invoice, so a rebuilt state never bills
it again.

Pure. A period's last day comes from what was billed (the next billed period, the
period's name on its invoice's lines) before what the plan's row says now
(`_last_day`); a retainer's hours are worked out again from its billed time rows
(`with_retainer_hours`); the periods skipped while a plan was paused and the plans
told removed come from the Log (`logged_decisions`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from sheetbill.domain.cells import parse_text
from sheetbill.domain.model import Customer
from sheetbill.domain.recurring import (
    Period,
    PeriodRecord,
    Plan,
    period_step,
    periods_after,
    recurring_source,
)
from sheetbill.domain.schema import LogColumns
from sheetbill.domain.sheet import CellValue
from sheetbill.planning.retainers import (
    LANGUAGES,
    hours_after,
    label,
    line_language,
)
from sheetbill.tabs.recurring import plan_key
from sheetbill.tabs.rows import TabLayout


def shown_periods(
    lines: Mapping[str, Iterable[tuple[int, Mapping[str, CellValue]]]],
    plans: Sequence[Plan],
    numbers: Iterable[str],
    customers: Mapping[str, Customer],
) -> list[PeriodRecord]:
    """The periods billed on the invoices `numbers` (those the Invoices tab shows),
    from their Invoice Lines rows (`lines`: by invoice number, each row's cells by
    column name); in invoice then line order, each period once."""
    by_key = {plan_key(p.plan_id): p for p in plans}
    # (folded Plan ID, first day) -> (invoice, Plan ID as the Source writes it,
    # the invoice's lines' Descriptions)
    found: dict[tuple[str, date], tuple[str, str, tuple[str, ...]]] = {}
    for number in numbers:
        texts = tuple(
            parse_text(cells.get("Description")) for _, cells in lines.get(number, ())
        )
        for _, cells in lines.get(number, ()):
            source = recurring_source(parse_text(cells.get("Source")))
            if source is not None:
                found.setdefault(
                    (plan_key(source[0]), source[1]), (number, source[0], texts)
                )
    starts: dict[str, list[date]] = {}
    for folded, first in found:
        starts.setdefault(folded, []).append(first)
    for days in starts.values():
        days.sort()
    places = {(k, day): at for k, days in starts.items() for at, day in enumerate(days)}
    records = []
    for (key, start), (number, plan_id, texts) in found.items():
        plan = by_key.get(key)
        days = starts[key]
        at = places[key, start]
        later = days[at + 1] if at + 1 < len(days) else None
        customer = customers.get(plan.customer_id) if plan else None
        spoken = line_language(customer.language) if customer else "en"
        languages = (spoken, *(x for x in LANGUAGES if x != spoken))
        records.append(
            PeriodRecord(
                plan_id=plan.plan_id if plan else plan_id,
                start=start,
                end=_last_day(
                    plan, (days[at - 1] if at else None, start, later), texts, languages
                ),
                invoice_no=number,
            )
        )
    return records


def _last_day(
    plan: Plan | None,
    around: tuple[date | None, date, date | None],
    texts: Sequence[str],
    languages: Sequence[str],
) -> date:
    """The last day of the billed period starting on `around[1]` (between the
    plan's billed periods `around[0]` and `around[2]`): the day before the next
    billed period; else the day the invoice's lines name (`_named_end`: the
    period's name, which the plan line and a retainer's hours lines end with); else
    by the plan's schedule as its row says now; else as long as the spacing from
    the previous billed period, else one step of the row's Frequency. What was
    billed comes before what the row says now (Day, Frequency or Start may have
    been edited since): the next period billed after a rebuild starts where it
    would have without it, not within the billed one."""
    previous, start, later = around
    if later is not None:
        return later - timedelta(days=1)
    named = _named_end(start, texts, languages)
    if named is not None:
        return named
    if plan is None:
        return start
    scheduled = _period_starting(plan, start)
    if scheduled is not None:
        return scheduled.end
    if previous is not None:
        months = (start.year - previous.year) * 12 + start.month - previous.month
        if previous.day == start.day and months > 0:
            return start + relativedelta(months=months) - timedelta(days=1)
        return start + (start - previous) - timedelta(days=1)
    return start + period_step(plan) - timedelta(days=1)


def _period_starting(plan: Plan, start: date) -> Period | None:
    """The plan's period (by its schedule as its row says now) that starts on
    `start`; None when none does."""
    for period in periods_after(plan, start - timedelta(days=1)):
        return period if period.start == start else None
    return None


# The longest period a line's name is looked for (two years and a month).
_LONGEST_NAMED = 762


def _named_end(
    start: date, texts: Sequence[str], languages: Sequence[str]
) -> date | None:
    """The last day whose period name (`retainers.label`, in one of `languages`)
    ends one of the invoice's lines ("Hosting, September 2026") or a retainer's
    hours line ("Included hours, September 2026: ..."): every name is made from
    the period's first and last day, so the one that matches tells the last. None
    when none does (a person edited those texts)."""
    for language in languages:
        for days in range(_LONGEST_NAMED):
            end = start + timedelta(days=days)
            name = f", {label(start, end, language)}"
            if any(t.endswith(name) or f"{name}:" in t for t in texts):
                return end
    return None


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
                period = _period_starting(plan, start) if plan else None
                end = start if period is None else period.end
                skipped[key] = PeriodRecord(plan_id, start, end, None)
    return LoggedDecisions(tuple(skipped.values()), removed)


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
    skipped: Sequence[PeriodRecord] = (),
) -> list[PeriodRecord]:
    """The billed periods of each retainer with their hours worked out again: used
    = the hours of the Time Log rows that carry the period's invoice (`hours`, by
    invoice, rounded as billed), included = the plan's Included Hours as its row
    says now, and the carry-over chained from period to period as the drawdown does
    it (`retainers.hours_after`: at most Max Rollover Hours; none after a period
    skipped while the plan was paused, `skipped`, as a run does). So the next
    period after a rebuild starts with the hours carried in that it would have
    had."""
    by_key = {plan_key(p.plan_id): p for p in plans if p.included_hours is not None}
    redone: dict[int, PeriodRecord] = {}
    chains: dict[str, list[tuple[int, PeriodRecord]]] = {}
    for at, record in enumerate(records):
        if plan_key(record.plan_id) in by_key and record.invoice_no:
            chains.setdefault(plan_key(record.plan_id), []).append((at, record))
    paused: dict[str, list[date]] = {}
    for record in skipped:
        paused.setdefault(plan_key(record.plan_id), []).append(record.start)
    for key, chain in chains.items():
        plan = by_key[key]
        assert plan.included_hours is not None
        carried, last_start = _NONE, None
        for at, record in sorted(chain, key=lambda c: c[1].start):
            if last_start is not None and any(
                last_start < day < record.start for day in paused.get(key, ())
            ):
                carried = _NONE
            used = hours.get(record.invoice_no or "", _NONE)
            extra, out = hours_after(
                plan.included_hours + carried, used, plan.max_rollover_hours
            )
            redone[at] = replace(
                record,
                included_hours=plan.included_hours,
                carried_in=carried,
                used_hours=used,
                extra_hours=extra,
                carried_out=out,
            )
            carried, last_start = out, record.start
    return [redone.get(at, record) for at, record in enumerate(records)]


_NONE = Decimal(0)
