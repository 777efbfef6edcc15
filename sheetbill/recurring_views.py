"""Recurring plans as the CLI shows them: the periods a run billed or skipped (a dry
run: would, up to its --as-of date), and `sheetbill explain P-001`, in text and in
--json.

A machine that was off for months catches up dozens of periods of one plan in one
run: the text lists a plan's periods when they are few, else its first and last with
a count of those between, so every plan stays on screen (all are in --json).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich.console import Console

from sheetbill.domain.cells import format_decimal_plain
from sheetbill.domain.model import Customer
from sheetbill.domain.recurring import LAST_DAY, Frequency, Plan
from sheetbill.domain.wording import amount_text, counted
from sheetbill.listings import print_problem_list, problem_data, shown_text

if TYPE_CHECKING:
    from sheetbill.usecases.explain_plan import (
        ComingPeriod,
        DecidedPeriod,
        PlanExplanation,
    )
    from sheetbill.usecases.results import RecurringLine

# Up to this many periods of one plan are listed in text; a plan with more shows its
# first PERIODS_FIRST and last PERIODS_LAST and counts the rest (all in --json).
PERIODS_SHOWN = 6
PERIODS_FIRST = 3
PERIODS_LAST = 2
# Plans listed in text (all in --json).
PLANS_SHOWN = 30
# "on 2026-11-01": the day a period is billed ("due" would read as a payment's).
_ON_WIDTH = 13
# What a removed or returning plan's line says.
_PLAN_NEWS = {
    "removed": (
        "removed from the Recurring tab: it bills no more (its billed periods stay "
        "recorded; see the Log tab)"
    ),
    "back": "back in the Recurring tab: it goes on after its last decided period",
}


def recurring_line_data(line: RecurringLine) -> dict[str, Any]:
    """One plan's period for --json; dates ISO; `invoice` the period's invoice (a
    removed plan: its last invoice), null when there is none (skipped, back);
    `total` null when the period is not billed."""
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
    if any(
        line.action == "billed" and line.bill_on is not None and line.bill_on < today
        for line in lines
    ):
        were = "would be" if is_dry_run else "are"
        text.append(
            f"  Periods whose day had passed {were} billed in this run: their "
            f"invoices {were} dated {today}, each naming its period."
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
    """`... 25 more periods of P-001: on days 2024-04-01 to 2026-03-01, first
    INV-…, last INV-…` (a plan's numbers need not follow each other)."""
    between = group[PERIODS_FIRST : len(group) - PERIODS_LAST]
    billed = [line.invoice for line in between if line.invoice]
    skipped = sum(line.action == "skipped" for line in between)
    days = [line.bill_on for line in between if line.bill_on is not None]
    said = [
        f"on days {min(days)} to {max(days)}" if days else "",
        f"on invoices {billed[0]} ... {billed[-1]} (other plans' invoices may "
        "come between)"
        if billed
        else "",
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
        last = f" Its last invoice: {line.invoice}." if line.invoice else ""
        return f"  {plan_id:<{plan}}  {news}.{last}"
    period = line.label or f"{line.start} to {line.end}"
    on = f"on {line.bill_on}" if line.bill_on is not None else ""
    return (
        f"  {plan_id:<{plan}}  {shown_text(line.customer_id):<{customer}}  "
        f"{on:<{_ON_WIDTH}}  "
        f"{_outcome(line):<{outcome}}  {line.total:>{total}}  {shown_text(period)}"
    ).rstrip()


# -- explain P-001 ---------------------------------------------------------------------

_WEEKDAYS = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)
# A Frequency's period, one and many.
_PERIOD_NOUN = {
    Frequency.WEEKLY: ("weekly", "week"),
    Frequency.MONTHLY: ("monthly", "month"),
    Frequency.QUARTERLY: ("quarterly", "quarter"),
    Frequency.YEARLY: ("yearly", "year"),
}


def _hours(hours: Decimal) -> str:
    return f"{format_decimal_plain(hours)} h"


def schedule_text(plan: Plan) -> str:
    """`monthly on day 1`, `every 2 weeks on Mondays`, `quarterly on the last day
    of the month`, `yearly on day 15 of March`: Frequency, Interval and Day."""
    once, noun = _PERIOD_NOUN[plan.frequency]
    every = once if plan.interval == 1 else f"every {plan.interval} {noun}s"
    if plan.frequency is Frequency.WEEKLY:
        weekday = plan.day if plan.day is not None else plan.start.isoweekday()
        return f"{every} on {_WEEKDAYS[weekday - 1]}s"
    day = plan.start.day if plan.day is None else plan.day
    on = "the last day" if day == LAST_DAY else f"day {day}"
    if plan.frequency is Frequency.YEARLY:
        return f"{every} on {on} of {plan.start:%B}"
    return f"{every} on {on}" + (
        " of the month" if plan.frequency is Frequency.QUARTERLY else ""
    )


def terms_text(plan: Plan, customer: Customer | None) -> list[str]:
    """The plan's terms as its row says now, a few lines."""
    price = (
        amount_text(plan.unit_price, customer.currency)
        if customer is not None
        else format_decimal_plain(plan.unit_price)
    )
    what = shown_text(plan.description or f"Recurring {plan.plan_id}")
    lines = [
        f"{what}: {format_decimal_plain(plan.quantity)} x {price} per period, "
        f"{schedule_text(plan)}, billed {plan.billing.value}",
        f"From {plan.start}"
        + (f" until {plan.end}" if plan.end else "")
        + (f", {counted(plan.count, 'period')} at most" if plan.count else "")
        + ("" if plan.end or plan.count else ", no end"),
    ]
    if plan.included_hours is not None:
        carried = (
            f"unused hours carried over, up to {_hours(plan.max_rollover_hours)}"
            if plan.max_rollover_hours
            else "unused hours not carried over"
        )
        project = shown_text(plan.project)
        time = f"project {project}'s time" if project else "all its time"
        lines.append(
            f"Retainer: {_hours(plan.included_hours)} included per period "
            f"({time}), {carried}"
        )
    if plan.auto_send is None:
        sends = "as Settings' Send Invoices says"
    else:
        sends = "yes" if plan.auto_send else "no (left for a person's send)"
    lines.append(
        f"Active: {'yes' if plan.is_active else 'no (paused)'}; Auto Send: {sends}"
    )
    return lines


def _heading_of(explained: PlanExplanation) -> str:
    subject = shown_text(explained.subject)
    rows = ", ".join(map(str, explained.rows))
    where = f"Recurring tab row{'s' if len(explained.rows) > 1 else ''} {rows}"
    plan, customer = explained.plan, explained.customer
    if explained.unread:
        unread = shown_text(explained.unread)
        return f"{subject}: recurring plan (the workbook could not be read: {unread})"
    if explained.is_removed:
        return (
            f"{subject}: recurring plan, removed (no row of the Recurring tab has it)"
        )
    if plan is None:
        return f"{subject}: recurring plan in {where}, not read: its row has a problem"
    name = f" {customer.name}" if customer is not None else ""
    who = shown_text(f"{plan.customer_id}{name}")
    return f"{subject}: recurring plan of {who}, {where}"


def _decided_text(decided: DecidedPeriod) -> list[str]:
    record, invoice = decided.record, decided.invoice
    days = f"  {record.start} to {record.end}  "
    if record.invoice_no is None:
        lines = [days + "skipped: the plan was paused (Active = no)"]
    elif invoice is None:
        lines = [days + f"{record.invoice_no} (not in the state database)"]
    else:
        made = (
            " (being made: a run stopped before writing it; the next run completes it)"
            if decided.is_being_made
            else ""
        )
        lines = [
            days + f"{invoice.number}{made}  issued {invoice.issue_date}  "
            f"{amount_text(invoice.total, invoice.currency)}  "
            f"{shown_text(decided.label)}"
        ]
    if record.included_hours or record.used_hours or record.carried_in:
        lines.append(
            f"{' ' * len(days)}{_hours(record.included_hours)} included, "
            f"{_hours(record.carried_in)} carried in, "
            f"{_hours(record.used_hours)} used, "
            f"{_hours(record.extra_hours)} extra, {_hours(record.carried_out)} "
            "carried over"
        )
    return [line.rstrip() for line in lines]


def _coming_text(coming: ComingPeriod) -> str:
    skipped = "  skipped: the plan is paused" if coming.is_skipped else ""
    label = shown_text(coming.label)
    return f"  {coming.start} to {coming.end}  on {coming.bill_on}  {label}{skipped}"


def print_explain_plan(console: Console, explained: PlanExplanation) -> None:
    """The plan, its terms, each period decided, those due, then what comes next."""

    def say(text: str) -> None:
        console.print(text, markup=False)

    say(_heading_of(explained))
    if explained.plan is not None:
        for line in terms_text(explained.plan, explained.customer):
            say(f"  {line}")
    if explained.problems:
        print_problem_list(
            console, counted(len(explained.problems), "problem"), explained.problems
        )
    if explained.periods:
        say(f"{counted(len(explained.periods), 'period')} decided:")
        for decided in explained.periods:
            for line in _decided_text(decided):
                say(line)
    else:
        say("No period decided yet.")
    if explained.due:
        say(f"Periods whose day has come by {explained.today}, for the next run:")
        for coming in explained.due:
            say(_coming_text(coming))
    say(f"Next: {shown_text(explained.next_step)}.")


def _coming_data(coming: ComingPeriod | None) -> dict[str, Any] | None:
    if coming is None:
        return None
    return {
        "start": coming.start.isoformat(),
        "end": coming.end.isoformat(),
        "bill_on": coming.bill_on.isoformat(),
        "label": coming.label,
        "skipped": coming.is_skipped,
    }


def _decided_data(decided: DecidedPeriod) -> dict[str, Any]:
    record, invoice = decided.record, decided.invoice
    if record.invoice_no is None:
        outcome = "skipped"
    else:
        outcome = "being made" if decided.is_being_made else "billed"
    return {
        "start": record.start.isoformat(),
        "end": record.end.isoformat(),
        "outcome": outcome,
        "invoice": record.invoice_no,
        "issue_date": invoice.issue_date.isoformat() if invoice else None,
        "total": str(invoice.total) if invoice else None,
        "currency": invoice.currency if invoice else None,
        "label": decided.label,
        "unit_price": None if record.unit_price is None else str(record.unit_price),
        "hours": {
            "included": str(record.included_hours),
            "carried_in": str(record.carried_in),
            "used": str(record.used_hours),
            "extra": str(record.extra_hours),
            "carried_out": str(record.carried_out),
        },
    }


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def plan_data(plan: Plan | None, customer: Customer | None) -> dict[str, Any] | None:
    """The plan's terms as its row says now, for --json."""
    if plan is None:
        return None
    return {
        "row": plan.row,
        "customer_id": plan.customer_id,
        "customer": customer.name if customer is not None else None,
        "currency": customer.currency if customer is not None else None,
        "description": plan.description,
        "quantity": str(plan.quantity),
        "unit_price": str(plan.unit_price),
        "frequency": plan.frequency.value,
        "interval": plan.interval,
        "day": "last" if plan.day == LAST_DAY else plan.day,
        "billing": plan.billing.value,
        "start": plan.start.isoformat(),
        "end": None if plan.end is None else plan.end.isoformat(),
        "count": plan.count,
        "included_hours": _decimal(plan.included_hours),
        "project": plan.project,
        "max_rollover_hours": str(plan.max_rollover_hours),
        "auto_send": plan.auto_send,
        "active": plan.is_active,
        "next_date_shown": None
        if plan.next_date_shown is None
        else plan.next_date_shown.isoformat(),
        "last_invoice_shown": plan.last_invoice_shown,
    }


def explain_plan_json(explained: PlanExplanation) -> str:
    return json.dumps(
        {
            "kind": explained.kind,
            "subject": explained.subject,
            "asked": explained.asked,
            "state": None if explained.state is None else str(explained.state),
            "workbook": explained.workbook,
            "as_of": None if explained.today is None else explained.today.isoformat(),
            "workbook_unread": explained.unread or None,
            "plan": plan_data(explained.plan, explained.customer),
            "rows": list(explained.rows),
            "problems": [problem_data(p) for p in explained.problems],
            "removed": explained.is_removed,
            "periods": [_decided_data(d) for d in explained.periods],
            "due": [_coming_data(c) for c in explained.due],
            "upcoming": _coming_data(explained.upcoming),
            "next": explained.next_step,
            "exit_code": 0,
        },
        indent=2,
        ensure_ascii=False,
    )
