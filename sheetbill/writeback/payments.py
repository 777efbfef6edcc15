"""The Payments tab's cells: sheetbill's own on each row (Matched Invoice, Status,
Match Note, Receipt Sent, Row ID), and the rows `payments import` appends.

Pure. A bank file's texts are written as text, never as formulas: a Reference that
starts with `=`, `+`, `-` or `@` is a cell showing those characters (both backends
write every `str` as text), and an id of digits keeps its leading zeros.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

from sheetbill.domain.cells import EXCEL_EPOCH, MAX_CELL_TEXT, clipped, parse_text
from sheetbill.domain.model import Settings
from sheetbill.domain.payments import PaymentCells, Transaction
from sheetbill.domain.row_ids import is_row_id
from sheetbill.domain.schema import PAYMENTS, Owner, PaymentColumns, TabSchema
from sheetbill.domain.sheet import CellValue
from sheetbill.tabs.payments import method_text
from sheetbill.tabs.rows import TabLayout
from sheetbill.writeback.writer import TabWriter, in_minor_units

C = PaymentColumns
# What `payments import` fills on a new row (never Invoice No: that is a person's).
IMPORTED = (
    C.DATE,
    C.AMOUNT,
    C.CURRENCY,
    C.PAYER,
    C.PAYER_ACCOUNT,
    C.REFERENCE,
    C.METHOD,
    C.FEE,
    C.PAYOUT,
    C.TRANSACTION_ID,
)


def payment_writes(
    layout: TabLayout | None, cells: Sequence[PaymentCells]
) -> TabWriter | None:
    """sheetbill's cells of each row in `cells` where the row shows something else;
    None when no cell needs writing (or there is no Payments tab).

    Matched Invoice, Status and Match Note are cleared when the run has nothing for
    them (a match undone); Row ID and Receipt Sent are never cleared (an ID once
    given stays the row's; a receipt once sent stays sent). Text compares without
    regard to case or surrounding spaces, times to the second. Each write carries
    the Row ID the row shows (else its new one) as its row key, so a Google Sheet
    sorted meanwhile still gets it on the right row.
    """
    if layout is None or not cells:
        return None
    writer = TabWriter.open(layout.schema, layout)
    headers = len(writer.cells)
    rows = {r.number: r.cells for r in layout.table.rows}
    positions = layout.columns.positions
    for wanted in cells:
        shown_cells = rows.get(wanted.row, ())

        def shown(column: str, cells: tuple[CellValue, ...] = shown_cells) -> CellValue:
            at = positions.get(column)
            return cells[at] if at is not None and at < len(cells) else None

        shown_id = shown(C.ROW_ID)
        key = parse_text(shown_id) if is_row_id(shown_id) else wanted.row_id
        for column, value in _values(wanted):
            if _differs(shown(column), value):
                writer.put(wanted.row, column, value, row_key=key or None)
    return writer if len(writer.cells) > headers else None


def _values(cells: PaymentCells) -> Iterable[tuple[str, CellValue]]:
    """Each cell to show, None for one to clear; cells never cleared left out."""
    yield C.MATCHED_INVOICE, cells.matched_invoice or None
    yield C.STATUS, cells.status or None
    yield C.MATCH_NOTE, clipped(cells.note, MAX_CELL_TEXT - 40) or None
    if cells.receipt_sent is not None:
        yield C.RECEIPT_SENT, cells.receipt_sent
    if cells.row_id:
        yield C.ROW_ID, cells.row_id


def _differs(shown: CellValue, value: CellValue) -> bool:
    if value is None:
        return parse_text(shown) != ""
    if isinstance(value, str):
        return parse_text(shown).casefold() != value.strip().casefold()
    if isinstance(value, datetime):
        if isinstance(shown, Decimal):
            # A Google Sheet hands a time over as its serial number of days.
            shown = datetime.combine(EXCEL_EPOCH, datetime.min.time()) + timedelta(
                days=float(shown)
            )
        if not isinstance(shown, datetime):
            return True
        return abs(shown - value) >= timedelta(seconds=1)
    return shown != value


def appended_payments(
    layout: TabLayout | None,
    transactions: Sequence[Transaction],
    *,
    settings: Settings,
) -> TabWriter:
    """One new row per transaction below the tab's last used row, in their order:
    Date, Amount, Currency (the file's, else the Settings' Default Currency), Payer,
    Payer Account, Reference, Method (with the word of a payout or fee, `method_text`),
    Fee, Payout, Transaction ID. Amounts as Decimal with at least the currency's
    minor units (ISO 4217); texts always as text, cut to what a cell holds.

    A column the tab lacks is added at its right (with sheetbill's own) when some
    transaction has something for it, so nothing a file says is dropped. No tab: the
    writer makes one (`TabWriter.is_new`).
    """
    rows = [
        dict(zip(IMPORTED, _row(tx, settings.default_currency), strict=True))
        for tx in transactions
    ]
    writer = TabWriter.open(_placing(layout, rows), layout)
    for row in rows:
        writer.append(row)
    return writer


def _row(tx: Transaction, default_currency: str) -> tuple[CellValue, ...]:
    currency = tx.currency.strip().upper() or default_currency
    money = in_minor_units(currency)
    return (
        tx.booked,
        money(tx.amount),
        currency,
        _text(tx.payer),
        _text(tx.payer_account),
        _text(tx.reference),
        _text(method_text(tx.method, tx.kind)),
        None if tx.fee is None else money(tx.fee),
        _text(tx.payout),
        _text(tx.transaction_id),
    )


def _text(text: str) -> str:
    return clipped(text.strip(), MAX_CELL_TEXT - 40)


def _placing(
    layout: TabLayout | None, rows: Sequence[Mapping[str, CellValue]]
) -> TabSchema:
    """The Payments schema in which the imported columns the tab lacks, and that
    some row fills, count as sheetbill's: `TabWriter.open` then adds their headers
    beside its own missing ones, by its one rule of where a new column goes."""
    if layout is None:
        return PAYMENTS
    filled = {c for row in rows for c, value in row.items() if value not in (None, "")}
    lacking = filled - set(layout.columns.positions)
    if not lacking:
        return layout.schema
    return replace(
        layout.schema,
        columns=tuple(
            replace(c, owner=Owner.SHEETBILL) if c.name in lacking else c
            for c in layout.schema.columns
        ),
    )
