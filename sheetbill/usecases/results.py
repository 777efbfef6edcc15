"""What a run or a check did, as the commands report it (text and --json)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from sheetbill.domain.approvals import AwaitingApproval
from sheetbill.domain.model import Invoice, Problem
from sheetbill.domain.sheet import WorkbookChanges
from sheetbill.domain.waiting import WaitingRows


class _Outcome:
    """What a run and a check share: their problems, those a person set aside in
    Exceptions (Status "ignored"), and the exit code the rest give."""

    __slots__ = ()
    problems: tuple[Problem, ...]
    ignored: tuple[Problem, ...]

    @property
    def open_problems(self) -> tuple[Problem, ...]:
        return _not_set_aside(self.problems, self.ignored)

    @property
    def exit_code(self) -> int:
        return 1 if self.open_problems else 0


@dataclass(frozen=True, slots=True)
class PaymentLine:
    """A payment a run applied, re-applied after an edit or took back (dry: would),
    as the summary lists it: its match and the evidence."""

    # "applied", "edited", "reapplied" or "deleted".
    action: str
    row_id: str
    row: int
    booked: date
    # As the summary prints it: "2,794.00 EUR".
    amount: str
    invoices: tuple[str, ...]
    status: str
    note: str


@dataclass(frozen=True, slots=True)
class RecurringLine:
    """A recurring plan's period a run billed or skipped (dry: would), as the summary
    and `run --dry-run` list it; or a plan removed from the Recurring tab."""

    # "billed", "skipped" (paused), "removed" or "back".
    action: str
    plan_id: str
    customer_id: str
    # The period (None for removed / back).
    start: date | None
    end: date | None
    # The day the period is billed on (in advance: its first day; in arrears: the
    # day after its last), whatever day the run is.
    bill_on: date | None
    # In the customer's language: "Maintenance retainer, November 2026".
    label: str = ""
    invoice: str = ""
    # As the summary prints it: "1,500.00 EUR".
    total: str = ""


@dataclass(frozen=True, slots=True)
class PaidLine:
    """An invoice whose Paid a run changed (dry: would), with its Status after."""

    number: str
    paid: str
    balance: str
    status: str


@dataclass(frozen=True, slots=True)
class EmailLine:
    """One email a run sent (or, dry, would send), as the summary lists it."""

    purpose: str
    key: str
    invoice: str | None
    to: tuple[str, ...]
    subject: str
    # sent | refused | deferred | unknown | would send
    outcome: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class RunResult(_Outcome):
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
    # Numbers an interrupted run drew that no invoice took: never used again.
    withdrawn: tuple[str, ...] = ()
    # Un-invoiced input rows this run did not bill, by tab and why.
    waiting: tuple[WaitingRows, ...] = ()
    # Invoices approved in this run (their Approve cell), by number: the approver.
    approved: Mapping[str, str] = field(default_factory=dict)
    # Invoices waiting for approval after this run: where to approve, who may.
    awaiting_approval: tuple[AwaitingApproval, ...] = ()
    # The Settings time zone: the one of `today`, the run id and the Log's times.
    time_zone: str = "UTC"
    # Problems a person set aside in Exceptions (Status "ignored"): not counted.
    ignored: tuple[Problem, ...] = ()
    emails: tuple[EmailLine, ...] = ()
    # Emails due that a limit held back for the next run.
    emails_waiting: int = 0
    # Where the emails went ("outbox folder ...", "SMTP server ...").
    mail_transport: str = ""
    payments: tuple[PaymentLine, ...] = ()
    paid: tuple[PaidLine, ...] = ()
    recurring: tuple[RecurringLine, ...] = ()


@dataclass(frozen=True, slots=True)
class CheckResult(_Outcome):
    workbook: str
    today: date
    problems: tuple[Problem, ...]
    counts: dict[str, int] = field(default_factory=dict)
    waiting: tuple[WaitingRows, ...] = ()
    time_zone: str = "UTC"
    # Problems a person set aside in Exceptions (Status "ignored"): not counted.
    ignored: tuple[Problem, ...] = ()


def _not_set_aside(
    problems: Sequence[Problem], ignored: Sequence[Problem]
) -> tuple[Problem, ...]:
    if not ignored:
        return tuple(problems)
    aside = set(ignored)
    return tuple(p for p in problems if p not in aside)
