"""`sheetbill explain P-001`: a recurring plan's story — its terms as its row says
now, each period decided (billed on which invoice, or skipped while it was paused),
and what comes next — told from the state's records and the Recurring tab.

Unlike an invoice's, a plan's explanation reads the workbook: its terms and its
schedule are there, the state keeps only what was decided. It is read as `sheetbill
check` reads it (the same Settings, validation and plan rows), and nothing is written.
What comes next is the planner's answer for the plan alone, as of today in the
Settings time zone (or `--as-of`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sheetbill.config import Config
from sheetbill.domain.cells import parse_text
from sheetbill.domain.model import Customer, Invoice, Problem, Settings
from sheetbill.domain.recurring import (
    RECURRING_TAB,
    Billing,
    Period,
    PeriodRecord,
    Plan,
    period_key,
)
from sheetbill.errors import SheetbillError
from sheetbill.ports import Workbook
from sheetbill.tabs.recurring import plan_key


@dataclass(frozen=True, slots=True)
class PlanBook:
    """What the workbook says of its plans now."""

    name: str
    # Today in the Settings time zone, or `--as-of`.
    today: date
    plans: tuple[Plan, ...]
    # Each Plan ID the Recurring tab shows (trimmed, case-folded; rows with errors
    # too): its spelling there and the sheet rows that show it.
    rows: Mapping[str, tuple[str, tuple[int, ...]]]
    # The Recurring tab's problems.
    problems: tuple[Problem, ...]
    customers: Mapping[str, Customer]
    settings: Settings
    # The Plan IDs (folded) of the plans a run holds (`holds.held_plans`).
    held: frozenset[str] = frozenset()


# The CLI's way to the workbook: read only when a plan is asked about.
BookReader = Callable[[], PlanBook]


@dataclass(frozen=True, slots=True)
class DecidedPeriod:
    """A period the state recorded: billed on an invoice, or skipped (paused)."""

    record: PeriodRecord
    # The invoice as the state holds it (None: skipped, or not in the state).
    invoice: Invoice | None = None
    # The plan's line on that invoice: "Maintenance, November 2026" ("" if none).
    label: str = ""
    # Its invoice was drawn, and a run stopped before writing it into the workbook.
    is_being_made: bool = False


@dataclass(frozen=True, slots=True)
class ComingPeriod:
    """A period still to come: its day has come by today (the next run decides it),
    or is later."""

    start: date
    end: date
    bill_on: date
    # In the customer's language: "November 2026" ("" when it cannot be told).
    label: str = ""
    # The next run records it skipped (the plan is paused): never billed later.
    is_skipped: bool = False


@dataclass(frozen=True, slots=True)
class PlanExplanation:
    """Everything known of one recurring plan."""

    # As the state or the Recurring tab spells it; `asked` as typed.
    subject: str
    asked: str
    # None: no state database yet (no run has decided any period).
    state: Path | None
    periods: tuple[DecidedPeriod, ...]
    # The rest needs the workbook:
    workbook: str = ""
    # Why the workbook could not be read ("" when it was).
    unread: str = ""
    today: date | None = None
    # The row as it reads now (None: no row, a row with an error, or unread).
    plan: Plan | None = None
    customer: Customer | None = None
    rows: tuple[int, ...] = ()
    problems: tuple[Problem, ...] = ()
    # No row has its Plan ID any more, while the state has its periods.
    is_removed: bool = False
    # Its customer (or its own Description) holds it: a run bills nothing of it.
    is_held: bool = False
    # Periods whose day (`bill_on`) has come by `today`, that the next run bills (or
    # skips), in order.
    due: tuple[ComingPeriod, ...] = ()
    # The period after those; None when the plan has ended (or is unknown).
    upcoming: ComingPeriod | None = None
    next_step: str = ""
    kind: str = field(default="plan", init=False)


def read_plan_book(
    workbook: Workbook, config: Config, *, as_of: date | None
) -> PlanBook:
    """The workbook's plans as a check reads them (its Settings, customers and
    Recurring rows validated, each problem kept). Raises what reading raises
    (WorkbookError, ConfigError)."""
    from sheetbill.tabs.legal import legal_check
    from sheetbill.tabs.validation import validate_book
    from sheetbill.usecases.holds import held_plans, unprintable_text
    from sheetbill.usecases.moment import settings_of, today_for

    snapshot = workbook.read()
    settings_read = settings_of(snapshot, config)
    today = today_for(settings_read[0], as_of, now=datetime.now(UTC))
    data = validate_book(
        snapshot,
        today=today,
        billed={},
        aliases=config.aliases,
        settings_read=settings_read,
    )
    layout = data.layouts.get(RECURRING_TAB)
    rows: dict[str, tuple[str, tuple[int, ...]]] = {}
    if layout is not None and layout.columns.has("Plan ID"):
        at = layout.columns.positions["Plan ID"]
        for row in layout.table.rows:
            spelled = parse_text(row.get(at)).strip()
            if spelled:
                first, seen = rows.get(plan_key(spelled), (spelled, ()))
                rows[plan_key(spelled)] = (first, (*seen, row.number))
    tab = layout.tab if layout is not None else RECURRING_TAB
    unprintable = unprintable_text(data, config)
    held = held_plans(data.plans, unprintable, legal_check(data))
    found = (*data.problems, *unprintable.problems, *held.problems)
    return PlanBook(
        workbook.name,
        today,
        data.plans,
        rows,
        tuple(p for p in found if p.tab in (tab, RECURRING_TAB)),
        data.customers,
        data.settings,
        frozenset(plan_key(p.plan_id) for p in held.plans),
    )


def book_or_reason(read: BookReader | None) -> PlanBook | str:
    """The workbook's plans, or why they could not be read."""
    if read is None:
        return "no workbook was named"
    try:
        return read()
    except SheetbillError as exc:
        return str(exc)


def explain_plan(
    key: str,
    asked: str,
    *,
    state: Path | None,
    history: Sequence[PeriodRecord],
    invoices: Mapping[str, Invoice],
    being_made: frozenset[str] = frozenset(),
    told_removed: bool = False,
    book: PlanBook | str,
) -> PlanExplanation:
    """The plan whose Plan ID is `key` (trimmed, case-folded): `history` its
    records in period order, `invoices` theirs by number (`being_made`: drawn,
    never written), `book` the workbook's plans or why they are unknown."""
    spelled = history[0].plan_id if history else key
    decided = tuple(_decided(r, invoices, being_made) for r in history)
    if isinstance(book, str):
        return PlanExplanation(
            spelled,
            asked,
            state,
            decided,
            unread=book,
            is_removed=told_removed,
            next_step=(
                "not known: the workbook could not be read, and the plan's terms "
                "and schedule are there"
            ),
        )
    shown, rows = book.rows.get(key, (spelled, ()))
    plan = next((p for p in book.plans if plan_key(p.plan_id) == key), None)
    problems = tuple(p for p in book.problems if p.row in rows)
    explained = PlanExplanation(
        shown if not history else spelled,
        asked,
        state,
        decided,
        workbook=book.name,
        today=book.today,
        plan=plan,
        customer=book.customers.get(plan.customer_id) if plan else None,
        rows=rows,
        problems=problems,
        is_removed=not rows and bool(history),
        is_held=key in book.held,
    )
    if plan is None:
        return _with_next(explained, (), None)
    due, upcoming = coming_periods(plan, history, book)
    return _with_next(explained, due, upcoming)


def _decided(
    record: PeriodRecord, invoices: Mapping[str, Invoice], being_made: frozenset[str]
) -> DecidedPeriod:
    if record.invoice_no is None:
        return DecidedPeriod(record)
    invoice = invoices.get(record.invoice_no)
    key = period_key(record.plan_id, record.start)
    # The plan's own line (its source is the period), else the invoice's first.
    labels = [
        line.description
        for line in (invoice.lines if invoice is not None else ())
        if any(s.tab == RECURRING_TAB and s.row_id == key for s in line.sources)
    ]
    if not labels and invoice is not None and invoice.lines:
        labels = [invoice.lines[0].description]
    return DecidedPeriod(
        record, invoice, labels[0] if labels else "", record.invoice_no in being_made
    )


def coming_periods(
    plan: Plan, history: Sequence[PeriodRecord], book: PlanBook
) -> tuple[tuple[ComingPeriod, ...], ComingPeriod | None]:
    """The periods whose day has come by the book's today that no record covers
    (billed, or
    skipped when the plan is paused) and the one after them: the planner's answer
    for this plan alone."""
    from sheetbill.planning.recurring import period_label, plan_recurring

    decided = plan_recurring(
        plans=[plan],
        history={plan.plan_id: history},
        entries=(),
        customers=book.customers,
        settings=book.settings,
        today=book.today,
    )
    customer = book.customers.get(plan.customer_id)
    language = customer.language if customer is not None else "en"

    def coming(period: Period, *, is_skipped: bool = False) -> ComingPeriod:
        label = period_label(period, plan, language)
        return ComingPeriod(period.start, period.end, period.bill_on, label, is_skipped)

    due = [coming(bill.period) for bill in decided.bills]
    for index, record in enumerate(decided.skipped, start=len(history)):
        bill_on = _bill_on(plan, record.start, record.end)
        period = Period(record.start, record.end, bill_on, plan.plan_id, index)
        due.append(coming(period, is_skipped=True))
    due.sort(key=lambda c: c.start)
    upcoming = decided.upcoming.get(plan.plan_id)
    return tuple(due), None if upcoming is None else coming(upcoming)


def _bill_on(plan: Plan, start: date, end: date) -> date:
    """The design's rule: in advance on the first day, in arrears the day after."""
    if plan.billing is Billing.IN_ADVANCE:
        return start
    return end + timedelta(days=1)


def _with_next(
    explained: PlanExplanation,
    due: tuple[ComingPeriod, ...],
    upcoming: ComingPeriod | None,
) -> PlanExplanation:
    return replace(
        explained,
        due=due,
        upcoming=upcoming,
        next_step=next_step(explained, due, upcoming),
    )


def next_step(
    explained: PlanExplanation,
    due: Sequence[ComingPeriod],
    upcoming: ComingPeriod | None,
) -> str:
    """What comes next for the plan, in words."""
    plan = explained.plan
    if explained.is_removed:
        return (
            "nothing: no row of the Recurring tab has this Plan ID any more, so it "
            "bills no more; a row with it again goes on after its last decided period"
        )
    if plan is None and explained.rows:
        return (
            "nothing is billed while its row has a problem (listed above; `sheetbill "
            "check` lists them all); once it is fixed, the plan goes on after its "
            "last decided period"
        )
    if plan is None:
        return "nothing: no row of the Recurring tab has this Plan ID"
    if explained.is_held and due:
        what = "period" if len(due) == 1 else f"{len(due)} periods"
        return (
            f"nothing is billed while the exception listed above holds the plan; "
            f"once it is fixed, the next run bills the {what} whose day has come by "
            f"then, one invoice each, in period order"
        )
    if explained.is_held:
        return (
            "nothing is billed while the exception listed above holds the plan; "
            "once it is fixed, it goes on after its last decided period"
        )
    said = []
    came = f"whose day has come by {explained.today} (listed above)"
    if due and plan.is_active:
        said.append(
            f"the next run bills the period {came}"
            if len(due) == 1
            else f"the next run bills the {len(due)} periods {came}, one invoice "
            "each, in period order"
        )
    elif due:
        what = "period" if len(due) == 1 else f"{len(due)} periods"
        said.append(
            f"the plan is paused (Active = no): the next run records the {what} "
            f"{came} as skipped, never billed later"
        )
    if upcoming is None:
        said.append("then the plan has ended: no period is left" if due else "")
        return "; ".join(filter(None, said)) or "the plan has ended: no period is left"
    days = f"{upcoming.start} to {upcoming.end}"
    when = f"{upcoming.label} ({days})" if upcoming.label else days
    if plan.is_active:
        said.append(f"the next period, {when}, is billed on {upcoming.bill_on}")
    else:
        said.append(
            f"the next period, {when}, on {upcoming.bill_on}, is skipped unless "
            "Active says yes by then"
        )
    return "; ".join(said)
