"""The Payments tab: money received, typed by a person or appended by `payments
import`, read as the payments the matcher applies.

Pure. A row with an error is left out whole, so nothing of a payment sheetbill cannot
read for certain is applied to an invoice; every problem names its cell. A row shows
its kind in the sign of its Amount and the words of its Method: the import writes a
processor's payout or fee with that word, so that it reads back as what it was.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sheetbill.domain.cells import is_blank, parse_date
from sheetbill.domain.model import Problem, Settings
from sheetbill.domain.money import is_currency
from sheetbill.domain.payments import Payment, TransactionKind
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.row_ids import (
    ROW_ID_PREFIX,
    is_invoice_number,
    is_row_id,
    kind_of_value,
)
from sheetbill.domain.schema import Owner, PaymentColumns
from sheetbill.domain.sheet import CellValue
from sheetbill.tabs.headers import missing_required
from sheetbill.tabs.rows import (
    RowReader,
    TabLayout,
    fingerprint,
    locale_parser,
    money_parser,
)

C = PaymentColumns
PREFIX = ROW_ID_PREFIX["Payments"]

# What a person may edit on a row, in this order: the fingerprint's cells. A change
# to any of them after a run applied the row is an edited payment.
EDITABLE = (
    C.DATE,
    C.AMOUNT,
    C.CURRENCY,
    C.PAYER,
    C.PAYER_ACCOUNT,
    C.REFERENCE,
    C.METHOD,
    C.INVOICE_NO,
    C.FEE,
    C.PAYOUT,
    C.TRANSACTION_ID,
)
# sheetbill's cells of a row, as `PaymentRow.shown` holds them.
SHOWN = (C.MATCHED_INVOICE, C.STATUS, C.MATCH_NOTE, C.RECEIPT_SENT, C.ROW_ID)

# Method words that make a row something other than a payment or a refund (whole
# words, any case). A refund needs no word: it is money out, a negative Amount.
NOT_A_PAYMENT = "not a payment"
_KIND_WORDS = (
    (TransactionKind.OTHER, re.compile(r"\bnot a payment\b", re.IGNORECASE)),
    (TransactionKind.PAYOUT, re.compile(r"\b(payouts?|auszahlung)\b", re.IGNORECASE)),
    (
        TransactionKind.FEE,
        re.compile(r"\b(fees?|gebühr(en)?|frais|comisi[oó]n)\b", re.IGNORECASE),
    ),
)
# The word `method_text` adds for a kind the sign alone does not say.
_KIND_WORD = {
    TransactionKind.OTHER: NOT_A_PAYMENT,
    TransactionKind.PAYOUT: "payout",
    TransactionKind.FEE: "fee",
}
# Invoice No: several numbers separated by commas or semicolons (or by spaces,
# when every part has a digit: "INV-7 INV-8", but not "INV 2026 0007").
_NUMBERS_APART = re.compile(r"[,;]")


@dataclass(frozen=True, slots=True)
class PaymentRow:
    """One Payments row that reads as a payment.

    `amount`, `fee`: signed, major units of `currency` (the Currency cell, else the
    Settings' Default Currency). `payer_account`: spaces removed, upper case.
    `invoice_numbers`: what a person typed into Invoice No, in that order. `kind`:
    from the Amount's sign and the Method's words (`kind_of`). `row_id`: the Row ID
    sheetbill wrote (P-000001), "" while it has none. `shown`: sheetbill's cells
    (Matched Invoice, Status, Match Note, Receipt Sent, Row ID) as the row shows
    them, blanks left out. `fingerprint`: a digest of the cells a person may edit
    (`EDITABLE`), as shown, the same whichever of them the tab lacks.
    """

    row: int
    booked: date
    amount: Decimal
    currency: str
    payer: str = ""
    payer_account: str = ""
    reference: str = ""
    method: str = ""
    invoice_numbers: tuple[str, ...] = ()
    fee: Decimal | None = None
    payout: str = ""
    transaction_id: str = ""
    kind: TransactionKind = TransactionKind.PAYMENT
    row_id: str = ""
    shown: Mapping[str, CellValue] = field(default_factory=dict, hash=False)
    fingerprint: str = ""


def read_payments(
    layout: TabLayout | None, settings: Settings
) -> tuple[list[PaymentRow], list[Problem]]:
    """The Payments rows that read as payments, in sheet order, and the problems of
    every row. Blank rows (no cell a person fills) are skipped; a row with an error
    (Date or Amount empty or unreadable, a formula's error in any cell, a bad
    Currency or Invoice No, a copied Row ID or Transaction ID) is left out. No tab,
    or one without Date or Amount (`column_problems` says so): no rows."""
    if layout is None or missing_required(layout):
        return [], []
    rows: list[PaymentRow] = []
    problems: list[Problem] = []
    filled = [
        layout.columns.positions[c.name]
        for c in layout.schema.columns
        if c.owner is Owner.HUMAN and c.name in layout.columns.positions
    ]
    row_ids: dict[str, int] = {}
    transactions: dict[str, int] = {}
    for sheet_row in layout.table.rows:
        if all(is_blank(sheet_row.get(i)) for i in filled):
            continue
        read = RowReader(layout, sheet_row, settings)
        row_id = _row_id(read, row_ids)
        payment = _payment(read, settings, row_id, transactions)
        problems.extend(read.problems)
        if payment is not None and read.ok:
            rows.append(payment)
    return rows, problems


def _payment(
    read: RowReader, settings: Settings, row_id: str, transactions: dict[str, int]
) -> PaymentRow | None:
    """The row as a payment, or None when a cell it needs cannot be read (the
    problems are on `read`)."""
    booked = read.parsed(C.DATE, locale_parser(parse_date, settings), required=True)
    currency = read.text(C.CURRENCY).upper() or settings.default_currency
    if not is_currency(currency):
        read.fail(
            C.CURRENCY,
            "Currency is not an ISO 4217 currency code.",
            "Write a code such as EUR, USD or JPY, or leave it blank for the Default "
            "Currency.",
            code=ProblemCode.PAYMENTS_BAD_CURRENCY,
        )
        # The row is left out; its Amount is still read, for its own problems.
        currency = settings.default_currency
    whose = f"the payment is in {currency}"
    amount = read.parsed(
        C.AMOUNT, money_parser(settings, currency, whose), required=True
    )
    fee = read.parsed(C.FEE, money_parser(settings, currency, whose))
    method = read.text(C.METHOD)
    transaction_id = read.text(C.TRANSACTION_ID)
    _check_transaction(read, transaction_id, transactions)
    invoice_numbers = _invoice_numbers(read)
    texts = {n: read.text(n) for n in (C.PAYER, C.PAYER_ACCOUNT, C.REFERENCE, C.PAYOUT)}
    if booked is None or amount is None or not read.ok:
        return None
    return PaymentRow(
        row=read.row.number,
        booked=booked,
        amount=amount,
        currency=currency,
        payer=texts[C.PAYER],
        payer_account=compact_account(texts[C.PAYER_ACCOUNT]),
        reference=texts[C.REFERENCE],
        method=method,
        invoice_numbers=invoice_numbers,
        fee=fee,
        payout=texts[C.PAYOUT],
        transaction_id=transaction_id,
        kind=kind_of(method, amount),
        row_id=row_id,
        shown=_shown(read),
        fingerprint=fingerprint([read.raw(c) for c in EDITABLE]),
    )


def _row_id(read: RowReader, seen: dict[str, int]) -> str:
    """The row's Row ID when sheetbill wrote it, else "" (and the problem when the
    cell holds someone else's value, or an ID an earlier row has: a copy)."""
    raw = read.raw(C.ROW_ID)
    if is_blank(raw):
        return ""
    row_id = read.text(C.ROW_ID)
    if not row_id:
        return ""  # a formula's error: told by `text`
    if not is_row_id(raw) or not row_id.startswith(PREFIX):
        read.fail(
            C.ROW_ID,
            f"Row ID holds {kind_of_value(raw, read.serial_format(C.ROW_ID))} that "
            "sheetbill did not write; the payment is left out while it is there.",
            "Clear the Row ID cell (keep a note in a column of your own); sheetbill "
            f"then writes the payment's own Row ID, such as {PREFIX}000012.",
            code=ProblemCode.PAYMENTS_ROW_ID_NOT_SHEETBILLS,
        )
        return ""
    first = seen.setdefault(row_id, read.row.number)
    if first != read.row.number:
        read.fail(
            C.ROW_ID,
            f"Row ID {row_id} is also on row {first}; this payment looks copied, "
            "and is left out so that it is not counted twice.",
            "If it is another payment, clear its Row ID; else delete the copy.",
            code=ProblemCode.PAYMENTS_COPIED_ROW,
        )
    return row_id


def _check_transaction(
    read: RowReader, transaction_id: str, seen: dict[str, int]
) -> None:
    """A Transaction ID an earlier row has: the same transaction twice."""
    if not transaction_id:
        return
    first = seen.setdefault(transaction_id, read.row.number)
    if first != read.row.number:
        read.fail(
            C.TRANSACTION_ID,
            f"Transaction ID {transaction_id} is also on row {first}: this row "
            "looks like a second copy of that transaction, and is left out.",
            "Delete the copy; if they are two transactions, correct the Transaction "
            "ID.",
            code=ProblemCode.PAYMENTS_DUPLICATE_TRANSACTION,
        )


def _invoice_numbers(read: RowReader) -> tuple[str, ...]:
    text = read.text(C.INVOICE_NO)
    if not text:
        return ()
    raw = read.raw(C.INVOICE_NO)
    serial = read.serial_format(C.INVOICE_NO)
    if not is_invoice_number(raw, serial):
        read.fail(
            C.INVOICE_NO,
            f"Invoice No holds {kind_of_value(raw, serial)}, which is no invoice "
            "number: it does not say which invoice the payment is for, so the "
            "payment is left out.",
            "Type the invoice number (several separated by commas), or clear the cell "
            "to let sheetbill match the payment.",
            code=ProblemCode.PAYMENTS_BAD_INVOICE_NO,
        )
        return ()
    return split_invoice_numbers(text)


def split_invoice_numbers(text: str) -> tuple[str, ...]:
    """The invoice numbers of an Invoice No cell, in the order written, each once:
    separated by commas or semicolons, or by spaces when every part holds a digit
    ("INV-7 INV-8" is two, "INV 2026 0007" one)."""
    numbers: list[str] = []
    for part in _NUMBERS_APART.split(text):
        pieces = part.split()
        if len(pieces) > 1 and all(any(c.isdigit() for c in p) for p in pieces):
            numbers.extend(pieces)
        elif pieces:
            numbers.append(" ".join(pieces))
    return tuple(dict.fromkeys(numbers))


def kind_of(method: str, amount: Decimal) -> TransactionKind:
    """What a row is: OTHER, PAYOUT or FEE when its Method says so ("not a payment",
    "Stripe payout", "PayPal fee"), else a REFUND when money went out (a negative
    Amount: a refund or a chargeback), else a PAYMENT."""
    for kind, words in _KIND_WORDS:
        if words.search(method):
            return kind
    return TransactionKind.REFUND if amount < 0 else TransactionKind.PAYMENT


def method_text(method: str, kind: TransactionKind) -> str:
    """The Method cell of an imported transaction: its method, and the word of its
    kind when the method does not say it already, so that `kind_of` reads it back
    (a refund or payment says it by its sign)."""
    word = _KIND_WORD.get(kind)
    if word is None or kind_of(method, Decimal(0)) is kind:
        return method
    return f"{method} {word}".strip()


def compact_account(text: str) -> str:
    """An IBAN or account number as compared: spaces removed, upper case."""
    return re.sub(r"\s+", "", text).upper()


def _shown(read: RowReader) -> dict[str, CellValue]:
    return {c: read.raw(c) for c in SHOWN if not is_blank(read.raw(c))}


def as_payment(row: PaymentRow, key: str) -> Payment:
    """The row as the matcher takes it; `key` is its identity (the Row ID, or a
    placeholder for a row that has none yet)."""
    return Payment(
        key=key,
        row=row.row,
        booked=row.booked,
        amount=row.amount,
        currency=row.currency,
        payer=row.payer,
        payer_account=row.payer_account,
        reference=row.reference,
        method=row.method,
        invoice_numbers=row.invoice_numbers,
        kind=row.kind,
        fee=row.fee,
        payout=row.payout,
        transaction_id=row.transaction_id,
    )
