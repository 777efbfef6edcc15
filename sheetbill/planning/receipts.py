"""Receipts: thanking a customer for a payment, once for each Paid it states.

Pure. `[mail] receipts` decides (ReceiptMode): `paid`, one receipt when the balance
reaches 0; `each payment`, one for every rise of Paid over the last receipted Paid,
stating the amount received; `off`, none. Only for invoices whose invoice email
sheetbill sent (an invoice from before sending, or sent by hand, gets none), and
never while the invoice needs review, is void or on hold, nor to a customer without
a valid Email. Paid is typed by a person until payments are matched; a Paid
lowered (a correction) sends nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sheetbill.domain.mail import (
    EmailHistory,
    InvoiceStanding,
    PlannedEmail,
    Purpose,
    ReceiptMode,
    Skip,
    SkipReason,
)
from sheetbill.domain.model import Customer, InvoiceKind, Settings
from sheetbill.planning.sending import (
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
    the one its Paid now calls for."""
    went = sorted(
        {
            r.paid
            for r in history.for_invoice(invoice.number)
            if r.purpose is Purpose.RECEIPT and r.may_have_gone and r.paid is not None
        }
    )
    owed = [
        _Due(r.key, r.paid, r.paid - max((p for p in went if p < r.paid), default=0))
        for r in history.for_invoice(invoice.number)
        if r.key in emails.resend and r.paid is not None
    ]
    last = went[-1] if went else Decimal(0)
    key = receipt_key(invoice.number, invoice.paid, invoice.currency)
    if any(due.key == key for due in owed):
        return owed  # the receipt Paid calls for is the one to resend: once
    if mode is ReceiptMode.PAID:
        if invoice.paid > 0 and invoice.balance <= 0 and not went:
            owed.append(_Due(key, invoice.paid, invoice.paid))
    elif invoice.paid > last:
        owed.append(_Due(key, invoice.paid, invoice.paid - last))
    return owed


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
