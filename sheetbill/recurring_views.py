"""Recurring plans as the CLI shows them: the periods a run billed or skipped (a dry
run: would, up to its --as-of date), in text and in --json.

A machine that was off for months catches up dozens of periods of one plan in one
run: the text lists a plan's periods when they are few, else its first and last with
a count of those between, so every plan stays on screen (all are in --json).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from rich.console import Console

from sheetbill.domain.wording import counted
from sheetbill.listings import shown_text

if TYPE_CHECKING:
    from sheetbill.usecases.results import RecurringLine

# Up to this many periods of one plan are listed in text; a plan with more shows its
# first PERIODS_FIRST and last PERIODS_LAST and counts the rest (all in --json).
PERIODS_SHOWN = 6
PERIODS_FIRST = 3
PERIODS_LAST = 2
# Plans listed in text (all in --json).
PLANS_SHOWN = 30
# What a removed or returning plan's line says.
_PLAN_NEWS = {
    "removed": (
        "removed from the Recurring tab: it bills no more (its billed periods stay "
        "recorded; see the Log tab)"
    ),
    "back": "back in the Recurring tab: it goes on after its last decided period",
}


def recurring_line_data(line: RecurringLine) -> dict[str, Any]:
    """One plan's period for --json; dates ISO, `invoice` and `total` null when the
    period is not billed (skipped) or the line is a plan's (removed, back)."""
    return {
        "action": line.action,
        "plan_id": line.plan_id,
        "customer_id": line.customer_id,
        "start": _iso(line.start),
        "end": _iso(line.end),
        "bill_on": _iso(line.bill_on),
        "label": line.label,
        "invoice": line.invoice or None,
        "total": line.total or None,
    }


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def print_recurring(
    console: Console, lines: Sequence[RecurringLine], *, is_dry_run: bool, today: date
) -> None:
    """The run summary's recurring plans (nothing when the run decided none)."""
    for text in recurring_summary(lines, is_dry_run=is_dry_run, today=today):
        console.print(text, markup=False)


def recurring_summary(
    lines: Sequence[RecurringLine], *, is_dry_run: bool, today: date
) -> list[str]:
    """The lines of text: a heading counting what was decided, then each plan's
    periods (due day, invoice, total, period), a plan at a time."""
    if not lines:
        return []
    by_plan: dict[str, list[RecurringLine]] = {}
    for line in lines:
        by_plan.setdefault(line.plan_id, []).append(line)
    plans = list(by_plan.values())
    shown = [_shown_of(group) for group in plans[:PLANS_SHOWN]]
    widths = _widths([one for group in shown for one in group if one is not None])
    text = [_heading(lines, is_dry_run=is_dry_run, today=today)]
    for group, listed in zip(plans, shown, strict=False):
        text.extend(
            _summarised(group) if one is None else _line_text(one, widths)
            for one in listed
        )
    if len(plans) > PLANS_SHOWN:
        rest = plans[PLANS_SHOWN:]
        periods = sum(len(group) for group in rest)
        text.append(
            f"  ... and {counted(len(rest), 'more plan')} "
            f"({counted(periods, 'line')}; see --json)"
        )
    return text


def _heading(lines: Sequence[RecurringLine], *, is_dry_run: bool, today: date) -> str:
    would = "would be " if is_dry_run else ""
    count = {action: 0 for action in ("billed", "skipped", "removed", "back")}
    for line in lines:
        count[line.action] = count.get(line.action, 0) + 1
    said = [
        f"{counted(count['billed'], 'period')} {would}billed"
        if count["billed"]
        else "",
        f"{counted(count['skipped'], 'period')} {would}skipped (the plan is paused: "
        "Active = no)"
        if count["skipped"]
        else "",
        f"{counted(count['removed'], 'plan')} removed" if count["removed"] else "",
        f"{counted(count['back'], 'plan')} back" if count["back"] else "",
    ]
    when = f" up to {today}" if is_dry_run else ""
    return f"Recurring plans{when}: {', '.join(filter(None, said))}:"


def _shown_of(group: Sequence[RecurringLine]) -> list[RecurringLine | None]:
    """The lines of one plan listed in text; None stands for the ones counted."""
    if len(group) <= PERIODS_SHOWN:
        return list(group)
    return [*group[:PERIODS_FIRST], None, *group[-PERIODS_LAST:]]


def _summarised(group: Sequence[RecurringLine]) -> str:
    """`... 25 more periods of P-001: due 2024-04-01 to 2026-03-01, INV-… to INV-…`."""
    between = group[PERIODS_FIRST : len(group) - PERIODS_LAST]
    billed = [line.invoice for line in between if line.invoice]
    skipped = sum(line.action == "skipped" for line in between)
    days = [line.bill_on for line in between if line.bill_on is not None]
    said = [
        f"due {min(days)} to {max(days)}" if days else "",
        f"{billed[0]} to {billed[-1]}" if billed else "",
        f"{skipped} skipped" if skipped else "",
    ]
    plan_id = shown_text(group[0].plan_id)
    return (
        f"  ... {counted(len(between), 'more period')} of {plan_id}: "
        f"{', '.join(filter(None, said))} (see --json)"
    )


def _widths(lines: Sequence[RecurringLine]) -> tuple[int, int, int, int]:
    periods = [line for line in lines if line.action not in _PLAN_NEWS]
    return (
        max((len(shown_text(line.plan_id)) for line in lines), default=0),
        max((len(shown_text(line.customer_id)) for line in periods), default=0),
        max((len(_outcome(line)) for line in periods), default=0),
        max((len(line.total) for line in periods), default=0),
    )


def _outcome(line: RecurringLine) -> str:
    if line.action == "skipped":
        return "skipped"
    return line.invoice or line.action


def _line_text(line: RecurringLine, widths: tuple[int, int, int, int]) -> str:
    """`  P-001  C1  due 2026-10-01  INV-2026-0002  1,190.00 EUR  Retainer, October
    2026`; a removed plan's line says so in words."""
    plan, customer, outcome, total = widths
    plan_id = shown_text(line.plan_id)
    news = _PLAN_NEWS.get(line.action)
    if news is not None:
        return f"  {plan_id:<{plan}}  {news}"
    period = line.label or f"{line.start} to {line.end}"
    due = f"due {line.bill_on}" if line.bill_on is not None else ""
    return (
        f"  {plan_id:<{plan}}  {shown_text(line.customer_id):<{customer}}  {due}  "
        f"{_outcome(line):<{outcome}}  {line.total:>{total}}  {shown_text(period)}"
    ).rstrip()
