"""Keeping the Exceptions tab in step, decided apart from writing: the tab's open rows
read back, then which problems get a row and which rows are closed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sheetbill.domain.model import Problem
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.schema import EXCEPTIONS
from sheetbill.planning.exceptions import NewException, plan_exceptions
from sheetbill.tabs.exceptions import ExceptionRow, RowKeys, read_exceptions
from sheetbill.tabs.validation import locate_tabs, validate_book

from helpers import small_book, time_row

HEADERS = [c.name for c in EXCEPTIONS.columns]
TODAY = date(2026, 11, 2)


def exceptions_row(**cells: object) -> list[object]:
    return [cells.get(h.replace(" ", "_").lower()) for h in HEADERS]


ROWS = [
    exceptions_row(tab="Time Log", row=Decimal(3), column="Hours", problem="P1"),
    exceptions_row(tab="Time Log", row=Decimal(4), problem="P2", status="Ignored"),
    exceptions_row(tab="Time Log", problem="P3", closed=date(2026, 10, 1)),
    exceptions_row(value="a person's note, no Problem"),
]


def test_read_exceptions_reads_open_rows_and_what_their_status_says():
    """Closed rows and a person's rows without a Problem are left out; "Ignored"
    sets a problem aside whatever its case."""
    layout = locate_tabs(small_book(extra={"Exceptions": (HEADERS, ROWS)}), {})
    rows, problems = read_exceptions(layout["Exceptions"])
    assert rows == [
        ExceptionRow(2, ("Time Log", "3", "Hours", "P1"), "", False, ""),
        ExceptionRow(3, ("Time Log", "4", "", "P2"), "", True, ""),
    ]
    assert problems == []
    assert read_exceptions(None) == ([], [])


def test_plan_exceptions_opens_new_problems_and_closes_gone_ones():
    """P1 is still there (its row stays, and takes the Row Key of its row); P2 went
    (its row is closed, set aside or not); P9 is new, owned by the Billing Owner."""
    work = [time_row(date(2026, 10, d), "Ann", "C1", Decimal(1)) for d in (1, 2)]
    book = small_book(time_rows=work, extra={"Exceptions": (HEADERS, ROWS)})
    data = validate_book(book, today=TODAY, billed={})
    still = Problem(
        code=ProblemCode.CELL_UNREADABLE,
        tab="Time Log",
        row=3,
        column="Hours",
        value="",
        problem="P1",
        fix="fix it",
    )
    new = Problem(
        code=ProblemCode.CELL_UNREADABLE,
        tab="Customers",
        row=None,
        column="Email",
        value="x",
        problem="P9",
        fix="fix it",
    )
    plan = plan_exceptions(data, [still, new, still])
    assert plan.opened == (NewException(new, data.settings.billing_owner, ""),)
    assert (plan.closing, plan.closed, plan.ignored) == ((3,), 1, ())
    on_row = RowKeys(data.layouts).of(still)
    assert on_row and plan.row_keys == ((2, on_row),)
