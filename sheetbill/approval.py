"""Approval of invoices at or above the Settings' Approval Threshold (DESIGN.md).

Pure. Such an invoice is written "awaiting approval" and its PDF carries a DRAFT mark.
When an approver listed in Settings writes their name into its Approve cell, the next
run takes the approval: Status becomes "approved", a Log row names the approver, and
the PDF is made again without the mark. An approval that may not be taken (a name not
listed, an approver whose own work is on the invoice, or who created it) is an
Exceptions row on that cell, and the invoice stays awaiting approval.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sheetbill.cells import parse_text
from sheetbill.model import Invoice, Problem, Settings
from sheetbill.rowreader import TabLayout

AWAITING = "awaiting approval"
APPROVED = "approved"


def invoice_status(invoice: Invoice, settings: Settings) -> str:
    """The Status a new invoice is written with: "awaiting approval" when its total
    is at or above the Approval Threshold, else "draft" (made, not yet sent)."""
    threshold = settings.approval_threshold
    if threshold is not None and invoice.total >= threshold:
        return AWAITING
    return "draft"


@dataclass(frozen=True, slots=True)
class Approvals:
    """What the Invoices tab says about approval when a run reads it."""

    # Invoice number -> (its Invoices row, the approver as Settings list them):
    # approved now.
    approved: Mapping[str, tuple[int, str]] = field(default_factory=dict)
    # Numbers still awaiting approval after this run (their PDFs keep the mark).
    awaiting: frozenset[str] = frozenset()
    problems: tuple[Problem, ...] = ()


def _name(text: str) -> str:
    return " ".join(text.split()).casefold()


def read_approvals(layouts: Mapping[str, TabLayout], settings: Settings) -> Approvals:
    """Approvals written into the Approve cells of invoices awaiting approval."""
    invoices = layouts.get("Invoices")
    if invoices is None or not all(
        invoices.columns.has(c) for c in ("Invoice No", "Status", "Approve")
    ):
        return Approvals()
    cols = invoices.columns.positions
    rows_of: dict[str, list[int]] = {}
    waiting: list[tuple[int, str, str, str]] = []
    for row in invoices.table.rows:
        number = parse_text(row.get(cols["Invoice No"]))
        if not number:
            continue
        rows_of.setdefault(number, []).append(row.number)
        if parse_text(row.get(cols["Status"])).casefold() != AWAITING:
            continue
        made_by = cols.get("Created By")
        waiting.append(
            (
                row.number,
                number,
                parse_text(row.get(cols["Approve"])),
                "" if made_by is None else parse_text(row.get(made_by)),
            )
        )
    workers = _people_on_invoices(layouts.get("Time Log"))
    listed = {_name(n): n for n in settings.approvers}
    approved: dict[str, tuple[int, str]] = {}
    awaiting: set[str] = set()
    problems: list[Problem] = []
    for at, number, approver, creator in waiting:
        # Two rows showing one number: which is sheetbill's cannot be told
        # (own_rows reports them); neither approval is taken.
        why = _refusal(number, approver, creator, listed, workers.get(number, ()))
        if not approver or len(rows_of[number]) > 1 or why is not None:
            awaiting.add(number)
        else:
            # Recorded as Settings spell the name (the Log names who approved).
            approved[number] = (at, listed[_name(approver)])
        if why is not None:
            problems.append(
                Problem(invoices.tab, at, "Approve", approver, why[0], why[1])
            )
    return Approvals(approved, frozenset(awaiting), tuple(problems))


def _refusal(
    number: str,
    approver: str,
    creator: str,
    listed: Mapping[str, str],
    workers: Sequence[str],
) -> tuple[str, str] | None:
    """Why `approver` may not approve `number` (problem, fix), or None."""
    if not approver:
        return None
    wanted = _name(approver)
    if not listed:
        return (
            f"{number} is awaiting approval, but the setting 'Approvers' is empty, "
            "so nobody may approve it.",
            "Fill in the Value of 'Approvers' in Settings with the names of the "
            "people who may approve, e.g. Maria Lopez, Tom Berg.",
        )
    if wanted not in listed:
        return (
            f"{approver} is not one of the Approvers in Settings "
            f"({', '.join(listed.values())}), so {number} stays awaiting approval.",
            "One of the approvers listed in Settings writes their own name here, "
            "or add this name to the setting 'Approvers'.",
        )
    if wanted in {_name(w) for w in workers}:
        return (
            f"{approver}'s own work is on {number}: an approver may not approve an "
            "invoice for their own work.",
            "Another approver listed in Settings writes their name here.",
        )
    if wanted == _name(creator):
        return (
            f"{approver} created {number}: an approver may not approve an invoice "
            "they created.",
            "Another approver listed in Settings writes their name here.",
        )
    return None


def _people_on_invoices(layout: TabLayout | None) -> dict[str, list[str]]:
    """Who worked on each invoice, from the Time Log rows that show its number."""
    if layout is None or not all(
        layout.columns.has(c) for c in ("Invoice No", "Person")
    ):
        return {}
    at, person = (
        layout.columns.positions["Invoice No"],
        layout.columns.positions["Person"],
    )
    people: dict[str, list[str]] = {}
    for row in layout.table.rows:
        number = parse_text(row.get(at))
        if number:
            people.setdefault(number, []).append(parse_text(row.get(person)))
    return people


def draft_numbers(
    invoices: Sequence[Invoice], settings: Settings, approvals: Approvals
) -> frozenset[str]:
    """The invoices whose documents carry the DRAFT mark: not yet approved, among
    those this run writes and those the Invoices tab shows awaiting approval."""
    new = {i.number for i in invoices if invoice_status(i, settings) == AWAITING}
    return frozenset(new | approvals.awaiting)
