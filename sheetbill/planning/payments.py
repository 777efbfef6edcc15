"""What the Payments tab's rows settle, run after run: each row applied once and kept
as applied until a person changes it, and the Paid each invoice then shows.

Pure. A payment's match is decided once (`planning.matching`) and recorded in the
journal with the row's fingerprint and Row ID; later runs keep it as long as the
row is unchanged, so a new invoice of the same amount never turns an old match
ambiguous. A row whose fingerprint changed is matched again (an edit, told in the
Log); a Row ID the journal applied that no row shows any more is taken back (a
deletion, told in the Log). A stopped run's rows are recognised by fingerprint, so
their Row IDs are used again, never drawn twice.

Paid (docs/decisions.md, "Issue 15 — payments: the lead's decisions"): the sum of
the payments matched to the invoice, written by sheetbill; a Paid a person typed
(any value other than the one sheetbill last wrote there) stands and is not written
over; a blank Paid hands the cell back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sheetbill.domain.mail import EmailHistory, Purpose
from sheetbill.domain.model import Customer, Invoice, InvoiceKind, Problem, Severity
from sheetbill.domain.money import quantum
from sheetbill.domain.payments import (
    Allocation,
    Match,
    MatchRule,
    MatchSettings,
    OpenInvoice,
    Payer,
    Payment,
    PaymentCells,
    PaymentStatus,
    paid_by_invoice,
)
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.schema import INVOICES, PAYMENTS, InvoiceColumns, PaymentColumns
from sheetbill.domain.wording import amount_text
from sheetbill.planning.matching import match_payments, match_problems
from sheetbill.planning.sending import receipt_key
from sheetbill.planning.statuses import ShownEmail, wall_time
from sheetbill.tabs.invoices import InvoiceRow
from sheetbill.tabs.payments import PaymentRow, as_payment

PAYMENT_ID_PREFIX = "P-"
# The metric a run keeps for its month: its payments left for a person to sort out
# (the last run of a month leaves the count open at month end).
OPEN_EXCEPTIONS_METRIC = "reconciliation.open-exceptions"
EXCEPTION_STATUSES = frozenset(
    {
        PaymentStatus.UNMATCHED,
        PaymentStatus.AMBIGUOUS,
        PaymentStatus.CURRENCY_MISMATCH,
        PaymentStatus.OVERPAID,
    }
)


@dataclass(frozen=True, slots=True)
class AppliedPayment:
    """A payment as the journal holds it: its Row ID, the row's fingerprint and row
    when applied, and its match. `is_shown`: the workbook was written with it (a
    stopped run's is not); `is_gone`: its row was deleted and that was told."""

    row_id: str
    fingerprint: str
    row: int
    booked: date
    amount: Decimal
    currency: str
    match: Match
    is_shown: bool = True
    is_gone: bool = False


@dataclass(frozen=True, slots=True)
class PaymentChange:
    """A Log row: a payment applied, re-applied after an edit, or taken back."""

    # "applied", "edited", "reapplied" (its invoices or amounts changed since:
    # an exception settled, a Paid handed back) or "deleted".
    action: str
    applied: AppliedPayment


@dataclass(frozen=True, slots=True)
class PaymentsPlan:
    """What the run does with the Payments tab and the Paid of each invoice."""

    # Every current row's match, in the order applied (date, then row).
    matches: tuple[Match, ...] = ()
    cells: tuple[PaymentCells, ...] = ()
    # Applications to record before the workbook is written (new or changed).
    to_record: tuple[AppliedPayment, ...] = ()
    # Applications whose row was deleted (recorded as gone once written).
    gone: tuple[AppliedPayment, ...] = ()
    changes: tuple[PaymentChange, ...] = ()
    # Invoice number -> what is paid on it (Payments, or a person's Paid).
    paid: Mapping[str, Decimal] = field(default_factory=dict)
    # Invoice number -> the Paid sheetbill writes on its row (changed ones only).
    paid_writes: Mapping[str, Decimal] = field(default_factory=dict)
    # Invoices whose Paid a person typed (it stands).
    hand_paid: frozenset[str] = frozenset()
    # Of those, the ones payments are matched to as well: no reminder or receipt
    # goes for them until a person says which Paid is right.
    in_doubt: frozenset[str] = frozenset()
    # The last Row ID number drawn (P-000012 -> 12).
    last_row_id: int = 0
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True, slots=True)
class PaymentsInput:
    """What `plan_payments` decides from."""

    rows: Sequence[PaymentRow]
    applied: Sequence[AppliedPayment]
    # Every drawn invoice (the state's and this run's new ones).
    invoices: Sequence[Invoice]
    invoice_rows: Sequence[InvoiceRow]
    customers: Sequence[Customer]
    # Invoice number -> the Paid values sheetbill wrote or is writing on its row.
    written_paid: Mapping[str, frozenset[Decimal]] = field(default_factory=dict)
    last_row_id: int = 0
    settings: MatchSettings = field(default_factory=MatchSettings)
    tab: str = PAYMENTS.name
    invoices_tab: str = INVOICES.name


def plan_payments(given: PaymentsInput) -> PaymentsPlan:
    """Each row's Row ID and match, the Paid of each invoice and what changed."""
    keyed, last_row_id = _row_ids(given.rows, given.applied, given.last_row_id)
    by_id = {a.row_id: a for a in given.applied if not a.is_gone}
    kept = {
        row_id: earlier.match
        for row, row_id in keyed
        if (earlier := by_id.get(row_id)) is not None
        and earlier.fingerprint == row.fingerprint
    }
    hand = _hand_paid(given.invoice_rows, given.written_paid, given.invoices)
    ordered = sorted(keyed, key=lambda k: (k[0].booked, k[0].row))
    payments = [as_payment(row, row_id) for row, row_id in ordered]
    invoices = _open_invoices(given.invoices, given.invoice_rows, hand)
    matching = match_payments(
        payments,
        invoices,
        payers(given.customers),
        kept=_spread_again(kept, payments, invoices, [a.row_id for a in given.applied]),
        settings=given.settings,
    )
    matches = {m.key: m for m in matching.matches}
    to_record, changes = _recorded(ordered, matches, by_id)
    shown_ids = {row_id for _, row_id in keyed}
    gone = tuple(a for a in by_id.values() if a.is_shown and a.row_id not in shown_ids)
    changes += [PaymentChange("deleted", a) for a in gone]
    from_payments = paid_by_invoice(matching.matches)
    paid, writes, problems = _paid(given, hand, from_payments)
    return PaymentsPlan(
        matches=tuple(matching.matches),
        cells=tuple(_cells(row, row_id, matches[row_id]) for row, row_id in keyed),
        to_record=tuple(to_record),
        gone=gone,
        changes=tuple(changes),
        paid=paid,
        paid_writes=writes,
        hand_paid=frozenset(hand),
        in_doubt=frozenset(n for n in hand if from_payments.get(n)),
        last_row_id=last_row_id,
        problems=(
            *match_problems(matching, payments, tab=given.tab),
            *problems,
        ),
    )


def open_exceptions(matches: Sequence[Match]) -> int:
    """How many payments are left for a person: unmatched, ambiguous, of another
    currency, or over-paid (their credit to decide)."""
    return sum(1 for m in matches if m.status in EXCEPTION_STATUSES)


def _recorded(
    ordered: Sequence[tuple[PaymentRow, str]],
    matches: Mapping[str, Match],
    by_id: Mapping[str, AppliedPayment],
) -> tuple[list[AppliedPayment], list[PaymentChange]]:
    """The applications to record (new, edited, changed since) and the changes
    the Log tells."""
    to_record: list[AppliedPayment] = []
    changes: list[PaymentChange] = []
    for row, row_id in ordered:
        match = matches[row_id]
        applied = _applied(row, row_id, match)
        earlier = by_id.get(row_id)
        if earlier is None or not earlier.is_shown:
            # A stopped run's application never reached the Log either.
            to_record.append(applied)
            changes.append(PaymentChange("applied", applied))
        elif earlier.fingerprint != row.fingerprint:
            to_record.append(applied)
            changes.append(PaymentChange("edited", applied))
        elif not _same_match(earlier.match, match):
            # An exception settled since, or a Paid handed back: told again; only
            # its words changed (what is open now): recorded, not told.
            to_record.append(applied)
            if (earlier.match.status, earlier.match.allocations) != (
                match.status,
                match.allocations,
            ):
                changes.append(PaymentChange("reapplied", applied))
    return to_record, changes


def _same_match(recorded: Match, match: Match) -> bool:
    """Whether a match is the one the journal holds, in what it records (not the
    candidates an exception lists)."""
    return (
        recorded.status,
        recorded.rule,
        recorded.allocations,
        recorded.note,
        recorded.credit,
    ) == (match.status, match.rule, match.allocations, match.note, match.credit)


def _spread_again(
    kept: Mapping[str, Match],
    payments: Sequence[Payment],
    invoices: Sequence[OpenInvoice],
    applied_order: Sequence[str],
) -> dict[str, Match]:
    """Earlier matches with their amounts spread again over the same invoices, in
    the order they were first applied, each up to what is open on it now: a match
    stays with its invoices, but a Paid a person typed and later cleared (or an
    invoice voided) changes what each takes and what is left as credit. A refund
    of more than is still paid on its invoice (the payment it refunds was deleted)
    is not kept: it is matched again."""
    left = {i.number: i.open_amount for i in invoices}
    paid: dict[str, Decimal] = {}
    by_key = {p.key: p for p in payments}
    rank = {key: n for n, key in enumerate(applied_order)}
    spread: dict[str, Match] = {}
    for key in sorted(kept, key=lambda k: (rank.get(k, len(rank)), k)):
        match, payment = kept[key], by_key.get(key)
        if payment is None:
            continue
        if payment.amount < 0 or match.status is PaymentStatus.REFUNDED:
            if any(
                paid.get(a.number, Decimal(0)) + a.amount < 0 for a in match.allocations
            ):
                continue
            _take(spread, key, match, left, paid)
            continue
        numbers = match.invoice_numbers
        movable = match.status in (PaymentStatus.MATCHED, PaymentStatus.OVERPAID)
        if not movable or not numbers or not all(n in left for n in numbers):
            _take(spread, key, match, left, paid)
            continue
        allocations, rest = _spread(payment.amount, numbers, dict(left))
        if _totals(allocations) == _totals(match.allocations):
            _take(spread, key, match, left, paid)
            continue
        again = " (spread again over what is open now)"
        moved = replace(
            match,
            allocations=tuple(allocations)
            or tuple(Allocation(n, Decimal(0)) for n in numbers),
            credit=rest,
            status=PaymentStatus.OVERPAID if rest > 0 else PaymentStatus.MATCHED,
            note=match.note if match.note.endswith(again) else match.note + again,
        )
        _take(spread, key, moved, left, paid)
    return spread


def _take(
    spread: dict[str, Match],
    key: str,
    match: Match,
    left: dict[str, Decimal],
    paid: dict[str, Decimal],
) -> None:
    spread[key] = match
    for allocation in match.allocations:
        if allocation.number in left:
            left[allocation.number] -= allocation.amount
        paid[allocation.number] = paid.get(allocation.number, Decimal(0)) + (
            allocation.amount
        )


def _totals(allocations: Sequence[Allocation]) -> dict[str, Decimal]:
    """Each invoice's part, zero parts left out (an over-payment names its
    invoices with 0.00)."""
    found: dict[str, Decimal] = {}
    for a in allocations:
        if a.amount:
            found[a.number] = found.get(a.number, Decimal(0)) + a.amount
    return found


def _row_ids(
    rows: Sequence[PaymentRow], applied: Sequence[AppliedPayment], last: int
) -> tuple[list[tuple[PaymentRow, str]], int]:
    """Each row with its Row ID: the one it shows (the first row showing it), else a
    stopped run's for the same fingerprint (never drawn twice), else a new one."""
    taken: set[str] = set()
    unshown = {
        a.fingerprint: a.row_id for a in applied if not a.is_shown and not a.is_gone
    }
    used = {a.row_id for a in applied}
    keyed: list[tuple[PaymentRow, str]] = []
    for row in rows:
        row_id = row.row_id if row.row_id and row.row_id not in taken else ""
        if not row_id:
            again = unshown.pop(row.fingerprint, "")
            row_id = again if again and again not in taken else ""
        while not row_id or row_id in taken:
            last += 1
            row_id = f"{PAYMENT_ID_PREFIX}{last:06d}"
            if row_id in used:
                row_id = ""
        taken.add(row_id)
        keyed.append((row, row_id))
    return keyed, last


def _hand_paid(
    rows: Sequence[InvoiceRow],
    written: Mapping[str, frozenset[Decimal]],
    invoices: Sequence[Invoice],
) -> dict[str, Decimal]:
    """Invoices whose Paid a person typed: a filled Paid other than every value
    sheetbill wrote there (a new row's 0 counts as written)."""
    currency = {i.number: i.currency for i in invoices}
    hand: dict[str, Decimal] = {}
    for row in rows:
        if row.paid is None or not row.paid_text or row.number not in currency:
            continue
        step = quantum(currency[row.number])
        shown = row.paid.quantize(step)
        ours = {v.quantize(step) for v in written.get(row.number, frozenset())}
        if shown not in ours | {Decimal(0).quantize(step)}:
            hand[row.number] = row.paid
    return hand


def _open_invoices(
    invoices: Sequence[Invoice],
    rows: Sequence[InvoiceRow],
    hand: Mapping[str, Decimal],
) -> list[OpenInvoice]:
    """The invoices payments may settle: not credit notes, not void."""
    void = {r.number for r in rows if r.void is not False}
    return [
        OpenInvoice(
            number=i.number,
            customer_id=i.customer_id,
            currency=i.currency,
            total=i.total,
            open_amount=i.total - hand.get(i.number, Decimal(0)),
            issue_date=i.issue_date,
            due_date=i.due_date,
        )
        for i in invoices
        if i.kind is InvoiceKind.INVOICE and i.number not in void
    ]


def payers(customers: Sequence[Customer]) -> list[Payer]:
    """How each customer shows up on bank lines: its Name, Payer Names and IBANs."""
    return [
        Payer(
            customer_id=c.customer_id,
            names=tuple(n for n in (c.name, *c.payer_names) if n),
            accounts=c.ibans,
        )
        for c in customers
    ]


def _paid(
    given: PaymentsInput,
    hand: Mapping[str, Decimal],
    from_payments: Mapping[str, Decimal],
) -> tuple[dict[str, Decimal], dict[str, Decimal], list[Problem]]:
    """Each invoice's Paid, the Paid cells sheetbill writes, and a warning where a
    person's Paid and the Payments tab disagree."""
    paid: dict[str, Decimal] = {}
    writes: dict[str, Decimal] = {}
    problems: list[Problem] = []
    rows = {r.number: r for r in given.invoice_rows}
    for invoice in given.invoices:
        number, currency = invoice.number, invoice.currency
        counted = from_payments.get(number, Decimal(0)).quantize(quantum(currency))
        row = rows.get(number)
        if number in hand:
            paid[number] = hand[number]
            if counted:
                # Whether the typed Paid holds these payments cannot be told.
                problems.append(_hand_disagrees(given, row, invoice, counted))
            continue
        paid[number] = counted
        if row is None or row.paid is None:
            continue
        if not row.paid_text or row.paid.quantize(quantum(currency)) != counted:
            writes[number] = counted
    return paid, writes, problems


def _hand_disagrees(
    given: PaymentsInput, row: InvoiceRow | None, invoice: Invoice, counted: Decimal
) -> Problem:
    typed = row.paid_text if row is not None else ""
    return Problem(
        code=ProblemCode.PAYMENTS_PAID_BY_HAND,
        tab=given.invoices_tab,
        row=row.row if row is not None else None,
        column=InvoiceColumns.PAID,
        value=typed,
        problem=f"Paid of {invoice.number} was typed by hand ({typed}), and the "
        f"{given.tab} tab has {amount_text(counted, invoice.currency)} matched to "
        "it: whether the typed Paid holds those payments cannot be told. The typed "
        "Paid stands, and no reminder or receipt goes for the invoice until this "
        "is sorted out.",
        fix="If the typed Paid already counts those payments, or they are all "
        f"there is, clear the Paid cell. If it is money not in the {given.tab} "
        f"tab, add it there as a row with Invoice No {invoice.number}, then clear "
        "Paid. sheetbill then fills Paid from the payments.",
        severity=Severity.WARNING,
        customer_id=invoice.customer_id,
    )


def _applied(row: PaymentRow, row_id: str, match: Match) -> AppliedPayment:
    return AppliedPayment(
        row_id=row_id,
        fingerprint=row.fingerprint,
        row=row.row,
        booked=row.booked,
        amount=row.amount,
        currency=row.currency,
        match=match,
        is_shown=False,
    )


def _cells(row: PaymentRow, row_id: str, match: Match) -> PaymentCells:
    note = match.note
    if match.status is PaymentStatus.AMBIGUOUS and match.candidates:
        # The Match Note names them: the Exceptions row is not the only place.
        named = ", ".join(c.number for c in match.candidates)
        note = f"{note}; which one: {named}?"
    return PaymentCells(
        row=row.row,
        row_id=row_id,
        matched_invoice=", ".join(match.invoice_numbers),
        status=match.status.value,
        note=note,
    )


# --- The journal's details of an applied payment ----------------------------------


def applied_details(applied: AppliedPayment, action: str) -> dict[str, object]:
    """The journal's details of an application (`payment.apply`)."""
    match = applied.match
    return {
        "action": action,
        "fingerprint": applied.fingerprint,
        "row": applied.row,
        "booked": applied.booked.isoformat(),
        "amount": str(applied.amount),
        "currency": applied.currency,
        "status": match.status.value,
        "rule": match.rule.value if match.rule is not None else None,
        "allocations": [[a.number, str(a.amount)] for a in match.allocations],
        "note": match.note,
        "credit": str(match.credit),
        "customer_id": match.customer_id,
        "gone": action == "deleted",
    }


def applied_from(
    row_id: str, details: Mapping[str, object], *, is_shown: bool
) -> AppliedPayment:
    """An application as `applied_details` recorded it."""
    rule = details.get("rule")
    allocations = details.get("allocations") or []
    assert isinstance(allocations, list)
    match = Match(
        key=row_id,
        status=PaymentStatus(str(details["status"])),
        rule=MatchRule(str(rule)) if rule else None,
        allocations=tuple(Allocation(str(n), Decimal(str(a))) for n, a in allocations),
        note=str(details.get("note") or ""),
        credit=Decimal(str(details.get("credit") or 0)),
        customer_id=str(details["customer_id"]) if details.get("customer_id") else None,
    )
    return AppliedPayment(
        row_id=row_id,
        fingerprint=str(details.get("fingerprint") or ""),
        row=int(str(details.get("row") or 0)),
        booked=date.fromisoformat(str(details["booked"])),
        amount=Decimal(str(details["amount"])),
        currency=str(details["currency"]),
        match=match,
        is_shown=is_shown,
        is_gone=bool(details.get("gone")),
    )


@dataclass(frozen=True, slots=True)
class PaymentsRead:
    """What the state says of payments, read before they are planned."""

    applied: tuple[AppliedPayment, ...] = ()
    written_paid: Mapping[str, frozenset[Decimal]] = field(default_factory=dict)
    last_row_id: int = 0


def with_receipts(
    plan: PaymentsPlan, history: EmailHistory, *, zone: ZoneInfo
) -> PaymentsPlan:
    """The plan's cells with Receipt Sent: for each payment, when the first receipt
    of its invoice that covers it went — the earliest sent receipt stating a Paid
    of at least the invoice's payments up to and including this one (in the order
    applied). A refund or an unmatched payment gets none."""
    cumulative: dict[int, Decimal] = {}
    running: dict[str, Decimal] = {}
    rows = {c.row_id: c.row for c in plan.cells}
    for match in plan.matches:
        for allocation in match.allocations:
            running[allocation.number] = (
                running.get(allocation.number, Decimal(0)) + allocation.amount
            )
        if match.key in rows and match.allocations:
            first = match.allocations[0]
            if first.amount > 0:
                cumulative[rows[match.key]] = running[first.number]
    numbers = {c.row: c.matched_invoice.split(", ")[0] for c in plan.cells}
    cells = []
    for cell in plan.cells:
        went = None
        needed = cumulative.get(cell.row)
        if needed is not None:
            went = _first_receipt(history, numbers[cell.row], needed)
        cells.append(
            replace(cell, receipt_sent=wall_time(went, zone) if went else None)
        )
    return replace(plan, cells=tuple(cells))


def _first_receipt(
    history: EmailHistory, number: str, paid: Decimal
) -> datetime | None:
    """When the first receipt of `number` stating at least `paid` reached the mail
    server (None: none did)."""
    for record in history.for_invoice(number):
        if record.purpose is not Purpose.RECEIPT or record.status != "done":
            continue
        if record.paid is not None and record.paid >= paid:
            return record.settled_at or record.intended_at
    return None


# --- A state rebuilt from the workbook ----------------------------------------------

_SHOWN_STATUSES = {s.value for s in PaymentStatus}


def rebuilt_applications(
    rows: Sequence[PaymentRow], invoices: Sequence[Invoice]
) -> list[AppliedPayment]:
    """The applications a workbook shows, for a state rebuilt from it: each row with
    a Row ID and a Status sheetbill writes, applied to the invoices its Matched
    Invoice names (in that order, each up to what is still open on it, the rest
    kept as credit), so the next run neither matches it again nor logs it anew."""
    totals = {i.number: i for i in invoices}
    left = {i.number: i.total for i in invoices}
    found: list[AppliedPayment] = []
    for row in sorted(rows, key=lambda r: (r.booked, r.row)):
        status = str(row.shown.get(PaymentColumns.STATUS) or "").strip().casefold()
        if not row.row_id or status not in _SHOWN_STATUSES:
            continue
        named = str(row.shown.get(PaymentColumns.MATCHED_INVOICE) or "")
        numbers = [n.strip() for n in named.split(",") if n.strip() in totals]
        allocations, rest = _spread(row.amount, numbers, left)
        match = Match(
            key=row.row_id,
            status=PaymentStatus(status),
            rule=MatchRule.KEPT,
            allocations=tuple(allocations),
            note=str(row.shown.get(PaymentColumns.MATCH_NOTE) or ""),
            credit=rest if status == PaymentStatus.OVERPAID else Decimal(0),
            customer_id=totals[numbers[0]].customer_id if numbers else None,
        )
        found.append(replace(_applied(row, row.row_id, match), is_shown=True))
    return found


def _spread(
    amount: Decimal, numbers: Sequence[str], left: dict[str, Decimal]
) -> tuple[list[Allocation], Decimal]:
    """`amount` over `numbers` in order, each up to what is left open on it (a
    refund, negative, goes to the first whole); what remains."""
    if amount < 0 and numbers:
        left[numbers[0]] -= amount
        return [Allocation(numbers[0], amount)], Decimal(0)
    allocations: list[Allocation] = []
    for number in numbers:
        part = min(amount, max(left[number], Decimal(0)))
        if part > 0:
            allocations.append(Allocation(number, part))
            left[number] -= part
            amount -= part
    return allocations, amount


def rebuilt_paid(
    applied: Sequence[AppliedPayment],
    rows: Sequence[InvoiceRow],
    invoices: Sequence[Invoice],
) -> dict[str, Decimal]:
    """The Paid cells a rebuilt state counts as sheetbill's: those showing what the
    rebuilt applications add up to (any other filled Paid stays a person's)."""
    counted = paid_by_invoice(a.match for a in applied)
    currency = {i.number: i.currency for i in invoices}
    ours: dict[str, Decimal] = {}
    for row in rows:
        if row.paid is None or row.number not in currency:
            continue
        step = quantum(currency[row.number])
        sum_ = counted.get(row.number, Decimal(0)).quantize(step)
        if row.paid.quantize(step) == sum_:
            ours[row.number] = sum_
    return ours


def receipts_shown(
    applied: Sequence[AppliedPayment],
    rows: Sequence[PaymentRow],
    invoices: Sequence[Invoice],
    *,
    zone: ZoneInfo,
) -> list[ShownEmail]:
    """The receipts the Payments tab says went (Receipt Sent on a payment row), for
    a state rebuilt from the workbook: per invoice, the one covering the most paid
    (its payments up to the last row showing Receipt Sent, in the order applied),
    so no receipt for a Paid already thanked for goes again."""
    currency = {i.number: i.currency for i in invoices}
    sent = {
        r.row_id: r.shown.get(PaymentColumns.RECEIPT_SENT)
        for r in rows
        if r.row_id and isinstance(r.shown.get(PaymentColumns.RECEIPT_SENT), datetime)
    }
    running: dict[str, Decimal] = {}
    covered: dict[str, tuple[Decimal, datetime]] = {}
    for one in applied:
        for allocation in one.match.allocations:
            number = allocation.number
            running[number] = running.get(number, Decimal(0)) + allocation.amount
            at = sent.get(one.row_id)
            if (
                isinstance(at, datetime)
                and number in currency
                and allocation.amount > 0
            ):
                covered[number] = (running[number], at)
    found: list[ShownEmail] = []
    for number, (paid, at) in covered.items():
        local = at.replace(tzinfo=zone) if at.tzinfo is None else at
        found.append(
            ShownEmail(
                receipt_key(number, paid, currency[number]),
                {
                    "invoice": number,
                    "purpose": "receipt",
                    "paid": str(paid),
                    "outcome": "sent",
                    "detail": "recorded from the Payments tab when the state was "
                    "rebuilt",
                },
                "done",
                local.astimezone(UTC),
            )
        )
    return found
