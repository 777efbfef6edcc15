"""Invoices and problems as the terminal shows them: a table when it fits the screen,
a few lines each when it does not; a number is never cut.

Numbers (invoice numbers, amounts, dates, row numbers) keep their full width; only
text (a customer's name, a problem) wraps, at words. A screen too narrow for the
table with readable text columns gets each invoice or problem as a few short lines
instead (docs/decisions.md, "The run summary on a narrow screen").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from sheetbill.domain.model import Invoice, Problem
from sheetbill.domain.wording import amount_text, counted

HEADERS = ("Invoice No", "Customer", "Lines", "Net", "Tax", "Total", "Due")
# Below this many columns for the customer's name, the table gives way to blocks.
CUSTOMER_MIN_WIDTH = 12
# Each column's padding (one space either side) and the rule left of it, plus the
# rule closing the table on the right: what rich's boxed table adds to the content.
_PADDING = 2
_RULE = 1


@dataclass(frozen=True, slots=True)
class ListedInvoice:
    """One invoice's cells as printed."""

    number: str
    customer: str
    lines: int
    net: str
    tax: str
    total: str
    due: str

    @classmethod
    def of(cls, invoice: Invoice) -> ListedInvoice:
        currency = invoice.currency
        return cls(
            invoice.number,
            f"{invoice.customer_id} {invoice.customer_name}".strip(),
            len(invoice.lines),
            amount_text(invoice.net, currency),
            amount_text(invoice.tax, currency),
            amount_text(invoice.total, currency),
            invoice.due_date.isoformat(),
        )

    def cells(self) -> tuple[str, ...]:
        return (
            self.number,
            self.customer,
            str(self.lines),
            self.net,
            self.tax,
            self.total,
            self.due,
        )


def print_invoice_list(
    console: Console, title: str, invoices: Sequence[Invoice]
) -> None:
    """The invoices under `title`, as wide as the console allows."""
    listed = [ListedInvoice.of(i) for i in invoices]
    table = _table(title, listed, console.width)
    if table is not None:
        console.print(table)
        return
    console.print(Text(title, style="italic"), soft_wrap=False)
    _print_blocks(console, listed)


def _table(title: str, listed: Sequence[ListedInvoice], width: int) -> Table | None:
    """The boxed table with every number column as wide as its widest cell, or None
    when the customer's column would be narrower than CUSTOMER_MIN_WIDTH."""
    widths = [
        max([cell_len(header), *(cell_len(row.cells()[i]) for row in listed)])
        for i, header in enumerate(HEADERS)
    ]
    customer = HEADERS.index("Customer")
    overhead = len(HEADERS) * (_PADDING + _RULE) + _RULE
    others = sum(w for i, w in enumerate(widths) if i != customer)
    room = width - overhead - others
    if room < CUSTOMER_MIN_WIDTH:
        return None
    longest = max(_longest_line(row.customer) for row in listed)
    widths[customer] = min(room, max(longest, CUSTOMER_MIN_WIDTH))
    table = Table(title=title, title_justify="left", box=box.HEAVY_HEAD)
    for header, column_width in zip(HEADERS, widths, strict=True):
        is_customer = header == "Customer"
        table.add_column(
            header,
            justify="right" if header in ("Lines", "Net", "Tax", "Total") else "left",
            width=column_width,
            no_wrap=not is_customer,
            overflow="fold",
        )
    for row in listed:
        table.add_row(*(Text(cell) for cell in row.cells()))
    return table


def _longest_line(text: str) -> int:
    return max((cell_len(line) for line in text.splitlines()), default=0)


def _print_blocks(console: Console, listed: Sequence[ListedInvoice]) -> None:
    """Each invoice as its number, due date and customer (the name wrapped at
    words), then its amounts on one line, or one line each when that line is wider
    than the screen."""
    labels = ("Net", "Tax", "Total")
    one_line = [
        "  "
        + "  ".join(
            f"{label} {amount}"
            for label, amount in zip(labels, (row.net, row.tax, row.total), strict=True)
        )
        + f"  ({counted(row.lines, 'line')})"
        for row in listed
    ]
    is_one_line = all(cell_len(line) <= console.width for line in one_line)
    width = max(
        (len(a) for row in listed for a in (row.net, row.tax, row.total)), default=0
    )
    for row, amounts in zip(listed, one_line, strict=True):
        console.print(
            Text(f"{row.number}  due {row.due}  {row.customer}"), soft_wrap=False
        )
        if is_one_line:
            console.print(amounts, markup=False)
            continue
        for label, amount in zip(labels, (row.net, row.tax, row.total), strict=True):
            # Printed whole (soft wrap): a line longer than the screen is wrapped by
            # the terminal, never cut by rich.
            console.print(f"  {label:<5}  {amount:>{width}}", markup=False)
        console.print(f"  {counted(row.lines, 'line')}", markup=False)


PROBLEM_HEADERS = ("Severity", "Tab", "Row", "Column", "Value", "Problem", "Fix")
# Problem and Fix need this many columns each to be read as a table.
MESSAGE_MIN_WIDTH = 20
# A longer Value wraps in the table (it is text from a cell; a number is shorter).
VALUE_MAX_WIDTH = 24


def print_problem_list(
    console: Console, title: str, problems: Sequence[Problem]
) -> None:
    """The problems under `title`, as a table when it fits the console."""
    rows = [
        (
            p.severity.value,
            p.tab,
            "" if p.row is None else str(p.row),
            p.column,
            p.value,
            p.problem,
            p.fix,
        )
        for p in problems
    ]
    widths = [
        max([cell_len(header), *(_longest_line(row[i]) for row in rows)])
        for i, header in enumerate(PROBLEM_HEADERS)
    ]
    widths[4] = min(widths[4], VALUE_MAX_WIDTH)
    overhead = len(PROBLEM_HEADERS) * (_PADDING + _RULE) + _RULE
    room = console.width - overhead - sum(widths[:5])
    if room < 2 * MESSAGE_MIN_WIDTH:
        console.print(Text(title, style="italic"), soft_wrap=False)
        for row in rows:
            severity, tab, number, column, value, problem, fix = row
            place = f"{tab} row {number}" if number else tab
            where = ", ".join(part for part in (place, column) if part)
            console.print(
                Text(f"{severity}: {where}" + (f": {value}" if value else "")),
                soft_wrap=False,
            )
            console.print(Text(f"  {problem}"), soft_wrap=False)
            console.print(Text(f"  Fix: {fix}"), soft_wrap=False)
        return
    # Problem as wide as it needs while Fix keeps at least half; Fix takes the rest.
    wanted = min(widths[5], max(room // 2, room - widths[6]))
    widths[5] = max(min(wanted, room - MESSAGE_MIN_WIDTH), MESSAGE_MIN_WIDTH)
    widths[6] = min(widths[6], room - widths[5])
    table = Table(title=title, title_justify="left", box=box.HEAVY_HEAD)
    for header, column_width in zip(PROBLEM_HEADERS, widths, strict=True):
        table.add_column(
            header,
            width=column_width,
            no_wrap=header in ("Severity", "Row"),
            overflow="fold",
        )
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    console.print(table)
