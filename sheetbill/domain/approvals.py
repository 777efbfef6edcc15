"""Approval of invoices as values: the status words, what the state database records
of each drawn invoice, and what a run takes from the Invoices tab.

The rules that decide them are `sheetbill.planning.approvals`; the state database
keeps them (`sheetbill.state.approvals`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sheetbill.domain.model import Problem

AWAITING = "awaiting approval"
APPROVED = "approved"
# The state database's word for an invoice below the threshold when it was made.
NOT_NEEDED = "not needed"
# What the Status cell shows for each: "draft" is "made, not sent yet".
SHOWN_STATUS = {NOT_NEEDED: "draft", AWAITING: AWAITING, APPROVED: APPROVED}


@dataclass(frozen=True, slots=True)
class AwaitingApproval:
    """An invoice that waits for approval after a run: where it is approved, and
    who may approve it."""

    number: str
    # Its row in the Invoices tab.
    row: int
    # The Approve column (from 0), or None when the Invoices tab has none.
    column: int | None
    # The listed Approvers who may approve it: not one whose work is on it, nor the
    # one who created it.
    approvers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Recorded:
    """One drawn invoice's approval as the state database records it."""

    # NOT_NEEDED, AWAITING or APPROVED; None: drawn before sheetbill recorded
    # approvals (taken once from its Status cell, then recorded).
    status: str | None
    created_by: str = "sheetbill"
    approved_by: str = ""
    # False: approved in the state, and a run still owes the workbook its Status
    # and Log row (the run that took it stopped before writing).
    is_shown: bool = True


@dataclass(frozen=True, slots=True)
class ApprovalState:
    """What the state database knows about approvals, for `read_approvals`."""

    # Every drawn invoice, by number.
    recorded: Mapping[str, Recorded] = field(default_factory=dict)
    # Who did the billed time of each invoice, as billed: number -> people.
    workers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Billed Time Log rows whose person is not known: number -> their Row IDs.
    unknown: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # People learned now for rows the state had none for (to record): Row ID -> Person.
    learned: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Approvals:
    """What a run takes from the Invoices tab about approval, judged by the state."""

    # Invoice number -> (its Invoices row, the approver as Settings list them):
    # Status "approved" and a Log row are written (taken now, or owed).
    approved: Mapping[str, tuple[int, str]] = field(default_factory=dict)
    # Numbers still awaiting approval after this run (their PDFs keep the mark).
    awaiting: frozenset[str] = frozenset()
    problems: tuple[Problem, ...] = ()
    # Approved by this run's reading (for the state): number -> approver.
    taken: Mapping[str, str] = field(default_factory=dict)
    # Status cells a person changed, set back: number -> (row, Status).
    restored: Mapping[str, tuple[int, str]] = field(default_factory=dict)
    # Invoices drawn before approvals were recorded, taken from their one Status
    # cell (for the state): number -> NOT_NEEDED, AWAITING or APPROVED.
    adopted: Mapping[str, str] = field(default_factory=dict)
    # Who created each of `approved` (for its Log row).
    created_by: Mapping[str, str] = field(default_factory=dict)
    # The Person of billed rows learned now (for the state): Row ID -> Person.
    learned: Mapping[str, str] = field(default_factory=dict)
    # Where each of `awaiting` is approved, and who may.
    waiting: tuple[AwaitingApproval, ...] = ()
