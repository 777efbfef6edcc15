"""The Exceptions tab's writes: a row per new problem, Closed on rows whose problem
went, and the Row Key of open rows that lack one (`planning.exceptions` decides)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sheetbill.domain.cells import clipped
from sheetbill.domain.schema import ExceptionColumns
from sheetbill.planning.exceptions import ExceptionsPlan
from sheetbill.tabs.exceptions import TEXT_CHARS, VALUE_CHARS, row_key
from sheetbill.writeback.writer import TabWriter


def write_exceptions(writer: TabWriter, plan: ExceptionsPlan, *, today: date) -> None:
    for row, key in plan.row_keys:
        writer.put(row, ExceptionColumns.ROW_KEY, key)
    for new in plan.opened:
        problem = new.problem
        writer.append(
            {
                ExceptionColumns.OPENED: today,
                ExceptionColumns.SEVERITY: problem.severity.value,
                ExceptionColumns.TAB: problem.tab,
                ExceptionColumns.ROW: (
                    None if problem.row is None else Decimal(problem.row)
                ),
                ExceptionColumns.COLUMN: problem.column,
                ExceptionColumns.VALUE: clipped(problem.value, VALUE_CHARS),
                ExceptionColumns.PROBLEM: row_key(problem)[3],
                ExceptionColumns.FIX: clipped(problem.fix, TEXT_CHARS),
                ExceptionColumns.OWNER: clipped(new.owner, TEXT_CHARS),
                ExceptionColumns.ROW_KEY: new.row_key,
            }
        )
    for row in plan.closing:
        writer.put(row, ExceptionColumns.CLOSED, today)
