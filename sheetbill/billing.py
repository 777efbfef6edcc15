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

from sheetbill.collection import cycle_collection_paused, frozen_objects_released
from sheetbill.config import Config
from sheetbill.errors import WorkbookChangedError
from sheetbill.invoicing import Counters, plan_invoices
from sheetbill.model import Invoice, Order, Problem, Severity, TimeEntry
from sheetbill.numbering import NumberPattern
from sheetbill.ownrows import own_row_problems
from sheetbill.publishing import PdfUploader, Published, predicted_links, publish
from sheetbill.settings import read_settings
from sheetbill.state import StateDB
from sheetbill.validation import BilledRow, BookData, locate_tabs, validate_book
from sheetbill.workbook.base import BookSnapshot, Workbook, WorkbookChanges
from sheetbill.writeplan import PendingMatch, match_pending, plan_writes

# How often a run re-reads and re-plans when a person saved the workbook meanwhile.
REPLAN_ATTEMPTS = 3

Progress = Callable[[str], None]


def _quiet(step: str) -> None:
    return None


@dataclass(frozen=True, slots=True)
class RunResult:
    """What a run did (or, for a dry run, would do)."""

    workbook: str
    today: date
    run_id: str
    is_dry_run: bool
    invoices: tuple[Invoice, ...]
    # Invoices drawn by an interrupted run that this run completed.
    recovered: tuple[Invoice, ...]
    problems: tuple[Problem, ...]
    changes: WorkbookChanges
    exceptions_opened: int = 0
    exceptions_closed: int = 0
    is_written: bool = False
    replans: int = 0
    pdfs_rendered: int = 0

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0


@dataclass(frozen=True, slots=True)
class CheckResult:
    workbook: str
    today: date
    problems: tuple[Problem, ...]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0


def today_for(snapshot: BookSnapshot, config: Config, as_of: date | None) -> date:
    """`--as-of`, else today in the workbook's Settings time zone."""
    if as_of is not None:
        return as_of
    settings_layout = locate_tabs(snapshot, config.aliases).get("Settings")
    settings, _ = read_settings(settings_layout.table if settings_layout else None)
    return datetime.now(ZoneInfo(settings.timezone)).date()


@frozen_objects_released()
def check_workbook(
    workbook: Workbook, config: Config, *, as_of: date | None, state_path: Path | None
) -> CheckResult:
    """Validate only: nothing is written, not even the state database."""
    snapshot = workbook.read()
    today = today_for(snapshot, config, as_of)
    billed: dict[str, BilledRow] = {}
    if state_path is not None and state_path.exists():
        with StateDB(state_path, lock_timeout=config.lock_timeout) as state:
            billed = state.billed_rows()
    with cycle_collection_paused():
        data = validate_book(
            snapshot, today=today, billed=billed, aliases=config.aliases
        )
    problems = (*data.problems, *_blocking_problems(data))
    counts = {
        "customers": len(data.customers),
        "rates": len(data.rates),
        "billable time entries": len(data.time_entries),
        "billable orders": len(data.orders),
    }
    return CheckResult(workbook.name, today, tuple(problems), counts)


def _blocking_problems(data: BookData) -> list[Problem]:
    """Problems that stop all invoicing (nothing else may guess a number pattern)."""
    try:
        NumberPattern(data.settings.number_pattern)
    except ValueError:
        return [
            Problem(
                "Settings",
                None,
                "Value",
                data.settings.number_pattern,
                "The number pattern cannot make invoice numbers.",
                "Fix 'Number Pattern' in Settings, e.g. INV-{yyyy}-{seq:04}.",
            )
        ]
    return []


def _is_invoicing_blocked(problems: Sequence[Problem]) -> bool:
    return any(
        p.tab == "Settings"
        and "Number Pattern" in p.problem
        and p.severity is Severity.ERROR
        for p in problems
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
) -> RunResult:
    """One billing cycle. Reads first, so an unreadable file leaves no state behind.

    Order (crash safety): plan → record new invoices as pending (numbers drawn) →
    make their PDFs → write the workbook → mark them written.
    """
    clock = now or (lambda: datetime.now(UTC))
    run_id = clock().strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)
    # File-backed workbooks have a folder; PDF links are made relative to it.
    workbook_folder = getattr(workbook, "path", None)
    workbook_folder = (
        workbook_folder.parent if isinstance(workbook_folder, Path) else None
    )
    folder = config.pdf_folder_for(state_path)
    uploader = _uploader(workbook, config)

    def dry_result(planned: Planned) -> RunResult:
        """The plan as a result, with the PDF links a real run would write."""
        links = _predicted(planned, config, folder, workbook_folder)
        return _result(
            planned,
            links,
            (),
            name=workbook.name,
            run_id=run_id,
            now=clock(),
            is_dry_run=True,
        )

    progress("Reading the workbook")
    # One pause over reading and planning (each also pauses on its own, for other
    # callers): the collector then sorts the run's objects away once, not per step.
    with cycle_collection_paused():
        snapshot = workbook.read()
        today = today_for(snapshot, config, as_of)
        if is_dry_run and not state_path.exists():
            planned = _plan(snapshot, config, None, today=today, progress=progress)
            return dry_result(planned)
    with StateDB(state_path, lock_timeout=config.lock_timeout) as state:
        for attempt in range(REPLAN_ATTEMPTS):
            if attempt:
                progress("The workbook changed meanwhile: reading it again")
                snapshot = workbook.read()
            planned = _plan(snapshot, config, state, today=today, progress=progress)
            if is_dry_run:
                return dry_result(planned)
            if planned.new:
                progress("Recording the new invoices")
                state.record_pending(
                    planned.new,
                    after=planned.after,
                    expected=planned.before,
                    run_id=run_id,
                    now=clock(),
                )
            published = Published({}, (), 0)
            if config.documents:
                published = publish(
                    state,
                    planned.data,
                    (*planned.pending, *planned.new),
                    config,
                    folder=folder,
                    workbook_folder=workbook_folder,
                    run_id=run_id,
                    now=clock(),
                    progress=progress,
                    uploader=uploader,
                )
            result = _result(
                planned,
                published.links,
                published.problems,
                name=workbook.name,
                run_id=run_id,
                now=clock(),
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
                state.mark_written(numbers, run_id=run_id, now=clock())
            return replace(
                result,
                is_written=not result.changes.is_empty,
                replans=attempt,
                pdfs_rendered=published.rendered,
            )
    raise WorkbookChangedError(
        "the workbook keeps changing while sheetbill writes; nothing new was written. "
        "Run again when nobody is saving it",
        path=workbook.name,
    )


@dataclass(frozen=True, slots=True)
class Planned:
    """The pure part of a run: validated book, invoices to write, counters."""

    data: BookData
    new: tuple[Invoice, ...]
    pending: tuple[Invoice, ...]
    match: PendingMatch
    problems: tuple[Problem, ...]
    before: Counters
    after: Counters
    today: date


@cycle_collection_paused()
def _plan(
    snapshot: BookSnapshot,
    config: Config,
    state: StateDB | None,
    *,
    today: date,
    progress: Progress,
) -> Planned:
    progress("Checking every row")
    billed = state.billed_rows() if state else {}
    pending = state.pending_invoices() if state else []
    counters = state.counters() if state else Counters({}, 0)
    data = validate_book(snapshot, today=today, billed=billed, aliases=config.aliases)
    match = (
        match_pending(data, pending) if pending else PendingMatch({}, frozenset(), ())
    )
    problems = [*data.problems, *match.problems, *_blocking_problems(data)]
    progress("Planning invoices")
    new: list[Invoice] = []
    after = counters
    if not _is_invoicing_blocked(problems):
        consumed = match.consumed
        entries: Sequence[TimeEntry] = data.time_entries
        orders: Sequence[Order] = data.orders
        if consumed:
            entries = [
                e for e in entries if (e.source.tab, e.source.row) not in consumed
            ]
            orders = [o for o in orders if (o.source.tab, o.source.row) not in consumed]
        new, after = plan_invoices(
            customers=data.customers,
            entries=entries,
            orders=orders,
            settings=data.settings,
            today=today,
            counters=counters,
        )
    if state is not None:
        drawn = {i.number for i in pending}
        problems += own_row_problems(
            data.layouts,
            written=[n for n in state.invoice_numbers() if n not in drawn],
            pending=drawn,
            new=[i.number for i in new],
        )
    return Planned(
        data, tuple(new), tuple(pending), match, tuple(problems), counters, after, today
    )


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
    )


__all__ = ["CheckResult", "RunResult", "check_workbook", "run_billing"]
