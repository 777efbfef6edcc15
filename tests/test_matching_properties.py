"""What the payment matcher guarantees whatever the payments (hypothesis): it never
allocates more than a payment, never takes an invoice's balance below 0 nor a
refund above its total, matches unrelated payments the same in any order, always
matches a payment to the invoice its reference names, and allocates nothing to an
ambiguous payment."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matching_helpers import ISSUED, invoice, match_all, numbered, payment

from sheetbill.domain.payments import (
    Match,
    OpenInvoice,
    Payer,
    Payment,
    PaymentStatus,
    TransactionKind,
)

CUSTOMERS = [f"C-{n:03d}" for n in range(4)]
PAYERS = [Payer(c, (f"Customer {c} GmbH",)) for c in CUSTOMERS]
# Few amounts, so that payments and invoices often share one.
AMOUNTS = ["100.00", "250.00", "500.00", "1190.00", "1690.00", "33.33"]
STYLES = ["{}", "RE: {}/ACME", "inv {}", "Rechnung {} danke", "{} und mehr"]

amounts = st.sampled_from(AMOUNTS).map(Decimal)


@st.composite
def invoices(draw: st.DrawFn) -> list[OpenInvoice]:
    count = draw(st.integers(1, 8))
    found = []
    for n in range(1, count + 1):
        total = draw(amounts)
        paid_by_hand = draw(st.sampled_from([Decimal(0), Decimal(0), total]))
        found.append(
            invoice(
                f"INV-2026-{n:04d}",
                total,
                customer=draw(st.sampled_from(CUSTOMERS)),
                open_amount=total - paid_by_hand,
                issued=ISSUED + timedelta(days=draw(st.integers(0, 20))),
            )
        )
    return found


@st.composite
def references(draw: st.DrawFn, numbers: list[str]) -> str:
    named = draw(st.lists(st.sampled_from(numbers), max_size=2)) if numbers else []
    words = [draw(st.sampled_from(STYLES)).format(n) for n in named]
    return " ".join(words) or draw(st.sampled_from(["", "thanks", "Order 77"]))


@st.composite
def payments(draw: st.DrawFn, numbers: list[str]) -> list[Payment]:
    found = []
    for _ in range(draw(st.integers(0, 10))):
        amount = draw(amounts)
        is_refund = draw(st.integers(0, 5)) == 0
        found.append(
            payment(
                -amount if is_refund else amount,
                kind=TransactionKind.REFUND if is_refund else TransactionKind.PAYMENT,
                booked=ISSUED + timedelta(days=draw(st.integers(0, 40))),
                payer=draw(
                    st.sampled_from(["", "Someone", *PAYERS[0].names, *PAYERS[1].names])
                ),
                reference=draw(references(numbers)),
                typed=draw(st.sampled_from([(), (), (), tuple(numbers[:1])])),
            )
        )
    return numbered(found)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[Payment], list[OpenInvoice]]:
    offered = draw(invoices())
    return draw(payments([i.number for i in offered])), offered


LOTS = settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])


@LOTS
@given(scenarios())
def test_never_allocates_more_than_a_payment(scenario):
    listed, offered = scenario
    for paid, match in zip(
        listed, match_all(listed, offered, PAYERS).matches, strict=True
    ):
        allocated = sum((a.amount for a in match.allocations), Decimal(0))
        assert abs(allocated) <= abs(paid.amount)
        if match.status in (PaymentStatus.MATCHED, PaymentStatus.OVERPAID):
            assert all(a.amount >= 0 for a in match.allocations)
            assert allocated + match.credit == paid.amount
        if match.status is PaymentStatus.REFUNDED:
            assert all(a.amount <= 0 for a in match.allocations)
            assert allocated + match.credit == -abs(paid.amount)


@LOTS
@given(scenarios())
def test_open_balances_stay_between_zero_and_the_total(scenario):
    """Payments never take a balance below 0; refunds never open more than the
    invoice's total."""
    listed, offered = scenario
    paid = match_all(listed, offered, PAYERS).paid
    for i in offered:
        assert 0 <= i.open_amount - paid.get(i.number, Decimal(0)) <= i.total


@LOTS
@given(scenarios())
def test_ambiguous_never_allocates(scenario):
    listed, offered = scenario
    for match in match_all(listed, offered, PAYERS).matches:
        if match.status in (
            PaymentStatus.AMBIGUOUS,
            PaymentStatus.UNMATCHED,
            PaymentStatus.CURRENCY_MISMATCH,
        ):
            assert match.allocations == ()
            assert match.credit == 0


@LOTS
@given(scenarios(), st.data())
def test_a_payment_whose_reference_names_an_invoice_is_matched_to_it(scenario, data):
    listed, offered = scenario
    target = data.draw(st.sampled_from(offered))
    style = data.draw(st.sampled_from(STYLES))
    named = payment(
        data.draw(amounts),
        reference=style.format(target.number),
        payer=data.draw(st.sampled_from(["", "Someone", *PAYERS[2].names])),
    )
    at = data.draw(st.integers(0, len(listed)))
    listed = numbered([*listed[:at], named, *listed[at:]])
    match = match_all(listed, offered, PAYERS).matches[at]
    assert match.status in (PaymentStatus.MATCHED, PaymentStatus.OVERPAID)
    assert target.number in match.invoice_numbers


@st.composite
def unrelated(draw: st.DrawFn) -> tuple[list[Payment], list[OpenInvoice]]:
    """At most one payment per customer, naming only its customer's invoices, if
    any: no two payments can want the same balance."""
    offered = draw(invoices())
    found = []
    for customer, named in zip(CUSTOMERS, PAYERS, strict=True):
        if draw(st.booleans()):
            own = [i.number for i in offered if i.customer_id == customer]
            found.append(
                payment(
                    draw(amounts),
                    payer=named.names[0],
                    reference=draw(references(own)),
                    booked=date(2026, 3, 25),
                )
            )
    return numbered(found), offered


def _decision(match: Match) -> tuple[object, ...]:
    """What a match does: its status, rule, allocations, credit and customer (an
    exception's candidates show what was still open when it was looked at)."""
    return (
        match.status,
        match.rule,
        match.allocations,
        match.credit,
        match.customer_id,
    )


@LOTS
@given(unrelated(), st.randoms())
def test_order_of_unrelated_payments_does_not_change_their_matches(scenario, rng):
    listed, offered = scenario
    first = {m.key: _decision(m) for m in match_all(listed, offered, PAYERS).matches}
    shuffled = list(listed)
    rng.shuffle(shuffled)
    again = {m.key: _decision(m) for m in match_all(shuffled, offered, PAYERS).matches}
    assert again == first
