"""One tab's cell writes, collected by column name: rows appended below every used
cell, and sheetbill's (S) columns the tab lacks added at its right."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sheetbill.domain.money import quantum
from sheetbill.domain.schema import Owner, TabSchema
from sheetbill.domain.sheet import (
    CellValue,
    CellWrite,
    ColumnFormat,
    SheetRow,
    new_cell_write,
)
from sheetbill.tabs.rows import TabLayout


@dataclass(slots=True)
class TabWriter:
    """Collects the writes for one tab, adding missing (S) columns at the right."""

    schema: TabSchema
    name: str
    layout: TabLayout | None
    positions: dict[str, int] = field(default_factory=dict)
    cells: list[CellWrite] = field(default_factory=list)
    next_row: int = 2
    is_new: bool = False
    # Where appends start: rows from here down were blank when the tab was read.
    first_new_row: int = 2

    @classmethod
    def open(cls, schema: TabSchema, layout: TabLayout | None) -> TabWriter:
        if layout is None:
            positions = {c.name: i for i, c in enumerate(schema.columns)}
            return cls(schema, schema.name, None, positions, [], 2, True, 2)
        table = layout.table
        # Below every used cell of any column, and never on the header row: a tab
        # cleared to nothing reads as header row 1 and last row 0.
        first = max(table.last_row, table.header_row) + 1
        writer = cls(
            schema,
            layout.tab,
            layout,
            dict(layout.columns.positions),
            [],
            first,
            False,
            first,
        )
        missing = [
            c.name
            for c in schema.columns
            if c.owner is Owner.SHEETBILL and c.name not in writer.positions
        ]
        if missing:
            free = first_free_column(table.headers, table.rows)
            for name in missing:
                writer.positions[name] = free
                writer.cells.append(CellWrite(table.header_row, free, name))
                free += 1
        return writer

    @property
    def appended_from(self) -> int | None:
        """The first row this writer appends, when it appends to an existing tab."""
        if self.is_new or self.next_row == self.first_new_row:
            return None
        return self.first_new_row

    def put(
        self, row: int, column: str, value: CellValue, *, row_key: str | None = None
    ) -> None:
        self.cells.append(CellWrite(row, self.positions[column], value, row_key))

    def append(
        self, values: Mapping[str, CellValue], *, row_key: str | None = None
    ) -> None:
        row = self.next_row
        self.next_row += 1
        positions, cells = self.positions, self.cells
        for column, value in values.items():
            if value is not None and (value.__class__ is not str or value):
                cells.append(new_cell_write(row, positions[column], value, row_key))

    def formats(self) -> dict[int, ColumnFormat]:
        return {
            self.positions[c.name]: c.format
            for c in self.schema.columns
            if c.name in self.positions and c.format is not ColumnFormat.TEXT
        }


def first_free_column(headers: Sequence[str], rows: Sequence[SheetRow]) -> int:
    """The first column right of every header and every cell below it.

    A person's notes under a blank header are theirs: a column sheetbill adds (and
    then fills on existing rows, such as PDF or Closed) must not land on them.
    """
    free = max((i + 1 for i, h in enumerate(headers) if h), default=0)
    for row in rows:
        cells = row.cells
        width = len(cells)
        while width > free and cells[width - 1] is None:
            width -= 1
        free = max(free, width)
    return free


def in_minor_units(currency: str) -> Callable[[Decimal], Decimal]:
    """An amount as its money cell shows it: with at least the currency's minor units
    as decimals (0 EUR as 0.00; a unit price of 0.125 EUR keeps its three). A MONEY
    cell shows the decimals its value carries (`ColumnFormat.MONEY`), so the Invoices
    tab shows JPY without decimals and KWD with three (ISO 4217)."""
    step = quantum(currency)
    fewest = step.as_tuple().exponent

    def shown(amount: Decimal) -> Decimal:
        if amount.as_tuple().exponent <= fewest:  # type: ignore[operator]
            return amount
        return amount.quantize(step)

    return shown
