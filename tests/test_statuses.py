"""What the Invoices tab shows of each invoice (planning/statuses.py): Status by
precedence, Balance, Sent At in the Settings zone, Reminder Stage and Last
Reminder; a person's change to Status told from sheetbill's own; and the problems
that stay open while their cause lasts (needs review, refused, no Email)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from sheetbill.domain.approvals import APPROVED, AWAITING, NOT_NEEDED
from sheetbill.domain.mail import SendInvoices, SendWord
from sheetbill.domain.model import Settings, Severity
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.schema import INVOICE_STATUSES
from sheetbill.planning.statuses import (
    InvoiceCells,
    changed_statuses,
    invoice_cells,
    mail_problems,
)
from sheetbill.tabs.invoices import InvoiceRow
from sheetbill.tabs.validation import locate_tabs

from helpers import snapshot
from sending_helpers import (
    AT,
    DUE,
    customer,
    customers,
    history,
    record,
    sent,
    standing,
)

D = Decimal
BERLIN = ZoneInfo("Europe/Berlin")
TODAY = date(2026, 11, 3)
PAST_DUE = DUE + timedelta(days=1)


def status(invoice, *known, today=TODAY) -> str:
    return invoice_cells(invoice, history(*known), today=today, zone=BERLIN).status


# --- each status, and the precedence ---


@pytest.mark.parametrize(
    ("changes", "known", "today", "expected"),
    [
        ({}, (), TODAY, "draft"),
        ({"approval": APPROVED}, (), TODAY, "approved"),
        ({"approval": AWAITING}, (), TODAY, "awaiting approval"),
        ({}, (sent(),), TODAY, "sent"),
        ({"approval": APPROVED}, (sent(),), TODAY, "sent"),
        ({"paid": D(100)}, (sent(),), TODAY, "partially paid"),
        ({}, (sent(),), PAST_DUE, "overdue"),
        ({"paid": D(100)}, (sent(),), PAST_DUE, "overdue"),
        ({}, (sent(),), DUE, "sent"),  # on the due date it is not overdue yet
        ({"paid": D(1190)}, (), TODAY, "paid"),  # paid before it was emailed
        ({"paid": D(2000)}, (sent(),), PAST_DUE, "paid"),
        ({"total": D(0)}, (sent(),), TODAY, "paid"),
        ({"total": D(0)}, (), TODAY, "draft"),
        ({"is_held": True}, (sent(),), PAST_DUE, "on hold"),
        ({"is_held": True, "approval": AWAITING}, (), TODAY, "on hold"),
        ({"is_held": True, "paid": D(1190)}, (), TODAY, "paid"),
        ({"paid": D(1190)}, (sent(status="unknown"),), TODAY, "needs review"),
        ({"is_held": True}, (sent(status="pending"),), TODAY, "needs review"),
        ({}, (sent(status="failed", is_refusal=True),), PAST_DUE, "draft"),
        ({"send": SendWord.SENT}, (), PAST_DUE, "overdue"),  # sent by hand
        ({"send": SendWord.SENT}, (sent(status="unknown"),), TODAY, "sent"),
        ({"is_void": True}, (sent(),), TODAY, "sent"),  # void is not done yet
        ({"kind": "credit note", "total": D(-100)}, (sent(),), PAST_DUE, "sent"),
    ],
)
def test_status_is_one_word_by_precedence(changes, known, today, expected):
    assert status(standing(**changes), *known, today=today) == expected
    assert expected in INVOICE_STATUSES


def test_overdue_does_not_depend_on_the_customer_s_reminders():
    """invoice_cells is not even told the customers: Reminders = off changes no
    Status."""
    assert status(standing(), sent(), today=PAST_DUE) == "overdue"


def test_cells_of_a_sent_and_reminded_invoice():
    invoice = standing(paid=D("190.00"))
    known = [
        sent(settled_at=datetime(2026, 11, 3, 22, 30, 15, 999, tzinfo=UTC)),
        record(
            "INV-1.reminder.-3",
            stage=-3,
            at=datetime(2026, 11, 14, 8, tzinfo=UTC),
            settled_at=datetime(2026, 11, 14, 8, 0, 5, tzinfo=UTC),
        ),
        record(
            "INV-1.reminder.+7",
            stage=7,
            at=datetime(2026, 11, 24, 23, 30, tzinfo=UTC),
            settled_at=datetime(2026, 11, 24, 23, 30, 5, tzinfo=UTC),
        ),
    ]
    cells = invoice_cells(
        invoice, history(*known), today=date(2026, 11, 25), zone=BERLIN
    )
    assert cells == InvoiceCells(
        status="overdue",
        balance=D("1000.00"),
        # Berlin's wall clock, to the second: 22:30 UTC is 23:30 there.
        sent_at=datetime(2026, 11, 3, 23, 30, 15),
        reminder_stage="+7",
        # 23:30 UTC on the 24th is the 25th in Berlin.
        last_reminder=date(2026, 11, 25),
    )


def test_cells_of_an_unsent_invoice_are_blank_but_status_and_balance():
    cells = invoice_cells(standing(), history(), today=TODAY, zone=BERLIN)
    assert (cells.sent_at, cells.reminder_stage, cells.last_reminder) == (
        None,
        "",
        None,
    )
    assert cells.balance == D("1190.00")


def test_a_resend_that_went_is_the_invoice_s_sent_at():
    later = AT + timedelta(days=1)
    known = [
        sent(status="unknown"),
        record("INV-1.invoice.resend", at=later, settled_at=later),
    ]
    cells = invoice_cells(
        standing(send=SendWord.RESEND), history(*known), today=TODAY, zone=BERLIN
    )
    assert cells.status == "sent"
    assert cells.sent_at == datetime(2026, 11, 4, 10, 0)


# --- a person's change to Status ---


def _row(status: str | None, number: str = "INV-1", row: int = 2) -> InvoiceRow:
    return InvoiceRow(row, number, "C1", status, "", "", False, "", False, "", "", "")


def _cells(status: str) -> InvoiceCells:
    return InvoiceCells(status, D(0), None, "", None)


def test_a_status_typed_by_a_person_is_a_warning_and_set_back():
    [problem] = changed_statuses(
        [_row("paid")], {"INV-1": _cells("sent")}, last_shown={"INV-1": "sent"}
    )
    assert (problem.code, problem.column, problem.value, problem.severity) == (
        ProblemCode.APPROVALS_STATUS_CHANGED,
        "Status",
        "paid",
        Severity.WARNING,
    )
    assert "set back to 'sent'" in problem.problem


def test_sheetbill_s_own_last_status_changing_now_is_no_warning():
    cells = {"INV-1": _cells("overdue")}
    assert changed_statuses([_row("sent")], cells, last_shown={"INV-1": "sent"}) == []
    assert changed_statuses([_row("Overdue")], cells, last_shown={}) == []
    assert changed_statuses([_row("")], cells) == []  # blank: filled in silently
    assert changed_statuses([_row(None)], cells) == []  # no Status column


def test_without_a_last_shown_status_what_approvals_showed_is_sheetbill_s():
    cells = {"INV-1": _cells("sent")}
    assert (
        changed_statuses([_row("approved")], cells, approvals={"INV-1": APPROVED}) == []
    )
    assert (
        changed_statuses([_row("draft")], cells, approvals={"INV-1": NOT_NEEDED}) == []
    )
    [problem] = changed_statuses([_row("draft")], cells, approvals={"INV-1": APPROVED})
    assert problem.value == "draft"


def test_an_invoice_on_two_rows_is_not_judged():
    rows = [_row("paid"), _row("paid", row=3)]
    assert changed_statuses(rows, {"INV-1": _cells("sent")}) == []


# --- problems that stay open while their cause lasts ---


def _layouts():
    book = snapshot(
        {
            "Invoices": (["Invoice No", "Send"], [["INV-1", "send"]]),
            "Customers": (["Customer ID", "Name", "Email"], [["C1", "A", "x"]]),
            "Settings": (["Key", "Value"], [["Billing Owner", "o@n.example"]]),
        }
    )
    return locate_tabs(book, {})


def problems(*invoices, known=(), found=None, settings=None):
    return mail_problems(
        invoices,
        found if found is not None else customers(),
        history(*known),
        layouts=_layouts(),
        settings=settings,
    )


def test_needs_review_is_an_error_on_the_send_column_naming_the_invoice():
    """By number, not row: the same problem whether its row is written yet or not
    (a row number in its identity would tell it to the owner twice)."""
    unknown = sent(status="unknown", detail="connection lost after the data")
    [problem] = problems(standing(row=2, send=SendWord.SEND), known=[unknown])
    assert (problem.code, problem.tab, problem.row, problem.column, problem.value) == (
        ProblemCode.EMAIL_NEEDS_REVIEW,
        "Invoices",
        None,
        "Send",
        "send",
    )
    [unwritten] = problems(standing(row=None, send=SendWord.SEND), known=[unknown])
    assert unwritten.key == problem.key
    assert problem.severity is Severity.ERROR
    assert "the invoice email" in problem.problem
    assert "connection lost after the data" in problem.problem
    assert "write sent" in problem.fix and "resend" in problem.fix
    assert problem.customer_id == "C1"


def test_needs_review_goes_once_the_person_writes_sent_or_resend_went():
    unknown = sent(status="unknown")
    assert problems(standing(send=SendWord.SENT), known=[unknown]) == []
    resent = record("INV-1.invoice.resend", at=AT + timedelta(days=1))
    assert problems(standing(send=SendWord.RESEND), known=[unknown, resent]) == []


def test_a_refusal_is_on_the_customer_s_email_while_it_stands():
    refused = sent(status="failed", is_refusal=True, detail="550 5.1.1 no such user")
    [problem] = problems(standing(), known=[refused])
    assert (problem.code, problem.tab, problem.row, problem.column) == (
        ProblemCode.EMAIL_REFUSED,
        "Customers",
        2,
        "Email",
    )
    assert "550 5.1.1 no such user" in problem.problem
    assert problem.value == "billing@alpha.example"
    # Gone once the email went (after the Email was fixed, the retry took it) ...
    assert problems(standing(), known=[sent()]) == []
    # ... or once it is no longer wanted: sent by hand, or the reminder paid.
    assert problems(standing(send=SendWord.SENT), known=[refused]) == []
    reminder = record("INV-1.reminder.+7", "failed", is_refusal=True, stage=7)
    assert problems(standing(paid=D(1190)), known=[sent(), reminder]) == []
    assert len(problems(standing(), known=[sent(), reminder])) == 1


def test_a_refused_resend_of_an_email_a_person_says_arrived_is_no_problem():
    unknown = record("INV-1.reminder.+7", "unknown", stage=7)
    refused = record(
        "INV-1.reminder.+7.resend",
        "failed",
        stage=7,
        is_refusal=True,
        at=AT + timedelta(days=1),
    )
    known = [sent(), unknown, refused]
    assert len(problems(standing(send=SendWord.RESEND), known=known)) == 1
    assert problems(standing(send=SendWord.SENT), known=known) == []


def test_a_refused_digest_is_on_the_billing_owner_setting():
    refused = record(
        "digest.a.b", "failed", owner="o@n.example", is_refusal=True, detail="550"
    )
    [problem] = problems(known=[refused])
    assert (problem.tab, problem.row, problem.column) == ("Settings", 2, "Value")
    owned = customers(customer(owner="O@N.example"))
    [problem] = problems(known=[refused], found=owned)
    assert (problem.tab, problem.row, problem.column) == ("Customers", 2, "Owner")


def test_a_customer_without_email_with_an_invoice_to_send_is_a_warning():
    found = customers(customer(email=""))
    assert problems(standing(), found=found) == []  # after review, no send written
    [problem] = problems(standing(send=SendWord.SEND), found=found)
    assert (problem.code, problem.column, problem.severity) == (
        ProblemCode.CUSTOMERS_NO_EMAIL,
        "Email",
        Severity.WARNING,
    )
    automatic = Settings(send_invoices=SendInvoices.AUTOMATICALLY)
    assert (
        len(problems(standing(), standing("INV-2"), found=found, settings=automatic))
        == 1
    )
    assert problems(standing(), known=[sent()], found=found, settings=automatic) == []
