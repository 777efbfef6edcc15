"""Recurring plans: what a Recurring row means, its periods, and what a run decided.

Pure values and rules (no I/O, no clock). A plan bills one invoice per period of its
schedule; the schedule is dateutil's rrule (RFC 5545 recurrence rules) over the plan's
Frequency, Interval, Day, Start, End and Count. A period is known across runs by its
key, `<Plan ID>@<first day>` (`period_key`), which is what the state database records
as billed (a billed row of tab "Recurring"), so each period is billed at most once
whatever the sheet's Next Date says.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import NamedTuple

from dateutil.relativedelta import relativedelta
from dateutil.rrule import MONTHLY, WEEKLY, rrule

from sheetbill.domain.records import makes_frozen, new_instance, slot_setters

RECURRING_TAB = "Recurring"
# A Day cell of "last": the last day of the month (also -1).
LAST_DAY = -1


class Frequency(Enum):
    """The Frequency cell: how long one period is (times Interval)."""

    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"


class Billing(Enum):
    """The Billing cell: whether a period is billed on its first day or after it."""

    IN_ADVANCE = "in advance"  # billed on the period's first day
    IN_ARREARS = "in arrears"  # billed on the day after its last day


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """A Recurring row that reads as a plan (rows with an error are left out)."""

    row: int
    plan_id: str
    customer_id: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    frequency: Frequency
    # Every `interval` weeks / months / quarters / years.
    interval: int
    # Weekly: ISO weekday 1 (Monday) to 7 (Sunday). Else: day of month 1..31, or
    # LAST_DAY; 29..31 fall on a shorter month's last day. None: the Start's day.
    day: int | None
    start: date
    # The last period starts on or before End (billed in full: no proration).
    end: date | None
    # At most this many periods (with End: whichever comes first).
    count: int | None
    billing: Billing
    # A retainer: hours included per period (None: not a retainer).
    included_hours: Decimal | None = None
    # A retainer's time rows: only this project's ("" = all of the customer's).
    project: str = ""
    # Unused included hours carried to the next period, at most this many (0: none).
    max_rollover_hours: Decimal = Decimal(0)
    # Auto Send: True = sent automatically, False = left for review (a person's
    # `send`), None (blank) = as Settings' Send Invoices says.
    auto_send: bool | None = None
    is_active: bool = True
    # sheetbill's own cells as the sheet shows them (a person may have edited them).
    next_date_shown: date | None = None
    last_invoice_shown: str = ""

    @property
    def is_retainer(self) -> bool:
        return self.included_hours is not None


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """One period of a plan's schedule: its first and last day and when it is billed."""

    start: date
    end: date  # inclusive
    bill_on: date
    plan_id: str
    # 0 for the plan's first period.
    index: int

    @property
    def key(self) -> str:
        return period_key(self.plan_id, self.start)


def period_key(plan_id: str, start: date) -> str:
    """The state's key of a plan's period: `P-001@2026-11-01`."""
    return f"{plan_id}@{start.isoformat()}"


def parse_period_key(key: str) -> tuple[str, date] | None:
    """(Plan ID, first day) of a period key, or None when `key` is not one."""
    plan_id, at, day = key.rpartition("@")
    if not at or not plan_id:
        return None
    try:
        return plan_id, date.fromisoformat(day)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class PeriodRecord:
    """What the state remembers of a plan's period once decided: billed on an
    invoice, or skipped because the plan was paused (Active = no) when it came."""

    plan_id: str
    start: date
    end: date
    # None: skipped (paused); never billed later.
    invoice_no: str | None
    # A retainer's hours: included (the plan's, plus those carried in), used in the
    # period, billed as extra, and carried out to the next period.
    included_hours: Decimal = Decimal(0)
    carried_in: Decimal = Decimal(0)
    used_hours: Decimal = Decimal(0)
    extra_hours: Decimal = Decimal(0)
    carried_out: Decimal = Decimal(0)
    # The plan's Unit Price it was billed at (None when skipped).
    unit_price: Decimal | None = None


# --- Made fast ---------------------------------------------------------------------
#
# A catch-up makes a Period, a PeriodRecord and a RecurringBill for each of tens of
# thousands of periods. A frozen dataclass's `__init__` sets each field through
# `object.__setattr__`; setting the slots directly makes the same object in about
# half the time. `new_period` and `new_period_record` do that (and planning's
# `_new_bill`), each checked at import by `records.makes_frozen`.

_PERIOD = slot_setters(Period)


@makes_frozen(Period)
def new_period(
    start: date, end: date, bill_on: date, plan_id: str, index: int
) -> Period:
    """A Period, the fast way."""
    made = new_instance(Period)
    setter = _PERIOD
    setter[0](made, start)
    setter[1](made, end)
    setter[2](made, bill_on)
    setter[3](made, plan_id)
    setter[4](made, index)
    return made


_RECORD = slot_setters(PeriodRecord)


@makes_frozen(PeriodRecord)
def new_period_record(
    plan_id: str,
    start: date,
    end: date,
    invoice_no: str | None,
    included_hours: Decimal,
    carried_in: Decimal,
    used_hours: Decimal,
    extra_hours: Decimal,
    carried_out: Decimal,
    unit_price: Decimal | None,
) -> PeriodRecord:
    """A PeriodRecord, the fast way (every field given)."""
    made = new_instance(PeriodRecord)
    setter = _RECORD
    setter[0](made, plan_id)
    setter[1](made, start)
    setter[2](made, end)
    setter[3](made, invoice_no)
    setter[4](made, included_hours)
    setter[5](made, carried_in)
    setter[6](made, used_hours)
    setter[7](made, extra_hours)
    setter[8](made, carried_out)
    setter[9](made, unit_price)
    return made


# --- The schedule ------------------------------------------------------------------
#
# The occurrences (the periods' first days) are dateutil's rrule's, with the rule the
# design writes (`plan_rule`): WEEKLY by the ISO weekday, or MONTHLY every 1 / 3 / 12
# months times Interval by the day of the month, from Start. Computing them is the
# costly part (about 10 µs per occurrence and as much per rule made), and a run needs,
# for each of thousands of plans, only the period or two after what is billed, while
# a catch-up after a long downtime needs years of them. So a plan's occurrences are
# not iterated from Start at every run; three facts of rrule make that safe:
#
# - it walks *blocks* (months, or weeks from Monday, its default week start) from
#   Start's block in steps of INTERVAL, and picks the days of each block it visits by
#   the BYxxx parts alone (BYSETPOS counts within the block): which day of a block is
#   an occurrence does not depend on INTERVAL or on where the walk began;
# - each of our rules picks exactly one day in every block (one weekday a week; one
#   day a month, the 29th to 31st and `last` falling back by BYSETPOS=-1 to a day
#   every month has);
# - DTSTART only drops the days before it.
#
# So occurrence k of a plan is the day its Day picks in block `first + k * step`,
# where `first` is Start's block (or the next in step, when that block's day falls
# before Start): a run goes straight to the period after what is covered, its index
# (and so the Count left) known without counting. The day of each block comes from
# the same rule with INTERVAL 1, computed by rrule for a chunk of consecutive blocks
# at a time (`_chunk`, remembered), which every plan with the same Day shares,
# whatever its Frequency, Interval or Start. tests/test_recurring_schedule.py checks
# the periods against the plan's own rule iterated from Start.

_ONE_DAY = timedelta(days=1)
_MONTHS_PER = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.YEARLY: 12}
# Blocks per chunk: two years of months, a year of weeks.
_CHUNK_MONTHS, _CHUNK_WEEKS = 24, 52


class _Days(NamedTuple):
    """Which day of each block (week or month) a plan's Day picks."""

    weekly: bool
    # MONTHLY: the days of the month, and -1 when the last of them is meant.
    monthdays: tuple[int, ...]
    setpos: int | None
    # WEEKLY: 0 (Monday) to 6 (Sunday).
    weekday: int
    # Blocks per chunk (`_chunk`).
    width: int


def _days_of(plan: Plan) -> _Days:
    if plan.frequency is Frequency.WEEKLY:
        weekday = (plan.day or plan.start.isoweekday()) - 1
        return _Days(True, (), None, weekday, _CHUNK_WEEKS)
    day = plan.start.day if plan.day is None else plan.day
    if day == LAST_DAY:
        return _Days(False, (28, 29, 30, 31), -1, 0, _CHUNK_MONTHS)
    if day > 28:
        # The 29th to 31st on a month that has it, else the month's last day.
        return _Days(False, tuple(range(28, day + 1)), -1, 0, _CHUNK_MONTHS)
    return _Days(False, (day,), None, 0, _CHUNK_MONTHS)


def _step(plan: Plan) -> int:
    """Blocks (weeks or months) from one occurrence to the next."""
    if plan.frequency is Frequency.WEEKLY:
        return plan.interval
    return plan.interval * _MONTHS_PER[plan.frequency]


def period_step(plan: Plan) -> relativedelta:
    """The time from one occurrence of the plan to the next by its Frequency and
    Interval (Interval weeks, or Interval months, quarters or years)."""
    if plan.frequency is Frequency.WEEKLY:
        return relativedelta(weeks=_step(plan))
    return relativedelta(months=_step(plan))


def _rrule(days: _Days, step: int, first: date, until: date | None = None) -> rrule:
    # Naive midnights: the rule is about days, not instants.
    start = datetime.fromordinal(first.toordinal())
    last = None if until is None else datetime.fromordinal(until.toordinal())
    if days.weekly:
        return rrule(
            WEEKLY, interval=step, byweekday=days.weekday, dtstart=start, until=last
        )
    return rrule(
        MONTHLY,
        interval=step,
        bymonthday=days.monthdays,
        bysetpos=days.setpos,
        dtstart=start,
        until=last,
    )


def plan_rule(plan: Plan) -> rrule:
    """The plan's rule as the design writes it: dtstart = Start, unbounded (End is
    its `until`, Count its `count`: both bound the plan; dateutil refuses both at
    once). The schedule's occurrences are this rule's; tests and the benchmark
    compare against it iterated from Start."""
    return _rrule(_days_of(plan), _step(plan), plan.start)


def _block(days: _Days, day: date) -> int:
    """The number of the week (from Monday) or month `day` is in."""
    if days.weekly:
        return (day.toordinal() - 1) // 7  # day 1 (0001-01-01) was a Monday
    return day.year * 12 + day.month - 1


def _block_day(days: _Days, block: int) -> date:
    """The first day of a block."""
    if days.weekly:
        return date.fromordinal(block * 7 + 1)
    return date(block // 12, block % 12 + 1, 1)


@functools.lru_cache(maxsize=1024)
def _chunk(days: _Days, number: int) -> tuple[date, ...]:
    """The days picked in chunk `number` of blocks, one per block, by the rule with
    INTERVAL 1: computed by rrule once, shared by every plan with the same Day."""
    first = number * days.width
    try:
        start = _block_day(days, first)
    except ValueError:  # past 9999: the calendar has ended
        return ()
    try:
        until = _block_day(days, first + days.width) - _ONE_DAY
    except ValueError:
        until = date.max
    return tuple(d.date() for d in _rrule(days, 1, start, until))


def _picked(days: _Days, block: int) -> date | None:
    """The day picked in `block`; None past the calendar's end."""
    number, offset = divmod(block, days.width)
    found = _chunk(days, number)
    return found[offset] if offset < len(found) else None


class _Schedule(NamedTuple):
    """A plan's schedule, located: occurrence k is in block `first + k * step`."""

    days: _Days
    step: int
    first: int

    def occurrence(self, k: int) -> date | None:
        return _picked(self.days, self.first + k * self.step)

    def index_from(self, day: date) -> int:
        """k of the first occurrence on or after `day` (0 when before the first)."""
        steps = (_block(self.days, day) - self.first) // self.step
        if steps < 0:
            return 0
        found = self.occurrence(steps)
        return steps if found is not None and found >= day else steps + 1


def _located(plan: Plan) -> _Schedule:
    days = _days_of(plan)
    step = _step(plan)
    start_block = _block(days, plan.start)
    in_start_block = _picked(days, start_block)
    if in_start_block is not None and in_start_block < plan.start:
        return _Schedule(days, step, start_block + step)
    return _Schedule(days, step, start_block)


def _picked_from(days: _Days, block: int, step: int) -> Iterator[date]:
    """The days picked in `block` and every `step`-th block after it (`_picked` of
    each), up to the calendar's end; each chunk looked up once."""
    width = days.width
    while True:
        number, offset = divmod(block, width)
        found = _chunk(days, number)
        taken = found[offset::step]
        yield from taken
        if len(found) < width:  # the calendar has ended
            return
        block += len(taken) * step


def _periods(plan: Plan, located: _Schedule, index: int) -> Iterator[Period]:
    """The plan's periods from the `index`-th on (End and Count respected)."""
    in_advance = plan.billing is Billing.IN_ADVANCE
    plan_id, last, count = plan.plan_id, plan.end, plan.count
    step = located.step
    starts = _picked_from(located.days, located.first + index * step, step)
    start = next(starts, None)
    if start is None:
        return
    # A catch-up makes thousands of periods: the loop keeps to local names.
    for following in starts:
        if (last is not None and start > last) or (
            count is not None and index >= count
        ):
            return
        bill_on = start if in_advance else following
        yield new_period(start, following - _ONE_DAY, bill_on, plan_id, index)
        index += 1
        start = following


def schedule(plan: Plan) -> Iterator[Period]:
    """All the plan's periods in order: the first starts on the first occurrence on
    or after Start; each ends the day before the next occurrence; the last starts on
    or before End, or is the Count-th (no End nor Count: endless). Design: issue 16,
    "Schedule"."""
    return _periods(plan, _located(plan), 0)


class DuePeriods(NamedTuple):
    """What a run finds of a plan: the periods due and the next one."""

    # Starting after the covered day, billed on or before today, in order.
    due: tuple[Period, ...]
    # The first period after those (None: the plan has ended).
    next: Period | None


def periods_after(plan: Plan, covered_until: date | None) -> Iterator[Period]:
    """The plan's periods that start after `covered_until` (all when None), in order;
    found directly, without going through the periods before."""
    located = _located(plan)
    index = 0 if covered_until is None else located.index_from(covered_until + _ONE_DAY)
    return _periods(plan, located, index)


def due_periods(plan: Plan, covered_until: date | None, today: date) -> DuePeriods:
    """The periods starting after `covered_until` (the last day of the plan's latest
    record; None: no record) whose bill date is on or before `today`, and the next
    one. A period starting on or before the covered day is never among them, however
    Start, Day or Frequency were edited since."""
    due: list[Period] = []
    for period in periods_after(plan, covered_until):
        if period.bill_on > today:
            return DuePeriods(tuple(due), period)
        due.append(period)
    return DuePeriods(tuple(due), None)


def plan_end(plan: Plan) -> date | None:
    """The last day of the plan's last period (None: it has no End nor Count)."""
    if plan.end is None and plan.count is None:
        return None
    located = _located(plan)
    last = plan.count - 1 if plan.count is not None else None
    if plan.end is not None:
        through_end = located.index_from(plan.end + _ONE_DAY) - 1
        last = through_end if last is None else min(last, through_end)
    assert last is not None
    if last < 0:  # no period at all: an empty span
        return plan.start - _ONE_DAY
    following = located.occurrence(last + 1)
    return None if following is None else following - _ONE_DAY


# --- The Source cell of a recurring line ---------------------------------------------


def source_text(row_id: str) -> str:
    """The Source of a plan's line: `Recurring P-001, period 2026-11-01` (its Row ID
    is the period key)."""
    key = parse_period_key(row_id)
    if key is None:
        return f"{RECURRING_TAB} {row_id}"
    return f"{RECURRING_TAB} {key[0]}, period {key[1].isoformat()}"


def recurring_source(text: str) -> tuple[str, date] | None:
    """(Plan ID, first day) from a Source cell written by `source_text`, or None
    when `text` is not one (for `state rebuild`)."""
    head, mark, day = text.strip().rpartition(", period ")
    prefix = f"{RECURRING_TAB} "
    if not mark or not head.startswith(prefix) or not head[len(prefix) :].strip():
        return None
    try:
        return head[len(prefix) :].strip(), date.fromisoformat(day.strip())
    except ValueError:
        return None
