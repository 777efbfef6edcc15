"""The `sheetbill` command: parses arguments, calls one use case, prints the result.

Exit codes: 0 done, 1 done but with exceptions, 2 usage/config/unreadable workbook,
3 could not write (workbook held open, another run busy, disk).
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from sheetbill import __version__
from sheetbill.domain.payments import FORMATS
from sheetbill.errors import SheetbillError, UsageError

EXIT_OK, EXIT_EXCEPTIONS, EXIT_USAGE, EXIT_WRITE = 0, 1, 2, 3


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date like 2026-11-25"
        ) from exc


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    common = Parser(add_help=False)
    common.add_argument("--config", type=Path, help="the sheetbill.toml to use")
    common.add_argument("--json", action="store_true", help="print the result as JSON")
    common.add_argument("--debug", action="store_true", help="show tracebacks")
    parser = Parser(
        prog="sheetbill",
        description="Billing from a spreadsheet: invoices, reminders, payments.",
        epilog="Exit codes: 0 ok, 1 done with exceptions, 2 usage/config/unreadable "
        "workbook, 3 could not write.",
    )
    parser.add_argument(
        "--version", action="version", version=f"sheetbill {__version__}"
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    init = commands.add_parser(
        "init",
        parents=[common],
        help="create a starter workbook or add missing tabs",
        description="Create a workbook with every sheetbill tab, or add the tabs and "
        "columns an existing workbook lacks (nothing else in it changes).",
    )
    init.add_argument("workbook", nargs="?", metavar="PATH", help="the .xlsx file")
    init.add_argument(
        "--google",
        metavar="ID",
        help="complete an existing Google Sheet (its id or URL) instead of a file",
    )

    check = commands.add_parser(
        "check",
        parents=[common],
        help="validate a workbook; write nothing",
        description="Validate every row and list the problems. Writes nothing.",
    )
    check.add_argument("workbook", nargs="?", metavar="WORKBOOK")
    check.add_argument(
        "--as-of", type=_date, metavar="DATE", help="treat DATE as today"
    )

    run = commands.add_parser(
        "run",
        parents=[common],
        help="run a billing cycle",
        description="Create invoices from approved rows and write them back into the "
        "workbook, with every problem in the Exceptions tab; email invoices, "
        "reminders, receipts and the owners' digest as Settings and [mail] in "
        "sheetbill.toml say (each email at most once; without [mail] they are .eml "
        "files in outbox/ beside the workbook).",
    )
    run.add_argument(
        "workbook",
        nargs="?",
        metavar="WORKBOOK",
        help="an .xlsx file or gsheets://<id> (default: source in sheetbill.toml)",
    )
    run.add_argument(
        "--dry-run",
        action="store_true",
        help="show the invoices, emails and cells a run would make; change and send "
        "nothing",
    )
    run.add_argument(
        "--as-of", type=_date, metavar="DATE", help="run as if today were DATE"
    )
    run.add_argument(
        "--allow-future",
        action="store_true",
        help="let a real run use an --as-of after today (invoices dated ahead)",
    )

    explain = commands.add_parser(
        "explain",
        parents=[common],
        help="why an invoice's emails went, did not go, or wait; a recurring plan's "
        "periods",
        description="Every email of an invoice — sent, refused, waiting, skipped and "
        "why — and its making, approval and PDF, with dates, from the state "
        "database (read only; the workbook is not opened), and what comes next. "
        "For a recurring plan's Plan ID: its terms as its row says now, each period "
        "billed (on which invoice) or skipped, and what comes next (the workbook is "
        "read, nothing is written).",
        epilog="Exit codes: 0 explained, 2 a number or Plan ID this workbook does "
        "not know, no state database, or an unreadable one.",
    )
    explain.add_argument(
        "number",
        metavar="SUBJECT",
        help="an invoice number (INV-2026-0007) or a recurring plan's Plan ID (P-001)",
    )
    explain.add_argument("workbook", nargs="?", metavar="WORKBOOK")
    explain.add_argument(
        "--as-of",
        type=_date,
        metavar="DATE",
        help="a plan's next periods as of DATE (default: today)",
    )

    state = commands.add_parser(
        "state",
        help="look after the state database (numbers drawn, rows billed)",
        description="The state database beside the workbook records every number "
        "drawn and row billed.",
    )
    state_commands = state.add_subparsers(
        dest="state_command", required=True, parser_class=Parser
    )
    rebuild = state_commands.add_parser(
        "rebuild",
        parents=[common],
        help="make the state database again from the workbook",
        description="Make the state database again from the workbook's Invoices, "
        "Invoice Lines and billed rows, for a workbook moved without it, restored "
        "from a backup or copied to another machine. A state database already there "
        "is kept beside it (.replaced-DATE).",
    )
    rebuild.add_argument("workbook", nargs="?", metavar="WORKBOOK")
    _add_payments(commands, common)
    return parser


def _add_payments(commands: argparse._SubParsersAction[Parser], common: Parser) -> None:
    payments = commands.add_parser(
        "payments",
        help="import bank and processor files; reconcile a month",
        description="Payments received, in the workbook's Payments tab: import a "
        "bank statement or a Stripe/PayPal export into it, or reconcile a month.",
    )
    payment_commands = payments.add_subparsers(
        dest="payments_command", required=True, parser_class=Parser
    )
    imported = payment_commands.add_parser(
        "import",
        parents=[common],
        help="add a bank statement's or export's payments to the Payments tab",
        description="Add each payment of FILE not yet in the workbook to the "
        "Payments tab (a payment already there, or imported before, is not added "
        "again), and show which invoice matching takes it for and why. The next "
        "`sheetbill run` applies the matches (Paid, Balance, Status, receipts).",
        epilog="Exit codes: 0 imported, 2 a file it cannot import (nothing of it is "
        "added) or an unreadable workbook, 3 could not write the workbook.",
    )
    imported.add_argument(
        "file", metavar="FILE", type=Path, help="the bank or processor file"
    )
    imported.add_argument(
        "workbook",
        nargs="?",
        metavar="WORKBOOK",
        help="an .xlsx file or gsheets://<id> (default: source in sheetbill.toml)",
    )
    imported.add_argument(
        "--format",
        metavar="FMT",
        help=f"the file's format: {', '.join(FORMATS)}, or the name of a "
        "[payments.profiles.NAME] (default: found from the content)",
    )
    imported.add_argument(
        "--dry-run",
        action="store_true",
        help="show the payments it would add and their matches; change nothing",
    )
    report = payment_commands.add_parser(
        "report",
        parents=[common],
        help="a month's payments: matched, unmatched, exceptions, totals",
        description="Reconcile a month of the Payments tab, by Date: per currency "
        "the bank total (every row's Amount), the matched, unmatched and exception "
        "totals and the difference still to explain, and each row open at month "
        "end. Reads the workbook only; writes nothing.",
        epilog="Exit codes: 0 reported, 2 a month that is not YYYY-MM or an "
        "unreadable workbook.",
    )
    report.add_argument(
        "--month", required=True, metavar="YYYY-MM", help="the month, e.g. 2026-11"
    )
    report.add_argument("workbook", nargs="?", metavar="WORKBOOK")


@contextmanager
def progress_bar(console: Console, *, enabled: bool) -> Iterator[Callable[[str], None]]:
    """A spinner with the current step on a terminal; silent under cron or --json."""
    if not enabled:
        yield _no_progress
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("Starting", total=None)

        def show(step: str) -> None:
            bar.update(task, description=step)

        yield show


def _no_progress(step: str) -> None:
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    out = Console(soft_wrap=True, highlight=False)
    err = Console(stderr=True, soft_wrap=True, highlight=False)
    try:
        return _dispatch(args, out, err)
    except SheetbillError as exc:
        if args.debug:
            raise
        err.print(f"sheetbill: {exc}", markup=False)
        return exc.exit_code
    except (OSError, sqlite3.Error) as exc:
        # A safety net: adapters turn these into SheetbillErrors; one that slipped
        # through is still one line, never a traceback.
        if args.debug:
            raise
        err.print(f"sheetbill: {_io_failure(exc)}", markup=False)
        return EXIT_WRITE
    except KeyboardInterrupt:
        err.print(
            "sheetbill: interrupted; run again to complete the work", markup=False
        )
        return 130


def _io_failure(exc: OSError | sqlite3.Error) -> str:
    if isinstance(exc, sqlite3.Error):
        return f"the state database failed ({exc}); run again"
    what = f"{exc.filename}: " if exc.filename else ""
    return f"{what}could not read or write a file ({exc.strerror or exc})"


def _dispatch(args: argparse.Namespace, out: Console, err: Console) -> int:
    if args.command == "explain":
        return _explain(args, out)
    if args.command == "payments":
        return _payments(args, out)
    from sheetbill import views, wiring
    from sheetbill.config import find_config
    from sheetbill.usecases.check import check_workbook
    from sheetbill.usecases.init import complete_workbook, init_workbook
    from sheetbill.usecases.run import run_billing

    if args.command == "init":
        if args.google:
            config = find_config(args.config, None)
            initialised = complete_workbook(
                wiring.sheet_to_complete(args.google, config)
            )
        elif args.workbook is None:
            raise UsageError("name the .xlsx file to create, or --google <id>")
        else:
            initialised = init_workbook(Path(args.workbook))
        if args.json:
            print(views.init_json(initialised))
        else:
            views.print_init(out, initialised)
        return EXIT_OK

    config = find_config(args.config, args.workbook)
    workbook, state_path = wiring.open_workbook(config, args.workbook)
    if args.command == "state":
        from sheetbill.usecases.rebuild_state import rebuild_state

        rebuilt = rebuild_state(workbook, config, state_path=state_path)
        if args.json:
            print(views.rebuild_json(rebuilt))
        else:
            views.print_rebuild(out, rebuilt)
        return EXIT_OK
    if args.command == "check":
        checked = check_workbook(
            workbook, config, as_of=args.as_of, state_path=state_path
        )
        if args.json:
            print(views.check_json(checked))
        else:
            views.print_check(out, checked)
        return checked.exit_code
    uploader = wiring.pdf_uploader(workbook, config)
    mailer = wiring.mailer(config, wiring.workbook_folder(workbook, config))
    show_progress = err.is_terminal and not args.json
    with progress_bar(err, enabled=show_progress) as step:
        result = run_billing(
            workbook,
            config,
            state_path=state_path,
            uploader=uploader,
            mailer=mailer,
            as_of=args.as_of,
            is_dry_run=args.dry_run,
            progress=step,
            allow_future=args.allow_future,
        )
    if args.json:
        print(views.run_json(result))
    else:
        views.print_run(out, result)
    return result.exit_code


def _explain(args: argparse.Namespace, out: Console) -> int:
    """`explain` loads none of what the other commands need (the workbook readers,
    the run), so it answers at once."""
    from sheetbill import recurring_views, views, wiring
    from sheetbill.config import find_config
    from sheetbill.usecases.explain import explain
    from sheetbill.usecases.explain_plan import (
        PlanBook,
        PlanExplanation,
        read_plan_book,
    )

    config = find_config(args.config, args.workbook)

    def plan_book() -> PlanBook:
        workbook, _ = wiring.open_workbook(config, args.workbook)
        return read_plan_book(workbook, config, as_of=args.as_of)

    explained = explain(
        wiring.state_path(config, args.workbook), args.number, book=plan_book
    )
    if isinstance(explained, PlanExplanation):
        if args.json:
            print(recurring_views.explain_plan_json(explained))
        else:
            recurring_views.print_explain_plan(out, explained)
    elif args.json:
        print(views.explain_json(explained))
    else:
        views.print_explain(out, explained)
    return EXIT_OK


def _payments(args: argparse.Namespace, out: Console) -> int:
    from sheetbill import listings, views, wiring
    from sheetbill.config import find_config

    month = _month(args.month) if args.payments_command == "report" else None
    config = find_config(args.config, args.workbook)
    workbook, state_path = wiring.open_workbook(config, args.workbook)
    if month is not None:
        from sheetbill.usecases.payments_report import payments_report

        report = payments_report(workbook, config, month=month, state_path=state_path)
        if args.json:
            print(views.payments_report_json(report))
        else:
            listings.print_payments_report(out, report)
        return EXIT_OK
    from sheetbill.usecases.payments_import import import_payments

    imported = import_payments(
        workbook,
        config,
        args.file,
        state_path=state_path,
        format=args.format,
        is_dry_run=args.dry_run,
    )
    if args.json:
        print(views.payments_import_json(imported))
    else:
        listings.print_payments_import(out, imported)
    return EXIT_OK


def _month(text: str) -> tuple[int, int]:
    """`--month YYYY-MM` as (year, month); UsageError for anything else (`2026-13`,
    `Nov`, `2026-1`)."""
    from sheetbill.planning.reconciliation import month_days

    found = re.fullmatch(r"(\d{4})-(\d{2})", text.strip(), flags=re.ASCII)
    if found is not None:
        month = int(found[1]), int(found[2])
        try:
            month_days(month)
        except ValueError:
            pass
        else:
            return month
    raise UsageError(f"--month {text!r} is not a month like 2026-11 (YYYY-MM)")


if __name__ == "__main__":
    raise SystemExit(main())
