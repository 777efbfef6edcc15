"""Recurring plans benchmark (issue 16 point 8): 5,000 plans planned over a 3-year
catch-up (an empty history, today three years after the first Start), target well
under 1 s, with the peak memory the planner takes; and a normal day (the history up
to yesterday). The catch-up is timed as `sheetbill run` plans (its plan steps pause
Python's cycle collector, `usecases/run.py`) and with the collector on (a caller that
does not pause it).

Side by side on the same plans: a naive planner, one rrule per plan (dtstart =
Start, as the design writes it) iterated from Start with `rrule.between` up to today
and `rrule.after` for the next occurrence, at every run. Its periods are checked to
be ours. Ours finds each plan's periods from the day its records cover, out of
occurrences computed once per rule and phase (`domain/recurring.py`). Every round
starts with those remembered occurrences and labels forgotten, as a run's fresh
process does. `SHEETBILL_BENCH_PLANS` sets a smaller count."""

from __future__ import annotations

import os
import random
import time
import tracemalloc
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

from sheetbill.domain import recurring as recurring_schedule
from sheetbill.domain.model import Customer, RateRule, Settings, SourceRow, TimeEntry
from sheetbill.domain.recurring import (
    LAST_DAY,
    Billing,
    Frequency,
    PeriodRecord,
    Plan,
    due_periods,
    plan_rule,
)
from sheetbill.garbage_collection import (
    cycle_collection_paused,
    frozen_objects_released,
)
from sheetbill.planning import retainers
from sheetbill.planning.recurring import RecurringPlan, plan_recurring

PLANS = int(os.environ.get("SHEETBILL_BENCH_PLANS", "5000"))
CUSTOMERS = max(10, PLANS * 2 // 5)
ROUNDS = 3
TARGET_SECONDS = 1.0
TODAY = date(2026, 11, 30)
FIRST_START = TODAY - timedelta(days=3 * 365)
YESTERDAY = TODAY - timedelta(days=1)
SETTINGS = Settings(company_name="Bench Studio", default_tax_rate=Decimal(19))
_LANGUAGES = ("en", "en", "de", "de", "fr", "es")
_ONE_DAY = timedelta(days=1)


def customers() -> dict[str, Customer]:
    return {
        f"C{n:05d}": Customer(
            row=n + 2,
            customer_id=f"C{n:05d}",
            name=f"Customer {n}",
            language=_LANGUAGES[n % len(_LANGUAGES)],
        )
        for n in range(CUSTOMERS)
    }


def workload(seed: int = 16) -> tuple[list[Plan], list[TimeEntry]]:
    """Plans as shops have them: mostly monthly (on the 1st, the last day or any
    day), some weekly, quarterly and yearly, every 1 to 3; started any day of the
    last three years; a few with an End or a Count; a fifth retainers (in arrears,
    some with a project and rollover) whose customers logged a few rows."""
    rng = random.Random(seed)
    plans: list[Plan] = []
    entries: list[TimeEntry] = []
    for n in range(PLANS):
        # Weekly, monthly, quarterly, yearly.
        frequency = rng.choices(list(Frequency), weights=(6, 74, 12, 8), k=1)[0]
        interval = rng.choices((1, 2, 3), weights=(75, 17, 8), k=1)[0]
        start = FIRST_START + timedelta(days=rng.randrange(3 * 365))
        is_retainer = n % 5 == 0
        customer_id = f"C{rng.randrange(CUSTOMERS):05d}"
        plan = Plan(
            row=n + 2,
            plan_id=f"P-{n + 1:05d}",
            customer_id=customer_id,
            description=rng.choice(("Hosting", "Maintenance", "Retainer", "")),
            quantity=Decimal(1),
            unit_price=Decimal(rng.randrange(2_000, 300_000)) / 100,
            frequency=frequency,
            interval=interval,
            day=_day(rng, frequency),
            start=start,
            end=start + timedelta(days=rng.randrange(900)) if n % 10 == 1 else None,
            count=rng.randrange(1, 30) if n % 20 == 3 else None,
            billing=Billing.IN_ARREARS if is_retainer else Billing.IN_ADVANCE,
            included_hours=Decimal(rng.randrange(5, 40)) if is_retainer else None,
            project="Support" if is_retainer and n % 3 == 0 else "",
            max_rollover_hours=Decimal(rng.randrange(0, 10)),
        )
        plans.append(plan)
        if is_retainer:
            entries.extend(_rows(rng, plan, len(entries)))
    return plans, entries


def _day(rng: random.Random, frequency: Frequency) -> int | None:
    if frequency is Frequency.WEEKLY:
        return rng.choice((None, 1, 1, 1, 2, 3, 4, 5))
    roll = rng.random()
    if roll < 0.4:
        return 1
    if roll < 0.55:
        return LAST_DAY
    if roll < 0.65:
        return None
    return rng.randrange(1, 32)


def _rows(rng: random.Random, plan: Plan, before: int) -> list[TimeEntry]:
    """A few rows of the plan's customer since its Start (some of another
    project)."""
    span = (TODAY - plan.start).days
    count = rng.randrange(3, 13)
    rate = RateRule(row=2, rate=Decimal(rng.choice((90, 110, 120))))
    return [
        TimeEntry(
            source=SourceRow("Time Log", before + k + 2, "", f"r{before + k}"),
            day=plan.start + timedelta(days=rng.randrange(span + 1)),
            person="Ann",
            customer_id=plan.customer_id,
            project=rng.choice(("Support", "Web")),
            activity="Dev",
            hours=Decimal(rng.randrange(1, 33)) / 4,
            description="",
            work_complete=None,
            rate=rate,
        )
        for k in range(count)
    ]


# --- The naive way: each plan's rule iterated from Start at every run --------------


def naive_due(plan: Plan, covered: date | None, today: date) -> list[tuple[date, ...]]:
    """(first day, last day, bill date) of the periods due, from the plan's rule
    iterated from Start."""
    rule = plan_rule(plan)
    start = datetime.fromordinal(plan.start.toordinal())
    now = datetime.fromordinal(today.toordinal())
    found = [d.date() for d in rule.between(start, now, inc=True)]
    following = rule.after(now)
    if following is not None:
        found.append(following.date())
    due = []
    for index, (first, after) in enumerate(pairwise(found)):
        if (plan.end is not None and first > plan.end) or (
            plan.count is not None and index >= plan.count
        ):
            break
        bill_on = first if plan.billing is Billing.IN_ADVANCE else after
        if (covered is None or first > covered) and bill_on <= today:
            due.append((first, after - _ONE_DAY, bill_on))
    return due


def ours_due(plan: Plan, covered: date | None, today: date) -> list[tuple[date, ...]]:
    return [(p.start, p.end, p.bill_on) for p in due_periods(plan, covered, today).due]


# --- Measuring ---------------------------------------------------------------------


def _forget() -> None:
    """What a run's fresh process does not know yet: the schedules' occurrences and
    the periods' labels."""
    getattr(recurring_schedule, "_chunk").cache_clear()  # noqa: B009
    getattr(retainers, "_hours").cache_clear()  # noqa: B009
    getattr(retainers, "_interval_patterns").cache_clear()  # noqa: B009
    getattr(retainers, "_dated").cache_clear()  # noqa: B009
    getattr(retainers, "_compiled").cache_clear()  # noqa: B009
    getattr(retainers, "_field").cache_clear()  # noqa: B009


def _best(run: Callable[[], object], rounds: int) -> tuple[float, float]:
    """The fastest of `rounds` cold runs in seconds, wall clock and CPU."""
    walls, cpus = [], []
    for _ in range(rounds):
        _forget()
        started, cpu = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def _as_a_run_plans(run: Callable[[], RecurringPlan]) -> Callable[[], RecurringPlan]:
    """`run` as the run's plan step calls it: the cycle collector paused (then what
    exists frozen), and released as the run releases it when it ends."""

    def paused() -> RecurringPlan:
        with frozen_objects_released(), cycle_collection_paused():
            return run()

    return paused


def _peak_bytes(run: Callable[[], object]) -> int:
    _forget()
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _history_until(plans: Sequence[Plan], day: date) -> dict[str, list[PeriodRecord]]:
    """Every period billed by `day`, as daily runs would have recorded them."""
    return {
        p.plan_id: [
            PeriodRecord(
                p.plan_id, s, e, f"INV-{p.plan_id}-{s}", unit_price=p.unit_price
            )
            for s, e, _ in ours_due(p, None, day)
        ]
        for p in plans
    }


def _planner(
    plans: Sequence[Plan],
    history: dict[str, list[PeriodRecord]],
    entries: Sequence[TimeEntry],
    people: dict[str, Customer],
) -> Callable[[], RecurringPlan]:
    def run() -> RecurringPlan:
        return plan_recurring(
            plans=plans,
            history=history,
            entries=entries,
            customers=people,
            settings=SETTINGS,
            today=TODAY,
        )

    return run


def _schedules(
    plans: Sequence[Plan],
    find: Callable[[Plan, date | None, date], list[tuple[date, ...]]],
    covered: dict[str, date | None],
) -> list[list[tuple[date, ...]]]:
    return [find(p, covered.get(p.plan_id), TODAY) for p in plans]


def main() -> list[tuple[str, str, str, str]]:
    plans, entries = workload()
    people = customers()
    history = _history_until(plans, YESTERDAY)
    covered = {
        plan_id: max((r.end for r in records), default=None)
        for plan_id, records in history.items()
    }
    catch_up = _planner(plans, {}, entries, people)
    normal_day = _planner(plans, history, entries, people)
    bills, today_bills = len(catch_up().bills), len(normal_day().bills)
    # With the collector on first, as before the run's way was measured: its rounds
    # are slower in a heap that rounds before them left fragmented.
    collecting, collecting_cpu = _best(catch_up, ROUNDS)
    seconds, cpu = _best(_as_a_run_plans(catch_up), ROUNDS)
    peak = _peak_bytes(catch_up)
    day_seconds, day_cpu = _best(normal_day, ROUNDS)
    # The schedules alone, side by side: ours against the rule iterated from Start,
    # which must find the same periods.
    for known in ({}, covered):
        ours = _schedules(plans, ours_due, known)
        assert ours == _schedules(plans, naive_due, known), "other periods found"
    ours_catch_up, _ = _best(lambda: _schedules(plans, ours_due, {}), ROUNDS)
    naive_catch_up, _ = _best(lambda: _schedules(plans, naive_due, {}), 1)
    ours_day, _ = _best(lambda: _schedules(plans, ours_due, covered), ROUNDS)
    naive_day, _ = _best(lambda: _schedules(plans, naive_due, covered), 1)
    print(
        f"recurring: {len(plans):,} plans ({len(entries):,} time rows), 3-year "
        f"catch-up: {bills:,} bills in {seconds:.3f} s ({cpu:.3f} s CPU; best of "
        f"{ROUNDS}, cold, as a run plans: cycle collector paused), "
        f"{collecting:.3f} s ({collecting_cpu:.3f} s CPU) with the collector on, "
        f"peak {peak / 2**20:.0f} MB; the schedules alone "
        f"{ours_catch_up:.3f} s, rrule from Start {naive_catch_up:.3f} s. A normal "
        f"day: {today_bills:,} bills in {day_seconds:.3f} s ({day_cpu:.3f} s CPU); "
        f"schedules {ours_day:.3f} s, rrule from Start {naive_day:.3f} s (same "
        "periods)",
        flush=True,
    )

    def verdict(took: float) -> str:
        return "ok" if took < TARGET_SECONDS else "over target"

    return [
        (
            f"plan {len(plans):,} recurring plans, 3-year catch-up ({bills:,} bills)",
            f"{seconds:.2f} s ({cpu:.2f} s CPU) as a run plans, peak "
            f"{peak / 2**20:.0f} MB",
            f"collector on {collecting:.2f} s ({collecting_cpu:.2f} s CPU)",
            f"{verdict(seconds)} (target < {TARGET_SECONDS:g} s); collector on: "
            f"{verdict(collecting)}",
        ),
        (
            f"  their schedules ({bills:,} periods)",
            f"{ours_catch_up:.3f} s",
            f"rrule from Start {naive_catch_up:.3f} s",
            f"{naive_catch_up / ours_catch_up:,.1f}x faster",
        ),
        (
            f"plan {len(plans):,} recurring plans, a normal day ({today_bills:,} "
            "bills)",
            f"{day_seconds:.3f} s ({day_cpu:.3f} s CPU)",
            "-",
            verdict(day_seconds),
        ),
        (
            "  their schedules (a normal day)",
            f"{ours_day:.3f} s",
            f"rrule from Start {naive_day:.3f} s",
            f"{naive_day / ours_day:,.1f}x faster",
        ),
    ]


if __name__ == "__main__":
    for row in main():
        print(" | ".join(row))
