"""The `check` command: every problem a run would report, and what it would hold back.

Nothing is written, not even the state database: it is read, when there, only to
judge rows billed before, numbers it never drew and approvals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sheetbill.config import Config
from sheetbill.domain.approvals import ApprovalState
from sheetbill.domain.model import BilledRow, Counters, Order, Problem, TimeEntry
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.recurring import PeriodRecord
from sheetbill.domain.sheet import BookSnapshot
from sheetbill.domain.waiting import WaitingRows, held_back
from sheetbill.garbage_collection import (
    cycle_collection_paused,
    frozen_objects_released,
)
from sheetbill.planning.approvals import read_approvals, threshold_problems
from sheetbill.planning.exceptions import problems_set_aside
from sheetbill.planning.recovery import marks_in_book, unknown_to_state
from sheetbill.ports import Workbook
from sheetbill.state import StateDB
from sheetbill.tabs.headers import with_absent_columns_named
from sheetbill.tabs.legal import LegalCheck, legal_check
from sheetbill.tabs.printable import UnprintableText
from sheetbill.tabs.validation import BookData, locate_tabs, validate_book
from sheetbill.usecases.holds import (
    blocking_problems,
    held_plans,
    held_rows,
    is_invoicing_blocked,
    unprintable_text,
    valid_rows,
)
from sheetbill.usecases.moment import settings_of, today_for
from sheetbill.usecases.publish import company_logo
from sheetbill.usecases.results import CheckResult
from sheetbill.usecases.run_recurring import (
    RecurringDrawn,
    RecurringNumbers,
    draw_recurring,
)
from sheetbill.usecases.run_steps import known_approvals, waiting_with


@dataclass(frozen=True, slots=True)
class _Known:
    """What the state database knows that a check judges by (nothing without one)."""

    billed: Mapping[str, BilledRow] = field(default_factory=dict)
    counters: Counters = field(default_factory=lambda: Counters({}, 0))
    # Every number it drew, withdrawn ones too.
    numbers: tuple[str, ...] = ()
    approvals: ApprovalState = field(default_factory=ApprovalState)
    # The plans' decided periods by Plan ID, and the invoices drawn but not yet
    # marked written (their plan rows' cells may lag behind).
    recurring: Mapping[str, Sequence[PeriodRecord]] = field(default_factory=dict)
    pending: frozenset[str] = frozenset()


@frozen_objects_released()
def check_workbook(
    workbook: Workbook, config: Config, *, as_of: date | None, state_path: Path | None
) -> CheckResult:
    """Validate only: nothing is written, not even the state database."""
    snapshot = workbook.read()
    settings_read = settings_of(snapshot, config)
    today = today_for(settings_read[0], as_of, now=datetime.now(UTC))
    known = _known(snapshot, config, state_path)
    with cycle_collection_paused():
        data = validate_book(
            snapshot,
            today=today,
            billed=known.billed,
            aliases=config.aliases,
            settings_read=settings_read,
        )
    path = getattr(workbook, "path", None)
    _, logo_problems = company_logo(
        data,
        config,
        workbook_folder=path.parent if isinstance(path, Path) else None,
    )
    unprintable = unprintable_text(data, config)
    legal = legal_check(data)
    unknown = _unknown(data, known)
    # Numbers the state never drew stop a run (the state is not this workbook's),
    # and its history would make every plan's Next Date look edited.
    recurring = (
        RecurringDrawn()
        if unknown
        else _recurring(data, known, unprintable, legal, today)
    )
    problems = _problems(
        data,
        known,
        unprintable,
        legal,
        (*logo_problems, *recurring.plan.problems),
        unknown=unknown,
        name=workbook.name,
    )
    counts = {
        "customers": len(data.customers),
        "rates": len(data.rates),
        "billable time entries": len(data.time_entries),
        "billable orders": len(data.orders),
        "recurring plans": len(data.plans),
    }
    return CheckResult(
        workbook.name,
        today,
        problems,
        counts,
        _waiting(data, unprintable, legal, recurring),
        time_zone=data.settings.timezone,
        ignored=problems_set_aside(problems, data.layouts),
    )


def _known(snapshot: BookSnapshot, config: Config, state_path: Path | None) -> _Known:
    if state_path is None or not state_path.exists():
        return _Known()
    with StateDB.for_reading(state_path) as state:
        if not state.has_tables():  # an emptied file is a state with nothing drawn
            return _Known()
        time_log = locate_tabs(snapshot, config.aliases).get("Time Log")
        return _Known(
            state.billed_rows(),
            state.counters(),
            (*state.invoice_numbers(), *state.withdrawn_numbers()),
            known_approvals(state, time_log),
            state.recurring_history(),
            frozenset(i.number for i in state.pending_invoices()),
        )


def _problems(
    data: BookData,
    known: _Known,
    unprintable: UnprintableText,
    legal: LegalCheck,
    found: Sequence[Problem],
    *,
    unknown: Sequence[str],
    name: str,
) -> tuple[Problem, ...]:
    """Every problem a run would report; `found`: the logo's and the plans'."""
    problems = (
        *data.problems,
        *blocking_problems(data),
        *found,
        *unprintable.problems,
        *([_unknown_problem(unknown, name)] if unknown else []),
        # Status is a run's to judge, from the emails sent (planning.statuses).
        *read_approvals(
            data.layouts, data.settings, known.approvals, sets_back_status=False
        ).problems,
        *threshold_problems(data),
        *legal.problems,
    )
    return tuple(with_absent_columns_named(problems, data.layouts))


def _recurring(
    data: BookData,
    known: _Known,
    unprintable: UnprintableText,
    legal: LegalCheck,
    today: date,
) -> RecurringDrawn:
    """The plans as a run would decide them today, for their warnings (a Next Date
    edited, a plan held by its customer) and the time rows kept for a retainer;
    nothing of it is recorded."""
    if is_invoicing_blocked(data.settings) or unprintable.stops_invoicing:
        return RecurringDrawn()
    drawn, _ = draw_recurring(
        data,
        history=known.recurring,
        told_removed={},
        unwritten=(),
        lagging=known.pending,
        entries=legal.allowed(unprintable.printable(data.time_entries)),
        today=today,
        numbers=RecurringNumbers(known.counters, [], []),
        held=held_plans(data.plans, unprintable, legal),
    )
    return drawn


def _unknown(data: BookData, known: _Known) -> list[str]:
    """The invoice numbers and Row IDs the workbook shows that the state never drew
    (a run stops on them)."""
    return unknown_to_state(
        marks_in_book(data.layouts),
        known.counters,
        known.numbers,
        data.settings.number_pattern,
    )


def _waiting(
    data: BookData,
    unprintable: UnprintableText,
    legal: LegalCheck,
    recurring: RecurringDrawn,
) -> tuple[WaitingRows, ...]:
    """The rows a run would leave waiting, and why."""
    if is_invoicing_blocked(data.settings) or unprintable.stops_invoicing:
        return held_back(data.waiting, valid_rows(data))
    rows: tuple[TimeEntry | Order, ...] = (*data.time_entries, *data.orders)
    held = held_rows(unprintable.held(rows), legal.held(rows))
    return waiting_with(data.waiting, held, recurring)


def _unknown_problem(unknown: Sequence[str], name: str) -> Problem:
    return Problem(
        code=ProblemCode.STATE_UNKNOWN_NUMBERS,
        tab="Invoices",
        row=None,
        column="Invoice No",
        value=", ".join(unknown[:4]) + (" …" if len(unknown) > 4 else ""),
        problem="The workbook shows invoice numbers or Row IDs that its state database "
        "never drew (it is missing, empty, or another copy's): a run would stop.",
        fix="Put the right state database back, or run: sheetbill state rebuild "
        f"{name}",
    )
