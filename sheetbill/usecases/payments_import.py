"""`sheetbill payments import FILE`: a bank statement or processor export appended to
the Payments tab, each transaction once.

beangulp's shape: the file's importer identifies and extracts it
(`sheetbill.bankfiles`), then what the workbook holds already is left out by content
key (`domain.payments.content_keys`: the bank's id, else date, amount, reference
and payer) — the tab's rows and every key an import ever appended, so importing a
file twice, or two overlapping statements, adds nothing, and a row a person deleted
is not brought back. The import appends rows only; the next `sheetbill run`
applies them (Paid, Balance, Status, receipts). What matching will make of them is
shown now, decided by the run's own planner on the rows as they will be.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from sheetbill.bankfiles import read_statement
from sheetbill.config import Config
from sheetbill.domain.model import Invoice
from sheetbill.domain.payments import (
    Match,
    MatchSettings,
    Statement,
    Transaction,
    TransactionKind,
    content_keys,
)
from sheetbill.domain.schema import INVOICES, PAYMENTS
from sheetbill.domain.sheet import BookSnapshot
from sheetbill.domain.wording import counted
from sheetbill.errors import BankFileError, WorkbookChangedError
from sheetbill.planning.payments import PaymentsInput, PaymentsRead, plan_payments
from sheetbill.ports import Workbook
from sheetbill.state import StateDB, run_lock
from sheetbill.tabs.invoices import read_invoices
from sheetbill.tabs.payments import PaymentRow, kind_of, read_payments
from sheetbill.tabs.validation import BookData, validate_book
from sheetbill.usecases.moment import settings_of, today_for
from sheetbill.usecases.run_payments import payments_read_from
from sheetbill.writeback.payments import appended_payments
from sheetbill.writeback.plan import changes_of

# How often an import reads again when a person saved the workbook meanwhile.
ATTEMPTS = 3
# Kinds the Payments tab takes: money received, and money given back.
_TAKEN = (TransactionKind.PAYMENT, TransactionKind.REFUND)


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did (or, in a dry run, would do)."""

    file: str
    # The importer's name ("csv:de", "stripe", ...).
    format: str
    workbook: str
    is_dry_run: bool
    # The transactions appended (in a dry run: that would be), in file order.
    added: tuple[Transaction, ...] = ()
    # Transactions already in the workbook (or imported before), left out.
    already: int = 0
    # Lines not imported and why, in a person's words.
    left_out: tuple[str, ...] = ()
    # What matching will make of each added transaction, in the same order.
    matches: tuple[Match, ...] = ()
    # Invoice number -> its Status once the matches are applied (those changed).
    statuses: Mapping[str, str] = field(default_factory=dict)


def import_payments(
    workbook: Workbook,
    config: Config,
    path: Path,
    *,
    state_path: Path,
    format: str | None = None,
    is_dry_run: bool = False,
    now: Callable[[], datetime] | None = None,
) -> ImportResult:
    """Append the file's new transactions to the Payments tab. Raises BankFileError
    (the file: nothing is imported), WorkbookError / WorkbookWriteError (the
    workbook), RunInProgressError (a run holds the workbook longer than
    `lock_timeout`)."""
    statement = read_statement(path, format=format, profiles=config.payments.profiles)
    _check_dates(statement, path)
    clock = now or (lambda: datetime.now(UTC))
    with run_lock(state_path, timeout=config.lock_timeout):
        for _ in range(ATTEMPTS):
            snapshot = workbook.read()
            found = _Found.of(snapshot, config, state_path, clock())
            result = _result(statement, found, workbook.name, path, is_dry_run)
            if is_dry_run or not result.added:
                return result
            writer = appended_payments(
                found.data.layouts.get(PAYMENTS.name),
                result.added,
                settings=found.data.settings,
            )
            try:
                workbook.apply(changes_of([writer]), expected_version=snapshot.version)
            except WorkbookChangedError:
                continue
            _record(state_path, found.new_keys, clock())
            return result
    raise WorkbookChangedError(
        "the workbook keeps changing while sheetbill imports; nothing was "
        "imported. Import again when nobody is saving it",
        path=workbook.name,
    )


@dataclass(frozen=True, slots=True)
class _Found:
    """The workbook and state as an import sees them."""

    data: BookData
    rows: tuple[PaymentRow, ...]
    imported: frozenset[str]
    invoices: tuple[Invoice, ...]
    read: PaymentsRead
    window_days: int
    today: date
    # Filled by `_result`: the keys of the transactions appended.
    new_keys: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def of(
        cls, snapshot: BookSnapshot, config: Config, state_path: Path, now: datetime
    ) -> _Found:
        settings_read = settings_of(snapshot, config)
        today = today_for(settings_read[0], None, now=now)
        imported: set[str] = set()
        invoices: list[Invoice] = []
        read = PaymentsRead()
        billed = {}
        if state_path.exists():
            with StateDB.for_reading(state_path) as state:
                if state.has_tables():
                    imported = state.imported_keys()
                    invoices = list(state.all_invoices())
                    read = payments_read_from(state)
                    billed = dict(state.billed_rows())
        data = validate_book(
            snapshot,
            today=today,
            billed=billed,
            aliases=config.aliases,
            settings_read=settings_read,
        )
        rows, _ = read_payments(data.layouts.get(PAYMENTS.name), data.settings)
        return cls(
            data,
            tuple(rows),
            frozenset(imported),
            tuple(invoices),
            read,
            config.payments.window_days,
            today,
        )


def _result(
    statement: Statement,
    found: _Found,
    workbook: str,
    path: Path,
    is_dry_run: bool,
) -> ImportResult:
    """The statement's new transactions and what matching will make of them."""
    currency = found.data.settings.default_currency
    taken = [
        t if t.currency else replace(t, currency=currency)
        for t in statement.transactions
        if t.kind in _TAKEN and t.amount != 0
    ]
    left_out = [*statement.skipped, *_left_out(statement.transactions)]
    shown = [_as_transaction(r) for r in found.rows]
    have = {
        *found.imported,
        *content_keys(shown),
        *content_keys(shown, by_id=False),
    }
    added: list[Transaction] = []
    keyed = zip(
        taken, content_keys(taken), content_keys(taken, by_id=False), strict=True
    )
    for transaction, key, content in keyed:
        if key in have or content in have:
            continue
        have.update((key, content))
        added.append(transaction)
        found.new_keys[key] = {
            "file": path.name,
            "booked": transaction.booked.isoformat(),
            "amount": str(transaction.amount),
        }
    matches, statuses = _predicted(found, added)
    return ImportResult(
        file=str(path),
        format=statement.format,
        workbook=workbook,
        is_dry_run=is_dry_run,
        added=tuple(added),
        already=len(taken) - len(added),
        left_out=tuple(left_out),
        matches=matches,
        statuses=statuses,
    )


# A spreadsheet's dates start in 1900 (Excel's day 1).
FIRST_DAY = date(1900, 1, 1)


def _check_dates(statement: Statement, path: Path) -> None:
    """BankFileError for a transaction dated before a spreadsheet can show (a date
    mistyped in the bank's export), naming its line: nothing is imported."""
    for transaction in statement.transactions:
        if transaction.booked < FIRST_DAY:
            raise BankFileError(
                f"line {transaction.line} is dated {transaction.booked}, before "
                "1900, which no spreadsheet can show; correct the date in the "
                "file (nothing was imported)",
                path=path,
            )


def _left_out(transactions: Sequence[Transaction]) -> list[str]:
    """Lines of kinds the Payments tab does not take, counted in words."""
    words = {
        TransactionKind.OTHER: ("outgoing payment", "not money received"),
        TransactionKind.PAYOUT: ("payout", "their charges are imported one by one"),
        TransactionKind.FEE: ("fee line", "fees stay with their charges"),
    }
    said: list[str] = []
    for kind, (noun, why) in words.items():
        n = sum(1 for t in transactions if t.kind is kind)
        if n:
            said.append(f"{counted(n, noun)} left out ({why})")
    zero = sum(1 for t in transactions if t.kind in _TAKEN and t.amount == 0)
    if zero:
        said.append(f"{counted(zero, 'line')} of amount 0 left out")
    return said


def _as_transaction(row: PaymentRow) -> Transaction:
    return Transaction(
        booked=row.booked,
        amount=row.amount,
        currency=row.currency,
        payer=row.payer,
        reference=row.reference,
        transaction_id=row.transaction_id,
    )


def _predicted(
    found: _Found, added: Sequence[Transaction]
) -> tuple[tuple[Match, ...], dict[str, str]]:
    """The run's planner over the tab's rows and the new ones (numbered below the
    last row): each new row's match, and the invoices whose Status it changes."""
    data = found.data
    start = max((r.row for r in found.rows), default=1) + 1
    new_rows = [row_of_transaction(t, start + i) for i, t in enumerate(added)]
    invoice_rows, _ = read_invoices(
        data.layouts.get(INVOICES.name), settings=data.settings
    )
    given = PaymentsInput(
        rows=(*found.rows, *new_rows),
        applied=found.read.applied,
        invoices=found.invoices,
        invoice_rows=invoice_rows,
        customers=list(data.customers.values()),
        written_paid=found.read.written_paid,
        last_row_id=found.read.last_row_id,
        settings=MatchSettings(window_days=found.window_days),
    )
    before = plan_payments(replace(given, rows=found.rows))
    after = plan_payments(given)
    keys = {c.row: c.row_id for c in after.cells}
    by_key = {m.key: m for m in after.matches}
    matches = tuple(by_key[keys[r.row]] for r in new_rows)
    totals = {i.number: i.total for i in found.invoices}
    statuses = {
        number: _status(paid, totals[number])
        for number, paid in after.paid.items()
        if number in totals and paid != before.paid.get(number)
    }
    return matches, statuses


def row_of_transaction(transaction: Transaction, row: int) -> PaymentRow:
    """The Payments row a transaction becomes once appended at `row` (a row never
    applied: its fingerprint only has to differ from every recorded one)."""
    return PaymentRow(
        row=row,
        booked=transaction.booked,
        amount=transaction.amount,
        currency=transaction.currency,
        payer=transaction.payer,
        payer_account=transaction.payer_account,
        reference=transaction.reference,
        method=transaction.method,
        fee=transaction.fee,
        payout=transaction.payout,
        transaction_id=transaction.transaction_id,
        kind=kind_of(transaction.method, transaction.amount),
        fingerprint=f"new:{row}",
    )


def _status(paid: Decimal, total: Decimal) -> str:
    if paid >= total and paid > 0:
        return "paid"
    if paid > 0:
        return "partially paid"
    return "open"


def _record(
    state_path: Path, keys: Mapping[str, Mapping[str, str]], now: datetime
) -> None:
    """The keys appended, once the workbook shows them (a stopped import's rows are
    found again in the tab by their content)."""
    with StateDB(state_path, is_locked=True) as state:
        state.record_imported(keys, run_id=f"import-{secrets.token_hex(2)}", now=now)
