"""Payment processors' exports: Stripe's balance history and payments exports and
PayPal's activity download, with gross, fee and net kept apart (the invoice is
settled by the gross; the fee is recorded for the ledger) and payouts as their own
lines.

Stripe's balance history has a line per charge, refund, fee and payout, each charge
naming the payout that carried it; its payments export has a line per charge with
what was refunded of it. PayPal's activity download has a line per payment, refund,
fee, hold and withdrawal, only the completed ones booked. Column names are matched
as the dashboards write them (Stripe's report API names too; PayPal's English and
German downloads).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from sheetbill.bankfiles.base import read_bytes
from sheetbill.bankfiles.table import (
    Record,
    Table,
    column_index,
    find_header,
    lines_of,
    read_table,
)
from sheetbill.bankfiles.text import (
    clean,
    currency_code,
    date_format_of,
    decimal_comma_in,
    decode,
    decode_head,
    header_key,
    joined,
    looks_like_refund,
    parse_amount,
    parse_date,
)
from sheetbill.domain.payments import Statement, Transaction, TransactionKind
from sheetbill.errors import BankFileError

# Processors write their header on the first line; a BOM or a blank line may come
# first.
_HEADER_LINES = 3
_PROCESSOR_DATES = (
    "%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y", "%d/%m/%Y", "%m/%d/%Y", "%d/%m/%y",
    "%m/%d/%y",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Columns:
    """An export's header read: each role's column index (None: not there)."""

    kind: str
    at: Mapping[str, int | None]
    # Columns whose values go into the reference (Stripe's metadata).
    extra: tuple[int, ...] = ()


def _columns(
    header: Sequence[str],
    names: Mapping[str, tuple[str, ...]],
    required: Sequence[str],
    kind: str,
) -> tuple[int, Columns] | None:
    at = {
        role: column_index(header, alternatives) for role, alternatives in names.items()
    }
    if any(at[role] is None for role in required):
        return None
    metadata = tuple(i for i, c in enumerate(header) if "metadata" in header_key(c))
    return sum(i is not None for i in at.values()), Columns(kind, at, metadata)


@dataclass(frozen=True, slots=True)
class _Rows:
    """An export read: its records with the cell of each role, and how to read
    amounts and dates."""

    table: Table
    columns: Columns
    decimal_comma: bool
    date_format: str
    path: Path

    def cell(self, record: Record, role: str) -> str:
        index = self.columns.at.get(role)
        return record.cells[index] if index is not None else ""

    def amount(
        self, record: Record, role: str, *, blank: Decimal | None = None
    ) -> Decimal:
        text = self.cell(record, role)
        if not text.strip() and blank is not None:
            return blank
        value = parse_amount(text, decimal_comma=self.decimal_comma)
        if value is None:
            raise self.error(record, role, f"'{clean(text)}' is not an amount")
        return value

    def currency(self, record: Record) -> str:
        code = currency_code(self.cell(record, "currency"))
        if code is None:
            raise self.error(
                record,
                "currency",
                f"'{clean(self.cell(record, 'currency'))}' is not a currency code",
            )
        return code

    def booked(self, record: Record) -> Transaction:
        """A transaction with the line's date and line number (amount 0: filled in
        by the caller)."""
        day = parse_date(self.cell(record, "date"), self.date_format)
        assert day is not None  # the format was chosen to read every date
        return Transaction(booked=day, amount=Decimal(0), line=record.line)

    def error(self, record: Record, role: str, what: str) -> BankFileError:
        index = self.columns.at.get(role)
        name = self.table.header[index] if index is not None else role
        return BankFileError(
            f"line {record.line}, column '{name}': {what}. Export the file again "
            "from the dashboard",
            path=self.path,
        )


def _identify(
    head: bytes, accept: Callable[[tuple[str, ...]], tuple[int, Columns] | None]
) -> bool:
    lines = lines_of(decode_head(head))[:_HEADER_LINES]
    return find_header(lines, accept) is not None


def _read(
    path: Path,
    accept: Callable[[tuple[str, ...]], tuple[int, Columns] | None],
    *,
    what: str,
    kept: Callable[[Record, Columns], bool],
    decimal_comma: Callable[[Columns], bool],
) -> tuple[_Rows, list[Record], int]:
    """The export's records read (`kept` ones only, the number left out): the
    header among its first lines, the decimal comma and date format from the
    values. Raises BankFileError naming the line and column of what cannot be read."""
    lines = lines_of(decode(read_bytes(path), path=path))
    found = find_header(lines[:_HEADER_LINES], accept)
    if found is None:
        raise BankFileError(
            f"is not {what}: its first line lacks the columns that export has. "
            "Export it again from the dashboard, or import it with --format csv",
            path=path,
        )
    header, columns = found
    table = read_table(lines, header, path=path)
    for record in table.records:
        if record.short:
            raise BankFileError(
                f"line {record.line} has fewer cells than the header names "
                f"({len(table.header)}): the file is cut or malformed. Export it again",
                path=path,
            )
    records = [r for r in table.records if kept(r, columns)]
    money = [
        r.cells[i]
        for r in records
        for role in ("amount", "fee", "net", "refunded")
        if (i := columns.at.get(role)) is not None
    ]
    comma = decimal_comma_in(money)
    date_column = columns.at["date"]
    assert date_column is not None  # every export's required columns hold a date
    date_format = date_format_of(
        [(r.line, r.cells[date_column]) for r in records],
        _PROCESSOR_DATES,
        column=table.header[date_column],
        path=path,
    )
    rows = _Rows(
        table,
        columns,
        decimal_comma(columns) if comma is None else comma,
        date_format,
        path,
    )
    return rows, records, len(table.records) - len(records)


# --- Stripe ---------------------------------------------------------------------

_STRIPE_BALANCE = {
    "id": ("id", "balance_transaction_id"),
    "type": ("Type", "reporting_category"),
    "source": ("Source", "source_id"),
    "charge": ("charge_id",),
    "amount": ("Amount", "gross"),
    "fee": ("Fee", "fee"),
    "net": ("Net", "net"),
    "currency": ("Currency",),
    "date": ("Created (UTC)", "Created date (UTC)", "created_utc", "created"),
    "description": ("Description",),
    "payout": ("Transfer", "automatic_payout_id", "Payout ID", "payout_id"),
    "payer": ("Customer Name", "customer_name", "Customer Description",
              "customer_description", "Customer Email", "customer_email"),
}  # fmt: skip
_STRIPE_PAYMENTS = {
    "id": ("id",),
    "date": ("Created (UTC)", "Created date (UTC)", "Created"),
    "amount": ("Amount",),
    "refunded": ("Amount Refunded",),
    "fee": ("Fee",),
    "net": ("Net",),
    "currency": ("Currency",),
    "status": ("Status",),
    "captured": ("Captured",),
    "description": ("Description",),
    "payout": ("Transfer",),
    "payer": ("Customer Description", "Card Name", "Customer Name",
              "Customer Email"),
}  # fmt: skip
# Stripe's balance types (dashboard) and reporting categories (reports).
_CHARGE = frozenset({"charge", "payment"})
_REFUND = frozenset({"refund", "payment_refund"})
_DISPUTE = frozenset({"adjustment", "dispute"})
_PAYOUT = frozenset({"payout", "transfer"})
_FEE = frozenset({"stripe_fee", "fee", "application_fee", "tax_fee", "stripe_fx_fee"})
# A payments export's charges that moved money (failed, blocked, uncaptured: none).
_PAID = frozenset({"paid", "succeeded", "refunded", "partially refunded"})


def _stripe_header(header: Sequence[str]) -> tuple[int, Columns] | None:
    return _columns(
        header,
        _STRIPE_BALANCE,
        ("id", "type", "amount", "net", "currency", "date"),
        "balance",
    ) or _columns(
        header,
        _STRIPE_PAYMENTS,
        ("id", "date", "amount", "refunded", "currency", "status"),
        "payments",
    )


class Stripe:
    """Stripe's balance history ("Balance" → Export; also the balance change
    reports) and payments export ("Payments" → Export)."""

    name = "stripe"

    def identify(self, head: bytes, path: Path) -> bool:
        return _identify(head, _stripe_header)

    def extract(self, path: Path) -> Statement:
        rows, records, left = _read(
            path,
            _stripe_header,
            what="a Stripe balance history or payments export",
            kept=_stripe_kept,
            decimal_comma=lambda _: False,
        )
        if rows.columns.kind == "payments":
            found = [t for r in records for t in _stripe_payment(rows, r)]
            why = (
                "failed or uncaptured charge"
                if left == 1
                else "failed or uncaptured charges"
            )
        else:
            found = [_stripe_balance(rows, r) for r in records]
            why = ""
        skipped = (f"{left} {why}",) if left and why else ()
        return Statement("stripe", tuple(found), skipped)


def _stripe_kept(record: Record, columns: Columns) -> bool:
    if columns.kind != "payments":
        return True
    status = columns.at["status"]
    captured = columns.at["captured"]
    paid = status is not None and header_key(record.cells[status]) in _PAID
    return paid and (captured is None or header_key(record.cells[captured]) != "false")


def _stripe_balance(rows: _Rows, record: Record) -> Transaction:
    """One balance history line: a charge (its id is the charge's, which refunds
    and disputes name), a refund or dispute (naming the charge), a payout, a fee.
    Every line but a payout names the payout that settled it: a payout's amount is
    the sum of the nets of its lines."""
    kind_word = header_key(rows.cell(record, "type"))
    source = clean(rows.cell(record, "charge")) or clean(rows.cell(record, "source"))
    own_id = clean(rows.cell(record, "id"))
    base = _stripe_line(rows, record, own_id)
    amount, words = base.amount, base.reference
    if kind_word in _CHARGE:
        return replace(base, transaction_id=source or own_id)
    chargeback = kind_word == "dispute" or (
        kind_word in _DISPUTE
        and (looks_like_refund(words) or "dispute" in words.casefold())
    )
    if amount < 0 and (kind_word in _REFUND or chargeback):
        return replace(
            base, kind=TransactionKind.REFUND, reference=joined([source, words])
        )
    if kind_word in _PAYOUT:
        payout = source or own_id
        return replace(
            base, kind=TransactionKind.PAYOUT, transaction_id=payout, payout=payout
        )
    kind = TransactionKind.FEE if kind_word in _FEE else TransactionKind.OTHER
    return replace(base, kind=kind)


def _stripe_line(rows: _Rows, record: Record, own_id: str) -> Transaction:
    """A Stripe export's line as both exports write it: gross, fee, net, payout."""
    amount = rows.amount(record, "amount")
    fee = rows.amount(record, "fee", blank=Decimal(0))
    return replace(
        rows.booked(record),
        amount=amount,
        currency=rows.currency(record),
        payer=clean(rows.cell(record, "payer")),
        reference=_with_metadata(rows, record),
        method="Stripe",
        fee=fee,
        net=rows.amount(record, "net", blank=amount - fee),
        payout=clean(rows.cell(record, "payout")),
        transaction_id=own_id,
    )


def _with_metadata(rows: _Rows, record: Record) -> str:
    """The description, and each metadata value it does not already hold (a shop
    puts its invoice number there)."""
    text = clean(rows.cell(record, "description"))
    for index in rows.columns.extra:
        value = clean(record.cells[index])
        if value and value.casefold() not in text.casefold():
            text = f"{text} {value}".strip()
    return text


def _stripe_payment(rows: _Rows, record: Record) -> list[Transaction]:
    """A payments export line: the charge, and what was refunded of it (dated with
    the charge: the export gives no refund date)."""
    charge_id = clean(rows.cell(record, "id"))
    charge = _stripe_line(rows, record, charge_id)
    words = charge.reference
    refunded = rows.amount(record, "refunded", blank=Decimal(0))
    if not refunded:
        return [charge]
    refund = replace(
        charge,
        amount=-abs(refunded),
        kind=TransactionKind.REFUND,
        fee=None,
        net=None,
        reference=joined([charge_id, words]),
        transaction_id=f"{charge_id}/refund",
    )
    return [charge, refund]


# --- PayPal ---------------------------------------------------------------------

_PAYPAL = {
    "date": ("Date", "Datum"),
    "name": ("Name",),
    "type": ("Type", "Typ", "Description", "Beschreibung"),
    "status": ("Status",),
    "currency": ("Currency", "Währung"),
    "amount": ("Gross", "Brutto"),
    "fee": ("Fee", "Gebühr", "Entgelt"),
    "net": ("Net", "Netto"),
    "id": ("Transaction ID", "Transaktionscode"),
    "related": ("Reference Txn ID", "Zugehöriger Transaktionscode"),
    "invoice": ("Invoice Number", "Invoice ID", "Rechnungsnummer"),
    "item": ("Item Title", "Artikelbezeichnung"),
    "subject": ("Subject", "Betreff"),
    "note": ("Note", "Hinweis"),
    "impact": ("Balance Impact", "Auswirkung auf Guthaben"),
}
# Completed lines are booked; pending, denied, held ones are not (yet).
_COMPLETED = frozenset({"completed", "abgeschlossen", "termine", "completado"})
_WITHDRAWAL = ("withdraw", "abbuchung", "auszahlung", "transfer to bank")
_FEE_WORDS = ("fee", "gebühr", "gebuhr", "entgelt")
# Lines that move money inside PayPal, not to or from a customer.
_INTERNAL = ("hold", "release", "conversion", "umrechnung", "einbehalt", "freigabe",
             "deposit", "gutschrift", "reserve")  # fmt: skip


def _paypal_header(header: Sequence[str]) -> tuple[int, Columns] | None:
    # The German download writes its amounts with a decimal comma when none of
    # them says so itself (all whole).
    german = column_index(header, ("Brutto",)) is not None
    return _columns(
        header,
        _PAYPAL,
        ("date", "currency", "amount", "net", "id"),
        "paypal:de" if german else "paypal",
    )


class PayPal:
    """PayPal's activity download (Activity → Download, CSV), English or German."""

    name = "paypal"

    def identify(self, head: bytes, path: Path) -> bool:
        return _identify(head, _paypal_header)

    def extract(self, path: Path) -> Statement:
        rows, records, left = _read(
            path,
            _paypal_header,
            what="a PayPal activity download",
            kept=_paypal_kept,
            decimal_comma=lambda c: c.kind == "paypal:de",
        )
        found = [_paypal_line(rows, r) for r in records]
        word = "line" if left == 1 else "lines"
        skipped = (
            (f"{left} {word} not completed or not moving the balance",) if left else ()
        )
        return Statement("paypal", tuple(found), skipped)


def _paypal_kept(record: Record, columns: Columns) -> bool:
    status, impact = columns.at["status"], columns.at["impact"]
    if status is not None and header_key(record.cells[status]) not in _COMPLETED:
        return False
    return impact is None or header_key(record.cells[impact]) != "memo"


def _paypal_line(rows: _Rows, record: Record) -> Transaction:
    """A completed activity line: a payment received (its Invoice Number into the
    reference), a refund or chargeback (naming the payment's Transaction ID), a
    withdrawal to the bank (a payout), a fee, or anything else."""
    amount = rows.amount(record, "amount")
    fee_cell = rows.amount(record, "fee", blank=Decimal(0))
    what = header_key(rows.cell(record, "type"))
    texts = [rows.cell(record, r) for r in ("invoice", "item", "subject", "note")]
    own_id = clean(rows.cell(record, "id"))
    base = replace(
        rows.booked(record),
        amount=amount,
        currency=rows.currency(record),
        payer=clean(rows.cell(record, "name")),
        method="PayPal",
        fee=-fee_cell,
        net=rows.amount(record, "net"),
        transaction_id=own_id,
        reference=joined(texts),
    )
    if any(w in what for w in _FEE_WORDS):
        kind = TransactionKind.FEE if amount < 0 else TransactionKind.OTHER
        return replace(base, kind=kind)
    if amount < 0 and any(w in what for w in _WITHDRAWAL):
        return replace(base, kind=TransactionKind.PAYOUT, payout=own_id)
    if looks_like_refund(what):
        if amount >= 0:
            return replace(base, kind=TransactionKind.OTHER)
        related = clean(rows.cell(record, "related"))
        return replace(
            base, kind=TransactionKind.REFUND, reference=joined([related, *texts])
        )
    if amount > 0 and not any(w in what for w in _INTERNAL):
        return base
    return replace(base, kind=TransactionKind.OTHER)
