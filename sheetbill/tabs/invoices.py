"""The Invoices tab read back as input: what people fill on an invoice's row (Approve,
Hold, Void, Void Reason, Note) and the cells of sheetbill's a run checks again.

Pure, and it changes nothing: approvals, recovery of interrupted runs and the
write-back take these rows instead of reading the tab's cells themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from sheetbill.domain.cells import CellValueError, parse_text, parse_yes_no
from sheetbill.domain.model import Problem
from sheetbill.domain.schema import InvoiceColumns
from sheetbill.domain.sheet import CellValue, SheetRow
from sheetbill.tabs.rows import TabLayout


@dataclass(frozen=True, slots=True)
class InvoiceRow:
    """One row of the Invoices tab that shows an invoice number; texts are trimmed,
    "" where the cell is blank or the tab has no such column."""

    # The sheet row (the header is row 1 in a tab made by sheetbill).
    row: int
    number: str
    # None when the tab has no Customer ID column: a pending invoice's row is then
    # recognised by its number alone.
    customer_id: str | None
    # None when the tab has no Status column: no Status is then set back.
    status: str | None
    pdf: str
    approve: str
    # yes: True; no or blank: False; None when the cell says anything else (what it
    # says is in `hold_text`).
    hold: bool | None
    hold_text: str
    # As Hold.
    void: bool | None
    void_text: str
    void_reason: str
    note: str


def read_invoices(layout: TabLayout | None) -> tuple[list[InvoiceRow], list[Problem]]:
    """The rows of the Invoices tab that show an invoice number, in sheet order (a
    number on two rows is on both; `own_rows` reports it), and the problems of
    reading them: none so far, as a cell people fill here that sheetbill cannot
    read is judged where it matters (a Void that is not yes or no, by approvals)."""
    if layout is None or not layout.columns.has(InvoiceColumns.INVOICE_NO):
        return [], []
    positions = layout.columns.positions

    def cell(row: SheetRow, column: str) -> CellValue:
        at = positions.get(column)
        return None if at is None else row.get(at)

    def text_or_none(row: SheetRow, column: str) -> str | None:
        return parse_text(cell(row, column)) if column in positions else None

    rows: list[InvoiceRow] = []
    for sheet_row in layout.table.rows:
        number = parse_text(cell(sheet_row, InvoiceColumns.INVOICE_NO))
        if not number:
            continue
        hold = cell(sheet_row, InvoiceColumns.HOLD)
        void = cell(sheet_row, InvoiceColumns.VOID)
        rows.append(
            InvoiceRow(
                row=sheet_row.number,
                number=number,
                customer_id=text_or_none(sheet_row, InvoiceColumns.CUSTOMER_ID),
                status=text_or_none(sheet_row, InvoiceColumns.STATUS),
                pdf=parse_text(cell(sheet_row, InvoiceColumns.PDF)),
                approve=parse_text(cell(sheet_row, InvoiceColumns.APPROVE)),
                hold=_yes_no(hold),
                hold_text=parse_text(hold),
                void=_yes_no(void),
                void_text=parse_text(void),
                void_reason=parse_text(cell(sheet_row, InvoiceColumns.VOID_REASON)),
                note=parse_text(cell(sheet_row, InvoiceColumns.NOTE)),
            )
        )
    return rows, []


def _yes_no(value: CellValue) -> bool | None:
    try:
        return parse_yes_no(value)
    except CellValueError:
        return None
