"""Receipts: thanking a customer for a payment, once for each Paid it states.

Pure. `[mail] receipts` decides (ReceiptMode): `paid`, one receipt when the balance
reaches 0, and never another (a Paid raised since, or overpaid, sends nothing);
`each payment`, one for every rise of Paid over the last receipted Paid, stating the
amount received; `off`, none. Paid counts in the currency's minor units: a
formula's 646.8800001 is 646.88. Only for invoices whose invoice email
sheetbill sent (an invoice from before sending, or sent by hand, gets none), and
never while the invoice needs review, is void or on hold, nor to a customer without
a valid Email. Paid is typed by a person until payments are matched; a Paid
lowered (a correction) sends nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sheetbill.domain.mail import (
    EmailHistory,
    EmailRecord,
    InvoiceStanding,
    PlannedEmail,
    Purpose,
    ReceiptMode,
    Skip,
    SkipReason,
)
from sheetbill.domain.model import Customer, InvoiceKind, Settings
from sheetbill.domain.money import quantum
from sheetbill.planning.sending import (
    RESEND,
    InvoiceEmails,
    held_back,
    invoice_emails,
    invoice_facts,
    is_sent_by_sheetbill,
    language_of,
    next_key,
    no_address,
    receipt_key,
    recipients,
    refusal_stands,
    sorted_out,
)


@dataclass(frozen=True, slots=True)
class _Due:
    """A receipt owed: its key, the Paid it states and the amount it thanks for."""

    key: str
    paid: Decimal
    received: Decimal


def plan_receipts(
    invoices: Sequence[InvoiceStanding],
    customers: Mapping[str, Customer],
    settings: Settings,
    history: EmailHistory,
    *,
    mode: ReceiptMode,
    today: date,
    sender: str = "",
) -> tuple[list[PlannedEmail], list[Skip]]:
    """The receipts to send, keyed `<n>.receipt.<Paid so far>`, and why owed ones
    do not go; a receipt that may have gone is never planned again, one a person
    asked to resend goes once as `<key>.resend` stating the Paid it stated.
    `sender`: `[mail] from`, as the journal's envelope holds it (a refused receipt
    goes again once the envelope changed). `today` decides nothing here yet.
    """
    if mode is ReceiptMode.OFF:
        return [], []
    decided: list[PlannedEmail | Skip | None] = []
    for invoice in invoices:
        if invoice.kind != InvoiceKind.INVOICE.value:
            continue
        found = invoice_emails(invoice, history)
        decided += (
            _receipt(
                invoice, due, found, customers.get(invoice.customer_id), history, sender
            )
            for due in _owed(invoice, found, history, mode)
        )
    return sorted_out(decided)


def _owed(
    invoice: InvoiceStanding,
    emails: InvoiceEmails,
    history: EmailHistory,
    mode: ReceiptMode,
) -> list[_Due]:
    """The receipts the invoice is owed: those a person asked to send again, and
    the one its Paid now calls for. Amounts are compared in the currency's minor
    units (`in_minor_units`): a formula's 646.8800001 is the 646.88 receipted."""
    records = [
        r for r in history.for_invoice(invoice.number) if r.purpose is Purpose.RECEIPT
    ]
    went = sorted(
        {stated_paid(r, invoice.currency) for r in records if r.may_have_gone}
    )
    owed = [
        _Due(r.key, paid, paid - max((p for p in went if p < paid), default=0))
        for r in records
        if r.key in emails.resend
        for paid in [stated_paid(r, invoice.currency)]
    ]
    paid = in_minor_units(invoice.paid, invoice.currency)
    key = receipt_key(invoice.number, paid, invoice.currency)
    if any(due.key == key for due in owed):
        return owed  # the receipt Paid calls for is the one to resend: once
    if mode is ReceiptMode.PAID:
        # One receipt ever: any that may have gone ends it, whatever Paid says since.
        if paid > 0 and invoice.total - paid <= 0 and not went:
            owed.append(_Due(key, paid, paid))
    elif paid > (last := went[-1] if went else Decimal(0)):
        owed.append(_Due(key, paid, paid - last))
    return owed


def in_minor_units(amount: Decimal, currency: str) -> Decimal:
    """`amount` rounded half up to the currency's minor units (ISO 4217: 2 for EUR,
    0 for JPY), so a float's noise in a Paid cell never makes a new receipt."""
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def stated_paid(record: EmailRecord, currency: str) -> Decimal:
    """The Paid a receipt stated, in minor units: as recorded, else from its key
    (`<n>.receipt.<Paid>[.resend]`); 0 when neither says (it still counts as sent)."""
    paid = record.paid
    if paid is None:
        text = record.key.rpartition(".receipt.")[2].removesuffix(RESEND)
        try:
            paid = Decimal(text)
        except InvalidOperation:
            paid = Decimal(0)
    return in_minor_units(paid, currency)


def _receipt(
    invoice: InvoiceStanding,
    due: _Due,
    emails: InvoiceEmails,
    customer: Customer | None,
    history: EmailHistory,
    sender: str,
) -> PlannedEmail | Skip | None:
    def skip(reason: SkipReason, detail: str = "") -> Skip:
        return Skip(Purpose.RECEIPT, reason, invoice.number, None, detail)

    held = held_back(invoice, emails)
    if held is not None:
        return skip(*held)
    if not is_sent_by_sheetbill(invoice, emails):
        return skip(SkipReason.NOT_SENT_BY_SHEETBILL)
    send_as = next_key(due.key, emails, history)
    if send_as is None:
        return None
    addresses = recipients(customer)
    if addresses is None:
        return skip(SkipReason.NO_ADDRESS, no_address(invoice, customer))
    language = language_of(customer)
    facts = invoice_facts(invoice, customer, language=language, paid=due.paid)
    # The journal records the Paid a receipt states from this fact.
    facts["paid_so_far"] = due.paid
    facts["received"] = invoice.money(due.received)
    facts["is_paid_in_full"] = due.paid >= invoice.total
    email = PlannedEmail(
        purpose=Purpose.RECEIPT,
        key=send_as,
        template="receipt",
        language=language,
        to=addresses[0],
        cc=addresses[1],
        invoice=invoice.number,
        customer_id=invoice.customer_id,
        facts=facts,
        due=invoice.due_date,
    )
    record = history.get(send_as)
    if refusal_stands(record, email, sender=sender):
        return skip(SkipReason.REFUSED, record.detail if record is not None else "")
    return email
