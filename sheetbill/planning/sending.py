"""Which invoice emails go today, and what every planner of emails shares: where an
invoice's emails stand once a person's word in Send is taken, the keys, the
addresses, and the facts a template is told.

Pure. The rules are the shared design of issue 14 (docs/decisions.md, "Issue 14 —
plans"): an email goes only for an invoice sheetbill made; never for one on hold,
void, awaiting approval or needing review, nor to a customer without a valid Email;
under `after review` an invoice goes once a person writes `send` in its Send cell,
under `automatically` in the run that can. An email whose outcome is unknown is never
sent again by itself: a person writes `sent` (it arrived) or `resend` (send it once
more, as `<key>.resend`). A refused email goes again only once its envelope changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_interval

from sheetbill.domain.approvals import AWAITING, NOT_NEEDED
from sheetbill.domain.cells import CellValueError, parse_date, parse_number, parse_text
from sheetbill.domain.mail import (
    EmailHistory,
    EmailRecord,
    InvoiceStanding,
    PlannedEmail,
    Purpose,
    SendInvoices,
    SendWord,
    Skip,
    SkipReason,
)
from sheetbill.domain.model import Customer, Invoice, Problem, Settings, Severity
from sheetbill.domain.money import quantum
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.schema import INVOICES, InvoiceColumns
from sheetbill.domain.sheet import CellValue
from sheetbill.tabs.email_addresses import cc_addresses, email_problem, has_line_break
from sheetbill.tabs.invoices import InvoiceRow

# The suffix of an email sent once more because a person wrote resend.
RESEND = ".resend"
# Journal statuses (`sheetbill.domain.journal.Status` values) as EmailRecord holds them.
DONE, FAILED, UNKNOWN, PENDING = "done", "failed", "unknown", "pending"
# The languages with built-in templates; others are rendered in English.
LANGUAGES = ("en", "de", "fr", "es")


def invoice_key(number: str) -> str:
    return f"{number}.invoice"


def receipt_key(number: str, paid: Decimal, currency: str) -> str:
    """`<n>.receipt.<Paid so far>`, e.g. `INV-1.receipt.1190.00`."""
    return f"{number}.receipt.{amount_text(paid, currency)}"


def amount_text(amount: Decimal, currency: str) -> str:
    """An amount with the currency's minor units (1190.00 EUR, 5000 JPY), or more
    decimals when it has them: two amounts never share a text."""
    step = quantum(currency)
    if amount.quantize(step) != amount:
        return f"{amount.normalize():f}"
    return f"{amount.quantize(step):f}"


# --- An invoice's standing -------------------------------------------------------


def standings(
    invoices: Sequence[Invoice],
    rows: Sequence[InvoiceRow],
    *,
    approvals: Mapping[str, str],
    documents: Set[str],
    tab: str = INVOICES.name,
) -> tuple[list[InvoiceStanding], list[Problem]]:
    """Each invoice as its emails are decided: the state's invoice with its Invoices
    row's Paid, Send, Hold and Void (`rows`, from `read_invoices`, whose problems are
    its own), and a warning where the row's Due Date, Total or Currency is not the
    invoice's (the invoice as made stands; sheetbill then writes nothing more on
    that row: it may be another invoice's row a person retyped).

    `invoices`: every drawn invoice, this run's new ones too (no row yet: nothing
    paid, not held). An invoice on two rows, or whose Paid cannot be read, is left
    out: nothing is decided about it until a person sorts the rows out (`own_rows`
    and `read_invoices` report them). A Hold or Void that is neither yes nor no
    counts as yes (the safe side). `approvals`: number -> NOT_NEEDED, AWAITING or
    APPROVED after this run's reading. `documents`: the numbers with a PDF (every
    number when documents are off).
    """
    rows_of: dict[str, list[InvoiceRow]] = {}
    for shown_row in rows:
        rows_of.setdefault(shown_row.number, []).append(shown_row)
    found: list[InvoiceStanding] = []
    problems: list[Problem] = []
    for invoice in invoices:
        shown = rows_of.get(invoice.number, [])
        row = shown[0] if len(shown) == 1 else None
        if len(shown) > 1 or (row is not None and row.paid is None):
            continue
        changed = _changed_details(invoice, row, tab) if row is not None else []
        problems += changed
        found.append(
            InvoiceStanding(
                number=invoice.number,
                customer_id=invoice.customer_id,
                currency=invoice.currency,
                total=invoice.total,
                issue_date=invoice.issue_date,
                due_date=invoice.due_date,
                kind=invoice.kind.value,
                paid=(row.paid or Decimal(0)) if row is not None else Decimal(0),
                approval=approvals.get(invoice.number, NOT_NEEDED),
                is_held=row is not None and row.hold is not False,
                is_void=row is not None and row.void is not False,
                send=(row.send or SendWord.NONE) if row is not None else SendWord.NONE,
                row=row.row if row is not None else None,
                has_document=invoice.number in documents,
                service_period=invoice.service_period,
                shows_other_details=bool(changed),
            )
        )
    return found, problems


def _changed_details(invoice: Invoice, row: InvoiceRow, tab: str) -> list[Problem]:
    """A warning on each of Due Date, Total and Currency whose cell shows another
    value than the invoice (a blank cell is not read)."""
    made: dict[str, tuple[object, str, str]] = {
        InvoiceColumns.DUE_DATE: (
            invoice.due_date,
            invoice.due_date.isoformat(),
            "reminders and Status go by",
        ),
        InvoiceColumns.TOTAL: (
            invoice.total,
            f"{invoice.total:f}",
            "Balance is worked out from",
        ),
        InvoiceColumns.CURRENCY: (invoice.currency, invoice.currency, "Paid is in"),
    }
    problems = []
    for column, (value, text, used) in made.items():
        if column not in row.shown or _read_as(column, row.shown[column]) == value:
            continue
        shown = parse_text(row.shown[column])
        problems.append(
            Problem(
                code=ProblemCode.INVOICES_DETAIL_CHANGED,
                tab=tab,
                row=row.row,
                column=column,
                value=shown,
                problem=f"{column} of {invoice.number} shows {shown}, but the invoice "
                f"says {text}: {used} {text}.",
                fix=f"Write {text} back: an issued invoice is changed only by a credit "
                "note (to give a customer more time, put the invoice on hold in Hold).",
                severity=Severity.WARNING,
                customer_id=invoice.customer_id,
            )
        )
    return problems


def _read_as(column: str, value: CellValue) -> object:
    """A Due Date, Total or Currency cell as a date, Decimal or code; None when it is
    not one (then it differs from any)."""
    try:
        if column == InvoiceColumns.DUE_DATE:
            return parse_date(value, locale="en_US")
        if column == InvoiceColumns.TOTAL:
            return parse_number(value, locale="en_US")
    except CellValueError:
        return None
    return parse_text(value).upper()


# --- Where an invoice's emails stand -----------------------------------------------


@dataclass(frozen=True, slots=True)
class InvoiceEmails:
    """An invoice's emails once the person's word in its Send cell is taken."""

    word: SendWord
    # Keys (without RESEND) of the emails that count as having reached the customer,
    # with the record that did: done; unknown or pending when the word is `sent`;
    # or its resend, done.
    arrived: Mapping[str, EmailRecord]
    # Unknown or pending and not settled by the word: the invoice needs review.
    unresolved: tuple[EmailRecord, ...]
    # Keys (without RESEND) to send once more as `<key>.resend`: the word is
    # `resend`, and the email was unknown, pending or refused.
    resend: Set[str]
    # Every record that counts as having reached the customer, oldest first
    # (`arrived` keeps the first of each key; a resend may follow one taken as sent).
    gone: tuple[EmailRecord, ...] = ()

    @property
    def needs_review(self) -> bool:
        return bool(self.unresolved)

    def went(self, key: str) -> bool:
        return key in self.arrived


def invoice_emails(invoice: InvoiceStanding, history: EmailHistory) -> InvoiceEmails:
    """Where each email of `invoice` stands (see `emails_of`)."""
    return emails_of(history.for_invoice(invoice.number), invoice.send)


def emails_of(records: Sequence[EmailRecord], word: SendWord) -> InvoiceEmails:
    """Where each email of an invoice stands: `records`, its emails in the journal
    (oldest first), after `word`, what a person wrote in its Send cell.

    `sent` counts every unknown email of the invoice as arrived. `resend` sends each
    unknown (or refused) one once more, as `<key>.resend`: only those recorded
    before the first resend of the invoice — the word stays in the cell, and an
    email that became unknown after it was acted on needs a person's look again (a
    resend that is itself unknown too: it is never resent by itself).
    """
    by_key: dict[str, EmailRecord] = {}
    first_resend = None
    if word is SendWord.RESEND:
        by_key = {r.key: r for r in records}
        first_resend = min(
            (r.intended_at for r in records if r.key.endswith(RESEND)), default=None
        )
    arrived: dict[str, EmailRecord] = {}
    gone: list[EmailRecord] = []
    unresolved: list[EmailRecord] = []
    resend: set[str] = set()
    for record in records:
        base = record.key.removesuffix(RESEND)
        status = record.status
        if status == DONE or (word is SendWord.SENT and status in (UNKNOWN, PENDING)):
            arrived.setdefault(base, record)
            gone.append(record)
        elif status in (UNKNOWN, PENDING):
            is_before = first_resend is None or record.intended_at < first_resend
            if word is SendWord.RESEND and base == record.key and is_before:
                if _may_resend(by_key.get(base + RESEND)):
                    resend.add(base)
            else:
                unresolved.append(record)
        elif (
            record.is_refusal
            and word is SendWord.RESEND
            and base == record.key
            and _may_resend(by_key.get(base + RESEND))
        ):
            resend.add(base)
    if not unresolved and not resend:
        return InvoiceEmails(word, arrived, (), frozenset(), tuple(gone))
    return InvoiceEmails(
        word,
        arrived,
        tuple(r for r in unresolved if r.key.removesuffix(RESEND) not in arrived),
        frozenset(k for k in resend if k not in arrived),
        tuple(gone),
    )


def _may_resend(again: EmailRecord | None) -> bool:
    """Its resend (`again`) was not recorded yet, or did not go (and may go again)."""
    return again is None or again.status == FAILED


def next_key(key: str, emails: InvoiceEmails, history: EmailHistory) -> str | None:
    """The key to send the email `key` of an invoice under now: `key` (never
    recorded, or it failed), `<key>.resend` (a person asked), or None (it went, may
    have gone, or its resend may have)."""
    if emails.went(key):
        return None
    if key in emails.resend:
        return key + RESEND
    record = history.get(key)
    if record is None or record.status == FAILED:
        return key
    return None


def is_sent(invoice: InvoiceStanding, emails: InvoiceEmails) -> bool:
    """The invoice reached the customer: its invoice email went, or a person wrote
    sent (by hand, when sheetbill never emailed it)."""
    return emails.went(invoice_key(invoice.number)) or emails.word is SendWord.SENT


def is_sent_by_sheetbill(invoice: InvoiceStanding, emails: InvoiceEmails) -> bool:
    """sheetbill's invoice email reached the customer: only such an invoice is
    reminded or receipted (one from before sending, or sent by hand, never is)."""
    return emails.went(invoice_key(invoice.number))


# --- Addresses, envelopes and refusals ---------------------------------------------


def recipients(
    customer: Customer | None,
) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """To and CC of an email to `customer`; None when none may go (no customer, no
    Email, or one the Customers tab reports: not valid, or a line break)."""
    if address_problem(customer) is not None:
        return None
    assert customer is not None  # address_problem names a missing customer
    return (customer.email,), cc_addresses(customer.cc)


def no_address(invoice: InvoiceStanding, customer: Customer | None) -> str:
    """Why `recipients` found none, in words for `explain`."""
    if customer is None:
        return f"customer {invoice.customer_id} cannot be read in Customers"
    return address_problem(customer) or ""


def address_problem(customer: Customer | None) -> str | None:
    """Why no email may go to `customer`, in words for `explain`; None when one may.
    The Customers tab reports each cause on its cell (`is_mailable`); checked here
    again so a customer made elsewhere cannot put a line break in a header.
    email-validator's answers are cached (`email_problem`), so asking per email is
    cheap."""
    if customer is None:
        return "the customer is not in the Customers tab"
    who = f"customer {customer.customer_id}"
    if not customer.email:
        return f"{who} has no Email"
    if has_line_break(customer.name):
        return f"{who}'s Name cannot go on an envelope: it holds a line break"
    for address in (customer.email, *cc_addresses(customer.cc)):
        why = "it holds a line break" if has_line_break(address) else None
        why = why or email_problem(address)
        if why is not None:
            return f"{who}'s address {address!r} cannot go on an envelope: {why}"
    if not customer.is_mailable:
        return f"{who}'s Email, CC or Name cannot go on an envelope (see Customers)"
    return None


def envelope(sender: str, to: Iterable[str], cc: Iterable[str]) -> str:
    """An email's envelope as the journal remembers it, to tell whether a refusal's
    cause changed: `from <sender>; to <addresses>; cc <addresses>`, each casefolded,
    the lists sorted."""

    def listed(addresses: Iterable[str]) -> str:
        return ", ".join(sorted(a.strip().casefold() for a in addresses))

    return f"from {sender.strip().casefold()}; to {listed(to)}; cc {listed(cc)}"


def refusal_stands(
    record: EmailRecord | None, email: PlannedEmail, *, sender: str
) -> bool:
    """The server refused this email for good, and what it refused has not changed:
    the same sender (`[mail] from`), To and CC."""
    return (
        record is not None
        and record.status == FAILED
        and record.is_refusal
        and record.envelope == envelope(sender, email.to, email.cc)
    )


# --- What a template is told ------------------------------------------------------


def language_of(customer: Customer | None) -> str:
    """The language of emails to `customer`: its Language's own (`de` also for
    `de_AT` or `de-CH`) when it has built-in templates; else English."""
    return language_code(customer.language if customer is not None else "")


def language_code(text: str) -> str:
    """A Language or locale cell (`de`, `de_AT`, `de-CH`) as a language with
    built-in templates; English for any other."""
    code = text.strip().casefold().replace("-", "_").partition("_")[0]
    return code if code in LANGUAGES else "en"


def invoice_facts(
    invoice: InvoiceStanding,
    customer: Customer | None,
    *,
    language: str,
    paid: Decimal | None = None,
) -> dict[str, Any]:
    """`invoice` and `customer` of the template context (sheet_templates/email/
    README.md); `paid`: what the email states as paid so far (a receipt's), else
    the invoice's."""
    paid = invoice.paid if paid is None else paid
    return {
        "invoice": {
            "number": invoice.number,
            "kind": invoice.kind,
            "issue_date": invoice.issue_date,
            "due_date": invoice.due_date,
            "total": invoice.money(invoice.total),
            "paid": invoice.money(paid),
            "balance": invoice.money(invoice.total - paid),
            "service_period": period_text(invoice.service_period, language),
        },
        "customer": {
            "id": invoice.customer_id,
            "name": customer.name if customer is not None else "",
        },
    }


def period_text(period: tuple[date, date] | None, language: str) -> str | None:
    """A service period in the language's words: "Oct 1 - 31, 2026"; one day
    in the long form."""
    if period is None:
        return None
    try:
        locale = Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        locale = Locale.parse("en")
    first, last = period
    if first == last:
        return str(format_date(first, "long", locale=locale))
    return str(format_interval(first, last, "yMMMd", locale=locale))


def sorted_out(
    decided: Iterable[PlannedEmail | Skip | None],
) -> tuple[list[PlannedEmail], list[Skip]]:
    """A planner's decisions, in order, as the emails to send and the Skips
    (None: nothing to send nor to say)."""
    emails: list[PlannedEmail] = []
    skips: list[Skip] = []
    for one in decided:
        if isinstance(one, PlannedEmail):
            emails.append(one)
        elif one is not None:
            skips.append(one)
    return emails, skips


# --- Invoice emails ----------------------------------------------------------------


def plan_invoice_emails(
    invoices: Sequence[InvoiceStanding],
    customers: Mapping[str, Customer],
    settings: Settings,
    history: EmailHistory,
    *,
    today: date,
    sender: str = "",
) -> tuple[list[PlannedEmail], list[Skip]]:
    """The invoice emails to send, and why the others do not go (one Skip per
    invoice that waits), in the order of `invoices`.

    Settings Send Invoices decides when a made invoice goes: `automatically`, in the
    first run that can; `after review`, once its Send cell says `send`. Never while
    it needs review, is void, on hold, awaiting approval or without its PDF, nor to
    a customer without a valid Email; a refused one not before its envelope changed
    (`sender`: `[mail] from`, as the journal's envelope holds it). A credit note goes
    as an invoice does. `today` (the Settings-zone date) decides nothing here yet.
    """
    return sorted_out(
        _invoice_email(
            invoice, customers.get(invoice.customer_id), settings, history, sender
        )
        for invoice in invoices
    )


def _invoice_email(
    invoice: InvoiceStanding,
    customer: Customer | None,
    settings: Settings,
    history: EmailHistory,
    sender: str,
) -> PlannedEmail | Skip | None:
    key = invoice_key(invoice.number)
    emails = invoice_emails(invoice, history)
    if is_sent(invoice, emails):
        return None

    def skip(reason: SkipReason, detail: str = "") -> Skip:
        return Skip(Purpose.INVOICE, reason, invoice.number, None, detail)

    held = held_back(invoice, emails)
    if held is not None:
        return skip(*held)
    if not invoice.has_document:
        return skip(SkipReason.NO_DOCUMENT)
    send_as = next_key(key, emails, history)
    if send_as is None:
        return None
    addresses = recipients(customer)
    if addresses is None:
        return skip(SkipReason.NO_ADDRESS, no_address(invoice, customer))
    reviewed = invoice.send is SendWord.SEND or send_as != key
    if settings.send_invoices is SendInvoices.AFTER_REVIEW and not reviewed:
        return skip(SkipReason.AWAITING_SEND, "Send Invoices is after review")
    if not invoice.sends_itself and not reviewed:
        return skip(
            SkipReason.AWAITING_SEND,
            "not one that emails itself (made while Send Invoices said after "
            "review, or its recurring plan says Auto Send no): write send to email "
            "it",
        )
    language = language_of(customer)
    email = PlannedEmail(
        purpose=Purpose.INVOICE,
        key=send_as,
        template="invoice",
        language=language,
        to=addresses[0],
        cc=addresses[1],
        invoice=invoice.number,
        customer_id=invoice.customer_id,
        attachments=(invoice.number,),
        facts=invoice_facts(invoice, customer, language=language),
        due=invoice.due_date,
    )
    record = history.get(send_as)
    if refusal_stands(record, email, sender=sender):
        return skip(SkipReason.REFUSED, record.detail if record is not None else "")
    return email


def held_back(
    invoice: InvoiceStanding, emails: InvoiceEmails
) -> tuple[SkipReason, str] | None:
    """Why no email of the invoice may go now, whatever it is (the Status order):
    it needs review, is void, on hold or awaiting approval."""
    if emails.needs_review:
        keys = ", ".join(r.key for r in emails.unresolved)
        return SkipReason.NEEDS_REVIEW, f"whether {keys} arrived is not known"
    if invoice.is_void:
        return SkipReason.VOID, ""
    if invoice.is_held:
        return SkipReason.ON_HOLD, ""
    if invoice.approval == AWAITING:
        return SkipReason.AWAITING_APPROVAL, ""
    return None
