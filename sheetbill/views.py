"""What the CLI prints: results of check, run and init as text tables or JSON data."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich.console import Console

from sheetbill.domain.approvals import AwaitingApproval
from sheetbill.domain.cells import format_decimal_plain, show
from sheetbill.domain.journal import EMAIL_SEND, EMAIL_SKIP
from sheetbill.domain.model import Invoice, Problem
from sheetbill.domain.money import is_currency, quantum
from sheetbill.domain.numbering import next_in_series
from sheetbill.domain.payments import Match, Transaction
from sheetbill.domain.row_ids import BILLED_ROW_ID_PREFIX
from sheetbill.domain.sheet import CellValue, WorkbookChanges, column_letters
from sheetbill.domain.waiting import WaitingRows, waiting_text
from sheetbill.domain.wording import amount_text, counted
from sheetbill.listings import (
    print_invoice_list,
    print_problem_list,
    problem_data,
    shown_text,
    with_matches,
)
from sheetbill.planning.reconciliation import ReconciledRow, Tally
from sheetbill.recurring_views import print_recurring, recurring_line_data

if TYPE_CHECKING:
    # Only named: importing the use cases would load what `explain` never needs
    # (the workbook readers), and `explain` answers at once.
    from sheetbill.usecases.explain import Event, Explanation
    from sheetbill.usecases.init import InitResult
    from sheetbill.usecases.payments_import import ImportResult
    from sheetbill.usecases.payments_report import PaymentsReport
    from sheetbill.usecases.rebuild_state import RebuildResult
    from sheetbill.usecases.results import (
        CheckResult,
        EmailLine,
        PaidLine,
        PaymentLine,
        RunResult,
    )

# The things `check` counts (CheckResult.counts, named as many), as one.
ONE = {
    "customers": "customer",
    "rates": "rate",
    "billable time entries": "billable time entry",
    "billable orders": "billable order",
    "recurring plans": "recurring plan",
}
# How many planned cells per tab a dry run lists in text (all are in --json).
CELLS_SHOWN = 12
# How many emails a run lists in text (all are in --json).
EMAILS_SHOWN = 30
# How many invoices awaiting approval a run lists in text (all are in --json).
AWAITING_SHOWN = 20


def _json_value(value: CellValue) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def invoice_data(invoice: Invoice) -> dict[str, Any]:
    return {
        "number": invoice.number,
        "customer_id": invoice.customer_id,
        "customer": invoice.customer_name,
        "currency": invoice.currency,
        "issue_date": invoice.issue_date.isoformat(),
        "due_date": invoice.due_date.isoformat(),
        "net": str(invoice.net),
        "tax": str(invoice.tax),
        "total": str(invoice.total),
        "lines": len(invoice.lines),
        "rows": len(invoice.sources),
    }


def waiting_data(waiting: Sequence[WaitingRows]) -> list[dict[str, Any]]:
    """Rows left waiting: per tab and reason, how many and the first rows."""
    return [
        {
            "tab": group.tab,
            "reason": group.reason.value,
            "count": group.count,
            "rows": list(group.rows),
        }
        for group in waiting
    ]


def print_waiting(
    console: Console, waiting: Sequence[WaitingRows], today: date
) -> None:
    if not waiting:
        return
    total = sum(group.count for group in waiting)
    console.print(f"{counted(total, 'row')} left waiting, not billed:")
    for line in waiting_text(waiting, today):
        console.print(f"  {line}")


def awaiting_data(awaiting: Sequence[AwaitingApproval]) -> list[dict[str, Any]]:
    """Invoices waiting for approval: the cell an approver writes into, and who may."""
    return [
        {
            "number": a.number,
            "tab": "Invoices",
            "row": a.row,
            "column": "Approve",
            "cell": None if a.column is None else f"{column_letters(a.column)}{a.row}",
            "approvers": list(a.approvers),
        }
        for a in awaiting
    ]


def awaiting_text(awaiting: AwaitingApproval, *, is_dry_run: bool) -> str:
    """One invoice waiting for approval: where to approve it and who may."""
    waits = "would await" if is_dry_run else "awaits"
    if awaiting.column is None:
        where = (
            f"the Invoices tab has no Approve column: add one headed Approve, then "
            f"an approver writes their name in it on row {awaiting.row}"
        )
    else:
        where = (
            "an approver writes their name in Invoices row "
            f"{awaiting.row}, column Approve ({column_letters(awaiting.column)})"
        )
    if awaiting.approvers:
        who = f"may approve: {', '.join(awaiting.approvers)}"
    else:
        who = (
            "nobody in Settings' Approvers may approve it (the list is empty, or "
            "their own work is on it, or they created it): add an approver there"
        )
    return f"{awaiting.number} {waits} approval: {where}; {who}."


def print_awaiting(
    console: Console, awaiting: Sequence[AwaitingApproval], *, is_dry_run: bool
) -> None:
    for item in awaiting[:AWAITING_SHOWN]:
        console.print(awaiting_text(item, is_dry_run=is_dry_run))
    if len(awaiting) > AWAITING_SHOWN:
        console.print(
            f"... and {len(awaiting) - AWAITING_SHOWN} more awaiting approval "
            "(Status 'awaiting approval' in the Invoices tab; all in --json)."
        )


def changes_data(changes: WorkbookChanges, *, is_cell_by_cell: bool) -> dict[str, Any]:
    """The tabs and cells a run writes; a real run reports counts per tab only (a
    month-end run writes hundreds of thousands of cells), a dry run every cell."""
    if not is_cell_by_cell:
        return {
            "new_tabs": [tab.name for tab in changes.new_tabs],
            "cell_counts": {tab: len(cells) for tab, cells in changes.writes.items()},
        }
    return {
        "new_tabs": [tab.name for tab in changes.new_tabs],
        "cells": {
            tab: [
                {
                    "cell": f"{column_letters(c.column)}{c.row}",
                    "value": _json_value(c.value),
                }
                for c in cells
            ]
            for tab, cells in changes.writes.items()
        },
    }


def run_json(result: RunResult) -> str:
    return json.dumps(
        {
            "workbook": result.workbook,
            "as_of": result.today.isoformat(),
            "time_zone": result.time_zone,
            "run_id": result.run_id,
            "dry_run": result.is_dry_run,
            "written": result.is_written,
            "invoices": [invoice_data(i) for i in result.invoices],
            "recovered_invoices": [invoice_data(i) for i in result.recovered],
            "exceptions": [problem_data(p) for p in result.open_problems],
            "exceptions_ignored": [problem_data(p) for p in result.ignored],
            "exceptions_opened": result.exceptions_opened,
            "exceptions_closed": result.exceptions_closed,
            "pdfs_rendered": result.pdfs_rendered,
            "withdrawn_numbers": list(result.withdrawn),
            "approved": dict(result.approved),
            "awaiting_approval": awaiting_data(result.awaiting_approval),
            "waiting": waiting_data(result.waiting),
            "changes": changes_data(result.changes, is_cell_by_cell=result.is_dry_run),
            "emails": [emails_data(e) for e in result.emails],
            "emails_waiting": result.emails_waiting,
            "payments": [payment_line_data(p) for p in result.payments],
            "paid": [paid_line_data(p) for p in result.paid],
            "recurring": [recurring_line_data(r) for r in result.recurring],
            "exit_code": result.exit_code,
        },
        indent=2,
        ensure_ascii=False,
    )


def check_json(result: CheckResult) -> str:
    return json.dumps(
        {
            "workbook": result.workbook,
            "as_of": result.today.isoformat(),
            "time_zone": result.time_zone,
            "counts": result.counts,
            "waiting": waiting_data(result.waiting),
            "exceptions": [problem_data(p) for p in result.open_problems],
            "exceptions_ignored": [problem_data(p) for p in result.ignored],
            "exit_code": result.exit_code,
        },
        indent=2,
        ensure_ascii=False,
    )


def print_problems(console: Console, problems: Sequence[Problem]) -> None:
    if not problems:
        console.print("No problems found.")
        return
    print_problem_list(console, counted(len(problems), "problem"), problems)


def print_check(console: Console, result: CheckResult) -> None:
    counts = ", ".join(
        counted(n, ONE.get(what, what), what) for what, n in result.counts.items()
    )
    console.print(
        f"{result.workbook} (as of {result.today} in {result.time_zone}): {counts}"
    )
    print_waiting(console, result.waiting, result.today)
    print_problems(console, result.open_problems)
    print_ignored(console, len(result.ignored))


def print_ignored(console: Console, count: int) -> None:
    if count:
        console.print(
            f"{counted(count, 'problem')} set aside (Status 'ignored' in the "
            "Exceptions tab): "
            "listed there, not counted."
        )


def print_invoices(console: Console, title: str, invoices: Sequence[Invoice]) -> None:
    print_invoice_list(console, title, invoices)


def emails_data(email: EmailLine) -> dict[str, Any]:
    return {
        "purpose": email.purpose,
        "key": email.key,
        "invoice": email.invoice,
        "to": list(email.to),
        "subject": email.subject,
        "outcome": email.outcome,
        "detail": email.detail,
    }


def payment_line_data(line: PaymentLine) -> dict[str, Any]:
    return {
        "action": line.action,
        "row_id": line.row_id,
        "row": line.row,
        "date": line.booked.isoformat(),
        "amount": line.amount,
        "invoices": list(line.invoices),
        "status": line.status,
        "match_note": line.note,
    }


def paid_line_data(line: PaidLine) -> dict[str, Any]:
    return {
        "invoice": line.number,
        "paid": line.paid,
        "balance": line.balance,
        "status": line.status,
    }


def print_payments(console: Console, result: RunResult) -> None:
    """Each payment the run applied (dry: would), with its evidence, and each
    invoice whose Paid it writes."""
    would = "would be " if result.is_dry_run else ""
    if result.payments:
        said = "would be recorded" if result.is_dry_run else "recorded"
        console.print(f"{counted(len(result.payments), 'payment')} {said}:")
        for line in result.payments[:EMAILS_SHOWN]:
            console.print(shown_text(_payment_text(line)), markup=False)
        if len(result.payments) > EMAILS_SHOWN:
            more = len(result.payments) - EMAILS_SHOWN
            console.print(f"  ... and {more} more (see --json)")
    if result.paid:
        console.print(f"Paid {would}written on {counted(len(result.paid), 'invoice')}:")
        for paid in result.paid[:EMAILS_SHOWN]:
            console.print(
                f"  {paid.number}: Paid {paid.paid}, Balance {paid.balance}, "
                f"{paid.status}",
                markup=False,
            )


def _payment_text(line: PaymentLine) -> str:
    """`  P-000003 (row 4) 2026-11-03 2,794.00 EUR: matched, INV-2026-0003: …`."""
    invoices = ", ".join(line.invoices)
    if line.action == "deleted":
        return (
            f"  {line.row_id} {line.booked} {line.amount}: deleted, taken back from "
            f"{invoices or 'no invoice'}"
        )
    how = "" if line.action == "applied" else f"{line.action}, "
    on = f", {invoices}" if invoices else ""
    note = f": {line.note}" if line.note else ""
    return (
        f"  {line.row_id} (row {line.row}) {line.booked} {line.amount}: "
        f"{how}{line.status}{on}{note}"
    )


def print_emails(console: Console, result: RunResult) -> None:
    """Every email (a dry run: every one it would send), and how many wait."""
    emails = result.emails
    if emails:
        sent = sum(e.outcome == "sent" for e in emails)
        said = "would be sent" if result.is_dry_run else f"tried, {sent} sent"
        console.print(f"{counted(len(emails), 'email')} {said}:")
        for email in emails[:EMAILS_SHOWN]:
            about = f" {email.invoice}" if email.invoice else ""
            detail = f" ({email.detail})" if email.detail else ""
            console.print(
                f"  {email.purpose}{about} to {', '.join(email.to)}: "
                f"{email.outcome}{detail}"
            )
        if len(emails) > EMAILS_SHOWN:
            console.print(f"  ... and {len(emails) - EMAILS_SHOWN} more (see --json)")
    if result.emails_waiting:
        console.print(
            f"{counted(result.emails_waiting, 'email')} due but held back by "
            "\\[mail] max_per_run: they go with the next run, oldest due first."
        )


def print_run(console: Console, result: RunResult) -> None:
    created = "would be created" if result.is_dry_run else "created"
    console.print(
        f"{result.workbook}, as of {result.today} in {result.time_zone} "
        f"(run {result.run_id})"
    )
    if result.recovered:
        print_invoices(console, "Completed from an interrupted run", result.recovered)
    if result.invoices:
        print_invoices(
            console,
            f"{counted(len(result.invoices), 'invoice')} {created}",
            result.invoices,
        )
    else:
        console.print("No new invoices.")
    print_recurring(
        console, result.recurring, is_dry_run=result.is_dry_run, today=result.today
    )
    approved = "would be approved" if result.is_dry_run else "approved"
    for number, approver in result.approved.items():
        console.print(f"{number} {approved} by {approver}.")
    print_awaiting(console, result.awaiting_approval, is_dry_run=result.is_dry_run)
    print_waiting(console, result.waiting, result.today)
    print_payments(console, result)
    print_emails(console, result)
    changes = result.changes
    if result.is_dry_run:
        console.print(
            f"Would write {counted(changes.cell_count, 'cell')}"
            + (
                f", adding tabs {', '.join(t.name for t in changes.new_tabs)}"
                if changes.new_tabs
                else ""
            )
            + "; nothing was changed (dry run)."
        )
        for tab, cells in changes.writes.items():
            console.print(f"  {tab}: {counted(len(cells), 'cell')}")
            for cell in cells[:CELLS_SHOWN]:
                address = f"{column_letters(cell.column)}{cell.row}"
                console.print(f"    {address:>7} = {show(cell.value)!r}")
            if len(cells) > CELLS_SHOWN:
                console.print(
                    f"    ... and {len(cells) - CELLS_SHOWN} more (see --json)"
                )
    elif result.is_written:
        console.print(f"Wrote {counted(changes.cell_count, 'cell')} into the workbook.")
    else:
        console.print("Nothing to write: the workbook is up to date.")
    if result.pdfs_rendered:
        console.print(f"Made {counted(result.pdfs_rendered, 'PDF')}.")
    if result.withdrawn:
        console.print(
            f"Withdrawn (drawn by an interrupted run, never issued, not used again): "
            f"{', '.join(result.withdrawn)}; see the Log tab."
        )
    if result.open_problems:
        console.print(
            f"{counted(len(result.open_problems), 'open exception')} "
            f"({result.exceptions_opened} new, {result.exceptions_closed} closed): "
            "see the Exceptions tab."
        )
    elif result.exceptions_closed:
        console.print(f"{counted(result.exceptions_closed, 'exception')} closed.")
    print_ignored(console, len(result.ignored))


def init_json(result: InitResult) -> str:
    return json.dumps(
        {
            "workbook": str(result.path),
            "created": result.is_new,
            "tabs_added": list(result.tabs_added),
            "columns_added": [list(c) for c in result.columns_added],
            "settings_added": list(result.settings_added),
        },
        indent=2,
        ensure_ascii=False,
    )


def print_init(console: Console, result: InitResult) -> None:
    if result.is_new:
        console.print(
            f"Created {result.path} with tabs: {', '.join(result.tabs_added)}."
        )
    elif result.tabs_added or result.columns_added or result.settings_added:
        if result.tabs_added or result.columns_added:
            console.print(f"Added to {result.path}:", markup=False)
        if result.tabs_added:
            console.print(
                f"  {'the tab' if len(result.tabs_added) == 1 else 'the tabs'} "
                f"{', '.join(result.tabs_added)}",
                markup=False,
            )
        by_tab: dict[str, list[str]] = {}
        for tab, column in result.columns_added:
            by_tab.setdefault(tab, []).append(column)
        for tab, columns in by_tab.items():
            console.print(
                f"  in {tab}, {'the column' if len(columns) == 1 else 'the columns'} "
                f"{', '.join(columns)}",
                markup=False,
            )
        if result.settings_added:
            console.print(
                f"Added to the Settings of {result.path}, for you to fill in: "
                f"{', '.join(result.settings_added)}.",
                markup=False,
            )
    else:
        console.print(f"{result.path} already has every sheetbill tab and column.")


def rebuild_json(result: RebuildResult) -> str:
    return json.dumps(
        {
            "workbook": result.workbook,
            "state": str(result.state),
            "invoices": result.invoices,
            "billed_rows": result.billed_rows,
            "last_numbers": dict(result.counters.last_sequence),
            "last_row_id": result.counters.last_row_id,
            "skipped": list(result.skipped),
            "kept": str(result.kept) if result.kept else None,
            "pdfs_claimed": result.claimed,
        },
        indent=2,
        ensure_ascii=False,
    )


def print_rebuild(console: Console, result: RebuildResult) -> None:
    console.print(
        f"Rebuilt the state database of {result.workbook} from the workbook: "
        f"{counted(result.invoices, 'invoice')}, "
        f"{counted(result.billed_rows, 'billed row')}."
    )
    for series, last in sorted(result.counters.last_sequence.items()):
        console.print(
            f"  Next invoice number: {next_in_series(series, last)}", markup=False
        )
    next_row = result.counters.last_row_id + 1
    console.print(
        "  Next Row ID: "
        + " or ".join(f"{p}{next_row:06d}" for p in BILLED_ROW_ID_PREFIX.values())
    )
    for line in result.skipped:
        console.print(f"  Not taken: {line}")
    if result.claimed:
        console.print(f"  PDFs found and kept as the invoices' own: {result.claimed}")
    if result.kept:
        console.print(f"The state database that was there is kept as {result.kept}.")


# -- explain ---------------------------------------------------------------------------

# The fields of an email's journal details that `explain --json` shows.
EMAIL_FIELDS = (
    "purpose",
    "stage",
    "paid",
    "owner",
    "to",
    "cc",
    "subject",
    "message_id",
    "transport",
    "detail",
    "refusal",
    "reason",
)


def event_data(event: Event) -> dict[str, Any]:
    entry = event.entry
    data: dict[str, Any] = {
        "at": event.at.isoformat(),
        "what": event.what,
        "outcome": event.outcome,
        "text": event.text,
        "kind": entry.kind,
        "key": entry.key,
        "status": entry.status.value,
        "run_id": entry.run_id,
    }
    if entry.kind in (EMAIL_SEND, EMAIL_SKIP):
        data |= {k: entry.details[k] for k in EMAIL_FIELDS if k in entry.details}
    return data


def explanation_facts(explained: Explanation) -> dict[str, Any] | None:
    invoice = explained.invoice
    if invoice is None:
        return None
    return {
        "number": invoice.number,
        "kind": invoice.kind.value,
        "customer_id": invoice.customer_id,
        "customer": invoice.customer_name,
        "currency": invoice.currency,
        "total": str(invoice.total),
        "issue_date": invoice.issue_date.isoformat(),
        "due_date": invoice.due_date.isoformat(),
    }


def explain_json(explained: Explanation) -> str:
    return json.dumps(
        {
            "kind": explained.kind,
            "subject": explained.subject,
            "asked": explained.asked,
            "state": str(explained.state),
            "time_zone": explained.time_zone,
            explained.kind: explanation_facts(explained),
            "events": [event_data(e) for e in explained.events],
            "next": explained.next_step,
            "exit_code": 0,
        },
        indent=2,
        ensure_ascii=False,
    )


def print_explain(console: Console, explained: Explanation) -> None:
    """The subject, then each entry on a line (its time, what, and what came of
    it), then what comes next."""
    invoice = explained.invoice
    if invoice is None:
        console.print(
            f"{explained.subject}: no invoice is recorded under this number",
            markup=False,
        )
    else:
        console.print(
            f"{invoice.number}: {invoice.kind.value} to {invoice.customer_name} "
            f"({invoice.customer_id}), {amount_text(invoice.total, invoice.currency)}, "
            f"issued {invoice.issue_date}, due {invoice.due_date}",
            markup=False,
        )
    zone = explained.time_zone
    console.print(f"Times in {zone} (the state does not keep the Settings time zone).")
    width = max((len(e.what) for e in explained.events), default=0)
    for event in explained.events:
        at = f"{event.at:%Y-%m-%d %H:%M} {zone}"
        console.print(f"  {at}  {event.what:<{width}}  {event.text}", markup=False)
        for line in event.more:
            console.print(f"  {'':<{len(at)}}  {'':<{width}}  {line}", markup=False)
    if not any(e.entry.kind in (EMAIL_SEND, EMAIL_SKIP) for e in explained.events):
        console.print("No email of it is in the journal yet.")
    if explained.next_step is not None:
        console.print(f"Next: {explained.next_step}.", markup=False)


# -- payments --------------------------------------------------------------------------


def money_data(amount: Decimal, currency: str) -> str:
    """An amount for --json: in the currency's minor units (`1190.00`), or exact
    when it has more decimals than those (a typed `10.005 EUR` is not rounded)."""
    if not is_currency(currency):
        return format_decimal_plain(amount)
    shown = amount.quantize(quantum(currency))
    return str(shown) if shown == amount else format_decimal_plain(amount)


def tally_data(tally: Tally, currency: str) -> dict[str, Any]:
    return {"rows": tally.count, "total": money_data(tally.total, currency)}


def reconciled_row_data(row: ReconciledRow) -> dict[str, Any]:
    return {
        "row": row.row,
        "row_id": row.row_id,
        "date": row.booked.isoformat(),
        "amount": money_data(row.amount, row.currency),
        "currency": row.currency,
        "payer": row.payer,
        "reference": row.reference,
        "status": row.status,
        "part": row.part.value,
        "matched_invoice": row.matched_invoice,
        "note": row.note,
    }


def payments_report_json(report: PaymentsReport) -> str:
    done = report.reconciliation
    year, month = done.month
    return json.dumps(
        {
            "workbook": report.workbook,
            "month": f"{year:04d}-{month:02d}",
            "first_day": done.first_day.isoformat(),
            "last_day": done.last_day.isoformat(),
            "has_payments_tab": report.has_payments_tab,
            "currencies": [
                {
                    "currency": c.currency,
                    "bank": tally_data(c.bank, c.currency),
                    "matched": tally_data(c.matched, c.currency),
                    "unmatched": tally_data(c.unmatched, c.currency),
                    "exceptions": tally_data(c.exceptions, c.currency),
                    "difference": money_data(c.difference, c.currency),
                    "by_status": {
                        status: tally_data(tally, c.currency)
                        for status, tally in c.by_status.items()
                    },
                }
                for c in done.currencies
            ],
            "open": [reconciled_row_data(r) for r in done.open],
            "carried": [reconciled_row_data(r) for r in done.carried],
            "open_at_month_end": done.open_at_month_end,
            "open_exceptions_recorded": report.recorded_open,
            "problems": [problem_data(p) for p in report.problems],
            "exit_code": 0,
        },
        indent=2,
        ensure_ascii=False,
    )


def match_data(match: Match) -> dict[str, Any]:
    return {
        "status": match.status.value,
        "rule": None if match.rule is None else match.rule.value,
        "invoices": [
            {"number": a.number, "amount": str(a.amount)} for a in match.allocations
        ],
        "credit": str(match.credit),
        "customer_id": match.customer_id,
        "note": match.note,
        "candidates": [
            {"number": c.number, "reason": c.reason} for c in match.candidates
        ],
    }


def transaction_data(tx: Transaction, match: Match | None) -> dict[str, Any]:
    return {
        "date": tx.booked.isoformat(),
        "amount": str(tx.amount),
        "currency": tx.currency,
        "payer": tx.payer,
        "payer_account": tx.payer_account,
        "reference": tx.reference,
        "method": tx.method,
        "kind": tx.kind.value,
        "fee": None if tx.fee is None else str(tx.fee),
        "net": None if tx.net is None else str(tx.net),
        "payout": tx.payout,
        "transaction_id": tx.transaction_id,
        "line": tx.line,
        "match": None if match is None else match_data(match),
    }


def payments_import_json(result: ImportResult) -> str:
    return json.dumps(
        {
            "file": result.file,
            "format": result.format,
            "workbook": result.workbook,
            "dry_run": result.is_dry_run,
            "added": [transaction_data(tx, m) for tx, m in with_matches(result)],
            "already": result.already,
            "left_out": list(result.left_out),
            "statuses": dict(result.statuses),
            "exit_code": 0,
        },
        indent=2,
        ensure_ascii=False,
    )
