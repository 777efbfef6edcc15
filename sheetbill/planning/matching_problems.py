"""The problems a person sees about matched payments: one warning per payment to
look at (unmatched, ambiguous, over-paid, another currency, an unknown Invoice No, a
refund that found no invoice), naming its Payments row, cell, candidates and fix.

Pure; the codes are in `domain/problem_codes.py` (`# --- Payments: matching`).
"""

from __future__ import annotations

from collections.abc import Sequence

from sheetbill.domain.model import Problem, Severity
from sheetbill.domain.payments import (
    Match,
    Matching,
    MatchRule,
    Payment,
    PaymentStatus,
    TransactionKind,
)
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.wording import amount_text

# Columns of the Payments tab a problem points at.
_REFERENCE = "Reference"
_AMOUNT = "Amount"
_INVOICE_NO = "Invoice No"


def match_problems(
    matching: Matching, payments: Sequence[Payment], *, tab: str = "Payments"
) -> list[Problem]:
    """A warning for each payment a person should look at: unmatched, ambiguous,
    over-paid, in another currency, naming an unknown invoice, a refund that found
    no invoice. Each names the row, the column, the value, the candidates and what
    to do. `payments` are the ones matched (found by key)."""
    by_key = {p.key: p for p in payments}
    problems: list[Problem] = []
    for match in matching.matches:
        payment = by_key.get(match.key)
        if payment is None:
            continue
        problem = _problem(match, payment, tab)
        if problem is not None:
            problems.append(problem)
    return problems


def _problem(match: Match, payment: Payment, tab: str) -> Problem | None:
    code = _code(match, payment)
    if code is None:
        return None
    column, value = _cell(match, payment)
    money = amount_text(payment.amount, payment.currency)
    what = f"The payment of {money}"
    if payment.payer:
        what += f' from "{payment.payer}"'
    text = f"{what} ({match.status.value}): {match.note}."
    if match.candidates:
        text += " Candidates: " + "; ".join(
            f"{c.number} ({c.reason})" for c in match.candidates
        )
        text += "."
    return Problem(
        code=code,
        tab=tab,
        row=payment.row,
        column=column,
        value=value,
        problem=text,
        fix=_fix(code, match, payment),
        severity=Severity.WARNING,
        customer_id=match.customer_id,
    )


def _code(match: Match, payment: Payment) -> ProblemCode | None:
    status = match.status
    if status is PaymentStatus.OVERPAID:
        return ProblemCode.PAYMENTS_OVERPAID
    if status is PaymentStatus.AMBIGUOUS:
        return ProblemCode.PAYMENTS_AMBIGUOUS
    if status is PaymentStatus.CURRENCY_MISMATCH:
        return ProblemCode.PAYMENTS_CURRENCY_MISMATCH
    if status is not PaymentStatus.UNMATCHED:
        return None
    if payment.kind is TransactionKind.REFUND or payment.amount < 0:
        return ProblemCode.PAYMENTS_REFUND_UNMATCHED
    if match.rule is MatchRule.PERSON:
        return ProblemCode.PAYMENTS_UNKNOWN_INVOICE
    return ProblemCode.PAYMENTS_UNMATCHED


def _cell(match: Match, payment: Payment) -> tuple[str, str]:
    """The cell the problem is about: Invoice No when a person typed one, the
    Reference when it named something, else the Amount."""
    if match.rule is MatchRule.PERSON:
        return _INVOICE_NO, ", ".join(payment.invoice_numbers)
    if match.status is PaymentStatus.OVERPAID or not payment.reference:
        return _AMOUNT, amount_text(payment.amount, payment.currency)
    return _REFERENCE, payment.reference


def _fix(code: ProblemCode, match: Match, payment: Payment) -> str:
    if code is ProblemCode.PAYMENTS_OVERPAID:
        credit = amount_text(match.credit, payment.currency)
        return (
            f"Nothing, if the customer keeps the {credit} as credit; to settle "
            "other invoices with it, type all their numbers into Invoice No; if it "
            "is paid back, add the refund as a Payments row."
        )
    if code is ProblemCode.PAYMENTS_UNKNOWN_INVOICE:
        return (
            "Correct the number in Invoice No, or clear the cell to let sheetbill "
            "match the payment."
        )
    if code is ProblemCode.PAYMENTS_CURRENCY_MISMATCH:
        return (
            "Check the invoice number; if the invoice was paid in another currency, "
            "type what it settled into the invoice's Paid."
        )
    return code.fix
