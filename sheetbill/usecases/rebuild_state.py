"""The `state rebuild` use case: a state database made again from its workbook.

For a workbook moved without its state, restored from a backup, or copied to another
machine: the invoices, billed rows and counters are taken from what the workbook
shows, so that no number or Row ID in it is ever drawn again. An existing state
database is kept beside the new one, never deleted.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sheetbill.config import Config
from sheetbill.domain.journal import RECURRING_REMOVED, Intent
from sheetbill.domain.model import Counters, Invoice
from sheetbill.domain.schema import INVOICES
from sheetbill.errors import StateError
from sheetbill.planning.payments import (
    applied_details,
    rebuilt_applications,
    rebuilt_paid,
    receipts_shown,
)
from sheetbill.planning.recovery import Rebuilt, rebuild_from_book
from sheetbill.planning.recurring_rebuild import LoggedDecisions
from sheetbill.planning.statuses import emails_shown
from sheetbill.ports import Workbook
from sheetbill.state import StateDB, run_lock
from sheetbill.state.recurring import period_intent
from sheetbill.tabs.invoices import read_invoices
from sheetbill.tabs.validation import BookData, validate_book
from sheetbill.usecases.moment import settings_of, today_for
from sheetbill.usecases.publish import claim_documents


@dataclass(frozen=True, slots=True)
class RebuildResult:
    workbook: str
    state: Path
    invoices: int
    billed_rows: int
    counters: Counters
    # Rows the workbook marks in a way that names no invoice (reported, not stored).
    skipped: tuple[str, ...]
    # Where the state database that was there before was kept, if there was one.
    kept: Path | None
    # PDFs found in the PDF folder and taken as the rebuilt invoices' own.
    claimed: int = 0


def rebuild_state(
    workbook: Workbook,
    config: Config,
    *,
    state_path: Path,
    now: Callable[[], datetime] | None = None,
) -> RebuildResult:
    """Make the state database again from the workbook (under the run lock).

    Raises WorkbookError when the workbook cannot be read, StateError when the old
    state database cannot be kept aside.
    """
    clock = now or (lambda: datetime.now(UTC))
    with run_lock(state_path, timeout=config.lock_timeout):
        snapshot = workbook.read()
        settings_read = settings_of(snapshot, config)
        today = today_for(settings_read[0], None, now=clock())
        data = validate_book(
            snapshot,
            today=today,
            billed={},
            aliases=config.aliases,
            settings_read=settings_read,
        )
        rebuilt = rebuild_from_book(data)
        moment = clock()
        kept = _keep_aside(state_path, moment) if _has_content(state_path) else None
        with StateDB(state_path, is_locked=True) as state:
            _load(state, rebuilt, now=moment)
            _record_shown_emails(state, data, rebuilt.invoices, now=moment)
            _record_shown_payments(state, data, rebuilt.invoices, now=moment)
            claimed = (
                claim_documents(state, rebuilt.invoices, config, now=moment)
                if config.documents and not config.pdf_drive_folder
                else 0
            )
    return RebuildResult(
        workbook.name,
        state_path,
        len(rebuilt.invoices),
        len(rebuilt.billed_rows),
        rebuilt.counters,
        rebuilt.skipped,
        kept,
        claimed,
    )


def _load(state: StateDB, rebuilt: Rebuilt, *, now: datetime) -> None:
    """The invoices, billed rows, counters and plans' periods the workbook shows,
    and what its Log shows of the plans, into the new state."""
    run_id = now.strftime("rebuild-%Y%m%d-%H%M%S")
    state.load_rebuilt(
        rebuilt.invoices,
        rebuilt.billed_rows,
        rebuilt.counters,
        run_id=run_id,
        now=now,
        periods={
            i.number: i.service_period
            for i in rebuilt.invoices
            if i.service_period is not None
        },
        people=rebuilt.people,
        approvals=rebuilt.approvals,
        recurring=rebuilt.periods,
    )
    state.record_plan_decisions(
        _plan_decisions(rebuilt.decisions), run_id=run_id, now=now
    )


def _plan_decisions(decisions: LoggedDecisions) -> list[Intent]:
    """The journal's entries of the periods skipped and the plans told removed
    (or back) that the Log shows."""
    return [
        *(period_intent(r) for r in decisions.skipped),
        *(
            Intent(
                RECURRING_REMOVED,
                plan_id,
                {"last_invoice": ""} if gone else {"back": True},
            )
            for plan_id, gone in decisions.removed.items()
        ),
    ]


def _record_shown_emails(
    state: StateDB, data: BookData, invoices: Sequence[Invoice], *, now: datetime
) -> None:
    """What the Invoices tab shows as sent goes into the new journal, so nothing
    is emailed twice after a rebuild (an invoice, a reminder stage, a receipt) and
    an email whose outcome was unknown still needs review."""
    rows, _ = read_invoices(data.layouts.get(INVOICES.name), settings=data.settings)
    shown = emails_shown(
        rows,
        {i.number: i.currency for i in invoices},
        zone=ZoneInfo(data.settings.timezone),
        now=now,
    )
    state.record_shown_emails(
        [(e.key, e.details, e.status, e.at) for e in shown],
        run_id=now.strftime("rebuild-%Y%m%d-%H%M%S"),
    )


def _record_shown_payments(
    state: StateDB, data: BookData, invoices: Sequence[Invoice], *, now: datetime
) -> None:
    """What the Payments tab shows as applied goes into the new journal (nothing is
    matched or logged again), and the Paid cells that show its sums count as
    sheetbill's; any other Paid stays a person's."""
    applied = rebuilt_applications(data.payments, invoices)
    rows, _ = read_invoices(data.layouts.get(INVOICES.name), settings=data.settings)
    run_id = now.strftime("rebuild-%Y%m%d-%H%M%S")
    state.load_rebuilt_payments(
        [(a.row_id, applied_details(a, "applied")) for a in applied],
        rebuilt_paid(applied, rows, invoices),
        run_id=run_id,
        now=now,
    )
    known = set(state.email_history().records)
    receipts = receipts_shown(
        applied, data.payments, invoices, zone=ZoneInfo(data.settings.timezone)
    )
    state.record_shown_emails(
        [(e.key, e.details, e.status, e.at) for e in receipts if e.key not in known],
        run_id=run_id,
    )


def _has_content(path: Path) -> bool:
    """Whether a state database is there that holds anything worth keeping."""
    if not path.exists():
        return False
    try:
        with StateDB(path, is_locked=True) as state:
            return not state.is_empty()
    except StateError:
        return True  # unreadable: kept as it is, for a person to look at


def _keep_aside(path: Path, moment: datetime) -> Path:
    """Copy the state database (with what its write-ahead log holds) beside it, then
    remove it, so the rebuilt one starts empty and the old one stays readable."""
    aside = path.with_name(f"{path.name}.replaced-{moment:%Y%m%d-%H%M%S}")
    try:
        try:
            source = sqlite3.connect(path)
            try:
                source.execute("VACUUM INTO ?", (str(aside),))
            finally:
                source.close()
        except sqlite3.DatabaseError:
            # Not readable as a database (truncated, overwritten): kept as it is.
            for suffix in ("", "-wal"):
                if Path(f"{path}{suffix}").exists():
                    Path(f"{path}{suffix}").replace(f"{aside}{suffix}")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    except (OSError, sqlite3.Error) as exc:
        raise StateError(
            f"cannot keep the old state database aside as {aside.name} ({exc}); "
            "nothing was rebuilt",
            path=path,
        ) from exc
    return aside
