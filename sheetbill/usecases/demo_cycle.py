"""The demo shop's last three months, played day by day (`make demo`).

One run as of one day shows invoices being made, not what becomes of them: the
emails, reminders as they fall due, receipts as customers pay, an approval, the
owners' digest. This plays the demo workbook (`sheetbill.usecases.demo`) from
2026-09-01 to 2026-11-30. Before each step it types what a person of the shop would
have typed by then — a month's time log and orders once the month is over, payments
into the Invoices tab's Paid column, an approver's name into Approve — then runs
sheetbill at 09:00 that day, as the command line does, and says one line.
"""

from __future__ import annotations

import shutil
import sys
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from email.parser import BytesHeaderParser
from pathlib import Path
from zoneinfo import ZoneInfo

from sheetbill.config import load_config
from sheetbill.domain.schema import INVOICES, ORDERS, TIME_LOG, InvoiceColumns
from sheetbill.domain.sheet import (
    CellValue,
    CellWrite,
    SheetRow,
    Table,
    WorkbookChanges,
)
from sheetbill.domain.wording import counted
from sheetbill.errors import SheetbillError, UsageError
from sheetbill.mail.outbox import OutboxMailer
from sheetbill.usecases.demo import DEMO_SETTINGS
from sheetbill.usecases.run import RunResult, run_billing
from sheetbill.workbook.excel import ExcelWorkbook

DEMO_WORKBOOK = Path(__file__).resolve().parents[2] / "sheet_templates" / "demo.xlsx"
BOOK = "northwind-demo.xlsx"
OUTBOX = "outbox"
# The first line of the sheetbill.toml the demo writes: a folder holding it is an
# earlier demo's, which a new play may empty.
MARK = "# Written by make demo"
# Each run starts at 09:00 in the demo Settings' Time Zone.
ZONE = ZoneInfo(DEMO_SETTINGS.timezone)
RUN_TIME = time(9, 0)
# Input tabs whose rows a person types in once the month they are dated in is over.
TYPED_MONTHLY = (TIME_LOG.name, ORDERS.name)
DATE = "Date"  # of a time log or order row


@dataclass(frozen=True, slots=True)
class Payment:
    """A customer pays the invoice it was issued on `issued`: a person types what it
    has paid so far into the Paid cell (`paid`; None: the whole Total)."""

    customer_id: str
    issued: date
    paid: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Approval:
    """An approver writes their name into the Approve cell of that invoice."""

    customer_id: str
    issued: date
    approver: str = DEMO_SETTINGS.approvers[0]


@dataclass(frozen=True, slots=True)
class Step:
    """One day of the story: what is typed before sheetbill runs that morning."""

    day: date
    payments: tuple[Payment, ...] = ()
    approvals: tuple[Approval, ...] = ()


# The days each month is billed (2026-11-01 is a Sunday).
AUG, SEP, OCT = date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 2)

# Terms are 14 days (Acme, Hudson & Pike and the Bezirksamt: 30), so the invoices
# of the 1st fall due on the 15th or the 1st after. Tokyo Ramen Lab and Golden Gate
# (from October) never pay: reminded before the due date, then firmly, then a last
# time; Bäckerei Schulz never pays either, but it opted out of reminders; Estudio
# Sol's email is wrong, so its invoices never go. Hudson & Pike pay August in two
# parts. Acme's August waits for approval until Maria Lopez approves it; Acme pays
# October in part. Hudson & Pike's October still waits for approval at the end.
STEPS: tuple[Step, ...] = (
    Step(AUG),
    Step(
        date(2026, 9, 15),
        payments=(
            Payment("C002", AUG),
            Payment("C003", AUG),
            Payment("C006", AUG),
            Payment("C007", AUG),
        ),
        approvals=(Approval("C001", AUG),),
    ),
    Step(SEP, payments=(Payment("C004", AUG, Decimal(5000)),)),
    Step(
        date(2026, 10, 15),
        payments=(
            Payment("C001", AUG),
            Payment("C005", AUG),
            Payment("C002", SEP),
            Payment("C003", SEP),
            Payment("C006", SEP),
            Payment("C007", SEP),
        ),
    ),
    Step(
        OCT,
        payments=(
            Payment("C004", AUG),
            Payment("C001", SEP),
            Payment("C004", SEP),
            Payment("C005", SEP),
        ),
    ),
    Step(
        date(2026, 11, 15),
        payments=(
            Payment("C002", OCT),
            Payment("C003", OCT),
            Payment("C006", OCT),
            Payment("C007", OCT),
            Payment("C001", OCT, Decimal(4000)),
        ),
    ),
    Step(date(2026, 11, 30)),
)


@dataclass(frozen=True, slots=True)
class StepDone:
    """One step as played: how many input rows were typed, and what the run did."""

    step: Step
    typed_rows: int
    result: RunResult


def play(
    folder: Path,
    *,
    steps: Sequence[Step] = STEPS,
    say: Callable[[str], None] = print,
) -> list[StepDone]:
    """Set up `folder` (`prepare`) and play `steps` in turn, saying one line each.
    Raises UsageError for a folder holding other files, and what a run raises."""
    book, held = prepare(folder, first_day=steps[0].day)
    config = load_config(folder / "sheetbill.toml")
    done: list[StepDone] = []
    for step in steps:
        typed = type_rows(book, held, before=step.day)
        type_payments(book, step)
        clock = shop_clock(step.day)
        result = run_billing(
            ExcelWorkbook(book, backups=config.backups),
            config,
            state_path=config.state_path(book),
            as_of=None,
            is_dry_run=False,
            # The outbox of the demo's config, dating each email by the shop's clock
            # (`wiring.mailer` would date them today).
            mailer=OutboxMailer(book.parent / config.mail.outbox, now=clock),
            now=clock,
        )
        done.append(StepDone(step, typed, result))
        say(step_line(done[-1]))
    return done


def shop_clock(day: date) -> Callable[[], datetime]:
    """The time at the shop: 09:00 of `day` there when the run starts, going on as
    the run takes real time. A run's date is the shop's, and so are the times it
    records (Sent At, the Log, the journal that later reminders count from)."""
    start = datetime.combine(day, RUN_TIME, ZONE).astimezone(UTC)
    began = datetime.now(UTC)
    return lambda: start + (datetime.now(UTC) - began)


def prepare(folder: Path, *, first_day: date) -> tuple[Path, dict[str, list[SheetRow]]]:
    """A fresh copy of the demo workbook in `folder` with its sheetbill.toml, and the
    time log and order rows not yet typed on `first_day` taken out (returned by
    tab, to be typed back in their rows later)."""
    _empty(folder)
    folder.mkdir(parents=True)
    book = folder / BOOK
    shutil.copyfile(DEMO_WORKBOOK, book)
    (folder / "sheetbill.toml").write_text(config_text(folder), encoding="utf-8")
    workbook = ExcelWorkbook(book, backups=0)
    snapshot = workbook.read()
    held: dict[str, list[SheetRow]] = {}
    for tab in TYPED_MONTHLY:
        table = snapshot.tables[tab]
        column = table.headers.index(DATE)
        held[tab] = [
            row for row in table.rows if _typed_on(row.get(column)) > first_day
        ]
    cleared = {
        tab: tuple(
            CellWrite(row.number, column, None)
            for row in rows
            for column, value in enumerate(row.cells)
            if value is not None
        )
        for tab, rows in held.items()
    }
    workbook.apply(WorkbookChanges(writes=cleared), expected_version=snapshot.version)
    return book, held


def config_text(folder: Path) -> str:
    last = STEPS[-1].day
    return f"""{MARK}; `make demo` plays it again from the start.
# Its last day again by hand writes and sends nothing (--allow-future: the
# demo's days may be ahead of this machine's clock):
#   .venv/bin/sheetbill run {folder / BOOK} --as-of {last} --allow-future
source = "{BOOK}"
backups = 5

[mail]
# Emails become .eml files in {folder / OUTBOX}/; nothing leaves this machine.
transport = "outbox"
outbox = "{OUTBOX}"
# A receipt for every payment, a part payment too (default: once paid in full).
receipts = "each payment"
"""


def _empty(folder: Path) -> None:
    if not folder.exists():
        return
    config = folder / "sheetbill.toml"
    is_demo = config.is_file() and config.read_text(encoding="utf-8").startswith(MARK)
    if any(folder.iterdir()) and not is_demo:
        raise UsageError(
            "holds files that are not an earlier demo's; name a new or empty folder",
            path=folder,
        )
    shutil.rmtree(folder)


def _typed_on(day: CellValue) -> date:
    """The day a row dated `day` is typed in: the 1st of the next month. A date
    that is no date (the demo has one) is there from the start."""
    if not isinstance(day, date):
        return date.min
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def type_rows(
    book: Path, held: Mapping[str, Sequence[SheetRow]], *, before: date
) -> int:
    """Type the held rows due by `before` back into the rows they came from (each
    once); returns how many were typed."""
    workbook = ExcelWorkbook(book, backups=0)
    snapshot = workbook.read()
    writes: dict[str, tuple[CellWrite, ...]] = {}
    for tab, rows in held.items():
        table = snapshot.tables[tab]
        column = table.headers.index(DATE)
        there = {row.number for row in table.rows}
        writes[tab] = tuple(
            CellWrite(row.number, i, value)
            for row in rows
            if _typed_on(row.get(column)) <= before and row.number not in there
            for i, value in enumerate(row.cells)
            if value is not None
        )
    changes = WorkbookChanges(writes=writes)
    if changes.is_empty:
        return 0
    workbook.apply(changes, expected_version=snapshot.version)
    return len({(tab, w.row) for tab, cells in writes.items() for w in cells})


def type_payments(book: Path, step: Step) -> None:
    """Type the step's payments into Paid and its approvals into Approve, as a
    person edits those cells (the rest of the workbook stays as it is)."""
    if not step.payments and not step.approvals:
        return
    workbook = ExcelWorkbook(book, backups=0)
    snapshot = workbook.read()
    table = snapshot.tables[INVOICES.name]
    column = {header: i for i, header in enumerate(table.headers) if header}
    writes = []
    for payment in step.payments:
        row = _invoice_row(table, column, payment.customer_id, payment.issued)
        paid = payment.paid
        writes.append(
            CellWrite(
                row.number,
                column[InvoiceColumns.PAID],
                row.get(column[InvoiceColumns.TOTAL]) if paid is None else paid,
            )
        )
    for approval in step.approvals:
        row = _invoice_row(table, column, approval.customer_id, approval.issued)
        writes.append(
            CellWrite(row.number, column[InvoiceColumns.APPROVE], approval.approver)
        )
    workbook.apply(
        WorkbookChanges(writes={INVOICES.name: tuple(writes)}),
        expected_version=snapshot.version,
    )


def _invoice_row(
    table: Table, column: Mapping[str, int], customer_id: str, issued: date
) -> SheetRow:
    for row in table.rows:
        day = row.get(column[InvoiceColumns.ISSUE_DATE])
        if isinstance(day, datetime):
            day = day.date()
        if row.get(column[InvoiceColumns.CUSTOMER_ID]) == customer_id and day == issued:
            return row
    raise LookupError(f"the demo made no invoice to {customer_id} on {issued}")


def step_line(done: StepDone) -> str:
    """One step in one line: `2026-09-15  typed 4 payments, 1 approval | no
    invoices made | sent 1 invoice, 2 reminders (-3), 4 receipts | 11 exceptions
    open`."""
    step, result = done.step, done.result
    typed = [
        counted(done.typed_rows, "time log or order row") if done.typed_rows else "",
        counted(len(step.payments), "payment") if step.payments else "",
        counted(len(step.approvals), "approval") if step.approvals else "",
    ]
    made = (
        counted(len(result.invoices), "invoice") if result.invoices else "no invoices"
    )
    problems = len(result.open_problems)
    return (
        f"{step.day}  typed {', '.join(t for t in typed if t) or 'nothing'} | "
        f"{made} made | sent {sent_text(result) or 'nothing'} | "
        f"{counted(problems, 'exception') if problems else 'no exceptions'} open"
    )


def sent_text(result: RunResult) -> str:
    """The run's emails the transport took, by kind; reminders with their stages."""
    kinds: Counter[str] = Counter()
    stages: set[str] = set()
    for email in result.emails:
        if email.outcome == "sent":
            # The summary's purpose names a reminder's stage ("reminder +7").
            kind = email.purpose.partition(" ")[0]
            kinds[kind] += 1
            if kind == "reminder":
                stages.add(email.key.rpartition(".")[2])
    parts = []
    for kind, count in kinds.items():
        part = counted(count, kind)
        if kind == "reminder":
            part += f" ({', '.join(sorted(stages, key=int))})"
        parts.append(part)
    return ", ".join(parts)


def outbox_kinds(outbox: Path) -> Counter[str]:
    """What the outbox holds, by kind of email (invoice, reminder +7, receipt,
    digest), told by each file's Message-ID: the email's key (`domain.mail`)."""
    kinds: Counter[str] = Counter()
    parser = BytesHeaderParser()
    for path in sorted(outbox.glob("*.eml")):
        with path.open("rb") as file:
            key = str(parser.parse(file)["Message-ID"]).strip("<>").rpartition("@")[0]
        kinds[_kind(key)] += 1
    return kinds


def _kind(key: str) -> str:
    """`invoice`, `reminder -3`, `receipt` or `digest` for an email's key."""
    head, _, rest = key.removesuffix(".resend").partition(".")
    if head == "digest":
        return "digest"
    purpose, _, detail = rest.partition(".")
    return f"reminder {detail}" if purpose == "reminder" else purpose


def _kind_text(kind: str, count: int) -> str:
    purpose, _, stage = kind.partition(" ")
    text = counted(count, "invoice email" if purpose == "invoice" else purpose)
    return f"{text} at stage {stage}" if stage else text


def statuses(book: Path) -> Counter[str]:
    """How many invoices of the Invoices tab show each Status."""
    table = ExcelWorkbook(book, backups=0).read().tables[INVOICES.name]
    column = table.headers.index(InvoiceColumns.STATUS)
    return Counter(str(row.get(column)) for row in table.rows)


def closing_lines(folder: Path) -> list[str]:
    """What to look at after the play."""
    kinds = outbox_kinds(folder / OUTBOX)
    shown = ", ".join(_kind_text(kind, n) for kind, n in sorted(kinds.items()))
    status = ", ".join(f"{n} {s}" for s, n in statuses(folder / BOOK).most_common())
    return [
        f"{folder / OUTBOX}/ holds {counted(kinds.total(), 'email')}: {shown}.",
        f"The Invoices tab of {folder / BOOK} shows: {status}.",
        "Run its last day again by hand (nothing is written or sent the second time):",
        f"  .venv/bin/sheetbill run {folder / BOOK} --as-of {STEPS[-1].day} "
        "--allow-future",
    ]


def main(argv: Sequence[str]) -> int:
    """`make demo`: play the story into the folder named (default demo-out)."""
    folder = Path(argv[0] if argv else "demo-out")
    try:
        play(folder)
    except SheetbillError as exc:
        print(f"sheetbill: {exc}", file=sys.stderr)
        return exc.exit_code
    print()
    for line in closing_lines(folder):
        print(line)
    return 0


# Guarded: the PDF workers' start method imports this module again.
if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
