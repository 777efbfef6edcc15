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
sheetbill's column (a value typed there is set back, with a warning: the rule is
`sheetbill.planning.statuses`, which judges every Status once sending writes them),
and a Time Log row's Person or Invoice No changed after billing changes nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sheetbill.domain.approvals import (
    APPROVED,
    AWAITING,
    NOT_NEEDED,
    SHOWN_STATUS,
    Approvals,
    ApprovalState,
    AwaitingApproval,
    Recorded,
)
from sheetbill.domain.cells import parse_text, show
from sheetbill.domain.model import Invoice, Problem, Settings, Severity, TimeEntry
from sheetbill.domain.money import Money
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.schema import INVOICES, SETTINGS, InvoiceColumns, map_columns
from sheetbill.domain.sheet import Table
from sheetbill.planning.statuses import status_changed
from sheetbill.tabs.invoices import InvoiceRow, read_invoices
from sheetbill.tabs.rows import TabLayout
from sheetbill.tabs.settings import setting_row
from sheetbill.tabs.validation import BookData


def invoice_status(invoice: Invoice, settings: Settings) -> str:
    """The Status a new invoice is written with: "awaiting approval" when its total
    is at or above the Approval Threshold's amount in its currency, or the threshold
    has amounts but none in its currency; else "draft" (made, not yet sent)."""
    threshold = settings.approval_threshold
    if not threshold.amounts:
        return "draft"
    amount = threshold.amount_in(invoice.currency)
    if amount is None or Money(invoice.total, invoice.currency) >= amount:
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


def _name(text: str) -> str:
    return " ".join(text.split()).casefold()


def read_approvals(
    layouts: Mapping[str, TabLayout],
    settings: Settings,
    known: ApprovalState | None = None,
    *,
    sets_back_status: bool = True,
) -> Approvals:
    """Approvals written into the Approve cells of the invoices the state database
    has awaiting approval, refused where they may not be taken; Void = yes on any
    drawn invoice; and, with `sets_back_status`, Status cells that do not show the
    approval (set back; a warning where a person changed them). Without it Status
    is left to `sheetbill.planning.statuses` (a run that writes every Status from
    `invoice_cells` judges the cells against what it last wrote there)."""
    known = known or ApprovalState()
    layout = layouts.get(INVOICES.name)
    shown, _ = read_invoices(layout)
    rows_of: dict[str, list[InvoiceRow]] = {}
    for row in shown:
        if row.number in known.recorded:
            rows_of.setdefault(row.number, []).append(row)
    found = _Judged(
        layout.tab if layout is not None else INVOICES.name,
        {_name(n): n for n in settings.approvers},
        known,
        sets_back_status,
    )
    for number, record in known.recorded.items():
        found.judge(number, record, rows_of.get(number, []))
    approve_at = (
        None if layout is None else layout.columns.positions.get(InvoiceColumns.APPROVE)
    )
    waiting = tuple(
        AwaitingApproval(
            number,
            rows_of[number][0].row,
            approve_at,
            may_approve(
                settings,
                known.workers.get(number, ()),
                known.recorded[number].created_by,
            ),
        )
        for number in sorted(found.awaiting)
        if len(rows_of.get(number, [])) == 1
    )
    return Approvals(
        found.approved,
        frozenset(found.awaiting),
        tuple(found.problems),
        found.taken,
        found.restored,
        found.adopted,
        found.creators,
        known.learned,
        waiting,
    )


@dataclass(slots=True)
class _Judged:
    """What `read_approvals` has found so far, invoice by invoice."""

    tab: str
    # Approvers as Settings list them, by `_name`.
    listed: Mapping[str, str]
    known: ApprovalState
    sets_back_status: bool
    approved: dict[str, tuple[int, str]] = field(default_factory=dict)
    taken: dict[str, str] = field(default_factory=dict)
    restored: dict[str, tuple[int, str]] = field(default_factory=dict)
    adopted: dict[str, str] = field(default_factory=dict)
    creators: dict[str, str] = field(default_factory=dict)
    awaiting: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)

    def judge(self, number: str, record: Recorded, rows: Sequence[InvoiceRow]) -> None:
        """One drawn invoice, by the rows of the Invoices tab that show its number."""
        # Two rows showing one number: which is sheetbill's cannot be told
        # (own_rows reports them); neither is read.
        row = rows[0] if len(rows) == 1 else None
        status = record.status
        if status is None:
            status = adopted_status([r.status or "" for r in rows])
            if row is not None:
                self.adopted[number] = status
        if status == AWAITING:
            self.awaiting.add(number)
        if row is None:
            return
        customer = row.customer_id or None
        void = _void_problem(number, status, row, self.tab, customer)
        if void is not None:
            self.problems.append(void)
        if status == APPROVED and not record.is_shown:
            self.approved[number] = (row.row, record.approved_by)
            self.creators[number] = record.created_by
            return
        if status == AWAITING and self._take(number, record, row, void is None):
            return
        now = SHOWN_STATUS[status]
        if (
            self.sets_back_status
            and row.status is not None
            and row.status.casefold() != now
        ):
            self.restored[number] = (row.row, now)
            changed = status_changed(number, row, now=now, before=now, tab=self.tab)
            if changed is not None:
                self.problems.append(changed)

    def _take(
        self, number: str, record: Recorded, row: InvoiceRow, is_voidless: bool
    ) -> bool:
        """Takes the approval in an awaiting invoice's Approve cell, or refuses it
        (an Exceptions row on the cell); True when taken."""
        approver = row.approve
        why = _refusal(
            number,
            approver,
            record.created_by,
            self.listed,
            self.known.workers.get(number, ()),
            self.known.unknown.get(number, ()),
        )
        if why is not None:
            code, said, fix = why
            self.problems.append(
                Problem(
                    code=code,
                    tab=self.tab,
                    row=row.row,
                    column=InvoiceColumns.APPROVE,
                    value=approver,
                    problem=said,
                    fix=fix,
                    customer_id=row.customer_id or None,
                )
            )
            return False
        if not approver or not is_voidless:
            return False
        # Recorded as Settings spell the name (the Log names who approved).
        self.taken[number] = self.listed[_name(approver)]
        self.approved[number] = (row.row, self.taken[number])
        self.creators[number] = record.created_by
        self.awaiting.discard(number)
        return True


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
    row: InvoiceRow,
    tab: str,
    customer: str | None,
) -> Problem | None:
    """Void is offered, but sheetbill does not void invoices yet (credit notes are a
    later step): Void = yes (or a value that is not yes or no) is an error, and an
    invoice awaiting approval is then not approved."""
    if row.void is False:
        return None
    if row.void:
        said = f"{number} is marked Void"
    else:
        said = f"Void of {number} is '{row.void_text}', not yes or no"
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
        row=row.row,
        column=InvoiceColumns.VOID,
        value=row.void_text,
        problem=problem,
        fix=fix,
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
