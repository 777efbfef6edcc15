"""What the payment matcher looks things up in: open balances in minor units as
payments consume them, indexed by amount and by customer; the customers a payer's
name or account points at; the payouts among the payments and what each carried.

Pure. Built once per matching, so each rule finds its invoices by a dictionary
look-up instead of a scan of every invoice (issue 15's benchmark: 50,000 payments
against 20,000 open invoices).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from sheetbill.domain.money import minor_units
from sheetbill.domain.payments import OpenInvoice, Payer, Payment, TransactionKind
from sheetbill.domain.wording import amount_text
from sheetbill.planning.matching_text import payer_key, spelled_out


@lru_cache(maxsize=4096)
def minor(amount: Decimal, currency: str) -> int:
    """`amount` in the currency's minor units (1190.00 EUR is 119000), half up."""
    return int(amount.scaleb(minor_units(currency)).to_integral_value(ROUND_HALF_UP))


def major(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-minor_units(currency))


def money_text(minor: int, currency: str) -> str:
    return amount_text(major(minor, currency), currency)


# --- What the matcher knows, indexed ----------------------------------------------


@dataclass(slots=True)
class Balances:
    """Open balances in minor units as the payments consume them, indexed by
    amount and by customer, so no rule scans every invoice."""

    invoices: dict[str, OpenInvoice]
    left: dict[str, int] = field(default_factory=dict)
    # (currency, open balance) -> the open invoices with exactly that balance.
    by_amount: dict[tuple[str, int], dict[str, None]] = field(default_factory=dict)
    # Customer -> its open invoices (any currency).
    by_customer: dict[str, dict[str, None]] = field(default_factory=dict)
    # (customer, currency) -> the sum of its open balances.
    sums: dict[tuple[str, str], int] = field(default_factory=dict)
    # Customer -> all its invoices offered, open or paid (refunds look at these).
    of_customer: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, invoices: Sequence[OpenInvoice]) -> Balances:
        first = {i.number: i for i in reversed(invoices)}
        books = cls({n: first[n] for n in dict.fromkeys(i.number for i in invoices)})
        for invoice in books.invoices.values():
            books.left[invoice.number] = 0
            books.of_customer.setdefault(invoice.customer_id, []).append(invoice.number)
            books.change(invoice.number, minor(invoice.open_amount, invoice.currency))
        return books

    def change(self, number: str, delta: int) -> None:
        """Add `delta` minor units to an invoice's open balance (a payment's share
        is a negative delta, a refund's positive)."""
        invoice = self.invoices.get(number)
        if invoice is None or delta == 0:
            return
        before = self.left[number]
        after = before + delta
        self.left[number] = after
        currency, customer = invoice.currency, invoice.customer_id
        if before > 0:
            self.by_amount[(currency, before)].pop(number, None)
            self.by_customer[customer].pop(number, None)
        if after > 0:
            self.by_amount.setdefault((currency, after), {})[number] = None
            self.by_customer.setdefault(customer, {})[number] = None
        key = (customer, currency)
        self.sums[key] = self.sums.get(key, 0) + max(after, 0) - max(before, 0)

    def paid_on(self, number: str) -> int:
        """What is paid of an invoice so far (its total less its open balance)."""
        invoice = self.invoices[number]
        return minor(invoice.total, invoice.currency) - self.left[number]

    def open_of(self, customer: str, currency: str) -> list[OpenInvoice]:
        numbers = self.by_customer.get(customer, {})
        found = [self.invoices[n] for n in numbers]
        return sorted(
            (i for i in found if i.currency == currency),
            key=lambda i: (i.due_date, i.issue_date, i.number),
        )


@dataclass(frozen=True, slots=True)
class Who:
    """The customers a payment's payer name or account points at, and the words
    saying so (`payer "ACME GmbH" is customer C-001`)."""

    customers: tuple[str, ...]
    said: str

    @property
    def customer(self) -> str | None:
        return self.customers[0] if len(self.customers) == 1 else None


@dataclass(frozen=True, slots=True)
class Payers:
    by_name: dict[str, frozenset[str]]
    by_account: dict[str, frozenset[str]]

    @classmethod
    def of(cls, payers: Sequence[Payer]) -> Payers:
        names: dict[str, set[str]] = {}
        accounts: dict[str, set[str]] = {}
        for payer in payers:
            for name in payer.names:
                # Banks write umlauts as they are, without dots, or spelled out
                # (`Bäckerei`, `Backerei`, `BAECKEREI`): a customer is known by each.
                for spelled in {name, spelled_out(name)}:
                    if key := payer_key(spelled):
                        names.setdefault(key, set()).add(payer.customer_id)
            for account in payer.accounts:
                if key := account_key(account):
                    accounts.setdefault(key, set()).add(payer.customer_id)
        return cls(
            {k: frozenset(v) for k, v in names.items()},
            {k: frozenset(v) for k, v in accounts.items()},
        )

    def who(self, payment: Payment) -> Who:
        """The account decides when it is on one customer's row (an IBAN is exact),
        else the name; both unknown: no customer."""
        none: frozenset[str] = frozenset()
        account, name = payment.payer_account, payment.payer
        by_account = (
            self.by_account.get(account_key(account), none) if account else none
        )
        by_name = self.by_name.get(payer_key(name), none) if name else none
        if len(by_account) == 1:
            (customer,) = by_account
            return Who((customer,), f"account {payment.payer_account} is {customer}'s")
        if len(by_name) == 1:
            (customer,) = by_name
            return Who((customer,), f'payer "{payment.payer}" is customer {customer}')
        several = tuple(sorted(by_account | by_name))
        if several:
            return Who(several, f"payer is one of customers {', '.join(several)}")
        if payment.payer.strip():
            return Who((), f'payer "{payment.payer}" is no customer\'s')
        return Who((), "no payer named")


def account_key(text: str) -> str:
    return "".join(text.split()).upper()


@dataclass(frozen=True, slots=True)
class Payouts:
    """Processor payouts among the payments: their ids, and what each carried to
    the bank (its charges' nets, and the payout line's own amount)."""

    ids: frozenset[str]
    by_sum: dict[tuple[str, int], tuple[str, ...]]
    charges: dict[str, int]

    @classmethod
    def of(cls, payments: Sequence[Payment]) -> Payouts:
        nets: dict[tuple[str, str], int] = {}
        charges: dict[str, int] = {}
        sums: dict[tuple[str, int], set[str]] = {}
        for p in payments:
            if not p.payout:
                continue
            currency = p.currency
            if p.kind is TransactionKind.PAYOUT:
                sums.setdefault((currency, abs(minor(p.amount, currency))), set()).add(
                    p.payout
                )
                continue
            net = minor(p.amount - (p.fee or 0), currency)
            nets[(p.payout, currency)] = nets.get((p.payout, currency), 0) + net
            charges[p.payout] = charges.get(p.payout, 0) + 1
        for (payout, currency), total in nets.items():
            sums.setdefault((currency, total), set()).add(payout)
        return cls(
            frozenset(p.payout for p in payments if p.payout),
            {k: tuple(sorted(v)) for k, v in sums.items()},
            charges,
        )
