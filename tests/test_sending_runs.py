"""Whole runs that send, against a real SMTP server (aiosmtpd on 127.0.0.1): each
email at most once whatever the server or the network does, every status in the
sheet (issue 14, points 2, 3, 9)."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import date
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import pytest
from mail_server import Fault, MailServer
from readback import calamine_records
from reliability.small_demo import write_small_demo
from sending_run_helpers import (
    mail_toml,
    set_setting,
    type_into_invoices,
)

from sheetbill.cli import main
from sheetbill.usecases.demo import RECURRING_ROWS

AS_OF = "2026-11-02"


@pytest.fixture
def book(tmp_path: Path, mail_server: MailServer) -> Path:
    """The small demo, sending automatically to the test's server."""
    path = tmp_path / "book.xlsx"
    write_small_demo(path)
    set_setting(path, "Send Invoices", "automatically")
    mail_toml(tmp_path, path, mail_server.port)
    return path


def run(book: Path, *more: str, as_of: str = AS_OF) -> int:
    return main(["run", str(book), "--as-of", as_of, *more])


def ids(server: MailServer) -> list[str]:
    return [str(m["Message-ID"]) for m in server.messages()]


def invoices(book: Path) -> dict[str, dict[str, object]]:
    return {str(r["Invoice No"]): r for r in calamine_records(book, "Invoices")}


def read_of(server: MailServer, number: str) -> int:
    """How many emails about `number` the server read, whatever it answered."""
    return sum(number in str(r.message["Message-ID"]) for r in server.read)


def invoice_emails(server: MailServer) -> list[str]:
    return [i for i in ids(server) if ".invoice@" in i]


def sent_by_due_date(rows: dict[str, dict[str, object]]) -> list[str]:
    """The sent invoices, those falling due first first (the plans' invoices, on
    30-day terms, fall due after today's clock allows a run)."""
    sent = [n for n, r in rows.items() if r["Status"] == "sent"]
    return sorted(sent, key=lambda n: (str(rows[n]["Due Date"]), n))


def left_for_review(book: Path) -> set[str]:
    """The invoices of plans whose Auto Send is no: drafts until a person's send."""
    by_hand = {
        f"Recurring {r['Plan ID']},"
        for r in RECURRING_ROWS
        if r.get("Auto Send") == "no"
    }
    return {
        str(r["Invoice No"])
        for r in calamine_records(book, "Invoice Lines")
        if str(r["Source"]).startswith(tuple(by_hand))
    }


def test_a_run_emails_each_invoice_once_and_a_rerun_sends_nothing(book, mail_server):
    assert run(book) == 1  # the demo's deliberate mistakes stay open
    sent = ids(mail_server)
    assert len(sent) == len(set(sent))
    made = invoice_emails(mail_server)
    assert made, "no invoice email went"
    rows = invoices(book)
    for message_id in made:
        number = message_id.removeprefix("<").split(".invoice@")[0]
        row = rows[number]
        assert row["Status"] == "sent"
        assert row["Sent At"]
    # The one over the threshold waits for approval and is not emailed.
    awaiting = [n for n, r in rows.items() if r["Status"] == "awaiting approval"]
    assert awaiting
    assert not any(a in m for a in awaiting for m in made)
    attempts = mail_server.attempts
    assert run(book) == 1
    assert mail_server.attempts == attempts


def test_every_invoice_email_carries_its_pdf_and_the_run_used_one_connection(
    book, mail_server
):
    run(book)
    for message in mail_server.messages():
        if ".invoice@" not in str(message["Message-ID"]):
            continue
        names = [part.get_filename() for part in message.iter_attachments()]
        assert any(n and n.endswith(".pdf") for n in names), names
        assert len(message.get_all("Message-ID")) == 1
    # One connection for the customers' emails, one for the digest.
    assert mail_server.connections <= 2


def test_a_refused_email_is_not_sent_again_until_its_address_changes(book, mail_server):
    mail_server.faults = [Fault.PERMANENT]
    run(book)
    refused = mail_server.read[0]
    number = refused.message["Message-ID"].removeprefix("<").split(".invoice@")[0]
    exceptions = calamine_records(book, "Exceptions")
    assert any(
        "refused" in str(e["Problem"]) and number in str(e["Problem"])
        for e in exceptions
    ), exceptions
    attempts = mail_server.attempts
    run(book)
    assert mail_server.attempts == attempts
    assert number not in " ".join(invoice_emails(mail_server))


@pytest.mark.parametrize("fault", [Fault.TEMPORARY, Fault.DROP_BEFORE_DATA])
def test_a_deferred_email_goes_with_the_next_run(book, mail_server, fault):
    mail_server.faults = [fault]
    run(book)
    went = set(invoice_emails(mail_server))
    statuses = {n: r["Status"] for n, r in invoices(book).items()}
    reviewed = left_for_review(book)
    waiting = [n for n, s in statuses.items() if s == "draft" and n not in reviewed]
    assert len(waiting) == 1, statuses
    run(book)
    again = set(invoice_emails(mail_server)) - went
    assert again == {f"<{waiting[0]}.invoice@northwind.example>"}
    assert Counter(invoice_emails(mail_server)).most_common(1)[0][1] == 1


def test_a_refused_connection_sends_nothing_and_the_next_run_sends_all(
    tmp_path, book, mail_server, closed_port
):
    mail_toml(tmp_path, book, closed_port)
    run(book)
    assert mail_server.attempts == 0
    assert all(r["Status"] != "sent" for r in invoices(book).values())
    mail_toml(tmp_path, book, mail_server.port)
    run(book)
    assert invoice_emails(mail_server)
    assert len(ids(mail_server)) == len(set(ids(mail_server)))


def test_a_connection_lost_after_the_data_needs_review_and_is_never_resent(
    book, mail_server
):
    mail_server.faults = [Fault.DROP_AFTER_DATA]
    run(book)
    lost = mail_server.read[0].message
    number = str(lost["Message-ID"]).removeprefix("<").split(".invoice@")[0]
    assert invoices(book)[number]["Status"] == "needs review"
    exceptions = calamine_records(book, "Exceptions")
    assert any(number in str(e["Problem"]) for e in exceptions)
    run(book)
    assert read_of(mail_server, number) == 1
    assert invoices(book)[number]["Status"] == "needs review"
    # A person says it did not arrive: sent once more, as a new email.
    type_into_invoices(book, {(number, "Send"): "resend"})
    run(book)
    resent = [i for i in ids(mail_server) if i.startswith(f"<{number}.invoice.resend@")]
    assert len(resent) == 1
    assert invoices(book)[number]["Status"] == "sent"
    run(book)
    assert len([i for i in ids(mail_server) if number in i]) == 1


def test_a_person_saying_sent_settles_needs_review(book, mail_server):
    mail_server.faults = [Fault.DROP_AFTER_DATA]
    run(book)
    number = (
        str(mail_server.read[0].message["Message-ID"])
        .removeprefix("<")
        .split(".invoice@")[0]
    )
    type_into_invoices(book, {(number, "Send"): "sent"})
    run(book)
    assert invoices(book)[number]["Status"] == "sent"
    assert read_of(mail_server, number) == 1


def test_a_dry_run_lists_the_emails_and_sends_nothing(book, mail_server, capsys):
    run(book, "--dry-run")
    said = capsys.readouterr().out
    assert "would be sent" in said
    assert ".invoice" in said or "invoice INV-" in said
    assert mail_server.attempts == 0
    run(book)
    assert invoice_emails(mail_server)


def test_max_per_run_holds_the_rest_for_the_next_run(tmp_path, book, mail_server):
    mail_toml(tmp_path, book, mail_server.port, max_per_run=1)
    assert run(book, "--json") == 1
    counts = [len(invoice_emails(mail_server))]
    assert counts == [1]
    while len(counts) < 20 and (len(counts) < 2 or counts[-1] > counts[-2]):
        run(book)
        counts.append(len(invoice_emails(mail_server)))
    sent = ids(mail_server)
    assert len(sent) == len(set(sent))
    assert all(after - before <= 1 for before, after in pairwise(counts)), counts
    shown = [n for n, r in invoices(book).items() if r["Status"] == "sent"]
    assert counts[-1] == len(shown) > 3, counts


def test_two_runs_at_once_send_each_email_once(book, mail_server):
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "sheetbill", "run", str(book), "--as-of", AS_OF],
            cwd=book.parent,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    for process in runs:
        process.communicate(timeout=600)
    sent = ids(mail_server)
    assert sent
    assert len(sent) == len(set(sent))


def test_a_receipt_goes_once_when_a_person_marks_an_invoice_paid(book, mail_server):
    run(book)
    rows = invoices(book)
    number = next(n for n, r in rows.items() if r["Status"] == "sent")
    type_into_invoices(book, {(number, "Paid"): Decimal(str(rows[number]["Total"]))})
    run(book, as_of="2026-11-03")
    receipts = [i for i in ids(mail_server) if f"{number}.receipt." in i]
    assert len(receipts) == 1
    assert invoices(book)[number]["Status"] == "paid"
    run(book, as_of="2026-11-04")
    assert len([i for i in ids(mail_server) if f"{number}.receipt." in i]) == 1


def test_reminders_follow_the_schedule_after_the_due_date(book, mail_server):
    run(book)
    rows = invoices(book)
    number = sent_by_due_date(rows)[0]
    due = rows[number]["Due Date"]
    assert isinstance(due, date)
    day = date.fromordinal(due.toordinal() + 8)
    run(book, as_of=day.isoformat())
    reminders = [i for i in ids(mail_server) if f"{number}.reminder." in i]
    # After the downtime only the latest due stage went: +7.
    assert reminders == [f"<{number}.reminder.+7@northwind.example>"]
    row = invoices(book)[number]
    assert row["Status"] == "overdue"
    assert str(row["Reminder Stage"]) == "+7"
    run(book, as_of=day.isoformat())
    assert len([i for i in ids(mail_server) if f"{number}.reminder." in i]) == 1


def test_switching_to_automatically_never_emails_invoices_made_before(
    book, mail_server
):
    """Upgrading a shop's workbook must not email a backlog of old invoices: only
    those made while Send Invoices says automatically go by themselves."""
    set_setting(book, "Send Invoices", "after review")
    run(book)
    assert invoice_emails(mail_server) == []
    set_setting(book, "Send Invoices", "automatically")
    run(book, as_of="2026-11-03")
    assert invoice_emails(mail_server) == []
    rows = invoices(book)
    number = next(n for n, r in rows.items() if r["Status"] == "draft")
    type_into_invoices(book, {(number, "Send"): "send"})
    run(book, as_of="2026-11-03")
    assert invoice_emails(mail_server) == [f"<{number}.invoice@northwind.example>"]


def test_a_paid_cell_sheetbill_cannot_read_is_an_exception_on_it(book, mail_server):
    run(book)
    number = next(n for n, r in invoices(book).items() if r["Status"] == "sent")
    type_into_invoices(book, {(number, "Paid"): "about half"})
    run(book, as_of="2026-11-03")
    exceptions = calamine_records(book, "Exceptions")
    assert any(
        e["Column"] == "Paid" and e["Value"] == "about half" for e in exceptions
    ), exceptions


def test_a_row_showing_another_total_gets_no_reminder(book, mail_server):
    """Its Paid may be another invoice's (two numbers swapped by hand): nothing is
    sent about it until the row shows the invoice again."""
    run(book)
    rows = invoices(book)
    number = sent_by_due_date(rows)[0]
    type_into_invoices(book, {(number, "Total"): Decimal("1.00")})
    due = rows[number]["Due Date"]
    assert isinstance(due, date)
    run(book, as_of=date.fromordinal(due.toordinal() + 8).isoformat())
    assert not [i for i in ids(mail_server) if f"{number}.reminder." in i]
    exceptions = calamine_records(book, "Exceptions")
    assert any(
        e["Column"] == "Total" and number in str(e["Problem"]) for e in exceptions
    )


class _SavedOnce:
    """An Excel workbook a person saves once while the run writes: the first write
    is refused as a changed workbook, as the real backend refuses it."""

    def __init__(self, book: Path) -> None:
        from sheetbill.workbook.excel import ExcelWorkbook

        self.inner = ExcelWorkbook(book, backups=0)
        self.path = book
        self.name = book.name
        self.saves = 1

    def read(self):  # type: ignore[no-untyped-def]
        return self.inner.read()

    def check_writable(self) -> None:
        self.inner.check_writable()

    def apply(self, changes, *, expected_version):  # type: ignore[no-untyped-def]
        from sheetbill.errors import WorkbookChangedError

        if self.saves:
            self.saves -= 1
            raise WorkbookChangedError("saved meanwhile", path=self.name)
        return self.inner.apply(changes, expected_version=expected_version)


def test_a_run_that_plans_again_still_reports_and_logs_what_it_sent(tmp_path):
    from sheetbill.config import Config
    from sheetbill.testing import MemoryMailer
    from sheetbill.usecases.run import run_billing

    book = tmp_path / "book.xlsx"
    write_small_demo(book)
    set_setting(book, "Send Invoices", "automatically")
    mailer = MemoryMailer()
    result = run_billing(
        _SavedOnce(book),  # type: ignore[arg-type]
        Config(documents=False),
        state_path=tmp_path / "book.sheetbill.sqlite",
        as_of=date(2026, 11, 2),
        is_dry_run=False,
        mailer=mailer,
    )
    assert result.replans == 1
    handed = {e.message_id for e in mailer.handed}
    assert handed
    assert {f"<{e.key}@northwind.example>" for e in result.emails} == handed
    logged = [r for r in calamine_records(book, "Log") if "sent" in str(r["Action"])]
    assert len(logged) == len(handed)


def test_a_state_rebuilt_from_the_workbook_sends_nothing_again(book, mail_server):
    """`sheetbill state rebuild` (a workbook moved without its state) takes what the
    Invoices tab shows as sent: no invoice email, reminder or receipt goes twice."""
    run(book)
    rows = invoices(book)
    sent = sent_by_due_date(rows)
    paid = sent[0]
    type_into_invoices(book, {(paid, "Paid"): Decimal(str(rows[paid]["Total"]))})
    due = rows[sent[1]]["Due Date"]
    assert isinstance(due, date)
    day = date.fromordinal(due.toordinal() + 8).isoformat()
    run(book, as_of=day)
    before = ids(mail_server)
    state = book.with_name("book.sheetbill.sqlite")
    state.unlink()
    assert main(["state", "rebuild", str(book)]) == 0
    run(book, as_of=day)
    # The owners hear of the open problems once more (the digests' record is the
    # state's alone); no customer gets anything again.
    again = [i for i in ids(mail_server) if i not in before]
    assert all(i.startswith("<digest.") for i in again), again
    after = invoices(book)
    assert after[paid]["Status"] == "paid"
    assert after[sent[1]]["Status"] == "overdue"


def test_invoices_waiting_for_a_send_column_the_tab_lacks_are_an_exception(
    book, mail_server
):
    """A workbook from before the Send column: after review would wait forever."""
    import openpyxl

    set_setting(book, "Send Invoices", "after review")
    run(book)
    workbook = openpyxl.load_workbook(book)
    sheet = workbook["Invoices"]
    for cell in sheet[1]:
        if cell.value == "Send":
            cell.value = None
    workbook.save(book)
    run(book, as_of="2026-11-03")
    exceptions = calamine_records(book, "Exceptions")
    assert any("no Send column" in str(e["Problem"]) for e in exceptions), exceptions


def test_a_reminder_of_a_partly_paid_invoice_asks_for_its_balance_in_the_qr_code(
    book, mail_server
):
    """The QR code a customer scans pays what is still open, as the text says."""
    import io

    import zxingcpp
    from PIL import Image

    run(book)
    rows = invoices(book)
    number = next(n for n in sent_by_due_date(rows) if rows[n]["Currency"] == "EUR")
    total = Decimal(str(rows[number]["Total"]))
    type_into_invoices(book, {(number, "Paid"): Decimal("100.00")})
    due = rows[number]["Due Date"]
    assert isinstance(due, date)
    run(book, as_of=date.fromordinal(due.toordinal() + 8).isoformat())
    reminder = next(
        m
        for m in mail_server.messages()
        if f"{number}.reminder." in str(m["Message-ID"])
    )
    png = next(
        p.get_content() for p in reminder.walk() if p.get_content_type() == "image/png"
    )
    (payload,) = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]
    amount = next(x for x in payload.splitlines() if x.startswith("EUR"))
    assert Decimal(amount.removeprefix("EUR")) == total - Decimal("100.00")
