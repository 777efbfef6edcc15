"""Properties of the sending planners over many runs (hypothesis): whatever the mail
server answers, whatever people write in Send and Paid and however they change a
customer's address, no email is ever planned under a key that may have gone, a
refusal is never retried to the same envelope, planning the same inputs twice plans
the same emails, and every Status is one of the Invoices tab's."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from sheetbill.domain.mail import (
    Delivery,
    EmailHistory,
    EmailRecord,
    InvoiceStanding,
    PlannedEmail,
    Purpose,
    ReceiptMode,
    SendInvoices,
    SendWord,
)
from sheetbill.domain.model import Problem, Settings
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.schema import INVOICE_STATUSES
from sheetbill.planning.digest import plan_digests
from sheetbill.planning.receipts import plan_receipts
from sheetbill.planning.sending import envelope, plan_invoice_emails, refusal_stands
from sheetbill.planning.statuses import invoice_cells

from sending_helpers import AT, SENDER, TODAY, customer, standing

D = Decimal
OUTCOME = {
    Delivery.ACCEPTED: ("done", False),
    Delivery.REFUSED: ("failed", True),
    Delivery.DEFERRED: ("failed", False),
    Delivery.UNKNOWN: ("unknown", False),
}
ADDRESSES = ("billing@alpha.example", "accounts@alpha.example", "")
ZONE = ZoneInfo("Europe/Berlin")


def _plan(invoices, found, settings_, known, mode):
    emails, _ = plan_invoice_emails(
        invoices, found, settings_, known, today=TODAY, sender=SENDER
    )
    receipts, _ = plan_receipts(
        invoices, found, settings_, known, mode=mode, today=TODAY, sender=SENDER
    )
    return [*emails, *receipts]


def _recorded(email: PlannedEmail, delivery: Delivery, run: int) -> EmailRecord:
    status, is_refusal = OUTCOME[delivery]
    paid = email.facts["invoice"]["paid"].amount if "received" in email.facts else None
    return EmailRecord(
        key=email.key,
        purpose=email.purpose,
        status=status,
        intended_at=AT + timedelta(days=run),
        settled_at=AT + timedelta(days=run, seconds=1),
        invoice=email.invoice,
        paid=paid,
        is_refusal=is_refusal,
        envelope=envelope(SENDER, email.to, email.cc),
    )


@settings(max_examples=150, deadline=None)
@given(
    data=st.data(),
    count=st.integers(1, 3),
    runs=st.integers(1, 6),
    mode=st.sampled_from(list(ReceiptMode)),
    automatic=st.booleans(),
)
def test_no_email_is_planned_twice_under_a_key_that_may_have_gone(
    data, count, runs, mode, automatic
):
    send_invoices = (
        SendInvoices.AUTOMATICALLY if automatic else SendInvoices.AFTER_REVIEW
    )
    settings_ = Settings(send_invoices=send_invoices)
    invoices: list[InvoiceStanding] = [standing(f"INV-{i}") for i in range(count)]
    records: dict[str, EmailRecord] = {}
    for run in range(runs):
        words = data.draw(
            st.lists(st.sampled_from(list(SendWord)), min_size=count, max_size=count)
        )
        paid = data.draw(
            st.lists(
                st.sampled_from([D(0), D(500), D("1190.00")]),
                min_size=count,
                max_size=count,
            )
        )
        invoices = [
            replace(i, send=w, paid=max(p, i.paid))
            for i, w, p in zip(invoices, words, paid, strict=True)
        ]
        address = data.draw(st.sampled_from(ADDRESSES))
        found = {"C1": customer(email=address)}
        known = EmailHistory(dict(records))
        planned = _plan(invoices, found, settings_, known, mode)
        # The same inputs plan the same emails.
        assert planned == _plan(invoices, found, settings_, known, mode)
        planned_keys = [e.key for e in planned]
        assert len(planned_keys) == len(set(planned_keys))
        for email in planned:
            before = known.get(email.key)
            assert before is None or not before.may_have_gone, email.key
            assert not refusal_stands(before, email, sender=SENDER)
            assert email.to and "" not in email.to
        for invoice in invoices:
            cells = invoice_cells(invoice, known, today=TODAY, zone=ZONE)
            assert cells.status in INVOICE_STATUSES
        for email in planned:
            delivery = data.draw(st.sampled_from(list(Delivery)))
            records[email.key] = _recorded(email, delivery, run)


@given(
    texts=st.lists(st.text(min_size=1, max_size=8), max_size=8),
    owners=st.lists(
        st.sampled_from(["ann@northwind.example", "Ann Berg", "", "BEN@x.example"]),
        min_size=1,
        max_size=3,
    ),
)
def test_digests_are_one_per_owner_and_the_same_for_the_same_problems(texts, owners):
    found = {
        f"C{i}": customer(f"C{i}", owner=owner, row=i + 2)
        for i, owner in enumerate(owners)
    }
    problems = [
        Problem(
            code=ProblemCode.CELL_EMPTY,
            tab="Time Log",
            row=n + 2,
            column="Hours",
            value="",
            problem=text,
            fix="Fill in the cell.",
            customer_id=f"C{n % (len(owners) + 1)}",
        )
        for n, text in enumerate(texts)
    ]
    billing = Settings(billing_owner="owner@northwind.example")
    first = plan_digests(problems, found, billing, EmailHistory(), today=TODAY)
    again = plan_digests(
        list(reversed(problems)), found, billing, EmailHistory(), today=TODAY
    )
    assert [d.key for d in first] == [d.key for d in again]
    assert len({d.to for d in first}) == len(first)
    told = [k for d in first for k in d.problems]
    assert len(told) == len(set(told))
    # Once told, the same problems make no digest.
    records = [
        EmailRecord(d.key, d.purpose, "done", AT, owner=d.to[0], problems=d.problems)
        for d in first
    ]
    assert (
        plan_digests(problems, found, billing, EmailHistory.of(records), today=TODAY)
        == []
    )


# Paid as people and formulas write it: cents, a float's noise, less, overpaid.
PAID_CELLS = st.builds(
    lambda cents, noise: D(cents).scaleb(-2) + noise,
    st.integers(min_value=0, max_value=150_000),
    st.sampled_from([D(0), D("0.0000001"), D("-0.0000001"), D("0.004")]),
)


@settings(max_examples=150, deadline=None)
@given(
    paid=st.lists(PAID_CELLS, min_size=1, max_size=8),
    mode=st.sampled_from([ReceiptMode.PAID, ReceiptMode.EACH_PAYMENT]),
)
def test_receipts_one_ever_when_paid_and_one_per_rounded_paid_each_payment(paid, mode):
    """Whatever Paid says run after run, `paid` sends at most one receipt per
    invoice, `each payment` never two for the same Paid in cents; each recorded as
    the journal records it (the Paid from the receipt's `paid_so_far` fact)."""
    found = {"C1": customer()}
    known = EmailHistory.of([_recorded_invoice()])
    stated: list[Decimal] = []
    for run, amount in enumerate(paid):
        invoice = standing(paid=amount)
        emails, _ = plan_receipts(
            [invoice], found, Settings(), known, mode=mode, today=TODAY, sender=SENDER
        )
        for email in emails:
            stated.append(email.facts["paid_so_far"].quantize(D("0.01")))
            record = EmailRecord(
                key=email.key,
                purpose=email.purpose,
                status="done",
                intended_at=AT + timedelta(minutes=run),
                settled_at=AT + timedelta(minutes=run),
                invoice=email.invoice,
                paid=D(str(email.facts.get("paid_so_far")))
                if "paid_so_far" in email.facts
                else None,
            )
            known = EmailHistory.of([*known.records.values(), record])
    if mode is ReceiptMode.PAID:
        assert len(stated) <= 1
    assert len(stated) == len(set(stated))


def _recorded_invoice() -> EmailRecord:
    return EmailRecord(
        key="INV-1.invoice",
        purpose=Purpose.INVOICE,
        status="done",
        intended_at=AT,
        settled_at=AT,
        invoice="INV-1",
    )
