"""The payment matcher (planning/matching.py): each rule in its order, each outcome
(matched, partial, over-payment, refund, payout, ignored, ambiguous, unmatched,
currency mismatch), and the evidence each match writes into its Match Note."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from matching_helpers import (
    BOOKED,
    amounts,
    invoice,
    match_all,
    numbered,
    only,
    payment,
)

from sheetbill.domain.payments import (
    Allocation,
    Match,
    MatchRule,
    MatchSettings,
    PaymentStatus,
    TransactionKind,
)

INV7 = invoice("INV-2026-0007", "1190.00")
INV8 = invoice("INV-2026-0008", "500.00")

# --- PERSON: an Invoice No typed ------------------------------------------------------


def test_person_invoice_no_typed_wins_over_the_reference():
    match = only(
        payment("500.00", reference="INV-2026-0007", typed=["INV-2026-0008"]),
        INV7,
        INV8,
    )
    assert match.rule is MatchRule.PERSON
    assert match.status is PaymentStatus.MATCHED
    assert amounts(match) == {"INV-2026-0008": Decimal("500.00")}
    assert match.note == "Invoice No typed: INV-2026-0008 (500.00 EUR open)"


def test_person_typed_number_is_read_like_a_reference_number():
    match = only(payment("500.00", typed=["inv 2026 0008"]), INV7, INV8)
    assert amounts(match) == {"INV-2026-0008": Decimal("500.00")}


def test_person_unknown_number_applies_nothing():
    match = only(payment("500.00", typed=["INV-2026-0099"]), INV7, INV8)
    assert match.status is PaymentStatus.UNMATCHED
    assert match.rule is MatchRule.PERSON
    assert match.allocations == ()
    assert "INV-2026-0099 is not the number of an invoice" in match.note


def test_person_invoice_in_another_currency_applies_nothing():
    usd = invoice("INV-2026-0009", "500.00", currency="USD")
    match = only(payment("500.00", typed=["INV-2026-0009"]), usd)
    assert match.status is PaymentStatus.CURRENCY_MISMATCH
    assert match.allocations == ()
    assert match.candidates[0].reason == "in USD; the payment is in EUR"


def test_person_typed_rows_take_their_invoice_before_earlier_rows_are_matched():
    """A person's word is a decision already taken: an earlier payment matched by
    amount alone does not take the balance the person gave to another row."""
    payments = numbered(
        [
            payment("1190.00", payer="Someone", booked=date(2026, 3, 5)),
            payment("1190.00", typed=["INV-2026-0007"]),
        ]
    )
    first, typed = match_all(payments, [INV7]).matches
    assert typed.status is PaymentStatus.MATCHED
    assert first.status is PaymentStatus.UNMATCHED


# --- KEPT: an earlier run's match -----------------------------------------------------


def test_kept_match_is_applied_first_and_as_it_was():
    earlier = Match(
        "P-000002",
        PaymentStatus.MATCHED,
        MatchRule.AMOUNT_DATE,
        allocations=(Allocation("INV-2026-0007", Decimal("1190.00")),),
        note="INV-2026-0007 is the only open invoice of 1,190.00 EUR ...",
    )
    payments = numbered(
        [
            payment("1190.00", reference="RE: INV-2026-0007", booked=date(2026, 3, 2)),
            payment("1190.00", payer="Someone"),
        ]
    )
    named, kept = match_all(payments, [INV7], kept={"P-000002": earlier}).matches
    assert kept == earlier
    assert named.status is PaymentStatus.OVERPAID
    assert named.credit == Decimal("1190.00")


def test_kept_exception_is_tried_again():
    """An unmatched payment of an earlier run may fit an invoice issued since."""
    earlier = Match("P-000001", PaymentStatus.UNMATCHED, note="no invoice")
    payments = numbered([payment("1190.00", reference="INV-2026-0007")])
    (match,) = match_all(payments, [INV7], kept={"P-000001": earlier}).matches
    assert match.status is PaymentStatus.MATCHED


# --- REFERENCE ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reference",
    [
        "INV-2026-0007",
        "inv 2026 0007",
        "RE: INV-2026-0007/ACME",
        "INV20260007",
        "Rechnung Nr. inv-2026-0007, danke",
        "INV-2026-00 07",  # a bank's line break inside the number
    ],
)
def test_reference_names_the_invoice_however_written(reference):
    match = only(payment("1190.00", reference=reference), INV7)
    assert match.rule is MatchRule.REFERENCE
    assert match.status is PaymentStatus.MATCHED
    assert amounts(match) == {"INV-2026-0007": Decimal("1190.00")}
    assert match.note == (
        f'reference "{reference}" names INV-2026-0007 (1,190.00 EUR open)'
    )


@pytest.mark.parametrize(
    "reference",
    ["INV-2026-00071", "XINV-2026-0007", "INV-2026-0007.5", "INV-2026-0007,50"],
)
def test_reference_never_names_a_number_inside_a_longer_one(reference):
    match = only(payment("1190.00", reference=reference, payer="Someone"), INV7)
    assert match.rule is not MatchRule.REFERENCE


def test_reference_plain_number_is_not_read_in_an_amount():
    plain = invoice("1190", "1190.00")
    match = only(payment("1190.00", reference="Betrag 1.190,00 EUR"), plain)
    assert match.rule is MatchRule.AMOUNT_DATE
    match = only(payment("1190.00", reference="Rechnung 1190 vom 1.3."), plain)
    assert match.rule is MatchRule.REFERENCE


def test_reference_longest_number_wins():
    long = invoice("INV-2026-00071", "100.00")
    match = only(payment("100.00", reference="INV-2026-00071"), INV7, long)
    assert amounts(match) == {"INV-2026-00071": Decimal("100.00")}


def test_reference_several_numbers_pay_each_in_the_order_written():
    match = only(
        payment("1690.00", reference="INV-2026-0008 and INV-2026-0007"), INV7, INV8
    )
    assert match.status is PaymentStatus.MATCHED
    assert match.allocations == (
        Allocation("INV-2026-0008", Decimal("500.00")),
        Allocation("INV-2026-0007", Decimal("1190.00")),
    )
    assert "INV-2026-0008 (500.00 EUR open) and INV-2026-0007" in match.note


def test_reference_several_numbers_short_payment_pays_the_first_ones_first():
    match = only(
        payment("600.00", reference="INV-2026-0008, INV-2026-0007"), INV7, INV8
    )
    assert match.allocations == (
        Allocation("INV-2026-0008", Decimal("500.00")),
        Allocation("INV-2026-0007", Decimal("100.00")),
    )
    assert "partial: INV-2026-0007 keeps 1,090.00 EUR open" in match.note


def test_partial_payment_is_matched_and_says_partial():
    match = only(payment("500.00", reference="INV-2026-0007"), INV7)
    assert match.status is PaymentStatus.MATCHED
    assert amounts(match) == {"INV-2026-0007": Decimal("500.00")}
    assert match.note.endswith("; partial: INV-2026-0007 keeps 690.00 EUR open")


def test_over_payment_pays_the_balance_and_keeps_the_rest_as_credit():
    match = only(payment("1200.00", reference="INV-2026-0007"), INV7)
    assert match.status is PaymentStatus.OVERPAID
    assert amounts(match) == {"INV-2026-0007": Decimal("1190.00")}
    assert match.credit == Decimal("10.00")
    assert match.customer_id == "C-001"
    assert "10.00 EUR more than its balance, kept as customer C-001's credit" in (
        match.note
    )


def test_each_payment_consumes_the_balance_later_ones_see():
    payments = [
        payment("500.00", reference="INV-2026-0007"),
        payment("690.00", reference="INV-2026-0007"),
        payment("100.00", reference="INV-2026-0007"),
    ]
    matching = match_all(numbered(payments), [INV7])
    assert [m.status for m in matching.matches] == [
        PaymentStatus.MATCHED,
        PaymentStatus.MATCHED,
        PaymentStatus.OVERPAID,
    ]
    assert "(paid already)" in matching.matches[2].note
    assert matching.paid == {"INV-2026-0007": Decimal("1190.00")}


def test_reference_numbers_differing_only_in_punctuation_are_ambiguous():
    match = only(
        payment("100.00", reference="INV1 INV-1"),
        invoice("INV-1", "100.00"),
        invoice("INV1", "100.00"),
    )
    assert match.status is PaymentStatus.AMBIGUOUS
    assert match.allocations == ()
    assert {c.number for c in match.candidates} == {"INV-1", "INV1"}


def test_reference_invoice_in_another_currency_is_a_currency_mismatch():
    usd = invoice("INV-2026-0009", "500.00", currency="USD")
    match = only(payment("500.00", reference="INV-2026-0009"), usd)
    assert match.status is PaymentStatus.CURRENCY_MISMATCH
    assert match.rule is MatchRule.REFERENCE
    assert match.allocations == ()
    assert match.note == (
        'reference "INV-2026-0009" names INV-2026-0009; INV-2026-0009 is invoiced '
        "in USD, the payment is in EUR: nothing applied"
    )


def test_a_mismatch_names_only_the_invoices_in_another_currency():
    usd = invoice("INV-2026-0009", "500.00", currency="USD")
    match = only(
        payment("1690.00", typed=["INV-2026-0007", "INV-2026-0009"]), INV7, usd
    )
    assert match.status is PaymentStatus.CURRENCY_MISMATCH
    assert "; INV-2026-0009 is invoiced in USD" in match.note, match.note


def test_amounts_compare_in_minor_units():
    jpy = invoice("INV-2026-0010", "5000", currency="JPY")
    match = only(payment("4999.6", currency="JPY", payer="Someone"), jpy)
    assert match.rule is MatchRule.AMOUNT_DATE
    assert amounts(match) == {"INV-2026-0010": Decimal("5000")}


# --- Refunds --------------------------------------------------------------------------


def _refund(amount: str, **fields):
    return payment(amount, kind=TransactionKind.REFUND, **fields)


def test_refund_by_reference_reopens_the_invoice():
    payments = [
        payment("1190.00", reference="INV-2026-0007"),
        _refund("-190.00", reference="Rückbuchung INV-2026-0007"),
    ]
    matching = match_all(numbered(payments), [INV7])
    refund = matching.matches[1]
    assert refund.status is PaymentStatus.REFUNDED
    assert refund.rule is MatchRule.REFERENCE
    assert amounts(refund) == {"INV-2026-0007": Decimal("-190.00")}
    assert "reopens INV-2026-0007 by 190.00 EUR" in refund.note
    assert matching.paid == {"INV-2026-0007": Decimal("1000.00")}


def test_refund_larger_than_what_was_paid_takes_the_rest_from_credit():
    payments = [
        payment("1200.00", reference="INV-2026-0007"),
        _refund("-1200.00", reference="refund INV-2026-0007"),
    ]
    refund = match_all(numbered(payments), [INV7]).matches[1]
    assert amounts(refund) == {"INV-2026-0007": Decimal("-1190.00")}
    assert refund.credit == Decimal("-10.00")


def test_refund_counts_a_paid_typed_by_hand():
    """An invoice offered with less open than its total was paid by hand."""
    paid = invoice("INV-2026-0007", "1190.00", open_amount="0.00")
    match = only(_refund("-100.00", reference="INV-2026-0007"), paid)
    assert match.status is PaymentStatus.REFUNDED


def test_refund_of_an_invoice_with_nothing_paid_applies_nothing():
    match = only(_refund("-100.00", reference="INV-2026-0007"), INV7)
    assert match.status is PaymentStatus.UNMATCHED
    assert match.allocations == ()
    assert "on which nothing is paid" in match.note


def test_negative_amount_typed_is_a_refund():
    payments = [
        payment("1190.00", reference="INV-2026-0007"),
        payment("-90.00", reference="INV-2026-0007"),
    ]
    refund = match_all(numbered(payments), [INV7]).matches[1]
    assert refund.status is PaymentStatus.REFUNDED


def test_refund_of_a_matched_charge_reopens_its_invoice():
    payments = [
        payment("1190.00", reference="INV-2026-0007", transaction_id="ch_3Nabc"),
        _refund("-1190.00", reference="Refund for charge ch_3Nabc (order 77)"),
    ]
    refund = match_all(numbered(payments), [INV7]).matches[1]
    assert refund.rule is MatchRule.REFUND_OF_CHARGE
    assert refund.status is PaymentStatus.REFUNDED
    assert amounts(refund) == {"INV-2026-0007": Decimal("-1190.00")}
    assert refund.note.startswith(
        "refund of charge ch_3Nabc (row 2), which paid INV-2026-0007; reopens"
    )


def test_refund_of_a_charge_later_in_the_order_waits_for_it():
    payments = [
        _refund("-100.00", reference="ch_9", booked=BOOKED),
        payment("1190.00", reference="INV-2026-0007", transaction_id="ch_9"),
    ]
    refund, charge = match_all(numbered(payments), [INV7]).matches
    assert charge.status is PaymentStatus.MATCHED
    assert refund.rule is MatchRule.REFUND_OF_CHARGE
    assert amounts(refund) == {"INV-2026-0007": Decimal("-100.00")}


def test_refund_of_an_unmatched_charge_is_unmatched():
    payments = [
        payment("77.00", payer="Someone", transaction_id="ch_1"),
        _refund("-77.00", reference="ch_1"),
    ]
    refund = match_all(numbered(payments), [INV7]).matches[1]
    assert refund.status is PaymentStatus.UNMATCHED
    assert refund.note == "refund of charge ch_1 (row 2), which pays no invoice"


def test_refund_naming_nothing_lists_the_payers_invoices_paid_that_much():
    payments = [
        payment("1190.00", reference="INV-2026-0007"),
        _refund("-1190.00", payer="ACME GmbH", reference="Chargeback"),
    ]
    refund = match_all(numbered(payments), [INV7, INV8]).matches[1]
    assert refund.status is PaymentStatus.UNMATCHED
    assert [c.number for c in refund.candidates] == ["INV-2026-0007"]
    assert "1,190.00 EUR paid on it" in refund.candidates[0].reason


# --- PAYER_AMOUNT, PAYER_SUM ----------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["ACME GmbH", "ACME GMBH", "Acme", "acme gmbh.", "ACME G.m.b.H.", "Acme Trading"],
)
def test_payer_name_and_amount_match_the_only_open_invoice_of_that_amount(name):
    match = only(payment("500.00", payer=name), INV7, INV8)
    assert match.rule is MatchRule.PAYER_AMOUNT
    assert amounts(match) == {"INV-2026-0008": Decimal("500.00")}
    assert match.note == (
        f'payer "{name}" is customer C-001; its only open invoice of 500.00 EUR is '
        "INV-2026-0008"
    )


def test_payer_name_accents_and_legal_form_are_tolerated():
    cafe = invoice("INV-2026-0011", "42.00", customer="C-003")
    match = only(payment("42.00", payer="CAFE MULLER SL"), cafe)
    assert match.rule is MatchRule.PAYER_AMOUNT


@pytest.mark.parametrize("name", ["Café Müller", "CAFE MUELLER", "Cafe Muller"])
def test_payer_name_with_umlauts_as_banks_write_them(name):
    cafe = invoice("INV-2026-0011", "42.00", customer="C-003")
    match = only(payment("42.00", payer=name), cafe)
    assert match.rule is MatchRule.PAYER_AMOUNT, match.note


def test_payer_account_decides_over_the_name():
    beta = invoice("INV-2026-0012", "500.00", customer="C-002")
    match = only(
        payment("500.00", payer="Beta Ltd", account="DE89 3704 0044 0532 0130 00"),
        INV8,
        beta,
    )
    assert amounts(match) == {"INV-2026-0008": Decimal("500.00")}
    assert match.note.startswith("account DE89 3704 0044 0532 0130 00 is C-001's")


def test_payer_with_two_open_invoices_of_that_amount_is_ambiguous():
    twin = invoice("INV-2026-0013", "500.00")
    match = only(payment("500.00", payer="ACME GmbH"), INV8, twin)
    assert match.status is PaymentStatus.AMBIGUOUS
    assert match.allocations == ()
    assert [c.number for c in match.candidates] == ["INV-2026-0008", "INV-2026-0013"]


def test_payer_sum_of_its_open_invoices_pays_them_all():
    other = invoice("INV-2026-0014", "77.00", customer="C-002")
    match = only(payment("1690.00", payer="ACME GmbH"), INV7, INV8, other)
    assert match.rule is MatchRule.PAYER_SUM
    assert amounts(match) == {
        "INV-2026-0007": Decimal("1190.00"),
        "INV-2026-0008": Decimal("500.00"),
    }
    assert "its 2 open invoices add up to 1,690.00 EUR" in match.note


# --- AMOUNT_DATE ----------------------------------------------------------------------


def test_amount_and_date_match_the_only_invoice_of_that_amount_in_the_window():
    match = only(payment("1190.00", payer="Unknown Person"), INV7, INV8)
    assert match.rule is MatchRule.AMOUNT_DATE
    assert match.customer_id == "C-001"
    assert match.note == (
        "INV-2026-0007 is the only open invoice of 1,190.00 EUR issued by "
        "2026-03-10 and due at most 60 days before it"
    )


def test_amount_and_date_outside_the_window_is_unmatched_with_why():
    late = payment("1190.00", booked=date(2026, 6, 1))
    early = payment("1190.00", booked=date(2026, 2, 1))
    for paid, why in (
        (late, "due 2026-03-31, more than 60 days before the payment"),
        (early, "issued 2026-03-01, after the payment"),
    ):
        match = only(paid, INV7)
        assert match.status is PaymentStatus.UNMATCHED
        assert [(c.number, c.reason) for c in match.candidates] == [
            ("INV-2026-0007", why)
        ]


def test_window_days_is_a_setting():
    late = numbered([payment("1190.00", booked=date(2026, 6, 1))])
    wide = MatchSettings(window_days=90)
    assert match_all(late, [INV7], settings=wide).matches[0].status is (
        PaymentStatus.MATCHED
    )


def test_two_invoices_of_that_amount_in_the_window_are_ambiguous():
    twin = invoice("INV-2026-0015", "1190.00", customer="C-002")
    match = only(payment("1190.00"), INV7, twin)
    assert match.status is PaymentStatus.AMBIGUOUS
    assert match.rule is MatchRule.AMOUNT_DATE
    assert match.allocations == ()
    assert [c.number for c in match.candidates] == ["INV-2026-0007", "INV-2026-0015"]


def test_known_payer_never_pays_another_customers_invoice_by_amount():
    beta = invoice("INV-2026-0016", "300.00", customer="C-002")
    match = only(payment("300.00", payer="ACME GmbH"), beta, INV7)
    assert match.status is PaymentStatus.UNMATCHED
    reasons = {c.number: c.reason for c in match.candidates}
    assert reasons["INV-2026-0016"] == (
        'customer C-002\'s; the payer "ACME GmbH" is customer C-001'
    )
    assert reasons["INV-2026-0007"] == "1,190.00 EUR open; the payment is 300.00 EUR"


# --- PAYOUT and lines with nothing to match -------------------------------------------


def _stripe_payout():
    return [
        payment("100.00", reference="INV-2026-0008", fee="3.20", payout="po_1A"),
        payment("50.00", payer="Someone", fee="1.75", payout="po_1A"),
        payment("-145.05", kind=TransactionKind.PAYOUT, payout="po_1A"),
    ]


def test_payout_row_is_a_payout():
    matching = match_all(numbered(_stripe_payout()), [INV8])
    row = matching.matches[2]
    assert row.status is PaymentStatus.PAYOUT
    assert row.allocations == ()
    assert row.note == "payout po_1A: its 2 lines are matched on their own rows"


def test_payout_of_one_charge_says_so_in_the_singular():
    """The demo's payouts carry one charge each: "its 1 line are matched" read
    wrong."""
    charge = payment("100.00", reference="INV-2026-0008", fee="3.20", payout="po_1B")
    row = payment("-96.80", kind=TransactionKind.PAYOUT, payout="po_1B")
    bank = payment("96.80", payer="STRIPE", reference="STRIPE PAYOUT po_1B")
    matching = match_all(numbered([charge, row, bank]), [INV8])
    assert matching.matches[1].note == (
        "payout po_1B: its 1 line is matched on its own row"
    )
    assert matching.matches[2].note == (
        'reference "STRIPE PAYOUT po_1B" names payout po_1B: its 1 line is '
        "matched on its own row"
    )
    by_sum = payment("96.80", payer="STRIPE", reference="STRIPE")
    matching = match_all(numbered([charge, by_sum]), [INV8])
    assert matching.matches[1].note == (
        "96.80 EUR is what payout po_1B carried (its 1 line after fees, matched on "
        "its own row)"
    )


def test_bank_line_naming_a_payout_is_a_payout():
    bank = payment("145.05", payer="STRIPE", reference="STRIPE PAYOUT po_1A")
    matching = match_all(numbered([*_stripe_payout(), bank]), [INV8])
    match = matching.matches[3]
    assert match.status is PaymentStatus.PAYOUT
    assert match.rule is MatchRule.PAYOUT


def test_bank_line_of_a_payouts_sum_is_a_payout():
    bank = payment("145.05", payer="STRIPE", reference="STRIPE TRANSFER")
    matching = match_all(numbered([*_stripe_payout(), bank]), [INV8])
    match = matching.matches[3]
    assert match.status is PaymentStatus.PAYOUT
    assert "145.05 EUR is what payout po_1A carried" in match.note


def test_payout_sum_equal_to_an_invoice_is_ambiguous():
    same = invoice("INV-2026-0017", "145.05", customer="C-002")
    bank = payment("145.05", payer="STRIPE")
    matching = match_all(numbered([*_stripe_payout(), bank]), [INV8, same])
    match = matching.matches[3]
    assert match.status is PaymentStatus.AMBIGUOUS
    assert [c.number for c in match.candidates] == ["INV-2026-0017", "po_1A"]


@pytest.mark.parametrize(
    ("line", "note"),
    [
        (payment("0.00", reference="INV-2026-0007"), "amount 0: nothing to match"),
        (
            payment("-3.20", kind=TransactionKind.FEE),
            "a processor's fee: kept for the books, nothing to match",
        ),
        (
            payment("-50.00", kind=TransactionKind.OTHER, reference="Rent"),
            "money paid out that is no refund: nothing to match",
        ),
    ],
)
def test_lines_with_nothing_to_match_are_ignored(line, note):
    match = only(line, INV7)
    assert match.status is PaymentStatus.IGNORED
    assert match.allocations == ()
    assert match.note == note


# --- Nothing fits ---------------------------------------------------------------------


def test_unmatched_lists_the_payers_closest_invoices_and_the_same_amount_elsewhere():
    far = invoice("INV-2026-0018", "9000.00")
    usd = invoice("INV-2026-0019", "1000.00", currency="USD")
    elsewhere = invoice("INV-2026-0020", "1000.00", customer="C-002")
    match = only(payment("1000.00", payer="ACME GmbH"), far, INV8, INV7, usd, elsewhere)
    assert match.status is PaymentStatus.UNMATCHED
    assert match.allocations == ()
    assert [(c.number, c.reason) for c in match.candidates] == [
        ("INV-2026-0007", "1,190.00 EUR open; the payment is 1,000.00 EUR"),
        ("INV-2026-0008", "500.00 EUR open; the payment is 1,000.00 EUR"),
        ("INV-2026-0018", "9,000.00 EUR open; the payment is 1,000.00 EUR"),
        ("INV-2026-0019", "in USD; the payment is in EUR"),
        (
            "INV-2026-0020",
            'customer C-002\'s; the payer "ACME GmbH" is customer C-001',
        ),
    ]
    assert match.note == (
        'no reference; payer "ACME GmbH" is customer C-001; no open invoice of '
        "1,000.00 EUR fits; its 3 open invoices add up to 10,690.00 EUR"
    )


@pytest.mark.parametrize(
    ("open_invoices", "said"),
    [
        ((), "it has no open invoice in EUR"),
        ((INV8,), "its 1 open invoice has 500.00 EUR open"),
        ((INV8, INV7), "its 2 open invoices add up to 1,690.00 EUR"),
    ],
)
def test_unmatched_note_says_what_the_payer_has_open_in_words_that_fit(
    open_invoices, said
):
    """`make demo` showed "its 1 open invoice add up to 6,104.89 EUR"."""
    match = only(payment("1000.00", payer="ACME GmbH"), *open_invoices)
    assert match.status is PaymentStatus.UNMATCHED
    assert match.note.endswith(f"fits; {said}"), match.note


def test_candidates_are_at_most_max_candidates():
    many = [invoice(f"INV-2026-01{n:02d}", f"{n}.00") for n in range(1, 10)]
    payments = numbered([payment("1000.00", payer="ACME GmbH")])
    settings = MatchSettings(max_candidates=3)
    (match,) = match_all(payments, many, settings=settings).matches
    assert len(match.candidates) == 3


def test_matching_paid_sums_allocations_per_invoice():
    payments = [
        payment("500.00", reference="INV-2026-0007"),
        payment("500.00", payer="Beta Ltd"),
        payment("690.00", reference="INV-2026-0007"),
    ]
    beta = invoice("INV-2026-0021", "500.00", customer="C-002")
    matching = match_all(numbered(payments), [INV7, beta])
    assert matching.paid == {
        "INV-2026-0007": Decimal("1190.00"),
        "INV-2026-0021": Decimal("500.00"),
    }
