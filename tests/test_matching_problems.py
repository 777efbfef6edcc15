"""The warnings matching leaves for a person (planning/matching_problems.py): one per
payment to look at, with its code, the Payments row and cell, the candidates and
what to do; none for a payment that needs nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from matching_helpers import invoice, match_all, numbered, payment

from sheetbill.domain.model import Severity
from sheetbill.domain.payments import Match, Matching, PaymentStatus, TransactionKind
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.planning.matching import match_problems

INV7 = invoice("INV-2026-0007", "1190.00")
INV8 = invoice("INV-2026-0008", "500.00")
TWIN = invoice("INV-2026-0009", "500.00", customer="C-002")
USD = invoice("INV-2026-0010", "99.00", currency="USD")


def _problems(*payments):
    listed = numbered(list(payments))
    matching = match_all(listed, [INV7, INV8, TWIN, USD])
    return match_problems(matching, listed)


@pytest.mark.parametrize(
    ("line", "code", "column", "value"),
    [
        (
            payment("10.00", payer="Nobody", reference="thanks"),
            ProblemCode.PAYMENTS_UNMATCHED,
            "Reference",
            "thanks",
        ),
        (
            payment("10.00", payer="Nobody"),
            ProblemCode.PAYMENTS_UNMATCHED,
            "Amount",
            "10.00 EUR",
        ),
        (
            payment("500.00", payer="Someone"),
            ProblemCode.PAYMENTS_AMBIGUOUS,
            "Amount",
            "500.00 EUR",
        ),
        (
            payment("1200.00", reference="RE: INV-2026-0007"),
            ProblemCode.PAYMENTS_OVERPAID,
            "Amount",
            "1,200.00 EUR",
        ),
        (
            payment("99.00", reference="INV-2026-0010"),
            ProblemCode.PAYMENTS_CURRENCY_MISMATCH,
            "Reference",
            "INV-2026-0010",
        ),
        (
            payment("99.00", typed=["INV-2026-0010"]),
            ProblemCode.PAYMENTS_CURRENCY_MISMATCH,
            "Invoice No",
            "INV-2026-0010",
        ),
        (
            payment("10.00", typed=["INV-2026-0999"]),
            ProblemCode.PAYMENTS_UNKNOWN_INVOICE,
            "Invoice No",
            "INV-2026-0999",
        ),
        (
            payment("-10.00", kind=TransactionKind.REFUND, reference="Chargeback"),
            ProblemCode.PAYMENTS_REFUND_UNMATCHED,
            "Reference",
            "Chargeback",
        ),
    ],
)
def test_each_exception_is_a_warning_on_its_payments_cell(line, code, column, value):
    (problem,) = _problems(line)
    assert problem.code is code
    assert problem.severity is Severity.WARNING
    assert (problem.tab, problem.row, problem.column, problem.value) == (
        "Payments",
        2,
        column,
        value,
    )
    assert problem.fix


def test_problem_lists_the_candidates_and_why_each_was_not_taken():
    (problem,) = _problems(payment("500.00", payer="Someone"))
    assert problem.problem == (
        'The payment of 500.00 EUR from "Someone" (ambiguous): 2 open invoices of '
        "500.00 EUR fit (issued by 2026-03-10, due at most 60 days before). "
        "Candidates: INV-2026-0008 (500.00 EUR open, customer C-001's, in the "
        "window); INV-2026-0009 (500.00 EUR open, customer C-002's, in the window)."
    )
    assert problem.fix == "Type the invoice number it pays into Invoice No."


def test_over_payment_names_the_customer_and_the_credit():
    (problem,) = _problems(payment("1200.00", reference="INV-2026-0007"))
    assert problem.customer_id == "C-001"
    assert "kept as customer C-001's credit" in problem.problem
    assert problem.fix.startswith("Nothing, if the customer keeps the 10.00 EUR")


def test_no_problem_for_payments_that_need_nothing():
    lines = [
        payment("1190.00", reference="INV-2026-0007"),
        payment("500.00", payer="ACME GmbH"),
        payment("-100.00", kind=TransactionKind.REFUND, reference="INV-2026-0007"),
        payment("-3.00", kind=TransactionKind.FEE),
        payment("0.00"),
    ]
    assert _problems(*lines) == []


def test_problems_are_found_by_payment_key_and_tab_is_named():
    listed = numbered([payment("10.00", payer="Nobody")])
    matching = Matching(
        (
            Match("P-000001", PaymentStatus.UNMATCHED, note="no invoice"),
            Match("P-999999", PaymentStatus.UNMATCHED, note="not in the list"),
        ),
        {"INV-2026-0007": Decimal(0)},
    )
    (problem,) = match_problems(matching, listed, tab="Zahlungen")
    assert problem.tab == "Zahlungen"
    assert problem.row == 2
