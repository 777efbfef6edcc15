"""The run's part of recurring plans: the periods due are billed before ordinary
invoices (their numbers come first, in period order), their records go into the state
with those invoices, paused periods and removed plans are recorded, and each plan
row's Next Date and Last Invoice are written back.

Pure here except `record_recurring`, which the `draw numbers` step calls.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sheetbill.domain.journal import RECURRING_REMOVED, Intent
from sheetbill.domain.mail import SendInvoices
from sheetbill.domain.model import Counters, Invoice, TimeEntry
from sheetbill.domain.recurring import PeriodRecord, Plan
from sheetbill.domain.wording import amount_text
from sheetbill.planning.recurring import (
    PlanCells,
    RecurringPlan,
    plan_cells,
    plan_recurring,
    recurring_invoices,
)
from sheetbill.state import StateDB
from sheetbill.state.recurring import period_intent
from sheetbill.tabs.recurring import RetainerHold, plan_key
from sheetbill.tabs.validation import BookData
from sheetbill.usecases.holds import HeldPlans
from sheetbill.usecases.results import RecurringLine


@dataclass(frozen=True, slots=True)
class RecurringDrawn:
    """The recurring part of a run's plan: its invoices (numbered first) and what
    the state and the sheet are told."""

    plan: RecurringPlan = field(default_factory=RecurringPlan)
    invoices: tuple[Invoice, ...] = ()
    # The billed periods' records, with their invoice numbers.
    records: tuple[PeriodRecord, ...] = ()
    # The recurring invoices that are emailed by themselves (Auto Send).
    auto_send: frozenset[str] = frozenset()
    # Plans whose row is gone and not yet told (Plan ID -> its last invoice), and
    # plans told gone whose row is back.
    removed: Mapping[str, str] = field(default_factory=dict)
    back: tuple[str, ...] = ()
    # Each valid plan row's Next Date and Last Invoice after the run (none for a
    # held plan: its cells stay as they are).
    cells: tuple[PlanCells, ...] = ()

    @property
    def kept(self) -> tuple[tuple[str, int], ...]:
        """Time Log rows (tab, sheet row) kept for a retainer that cannot bill: not
        billed as ordinary time while it waits."""
        return self.plan.kept

    @property
    def logged(self) -> tuple[Intent, ...]:
        """The Log rows' entries: skipped periods, removed plans and plans back."""
        return (
            *(period_intent(r) for r in self.plan.skipped),
            *(
                Intent(RECURRING_REMOVED, plan_id, {"last_invoice": last})
                for plan_id, last in self.removed.items()
            ),
            *(
                Intent(RECURRING_REMOVED, plan_id, {"back": True})
                for plan_id in self.back
            ),
        )


@dataclass(frozen=True, slots=True)
class RecurringNumbers:
    """What ordinary invoicing draws from once the recurring invoices are numbered."""

    counters: Counters
    reuse: list[str]
    reuse_row_ids: list[int]


def draw_recurring(
    data: BookData,
    *,
    history: Mapping[str, Sequence[PeriodRecord]],
    told_removed: Mapping[str, bool],
    unwritten: Collection[str],
    lagging: Collection[str],
    entries: Sequence[TimeEntry],
    today: date,
    numbers: RecurringNumbers,
    held: HeldPlans,
) -> tuple[RecurringDrawn, RecurringNumbers]:
    """The periods due by `today` billed (numbers drawn from `numbers` first), and
    what ordinary invoicing draws from after them. The periods of never-written
    invoices (`unwritten` numbers) are planned again, so they take their numbers
    back; `lagging`: the pending invoices the workbook shows (their plan rows' cells
    may not be written yet). The `held` plans bill and record nothing, and keep
    their retainers' rows: the run after the fix bills their periods."""
    if not data.plans and not history and not data.held_retainers:
        return RecurringDrawn(), numbers
    history = _written(history, unwritten)
    held_ids = {p.plan_id for p in held.plans}
    plans = tuple(p for p in data.plans if p.plan_id not in held_ids)
    plan = _planned(data, plans, history, entries, today, lagging, held)
    invoices, records, counters, reuse, row_ids = recurring_invoices(
        plan.bills,
        customers=data.customers,
        settings=data.settings,
        today=today,
        counters=numbers.counters,
        reuse=numbers.reuse,
        reuse_row_ids=numbers.reuse_row_ids,
    )
    after = _history_after(history, (*records, *plan.skipped))
    removed, back = _told(plan, data.plan_keys, after, told_removed)
    drawn = RecurringDrawn(
        plan,
        tuple(invoices),
        tuple(records),
        frozenset(
            invoice.number
            for invoice, bill in zip(invoices, plan.bills, strict=True)
            if _sends_itself(bill.plan, data)
        ),
        removed,
        back,
        tuple(plan_cells(plans, after, plan.upcoming)),
    )
    return drawn, RecurringNumbers(counters, reuse, row_ids)


def _planned(
    data: BookData,
    plans: Sequence[Plan],
    history: Mapping[str, Sequence[PeriodRecord]],
    entries: Sequence[TimeEntry],
    today: date,
    lagging: Collection[str],
    held: HeldPlans,
) -> RecurringPlan:
    """The planner's decisions on the plans not held; the held ones' warnings,
    their retainers' rows and those of Recurring rows with an error kept."""
    plan = plan_recurring(
        plans=plans,
        history=history,
        entries=entries,
        customers=data.customers,
        settings=data.settings,
        today=today,
        unread_ids={p.plan_id for p in held.plans},
        lagging=lagging,
        held_retainers=(
            *data.held_retainers,
            *(RetainerHold.of(p) for p in held.plans if p.is_retainer),
        ),
    )
    return replace(plan, problems=(*plan.problems, *held.problems))


def _written(
    history: Mapping[str, Sequence[PeriodRecord]], unwritten: Collection[str]
) -> dict[str, list[PeriodRecord]]:
    """The records without those of invoices never written (`unwritten` numbers):
    their periods are planned again and take their numbers back."""
    return {
        plan_id: [r for r in records if r.invoice_no not in unwritten]
        for plan_id, records in history.items()
    }


def _history_after(
    history: Mapping[str, Sequence[PeriodRecord]], new: Sequence[PeriodRecord]
) -> dict[str, list[PeriodRecord]]:
    """The records by Plan ID once this run's are in."""
    after: dict[str, list[PeriodRecord]] = {k: list(v) for k, v in history.items()}
    for record in new:
        after.setdefault(record.plan_id, []).append(record)
    return after


def _told(
    plan: RecurringPlan,
    seen: Collection[str],
    after: Mapping[str, Sequence[PeriodRecord]],
    told_removed: Mapping[str, bool],
) -> tuple[dict[str, str], tuple[str, ...]]:
    """The plans to tell removed (not told yet; Plan ID -> its last invoice) and
    those told removed whose row is back (`seen`: the tab's folded Plan IDs)."""
    gone = [p for p in plan.removed if plan_key(p) not in seen]
    removed = {
        p: _last_invoice(after.get(p, ()))
        for p in gone
        if not told_removed.get(p, False)
    }
    back = tuple(p for p, told in told_removed.items() if told and plan_key(p) in seen)
    return removed, back


def _sends_itself(plan: Plan, data: BookData) -> bool:
    if plan.auto_send is not None:
        return plan.auto_send
    return data.settings.send_invoices is SendInvoices.AUTOMATICALLY


def _last_invoice(records: Sequence[PeriodRecord]) -> str:
    billed = [r.invoice_no for r in records if r.invoice_no]
    return billed[-1] if billed else ""


def record_recurring(
    state: StateDB, drawn: RecurringDrawn, *, run_id: str, now: datetime
) -> None:
    """Skipped periods and removed (or returned) plans into the state; the billed
    periods went in with their invoices (`record_pending`)."""
    state.record_plan_decisions(drawn.logged, run_id=run_id, now=now)


def recurring_lines(
    drawn: RecurringDrawn, plans: Sequence[Plan]
) -> tuple[RecurringLine, ...]:
    """What the run summary lists of the plans."""
    lines = [
        RecurringLine(
            "billed",
            bill.plan.plan_id,
            bill.plan.customer_id,
            bill.period.start,
            bill.period.end,
            bill.period.bill_on,
            invoice.lines[0].description if invoice.lines else "",
            invoice.number,
            amount_text(invoice.total, invoice.currency),
        )
        for bill, invoice in zip(drawn.plan.bills, drawn.invoices, strict=True)
    ]
    customers = {p.plan_id: p.customer_id for p in plans}
    lines += [
        RecurringLine(
            "skipped",
            r.plan_id,
            customers.get(r.plan_id, ""),
            r.start,
            r.end,
            None,
        )
        for r in drawn.plan.skipped
    ]
    lines += [
        RecurringLine("removed", p, "", None, None, None, invoice=last)
        for p, last in drawn.removed.items()
    ]
    lines += [RecurringLine("back", p, "", None, None, None) for p in drawn.back]
    return tuple(lines)
