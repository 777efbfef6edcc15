"""Builders for the payment matcher's tests: invoices, payers and payments with the
defaults of a small shop (EUR, March 2026), and the matcher's answer by payment."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal

from sheetbill.domain.payments import (
    Match,
    Matching,
    MatchSettings,
    OpenInvoice,
    Payer,
    Payment,
    TransactionKind,
)
from sheetbill.planning.matching import match_payments

BOOKED = date(2026, 3, 10)
ISSUED = date(2026, 3, 1)
DUE = date(2026, 3, 31)


def invoice(
    number: str,
    total: str | Decimal = "1190.00",
    *,
    customer: str = "C-001",
    currency: str = "EUR",
    open_amount: str | Decimal | None = None,
    issued: date = ISSUED,
    due: date = DUE,
) -> OpenInvoice:
    return OpenInvoice(
        number=number,
        customer_id=customer,
        currency=currency,
        total=Decimal(total),
        open_amount=Decimal(total if open_amount is None else open_amount),
        issue_date=issued,
        due_date=due,
    )


def payer(customer: str, *names: str, accounts: Sequence[str] = ()) -> Payer:
    return Payer(customer, tuple(names), tuple(accounts))


# The shop's customers as their bank lines name them.
PAYERS = (
    payer("C-001", "ACME GmbH", "Acme Trading", accounts=["DE89370400440532013000"]),
    payer("C-002", "Beta Ltd"),
    payer("C-003", "Café Müller S.L."),
)


def payment(
    amount: str | Decimal,
    *,
    key: str = "P-000001",
    row: int = 2,
    booked: date = BOOKED,
    currency: str = "EUR",
    payer: str = "",
    account: str = "",
    reference: str = "",
    typed: Sequence[str] = (),
    kind: TransactionKind = TransactionKind.PAYMENT,
    fee: str | None = None,
    payout: str = "",
    transaction_id: str = "",
    method: str = "",
) -> Payment:
    return Payment(
        key=key,
        row=row,
        booked=booked,
        amount=Decimal(amount),
        currency=currency,
        payer=payer,
        payer_account=account,
        reference=reference,
        method=method,
        invoice_numbers=tuple(typed),
        kind=kind,
        fee=None if fee is None else Decimal(fee),
        payout=payout,
        transaction_id=transaction_id,
    )


def numbered(payments: Sequence[Payment]) -> list[Payment]:
    """The payments with keys P-000001… and rows 2… in their order."""
    return [
        replace(p, key=f"P-{n:06d}", row=n + 1) for n, p in enumerate(payments, start=1)
    ]


def match_all(
    payments: Sequence[Payment],
    invoices: Sequence[OpenInvoice],
    payers: Sequence[Payer] = PAYERS,
    *,
    kept: Mapping[str, Match] | None = None,
    settings: MatchSettings | None = None,
) -> Matching:
    return match_payments(
        payments,
        invoices,
        payers,
        kept=kept or {},
        settings=settings or MatchSettings(),
    )


def only(payments: Payment | Sequence[Payment], *invoices: OpenInvoice) -> Match:
    """The match of the last payment (each payment before it is matched first)."""
    listed = [payments] if isinstance(payments, Payment) else list(payments)
    return match_all(numbered(listed), invoices).matches[-1]


def amounts(match: Match) -> dict[str, Decimal]:
    return {a.number: a.amount for a in match.allocations}
