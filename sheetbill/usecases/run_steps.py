"""The steps of a run (`run.RUN_STEPS` puts them in order) and the values they hand on.

A `plan` takes the values and returns them with what it decided, plus the problems
it found; it reads no port and no clock. An `apply` does the step's reading or
writing over the ports and returns the same. Refusals (a date out of sequence, a
workbook nobody may write, numbers this state never drew) are exceptions, as ever.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar
from zoneinfo import ZoneInfo

from sheetbill.config import Config
from sheetbill.domain.approvals import Approvals, ApprovalState
from sheetbill.domain.mail import SendInvoices
from sheetbill.domain.model import (
    BilledRow,
    Counters,
    Invoice,
    Order,
    Problem,
    Settings,
    TimeEntry,
)
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.recurring import PeriodRecord
from sheetbill.domain.row_ids import ROW_ID
from sheetbill.domain.sheet import BookSnapshot
from sheetbill.domain.waiting import WaitingRows, WaitReason, held_back, with_held
from sheetbill.errors import StateMismatchError, WorkbookChangedError
from sheetbill.planning.approvals import (
    approval_state,
    awaiting_numbers,
    draft_numbers,
    people_on,
    read_approvals,
    threshold_problems,
)
from sheetbill.planning.invoices import oversized_text, plan_invoices
from sheetbill.planning.payments import PaymentsPlan, PaymentsRead, with_receipts
from sheetbill.planning.recovery import (
    BookMarks,
    PendingMatch,
    marks_in_book,
    match_pending,
    released_row_ids,
    reusable_numbers,
    rows_billed_before,
    split_pending,
    unknown_to_state,
)
from sheetbill.planning.statuses import InvoiceCells
from sheetbill.ports import Mailer, PdfUploader, Workbook
from sheetbill.state import StateDB
from sheetbill.state.approvals import (
    approval_records,
    billed_time,
    mark_approvals_shown,
    record_run_approvals,
)
from sheetbill.tabs.headers import with_absent_columns_named
from sheetbill.tabs.invoices import InvoiceRow
from sheetbill.tabs.legal import LegalCheck, legal_check
from sheetbill.tabs.own_rows import own_row_problems
from sheetbill.tabs.printable import UnprintableText
from sheetbill.tabs.rows import TabLayout
from sheetbill.tabs.validation import BookData, locate_tabs, validate_book
from sheetbill.usecases import guards
from sheetbill.usecases.holds import (
    blocking_problems,
    held_plans,
    held_rows,
    is_invoicing_blocked,
    unprintable_text,
    valid_rows,
)
from sheetbill.usecases.moment import RunMoment
from sheetbill.usecases.publish import (
    company_logo,
    own_files_of,
    predicted_links,
    publish,
    remove_own_files,
)
from sheetbill.usecases.run_recurring import (
    RecurringDrawn,
    RecurringNumbers,
    draw_recurring,
    record_recurring,
)
from sheetbill.usecases.send import MailValues, Sent
from sheetbill.writeback.plan import WritePlan, plan_writes

if TYPE_CHECKING:
    from sheetbill.documents.logo import Logo

Progress = Callable[[str], None]
T = TypeVar("T")


class SavedMeanwhileError(Exception):
    """A person saved the workbook between the run's reading and its writing: the
    run plans again from a fresh read (`run.REPLAN_ATTEMPTS`). Never leaves a run."""


def need(value: T | None) -> T:
    """A value an earlier step hands on (the order of `run.RUN_STEPS` ensures it)."""
    assert value is not None, "a run's steps are out of order"
    return value


@dataclass(frozen=True, slots=True)
class RunPorts:
    """What a run's steps read and write through, and where they report progress."""

    workbook: Workbook
    # None: a dry run of a workbook that has no state database yet.
    state: StateDB | None
    uploader: PdfUploader | None
    # In UTC: when the state records what a run did (`RunMoment` holds its start).
    clock: Callable[[], datetime]
    progress: Progress
    # Where emails go; None: a run that sends none (a check, a test without mail).
    mailer: Mailer | None = None
    # Every email this run handed over, across its plans again (`run_mail`).
    sent: list[Sent] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class StateFacts:
    """What the state database has drawn and billed, as a run plans from it."""

    billed: Mapping[str, BilledRow] = field(default_factory=dict)
    pending: tuple[Invoice, ...] = ()
    counters: Counters = field(default_factory=lambda: Counters({}, 0))
    drawn: tuple[str, ...] = ()
    withdrawn: tuple[str, ...] = ()
    # None: there is no state database (a dry run before the first run).
    path: Path | None = None
    # Each plan's periods decided, by Plan ID; plans told removed (False: back).
    recurring: Mapping[str, Sequence[PeriodRecord]] = field(default_factory=dict)
    removed_plans: Mapping[str, bool] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Checked:
    """The validated book and where the pending invoices of a stopped run stand."""

    data: BookData
    marks: BookMarks
    # The state's billed rows, less those of invoices never written.
    billed: Mapping[str, BilledRow]
    # Pending invoices the workbook shows (completed now) and never written (planned
    # again from the rows as they are).
    written: tuple[Invoice, ...]
    unwritten: tuple[Invoice, ...]
    match: PendingMatch


@dataclass(frozen=True, slots=True)
class Planned:
    """The invoices a run makes, and what it completes, withdraws and records."""

    data: BookData
    new: tuple[Invoice, ...]
    # Pending invoices of an interrupted run that the workbook already shows.
    pending: tuple[Invoice, ...]
    match: PendingMatch
    before: Counters
    after: Counters
    # Numbers of never-written pending invoices that `new` takes again.
    replaces: tuple[str, ...] = ()
    # Never-written numbers no invoice can take, with the reason.
    withdrawn: Mapping[str, str] = field(default_factory=dict)
    approvals: Approvals = field(default_factory=Approvals)
    waiting: tuple[WaitingRows, ...] = ()
    # The recurring plans' part (None: invoicing stopped, no plan decided).
    recurring: RecurringDrawn | None = None


@dataclass(frozen=True, slots=True)
class RunValues:
    """What the steps hand on to each other: read, decided, done."""

    config: Config
    name: str
    # Where the PDFs go, and the workbook's own folder (links are relative to it).
    folder: Path
    workbook_folder: Path | None
    snapshot: BookSnapshot
    # Read once with the moment; validation reports their problems.
    settings: Settings
    moment: RunMoment
    # What the Log's rows say the run did them at: its start, then (in a real run)
    # when its documents were made.
    now: datetime
    allow_future: bool = False
    settings_problems: tuple[Problem, ...] = ()
    # Every problem found so far, in the order found.
    problems: tuple[Problem, ...] = ()
    facts: StateFacts = field(default_factory=StateFacts)
    checked: Checked | None = None
    recorded_approvals: ApprovalState = field(default_factory=ApprovalState)
    unprintable: UnprintableText = field(default_factory=UnprintableText)
    planned: Planned | None = None
    logo: Logo | None = None
    # Invoice number -> what its PDF cell says (predicted by the plan, then made).
    links: Mapping[str, str] = field(default_factory=dict)
    rendered: int = 0
    writes: WritePlan | None = None
    is_written: bool = False
    # Invoices whose PDF the state records (read with the emails).
    documented: frozenset[str] = frozenset()
    mail: MailValues | None = None
    # The Invoices tab's rows and the problems of reading them, read once per
    # cycle (by the payment steps; sending takes them from here).
    invoices_read: tuple[tuple[InvoiceRow, ...], tuple[Problem, ...]] | None = None
    # The state's payments, then what the run does with the Payments tab.
    payments_read: PaymentsRead = field(default_factory=PaymentsRead)
    payments: PaymentsPlan | None = None


Outcome = tuple[RunValues, Sequence[Problem]]


# -- guards (real runs only) -----------------------------------------------------


def refuse_dates(values: RunValues, ports: RunPorts) -> Outcome:
    guards.refuse_dates(
        values.settings,
        need(ports.state),
        values.moment,
        allow_future=values.allow_future,
    )
    return values, ()


def check_writable(values: RunValues, ports: RunPorts) -> Outcome:
    ports.workbook.check_writable()
    if values.config.documents and not values.config.pdf_drive_folder:
        guards.check_folder_writable(values.folder)
    return values, ()


# -- reading and planning ----------------------------------------------------------


def read_state(values: RunValues, ports: RunPorts) -> Outcome:
    state = ports.state
    if state is None:
        return replace(values, facts=StateFacts()), ()
    facts = StateFacts(
        state.billed_rows(),
        tuple(state.pending_invoices()),
        state.counters(),
        tuple(state.invoice_numbers()),
        tuple(state.withdrawn_numbers()),
        state.path,
        state.recurring_history(),
        state.removed_plans(),
    )
    return replace(values, facts=facts), ()


def validate(values: RunValues) -> Outcome:
    """Every input row checked, against what the state billed and drew."""
    facts, config = values.facts, values.config
    marks = marks_in_book(locate_tabs(values.snapshot, config.aliases))
    written, unwritten = split_pending(facts.pending, marks)
    released = {s.row_id for i in unwritten for s in i.sources}
    billed = facts.billed
    if released:
        billed = {k: v for k, v in billed.items() if k not in released}
    data = validate_book(
        values.snapshot,
        today=values.moment.today,
        billed=billed,
        aliases=config.aliases,
        settings_read=(values.settings, values.settings_problems),
    )
    unknown = unknown_to_state(
        marks,
        facts.counters,
        (*facts.drawn, *facts.withdrawn),
        data.settings.number_pattern,
    )
    if unknown:
        raise StateMismatchError(
            [m for m in unknown if not ROW_ID.match(m)],
            [m for m in unknown if ROW_ID.match(m)],
            state_path=facts.path,
            workbook=values.name,
        )
    match = (
        match_pending(data, written) if written else PendingMatch({}, frozenset(), ())
    )
    checked = Checked(data, marks, billed, tuple(written), tuple(unwritten), match)
    return replace(values, checked=checked), (*data.problems, *match.problems)


def read_recorded_approvals(values: RunValues, ports: RunPorts) -> Outcome:
    checked = need(values.checked)
    recorded = known_approvals(
        ports.state,
        checked.data.layouts.get("Time Log"),
        leave_out=[i.number for i in checked.unwritten],
    )
    return replace(values, recorded_approvals=recorded), ()


def find_unprintable(values: RunValues, ports: RunPorts) -> Outcome:
    """The text no font prints (the fonts are read): rows it is on wait."""
    found = unprintable_text(need(values.checked).data, values.config)
    return replace(values, unprintable=found), ()


@dataclass(frozen=True, slots=True)
class _Drawn:
    new: tuple[Invoice, ...]
    after: Counters
    replaces: tuple[str, ...]
    withdrawn: Mapping[str, str]
    waiting: tuple[WaitingRows, ...]
    too_long: tuple[Problem, ...]
    recurring: RecurringDrawn | None = None


def plan_new_invoices(values: RunValues) -> Outcome:
    """The invoices to make (numbers drawn in the plan, recorded by `draw_numbers`),
    and why other rows wait."""
    checked, facts = need(values.checked), values.facts
    data = checked.data
    # Status is judged by sending's statuses (run_mail.plan_digest), every one.
    approvals = read_approvals(
        data.layouts, data.settings, values.recorded_approvals, sets_back_status=False
    )
    legal = legal_check(data)
    problems = [
        *blocking_problems(data),
        *approvals.problems,
        *threshold_problems(data),
        *legal.problems,
        *values.unprintable.problems,
    ]
    again = rows_billed_before(
        data.open_rows,
        checked.billed,
        checked.marks,
        (s.row_id for i in facts.pending for s in i.sources),
    )
    problems += [_billed_before(place, record) for place, record in again.items()]
    drawn = _draw(
        checked,
        values.unprintable,
        legal,
        again.keys(),
        values.moment.today,
        facts,
    )
    problems += drawn.too_long
    if facts.path is not None:
        recorded = {i.number for i in facts.pending}
        problems += own_row_problems(
            data.layouts,
            written=[n for n in facts.drawn if n not in recorded],
            pending={i.number for i in checked.written},
            new=list({i.number for i in drawn.new}),
        )
    planned = Planned(
        data,
        drawn.new,
        checked.written,
        checked.match,
        facts.counters,
        drawn.after,
        drawn.replaces,
        drawn.withdrawn,
        approvals,
        drawn.waiting,
        drawn.recurring,
    )
    if drawn.recurring is not None:
        problems += drawn.recurring.plan.problems
    return replace(values, planned=planned), problems


def _draw(
    checked: Checked,
    unprintable: UnprintableText,
    legal: LegalCheck,
    billed_again: AbstractSet[tuple[str, int]],
    today: date,
    facts: StateFacts,
) -> _Drawn:
    data = checked.data
    if is_invoicing_blocked(data.settings) or unprintable.stops_invoicing:
        # Nothing is planned: a stopped run's numbers wait, neither used nor withdrawn.
        waiting = held_back(data.waiting, valid_rows(data))
        return _Drawn((), facts.counters, (), {}, waiting, ())
    counters = facts.counters
    reuse, withdrawn = reusable_numbers(
        checked.unwritten, data.settings.number_pattern, today
    )
    entries, orders, held = _rows_to_bill(checked, unprintable, legal, billed_again)
    recurring, numbers = draw_recurring(
        data,
        held=held_plans(data.plans, unprintable, legal),
        history=facts.recurring,
        told_removed=facts.removed_plans,
        unwritten={i.number for i in checked.unwritten},
        lagging={i.number for i in checked.written},
        entries=entries,
        today=today,
        numbers=RecurringNumbers(counters, reuse, released_row_ids(checked.unwritten)),
    )
    reserved = recurring.plan.reserved
    if reserved:
        entries = [e for e in entries if (e.source.tab, e.source.row) not in reserved]
    new, after, too_long = _plan_fitting(
        data,
        entries,
        orders,
        today,
        numbers.counters,
        numbers.reuse,
        numbers.reuse_row_ids,
    )
    new = [*recurring.invoices, *new]
    taken = {i.number for i in new}
    withdrawn.extend(n for n in reuse if n not in taken)
    return _Drawn(
        tuple(new),
        after,
        tuple(n for n in reuse if n in taken),
        {n: _WITHDRAWN_REASON for n in withdrawn},
        waiting_with(data.waiting, held, recurring),
        tuple(too_long),
        recurring,
    )


def waiting_with(
    waiting: Sequence[WaitingRows],
    held: Sequence[tuple[str, int]],
    recurring: RecurringDrawn,
) -> tuple[WaitingRows, ...]:
    """The validation's waiting rows with the run's: rows held back, rows kept for
    their retainer's period, and rows kept for a held retainer."""
    return with_held(
        with_held(
            with_held(waiting, held), recurring.plan.waiting, WaitReason.RETAINER
        ),
        recurring.kept,
        WaitReason.RETAINER_HELD,
    )


def _rows_to_bill(
    checked: Checked,
    unprintable: UnprintableText,
    legal: LegalCheck,
    billed_again: AbstractSet[tuple[str, int]],
) -> tuple[Sequence[TimeEntry], Sequence[Order], list[tuple[str, int]]]:
    """The time entries and orders this run may bill, and the rows held back
    (text no font prints, a legal gap): not those a pending invoice took, nor those
    the state says were billed before."""
    data = checked.data
    consumed = checked.match.consumed | billed_again
    entries: Sequence[TimeEntry] = data.time_entries
    orders: Sequence[Order] = data.orders
    if consumed:
        entries = [e for e in entries if (e.source.tab, e.source.row) not in consumed]
        orders = [o for o in orders if (o.source.tab, o.source.row) not in consumed]
    rows: tuple[TimeEntry | Order, ...] = (*entries, *orders)
    held = held_rows(unprintable.held(rows), legal.held(rows))
    if held:
        entries = legal.allowed(unprintable.printable(entries))
        orders = legal.allowed(unprintable.printable(orders))
    return entries, orders, held


_WITHDRAWN_REASON = (
    "drawn by a run that stopped before the workbook showed it; the rows it was "
    "for are no longer waiting, so no invoice has this number"
)


def _plan_fitting(
    data: BookData,
    entries: Sequence[TimeEntry],
    orders: Sequence[Order],
    today: date,
    counters: Counters,
    reuse: Sequence[str],
    reuse_row_ids: Sequence[int],
) -> tuple[list[Invoice], Counters, list[Problem]]:
    """Invoices whose every cell fits the workbook; the customers of any that would
    not are left out (an Exceptions row each) and the rest planned again, so no
    number is drawn for an invoice that could never be written."""
    problems: list[Problem] = []
    while True:
        new, after = plan_invoices(
            customers=data.customers,
            entries=entries,
            orders=orders,
            settings=data.settings,
            today=today,
            counters=counters,
            reuse=reuse,
            reuse_row_ids=reuse_row_ids,
        )
        too_long = [p for i in new if (p := oversized_text(i)) is not None]
        if not too_long:
            return new, after, problems
        problems.extend(too_long)
        out = {p.customer_id for p in too_long}
        entries = [e for e in entries if e.customer_id not in out]
        orders = [o for o in orders if o.customer_id not in out]


def _billed_before(place: tuple[str, int], record: BilledRow) -> Problem:
    return Problem(
        code=ProblemCode.ROW_BILLED_BEFORE,
        tab=place[0],
        row=place[1],
        column="Invoice No",
        value="",
        problem=f"This row was billed on {record.invoice_no} as Row ID "
        f"{record.row_id} (the state database records it), but the workbook no "
        "longer shows that: it looks older than its state (restored from a backup, "
        "or saved over by another program). It is not billed again.",
        fix=f"Write {record.invoice_no} into Invoice No and {record.row_id} into "
        "Row ID, or open the newest copy in .sheetbill-backups/. If it is new work "
        "that only looks the same, change its Description.",
    )


def name_absent_columns(values: RunValues) -> Outcome:
    """The problems found so far, each that asks for a column its tab lacks saying
    how to get it (`with_absent_columns_named`: judged over all of them at once)."""
    layouts = need(values.checked).data.layouts
    named = with_absent_columns_named(values.problems, layouts)
    return replace(values, problems=tuple(named)), ()


# -- drawing and writing ------------------------------------------------------------


def draw_numbers(values: RunValues, ports: RunPorts) -> Outcome:
    """Record the new invoices as pending, their numbers and Row IDs drawn for good,
    before anything shows them; a withdrawn number's files go."""
    planned, state = need(values.planned), need(ports.state)
    recurring = planned.recurring
    if recurring is not None:
        record_recurring(
            state, recurring, run_id=values.moment.run_id, now=ports.clock()
        )
    if not planned.new and not planned.withdrawn:
        return values, ()
    ports.progress("Recording the new invoices")
    withdrawn_files = own_files_of(state, planned.withdrawn)
    state.record_pending(
        planned.new,
        after=planned.after,
        expected=planned.before,
        run_id=values.moment.run_id,
        now=ports.clock(),
        replaces=planned.replaces,
        withdrawn=planned.withdrawn,
        people=people_on(planned.new, planned.data.time_entries),
        awaiting=awaiting_numbers(planned.new, planned.data.settings),
        sends_itself=sending_themselves(planned),
        periods=recurring.records if recurring is not None else (),
    )
    remove_own_files(state, values.folder, withdrawn_files, now=ports.clock())
    return values, ()


def sending_themselves(planned: Planned) -> frozenset[str]:
    """The new invoices emailed by themselves: as Send Invoices says, and a
    recurring invoice as its plan's Auto Send says."""
    recurring = planned.recurring or RecurringDrawn()
    own = {i.number for i in recurring.invoices}
    every = planned.data.settings.send_invoices is SendInvoices.AUTOMATICALLY
    return frozenset(
        i.number
        for i in planned.new
        if (i.number in recurring.auto_send if i.number in own else every)
    )


def record_approvals(values: RunValues, ports: RunPorts) -> Outcome:
    record_run_approvals(
        need(ports.state),
        need(values.planned).approvals,
        run_id=values.moment.run_id,
        now=ports.clock(),
    )
    return values, ()


def find_logo(values: RunValues, ports: RunPorts) -> Outcome:
    """The Settings' logo for the PDFs (the file is read), or why it is left off."""
    logo, problems = company_logo(
        need(values.planned).data,
        values.config,
        workbook_folder=values.workbook_folder,
    )
    return replace(values, logo=logo), problems


def plan_documents(values: RunValues) -> Outcome:
    """The links the PDF cells get when every PDF is made: what a dry run shows.
    Drive links exist only once uploaded, and a dry run uploads nothing."""
    config, planned = values.config, need(values.planned)
    if not config.documents or config.pdf_drive_folder:
        return replace(values, links={}), ()
    links = predicted_links(
        (*planned.pending, *planned.new),
        folder=values.folder,
        workbook_folder=values.workbook_folder,
        prefix=config.pdf_link_prefix,
    )
    return replace(values, links=links), ()


def write_documents(values: RunValues, ports: RunPorts) -> Outcome:
    """Make the PDFs (and upload them): the links are those of what was made."""
    config = values.config
    if not config.documents:
        return replace(values, links={}, now=ports.clock()), ()
    planned, state = need(values.planned), need(ports.state)
    # An approved invoice's PDF is made again, without the DRAFT mark.
    approved = state.invoices(list(planned.approvals.approved))
    published = publish(
        state,
        planned.data,
        (*planned.pending, *planned.new, *approved),
        config,
        folder=values.folder,
        workbook_folder=values.workbook_folder,
        run_id=values.moment.run_id,
        now=ports.clock(),
        progress=ports.progress,
        uploader=ports.uploader,
        drafts=draft_numbers(
            (*planned.pending, *planned.new), planned.data.settings, planned.approvals
        ),
        logo=values.logo,
    )
    done = replace(
        values, links=published.links, rendered=published.rendered, now=ports.clock()
    )
    return done, published.problems


def plan_writeback(values: RunValues) -> Outcome:
    """Every cell the run writes: invoices, marks on billed rows, Exceptions, Log."""
    planned = need(values.planned)
    writes = plan_writes(
        planned.data,
        new=planned.new,
        pending_invoices=planned.pending,
        pending=planned.match,
        problems=values.problems,
        today=values.moment.today,
        now=values.now,
        run_id=values.moment.run_id,
        pdf_links=values.links,
        withdrawn=planned.withdrawn,
        approved=planned.approvals.approved,
        restored=planned.approvals.restored,
        creators=planned.approvals.created_by,
        cells=_invoice_cells(values),
        emails=[(s.email.key, s.details) for s in values.mail.sent]
        if values.mail is not None
        else (),
        payments=_with_receipts(values),
        plan_cells=planned.recurring.cells if planned.recurring else (),
        plan_log=planned.recurring.logged if planned.recurring else (),
    )
    return replace(values, writes=writes), ()


def _with_receipts(values: RunValues) -> PaymentsPlan | None:
    """The Payments cells with each payment's Receipt Sent, from the emails the
    journal holds after this run's sending."""
    if values.payments is None or values.mail is None:
        return values.payments
    zone = ZoneInfo(values.settings.timezone)
    return with_receipts(values.payments, values.mail.history, zone=zone)


def _invoice_cells(values: RunValues) -> dict[str, InvoiceCells]:
    """Status, Balance, Sent At, Reminder Stage and Last Reminder of each invoice,
    from the emails the journal holds after this run's sending (`run_mail`)."""
    return dict(values.mail.cells) if values.mail is not None else {}


def write_workbook(values: RunValues, ports: RunPorts) -> Outcome:
    changes = need(values.writes).changes
    if changes.is_empty:
        return values, ()
    ports.progress("Writing the workbook")
    try:
        ports.workbook.apply(changes, expected_version=values.snapshot.version)
    except WorkbookChangedError as exc:
        raise SavedMeanwhileError from exc
    return replace(values, is_written=True), ()


def record_written(values: RunValues, ports: RunPorts) -> Outcome:
    """The workbook shows the invoices and approvals: the state says so."""
    planned, state = need(values.planned), need(ports.state)
    numbers = [i.number for i in (*planned.pending, *planned.new)]
    if numbers:
        state.mark_written(numbers, run_id=values.moment.run_id, now=ports.clock())
    mark_approvals_shown(state, planned.approvals.approved, now=ports.clock())
    shown = {n: c.status for n, c in _invoice_cells(values).items()}
    before = state.shown_statuses()
    changed = {n: s for n, s in shown.items() if before.get(n) != s}
    state.record_shown_statuses(changed, run_id=values.moment.run_id, now=ports.clock())
    if values.payments is not None:
        # Imported here, not at the top: run_payments builds on this module.
        from sheetbill.usecases.run_payments import mark_payments_written

        mark_payments_written(values, ports)
    return values, ()


def known_approvals(
    state: StateDB | None, time_log: TabLayout | None, *, leave_out: Iterable[str] = ()
) -> ApprovalState:
    """What `read_approvals` judges by: the state's records with the people on each
    invoice (`approval_state`); `leave_out`: numbers planned again (drawn by
    a run that never wrote them)."""
    if state is None:
        return ApprovalState()
    records = approval_records(state)
    for number in leave_out:
        records.pop(number, None)
    return approval_state(records, billed_time(state), time_log)
