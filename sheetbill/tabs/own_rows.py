"""sheetbill's own rows in Invoices and Invoice Lines, as people left them.

Pure. People delete, copy, retype and sort rows of these tabs. A run re-creates only
what an interrupted run still owes (`recovery.rows_owed`); everything else that went
missing, or a number that now shows on two rows, becomes an Exceptions row here, so
that no invoice disappears without a word and no link is written on a row that may be
a copy.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from sheetbill.domain.cells import parse_text
from sheetbill.domain.model import Problem, Severity
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.tabs.rows import TabLayout

# Beyond this many invoices gone from one tab, one row says so (a deleted or archived
# tab would otherwise fill Exceptions with a row per invoice).
LISTED_ONE_BY_ONE = 5

_RESTORE = (
    "Restore the row (Undo, or copy it from a backup of the workbook). To cancel an "
    "invoice, issue a credit note rather than deleting its row."
)


def own_row_problems(
    layouts: Mapping[str, TabLayout],
    *,
    written: Collection[str],
    pending: Collection[str],
    new: Collection[str],
) -> list[Problem]:
    """Written invoices whose rows are gone; invoice numbers on more than one row.

    `written`: numbers the state database has as written; `pending`: drawn by an
    interrupted run (written again by this run where missing); `new`: drawn now.
    """
    invoices = _rows_by_number(layouts.get("Invoices"))
    lines = _rows_by_number(layouts.get("Invoice Lines"))
    problems = _gone(
        "Invoices",
        [n for n in written if n not in invoices],
        "is no longer in the Invoices tab; sheetbill wrote it there and does not "
        "write it again",
    )
    problems += _gone(
        "Invoice Lines",
        [n for n in written if n not in lines],
        "has no rows in the Invoice Lines tab any more; sheetbill wrote them there "
        "and does not write them again",
    )
    is_new = set(new)
    ours = {*written, *pending, *is_new}
    for number, rows in invoices.items():
        # A new invoice's own row is added by this run: one row before is a twin.
        if len(rows) + (number in is_new) < 2 or number not in ours:
            continue
        shown = ", ".join(str(r) for r in rows)
        problems.append(
            Problem(
                code=ProblemCode.INVOICES_DUPLICATE_NUMBER,
                tab="Invoices",
                row=None,
                column="Invoice No",
                value=f"{number} (row{'s' if len(rows) > 1 else ''} {shown})",
                problem=f"{number} is on more than one row of the Invoices tab; "
                "sheetbill cannot tell which row is its own and writes no PDF link "
                "on them.",
                fix="Delete the copied row, or give a row added by hand a number of "
                "its own (sheetbill numbers invoices from its own counter).",
                severity=Severity.WARNING,
            )
        )
    return problems


def _rows_by_number(layout: TabLayout | None) -> dict[str, list[int]]:
    """The sheet rows of each Invoice No in the tab ({} without tab or column)."""
    if layout is None or not layout.columns.has("Invoice No"):
        return {}
    position = layout.columns.positions["Invoice No"]
    found: dict[str, list[int]] = {}
    for row in layout.table.rows:
        number = parse_text(row.get(position))
        if number:
            found.setdefault(number, []).append(row.number)
    return found


def _gone(tab: str, numbers: list[str], what: str) -> list[Problem]:
    if not numbers:
        return []
    numbers = sorted(numbers)
    if len(numbers) <= LISTED_ONE_BY_ONE:
        return [
            Problem(
                code=ProblemCode.INVOICES_WRITTEN_ROW_GONE,
                tab=tab,
                row=None,
                column="Invoice No",
                value=number,
                problem=f"{number} {what}.",
                fix=_RESTORE,
                severity=Severity.WARNING,
            )
            for number in numbers
        ]
    span = f"{numbers[0]} … {numbers[-1]}"
    return [
        Problem(
            code=ProblemCode.INVOICES_WRITTEN_ROW_GONE,
            tab=tab,
            row=None,
            column="Invoice No",
            value=span,
            problem=f"{len(numbers)} invoices sheetbill wrote ({span}) are missing "
            f"from the {tab} tab; sheetbill does not write them again.",
            fix=_RESTORE,
            severity=Severity.WARNING,
        )
    ]
