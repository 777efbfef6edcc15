"""The demo shop's last three months, played day by day (`make demo`).

One run as of one day shows invoices being made, not what becomes of them: the
emails, reminders as they fall due, payments matched and receipts as customers pay,
an approval, the owners' digest, recurring plans billing each period on its date.
This plays the demo workbook (`sheetbill.usecases.demo`) from 2026-09-01 to
2026-11-30. Before each step it types what a person of the shop would have typed by
then — a month's time log and orders once the month is over, an approver's name
into Approve, send into the Send cell of a plan's invoice looked over, a payment
the shop hears of by letter into the Payments tab — and imports what the shop's
bank and Stripe booked since the last run (`sheetbill payments import`), then runs
sheetbill at 09:00 that day, as the command line does, and says one line.
"""

from __future__ import annotations

import csv
import shutil
import sys
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email.parser import BytesHeaderParser
from pathlib import Path
from zoneinfo import ZoneInfo

from sheetbill.config import Config, load_config
from sheetbill.domain.mail import SendWord
from sheetbill.domain.schema import (
    INVOICE_LINES,
    INVOICES,
    ORDERS,
    PAYMENTS,
    RECURRING,
    TIME_LOG,
    InvoiceColumns,
    InvoiceLineColumns,
    PaymentColumns,
    RecurringColumns,
)
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
from sheetbill.usecases.payments_import import import_payments
from sheetbill.usecases.run import RunResult, run_billing
from sheetbill.workbook.excel import ExcelWorkbook

TEMPLATES = Path(__file__).resolve().parents[2] / "sheet_templates"
DEMO_WORKBOOK = TEMPLATES / "demo.xlsx"
# The shop's statements of each month as its bank (a Sparkasse CSV-CAMT export of
# its EUR account) and Stripe (the balance history) give them at the month's end:
# `bank-2026-10.csv`, `stripe-2026-10.csv`.
STATEMENTS = TEMPLATES / "payments"
SOURCES = ("bank", "stripe")
BOOK = "northwind-demo.xlsx"
OUTBOX = "outbox"
# Where each morning's downloads go (`downloads/2026-10-15/bank-2026-10.csv`).
DOWNLOADS = "downloads"
# The booking day's column in each kept statement, and how it writes the day.
BOOKED = {"Buchungstag": "%d.%m.%y", "Created (UTC)": "%Y-%m-%d %H:%M"}
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
class TypedPayment:
    """A customer pays the invoice it was issued on `issued` in full on `booked`, to
    an account whose statements sheetbill is not given: a person types a row into
    the Payments tab, with the Invoice No (which matching takes as it is)."""

    customer_id: str
    issued: date
    booked: date


@dataclass(frozen=True, slots=True)
class Approval:
    """An approver writes their name into the Approve cell of that invoice."""

    customer_id: str
    issued: date
    approver: str = DEMO_SETTINGS.approvers[0]


@dataclass(frozen=True, slots=True)
class Review:
    """The owner looks over the invoice a plan made on `issued` (one whose Auto Send
    is no) and writes send into its Send cell."""

    plan_id: str
    issued: date


@dataclass(frozen=True, slots=True)
class Step:
    """One day of the story: what is typed before sheetbill runs that morning."""

    day: date
    payments: tuple[TypedPayment, ...] = ()
    approvals: tuple[Approval, ...] = ()
    reviews: tuple[Review, ...] = ()


# The days each month is billed (2026-11-01 is a Sunday).
AUG, SEP, OCT = date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 2)
# Acme's maintenance retainer (`demo.RECURRING_ROWS`), left for review by Auto Send.
RETAINER = "P-001"

# Terms are 14 days (Acme, Hudson & Pike and the Bezirksamt: 30), so the invoices
# of the 1st fall due on the 15th or the 1st after. Tokyo Ramen Lab never pays:
# reminded before the due date, then firmly, then a last time; Bäckerei Schulz
# never pays either, but it opted out of reminders; Estudio Sol's email is wrong, so
# its invoices never go. Acme's August waits for approval until Maria Lopez approves
# it; Hudson & Pike's October still waits for approval at the end.
#
# The plans (`demo.RECURRING_ROWS`) bill on their own dates, before the month's
# time and orders (their numbers come first): the first run catches up one invoice
# per period since each plan's Start, in period order (INV-2026-0001 to 0006: the
# support plan's third quarter, hosting of August, the retainer's August, hosting
# of September); then each month's on the next run. The retainer's invoices wait
# for review (Auto Send no): its owner writes send on the 15th, and leaves
# October's waiting at the end. Tokyo Ramen Lab's paused plan skips its period.
#
# The payments are in the statements (`sheet_templates/payments`, imported day by
# day): Acme, Brightline and Fjord pay by transfer, naming the invoice in their own
# ways (`inv 2026 0009`, `INV2026-0023`, `RE: INV-2026-0007/ACME`; Acme names its
# hosting and retainer invoices in one transfer with others) — but Brightline's
# group pays September from its own account naming none (matched by payer and
# amount: the account is on Brightline's row). Café Lumière pays by card, Hudson &
# Pike by ACH debit (its plans' invoices of a month in one payment) and Golden Gate
# by card through Stripe, whose payouts reach the bank (each matched as a payout).
# Hudson & Pike pay August in two parts; Acme pays October in part (partially paid
# at the end); Café Lumière pays October twice, by card and by transfer (an
# over-payment, kept as credit); Golden Gate pays USD 770.00 once, naming no
# invoice, with two of 770.00 open (ambiguous: both stay open, and are reminded); a
# tax adviser's fee paid to the shop by mistake fits nothing (unmatched). Sakura's
# yen reach an account the shop gets no file of: a person types each payment with
# its Invoice No.
STEPS: tuple[Step, ...] = (
    Step(AUG),
    Step(
        date(2026, 9, 15),
        payments=(TypedPayment("C006", AUG, date(2026, 9, 14)),),
        approvals=(Approval("C001", AUG),),
        reviews=(Review(RETAINER, AUG),),
    ),
    Step(SEP),
    Step(
        date(2026, 10, 15),
        payments=(TypedPayment("C006", SEP, date(2026, 10, 13)),),
        reviews=(Review(RETAINER, SEP),),
    ),
    Step(OCT),
    Step(
        date(2026, 11, 15),
        payments=(TypedPayment("C006", OCT, date(2026, 11, 13)),),
    ),
    Step(date(2026, 11, 30)),
)


@dataclass(frozen=True, slots=True)
class StepDone:
    """One step as played: how many input rows were typed, the payments imported
    from each statement (file name, how many), and what the run did."""

    step: Step
    typed_rows: int
    result: RunResult
    imported: tuple[tuple[str, int], ...] = ()


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
        last = done[-1].step.day if done else step.day
        imported = import_statements(book, config, since=last, day=step.day, now=clock)
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
        done.append(StepDone(step, typed, result, imported))
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
    """A fresh copy of the demo workbook in `folder` with its sheetbill.toml, the
    time log and order rows not yet typed on `first_day` taken out (returned by
    tab, to be typed back in their rows later), and its Payments tab emptied (the
    story's payments come from the statements and the steps)."""
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
    emptied = {**held, PAYMENTS.name: snapshot.tables[PAYMENTS.name].rows}
    cleared = {
        tab: tuple(
            CellWrite(row.number, column, None)
            for row in rows
            for column, value in enumerate(row.cells)
            if value is not None
        )
        for tab, rows in emptied.items()
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
    """Type the step's payments into new rows of the Payments tab (Date, Amount:
    the invoice's Total, Currency, Payer, Method, Invoice No), its approvals into
    Approve and its reviews (send) into Send, as a person edits those cells (the
    rest stays as it is)."""
    if not step.payments and not step.approvals and not step.reviews:
        return
    workbook = ExcelWorkbook(book, backups=0)
    snapshot = workbook.read()
    table = snapshot.tables[INVOICES.name]
    column = {header: i for i, header in enumerate(table.headers) if header}
    plans = plans_of(snapshot.tables[INVOICE_LINES.name])
    rows = snapshot.tables[PAYMENTS.name]
    at = {header: i for i, header in enumerate(rows.headers) if header}
    below = max((r.number for r in rows.rows), default=rows.header_row)
    payments: list[CellWrite] = []
    for number, payment in enumerate(step.payments, start=below + 1):
        row = _invoice_row(table, column, plans, payment.customer_id, payment.issued)
        typed = {
            PaymentColumns.DATE: payment.booked,
            PaymentColumns.AMOUNT: row.get(column[InvoiceColumns.TOTAL]),
            PaymentColumns.CURRENCY: row.get(column[InvoiceColumns.CURRENCY]),
            PaymentColumns.PAYER: row.get(column[InvoiceColumns.CUSTOMER]),
            PaymentColumns.METHOD: "bank transfer",
            PaymentColumns.INVOICE_NO: row.get(column[InvoiceColumns.INVOICE_NO]),
        }
        payments += [CellWrite(number, at[h], value) for h, value in typed.items()]
    invoices = [
        CellWrite(
            _invoice_row(table, column, plans, a.customer_id, a.issued).number,
            column[InvoiceColumns.APPROVE],
            a.approver,
        )
        for a in step.approvals
    ]
    invoices += [
        CellWrite(
            _plan_invoice_row(table, column, plans, r.plan_id, r.issued).number,
            column[InvoiceColumns.SEND],
            SendWord.SEND.value,
        )
        for r in step.reviews
    ]
    workbook.apply(
        WorkbookChanges(
            writes={INVOICES.name: tuple(invoices), PAYMENTS.name: tuple(payments)}
        ),
        expected_version=snapshot.version,
    )


def import_statements(
    book: Path, config: Config, *, since: date, day: date, now: Callable[[], datetime]
) -> tuple[tuple[str, int], ...]:
    """What the shop does on the morning of `day`: download each statement of the
    months since the last run (`since`) as it stands that morning (`download`) and
    import it (`sheetbill payments import`). The same month's statement comes again
    at the next run, longer: what was imported is not added twice. Returns each
    file's name and how many payments it added."""
    imported: list[tuple[str, int]] = []
    month = since.replace(day=1)
    while month < day:
        for source in SOURCES:
            statement = STATEMENTS / f"{source}-{month:%Y-%m}.csv"
            path = download(statement, book.parent / DOWNLOADS / str(day), before=day)
            if path is None:
                continue
            result = import_payments(
                ExcelWorkbook(book, backups=config.backups),
                config,
                path,
                state_path=config.state_path(book),
                now=now,
            )
            imported.append((path.name, len(result.added)))
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return tuple(imported)


def download(statement: Path, folder: Path, *, before: date) -> Path | None:
    """`statement` as the bank or Stripe gives it on the morning of `before`: its
    header and the lines booked before that day, byte for byte, written into
    `folder` under the same name (None: no such statement, or nothing booked yet).
    The kept statements write one booking per line."""
    if not statement.is_file():
        return None
    header, *lines = statement.read_bytes().splitlines(keepends=True)
    delimiter = ";" if b";" in header else ","
    names = _cells(header, delimiter)
    column, form = next((names.index(n), f) for n, f in BOOKED.items() if n in names)
    kept = [
        line
        for line in lines
        # The UTC time of a Stripe line is the day as Stripe dates it (bankfiles).
        if datetime.strptime(_cells(line, delimiter)[column], form).date()  # noqa: DTZ007
        < before
    ]
    if not kept:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / statement.name
    path.write_bytes(b"".join([header, *kept]))
    return path


def _cells(line: bytes, delimiter: str) -> list[str]:
    # Dates and headers are ASCII whatever the file's encoding (the bank's is
    # Windows-1252), so any single-byte reading finds them.
    return next(csv.reader([line.decode("latin-1")], delimiter=delimiter))


def plans_of(lines: Table) -> dict[str, str]:
    """The Plan ID of each invoice a plan made, by invoice number: the Invoice Lines
    tab's Source names it (`Recurring P-001, period 2026-11-01`)."""
    number = lines.headers.index(InvoiceLineColumns.INVOICE_NO)
    source = lines.headers.index(InvoiceLineColumns.SOURCE)
    found: dict[str, str] = {}
    for row in lines.rows:
        tab, _, rest = str(row.get(source) or "").partition(" ")
        if tab == RECURRING.name and rest:
            found[str(row.get(number))] = rest.partition(",")[0]
    return found


def _issued(row: SheetRow, column: Mapping[str, int]) -> CellValue:
    day = row.get(column[InvoiceColumns.ISSUE_DATE])
    return day.date() if isinstance(day, datetime) else day


def _invoice_row(
    table: Table,
    column: Mapping[str, int],
    plans: Mapping[str, str],
    customer_id: str,
    issued: date,
) -> SheetRow:
    """The invoice of the customer's time and orders issued that day (not a plan's)."""
    for row in table.rows:
        if (
            row.get(column[InvoiceColumns.CUSTOMER_ID]) == customer_id
            and _issued(row, column) == issued
            and str(row.get(column[InvoiceColumns.INVOICE_NO])) not in plans
        ):
            return row
    raise LookupError(f"the demo made no invoice to {customer_id} on {issued}")


def _plan_invoice_row(
    table: Table,
    column: Mapping[str, int],
    plans: Mapping[str, str],
    plan_id: str,
    issued: date,
) -> SheetRow:
    for row in table.rows:
        number = str(row.get(column[InvoiceColumns.INVOICE_NO]))
        if plans.get(number) == plan_id and _issued(row, column) == issued:
            return row
    raise LookupError(f"plan {plan_id} made no invoice on {issued}")


def step_line(done: StepDone) -> str:
    """One step in one line: `2026-10-15  typed 1 payment, 1 send; imported 4
    payments from bank-2026-10.csv, 2 from stripe-2026-10.csv | no invoices made;
    P-003 skipped (paused) | sent 1 invoice, 2 reminders (-3), 4 receipts | 11
    exceptions open`."""
    step, result = done.step, done.result
    typed = [
        counted(done.typed_rows, "time log or order row") if done.typed_rows else "",
        counted(len(step.payments), "payment") if step.payments else "",
        counted(len(step.approvals), "approval") if step.approvals else "",
        counted(len(step.reviews), SendWord.SEND.value) if step.reviews else "",
    ]
    files = [(name, n) for name, n in done.imported if n]
    said = [
        f"typed {', '.join(t for t in typed if t)}" if any(typed) else "",
        "imported "
        + ", ".join(
            f"{counted(n, 'payment') if i == 0 else n} from {name}"
            for i, (name, n) in enumerate(files)
        )
        if files
        else "",
    ]
    made = (
        counted(len(result.invoices), "invoice") if result.invoices else "no invoices"
    )
    problems = len(result.open_problems)
    return (
        f"{step.day}  {'; '.join(s for s in said if s) or 'typed nothing'} | "
        f"{made} made{plans_text(result)} | sent {sent_text(result) or 'nothing'} | "
        f"{counted(problems, 'exception') if problems else 'no exceptions'} open"
    )


def plans_text(result: RunResult) -> str:
    """What the plans did in a run, after the invoices made: `, 6 by plans: P-002,
    P-004 (2), P-005 (2), P-001` in numbering order, `; P-003 skipped (paused)`."""
    billed = Counter(r.plan_id for r in result.recurring if r.action == "billed")
    skipped = sorted({r.plan_id for r in result.recurring if r.action == "skipped"})
    text = ""
    if billed:
        each = ", ".join(p if n == 1 else f"{p} ({n})" for p, n in billed.items())
        text += f", {billed.total()} by plans: {each}"
    if skipped:
        text += f"; {', '.join(skipped)} skipped (paused)"
    return text


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


def statuses(book: Path, tab: str = INVOICES.name) -> Counter[str]:
    """How many rows of the Invoices tab (or the Payments tab) show each Status."""
    table = ExcelWorkbook(book, backups=0).read().tables[tab]
    column = table.headers.index(InvoiceColumns.STATUS)
    return Counter(str(row.get(column)) for row in table.rows)


def closing_lines(folder: Path) -> list[str]:
    """What to look at after the play."""
    kinds = outbox_kinds(folder / OUTBOX)
    shown = ", ".join(_kind_text(kind, n) for kind, n in sorted(kinds.items()))
    status = ", ".join(f"{n} {s}" for s, n in statuses(folder / BOOK).most_common())
    paid = statuses(folder / BOOK, PAYMENTS.name).most_common()
    return [
        f"{folder / OUTBOX}/ holds {counted(kinds.total(), 'email')}: {shown}.",
        f"The Invoices tab of {folder / BOOK} shows: {status}.",
        f"Its Payments tab: {', '.join(f'{n} {s}' for s, n in paid)} (each with its "
        "Match Note; the exceptions also in Exceptions). The statements imported "
        f"each day are in {folder / DOWNLOADS}/.",
        *plans_lines(folder / BOOK),
        "Run its last day again by hand (nothing is written or sent the second time):",
        f"  .venv/bin/sheetbill run {folder / BOOK} --as-of {STEPS[-1].day} "
        "--allow-future",
    ]


def plans_lines(book: Path) -> list[str]:
    """What the Recurring tab's plans made: invoices by plan, the paused plans, the
    plans' invoices still waiting for a person's send; and how to ask about a plan."""
    snapshot = ExcelWorkbook(book, backups=0).read()
    made = plans_of(snapshot.tables[INVOICE_LINES.name])
    table = snapshot.tables[RECURRING.name]
    at = {header: i for i, header in enumerate(table.headers) if header}
    rows = [r for r in table.rows if r.get(at[RecurringColumns.PLAN_ID])]
    if not rows:
        return []
    ids = [str(r.get(at[RecurringColumns.PLAN_ID])) for r in rows]
    paused = [
        plan_id
        for plan_id, row in zip(ids, rows, strict=True)
        if str(row.get(at[RecurringColumns.ACTIVE])).strip().casefold() == "no"
    ]
    by_plan = Counter(made.values())
    each = ", ".join(f"{p}: {by_plan[p]}" for p in ids if by_plan[p])
    said = f"; {', '.join(paused)} paused (see the Log)" if paused else ""
    lines = [
        f"Its Recurring tab: {counted(len(ids), 'plan')} made "
        f"{counted(len(made), 'invoice')} ({each}), one per period, the first run "
        f"catching up since each plan's Start; each row shows its Next Date and "
        f"Last Invoice{said}."
    ]
    invoices = snapshot.tables[INVOICES.name]
    column = {header: i for i, header in enumerate(invoices.headers) if header}
    review = [
        str(r.get(column[InvoiceColumns.INVOICE_NO]))
        for r in invoices.rows
        if str(r.get(column[InvoiceColumns.INVOICE_NO])) in made
        and r.get(column[InvoiceColumns.STATUS]) == "draft"
    ]
    if review:
        plans = ", ".join(sorted({made[n] for n in review}))
        waits = "waits" if len(review) == 1 else "wait"
        lines.append(
            f"{', '.join(review)} ({plans}: Auto Send no) {waits} for review: "
            "write send in the Send cell."
        )
    lines.append(
        f"A plan's periods and a retainer's hours: .venv/bin/sheetbill explain "
        f"{RETAINER} {book}"
    )
    return lines


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
