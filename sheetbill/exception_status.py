"""What a person's Status on an Exceptions row means to sheetbill (pure).

"ignored" (or "acknowledged") on an open row sets its problem aside: the row stays
listed, and is closed when the problem goes, but the problem no longer counts toward
the exit code nor as open. Only the problem the person looked at: the same Tab, Row,
Column, Problem and Value. Once its Value differs, it is a new exception.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sheetbill.cells import clipped, parse_text
from sheetbill.model import Problem
from sheetbill.rowreader import TabLayout
from sheetbill.workbook.base import SheetRow

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


def row_key(problem: Problem) -> Key:
    """The problem's identity as its Exceptions row holds it (Problem clipped)."""
    tab, row, column, text = problem.key
    return (tab, row, column, clipped(text, TEXT_CHARS))


def shown_value(problem: Problem) -> str:
    """The problem's Value as its Exceptions row holds it, read back."""
    return parse_text(clipped(problem.value, VALUE_CHARS))


def open_rows(layout: TabLayout | None) -> list[ExceptionRow]:
    """The open rows of the Exceptions tab; a row without a Problem is a person's
    note, not an exception, and is left out."""
    if layout is None:
        return []
    positions = layout.columns.positions

    def cell(row: SheetRow, column: str) -> str:
        position = positions.get(column)
        return "" if position is None else parse_text(row.get(position))

    rows = []
    for sheet_row in layout.table.rows:
        if cell(sheet_row, "Closed") or not cell(sheet_row, "Problem"):
            continue
        key = (
            cell(sheet_row, "Tab"),
            cell(sheet_row, "Row"),
            cell(sheet_row, "Column"),
            cell(sheet_row, "Problem"),
        )
        status = cell(sheet_row, "Status").casefold()
        rows.append(
            ExceptionRow(
                sheet_row.number,
                key,
                cell(sheet_row, "Value"),
                status in SET_ASIDE_STATUSES,
            )
        )
    return rows


def representatives(problems: Iterable[Problem]) -> dict[Key, Problem]:
    """One problem per Exceptions row: the first of each key."""
    current: dict[Key, Problem] = {}
    for problem in problems:
        current.setdefault(row_key(problem), problem)
    return current


def keys_set_aside(
    current: dict[Key, Problem], rows: Sequence[ExceptionRow]
) -> frozenset[Key]:
    """Keys of current problems that an open row sets aside with the same Value."""
    aside = {(r.key, r.value) for r in rows if r.is_set_aside}
    return frozenset(
        key for key, problem in current.items() if (key, shown_value(problem)) in aside
    )


def problems_set_aside(
    problems: Sequence[Problem], layout: TabLayout | None
) -> tuple[Problem, ...]:
    """The problems a person set aside in the Exceptions tab (Status "ignored")."""
    keys = keys_set_aside(representatives(problems), open_rows(layout))
    return tuple(p for p in problems if row_key(p) in keys)
