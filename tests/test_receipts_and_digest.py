"""Receipts (planning/receipts.py), in both modes and off, only for invoices
sheetbill emailed; and the exception digest (planning/digest.py): one per owner per
run, only problems new to that owner, none a person set aside."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from sheetbill.domain.mail import (
    Purpose,
    ReceiptMode,
    SendWord,
    SkipReason,
    problem_key,
)
from sheetbill.domain.model import Problem, Settings, Severity
from sheetbill.domain.money import Money
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.planning.digest import digest_key, owner_problems, plan_digests
from sheetbill.planning.receipts import plan_receipts
from sheetbill.planning.sending import envelope
from sheetbill.tabs.validation import locate_tabs
from sheetbill.usecases.send import predicted_history

from helpers import snapshot
from sending_helpers import (
    AT,
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
PAID, EACH, OFF = ReceiptMode.PAID, ReceiptMode.EACH_PAYMENT, ReceiptMode.OFF


def receipts(invoice, *, mode=PAID, known=(sent(),), found=None):
    return plan_receipts(
        [invoice],
        found if found is not None else customers(),
        Settings(),
        history(*known),
        mode=mode,
        today=TODAY,
        sender=SENDER,
    )


def receipt(paid: str, status: str = "done", **changes):
    return record(f"INV-1.receipt.{paid}", status, paid=D(paid), **changes)


# --- paid in full ---


def test_one_receipt_when_the_balance_reaches_zero_keyed_by_paid():
    [email], skips = receipts(standing(paid=D("1190.00")))
    assert skips == [] and email.key == "INV-1.receipt.1190.00"
    assert (email.purpose, email.template) == (Purpose.RECEIPT, "receipt")
    assert email.facts["received"] == Money(D("1190.00"), "EUR")
    assert email.facts["is_paid_in_full"] is True
    assert email.facts["invoice"]["balance"] == Money(D("0.00"), "EUR")


def test_paid_mode_sends_nothing_for_a_part_payment_and_never_twice():
    assert receipts(standing(paid=D(500))) == ([], [])
    paid = standing(paid=D("1190.00"))
    assert receipts(paid, known=[sent(), receipt("1190.00")]) == ([], [])
    overpaid = standing(paid=D("1200.00"))
    assert receipts(overpaid, known=[sent(), receipt("1190.00")]) == ([], [])


# --- each payment ---


def test_each_payment_gets_a_receipt_for_the_amount_received():
    [first], _ = receipts(standing(paid=D(500)), mode=EACH)
    assert first.key == "INV-1.receipt.500.00"
    assert first.facts["received"] == Money(D(500), "EUR")
    assert first.facts["is_paid_in_full"] is False
    known = [sent(), receipt("500.00")]
    [second], _ = receipts(standing(paid=D("1190.00")), mode=EACH, known=known)
    assert second.key == "INV-1.receipt.1190.00"
    assert second.facts["received"] == Money(D("690.00"), "EUR")
    assert second.facts["is_paid_in_full"] is True


def test_each_payment_sends_nothing_when_paid_did_not_rise():
    known = [sent(), receipt("500.00")]
    assert receipts(standing(paid=D(500)), mode=EACH, known=known) == ([], [])
    assert receipts(standing(paid=D(300)), mode=EACH, known=known) == ([], [])


def test_a_receipt_that_failed_before_it_went_goes_again_or_as_the_new_paid():
    deferred = receipt("500.00", "failed")
    [again], _ = receipts(standing(paid=D(500)), mode=EACH, known=[sent(), deferred])
    assert again.key == "INV-1.receipt.500.00"
    [newer], _ = receipts(standing(paid=D(800)), mode=EACH, known=[sent(), deferred])
    assert newer.facts["received"] == Money(D(800), "EUR")


def test_receipts_off_sends_none():
    assert receipts(standing(paid=D("1190.00")), mode=OFF) == ([], [])


# --- only for invoices sheetbill emailed, and never while held back ---


@pytest.mark.parametrize("mode", [PAID, EACH])
def test_no_receipt_for_an_invoice_sheetbill_did_not_email(mode):
    """An invoice from before sending, or sent by hand, is never receipted: the
    upgrade must not start a wave of emails."""
    for invoice in (standing(paid=D(1190)), standing(paid=D(1190), send=SendWord.SENT)):
        emails, [skip] = receipts(invoice, mode=mode, known=())
        assert emails == [] and skip.reason is SkipReason.NOT_SENT_BY_SHEETBILL


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"is_void": True}, SkipReason.VOID),
        ({"is_held": True}, SkipReason.ON_HOLD),
    ],
)
def test_no_receipt_for_a_void_or_held_invoice(changes, reason):
    emails, [skip] = receipts(standing(paid=D(1190), **changes))
    assert emails == [] and skip.reason is reason


def test_no_receipt_while_the_invoice_needs_review_or_to_no_address():
    unknown = record("INV-1.reminder.+7", "unknown", stage=7)
    _, [skip] = receipts(standing(paid=D(1190)), known=[sent(), unknown])
    assert skip.reason is SkipReason.NEEDS_REVIEW
    _, [skip] = receipts(standing(paid=D(1190)), found=customers(customer(email="")))
    assert skip.reason is SkipReason.NO_ADDRESS


def test_no_receipt_for_a_credit_note():
    note = standing("CN-1", kind="credit note", total=D(-100), paid=D(5))
    assert receipts(note, known=[sent("CN-1")]) == ([], [])


def test_an_unknown_receipt_resent_states_its_own_paid():
    unknown = receipt("500.00", "unknown")
    invoice = standing(paid=D(800), send=SendWord.RESEND)
    emails, _ = receipts(invoice, mode=EACH, known=[sent(), unknown])
    assert keys(emails) == ["INV-1.receipt.500.00.resend", "INV-1.receipt.800.00"]
    assert emails[0].facts["received"] == Money(D(500), "EUR")
    assert emails[1].facts["received"] == Money(D(300), "EUR")


def test_a_refused_receipt_waits_for_its_envelope_to_change():
    refused = receipt("1190.00", "failed", is_refusal=True)
    _, [skip] = receipts(standing(paid=D(1190)), known=[sent(), refused])
    assert skip.reason is SkipReason.REFUSED


# --- the digest ---


def _problem(text: str, customer_id: str | None = None, row: int = 2) -> Problem:
    return Problem(
        code=ProblemCode.CELL_EMPTY,
        tab="Time Log",
        row=row,
        column="Hours",
        value="",
        problem=text,
        fix="Fill in the cell.",
        severity=Severity.ERROR,
        customer_id=customer_id,
    )


def _key(problem: Problem) -> str:
    return problem_key(problem.tab, problem.row, problem.column, problem.problem)


BILLING = Settings(billing_owner="Owner@Northwind.example", locale="de_DE")


def digests(problems, *, known=(), found=None, settings=BILLING, ignored=()):
    return plan_digests(
        problems,
        found if found is not None else customers(),
        settings,
        history(*known),
        today=TODAY,
        sender=SENDER,
        ignored=ignored,
    )


def test_one_digest_per_owner_listing_their_problems():
    owned = customers(customer(owner="ann@northwind.example"), customer("C2"))
    problems = [
        _problem("a", "C1"),
        _problem("b", "C2"),
        _problem("c"),
        _problem("d", "C1", row=3),
    ]
    planned = digests(problems, found=owned)
    assert [(d.to, d.facts["count"]) for d in planned] == [
        (("ann@northwind.example",), 2),
        (("owner@northwind.example",), 2),
    ]
    ann = planned[0]
    assert (ann.purpose, ann.template, ann.language) == (Purpose.DIGEST, "digest", "de")
    assert ann.problems == tuple(sorted([_key(problems[0]), _key(problems[3])]))
    assert ann.key == digest_key("ann@northwind.example", ann.problems)
    assert ann.key.startswith("digest.") and len(ann.key.split(".")) == 3
    assert [p["problem"] for p in ann.facts["problems"]] == ["a", "d"]
    assert ann.facts["problems"][0] == {
        "severity": "error",
        "tab": "Time Log",
        "row": 2,
        "column": "Hours",
        "value": "",
        "problem": "a",
        "fix": "Fill in the cell.",
    }
    assert ann.facts["owner"] == "ann@northwind.example"
    assert ann.facts["run_date"] == TODAY


def test_only_problems_new_to_the_owner_are_told():
    old, new = _problem("old"), _problem("new")
    told = record("digest.x.y", owner="owner@northwind.example", problems=(_key(old),))
    [planned] = digests([old, new], known=[told])
    assert planned.problems == (_key(new),)
    assert digests([old], known=[told]) == []


def test_a_digest_that_failed_is_planned_again_with_the_same_key():
    problem = _problem("a")
    [first] = digests([problem])
    failed = record(
        first.key, "failed", owner="owner@northwind.example", problems=first.problems
    )
    [again] = digests([problem], known=[failed])
    assert again.key == first.key


def test_an_owner_that_is_not_an_email_address_falls_back_to_the_billing_owner():
    named = customers(customer(owner="Ann Berg"))
    [planned] = digests([_problem("a", "C1")], found=named)
    assert planned.to == ("owner@northwind.example",)
    assert digests([_problem("a", "C1")], found=named, settings=Settings()) == []


def test_problems_a_person_set_aside_are_left_out():
    aside, kept = _problem("aside"), _problem("kept")
    [planned] = digests([aside, kept], ignored=[aside])
    assert planned.problems == (_key(kept),)


def test_no_digest_goes_to_an_owner_whose_last_digest_stands_refused():
    owner = "owner@northwind.example"
    refused = record(
        "digest.a.b",
        "failed",
        owner=owner,
        is_refusal=True,
        envelope=envelope(SENDER, (owner,), ()),
    )
    assert digests([_problem("new")], known=[refused]) == []
    other = Settings(billing_owner="boss@northwind.example")
    assert len(digests([_problem("new")], known=[refused], settings=other)) == 1
    accepted = record("digest.c.d", owner=owner, at=AT + timedelta(days=1))
    assert len(digests([_problem("new")], known=[refused, accepted])) == 1


# --- Paid in minor units: a formula's noise, a raise after the receipt ---


def test_paid_mode_sends_one_receipt_ever_whatever_paid_says_since():
    """INV-0003 paid and receipted: Paid 646.8800001 (a formula's result), then
    646.89, then 700 sent three more receipts; one receipt ever in `paid` mode."""
    invoice = standing(total=D("646.88"))
    for status in ("done", "unknown", "pending"):
        known = [sent(), receipt("646.88", status)]
        for paid in ("646.8800001", "646.89", "700"):
            assert receipts(replace(invoice, paid=D(paid)), known=known) == ([], [])


def test_a_receipt_recorded_without_its_paid_still_counts_as_sent():
    """A journal entry of an earlier version holds no paid: its key says it."""
    invoice = standing(total=D("646.88"), paid=D("700"))
    known = [sent(), record("INV-1.receipt.646.88")]
    assert receipts(invoice, known=known) == ([], [])
    assert receipts(invoice, mode=EACH, known=known)[0][0].facts["received"] == Money(
        D("53.12"), "EUR"
    )


def test_receipt_keys_and_amounts_are_in_minor_units():
    [email], _ = receipts(standing(paid=D("1190.0000001")))
    assert email.key == "INV-1.receipt.1190.00"
    assert email.facts["paid_so_far"] == D("1190.00")
    known = [sent(), receipt("500.00")]
    noisy = standing(paid=D("500.0000001"))
    assert receipts(noisy, mode=EACH, known=known) == ([], [])
    [yen], _ = receipts(standing(currency="JPY", total=D(5000), paid=D("5000.4")))
    assert yen.key == "INV-1.receipt.5000"


def test_a_receipt_asked_again_after_needs_review_goes_once_as_resend():
    invoice = standing(paid=D("1190.00"), send=SendWord.RESEND)
    [email], _ = receipts(invoice, known=[sent(), receipt("1190.00", "unknown")])
    assert email.key == "INV-1.receipt.1190.00.resend"
    resent = record("INV-1.receipt.1190.00.resend", paid=D("1190.00"))
    gone = [sent(), receipt("1190.00", "unknown"), resent]
    assert receipts(invoice, known=gone) == ([], [])


# --- owner cells: a display name, several addresses, none valid ---


def test_a_billing_owner_with_a_display_name_gets_the_digest():
    named = Settings(billing_owner="Billing <Billing@Northwind.example>")
    [planned] = digests([_problem("a")], settings=named)
    assert planned.to == ("billing@northwind.example",)
    assert planned.facts["owner"] == "billing@northwind.example"


def test_an_owner_of_several_addresses_gets_one_digest_to_all():
    """The owner is the sorted addresses: however the cell orders them, the
    problems told once stay told."""
    two = customers(customer(owner="b@x.example, Ann <A@x.example>"))
    [planned] = digests([_problem("a", "C1")], found=two)
    assert planned.to == ("a@x.example", "b@x.example")
    assert planned.facts["owner"] == "a@x.example, b@x.example"
    journal = predicted_history(history(), [planned], at=AT)
    assert journal.records[planned.key].owner == "a@x.example, b@x.example"
    told = record(
        planned.key, owner="a@x.example, b@x.example", problems=planned.problems
    )
    swapped = customers(customer(owner="a@x.example; b@x.example"))
    assert digests([_problem("a", "C1")], found=swapped, known=[told]) == []


@pytest.mark.parametrize("cell", ["Billing", "billing(at)northwind", "Ann Berg <>"])
def test_a_billing_owner_with_no_valid_address_is_a_warning_on_its_cell(cell):
    settings = Settings(billing_owner=cell)
    assert digests([_problem("a")], settings=settings) == []
    [problem] = owner_problems(customers(), settings, layouts=_settings_layout(cell))
    assert (problem.code, problem.tab, problem.row, problem.column) == (
        ProblemCode.SETTINGS_BAD_BILLING_OWNER,
        "Settings",
        3,
        "Value",
    )
    assert problem.severity is Severity.WARNING
    assert "no digest goes to it" in problem.problem


def test_a_customer_owner_with_no_valid_address_is_a_warning_on_its_cell():
    found = customers(customer(owner="Ann Berg", row=7), customer("C2", row=8))
    [problem] = owner_problems(found, BILLING, layouts={})
    assert (problem.code, problem.tab, problem.row, problem.column) == (
        ProblemCode.CUSTOMERS_BAD_OWNER,
        "Customers",
        7,
        "Owner",
    )
    assert problem.customer_id == "C1"
    assert owner_problems(customers(), BILLING, layouts={}) == []
    good = customers(customer(owner="Ann <ann@x.example>, bob@x.example"))
    assert owner_problems(good, BILLING, layouts={}) == []


def _settings_layout(billing_owner: str):
    book = snapshot(
        {
            "Settings": (
                ["Key", "Value"],
                [["Company Name", "Northwind"], ["Billing Owner", billing_owner]],
            )
        }
    )
    return locate_tabs(book, {})
