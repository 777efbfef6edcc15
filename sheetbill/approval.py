"""Approval of invoices at or above the Settings' Approval Threshold (DESIGN.md).

Pure. The threshold is per currency; an invoice in a currency it has no amount for
waits too (the safe side), with a warning on the threshold's row. Such an invoice is
written "awaiting approval" and its PDF carries a DRAFT mark.
When an approver listed in Settings writes their name into its Approve cell, the next
run takes the approval: Status becomes "approved", a Log row names the approver, and
the PDF is made again without the mark. An approval that may not be taken (a name not
listed, an approver whose own work is on the invoice, or who created it) is an
Exceptions row on that cell, and the invoice stays awaiting approval.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sheetbill.cells import parse_text, show
from sheetbill.model import Invoice, Problem, Settings, Severity, TimeEntry
from sheetbill.rowreader import TabLayout
from sheetbill.schema import SETTINGS, map_columns
from sheetbill.settings import setting_row
from sheetbill.validation import BookData
from sheetbill.workbook.base import Table

AWAITING = "awaiting approval"
APPROVED = "approved"


def invoice_status(invoice: Invoice, settings: Settings) -> str:
    """The Status a new invoice is written with: "awaiting approval" when its total
    is at or above the Approval Threshold's amount in its currency, or the threshold
    has amounts but none in its currency; else "draft" (made, not yet sent)."""
    threshold = settings.approval_threshold
    if not threshold.amounts:
        return "draft"
    amount = threshold.amount_in(invoice.currency)
    if amount is None or invoice.total >= amount:
        return AWAITING
    return "draft"


def threshold_problems(data: BookData) -> list[Problem]:
    """A warning on the Approval Threshold row when active customers are billed in a
    currency it has no amount for: each of their invoices waits for approval. Judged
    from the customers, so it stays open while the cause lasts."""
    threshold = data.settings.approval_threshold
    if not threshold.amounts:
        return []
    missing: dict[str, list[str]] = {}
    for customer in data.customers.values():
        if customer.is_active and threshold.amount_in(customer.currency) is None:
            missing.setdefault(customer.currency, []).append(customer.customer_id)
    if not missing:
        return []
    layout = data.layouts.get("Settings")
    table = layout.table if layout is not None else None
    row = setting_row(table, "approval_threshold")
    codes = sorted(missing)
    who = "; ".join(f"{code}: customers {_listed(missing[code])}" for code in codes)
    example = "; ".join([str(threshold), *(f"<amount> {code}" for code in codes)])
    return [
        Problem(
            table.tab if table is not None else "Settings",
            row,
            "Value",
            _typed(table, row) if table is not None and row is not None else "",
            f"The Approval Threshold has no amount in {_and(codes)}, so every "
            f"invoice in {'that currency' if len(codes) == 1 else 'those currencies'}"
            f" waits for approval, whatever its total ({who}).",
            f"Add an amount for each currency to the Value, apart by ';': "
            f"{example}. Until then an approver approves each such invoice.",
            Severity.WARNING,
        )
    ]


def _typed(table: Table, row: int) -> str:
    """The Value cell of a Settings row, as the person sees it."""
    columns = map_columns(SETTINGS, table.tab, table.headers)
    at = columns.positions.get("Value", columns.positions.get("Key", 0) + 1)
    return next((show(r.get(at)) for r in table.rows if r.number == row), "")


def _listed(ids: Sequence[str], shown: int = 5) -> str:
    more = len(ids) - shown
    return ", ".join(ids[:shown]) + (f" and {more} more" if more > 0 else "")


def _and(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


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
class Approvals:
    """What the Invoices tab says about approval when a run reads it."""

    # Invoice number -> (its Invoices row, the approver as Settings list them):
    # approved now.
    approved: Mapping[str, tuple[int, str]] = field(default_factory=dict)
    # Numbers still awaiting approval after this run (their PDFs keep the mark).
    awaiting: frozenset[str] = frozenset()
    problems: tuple[Problem, ...] = ()
    # Where each of `awaiting` is approved, and who may.
    waiting: tuple[AwaitingApproval, ...] = ()


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
    still: dict[str, AwaitingApproval] = {}
    for at, number, approver, creator in waiting:
        # Two rows showing one number: which is sheetbill's cannot be told
        # (own_rows reports them); neither approval is taken.
        why = _refusal(number, approver, creator, listed, workers.get(number, ()))
        if not approver or len(rows_of[number]) > 1 or why is not None:
            awaiting.add(number)
            still.setdefault(
                number,
                AwaitingApproval(
                    number,
                    at,
                    cols["Approve"],
                    may_approve(settings, workers.get(number, ()), creator),
                ),
            )
        else:
            # Recorded as Settings spell the name (the Log names who approved).
            approved[number] = (at, listed[_name(approver)])
        if why is not None:
            problems.append(
                Problem(invoices.tab, at, "Approve", approver, why[0], why[1])
            )
    return Approvals(
        approved, frozenset(awaiting), tuple(problems), tuple(still.values())
    )


def may_approve(
    settings: Settings, workers: Iterable[str], creator: str
) -> tuple[str, ...]:
    """The Approvers (as Settings spell them) who may approve an invoice with these
    people's work on it, made by `creator`."""
    barred = {_name(w) for w in workers} | {_name(creator)}
    return tuple(n for n in settings.approvers if _name(n) not in barred)


def awaiting_approval(
    approvals: Approvals,
    invoices: Sequence[Invoice],
    *,
    rows: Mapping[str, int],
    column: int | None,
    settings: Settings,
    entries: Sequence[TimeEntry],
) -> tuple[AwaitingApproval, ...]:
    """Every invoice waiting for approval after a run, by Invoices row: those the tab
    showed waiting (`approvals`) and those of `invoices` (this run's) written at
    `rows` with Status "awaiting approval"."""
    found = {a.number: a for a in approvals.waiting}
    people: dict[tuple[str, int], str] = {}
    if invoices:
        people = {(e.source.tab, e.source.row): e.person for e in entries}
    for invoice in invoices:
        row = rows.get(invoice.number)
        if (
            row is None
            or invoice.number in found
            or invoice_status(invoice, settings) != AWAITING
        ):
            continue
        workers = [
            people[(s.tab, s.row)] for s in invoice.sources if (s.tab, s.row) in people
        ]
        found[invoice.number] = AwaitingApproval(
            invoice.number,
            row,
            column,
            may_approve(settings, workers, invoice.created_by),
        )
    return tuple(sorted(found.values(), key=lambda a: (a.row, a.number)))


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
