"""Approval of invoices at or above the Settings' Approval Threshold (DESIGN.md).

Pure. The threshold is per currency; an invoice in a currency it has no amount for
waits too (the safe side), with a warning on the threshold's row. Such an invoice is
written "awaiting approval" and its PDF carries a DRAFT mark.
When an approver listed in Settings writes their name into its Approve cell, the next
run takes the approval: Status becomes "approved", a Log row names the approver, and
the PDF is made again without the mark. An approval that may not be taken (a name not
listed, an approver whose own work is on the invoice, or who created it, an invoice
marked Void) is an Exceptions row on that cell, and the invoice stays awaiting approval.

Whether an invoice awaits approval, who created it and whose work is on it come from
the state database (`ApprovalState`), never from cells anyone can edit: Status is
sheetbill's column (a value typed there is set back, with a warning), and a Time Log
row's Person or Invoice No changed after billing changes nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sheetbill.domain.cells import CellValueError, parse_text, parse_yes_no, show
from sheetbill.domain.model import Invoice, Problem, Settings, Severity, TimeEntry
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.schema import SETTINGS, map_columns
from sheetbill.domain.sheet import SheetRow, Table
from sheetbill.tabs.rows import TabLayout
from sheetbill.tabs.settings import setting_row
from sheetbill.tabs.validation import BookData

AWAITING = "awaiting approval"
APPROVED = "approved"
# The state database's word for an invoice below the threshold when it was made.
NOT_NEEDED = "not needed"
# What the Status cell shows for each: "draft" is "made, not sent yet".
SHOWN_STATUS = {NOT_NEEDED: "draft", AWAITING: AWAITING, APPROVED: APPROVED}


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
            code=ProblemCode.APPROVALS_THRESHOLD_MISSING_CURRENCY,
            tab=table.tab if table is not None else "Settings",
            row=row,
            column="Value",
            value=_typed(table, row) if table is not None and row is not None else "",
            problem=f"The Approval Threshold has no amount in {_and(codes)}, so every "
            f"invoice in {'that currency' if len(codes) == 1 else 'those currencies'}"
            f" waits for approval, whatever its total ({who}).",
            fix=f"Add an amount for each currency to the Value, apart by ';': "
            f"{example}. Until then an approver approves each such invoice.",
            severity=Severity.WARNING,
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


def approval_state(
    recorded: Mapping[str, Recorded],
    billed_time: Mapping[str, Mapping[str, str | None]],
    time_log: TabLayout | None,
) -> ApprovalState:
    """The state's approvals with the people on each invoice. A billed Time Log row
    the state has no person for (billed before people were recorded) takes the Person
    of the Time Log row showing its Row ID, once (`learned`); from then on the
    state's record stands, whatever the row says.

    `billed_time`: invoice number -> {Row ID: person, None when not recorded}.
    """
    missing = {
        row_id
        for rows in billed_time.values()
        for row_id, person in rows.items()
        if person is None
    }
    learned = people_by_row_id(time_log, missing) if missing else {}
    workers: dict[str, tuple[str, ...]] = {}
    unknown: dict[str, tuple[str, ...]] = {}
    for number, rows in billed_time.items():
        people = {r: p if p is not None else learned.get(r) for r, p in rows.items()}
        workers[number] = tuple(sorted({p for p in people.values() if p}))
        gone = tuple(sorted(r for r, p in people.items() if p is None))
        if gone:
            unknown[number] = gone
    return ApprovalState(recorded, workers, unknown, learned)


def people_by_row_id(
    layout: TabLayout | None, wanted: Collection[str]
) -> dict[str, str]:
    """Row ID -> the Person of the (first) Time Log row showing it, for `wanted`."""
    if layout is None or not all(layout.columns.has(c) for c in ("Row ID", "Person")):
        return {}
    at, person = (
        layout.columns.positions["Row ID"],
        layout.columns.positions["Person"],
    )
    found: dict[str, str] = {}
    for row in layout.table.rows:
        row_id = parse_text(row.get(at))
        if row_id in wanted and row_id not in found:
            found[row_id] = parse_text(row.get(person))
    return found


def people_on(
    invoices: Sequence[Invoice], entries: Sequence[TimeEntry]
) -> dict[str, str]:
    """Row ID -> Person of each Time Log row these invoices bill (for the state)."""
    person_at = {(e.source.tab, e.source.row): e.person for e in entries}
    return {
        s.row_id: person_at[(s.tab, s.row)]
        for invoice in invoices
        for s in invoice.sources
        if (s.tab, s.row) in person_at
    }


def awaiting_numbers(invoices: Sequence[Invoice], settings: Settings) -> list[str]:
    """The numbers of these new invoices that await approval (for the state)."""
    return [i.number for i in invoices if invoice_status(i, settings) == AWAITING]


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


def _name(text: str) -> str:
    return " ".join(text.split()).casefold()


def read_approvals(
    layouts: Mapping[str, TabLayout],
    settings: Settings,
    known: ApprovalState | None = None,
) -> Approvals:
    """Approvals written into the Approve cells of the invoices the state database
    has awaiting approval, refused where they may not be taken; Void = yes on any
    drawn invoice, and Status cells a person changed (set back, with a warning)."""
    known = known or ApprovalState()
    invoices = layouts.get("Invoices")
    cols = dict(invoices.columns.positions) if invoices is not None else {}
    rows_of: dict[str, list[SheetRow]] = {}
    if invoices is not None and "Invoice No" in cols:
        for sheet_row in invoices.table.rows:
            number = parse_text(sheet_row.get(cols["Invoice No"]))
            if number in known.recorded:
                rows_of.setdefault(number, []).append(sheet_row)
    tab = invoices.tab if invoices is not None else "Invoices"

    def cell(row: SheetRow, column: str) -> str:
        at = cols.get(column)
        return "" if at is None else parse_text(row.get(at))

    listed = {_name(n): n for n in settings.approvers}
    approved: dict[str, tuple[int, str]] = {}
    taken: dict[str, str] = {}
    restored: dict[str, tuple[int, str]] = {}
    adopted: dict[str, str] = {}
    creators: dict[str, str] = {}
    awaiting: set[str] = set()
    problems: list[Problem] = []
    for number, record in known.recorded.items():
        rows = rows_of.get(number, [])
        # Two rows showing one number: which is sheetbill's cannot be told
        # (own_rows reports them); neither is read.
        row = rows[0] if len(rows) == 1 else None
        status = record.status
        if status is None:
            status = adopted_status([cell(r, "Status") for r in rows])
            if row is not None:
                adopted[number] = status
        if status == AWAITING:
            awaiting.add(number)
        if row is None:
            continue
        customer = cell(row, "Customer ID") or None
        void = _void_problem(number, status, row, cols, tab, customer)
        if void is not None:
            problems.append(void)
        if status == APPROVED and not record.is_shown:
            approved[number] = (row.number, record.approved_by)
            creators[number] = record.created_by
            continue
        shown = cell(row, "Status")
        if status == AWAITING:
            approver = cell(row, "Approve")
            why = _refusal(
                number,
                approver,
                record.created_by,
                listed,
                known.workers.get(number, ()),
                known.unknown.get(number, ()),
            )
            if why is not None:
                code, said, fix = why
                problems.append(
                    Problem(
                        code=code,
                        tab=tab,
                        row=row.number,
                        column="Approve",
                        value=approver,
                        problem=said,
                        fix=fix,
                        customer_id=customer,
                    )
                )
            elif approver and void is None:
                # Recorded as Settings spell the name (the Log names who approved).
                taken[number] = listed[_name(approver)]
                approved[number] = (row.number, taken[number])
                creators[number] = record.created_by
                awaiting.discard(number)
                continue
        if "Status" in cols and shown.casefold() != SHOWN_STATUS[status]:
            # A blank sheetbill cell is filled in silently (as PDF is): the row was
            # put back by hand, or the column added.
            restored[number] = (row.number, SHOWN_STATUS[status])
            if shown:
                problems.append(
                    _status_changed(number, status, shown, row, tab, customer)
                )
    waiting = tuple(
        AwaitingApproval(
            number,
            rows_of[number][0].number,
            cols.get("Approve"),
            may_approve(
                settings,
                known.workers.get(number, ()),
                known.recorded[number].created_by,
            ),
        )
        for number in sorted(awaiting)
        if len(rows_of.get(number, [])) == 1
    )
    return Approvals(
        approved,
        frozenset(awaiting),
        tuple(problems),
        taken,
        restored,
        adopted,
        creators,
        known.learned,
        waiting,
    )


def adopted_status(shown: Sequence[str]) -> str:
    """The approval of an invoice whose state does not record one (drawn before
    approvals were, or rebuilt): what its Status cells say, awaiting approval when
    any of them does (the safe side)."""
    said = {s.casefold() for s in shown}
    if AWAITING in said:
        return AWAITING
    return APPROVED if said == {APPROVED} else NOT_NEEDED


def _void_problem(
    number: str,
    status: str,
    row: SheetRow,
    cols: Mapping[str, int],
    tab: str,
    customer: str | None,
) -> Problem | None:
    """Void is offered, but sheetbill does not void invoices yet (credit notes are a
    later step): Void = yes (or a value that is not yes or no) is an error, and an
    invoice awaiting approval is then not approved."""
    at = cols.get("Void")
    if at is None:
        return None
    value = row.get(at)
    try:
        if not parse_yes_no(value):
            return None
        said = f"{number} is marked Void"
    except CellValueError:
        said = f"Void of {number} is '{parse_text(value)}', not yes or no"
    if status == AWAITING:
        problem = (
            f"{said}, but sheetbill does not void invoices yet: nothing was voided. "
            f"{number} stays awaiting approval (no name in Approve is taken), so it "
            "is not issued."
        )
        fix = (
            "If it must not be issued, leave it awaiting approval and set this "
            "exception's Status to ignored. To issue it after all, write no in Void "
            "and have an approver write their name in Approve."
        )
    else:
        problem = (
            f"{said}, but sheetbill does not void invoices yet: nothing was voided, "
            f"and {number} stands as issued."
        )
        fix = (
            "Cancel it with a credit note made by hand and sent to the customer, "
            "then write no in Void (or set this exception's Status to ignored)."
        )
    return Problem(
        code=ProblemCode.APPROVALS_VOID_NOT_SUPPORTED,
        tab=tab,
        row=row.number,
        column="Void",
        value=parse_text(value),
        problem=problem,
        fix=fix,
        customer_id=customer,
    )


def _status_changed(
    number: str, status: str, shown: str, row: SheetRow, tab: str, customer: str | None
) -> Problem:
    put = SHOWN_STATUS[status]
    fix = "Leave Status to sheetbill; keep your own notes in the Note column."
    if status == AWAITING:
        fix = (
            "To approve it, an approver listed in Settings writes their name in "
            f"Approve. {fix}"
        )
    return Problem(
        code=ProblemCode.APPROVALS_STATUS_CHANGED,
        tab=tab,
        row=row.number,
        column="Status",
        value=shown,
        problem=f"Status of {number} was changed to '{shown}', but Status is "
        f"sheetbill's column: it is set back to '{put}', and nothing else changes.",
        fix=fix,
        severity=Severity.WARNING,
        customer_id=customer,
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
    unknown: Sequence[str] = (),
) -> tuple[ProblemCode, str, str] | None:
    """Why `approver` may not approve `number` (code, problem, fix), or None."""
    if not approver:
        return None
    wanted = _name(approver)
    if not listed:
        return (
            ProblemCode.APPROVALS_NO_APPROVERS,
            f"{number} is awaiting approval, but the setting 'Approvers' is empty, "
            "so nobody may approve it.",
            "Fill in the Value of 'Approvers' in Settings with the names of the "
            "people who may approve, e.g. Maria Lopez, Tom Berg.",
        )
    if wanted not in listed:
        return (
            ProblemCode.APPROVALS_NOT_AN_APPROVER,
            f"{approver} is not one of the Approvers in Settings "
            f"({', '.join(listed.values())}), so {number} stays awaiting approval.",
            "One of the approvers listed in Settings writes their own name here, "
            "or add this name to the setting 'Approvers'.",
        )
    if unknown:
        shown = ", ".join(unknown[:5]) + (" …" if len(unknown) > 5 else "")
        return (
            ProblemCode.APPROVALS_WORKERS_UNKNOWN,
            f"Who did the work of Time Log rows {shown}, billed on {number}, is not "
            "known (billed before sheetbill recorded people, and no Time Log row "
            "shows those Row IDs now), so no approval of it can be taken.",
            "Put those rows back with their Row IDs (Undo, or copy them from a "
            "backup of the workbook), then run again.",
        )
    if wanted in {_name(w) for w in workers}:
        return (
            ProblemCode.APPROVALS_OWN_WORK,
            f"{approver}'s own work is on {number}: an approver may not approve an "
            "invoice for their own work.",
            "Another approver listed in Settings writes their name here.",
        )
    if wanted == _name(creator):
        return (
            ProblemCode.APPROVALS_OWN_INVOICE,
            f"{approver} created {number}: an approver may not approve an invoice "
            "they created.",
            "Another approver listed in Settings writes their name here.",
        )
    return None


def draft_numbers(
    invoices: Sequence[Invoice], settings: Settings, approvals: Approvals
) -> frozenset[str]:
    """The invoices whose documents carry the DRAFT mark: not yet approved, among
    those this run writes and those the state database has awaiting approval."""
    new = {i.number for i in invoices if invoice_status(i, settings) == AWAITING}
    return frozenset(new | approvals.awaiting)
