"""Invoices, problems and payments as the terminal shows them: a table when it fits
the screen, a few lines each when it does not; a number is never cut.

Numbers (invoice numbers, amounts, dates, row numbers) keep their full width; only
text (a customer's name, a problem) wraps, at words. A screen too narrow for the
table with readable text columns gets each invoice or problem as a few short lines
instead (docs/decisions.md, "The run summary on a narrow screen").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from sheetbill.domain.model import Invoice, Problem
from sheetbill.domain.money import is_currency
from sheetbill.domain.payments import Match, Transaction
from sheetbill.domain.wording import amount_text, counted
from sheetbill.planning.reconciliation import (
    CurrencyTotals,
    Part,
    ReconciledRow,
    part_of,
)

if TYPE_CHECKING:
    from sheetbill.usecases.payments_import import ImportResult
    from sheetbill.usecases.payments_report import PaymentsReport

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


def problem_data(problem: Problem) -> dict[str, Any]:
    """A problem as `--json` shows it (every command's, one shape)."""
    return {
        "code": problem.code.value,
        "severity": problem.severity.value,
        "tab": problem.tab,
        "row": problem.row,
        "column": problem.column,
        "value": problem.value,
        "problem": problem.problem,
        "fix": problem.fix,
    }


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


# -- payments --------------------------------------------------------------------------

# How many payments an import lists, and open rows a report lists, in text (all are in
# --json).
PAYMENTS_SHOWN = 30
# Characters a terminal would obey rather than show, in text from a bank file or a
# cell: control characters (an escape sequence recolours or rewrites the screen) and
# the bidirectional overrides and isolates (they reorder what is shown).
_OBEYED = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def shown_text(text: str) -> str:
    """Text from a bank file or a cell as one printable line: white space as one
    space, every other character a terminal would obey written out (`\\x1b`)."""
    return _OBEYED.sub(_written_out, " ".join(text.split()))


def _written_out(found: re.Match[str]) -> str:
    code = ord(found[0])
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def print_payments_report(console: Console, report: PaymentsReport) -> None:
    """Per currency the bank total and its parts, then each row open at month end."""
    done = report.reconciliation
    year, month = done.month
    name = f"{year:04d}-{month:02d}"
    console.print(
        f"{report.workbook}: payments dated {name} "
        f"({done.first_day} to {done.last_day})",
        markup=False,
    )
    if not report.has_payments_tab:
        console.print(
            "The workbook has no Payments tab: nothing to reconcile (sheetbill init "
            "adds it).",
            markup=False,
        )
    elif not done.currencies:
        console.print(f"No Payments row is dated {name}.")
    for totals in done.currencies:
        for line in currency_lines(totals):
            console.print(line, markup=False)
    print_open_payments(console, report)
    if report.recorded_open is not None:
        console.print(
            f"The last run of {name} left {counted(report.recorded_open, 'payment')} "
            "for a person (kept for the metrics).",
            markup=False,
        )
    if report.problems:
        print_problem_list(
            console,
            f"{counted(len(report.problems), 'problem')} in the Payments tab (a row "
            "whose Date or Amount cannot be read is in no total)",
            report.problems,
        )


def currency_lines(totals: CurrencyTotals) -> list[str]:
    """One currency's totals as aligned lines, the statuses behind each part."""
    currency = totals.currency
    parts = (
        ("bank total", totals.bank, ()),
        ("matched", totals.matched, (Part.MATCHED,)),
        ("unmatched", totals.unmatched, (Part.UNMATCHED,)),
        ("exceptions", totals.exceptions, (Part.EXCEPTION,)),
    )
    amounts = [amount_text(tally.total, currency) for _, tally, _ in parts]
    difference = amount_text(totals.difference, currency)
    width = max(len(a) for a in (*amounts, difference))
    lines = []
    for (label, tally, of_part), amount in zip(parts, amounts, strict=True):
        statuses = [
            f"{t.count} {status or 'not matched yet'}"
            for status, t in totals.by_status.items()
            if of_part and part_of(status) in of_part
        ]
        detail = f": {', '.join(statuses)}" if len(statuses) > 1 else ""
        lines.append(
            f"{currency:<4} {label:<11} {amount:>{width}}  "
            f"{counted(tally.count, 'row')}{detail}"
        )
    lines.append(
        f"{currency:<4} {'difference':<11} {difference:>{width}}  "
        "(bank total less matched: still to explain)"
    )
    return lines


def print_open_payments(console: Console, report: PaymentsReport) -> None:
    """The month's rows still open, then those of earlier months (the month's own
    first: a long list is cut at PAYMENTS_SHOWN)."""
    done = report.reconciliation
    rows = (*done.open, *done.carried)
    if not rows:
        if done.currencies:
            console.print("Nothing open at month end.")
        return
    earlier = f", {len(done.carried)} from earlier months" if done.carried else ""
    console.print(
        f"Open at month end: {counted(len(rows), 'row')} "
        f"({len(done.open)} of this month{earlier}):"
    )
    for n, row in enumerate(rows[:PAYMENTS_SHOWN]):
        if n == len(done.open):
            console.print("  Still open from earlier months:")
        console.print(f"  {open_payment_text(row)}", markup=False)
    if len(rows) > PAYMENTS_SHOWN:
        console.print(f"  ... and {len(rows) - PAYMENTS_SHOWN} more (see --json)")


def open_payment_text(row: ReconciledRow) -> str:
    """A row open at month end in one line: where, what, and its status and note."""
    where = f"Payments row {row.row}" + (f" ({row.row_id})" if row.row_id else "")
    what = amount_text(row.amount, row.currency)
    if row.payer:
        what += f" from {row.payer}"
    if row.reference:
        what += f', "{row.reference}"'
    status = row.status or "not matched yet (the next sheetbill run matches it)"
    note = f" — {row.note}" if row.note else ""
    return shown_text(f"{where}, {row.booked}: {what}: {status}{note}")


def with_matches(result: ImportResult) -> list[tuple[Transaction, Match | None]]:
    """Each payment added with what matching makes of it (None when the result
    says nothing of it)."""
    matches: list[Match | None] = list(result.matches)
    matches += [None] * (len(result.added) - len(matches))
    return list(zip(result.added, matches, strict=False))


def print_payments_import(console: Console, result: ImportResult) -> None:
    """Each payment added with its predicted match and evidence, what was not added
    and why, and the invoices' statuses once the next run applies the matches."""
    added = result.added
    verb = "would be added" if result.is_dry_run else "added"
    source = f"{result.file} ({result.format})"
    if added:
        console.print(
            f"{source}: {counted(len(added), 'payment')} {verb} to the Payments tab "
            f"of {result.workbook}:",
            markup=False,
        )
    else:
        console.print(f"{source}: no new payment for {result.workbook}.", markup=False)
    for tx, match in with_matches(result)[:PAYMENTS_SHOWN]:
        for line in payment_lines(tx, match):
            console.print(line, markup=False)
    if len(added) > PAYMENTS_SHOWN:
        console.print(f"  ... and {len(added) - PAYMENTS_SHOWN} more (see --json)")
    if result.already:
        console.print(
            f"{counted(result.already, 'payment')} already in the workbook or "
            "imported before: not added again.",
        )
    for reason in result.left_out:
        console.print(f"Not imported: {shown_text(reason)}", markup=False)
    if result.statuses:
        statuses = ", ".join(f"{n} {s}" for n, s in sorted(result.statuses.items()))
        console.print(
            f"Invoices once the matches apply: {shown_text(statuses)}.", markup=False
        )
    if result.is_dry_run:
        console.print("Nothing was changed (dry run).")
    elif added:
        console.print("The next sheetbill run applies the matches.")


def payment_lines(tx: Transaction, match: Match | None) -> list[str]:
    """A payment added: its date, amount, payer and reference; then what matching
    makes of it and its evidence; then each candidate not taken and why."""

    def money(amount: Decimal) -> str:
        if is_currency(tx.currency):
            return amount_text(amount, tx.currency)
        return f"{amount:,}"

    line = f"  {tx.booked}  {money(tx.amount)}"
    if tx.payer:
        line += f"  {shown_text(tx.payer)}"
    if tx.reference:
        line += f'  "{shown_text(tx.reference)}"'
    if tx.fee is not None:
        net = "" if tx.net is None else f", net {money(tx.net)}"
        line += f"  (fee {money(tx.fee)}{net})"
    lines = [line]
    if match is None:
        return lines
    invoices = ", ".join(match.invoice_numbers)
    said = match.status.value + (f" {invoices}" if invoices else "")
    if match.rule is not None:
        said += f" by {match.rule.value}"
    if match.credit:
        said += f", {money(match.credit)} kept as credit"
    note = f": {match.note}" if match.note else ""
    lines.append(f"    → {shown_text(said + note)}")
    lines.extend(
        f"      not {shown_text(c.number)}: {shown_text(c.reason)}"
        for c in match.candidates
    )
    return lines
