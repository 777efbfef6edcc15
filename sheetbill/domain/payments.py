"""Payments as values: a transaction read from a bank or processor file, the
matcher's view of a payment, an open invoice and a payer, and a match with its
evidence.

Pure. Amounts are `Decimal` in the currency's major units (euros, not cents), signed
as the bank books them: money received is positive, money paid out (a refund, a
chargeback, a payout leaving the processor) negative. Matching compares amounts in
the currency's minor units (ISO 4217, `sheetbill.domain.money`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

# The file formats `payments import --format` takes (a CSV profile's name too).
FORMATS = ("camt.053", "ofx", "mt940", "stripe", "paypal", "csv")


class TransactionKind(StrEnum):
    """What a line of a bank or processor file is, as the file says."""

    # Money received for something sold (a transfer, a card charge).
    PAYMENT = "payment"
    # Money given back to a customer: a refund, a chargeback, a returned debit.
    REFUND = "refund"
    # A processor (Stripe, PayPal) paying out many charges to the bank in one sum.
    PAYOUT = "payout"
    # A processor's fee booked on a line of its own.
    FEE = "fee"
    # Anything else (an outgoing bank payment, an adjustment): never matched.
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Transaction:
    """One transaction of a bank statement or processor export, as read.

    `amount`: signed, major units; a processor charge's gross (what the customer
    paid; the invoice is settled by it). `fee`: the processor's fee on it, positive,
    same currency (None: the file names none); `net` = amount - fee as the file
    states it. `currency`: ISO 4217 code, upper case; "" when the file names none
    (the Settings currency is then taken). `payer_account`: an IBAN or account
    number, spaces removed, upper case. `payout`: for a processor charge, the
    payout that carried it to the bank; for a PAYOUT, its own id. `transaction_id`:
    the bank's or processor's own id of the transaction, when the file gives one.
    `line`: where it is in the file, for messages (1-based line or entry number).
    """

    booked: date
    amount: Decimal
    currency: str = ""
    payer: str = ""
    payer_account: str = ""
    reference: str = ""
    method: str = ""
    fee: Decimal | None = None
    net: Decimal | None = None
    payout: str = ""
    transaction_id: str = ""
    kind: TransactionKind = TransactionKind.PAYMENT
    line: int = 0


@dataclass(frozen=True, slots=True)
class Statement:
    """What one file held: its format's name and its transactions in file order."""

    # The importer's name: "csv:de", "csv:<profile>", "ofx", "camt.053", "mt940",
    # "stripe", "paypal".
    format: str
    transactions: tuple[Transaction, ...]
    # Lines left out and why, in a person's words ("3 lines of opening balances").
    skipped: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CsvProfile:
    """A bank CSV's layout: `[payments.profiles.NAME]` in sheetbill.toml, or one of
    the built-in profiles. Column names are header texts as the file writes them
    (matched without regard to case or surrounding spaces)."""

    name: str
    date: str
    # Either one signed amount column, or debit and credit columns (or a
    # `debit_credit` column saying which: "S"/"Soll"/"D"/"Debit" marks money out).
    amount: str = ""
    debit: str = ""
    credit: str = ""
    debit_credit: str = ""
    reference: tuple[str, ...] = ()
    payer: str = ""
    payer_account: str = ""
    currency: str = ""
    transaction_id: str = ""
    # strptime format of the date column, e.g. "%d.%m.%Y".
    date_format: str = "%Y-%m-%d"
    decimal_comma: bool = False
    # Field separator; "" = guessed from the header line (comma, semicolon, tab).
    delimiter: str = ""
    encoding: str = "utf-8"
    # Lines before the header row (a bank's title lines).
    skip_rows: int = 0


# --- Content keys (deduplication) ----------------------------------------------------

_SPACE = re.compile(r"\s+")


def normalized_text(text: str) -> str:
    """Text as compared across files: NFKC, case-folded, runs of white space as one."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def content_keys(
    transactions: Sequence[Transaction], *, by_id: bool = True
) -> list[str]:
    """A key per transaction, the same whichever file or overlapping statement it
    comes from: `id:<transaction_id>` when the file gives an id, else a
    hash of date, amount, currency, reference and payer with the number of equal
    transactions before it in the same file (two equal payments on one day stay
    two; the same two in an overlapping statement are the same two).

    Banks' and processors' ids look nothing alike (`txn_…`, `ch_…`, a bank's
    reference), so one key space serves them all. `by_id=False`: every key is the
    content's (the same transaction read from a CSV and from a camt file of the
    same account: only one of them names the bank's id). A signed zero and trailing
    zeros do not change a key (`1190.0` and `1190.00` are one amount)."""
    seen: dict[str, int] = {}
    keys: list[str] = []
    for tx in transactions:
        if by_id and tx.transaction_id.strip():
            keys.append(f"id:{tx.transaction_id.strip()}")
            continue
        basis = "|".join(
            (
                tx.booked.isoformat(),
                _amount_text(tx.amount),
                tx.currency.upper(),
                normalized_text(tx.reference),
                normalized_text(tx.payer),
            )
        )
        n = seen.get(basis, 0)
        seen[basis] = n + 1
        digest = hashlib.sha256(f"{basis}|{n}".encode()).hexdigest()[:24]
        keys.append(f"content:{digest}")
    return keys


def _amount_text(amount: Decimal) -> str:
    normal = amount.normalize()
    return "0" if normal.is_zero() else format(normal, "f")


# --- Matching ---------------------------------------------------------------------


class MatchRule(StrEnum):
    """How a payment was matched, in the order the rules are tried."""

    # A person typed the invoice number into the payment's Invoice No.
    PERSON = "invoice no typed"
    # An earlier run matched it; the row has not changed since.
    KEPT = "kept"
    # An invoice number (or several) inside the reference.
    REFERENCE = "reference"
    # A refund of a processor charge already matched (Stripe's charge id).
    REFUND_OF_CHARGE = "refund of a matched charge"
    # The only open invoice of that payer (name or IBAN on the customer's row)
    # with exactly that amount.
    PAYER_AMOUNT = "payer and amount"
    # The sum of all open invoices of that payer, exactly.
    PAYER_SUM = "payer and sum of open invoices"
    # The only open invoice of exactly that amount issued within the date window.
    AMOUNT_DATE = "amount and date"
    # A bank line that is a processor's payout of charges already imported.
    PAYOUT = "payout"


class PaymentStatus(StrEnum):
    """A Payments row's Status (sheetbill's column)."""

    MATCHED = "matched"
    # Matched, and more than the invoices' balance: the rest is customer credit.
    OVERPAID = "over-payment"
    # Money given back, applied to the invoice it refunds (which opens again).
    REFUNDED = "refund"
    # A processor's payout: the charges in it are matched on their own rows.
    PAYOUT = "payout"
    UNMATCHED = "unmatched"
    AMBIGUOUS = "ambiguous"
    CURRENCY_MISMATCH = "currency mismatch"
    # Outgoing money that is no refund, a fee line, a zero amount: nothing to match.
    IGNORED = "ignored"


@dataclass(frozen=True, slots=True)
class Payment:
    """A payment as the matcher sees it: a Payments row, read.

    `key`: the payment's identity (its Row ID; a dry run's new rows get a
    placeholder). `amount`: signed, major units. `invoice_numbers`: what a person
    typed into Invoice No (one or several, comma separated), which wins over every
    rule. `row`: the sheet row, for messages."""

    key: str
    row: int
    booked: date
    amount: Decimal
    currency: str
    payer: str = ""
    payer_account: str = ""
    reference: str = ""
    method: str = ""
    invoice_numbers: tuple[str, ...] = ()
    kind: TransactionKind = TransactionKind.PAYMENT
    fee: Decimal | None = None
    payout: str = ""
    transaction_id: str = ""


@dataclass(frozen=True, slots=True)
class OpenInvoice:
    """An invoice payments may settle. `open_amount`: what is left to pay before any
    payment of the Payments tab counts (its Total, or Total less a Paid a person
    typed by hand that stands); `total`, `open_amount` in major units of
    `currency`. Credit notes and void invoices are not offered to the matcher,
    except that a refund may name a paid one."""

    number: str
    customer_id: str
    currency: str
    total: Decimal
    open_amount: Decimal
    issue_date: date
    due_date: date


@dataclass(frozen=True, slots=True)
class Payer:
    """How a customer shows up on a bank line: its name and the other names it pays
    under, and its accounts (IBANs, spaces removed, upper case)."""

    customer_id: str
    names: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Allocation:
    """Part of a payment settling one invoice (negative for a refund), major units
    of the invoice's currency."""

    number: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Candidate:
    """An invoice the matcher looked at and did not take, and why (for a person)."""

    number: str
    reason: str


@dataclass(frozen=True, slots=True)
class Match:
    """What became of one payment: its invoices and the evidence.

    `note`: the Match Note, the rule and the matched text in a person's words
    (`reference "RE: INV-2026-0007/ACME" names INV-2026-0007`). `credit`: what is
    left over after the invoices' balances (kept as the customer's credit), major
    units. `candidates`: for an ambiguous or unmatched payment, the best invoices
    and why each was not taken (at most five)."""

    key: str
    status: PaymentStatus
    rule: MatchRule | None = None
    allocations: tuple[Allocation, ...] = ()
    note: str = ""
    credit: Decimal = Decimal(0)
    candidates: tuple[Candidate, ...] = ()
    customer_id: str | None = None

    @property
    def invoice_numbers(self) -> tuple[str, ...]:
        return tuple(a.number for a in self.allocations)


@dataclass(frozen=True, slots=True)
class MatchSettings:
    """The matcher's knobs (`[payments]` in sheetbill.toml)."""

    # Rule AMOUNT_DATE: a payment booked from the invoice's issue date to this many
    # days after its due date.
    window_days: int = 60
    # Candidates listed on an exception, best first.
    max_candidates: int = 5


@dataclass(frozen=True, slots=True)
class Matching:
    """The matcher's answer for a list of payments, in their order."""

    matches: tuple[Match, ...]
    # Invoice number -> the sum of its allocations (signed), major units.
    paid: Mapping[str, Decimal] = field(default_factory=dict)


def paid_by_invoice(matches: Iterable[Match]) -> dict[str, Decimal]:
    """Each invoice's sum of allocations over `matches` (refunds lower it)."""
    paid: dict[str, Decimal] = {}
    for match in matches:
        for allocation in match.allocations:
            paid[allocation.number] = (
                paid.get(allocation.number, Decimal(0)) + allocation.amount
            )
    return paid


@dataclass(frozen=True, slots=True)
class PaymentCells:
    """sheetbill's cells of one Payments row, as the run decides them."""

    row: int
    row_id: str
    # The invoice numbers, comma separated ("" for none).
    matched_invoice: str
    # A `PaymentStatus` value.
    status: str
    note: str
    # When the receipt thanking for it went (Settings-zone wall time); None: none.
    receipt_sent: datetime | None = None
