"""Which invoice emails go (planning/sending.py): Send Invoices automatically or after
review, every reason one does not go, needs review settled by a person's sent or
resend, a refusal tried again only once its envelope changed; and each invoice's
standing from the state and its Invoices row."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from sheetbill.domain.approvals import APPROVED, AWAITING, NOT_NEEDED
from sheetbill.domain.mail import (
    InvoiceStanding,
    PlannedEmail,
    Purpose,
    SendInvoices,
    SendWord,
    Skip,
    SkipReason,
)
from sheetbill.domain.model import Invoice, InvoiceKind, Settings, TaxMode
from sheetbill.domain.money import Money
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.planning.sending import (
    amount_text,
    envelope,
    invoice_emails,
    plan_invoice_emails,
    receipt_key,
    recipients,
    standings,
)
from sheetbill.tabs.invoices import InvoiceRow

from sending_helpers import (
    AT,
    DUE,
    SENDER,
    TODAY,
    customer,
    customers,
    history,
    keys,
    record,
    sent,
    standing,
)

D = Decimal
AUTOMATICALLY = Settings(send_invoices=SendInvoices.AUTOMATICALLY)
AFTER_REVIEW = Settings()


def plan(
    *invoices: InvoiceStanding,
    settings: Settings = AUTOMATICALLY,
    found=None,
    known=(),
) -> tuple[list[PlannedEmail], list[Skip]]:
    return plan_invoice_emails(
        invoices,
        found if found is not None else customers(),
        settings,
        history(*known),
        today=TODAY,
        sender=SENDER,
    )


def only_skip(*invoices, **kw) -> Skip:
    emails, [skip] = plan(*invoices, **kw)
    assert emails == []
    return skip


# --- what goes, and how it is addressed ---


def test_automatically_a_made_invoice_goes_with_its_pdf_to_email_and_cc():
    found = customers(customer(cc="a@alpha.example; b@alpha.example", language="de"))
    [email], skips = plan(standing(), found=found)
    assert skips == []
    assert email.key == "INV-1.invoice" and email.purpose is Purpose.INVOICE
    assert email.template == "invoice" and email.language == "de"
    assert email.to == ("billing@alpha.example",)
    assert email.cc == ("a@alpha.example", "b@alpha.example")
    assert email.attachments == ("INV-1",) and email.due == DUE
    assert (email.invoice, email.customer_id) == ("INV-1", "C1")


def test_the_facts_name_number_total_due_date_and_balance_in_money():
    period = (date(2026, 10, 1), date(2026, 10, 31))
    [email], _ = plan(standing(paid=D("190.00"), service_period=period))
    invoice = email.facts["invoice"]
    assert invoice["number"] == "INV-1" and invoice["kind"] == "invoice"
    assert (invoice["issue_date"], invoice["due_date"]) == (date(2026, 11, 3), DUE)
    assert invoice["total"] == Money(D("1190.00"), "EUR")
    assert invoice["paid"] == Money(D("190.00"), "EUR")
    assert invoice["balance"] == Money(D("1000.00"), "EUR")
    assert invoice["service_period"] == "Oct 1\u2009–\u200931, 2026"  # CLDR
    assert email.facts["customer"] == {"id": "C1", "name": "Alpha GmbH"}


def test_a_language_without_templates_is_written_in_english():
    [email], _ = plan(standing(), found=customers(customer(language="pt")))
    assert email.language == "en"


def test_after_review_an_invoice_goes_only_once_send_says_send():
    skip = only_skip(standing(), settings=AFTER_REVIEW)
    assert skip.reason is SkipReason.AWAITING_SEND
    emails, _ = plan(standing(send=SendWord.SEND), settings=AFTER_REVIEW)
    assert keys(emails) == ["INV-1.invoice"]


def test_a_credit_note_goes_as_an_invoice_does():
    note = standing("CN-1", kind="credit note", total=D("-100.00"))
    [email], _ = plan(note)
    assert (email.key, email.template) == ("CN-1.invoice", "invoice")
    assert email.facts["invoice"]["kind"] == "credit note"


def test_an_invoice_email_that_went_is_not_planned_again_nor_skipped():
    assert plan(standing(), known=[sent()]) == ([], [])
    assert plan(standing(), known=[sent(status="pending")])[0] == []


def test_a_person_s_sent_means_it_went_by_hand():
    assert plan(standing(send=SendWord.SENT)) == ([], [])


# --- every reason one does not go ---


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"is_void": True}, SkipReason.VOID),
        ({"is_held": True}, SkipReason.ON_HOLD),
        ({"approval": AWAITING}, SkipReason.AWAITING_APPROVAL),
        ({"has_document": False}, SkipReason.NO_DOCUMENT),
    ],
)
def test_an_invoice_held_back_is_skipped_with_its_reason(changes, reason):
    skip = only_skip(standing(**changes))
    assert (skip.purpose, skip.reason, skip.invoice) == (
        Purpose.INVOICE,
        reason,
        "INV-1",
    )


def test_an_approved_invoice_goes():
    assert keys(plan(standing(approval=APPROVED))[0]) == ["INV-1.invoice"]


@pytest.mark.parametrize(
    ("found", "said"),
    [
        ({}, "cannot be read in Customers"),
        (customers(customer(email="")), "has no Email"),
        (customers(customer(is_mailable=False)), "cannot go on an envelope"),
        (customers(customer(email="billing at alpha")), "cannot go on an envelope"),
        (customers(customer(cc="ok@alpha.example\r\nBcc: x@evil.example")), "cannot"),
    ],
)
def test_no_valid_address_skips_and_says_why(found, said):
    skip = only_skip(standing(), found=found)
    assert skip.reason is SkipReason.NO_ADDRESS and said in skip.detail


def test_cc_addresses_on_lines_of_their_own_are_each_one_address():
    _, cc = recipients(customer(cc="a@alpha.example\nb@alpha.example")) or ((), ())
    assert cc == ("a@alpha.example", "b@alpha.example")


def test_needs_review_holds_every_email_of_the_invoice():
    unknown = record("INV-1.reminder.+7", "unknown", stage=7)
    skip = only_skip(standing(), known=[unknown])
    assert skip.reason is SkipReason.NEEDS_REVIEW
    assert "INV-1.reminder.+7" in skip.detail


def test_a_pending_email_of_a_stopped_run_needs_review_too():
    pending = record("INV-1.receipt.100.00", "pending", paid=D(100))
    assert only_skip(standing(), known=[pending]).reason is SkipReason.NEEDS_REVIEW


# --- needs review, settled by a person ---


def test_an_unknown_invoice_email_is_never_sent_again_by_itself():
    unknown = sent(status="unknown")
    skip = only_skip(standing(), known=[unknown])
    assert skip.reason is SkipReason.NEEDS_REVIEW
    skip = only_skip(standing(send=SendWord.SEND), known=[unknown])
    assert skip.reason is SkipReason.NEEDS_REVIEW


def test_sent_counts_an_unknown_email_as_arrived():
    invoice = standing(send=SendWord.SENT)
    emails = invoice_emails(invoice, history(sent(status="unknown")))
    assert not emails.needs_review and emails.went("INV-1.invoice")
    assert plan(invoice, known=[sent(status="unknown")]) == ([], [])


def test_resend_sends_the_unknown_email_once_more_under_its_own_key():
    unknown = sent(status="unknown")
    invoice = standing(send=SendWord.RESEND)
    [email], _ = plan(invoice, known=[unknown], settings=AFTER_REVIEW)
    assert email.key == "INV-1.invoice.resend"
    later = AT + timedelta(days=1)
    resent = record("INV-1.invoice.resend", at=later)
    assert plan(invoice, known=[unknown, resent]) == ([], [])
    deferred = record("INV-1.invoice.resend", "failed", at=later)
    assert keys(plan(invoice, known=[unknown, deferred])[0]) == ["INV-1.invoice.resend"]


def test_a_resend_that_is_unknown_too_is_never_resent_by_itself():
    unknown = sent(status="unknown")
    again = record("INV-1.invoice.resend", "unknown", at=AT + timedelta(days=1))
    invoice = standing(send=SendWord.RESEND)
    assert only_skip(invoice, known=[unknown, again]).reason is SkipReason.NEEDS_REVIEW
    # Only a person's sent settles it.
    assert plan(replace(invoice, send=SendWord.SENT), known=[unknown, again]) == (
        [],
        [],
    )


def test_a_resend_left_in_the_cell_does_not_resend_an_email_unknown_after_it():
    """The word stays in the cell after it was acted on: an email that became
    unknown later asks a person again."""
    unknown = sent(status="unknown")
    resent = record("INV-1.invoice.resend", at=AT + timedelta(days=1))
    later = record("INV-1.reminder.+7", "unknown", stage=7, at=AT + timedelta(days=20))
    emails = invoice_emails(
        standing(send=SendWord.RESEND), history(unknown, resent, later)
    )
    assert emails.needs_review and emails.unresolved == (later,)
    assert emails.went("INV-1.invoice") and not emails.resend


# --- refused, deferred ---


def test_a_refused_email_waits_until_its_envelope_changes():
    refused = sent(status="failed", is_refusal=True, detail="550 no such user")
    skip = only_skip(standing(), known=[refused])
    assert (skip.reason, skip.detail) == (SkipReason.REFUSED, "550 no such user")
    fixed = customers(customer(email="accounts@alpha.example"))
    assert keys(plan(standing(), known=[refused], found=fixed)[0]) == ["INV-1.invoice"]
    with_cc = customers(customer(cc="boss@alpha.example"))
    assert keys(plan(standing(), known=[refused], found=with_cc)[0]) == [
        "INV-1.invoice"
    ]


def test_a_refusal_is_tried_again_when_the_sender_changes():
    refused = sent(status="failed", is_refusal=True)
    emails, _ = plan_invoice_emails(
        [standing()],
        customers(),
        AUTOMATICALLY,
        history(refused),
        today=TODAY,
        sender="billing@other.example",
    )
    assert keys(emails) == ["INV-1.invoice"]


def test_a_refused_email_goes_once_more_when_a_person_writes_resend():
    refused = sent(status="failed", is_refusal=True)
    invoice = standing(send=SendWord.RESEND)
    assert keys(plan(invoice, known=[refused])[0]) == ["INV-1.invoice.resend"]
    again = record(
        "INV-1.invoice.resend", "failed", is_refusal=True, at=AT + timedelta(days=1)
    )
    assert only_skip(invoice, known=[refused, again]).reason is SkipReason.REFUSED


def test_a_deferred_email_goes_again_in_the_next_run_under_the_same_key():
    deferred = sent(status="failed", detail="421 try later")
    assert keys(plan(standing(), known=[deferred])[0]) == ["INV-1.invoice"]


# --- keys and envelopes ---


def test_keys_and_amount_texts():
    assert receipt_key("INV-1", D(1190), "EUR") == "INV-1.receipt.1190.00"
    assert receipt_key("INV-1", D(5000), "JPY") == "INV-1.receipt.5000"
    assert amount_text(D("12.345"), "EUR") == "12.345"  # never rounded into another
    assert amount_text(D("12.3"), "KWD") == "12.300"


def test_an_envelope_does_not_depend_on_case_spaces_or_order():
    assert envelope(
        "A@X.example", ["b@y.example "], ["d@z.example", "c@z.example"]
    ) == (envelope("a@x.example", ["B@Y.EXAMPLE"], ["c@z.example", "d@z.example"]))


# --- standings ---


def _invoice(number: str = "INV-1", **changes) -> Invoice:
    values = {
        "number": number,
        "kind": InvoiceKind.INVOICE,
        "customer_id": "C1",
        "customer_name": "Alpha GmbH",
        "currency": "EUR",
        "issue_date": date(2026, 11, 3),
        "due_date": DUE,
        "tax_mode": TaxMode.EXCLUSIVE,
        "lines": (),
        "net": D("1000.00"),
        "tax": D("190.00"),
        "total": D("1190.00"),
        "breakdown": (),
        "work_complete": None,
        "service_period": (date(2026, 10, 1), date(2026, 10, 31)),
    }
    values.update(changes)
    return Invoice(**values)


def _row(number: str = "INV-1", row: int = 2, **changes) -> InvoiceRow:
    values = {
        "row": row,
        "number": number,
        "customer_id": "C1",
        "status": "draft",
        "pdf": "",
        "approve": "",
        "hold": False,
        "hold_text": "",
        "void": False,
        "void_text": "",
        "void_reason": "",
        "note": "",
    }
    values.update(changes)
    return InvoiceRow(**values)


def test_standings_take_paid_send_hold_and_row_from_the_invoices_tab():
    rows = [_row(paid=D(500), send=SendWord.SEND, hold=True, row=7)]
    [found], problems = standings(
        [_invoice()], rows, approvals={"INV-1": APPROVED}, documents={"INV-1"}
    )
    assert problems == []
    assert (found.paid, found.balance, found.send, found.is_held) == (
        D(500),
        D(690),
        SendWord.SEND,
        True,
    )
    assert (found.row, found.approval, found.has_document) == (7, APPROVED, True)
    assert found.service_period == (date(2026, 10, 1), date(2026, 10, 31))


def test_a_new_invoice_without_a_row_stands_unpaid_and_not_held():
    [found], _ = standings([_invoice()], [], approvals={}, documents=set())
    assert (found.paid, found.is_held, found.row, found.approval) == (
        0,
        False,
        None,
        NOT_NEEDED,
    )
    assert not found.has_document


def test_an_invoice_on_two_rows_or_with_an_unreadable_paid_is_left_out():
    twins = [_row(), _row(row=3)]
    assert standings([_invoice()], twins, approvals={}, documents=set())[0] == []
    bad = [_row(paid=None, paid_text="lots")]
    assert standings([_invoice()], bad, approvals={}, documents=set())[0] == []


def test_a_hold_or_void_that_is_not_yes_or_no_counts_as_yes():
    rows = [_row(hold=None, hold_text="maybe", void=None, void_text="?")]
    [found], _ = standings([_invoice()], rows, approvals={}, documents=set())
    assert found.is_held and found.is_void


def test_a_due_date_total_or_currency_changed_in_the_tab_is_a_warning():
    shown = {"Due Date": date(2026, 12, 31), "Total": D("1190"), "Currency": "USD"}
    [found], problems = standings(
        [_invoice()], [_row(shown=shown)], approvals={}, documents=set()
    )
    assert found.due_date == DUE  # the invoice as made stands
    assert [(p.code, p.column, p.row) for p in problems] == [
        (ProblemCode.INVOICES_DETAIL_CHANGED, "Due Date", 2),
        (ProblemCode.INVOICES_DETAIL_CHANGED, "Currency", 2),
    ]
    assert "2026-11-17" in problems[0].problem
    same = {"Due Date": "2026-11-17", "Total": "1190.00", "Currency": "eur"}
    assert (
        standings([_invoice()], [_row(shown=same)], approvals={}, documents=set())[1]
        == []
    )


def test_an_invoice_that_does_not_email_itself_says_both_reasons_it_may_wait():
    """Made while Send Invoices said after review, or by a plan with Auto Send no:
    the skip names both, as the standing does not tell which."""
    skip = only_skip(standing(sends_itself=False))
    assert skip.reason is SkipReason.AWAITING_SEND
    assert "Auto Send no" in skip.detail and "after review" in skip.detail
