"""The `run` command: one billing cycle, as an ordered list of named steps.

Each step is a pure `plan` (decided from the values the steps before it handed on)
and an `apply` over the ports (workbook, state database, PDF folder), each returning
the values for the next step and the problems it found, as beancount's loader runs
its transformations. A dry run goes through the same steps: those that only read
are applied, the others stop at their plan, which is then the prediction (the PDF
links, the cells the write plan holds). The order is crash safety's: numbers are
drawn before anything shows them, PDFs are made before the workbook links them, and
invoices are marked written only once the workbook shows them.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

from sheetbill.config import Config
from sheetbill.domain.model import Problem
from sheetbill.errors import (
    SheetbillError,
    WorkbookChangedError,
)
from sheetbill.garbage_collection import (
    cycle_collection_paused,
    frozen_objects_released,
)
from sheetbill.planning.approvals import awaiting_approval
from sheetbill.ports import Mailer, PdfUploader, Workbook
from sheetbill.state import StateDB, forget_if_empty, run_lock
from sheetbill.usecases import run_mail as mail
from sheetbill.usecases import run_payments as payments
from sheetbill.usecases import run_steps as steps
from sheetbill.usecases.moment import RunMoment, settings_of
from sheetbill.usecases.results import RunResult
from sheetbill.usecases.run_recurring import recurring_lines
from sheetbill.usecases.run_steps import Progress, RunPorts, RunValues
from sheetbill.usecases.send import email_lines

# How often a run re-reads and re-plans when a person saved the workbook meanwhile.
REPLAN_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class Step:
    """One named step of a run. A dry run applies only the steps that read."""

    name: str
    # Pure: what the step would do, as values handed on and problems found.
    plan: Callable[[RunValues], steps.Outcome] | None = None
    # Over the ports: what the step does, as values handed on and problems found.
    apply: Callable[[RunValues, RunPorts], steps.Outcome] | None = None
    is_read_only: bool = False
    # What the progress line says while the step runs.
    says: str = ""
    # A dry run's stand-in for `apply` when it does not read only: what the
    # values would be had it been applied (the emails as if sent).
    rehearse: Callable[[RunValues], steps.Outcome] | None = None


# Refusals a real run makes once, before it draws anything; a dry run makes none.
GUARDS = (
    Step("refuse dates", apply=steps.refuse_dates),
    Step(
        "check the workbook can be written",
        apply=steps.check_writable,
        says="Checking that the workbook can be written",
    ),
)

# Gone through again, from a fresh read, when a person saved the workbook meanwhile.
CYCLE = (
    Step("read the state", apply=steps.read_state, is_read_only=True),
    Step("validate", plan=steps.validate, says="Checking every row"),
    Step("read approvals", apply=steps.read_recorded_approvals, is_read_only=True),
    Step("find unprintable text", apply=steps.find_unprintable, is_read_only=True),
    Step("plan invoices", plan=steps.plan_new_invoices, says="Planning invoices"),
    Step("name absent columns", plan=steps.name_absent_columns),
    Step("draw numbers", apply=steps.draw_numbers),
    Step("record approvals", apply=steps.record_approvals),
    Step("find the logo", apply=steps.find_logo, is_read_only=True),
    Step("write documents", plan=steps.plan_documents, apply=steps.write_documents),
    Step("settle stopped emails", apply=mail.settle_stopped_emails),
    Step("read emails", apply=mail.read_emails, is_read_only=True),
    Step("read payments", apply=payments.read_payments, is_read_only=True),
    Step("match payments", plan=payments.plan_the_payments, says="Matching payments"),
    Step("record payments", apply=payments.record_payments),
    Step("plan emails", plan=mail.plan_emails),
    Step(
        "send emails",
        apply=mail.send_emails,
        rehearse=mail.predict_sent,
        says="Sending emails",
    ),
    Step("plan digest", plan=mail.plan_digest),
    Step("send digest", apply=mail.send_digest, rehearse=mail.predict_digest),
    Step("plan writeback", plan=steps.plan_writeback),
    Step("write the workbook", apply=steps.write_workbook),
    Step("record written", apply=steps.record_written),
)

RUN_STEPS = (*GUARDS, *CYCLE)


def run_steps(
    chosen: Sequence[Step], values: RunValues, ports: RunPorts, *, is_dry_run: bool
) -> RunValues:
    """Each step's plan, then (in a real run, or when it only reads) its apply; the
    problems each finds are added to the values in order."""
    for step in chosen:
        applies = step.apply is not None and (step.is_read_only or not is_dry_run)
        if step.says and (step.plan is not None or applies):
            ports.progress(step.says)
        if step.plan is not None:
            # The collector would re-scan the run's many long-lived objects.
            with cycle_collection_paused():
                values = _with_problems(*step.plan(values))
        if step.rehearse is not None and is_dry_run:
            values = _with_problems(*step.rehearse(values))
        if step.apply is not None and applies:
            if step.is_read_only:
                with cycle_collection_paused():
                    values = _with_problems(*step.apply(values, ports))
            else:
                values = _with_problems(*step.apply(values, ports))
    return values


def _with_problems(values: RunValues, problems: Sequence[Problem]) -> RunValues:
    if not problems:
        return values
    return replace(values, problems=(*values.problems, *problems))


def _quiet(step: str) -> None:
    return None


@frozen_objects_released()
def run_billing(
    workbook: Workbook,
    config: Config,
    *,
    state_path: Path,
    as_of: date | None,
    is_dry_run: bool,
    uploader: PdfUploader | None = None,
    mailer: Mailer | None = None,
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
    `uploader`: where PDFs go besides their folder (the Drive folder of
    `pdf_drive_folder`, from `sheetbill.wiring.pdf_uploader`); `mailer`: where
    emails go (`sheetbill.wiring.mailer`; None sends none).
    """
    clock = now or (lambda: datetime.now(UTC))
    ports = RunPorts(workbook, None, uploader, clock, progress, mailer)
    start = _Start(
        config, state_path, as_of, clock(), secrets.token_hex(2), allow_future
    )
    if is_dry_run and not state_path.exists():
        values = start.read(ports)
        done = run_steps(RUN_STEPS, values, ports, is_dry_run=True)
        return _result(done, is_dry_run=True)
    if is_dry_run:
        return _dry_run(start, ports, state_path)
    progress("Waiting for other runs of this workbook")
    with run_lock(state_path, timeout=config.lock_timeout):
        values = start.read(ports)
        # Opened only now, so an unreadable workbook leaves no state database; one
        # made by a run refused before it drew anything is removed again.
        existed = state_path.exists()
        try:
            with StateDB(state_path, is_locked=True) as state:
                ports = replace(ports, state=state)
                values = run_steps(GUARDS, values, ports, is_dry_run=False)
                return _go_through(values, ports)
        except SheetbillError:
            if not existed:
                forget_if_empty(state_path)
            raise


def _dry_run(start: _Start, ports: RunPorts, state_path: Path) -> RunResult:
    """The run's steps with nothing applied but reads; the state database is opened
    read-only (an older one migrated in memory), so a dry run changes no file."""
    ports.progress("Waiting for other runs of this workbook")
    with run_lock(state_path, timeout=start.config.lock_timeout):
        values = start.read(ports)
        with StateDB.for_reading(state_path) as state:
            if state.has_tables():
                ports = replace(ports, state=state)
            done = run_steps(RUN_STEPS, values, ports, is_dry_run=True)
    return _result(done, is_dry_run=True)


@dataclass(frozen=True, slots=True)
class _Start:
    """What a run knows before it reads the workbook."""

    config: Config
    state_path: Path
    as_of: date | None
    # In UTC: the run's one reading of its clock, for its date and id.
    started: datetime
    token: str
    allow_future: bool

    def read(self, ports: RunPorts) -> RunValues:
        """The workbook, its Settings (read once) and the run's moment from them."""
        ports.progress("Reading the workbook")
        # One pause over reading and planning (each also pauses on its own, for
        # other callers): the collector then sorts the run's objects away once.
        with cycle_collection_paused():
            snapshot = ports.workbook.read()
            settings, settings_problems = settings_of(snapshot, self.config)
        moment = RunMoment.of(
            self.started, settings.timezone, as_of=self.as_of, token=self.token
        )
        # File-backed workbooks have a folder; PDF links are made relative to it.
        path = getattr(ports.workbook, "path", None)
        return RunValues(
            self.config,
            ports.workbook.name,
            self.config.pdf_folder_for(self.state_path),
            path.parent if isinstance(path, Path) else None,
            snapshot,
            settings,
            moment,
            now=moment.started,
            allow_future=self.allow_future,
            settings_problems=settings_problems,
        )


def _go_through(values: RunValues, ports: RunPorts) -> RunResult:
    """The cycle's steps, again from a fresh read (up to REPLAN_ATTEMPTS times) when
    a person saved the workbook meanwhile."""
    for attempt in range(REPLAN_ATTEMPTS):
        if attempt:
            ports.progress("The workbook changed meanwhile: reading it again")
            snapshot = ports.workbook.read()
            settings, settings_problems = settings_of(snapshot, values.config)
            values = replace(
                values,
                snapshot=snapshot,
                settings=settings,
                settings_problems=settings_problems,
            )
        try:
            done = run_steps(CYCLE, values, ports, is_dry_run=False)
        except steps.SavedMeanwhileError:
            continue
        return _result(done, is_dry_run=False, replans=attempt)
    raise WorkbookChangedError(
        "the workbook keeps changing while sheetbill writes; nothing new was "
        "written. Run again when nobody is saving it",
        path=ports.workbook.name,
    )


def _result(values: RunValues, *, is_dry_run: bool, replans: int = 0) -> RunResult:
    planned, writes = steps.need(values.planned), steps.need(values.writes)
    settings = planned.data.settings
    return RunResult(
        workbook=values.name,
        today=values.moment.today,
        run_id=values.moment.run_id,
        is_dry_run=is_dry_run,
        invoices=planned.new,
        recovered=planned.pending,
        problems=values.problems,
        changes=writes.changes,
        exceptions_opened=writes.exceptions_opened,
        exceptions_closed=writes.exceptions_closed,
        is_written=values.is_written,
        replans=replans,
        pdfs_rendered=values.rendered,
        withdrawn=tuple(planned.withdrawn),
        waiting=planned.waiting,
        approved={n: a for n, (_, a) in planned.approvals.approved.items()},
        awaiting_approval=awaiting_approval(
            planned.approvals,
            (*planned.pending, *planned.new),
            rows=writes.invoice_rows,
            column=writes.approve_column,
            settings=settings,
            entries=planned.data.time_entries,
        ),
        time_zone=settings.timezone,
        ignored=writes.ignored,
        emails=email_lines(values.mail, is_dry_run=is_dry_run),
        emails_waiting=len(values.mail.plan.waiting) if values.mail else 0,
        payments=payments.payment_lines(values),
        paid=payments.paid_lines(values),
        recurring=recurring_lines(planned.recurring, planned.data.plans)
        if planned.recurring is not None
        else (),
    )


__all__ = ["CYCLE", "GUARDS", "RUN_STEPS", "RunResult", "Step", "run_billing"]
