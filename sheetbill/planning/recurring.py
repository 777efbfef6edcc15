"""Recurring plans: which periods a run bills, skips or leaves for later.

Pure and deterministic: the same plans, history, time rows and day give the same
decisions. A period is billed once: only periods starting after the last day the
plan's records cover are billed (`domain.recurring.due_periods`), whatever the
sheet's Next Date, Start or Day say now. The rules: docs/decisions.md, "Issue 16".
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from operator import attrgetter

from sheetbill.domain.mail import SendInvoices
from sheetbill.domain.model import (
    Counters,
    Customer,
    Invoice,
    Problem,
    Settings,
    Severity,
    SourceRow,
    TimeEntry,
    new_source_row,
)
from sheetbill.domain.numbering import NumberPattern
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.records import makes_frozen, new_instance, slot_setters
from sheetbill.domain.recurring import (
    RECURRING_TAB,
    Billing,
    DuePeriods,
    Period,
    PeriodRecord,
    Plan,
    due_periods,
    new_period_record,
    period_key,
    plan_end,
)
from sheetbill.domain.row_ids import ROW_ID_PREFIX
from sheetbill.domain.tax_category import LineTax, line_tax
from sheetbill.planning.invoices import PricedItem, build_invoice, new_priced_item
from sheetbill.planning.retainers import draw_down, label, line_language
from sheetbill.tabs.recurring import RetainerHold, is_of_project, plan_key


@dataclass(frozen=True, slots=True)
class RecurringBill:
    """One period a run bills: its invoice's priced items and what the state keeps."""

    plan: Plan
    period: Period
    # The plan's line (one SourceRow: tab "Recurring", the plan's sheet row, Row ID
    # = the period key, fingerprint = the plan's terms), then a retainer's included
    # and extra hours lines (the Time Log rows they consume as sources; their Row
    # IDs are drawn by `recurring_invoices`).
    items: tuple[PricedItem, ...]
    # The record the state keeps once the invoice is numbered (invoice_no "" until
    # then).
    record: PeriodRecord
    # The Time Log rows the retainer consumes (sheet order).
    consumed: tuple[TimeEntry, ...] = ()


_BILL = slot_setters(RecurringBill)


@makes_frozen(RecurringBill)
def _new_bill(
    plan: Plan,
    period: Period,
    items: tuple[PricedItem, ...],
    record: PeriodRecord,
    consumed: tuple[TimeEntry, ...],
) -> RecurringBill:
    """A RecurringBill, the fast way (`domain.records.makes_frozen`)."""
    made = new_instance(RecurringBill)
    setter = _BILL
    setter[0](made, plan)
    setter[1](made, period)
    setter[2](made, items)
    setter[3](made, record)
    setter[4](made, consumed)
    return made


@dataclass(frozen=True, slots=True)
class PlanCells:
    """sheetbill's cells of one plan row after the run."""

    row: int
    # The day the next period is billed; None when the plan has ended, or is
    # paused.
    next_date: date | None
    # The invoice of the plan's latest billed period ("" when none).
    last_invoice: str


@dataclass(frozen=True, slots=True)
class RecurringPlan:
    """What the plans make of this run."""

    # In numbering order: by bill date, then Plan ID, then period.
    bills: tuple[RecurringBill, ...] = ()
    # Periods that came while the plan was paused: recorded, never billed.
    skipped: tuple[PeriodRecord, ...] = ()
    # Time Log rows (tab, sheet row) kept for a retainer: consumed by a bill of this
    # run, or waiting for a period not yet billed. Ordinary invoicing leaves them.
    reserved: frozenset[tuple[str, int]] = frozenset()
    # Of those, the ones waiting (not consumed this run), for the waiting counts.
    waiting: tuple[tuple[str, int], ...] = ()
    # Of those, the ones kept for a retainer that cannot bill (`held_retainers`).
    kept: tuple[tuple[str, int], ...] = ()
    # Plan IDs the history knows that no row has any more (all of them; the run
    # tells each once).
    removed: tuple[str, ...] = ()
    # Each plan's next period after this run (None: ended), by Plan ID.
    upcoming: Mapping[str, Period | None] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()


def plan_recurring(
    *,
    plans: Sequence[Plan],
    history: Mapping[str, Sequence[PeriodRecord]],
    entries: Sequence[TimeEntry],
    customers: Mapping[str, Customer],
    settings: Settings,
    today: date,
    unread_ids: Collection[str] = (),
    lagging: Collection[str] = (),
    held_retainers: Sequence[RetainerHold] = (),
) -> RecurringPlan:
    """The periods due by `today` that no record covers, billed in period order;
    see docs/decisions.md "Issue 16".

    `history`: the state's records by Plan ID (compared trimmed and case-folded),
    without those of invoices never written. `entries`: the Time Log rows ordinary
    invoicing would bill (a retainer reserves its own). `unread_ids`: the Plan IDs
    of Recurring rows that did not read as plans (an error on the row, a duplicate):
    their history is kept, they are not `removed`. `lagging`: invoice numbers
    recorded but not yet marked written (a run stopped before its write-back): the
    Next Date shown may still be the one from before them, which is no edit.
    `held_retainers`: retainers that bill nothing this run (a row with an error, a
    held plan); the rows each would draw down are kept, in the same order of
    precedence as the plans' (`kept`).
    """
    records = _joined(history)
    run = _Run(
        settings,
        today,
        customers,
        _retainer_rows(plans, held_retainers, entries),
        frozenset(lagging),
    )
    run.billed_by.update(
        (r.invoice_no, r.plan_id) for rs in records.values() for r in rs if r.invoice_no
    )
    # A row two retainers could take goes to one with a Project first, then to the
    # upper row's; a retainer that cannot bill keeps its rows in the same order.
    claims: list[Plan | RetainerHold] = [*plans, *held_retainers]
    for claim in sorted(claims, key=lambda c: (not c.project.strip(), c.row)):
        if isinstance(claim, RetainerHold):
            _keep(claim, run)
        else:
            _plan_one(claim, records.get(plan_key(claim.plan_id), ()), run)
    run.problems.extend((*_auto_send_held(plans, settings), *_late_rows(run)))
    present = {plan_key(i) for i in (*(p.plan_id for p in plans), *unread_ids)}
    run.bills.sort(key=_NUMBERING_ORDER)
    return RecurringPlan(
        bills=tuple(run.bills),
        skipped=tuple(run.skipped),
        reserved=frozenset(run.reserved),
        waiting=tuple(sorted(run.waiting)),
        kept=tuple(sorted(run.kept)),
        removed=tuple(sorted(i for i in history if plan_key(i) not in present)),
        upcoming=run.upcoming,
        problems=tuple(run.problems),
    )


_START = attrgetter("start")
# Recurring invoices are numbered by bill date, then Plan ID, then period.
_NUMBERING_ORDER = attrgetter("period.bill_on", "plan.plan_id", "period.start")
_ZERO = Decimal(0)


def _joined(
    history: Mapping[str, Sequence[PeriodRecord]],
) -> dict[str, list[PeriodRecord]]:
    """The records by folded Plan ID, in period order: Plan IDs once written in
    another case are one plan, their records joined."""
    records: dict[str, list[PeriodRecord]] = {}
    for plan_id, found in history.items():
        records.setdefault(plan_key(plan_id), []).extend(found)
    for joined in records.values():
        joined.sort(key=_START)
    return records


@dataclass(slots=True)
class _Run:
    """The run's inputs a plan needs, and what the plans decided so far."""

    settings: Settings
    today: date
    customers: Mapping[str, Customer]
    # The retainers' customers' Time Log rows, in (day, sheet row) order.
    rows: Mapping[str, Sequence[TimeEntry]]
    # Invoices whose write-back may not have happened (`plan_recurring`).
    lagging: frozenset[str] = frozenset()
    # Each billed invoice's Plan ID, as recorded (to notice a renamed Plan ID).
    billed_by: dict[str, str] = field(default_factory=dict)
    taxes: dict[str, LineTax] = field(default_factory=dict)
    # `period_label`s by (start, end, line language), remembered for the run: plans
    # share their periods.
    labels: dict[tuple[date, date, str], str] = field(default_factory=dict)
    bills: list[RecurringBill] = field(default_factory=list)
    skipped: list[PeriodRecord] = field(default_factory=list)
    reserved: set[tuple[str, int]] = field(default_factory=set)
    waiting: list[tuple[str, int]] = field(default_factory=list)
    kept: list[tuple[str, int]] = field(default_factory=list)
    # A retainer's rows dated in its periods already billed (`_note_late_rows`).
    late: list[tuple[Plan, PeriodRecord, TimeEntry]] = field(default_factory=list)
    # The rows a retainer before in precedence would draw down (`_note_late_rows`).
    claimed: set[tuple[str, int]] = field(default_factory=set)
    upcoming: dict[str, Period | None] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def tax(self, customer: Customer) -> LineTax:
        found = self.taxes.get(customer.customer_id)
        if found is None:
            found = self.taxes[customer.customer_id] = line_tax(customer, self.settings)
        return found


def _retainer_rows(
    plans: Iterable[Plan], holds: Iterable[RetainerHold], entries: Iterable[TimeEntry]
) -> dict[str, list[TimeEntry]]:
    customers = {p.customer_id for p in plans if p.is_retainer and p.is_active}
    customers.update(h.customer_id for h in holds)
    rows: dict[str, list[TimeEntry]] = {}
    for entry in entries:
        if entry.customer_id in customers:
            rows.setdefault(entry.customer_id, []).append(entry)
    for found in rows.values():
        found.sort(key=lambda e: (e.day, e.source.row))
    return rows


def _keep(hold: RetainerHold, run: _Run) -> None:
    """The rows a retainer that cannot bill would draw down, not yet another's,
    kept from ordinary invoicing until it bills."""
    for entry in run.rows.get(hold.customer_id, ()):
        place = (entry.source.tab, entry.source.row)
        if place not in run.reserved and hold.keeps(entry):
            run.reserved.add(place)
            run.kept.append(place)


def _plan_one(plan: Plan, records: Sequence[PeriodRecord], run: _Run) -> None:
    """One plan's part of the run: its bills or skipped periods, its reserved rows,
    its next period, and a warning when its Next Date was edited."""
    renamed = _renamed(plan, records, run.billed_by)
    if renamed is not None:
        run.problems.append(renamed)
        return
    covered = max((r.end for r in records), default=None)
    found = due_periods(plan, covered, run.today)
    run.upcoming[plan.plan_id] = found.next
    edited = _next_date_edited(plan, records, found, run.lagging)
    if edited is not None:
        run.problems.append(edited)
    customer = run.customers.get(plan.customer_id)
    if customer is None:  # the tab reader's error on the row; never reached
        return
    if not plan.is_active:
        run.skipped.extend(
            PeriodRecord(plan.plan_id, p.start, p.end, None) for p in found.due
        )
        return
    if not found.due and not plan.is_retainer:
        return
    if plan.is_retainer:
        _note_late_rows(plan, records, run)
    by_period = _reserve(plan, found, run) if plan.is_retainer else {}
    previous = max(records, key=_START, default=None)
    carried = (
        previous.carried_out
        if previous is not None and previous.invoice_no is not None
        else _ZERO
    )
    _bill(plan, found.due, customer, by_period, carried, run)


def _note_late_rows(plan: Plan, records: Sequence[PeriodRecord], run: _Run) -> None:
    """The retainer's rows dated in one of its periods already billed: ordinary
    invoicing bills them (that invoice is final), unless a later retainer takes
    them (`_late_rows` decides once every plan has reserved its rows). A row is
    noted for the first retainer that would have drawn it down (the plans come in
    their order of precedence), or for none."""
    billed = [r for r in records if r.invoice_no]
    for entry in run.rows.get(plan.customer_id, ()):
        place = (entry.source.tab, entry.source.row)
        if place in run.claimed or not is_of_project(plan.project, entry):
            continue
        record = next((r for r in billed if r.start <= entry.day <= r.end), None)
        if record is not None:
            run.claimed.add(place)
            run.late.append((plan, record, entry))
        elif entry.day >= plan.start:
            run.claimed.add(place)  # its own period not billed yet: this plan's


def _late_rows(run: _Run) -> list[Problem]:
    """A warning on each late row no retainer took: billed as ordinary time."""
    problems = []
    for plan, record, entry in run.late:
        if (entry.source.tab, entry.source.row) in run.reserved:
            continue
        unused = record.included_hours + record.carried_in - record.used_hours
        left = (
            f" ({unused.normalize():f} h of its hours went unused)"
            if unused > 0
            else ""
        )
        problems.append(
            Problem(
                code=ProblemCode.RECURRING_LATE_RETAINER_ROW,
                tab=entry.source.tab,
                row=entry.source.row,
                column="Date",
                value=entry.day.isoformat(),
                problem=f"This row is dated in retainer {plan.plan_id}'s period "
                f"{record.start.isoformat()} to {record.end.isoformat()}, already "
                f"billed on {record.invoice_no}{left}: it is billed as ordinary "
                "time at its rate, not from the retainer's hours.",
                fix=ProblemCode.RECURRING_LATE_RETAINER_ROW.fix,
                severity=Severity.WARNING,
                customer_id=plan.customer_id,
            )
        )
    return problems


def _reserve(plan: Plan, found: DuePeriods, run: _Run) -> dict[int, list[TimeEntry]]:
    """The retainer's rows in its periods not yet covered, by due period's index;
    the others wait for their period. Rows before the first such period (in a
    recorded or skipped period, or before Start) are left to ordinary invoicing."""
    first = found.due[0] if found.due else found.next
    if first is None:
        return {}
    last = plan_end(plan) if found.next is not None else found.due[-1].end
    by_period: dict[int, list[TimeEntry]] = {}
    due = iter(found.due)
    period = next(due, None)
    for entry in run.rows.get(plan.customer_id, ()):
        place = (entry.source.tab, entry.source.row)
        if (
            entry.day < first.start
            or (last is not None and entry.day > last)
            or place in run.reserved
            or not is_of_project(plan.project, entry)
        ):
            continue
        run.reserved.add(place)
        while period is not None and entry.day > period.end:
            period = next(due, None)
        if period is None:
            run.waiting.append(place)
        else:
            by_period.setdefault(period.index, []).append(entry)
    return by_period


def _bill(
    plan: Plan,
    due: Sequence[Period],
    customer: Customer,
    by_period: Mapping[int, Sequence[TimeEntry]],
    carried: Decimal,
    run: _Run,
) -> None:
    """The due periods' bills: the plan's line (its source the plan row, known by
    the period key), a retainer's lines, the period's record. Made once per period
    and thousands in a catch-up: each value is built once, in its final form."""
    tax = run.tax(customer)
    language = line_language(customer.language)
    text = plan.description.strip() or f"Recurring {plan.plan_id}"
    terms = _terms_print(plan)
    plan_id, row, price = plan.plan_id, plan.row, plan.unit_price
    group, quantity, (rate, category) = ("recurring", plan_id), plan.quantity, tax
    is_retainer = plan.included_hours is not None
    labels, bills = run.labels, run.bills
    for period in due:
        start, end = period.start, period.end
        shown = labels.get((start, end, language))
        if shown is None:
            shown = labels[start, end, language] = label(start, end, language)
        source = new_source_row(RECURRING_TAB, row, period_key(plan_id, start), terms)
        item = new_priced_item(
            group,
            f"{text}, {shown}",
            quantity,
            "item",
            price,
            rate,
            source,
            (0, start, row),
            category,
        )
        if not is_retainer:
            record = new_period_record(
                plan_id, start, end, "", _ZERO, _ZERO, _ZERO, _ZERO, _ZERO, price
            )
            bills.append(_new_bill(plan, period, (item,), record, ()))
            continue
        rows = by_period.get(period.index, ())
        bill = _retainer_bill(
            plan, period, item, rows, carried, shown, language, tax, run
        )
        carried = bill.record.carried_out
        bills.append(bill)


def _retainer_bill(
    plan: Plan,
    period: Period,
    item: PricedItem,
    rows: Sequence[TimeEntry],
    carried: Decimal,
    shown: str,
    language: str,
    tax: LineTax,
    run: _Run,
) -> RecurringBill:
    """A retainer's period: the plan's line, then its hours' lines."""
    assert plan.included_hours is not None
    drawn = draw_down(
        rows,
        included=plan.included_hours,
        carried_in=carried,
        max_rollover=plan.max_rollover_hours,
        label=shown,
        language=language,
        tax=tax,
        settings=run.settings,
    )
    record = new_period_record(
        plan.plan_id,
        period.start,
        period.end,
        "",
        drawn.included,
        drawn.carried_in,
        drawn.used,
        drawn.extra,
        drawn.carried_out,
        plan.unit_price,
    )
    consumed = tuple(sorted(rows, key=_SHEET_ORDER)) if rows else ()
    return _new_bill(plan, period, (item, *drawn.items), record, consumed)


_SHEET_ORDER = attrgetter("source.tab", "source.row")


def _terms_print(plan: Plan) -> str:
    """The fingerprint of a plan line's source: a digest of the plan's terms, so an
    edit after billing can be noticed as a billed row's is."""
    terms = (
        plan.customer_id,
        plan.description,
        plan.quantity,
        plan.unit_price,
        plan.frequency.value,
        plan.interval,
        plan.day,
        plan.start,
        plan.end,
        plan.count,
        plan.billing.value,
        plan.included_hours,
        plan.project,
        plan.max_rollover_hours,
    )
    text = "\x1f".join(["" if t is None else str(t) for t in terms])
    return hashlib.blake2b(text.encode(), digest_size=10).hexdigest()


def _renamed(
    plan: Plan, records: Sequence[PeriodRecord], billed_by: Mapping[str, str]
) -> Problem | None:
    """An error when a plan with no history shows, in Last Invoice, an invoice
    another Plan ID billed: its Plan ID was changed (billing it would start again
    from Start)."""
    shown = plan.last_invoice_shown.strip()
    other = billed_by.get(shown) if shown and not records else None
    if other is None or plan_key(other) == plan_key(plan.plan_id):
        return None
    return Problem(
        code=ProblemCode.RECURRING_PLAN_ID_CHANGED,
        tab=RECURRING_TAB,
        row=plan.row,
        column="Plan ID",
        value=plan.plan_id,
        problem=f"This row's Last Invoice {shown} was billed for plan {other}: its "
        f"Plan ID looks changed from {other} to {plan.plan_id}. Nothing is billed "
        f"for {plan.plan_id}, so {other}'s periods are not billed again.",
        fix=ProblemCode.RECURRING_PLAN_ID_CHANGED.fix,
        customer_id=plan.customer_id,
    )


def _auto_send_held(plans: Iterable[Plan], settings: Settings) -> list[Problem]:
    """A warning on each active plan's Auto Send yes while Send Invoices is after
    review: the Settings hold every invoice, so the plan's do not go by themselves."""
    if settings.send_invoices is not SendInvoices.AFTER_REVIEW:
        return []
    return [
        Problem(
            code=ProblemCode.RECURRING_AUTO_SEND_HELD,
            tab=RECURRING_TAB,
            row=plan.row,
            column="Auto Send",
            value="yes",
            problem=f"Plan {plan.plan_id} says Auto Send yes, but Settings' Send "
            "Invoices is after review: its invoices wait for a person's send like "
            "every other invoice.",
            fix=ProblemCode.RECURRING_AUTO_SEND_HELD.fix,
            severity=Severity.WARNING,
            customer_id=plan.customer_id,
        )
        for plan in plans
        if plan.auto_send and plan.is_active
    ]


def _next_date_edited(
    plan: Plan,
    records: Sequence[PeriodRecord],
    found: DuePeriods,
    lagging: frozenset[str],
) -> Problem | None:
    """A warning when the Next Date shown is not what sheetbill wrote after the last
    run (the bill date of the first period no record covers): a person edited it.
    Nothing is billed because of it either way."""
    shown = plan.next_date_shown
    first = found.due[0] if found.due else found.next
    expected = None if first is None else first.bill_on
    if shown is None or shown == expected:
        return None
    if any(r.invoice_no in lagging and _bill_date(plan, r) == shown for r in records):
        return None  # the write-back of those periods' Next Date was stopped
    billed = min(
        (r for r in records if r.invoice_no and _bill_date(plan, r) >= shown),
        key=_START,
        default=None,
    )
    right = "no date (the plan has ended)" if expected is None else expected.isoformat()
    if billed is not None:
        problem = (
            f"Next Date was set back to {shown.isoformat()}: the period "
            f"{billed.start.isoformat()} to {billed.end.isoformat()} was billed on "
            f"{billed.invoice_no}; it is not billed again. sheetbill writes the "
            f"right date back ({right})."
        )
    else:
        problem = (
            f"Next Date was changed to {shown.isoformat()}; the plan's next period "
            f"is billed on {right}. sheetbill writes the right date back; to delay, "
            "change Start or set Active to no."
        )
    return Problem(
        code=ProblemCode.RECURRING_NEXT_DATE_EDITED,
        tab=RECURRING_TAB,
        row=plan.row,
        column="Next Date",
        value=shown.isoformat(),
        problem=problem,
        fix=ProblemCode.RECURRING_NEXT_DATE_EDITED.fix,
        severity=Severity.WARNING,
        customer_id=plan.customer_id,
    )


def _bill_date(plan: Plan, record: PeriodRecord) -> date:
    if plan.billing is Billing.IN_ADVANCE:
        return record.start
    return record.end + _ONE_DAY


_ONE_DAY = timedelta(days=1)


def recurring_invoices(
    bills: Sequence[RecurringBill],
    *,
    customers: Mapping[str, Customer],
    settings: Settings,
    today: date,
    counters: Counters,
    reuse: Sequence[str] = (),
    reuse_row_ids: Sequence[int] = (),
) -> tuple[list[Invoice], list[PeriodRecord], Counters, list[str], list[int]]:
    """One invoice per bill, numbered in the bills' order (taking `reuse` first),
    issued `today`, its service period the bill's period; the consumed Time Log rows
    get Row IDs (`reuse_row_ids` first). Returns the invoices, their records (with
    invoice numbers), the counters after, and the reuse numbers and Row IDs left for
    ordinary invoicing."""
    sources, last_row_id, row_ids_left = _drawn_row_ids(
        bills, counters.last_row_id, reuse_row_ids
    )
    pattern = NumberPattern(settings.number_pattern)
    series = pattern.series(today)
    sequence = counters.last_sequence.get(series, 0)
    invoices: list[Invoice] = []
    records: list[PeriodRecord] = []
    for index, bill in enumerate(bills):
        if index < len(reuse):
            number = reuse[index]
        else:
            sequence += 1
            number = pattern.format(today, sequence)
        customer = customers[bill.plan.customer_id]
        items = [
            i
            if i.source is None
            else i._replace(source=sources.get(i.source, i.source))
            for i in bill.items
        ]
        invoices.append(
            build_invoice(
                number,
                customer,
                customer.currency,
                items,
                settings=settings,
                today=today,
                work_complete=_work_complete(bill),
                service_period=(bill.period.start, bill.period.end),
            )
        )
        records.append(replace(bill.record, invoice_no=number))
    after = dict(counters.last_sequence)
    if len(bills) > len(reuse):
        after[series] = sequence
    return (
        invoices,
        records,
        Counters(after, last_row_id),
        list(reuse[len(bills) :]),
        row_ids_left,
    )


def _work_complete(bill: RecurringBill) -> date | None:
    """In arrears, the period's last day (its work is done); in advance, none."""
    if bill.plan.billing is Billing.IN_ARREARS:
        return bill.period.end
    return None


def _drawn_row_ids(
    bills: Sequence[RecurringBill], last_row_id: int, reuse_row_ids: Sequence[int]
) -> tuple[dict[SourceRow, SourceRow], int, list[int]]:
    """Each consumed row's source with its Row ID, drawn in sheet order as ordinary
    invoicing draws them (the `reuse_row_ids` first); the last number drawn, and the
    reuse numbers left."""
    consumed = sorted(
        (e.source for bill in bills for e in bill.consumed),
        key=attrgetter("tab", "row"),
    )
    left = sorted(reuse_row_ids)
    taken = 0
    drawn: dict[SourceRow, SourceRow] = {}
    for old in consumed:
        if taken < len(left):
            number = left[taken]
            taken += 1
        else:
            last_row_id += 1
            number = last_row_id
        row_id = f"{ROW_ID_PREFIX.get(old.tab, 'R-')}{number:06d}"
        drawn[old] = new_source_row(old.tab, old.row, row_id, old.fingerprint)
    return drawn, last_row_id, left[taken:]


def plan_cells(
    plans: Sequence[Plan],
    history: Mapping[str, Sequence[PeriodRecord]],
    upcoming: Mapping[str, Period | None],
) -> list[PlanCells]:
    """Next Date and Last Invoice of each plan row, from the history after the run
    (this run's records included): Next Date is the next period's bill date, blank
    when the plan has ended or is paused; Last Invoice the invoice of the latest
    billed period."""
    records = _joined(history)
    cells = []
    for plan in plans:
        billed = [r for r in records.get(plan_key(plan.plan_id), ()) if r.invoice_no]
        latest = max(billed, key=_START, default=None)
        following = upcoming.get(plan.plan_id)
        cells.append(
            PlanCells(
                plan.row,
                following.bill_on if following and plan.is_active else None,
                latest.invoice_no or "" if latest is not None else "",
            )
        )
    return cells


def period_label(period: Period, plan: Plan, language: str) -> str:
    """The period as the plan's invoice line names it, in the language the
    customer's invoices are printed in (a Language cell: `de`, `de_AT`; en, de, fr,
    es; any other: English): "November 2026", "Q4 2026", "2026", or a date range
    ("Nov 15 - Dec 14, 2026") when it is not a calendar month, quarter or year
    (babel: the `yMMMM` skeleton, `QQQ y`, `y`, the `yMMMd` interval). `plan` is
    not needed: a period reads the same whatever its plan's frequency."""
    del plan
    return label(period.start, period.end, line_language(language))
