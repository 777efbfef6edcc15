"""The Exceptions tab read back as input: its open rows, with what a person's Status
on each says, and the Row Key that tells which row of its tab a problem is on.

Pure, and it changes nothing: keeping the tab in step with a run's problems is
decided in `planning.exceptions` and written by `writeback.exceptions`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sheetbill.domain.cells import clipped, parse_text
from sheetbill.domain.model import Problem
from sheetbill.domain.schema import (
    INVOICE_LINES,
    INVOICES,
    ExceptionColumns,
    InvoiceColumns,
    InvoiceLineColumns,
)
from sheetbill.domain.sheet import CellValue, SheetRow
from sheetbill.tabs.rows import TabLayout, fingerprint, fingerprint_cells

# Statuses that set a problem aside: the dropdown's "ignored", and a word people type.
SET_ASIDE_STATUSES = frozenset({"ignored", "acknowledged"})
# What an Exceptions row says of a value is clipped: a pasted 40,000-character cell
# (more than a cell holds) must not make this row, and so every later write, fail.
VALUE_CHARS, TEXT_CHARS = 200, 1000

Key = tuple[str, str, str, str]


@dataclass(frozen=True, slots=True)
class ExceptionRow:
    """An open row of the Exceptions tab (no Closed date, a Problem)."""

    number: int
    # (Tab, Row, Column, Problem) as the row holds them.
    key: Key
    value: str
    is_set_aside: bool
    # Which row of its tab the problem was on when the row was written (RowKeys).
    row_key: str = ""


def row_key(problem: Problem) -> Key:
    """The problem's identity as its Exceptions row holds it (Problem clipped)."""
    tab, row, column, text = problem.key
    return (tab, row, column, clipped(text, TEXT_CHARS))


def shown_value(problem: Problem) -> str:
    """The problem's Value as its Exceptions row holds it, read back."""
    return parse_text(clipped(problem.value, VALUE_CHARS))


def read_exceptions(
    layout: TabLayout | None,
) -> tuple[list[ExceptionRow], list[Problem]]:
    """The open rows of the Exceptions tab, and the problems of reading them: none
    so far, as any Status that does not set a problem aside leaves it open. A row
    without a Problem is a person's note, not an exception, and is left out."""
    if layout is None:
        return [], []
    positions = layout.columns.positions

    def cell(row: SheetRow, column: str) -> str:
        position = positions.get(column)
        return "" if position is None else parse_text(row.get(position))

    rows = []
    for sheet_row in layout.table.rows:
        if cell(sheet_row, ExceptionColumns.CLOSED) or not cell(
            sheet_row, ExceptionColumns.PROBLEM
        ):
            continue
        key = (
            cell(sheet_row, ExceptionColumns.TAB),
            cell(sheet_row, ExceptionColumns.ROW),
            cell(sheet_row, ExceptionColumns.COLUMN),
            cell(sheet_row, ExceptionColumns.PROBLEM),
        )
        status = cell(sheet_row, ExceptionColumns.STATUS).casefold()
        rows.append(
            ExceptionRow(
                sheet_row.number,
                key,
                cell(sheet_row, ExceptionColumns.VALUE),
                status in SET_ASIDE_STATUSES,
                cell(sheet_row, ExceptionColumns.ROW_KEY),
            )
        )
    return rows, []


# Cells that say which row of sheetbill's own tabs a problem is about: an invoice's
# cells change as sheetbill and people work on it, its number does not.
_NAMING_COLUMNS = {
    INVOICES.name: (InvoiceColumns.INVOICE_NO,),
    INVOICE_LINES.name: (InvoiceLineColumns.INVOICE_NO, InvoiceLineColumns.LINE),
}


class RowKeys:
    """Which row a problem is about, beyond its number: a digest of the row's Row ID
    and the cells people type (of the invoice number on sheetbill's own tabs).

    Inserting, deleting or sorting rows moves another row to a problem's row number;
    the Row Key tells them apart, so a problem a person set aside never stands for
    the problem of another row. "" for a problem of no row (a tab, a header, a
    setting without row).
    """

    __slots__ = ("_tabs", "layouts")

    def __init__(self, layouts: Mapping[str, TabLayout]) -> None:
        self.layouts = layouts
        self._tabs: dict[str, _TabRows | None] = {}

    def of(self, problem: Problem) -> str:
        if problem.row is None:
            return ""
        if problem.tab not in self._tabs:
            self._tabs[problem.tab] = self._rows_of(problem.tab)
        rows = self._tabs[problem.tab]
        return "" if rows is None else rows.key(problem.row)

    def _rows_of(self, tab: str) -> _TabRows | None:
        for name, layout in self.layouts.items():
            if tab in (name, layout.tab):
                return _TabRows(layout)
        return None


class _TabRows:
    """One tab's rows by number, and the Row Key of each (worked out when asked)."""

    __slots__ = ("cells_of", "rows", "width")

    def __init__(self, layout: TabLayout) -> None:
        self.rows = {row.number: row.cells for row in layout.table.rows}
        self.cells_of = _identifying_cells(layout)
        self.width = layout.padded_width

    def key(self, number: int) -> str:
        cells = self.rows.get(number)
        if cells is None:
            return ""
        padded = cells + (None,) * max(0, self.width - len(cells))
        return fingerprint(self.cells_of(padded))


def _identifying_cells(
    layout: TabLayout,
) -> Callable[[Sequence[CellValue]], Sequence[CellValue]]:
    """The cells (of a padded row) that tell the row from the others."""
    positions = layout.columns.positions
    naming = _NAMING_COLUMNS.get(layout.schema.name)
    if naming is not None:
        at = [positions.get(c) for c in naming]
        return lambda cells: tuple(None if p is None else cells[p] for p in at)
    if layout.schema.is_output:
        return lambda cells: cells
    typed = fingerprint_cells(layout)
    row_id = positions.get("Row ID")
    if row_id is None:
        return typed
    return lambda cells: (cells[row_id], *typed(cells))
