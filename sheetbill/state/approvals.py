"""The state database's record of approvals and of who did the billed work.

What an approval rule reads (`ApprovalState`, made by the use case from these
records) is kept here, not taken from
cells anyone can edit: whether each invoice awaits approval (decided when its number
was drawn), who created and who approved it and when, and the Person of each billed
Time Log row as it was billed. Approvals are recorded before the workbook is written
and marked shown after, so a run stopped in between writes the Status and Log row
next time (`Recorded.is_shown`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sheetbill.domain.approvals import APPROVED, Approvals, Recorded
from sheetbill.domain.journal import INVOICE_APPROVE, Status, invoice_approved
from sheetbill.state import StateDB
from sheetbill.state.journal import reopen_in, settle_keys_in


def record_run_approvals(
    state: StateDB, approvals: Approvals, *, run_id: str, now: datetime
) -> None:
    """What a run learned (`record_learned`) and the approvals it took, before its
    workbook write: a run stopped after this writes the Status and Log row next time
    (the state has them approved, not shown)."""
    record_learned(
        state,
        people=approvals.learned,
        adopted=approvals.adopted,
        run_id=run_id,
        now=now,
    )
    record_approvals(state, approvals.taken, run_id=run_id, now=now)


def _has_approvals(state: StateDB) -> bool:
    """False for a database opened read-only (`check`) before its migration ran:
    nothing about approvals is recorded in it yet."""
    return bool(
        state.db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'approvals'"
        ).fetchone()
    )


def approval_records(state: StateDB) -> dict[str, Recorded]:
    """Every drawn invoice's approval, by number (status None: drawn before
    approvals were recorded)."""
    if not state.has_tables():
        return {}
    if not _has_approvals(state):
        return {
            number: Recorded(None, creator or "sheetbill")
            for number, creator in state.db.execute(
                "SELECT number, json_extract(body, '$.created_by') FROM invoices"
            )
        }
    return {
        number: Recorded(
            status, creator or "sheetbill", approved_by or "", bool(is_shown)
        )
        for number, status, creator, approved_by, is_shown in state.db.execute(
            "SELECT i.number, a.status, "
            "coalesce(a.created_by, json_extract(i.body, '$.created_by')), "
            "a.approved_by, a.shown_at IS NOT NULL OR a.status != 'approved' "
            "FROM invoices i LEFT JOIN approvals a ON a.number = i.number"
        )
    }


def billed_time(state: StateDB) -> dict[str, dict[str, str | None]]:
    """Invoice number -> {Row ID: Person} of its billed Time Log rows; None where
    the person was not recorded (billed before people were). Only what approval
    reads: invoices awaiting approval or recorded before approvals were, and rows
    whose person is still to be learned."""
    if not state.has_tables():
        return {}
    if _has_approvals(state):
        query = (
            "SELECT b.row_id, b.invoice_no, b.person FROM billed_rows b "
            "LEFT JOIN approvals a ON a.number = b.invoice_no "
            "WHERE b.tab = 'Time Log' AND (a.number IS NULL OR b.person IS NULL "
            "OR a.status = 'awaiting approval')"
        )
    else:
        query = (
            "SELECT row_id, invoice_no, NULL FROM billed_rows WHERE tab = 'Time Log'"
        )
    found: dict[str, dict[str, str | None]] = {}
    for row_id, number, who in state.db.execute(query):
        found.setdefault(number, {})[row_id] = who
    return found


def record_learned(
    state: StateDB,
    *,
    people: Mapping[str, str],
    adopted: Mapping[str, str],
    run_id: str,
    now: datetime,
) -> None:
    """What a run learned once from the workbook for invoices drawn before these
    were recorded: the Person of billed rows (by Row ID) and each invoice's approval
    (from its Status cell). Never overwrites what is recorded."""
    if not people and not adopted:
        return
    at = now.isoformat(timespec="seconds")
    with state.transaction() as db:
        db.executemany(
            "UPDATE billed_rows SET person = ? WHERE row_id = ? AND person IS NULL",
            [(person, row_id) for row_id, person in people.items()],
        )
        db.executemany(
            "INSERT INTO approvals (number, status, created_by, run_id, shown_at) "
            "SELECT number, ?, coalesce(json_extract(body, '$.created_by'), "
            "'sheetbill'), ?, ? FROM invoices WHERE number = ? "
            "ON CONFLICT(number) DO NOTHING",
            [(status, run_id, at, number) for number, status in adopted.items()],
        )


def record_approvals(
    state: StateDB, taken: Mapping[str, str], *, run_id: str, now: datetime
) -> None:
    """Approvals taken by a run (number -> approver), before its workbook write."""
    if not taken:
        return
    at = now.isoformat(timespec="seconds")
    with state.transaction() as db:
        for number, approver in taken.items():
            done = db.execute(
                "UPDATE approvals SET status = ?, approved_by = ?, approved_at = ?, "
                "run_id = ?, shown_at = NULL WHERE number = ? "
                "AND status = 'awaiting approval' RETURNING created_by",
                (APPROVED, approver, at, run_id, number),
            ).fetchone()
            if done is not None:
                # Shown by the workbook write that follows (`mark_approvals_shown`).
                approval = invoice_approved(number, approver=approver, creator=done[0])
                reopen_in(db, approval, run_id=run_id, now=now)


def mark_approvals_shown(
    state: StateDB, numbers: Iterable[str], *, now: datetime
) -> None:
    """The workbook now shows these approvals (Status and Log row written)."""
    wanted = [(now.isoformat(timespec="seconds"), n) for n in numbers]
    if not wanted:
        return
    with state.transaction() as db:
        db.executemany(
            "UPDATE approvals SET shown_at = ? WHERE number = ? AND shown_at IS NULL",
            wanted,
        )
        shown = [number for _, number in wanted]
        settle_keys_in(db, INVOICE_APPROVE, shown, Status.DONE, now=now)
