"""The use cases: check a workbook, run a billing cycle, set up a workbook.

Each ties the adapters to the pure core: load → validate → plan → record intent → write
→ record outcome. The CLI calls exactly one of these and prints what it returns.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sheetbill.config import Config
from sheetbill.domain.model import Invoice, Order, Problem, Settings, TimeEntry
from sheetbill.domain.sheet import BookSnapshot
from sheetbill.domain.shoptime import run_id_for
from sheetbill.domain.waiting import WaitingRows, held_back, with_held
from sheetbill.errors import (
    SheetbillError,
    StateMismatchError,
    WorkbookChangedError,
)
from sheetbill.garbage_collection import (
    cycle_collection_paused,
    frozen_objects_released,
)
from sheetbill.planning.approvals import (
    Approvals,
    ApprovalState,
    awaiting_approval,
    awaiting_numbers,
    draft_numbers,
    people_on,
    read_approvals,
    threshold_problems,
)
from sheetbill.planning.invoices import Counters, oversized_text, plan_invoices
from sheetbill.planning.recovery import (
    ROW_ID,
    marks_in_book,
    released_row_ids,
    reusable_numbers,
    rows_billed_before,
    split_pending,
    unknown_to_state,
)
from sheetbill.ports import PdfUploader, Workbook
from sheetbill.state import StateDB, forget_if_empty, run_lock
from sheetbill.state.approvals import (
    known_approvals,
    mark_approvals_shown,
    record_run_approvals,
)
from sheetbill.tabs.e_invoices import e_invoice_gaps
from sheetbill.tabs.exceptions import problems_set_aside
from sheetbill.tabs.headers import with_absent_columns_named
from sheetbill.tabs.legal import legal_check
from sheetbill.tabs.own_rows import own_row_problems
from sheetbill.tabs.printable import UnprintableText
from sheetbill.tabs.seller import missing_seller_details, seller_problems
from sheetbill.tabs.settings import INVOICE_SETTINGS, read_settings
from sheetbill.tabs.validation import BilledRow, BookData, locate_tabs, validate_book
from sheetbill.usecases.guards import check_folder_writable, refuse_dates
from sheetbill.usecases.publish import (
    Published,
    company_logo,
    own_files_of,
    predicted_links,
    publish,
    remove_own_files,
)
from sheetbill.usecases.results import CheckResult, RunResult
from sheetbill.writeback.plan import PendingMatch, match_pending, plan_writes

# How often a run re-reads and re-plans when a person saved the workbook meanwhile.
REPLAN_ATTEMPTS = 3

Progress = Callable[[str], None]


def _quiet(step: str) -> None:
    return None


def _settings_of(snapshot: BookSnapshot, config: Config) -> Settings:
    settings_layout = locate_tabs(snapshot, config.aliases).get("Settings")
    settings, _ = read_settings(settings_layout.table if settings_layout else None)
    return settings


def today_for(snapshot: BookSnapshot, config: Config, as_of: date | None) -> date:
    """`--as-of`, else today in the workbook's Settings time zone."""
    if as_of is not None:
        return as_of
    zone = _settings_of(snapshot, config).timezone
    return datetime.now(ZoneInfo(zone)).date()


@frozen_objects_released()
def check_workbook(
    workbook: Workbook, config: Config, *, as_of: date | None, state_path: Path | None
) -> CheckResult:
    """Validate only: nothing is written, not even the state database."""
    snapshot = workbook.read()
    today = today_for(snapshot, config, as_of)
    billed: dict[str, BilledRow] = {}
    counters, known = Counters({}, 0), list[str]()
    approvals = ApprovalState()
    if state_path is not None and state_path.exists():
        with StateDB.for_reading(state_path) as state:
            if state.has_tables():  # an emptied file is a state with nothing drawn
                billed = state.billed_rows()
                counters = state.counters()
                known = [*state.invoice_numbers(), *state.withdrawn_numbers()]
                time_log = locate_tabs(snapshot, config.aliases).get("Time Log")
                approvals = known_approvals(state, time_log)
    with cycle_collection_paused():
        data = validate_book(
            snapshot, today=today, billed=billed, aliases=config.aliases
        )
    unknown = unknown_to_state(
        marks_in_book(data.layouts), counters, known, data.settings.number_pattern
    )
    path = getattr(workbook, "path", None)
    _, logo_problems = company_logo(
        data,
        config,
        workbook_folder=path.parent if isinstance(path, Path) else None,
    )
    unprintable = _unprintable(data, config)
    legal = legal_check(data)
    problems = (
        *data.problems,
        *_blocking_problems(data),
        *logo_problems,
        *unprintable.problems,
        *([_unknown_problem(unknown, workbook.name)] if unknown else []),
        *read_approvals(data.layouts, data.settings, approvals).problems,
        *threshold_problems(data),
        *legal.problems,
    )
    problems = tuple(with_absent_columns_named(problems, data.layouts))
    counts = {
        "customers": len(data.customers),
        "rates": len(data.rates),
        "billable time entries": len(data.time_entries),
        "billable orders": len(data.orders),
    }
    waiting = data.waiting
    if _is_invoicing_blocked(data.settings) or unprintable.stops_invoicing:
        waiting = held_back(waiting, _valid_rows(data))
    else:
        rows: tuple[TimeEntry | Order, ...] = (*data.time_entries, *data.orders)
        held = _held(unprintable.held(rows), legal.held(rows))
        waiting = with_held(waiting, held)
    ignored = problems_set_aside(problems, data.layouts)
    return CheckResult(
        workbook.name,
        today,
        tuple(problems),
        counts,
        waiting,
        time_zone=data.settings.timezone,
        ignored=ignored,
    )


def _held(*found: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """The rows held back by any exception, each once."""
    return list(dict.fromkeys(row for rows in found for row in rows))


def _valid_rows(data: BookData) -> list[tuple[str, int]]:
    return [
        (s.tab, s.row)
        for s in (
            *(e.source for e in data.time_entries),
            *(o.source for o in data.orders),
        )
    ]


def _unknown_problem(unknown: Sequence[str], name: str) -> Problem:
    return Problem(
        "Invoices",
        None,
        "Invoice No",
        ", ".join(unknown[:4]) + (" …" if len(unknown) > 4 else ""),
        "The workbook shows invoice numbers or Row IDs that its state database "
        "never drew (it is missing, empty, or another copy's): a run would stop.",
        f"Put the right state database back, or run: sheetbill state rebuild {name}",
    )


def _blocking_problems(data: BookData) -> list[Problem]:
    """The seller's missing name or address (no invoice goes out without them) and
    the warning that invoices give no bank details. A Number Pattern that cannot make
    numbers is refused where Settings are read (it is then unreadable)."""
    return seller_problems(data.settings, data.layouts.get("Settings"))


def _is_invoicing_blocked(settings: Settings) -> bool:
    """No invoice is made while a setting every invoice needs cannot be read (Number
    Pattern among them) or the seller's name or address is missing. Decided from the
    settings themselves, never from a message's words."""
    return bool(settings.unreadable & INVOICE_SETTINGS) or bool(
        missing_seller_details(settings)
    )


@frozen_objects_released()
def run_billing(
    workbook: Workbook,
    config: Config,
    *,
    state_path: Path,
    as_of: date | None,
    is_dry_run: bool,
    progress: Progress = _quiet,
    now: Callable[[], datetime] | None = None,
    allow_future: bool = False,
) -> RunResult:
    """One billing cycle, holding the run lock from before the workbook is read.

    Order (crash safety): lock → read → refuse early what cannot be written →
    plan → record new invoices as pending (numbers drawn) → make their PDFs →
    write the workbook → mark them written. Raises DateError for an `as_of` after
    today (unless `allow_future`) or before the last issued invoice of its series,
    StateMismatchError when the workbook shows numbers this state never drew.
    """
    clock = now or (lambda: datetime.now(UTC))
    # File-backed workbooks have a folder; PDF links are made relative to it.
    path = getattr(workbook, "path", None)
    started = clock()
    token = secrets.token_hex(2)
    run = _Run(
        workbook,
        config,
        # In UTC until the workbook's Settings name the shop's time zone.
        run_id=run_id_for(started, "UTC", token),
        clock=clock,
        progress=progress,
        folder=config.pdf_folder_for(state_path),
        workbook_folder=path.parent if isinstance(path, Path) else None,
        uploader=_uploader(workbook, config),
    )
    if is_dry_run and not state_path.exists():
        progress("Reading the workbook")
        with cycle_collection_paused():
            snapshot = workbook.read()
            today = today_for(snapshot, config, as_of)
            run = run.in_zone(snapshot, started, token)
            return run.dry_result(
                _plan(snapshot, config, None, today, progress, name=workbook.name)
            )
    progress("Waiting for other runs of this workbook")
    with run_lock(state_path, timeout=config.lock_timeout):
        progress("Reading the workbook")
        # One pause over reading and planning (each also pauses on its own, for
        # other callers): the collector then sorts the run's objects away once.
        with cycle_collection_paused():
            snapshot = workbook.read()
            today = today_for(snapshot, config, as_of)
        run = run.in_zone(snapshot, started, token)
        # Opened only now, so an unreadable workbook leaves no state database; one
        # made by a run refused before it drew anything is removed again.
        existed = state_path.exists()
        try:
            with StateDB(state_path, is_locked=True) as state:
                if is_dry_run:
                    return run.dry_result(
                        _plan(
                            snapshot, config, state, today, progress, name=workbook.name
                        )
                    )
                refuse_dates(
                    _settings_of(snapshot, config), state, today, clock(), allow_future
                )
                progress("Checking that the workbook can be written")
                workbook.check_writable()
                if config.documents and not config.pdf_drive_folder:
                    check_folder_writable(run.folder)
                return run.write(state, snapshot, today)
        except SheetbillError:
            if not existed:
                forget_if_empty(state_path)
            raise


@dataclass(frozen=True, slots=True)
class _Run:
    """What one run's steps share: its adapters, id, clock and where PDFs go."""

    workbook: Workbook
    config: Config
    run_id: str
    clock: Callable[[], datetime]
    progress: Progress
    folder: Path
    workbook_folder: Path | None
    uploader: PdfUploader | None

    def in_zone(self, snapshot: BookSnapshot, started: datetime, token: str) -> _Run:
        """This run with its id in the shop's time zone, as the Log shows times."""
        zone = _settings_of(snapshot, self.config).timezone
        return replace(self, run_id=run_id_for(started, zone, token))

    def dry_result(self, planned: Planned) -> RunResult:
        """The plan as a result, with the PDF links a real run would write."""
        links = _predicted(planned, self.config, self.folder, self.workbook_folder)
        _, logo_problems = company_logo(
            planned.data, self.config, workbook_folder=self.workbook_folder
        )
        return _result(
            planned,
            links,
            logo_problems,
            name=self.workbook.name,
            run_id=self.run_id,
            now=self.clock(),
            is_dry_run=True,
        )

    def write(self, state: StateDB, snapshot: BookSnapshot, today: date) -> RunResult:
        """Plan, record, publish, write; again from a fresh read (up to
        REPLAN_ATTEMPTS times) when a person saved the workbook meanwhile."""
        workbook, config, progress = self.workbook, self.config, self.progress
        for attempt in range(REPLAN_ATTEMPTS):
            if attempt:
                progress("The workbook changed meanwhile: reading it again")
                snapshot = workbook.read()
            planned = _plan(
                snapshot, config, state, today, progress, name=workbook.name
            )
            if planned.new or planned.withdrawn:
                progress("Recording the new invoices")
                withdrawn_files = own_files_of(state, planned.withdrawn)
                state.record_pending(
                    planned.new,
                    after=planned.after,
                    expected=planned.before,
                    run_id=self.run_id,
                    now=self.clock(),
                    replaces=planned.replaces,
                    withdrawn=planned.withdrawn,
                    people=people_on(planned.new, planned.data.time_entries),
                    awaiting=awaiting_numbers(planned.new, planned.data.settings),
                )
                remove_own_files(state, self.folder, withdrawn_files, now=self.clock())
            record_run_approvals(
                state, planned.approvals, run_id=self.run_id, now=self.clock()
            )
            published = Published({}, (), 0)
            logo, logo_problems = company_logo(
                planned.data, config, workbook_folder=self.workbook_folder
            )
            if config.documents:
                # An approved invoice's PDF is made again, without the DRAFT mark.
                approved = state.invoices(list(planned.approvals.approved))
                published = publish(
                    state,
                    planned.data,
                    (*planned.pending, *planned.new, *approved),
                    config,
                    folder=self.folder,
                    workbook_folder=self.workbook_folder,
                    run_id=self.run_id,
                    now=self.clock(),
                    progress=progress,
                    uploader=self.uploader,
                    drafts=draft_numbers(
                        (*planned.pending, *planned.new),
                        planned.data.settings,
                        planned.approvals,
                    ),
                    logo=logo,
                )
            result = _result(
                planned,
                published.links,
                (*logo_problems, *published.problems),
                name=workbook.name,
                run_id=self.run_id,
                now=self.clock(),
                is_dry_run=False,
            )
            if not result.changes.is_empty:
                progress("Writing the workbook")
                try:
                    workbook.apply(result.changes, expected_version=snapshot.version)
                except WorkbookChangedError:
                    continue
            numbers = [i.number for i in (*result.recovered, *result.invoices)]
            if numbers:
                state.mark_written(numbers, run_id=self.run_id, now=self.clock())
            mark_approvals_shown(state, planned.approvals.approved, now=self.clock())
            return replace(
                result,
                is_written=not result.changes.is_empty,
                replans=attempt,
                pdfs_rendered=published.rendered,
            )
        raise WorkbookChangedError(
            "the workbook keeps changing while sheetbill writes; nothing new was "
            "written. Run again when nobody is saving it",
            path=workbook.name,
        )


@dataclass(frozen=True, slots=True)
class Planned:
    """The pure part of a run: validated book, invoices to write, counters."""

    data: BookData
    new: tuple[Invoice, ...]
    # Pending invoices of an interrupted run that the workbook already shows.
    pending: tuple[Invoice, ...]
    match: PendingMatch
    problems: tuple[Problem, ...]
    before: Counters
    after: Counters
    today: date
    # Numbers of never-written pending invoices that `new` takes again.
    replaces: tuple[str, ...] = ()
    # Never-written numbers no invoice can take, with the reason.
    withdrawn: Mapping[str, str] = field(default_factory=dict)
    approvals: Approvals = field(default_factory=Approvals)
    waiting: tuple[WaitingRows, ...] = ()


@cycle_collection_paused()
def _plan(
    snapshot: BookSnapshot,
    config: Config,
    state: StateDB | None,
    today: date,
    progress: Progress,
    *,
    name: str,
) -> Planned:
    progress("Checking every row")
    layouts = locate_tabs(snapshot, config.aliases)
    marks = marks_in_book(layouts)
    billed = state.billed_rows() if state else {}
    pending = state.pending_invoices() if state else []
    counters = state.counters() if state else Counters({}, 0)
    drawn_numbers = state.invoice_numbers() if state else []
    known = [*drawn_numbers, *state.withdrawn_numbers()] if state else []
    written, unwritten = split_pending(pending, marks)
    released = {s.row_id for i in unwritten for s in i.sources}
    if released:
        billed = {k: v for k, v in billed.items() if k not in released}
    data = validate_book(snapshot, today=today, billed=billed, aliases=config.aliases)
    unknown = unknown_to_state(marks, counters, known, data.settings.number_pattern)
    if unknown:
        raise StateMismatchError(
            [m for m in unknown if not ROW_ID.match(m)],
            [m for m in unknown if ROW_ID.match(m)],
            state_path=state.path if state else None,
            workbook=name,
        )
    match = (
        match_pending(data, written) if written else PendingMatch({}, frozenset(), ())
    )
    recorded = known_approvals(
        state,
        data.layouts.get("Time Log"),
        leave_out=[i.number for i in unwritten],
    )
    approvals = read_approvals(data.layouts, data.settings, recorded)
    unprintable = _unprintable(data, config)
    legal = legal_check(data)
    problems = [
        *data.problems,
        *match.problems,
        *_blocking_problems(data),
        *approvals.problems,
        *threshold_problems(data),
        *legal.problems,
        *unprintable.problems,
    ]
    again = rows_billed_before(
        data.open_rows, billed, marks, (s.row_id for i in pending for s in i.sources)
    )
    problems += [_billed_before(place, record) for place, record in again.items()]
    progress("Planning invoices")
    new: list[Invoice] = []
    after = counters
    reuse, withdrawn = reusable_numbers(unwritten, data.settings.number_pattern, today)
    if not _is_invoicing_blocked(data.settings) and not (unprintable.stops_invoicing):
        consumed = match.consumed | again.keys()
        entries: Sequence[TimeEntry] = data.time_entries
        orders: Sequence[Order] = data.orders
        if consumed:
            entries = [
                e for e in entries if (e.source.tab, e.source.row) not in consumed
            ]
            orders = [o for o in orders if (o.source.tab, o.source.row) not in consumed]
        rows: tuple[TimeEntry | Order, ...] = (*entries, *orders)
        held = _held(unprintable.held(rows), legal.held(rows))
        if held:
            entries = legal.allowed(unprintable.printable(entries))
            orders = legal.allowed(unprintable.printable(orders))
        new, after, too_long = _plan_fitting(
            data, entries, orders, today, counters, reuse, released_row_ids(unwritten)
        )
        problems.extend(too_long)
        taken = {i.number for i in new}
        withdrawn.extend(n for n in reuse if n not in taken)
        waiting = with_held(data.waiting, held)
    else:
        # Nothing is planned: a stopped run's numbers wait, neither used nor withdrawn.
        taken, reuse, withdrawn = set(), [], []
        waiting = held_back(data.waiting, _valid_rows(data))
    if state is not None:
        drawn = {i.number for i in pending}
        problems += own_row_problems(
            data.layouts,
            written=[n for n in drawn_numbers if n not in drawn],
            pending={i.number for i in written},
            new=list(taken),
        )
    return Planned(
        data,
        tuple(new),
        tuple(written),
        match,
        tuple(with_absent_columns_named(problems, data.layouts)),
        counters,
        after,
        today,
        tuple(n for n in reuse if n in taken),
        {n: _WITHDRAWN_REASON for n in withdrawn},
        approvals,
        waiting,
    )


def _unprintable(data: BookData, config: Config) -> UnprintableText:
    """The cells no font of sheetbill can print, and the customers whose e-invoices
    lack what their profile requires: both hold rows back before any number is
    drawn. None when no PDFs (nor e-invoices) are made."""
    if not config.documents:
        return UnprintableText()
    from sheetbill.documents.fonts import unprintable_cells

    found = unprintable_cells(data)
    gaps = e_invoice_gaps(data)
    if not gaps.problems and not gaps.customers:
        return found
    return replace(
        found,
        problems=(*found.problems, *gaps.problems),
        customers=found.customers | gaps.customers,
    )


def _billed_before(place: tuple[str, int], record: BilledRow) -> Problem:
    return Problem(
        place[0],
        place[1],
        "Invoice No",
        "",
        f"This row was billed on {record.invoice_no} as Row ID {record.row_id} (the "
        "state database records it), but the workbook no longer shows that: it looks "
        "older than its state (restored from a backup, or saved over by another "
        "program). It is not billed again.",
        f"Write {record.invoice_no} into Invoice No and {record.row_id} into Row ID, "
        "or open the newest copy in .sheetbill-backups/. If it is new work that only "
        "looks the same, change its Description.",
    )


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


def _uploader(workbook: Workbook, config: Config) -> PdfUploader | None:
    """The Drive folder PDFs go to, when `pdf_drive_folder` is set (Google only)."""
    if not config.documents or not config.pdf_drive_folder:
        return None
    from sheetbill.workbook.google.drive import drive_folder_for

    return drive_folder_for(workbook, config)


def _predicted(
    planned: Planned, config: Config, folder: Path, workbook_folder: Path | None
) -> dict[str, str]:
    # Drive links exist only once uploaded; a dry run uploads nothing.
    if not config.documents or config.pdf_drive_folder:
        return {}
    return predicted_links(
        (*planned.pending, *planned.new),
        folder=folder,
        workbook_folder=workbook_folder,
        prefix=config.pdf_link_prefix,
    )


@cycle_collection_paused()
def _result(
    planned: Planned,
    links: Mapping[str, str],
    more: Sequence[Problem],
    *,
    name: str,
    run_id: str,
    now: datetime,
    is_dry_run: bool,
) -> RunResult:
    problems = (*planned.problems, *more)
    plan = plan_writes(
        planned.data,
        new=planned.new,
        pending_invoices=planned.pending,
        pending=planned.match,
        problems=problems,
        today=planned.today,
        now=now,
        run_id=run_id,
        pdf_links=links,
        withdrawn=planned.withdrawn,
        approved=planned.approvals.approved,
        restored=planned.approvals.restored,
        creators=planned.approvals.created_by,
    )
    return RunResult(
        workbook=name,
        today=planned.today,
        run_id=run_id,
        is_dry_run=is_dry_run,
        invoices=planned.new,
        recovered=planned.pending,
        problems=problems,
        changes=plan.changes,
        exceptions_opened=plan.exceptions_opened,
        exceptions_closed=plan.exceptions_closed,
        withdrawn=tuple(planned.withdrawn),
        waiting=planned.waiting,
        approved={n: a for n, (_, a) in planned.approvals.approved.items()},
        awaiting_approval=awaiting_approval(
            planned.approvals,
            (*planned.pending, *planned.new),
            rows=plan.invoice_rows,
            column=plan.approve_column,
            settings=planned.data.settings,
            entries=planned.data.time_entries,
        ),
        time_zone=planned.data.settings.timezone,
        ignored=plan.ignored,
    )


__all__ = ["CheckResult", "RunResult", "check_workbook", "run_billing"]
