"""What the Invoices tab shows of each invoice's life: Status, Balance, Sent At,
Reminder Stage and Last Reminder, worked out afresh every run from the invoice and
the journal's emails; and the problems that stay open while their cause lasts (an
email that needs review, one the server refused, a customer without an Email).

Pure. Status is one word, by precedence (docs/decisions.md, "Issue 14 — plans"):
needs review > paid > on hold > awaiting approval > overdue > partially paid > sent
> approved > draft ("void" waits until sheetbill voids invoices: Void = yes keeps
the status). Status is sheetbill's column: a value a person typed there is set back,
with a warning; a person's edit is told from sheetbill's own change by what
sheetbill last wrote there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sheetbill.domain.approvals import APPROVED, AWAITING, NOT_NEEDED, SHOWN_STATUS
from sheetbill.domain.mail import (
    EmailHistory,
    EmailRecord,
    InvoiceStanding,
    Purpose,
    SendInvoices,
    SendWord,
)
from sheetbill.domain.model import Customer, Problem, Settings, Severity
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.schema import CUSTOMERS, INVOICES, SETTINGS, InvoiceColumns
from sheetbill.planning.digest import last_digests, owner_key
from sheetbill.planning.sending import (
    DONE,
    FAILED,
    RESEND,
    UNKNOWN,
    InvoiceEmails,
    invoice_emails,
    invoice_key,
    is_sent,
    receipt_key,
)
from sheetbill.tabs.invoices import InvoiceRow
from sheetbill.tabs.rows import TabLayout
from sheetbill.tabs.settings import setting_row

NEEDS_REVIEW, PAID, ON_HOLD, OVERDUE = "needs review", "paid", "on hold", "overdue"
PARTIALLY_PAID, SENT = "partially paid", "sent"


@dataclass(frozen=True, slots=True)
class InvoiceCells:
    """sheetbill's cells of an invoice's Invoices row that sending keeps up to date."""

    # One of `sheetbill.domain.schema.INVOICE_STATUSES`.
    status: str
    # Total less Paid, in the invoice's currency.
    balance: Decimal
    # When the invoice email reached the mail server: the Settings zone's wall time,
    # to the second, without a zone; None when sheetbill did not send it.
    sent_at: datetime | None
    # The last reminder's stage, days from due: "+7", "-3"; "" for none.
    reminder_stage: str
    # The day (Settings zone) the last reminder went; None for none.
    last_reminder: date | None
    # The Paid sheetbill writes (the sum of the payments matched); None: the cell
    # is left as it is (unchanged, or typed by a person).
    paid: Decimal | None = None


def invoice_cells(
    invoice: InvoiceStanding, history: EmailHistory, *, today: date, zone: ZoneInfo
) -> InvoiceCells:
    """The cells of `invoice` after the emails in `history` (those of this run
    too). `today`: the Settings-zone date; `zone`: the Settings time zone."""
    emails = invoice_emails(invoice, history)
    sent = emails.arrived.get(invoice_key(invoice.number))
    reminders = [r for r in emails.arrived.values() if r.purpose is Purpose.REMINDER]
    last = max(reminders, key=_went_at, default=None)
    stage = max((r.stage for r in reminders if r.stage is not None), default=None)
    return InvoiceCells(
        status=status_of(invoice, emails, today=today),
        balance=invoice.balance,
        sent_at=wall_time(_went_at(sent), zone) if sent is not None else None,
        reminder_stage="" if stage is None else f"{stage:+d}",
        last_reminder=wall_time(_went_at(last), zone).date() if last else None,
    )


def status_of(invoice: InvoiceStanding, emails: InvoiceEmails, *, today: date) -> str:
    """The invoice's Status, by the precedence above. Paid: nothing left to pay
    and something paid, or a total of 0 once sent. Overdue: sent, past its due
    date (`today`, Settings zone) and not paid in full, whatever the customer's
    Reminders. "Sent" counts a person's `sent` in Send as well as sheetbill's
    email (an invoice sent by hand is shown so, but never reminded)."""
    sent = is_sent(invoice, emails)
    if emails.needs_review:
        return NEEDS_REVIEW
    if (invoice.balance <= 0 and invoice.paid > 0) or (invoice.total == 0 and sent):
        return PAID
    if invoice.is_held:
        return ON_HOLD
    if invoice.approval == AWAITING:
        return AWAITING
    if sent and today > invoice.due_date and invoice.balance > 0:
        return OVERDUE
    if sent and 0 < invoice.paid < invoice.total:
        return PARTIALLY_PAID
    if sent:
        return SENT
    return SHOWN_STATUS[APPROVED if invoice.approval == APPROVED else NOT_NEEDED]


def _went_at(record: EmailRecord) -> datetime:
    """When an email went: the server's answer, else when it was handed over."""
    if record.status == DONE and record.settled_at is not None:
        return record.settled_at
    return record.intended_at


def wall_time(moment: datetime, zone: ZoneInfo) -> datetime:
    """`moment` as the zone's wall clock shows it, to the second, without a zone (a
    cell holds none); a naive `moment` is UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone).replace(tzinfo=None, microsecond=0)


# --- A person's change to Status ---------------------------------------------------


def status_changed(
    number: str,
    row: InvoiceRow,
    *,
    now: str,
    before: str,
    tab: str = INVOICES.name,
) -> Problem | None:
    """A warning when the Status cell of `number` shows a value sheetbill neither
    wrote last (`before`) nor writes now (`now`): a person typed it, and it is set
    back to `now`. A blank cell is filled in silently (the row was put back by
    hand, or the column added); a cell showing `before` is sheetbill's own, changed
    now without a word."""
    shown = row.status or ""
    if not shown or shown.casefold() in (now.casefold(), before.casefold()):
        return None
    fix = "Leave Status to sheetbill; keep your own notes in the Note column."
    if now == AWAITING:
        fix = (
            "To approve it, an approver listed in Settings writes their name in "
            f"Approve. {fix}"
        )
    elif now == NEEDS_REVIEW:
        fix = f"To settle it, write sent or resend in Send. {fix}"
    return Problem(
        code=ProblemCode.APPROVALS_STATUS_CHANGED,
        tab=tab,
        row=row.row,
        column=InvoiceColumns.STATUS,
        value=shown,
        problem=f"Status of {number} was changed to '{shown}', but Status is "
        f"sheetbill's column: it is set back to '{now}', and nothing else changes.",
        fix=fix,
        severity=Severity.WARNING,
        customer_id=row.customer_id or None,
    )


def changed_statuses(
    rows: Sequence[InvoiceRow],
    cells: Mapping[str, InvoiceCells],
    *,
    last_shown: Mapping[str, str] | None = None,
    approvals: Mapping[str, str] | None = None,
    tab: str = INVOICES.name,
) -> list[Problem]:
    """The Status cells a person changed, each a warning (the write-back sets them
    back, as it writes every cell of `cells` that differs).

    `last_shown`: number -> the Status sheetbill last wrote; for a number it lacks,
    what approvals showed (`approvals`: number -> NOT_NEEDED, AWAITING or APPROVED),
    as before sending wrote statuses. Only invoices on exactly one row.
    """
    last_shown, approvals = last_shown or {}, approvals or {}
    rows_of: dict[str, list[InvoiceRow]] = {}
    for row in rows:
        rows_of.setdefault(row.number, []).append(row)
    problems = []
    for number, found in rows_of.items():
        if len(found) != 1 or number not in cells:
            continue
        before = last_shown.get(number)
        if before is None:
            before = SHOWN_STATUS.get(approvals.get(number, NOT_NEEDED), "draft")
        changed = status_changed(
            number, found[0], now=cells[number].status, before=before, tab=tab
        )
        if changed is not None:
            problems.append(changed)
    return problems


# --- Problems that stay open while their cause lasts -------------------------------


def mail_problems(
    invoices: Sequence[InvoiceStanding],
    customers: Mapping[str, Customer],
    history: EmailHistory,
    *,
    layouts: Mapping[str, TabLayout],
    settings: Settings | None = None,
) -> list[Problem]:
    """Derived from the journal every run, so each Exceptions row stays open while
    its cause lasts and closes once it is gone: an invoice's emails that need
    review (on its Send cell), an email the server refused for good while it is
    still wanted (on the customer's Email; a digest's on its owner's cell), and a
    customer without an Email who has an invoice to email (under `settings`' Send
    Invoices). Call it after the run's sends: a refusal fixed by a new address is
    gone once the email went."""
    settings = settings or Settings()
    names = {
        s.name: (layouts[s.name].tab if s.name in layouts else s.name)
        for s in (INVOICES, CUSTOMERS, SETTINGS)
    }
    problems: list[Problem] = []
    wanting: dict[str, str] = {}
    for invoice in invoices:
        emails = invoice_emails(invoice, history)
        customer = customers.get(invoice.customer_id)
        if emails.needs_review:
            problems.append(_needs_review(invoice, emails, customer, names))
        problems += [
            _refused(invoice, r, customer, names)
            for r in _refusals(invoice, emails, history)
        ]
        if _wants_invoice_email(invoice, emails, settings.send_invoices):
            wanting.setdefault(invoice.customer_id, invoice.number)
    for customer_id in sorted(wanting):
        customer = customers.get(customer_id)
        if customer is not None and not customer.email:
            problems.append(_no_email(customer, names[CUSTOMERS.name]))
    problems += _refused_digests(history, customers, settings, layouts, names)
    return problems


def _what(record: EmailRecord) -> str:
    """An email of an invoice in words: "the invoice email", "the reminder +7"."""
    again = " (sent once more)" if record.key.endswith(RESEND) else ""
    if record.purpose is Purpose.REMINDER and record.stage is not None:
        return f"the reminder {record.stage:+d}{again}"
    if record.purpose is Purpose.RECEIPT and record.paid is not None:
        return f"the receipt for {record.paid:f} paid{again}"
    return f"the {record.purpose.value} email{again}"


def _needs_review(
    invoice: InvoiceStanding,
    emails: InvoiceEmails,
    customer: Customer | None,
    names: Mapping[str, str],
) -> Problem:
    unknown = emails.unresolved
    listed = ", ".join(
        _what(r) + (f" ({r.detail})" if r.detail else "") for r in unknown
    )
    who = customer.name if customer is not None else invoice.customer_id
    resend_fix = (
        "resend to send it once more"
        if not all(r.key.endswith(RESEND) for r in unknown)
        else "send it by hand if it did not (it is not sent a third time by itself)"
    )
    return Problem(
        code=ProblemCode.EMAIL_NEEDS_REVIEW,
        tab=names[INVOICES.name],
        # Named by its number, not its row: an invoice appended in the same run has
        # no row yet, and a problem that moved rows would be told again as new.
        row=None,
        column=InvoiceColumns.SEND,
        value=invoice.send.value,
        problem=f"Whether {listed} of {invoice.number} reached the mail server is not "
        f"known: it is never sent again by itself, and nothing more is emailed "
        f"about {invoice.number} until you say.",
        fix=f"Ask {who} or look in the sender's sent mail: write sent in Send of "
        f"{invoice.number} if it arrived, or {resend_fix}.",
        customer_id=invoice.customer_id,
    )


def _refusals(
    invoice: InvoiceStanding, emails: InvoiceEmails, history: EmailHistory
) -> list[EmailRecord]:
    """The invoice's emails the server refused for good that are still wanted: not
    arrived another way, and still owed (the invoice email until sent; a reminder
    while a balance is open and no later stage went; a receipt while none for as
    much went)."""
    found = []
    went = list(emails.arrived.values())
    for record in history.for_invoice(invoice.number):
        base = record.key.removesuffix(RESEND)
        if record.status != FAILED or not record.is_refusal or emails.went(base):
            continue
        if record.key == base and (
            base in emails.resend or history.get(base + RESEND) is not None
        ):
            continue  # a person asked to resend it: the resend speaks for it
        if record.purpose is Purpose.INVOICE:
            wanted = emails.word is not SendWord.SENT and not invoice.is_void
        elif record.purpose is Purpose.REMINDER:
            wanted = invoice.balance > 0 and not any(
                r.purpose is Purpose.REMINDER and (r.stage or 0) > (record.stage or 0)
                for r in went
            )
        else:
            wanted = not any(
                r.purpose is Purpose.RECEIPT and (r.paid or 0) >= (record.paid or 0)
                for r in went
            )
        if wanted:
            found.append(record)
    return found


def _refused(
    invoice: InvoiceStanding,
    record: EmailRecord,
    customer: Customer | None,
    names: Mapping[str, str],
) -> Problem:
    said = f": {record.detail}" if record.detail else ""
    problem = (
        f"The mail server refused {_what(record)} of {invoice.number} "
        f"({record.envelope}){said}. It is not sent again until the Email or CC "
        f"of customer {invoice.customer_id} changes."
    )
    fix = (
        "If the server refused the address, correct Email or CC (it goes in the next "
        f"run); if it refused the email itself, write resend in Send of "
        f"{invoice.number} in {names[INVOICES.name]} to send it once more."
    )
    if customer is None:
        return Problem(
            code=ProblemCode.EMAIL_REFUSED,
            tab=names[INVOICES.name],
            row=invoice.row,
            column=InvoiceColumns.SEND,
            value=invoice.send.value,
            problem=problem,
            fix=fix,
            customer_id=invoice.customer_id,
        )
    return Problem(
        code=ProblemCode.EMAIL_REFUSED,
        tab=names[CUSTOMERS.name],
        row=customer.row,
        column="Email",
        value=customer.email,
        problem=problem,
        fix=fix,
        customer_id=customer.customer_id,
    )


def _wants_invoice_email(
    invoice: InvoiceStanding, emails: InvoiceEmails, mode: SendInvoices
) -> bool:
    """The invoice is to be emailed and was not: by Send Invoices or a `send`."""
    if is_sent(invoice, emails) or invoice.is_void:
        return False
    by_itself = mode is SendInvoices.AUTOMATICALLY and invoice.sends_itself
    return by_itself or emails.word is SendWord.SEND


def _no_email(customer: Customer, tab: str) -> Problem:
    return Problem(
        code=ProblemCode.CUSTOMERS_NO_EMAIL,
        tab=tab,
        row=customer.row,
        column="Email",
        value="",
        problem=f"Customer {customer.customer_id} has no Email, and an invoice to it "
        "is to be emailed: nothing is emailed to it until it has one.",
        fix="Write the customer's billing address in Email, or write sent in the "
        "invoice's Send cell if it reached the customer another way.",
        severity=Severity.WARNING,
        customer_id=customer.customer_id,
    )


def _refused_digests(
    history: EmailHistory,
    customers: Mapping[str, Customer],
    settings: Settings,
    layouts: Mapping[str, TabLayout],
    names: Mapping[str, str],
) -> list[Problem]:
    """For each owner whose last digest the server refused for good: on the Owner
    cell of a customer that names them, else on the Billing Owner setting."""
    problems = []
    for owner, record in sorted(last_digests(history).items()):
        if record.status != FAILED or not record.is_refusal:
            continue
        named = next(
            (c for c in customers.values() if owner_key(c.owner) == owner),
            None,
        )
        row: int | None
        if named is not None:
            tab, row, column = names[CUSTOMERS.name], named.row, "Owner"
        else:
            settings_layout = layouts.get(SETTINGS.name)
            table = settings_layout.table if settings_layout is not None else None
            row = setting_row(table, "billing_owner")
            tab, column = names[SETTINGS.name], "Value"
        said = f": {record.detail}" if record.detail else ""
        problems.append(
            Problem(
                code=ProblemCode.EMAIL_REFUSED,
                tab=tab,
                row=row,
                column=column,
                value=owner,
                problem=f"The mail server refused the digest of problems to {owner} "
                f"({record.envelope}){said}. No digest goes to {owner} until the "
                "address or the sender changes.",
                fix="Correct the owner's address (Owner in Customers, Billing Owner "
                "in Settings), or the sender ('from' in sheetbill.toml).",
                severity=Severity.WARNING,
            )
        )
    return problems


# --- The cells read back: a state rebuilt from the workbook ------------------------


@dataclass(frozen=True, slots=True)
class ShownEmail:
    """An email the Invoices tab's cells say went (or may have gone): what a state
    rebuilt from the workbook records, so that nothing is sent twice after it."""

    key: str
    details: Mapping[str, object]
    # "done" or "unknown".
    status: str
    # In UTC.
    at: datetime


def emails_shown(
    rows: Sequence[InvoiceRow],
    currencies: Mapping[str, str],
    *,
    zone: ZoneInfo,
    now: datetime,
) -> list[ShownEmail]:
    """The emails each invoice's row shows as sent: Sent At (the invoice email),
    Reminder Stage (that stage's reminder, on Last Reminder), Status paid (its
    receipt, for the Paid shown) and Status needs review (an invoice email whose
    outcome is unknown). `currencies`: each drawn invoice's currency, by number;
    rows of other numbers are left out; `now` (UTC) dates what no cell dates. The
    inverse of `invoice_cells`."""
    found: list[ShownEmail] = []
    for row in rows:
        currency = currencies.get(row.number)
        if currency is None:
            continue
        sent_at = _moment(row.shown.get(InvoiceColumns.SENT_AT), zone)
        status = (row.status or "").casefold()
        about = {"invoice": row.number, "outcome": "sent", "detail": _REBUILT}
        if sent_at is not None:
            found.append(
                ShownEmail(
                    invoice_key(row.number),
                    {**about, "purpose": "invoice"},
                    DONE,
                    sent_at,
                )
            )
        elif status == NEEDS_REVIEW:
            details = {**about, "purpose": "invoice", "outcome": "unknown"}
            found.append(ShownEmail(invoice_key(row.number), details, UNKNOWN, now))
        stage = _stage(row.shown.get(InvoiceColumns.REMINDER_STAGE))
        if stage is not None:
            day = _moment(row.shown.get(InvoiceColumns.LAST_REMINDER), zone)
            found.append(
                ShownEmail(
                    f"{row.number}.reminder.{stage:+d}",
                    {**about, "purpose": "reminder", "stage": stage},
                    DONE,
                    day or sent_at or now,
                )
            )
        if status == "paid" and row.paid:
            paid = row.paid
            found.append(
                ShownEmail(
                    receipt_key(row.number, paid, currency),
                    {**about, "purpose": "receipt", "paid": str(paid)},
                    DONE,
                    sent_at or now,
                )
            )
    return found


_REBUILT = "recorded from the Invoices tab when the state was rebuilt"


def _moment(value: object, zone: ZoneInfo) -> datetime | None:
    """A Sent At or Last Reminder cell as a UTC moment (a date: noon that day)."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=zone)
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day, 12, tzinfo=zone)
    else:
        return None
    return moment.astimezone(UTC)


def _now_ish(zone: ZoneInfo) -> datetime:
    # Only a placeholder for an order: rebuilt entries have no time of their own.
    return datetime(1970, 1, 1, tzinfo=UTC)


def _stage(value: object) -> int | None:
    text = str(value).strip() if value is not None else ""
    try:
        return int(Decimal(text)) if text else None
    except ArithmeticError:
        return None
