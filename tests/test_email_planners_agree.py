"""The four email planners read an invoice's emails, a customer's addresses and the
facts a template is told in one way (planning/sending.py): an invoice email, a
reminder and a receipt of the same invoice agree on each. These tests hold the
places where reminders had copies of their own that decided otherwise."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sheetbill.domain.mail import (
    EmailHistory,
    EmailRecord,
    PlannedEmail,
    Purpose,
    ReceiptMode,
    SendInvoices,
    SendWord,
    Skip,
    SkipReason,
)
from sheetbill.domain.model import Problem, Settings
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.planning.digest import plan_digests
from sheetbill.planning.receipts import plan_receipts
from sheetbill.planning.reminders import plan_reminders
from sheetbill.planning.sending import plan_invoice_emails
from sheetbill.planning.statuses import invoice_cells

from sending_helpers import AT, DUE, customer, customers, record, standing

ZONE = ZoneInfo("Europe/Berlin")
SETTINGS = Settings(reminder_schedule=(1, 7, 14))
AUTO = Settings(send_invoices=SendInvoices.AUTOMATICALLY)
PERIOD = (date(2026, 10, 1), date(2026, 10, 31))


def remind(
    records: list[EmailRecord], *, days: int = 8, **changes: Any
) -> tuple[list[PlannedEmail], list[Skip]]:
    """Reminders on the day `days` after the due date."""
    found = customers(changes.pop("found", customer()))
    return plan_reminders(
        [standing(**changes)],
        found,
        SETTINGS,
        EmailHistory.of(records),
        today=DUE + timedelta(days=days),
        zone=ZONE,
    )


# --- the facts a template is told ---------------------------------------------------


def test_a_reminder_tells_the_service_period_in_the_customers_language():
    """The template context's service_period is the invoice's period in words, in a
    reminder as in the invoice email (reminders told None)."""
    german = customer(language="de")
    [invoice_email], _ = plan_invoice_emails(
        [standing(service_period=PERIOD)],
        customers(german),
        AUTO,
        EmailHistory(),
        today=DUE,
    )
    [reminder], _ = remind(
        [record("INV-1.invoice")], service_period=PERIOD, found=german
    )
    told = reminder.facts["invoice"]["service_period"]
    assert told == invoice_email.facts["invoice"]["service_period"]
    assert told is not None and "Okt" in told
    assert reminder.facts["invoice"] == {
        **invoice_email.facts["invoice"],
        "service_period": told,
    }


@pytest.mark.parametrize(
    ("language", "written_in"),
    [("de", "de"), ("de_at", "de"), ("de-ch", "de"), ("FR", "fr"), ("pt", "en")],
)
def test_every_planner_writes_to_a_customer_in_one_language(language, written_in):
    """A regional Language (de_AT) is its language's (the invoice email said
    English); one without built-in templates is English (reminders passed it on)."""
    found = customer(language=language.casefold())
    history = [record("INV-1.invoice")]
    [invoice_email], _ = plan_invoice_emails(
        [standing()], customers(found), AUTO, EmailHistory(), today=DUE
    )
    [reminder], _ = remind(history, found=found)
    [receipt], _ = plan_receipts(
        [standing(paid=Decimal("1190.00"))],
        customers(found),
        Settings(),
        EmailHistory.of(history),
        mode=ReceiptMode.PAID,
        today=DUE,
    )
    languages = {e.language for e in (invoice_email, reminder, receipt)}
    assert languages == {written_in}


def test_a_digest_is_written_in_the_settings_language_as_emails_to_customers_are():
    problem = Problem(
        code=ProblemCode.CUSTOMERS_NO_EMAIL,
        tab="Customers",
        row=2,
        column="Email",
        value="",
        problem="Customer C1 has no Email.",
        fix="Write it.",
    )
    for locale, written_in in [("de_AT", "de"), ("pt_BR", "en"), ("fr-CA", "fr")]:
        settings = Settings(locale=locale, billing_owner="owner@northwind.example")
        [digest] = plan_digests([problem], {}, settings, EmailHistory(), today=DUE)
        assert digest.language == written_in


# --- addresses ------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"email": ""},
        {"email": "billing at alpha"},
        {"cc": "a@alpha.example, nobody@@alpha.example"},
        {"name": "Alpha\r\nBcc: all@alpha.example"},
        {"is_mailable": False},
    ],
)
def test_every_planner_refuses_the_same_addresses(changes):
    """No invoice email, reminder or receipt to a customer the Customers tab marked
    as not mailable (reminders did not ask), nor to a wrong address made elsewhere;
    each planner says why in the same words."""
    wrong = customer(**changes)
    history = [record("INV-1.invoice")]
    _, [invoice_skip] = plan_invoice_emails(
        [standing()], customers(wrong), AUTO, EmailHistory(), today=DUE
    )
    _, [reminder_skip] = remind(history, found=wrong)
    _, [receipt_skip] = plan_receipts(
        [standing(paid=Decimal("1190.00"))],
        customers(wrong),
        Settings(),
        EmailHistory.of(history),
        mode=ReceiptMode.PAID,
        today=DUE,
    )
    skips = (invoice_skip, reminder_skip, receipt_skip)
    assert {s.reason for s in skips} == {SkipReason.NO_ADDRESS}
    assert len({s.detail for s in skips}) == 1 and invoice_skip.detail


# --- an invoice's emails from the history ------------------------------------------


def test_a_reminder_follows_an_invoice_email_resent_after_a_person_cleared_send():
    """The invoice email was unknown, a person wrote resend, the resend went, and
    the person cleared Send: the invoice is sent (Status says so), and reminders
    follow it (they saw the old unknown email as needing review for ever)."""
    unknown = record("INV-1.invoice", "unknown")
    resent = record("INV-1.invoice.resend", at=AT + timedelta(days=1))
    history = [unknown, resent]
    cells = invoice_cells(
        standing(), EmailHistory.of(history), today=DUE + timedelta(days=8), zone=ZONE
    )
    assert cells.status == "overdue"
    [reminder], _ = remind(history)
    assert reminder.key == "INV-1.reminder.+7"


def test_an_email_unknown_after_a_resend_was_acted_on_needs_review_again():
    """resend stays in the cell after a person's resend went: a reminder that
    became unknown later is not resent by itself, but needs a person's look (the
    invoice email's rule; reminders resent it)."""
    history = [
        record("INV-1.invoice", "unknown"),
        record("INV-1.invoice.resend", at=AT + timedelta(hours=1)),
        record("INV-1.reminder.+7", "unknown", stage=7, at=AT + timedelta(days=21)),
    ]
    _, [skip] = remind(history, days=15, send=SendWord.RESEND)
    assert skip.reason is SkipReason.NEEDS_REVIEW
    cells = invoice_cells(
        standing(send=SendWord.RESEND),
        EmailHistory.of(history),
        today=DUE + timedelta(days=15),
        zone=ZONE,
    )
    assert cells.status == "needs review"


def test_a_refused_reminder_goes_once_more_when_a_person_writes_resend():
    """A reminder the server refused goes again when a person writes resend, as
    `<key>.resend`, as an invoice email or a receipt does (reminders planned it
    under its old key, which the run leaves out while the refusal stands)."""
    refused = record(
        "INV-1.reminder.+7",
        "failed",
        stage=7,
        is_refusal=True,
        at=AT + timedelta(days=21),
    )
    [reminder], _ = remind(
        [record("INV-1.invoice"), refused], days=9, send=SendWord.RESEND
    )
    assert reminder.key == "INV-1.reminder.+7.resend"
    assert reminder.purpose is Purpose.REMINDER
