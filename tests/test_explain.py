"""`sheetbill explain NUMBER [WORKBOOK]` (issue 14, point 8): every email of an
invoice — sent, refused, deferred, unknown, skipped and why — with its making,
approval and PDF, in date order, and what comes next, from the state alone.

Each test builds a real state database with `StateDB` and writes the journal through
`sheetbill.state.journal` as a run does (an email intended with its details before it
is handed over and settled after; a skip recorded once), then runs the command as a
user does: `main([...])` in-process, and once the installed `sheetbill` program.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from paths import ROOT

from sheetbill.cli import main
from sheetbill.config import Config
from sheetbill.domain.journal import EMAIL_SEND, EMAIL_SKIP, Intent, Status
from sheetbill.domain.mail import Purpose, SkipReason, message_id, problem_key
from sheetbill.domain.model import (
    Counters,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    SourceRow,
    TaxBreakdown,
    TaxMode,
)
from sheetbill.errors import UsageError
from sheetbill.state import StateDB
from sheetbill.state.approvals import mark_approvals_shown, record_approvals
from sheetbill.usecases.explain import invoice_number
from sheetbill.wiring import state_path

D = Decimal
NUMBER = "INV-2026-0007"
OTHER = "INV-2026-0017"
MADE = datetime(2026, 11, 2, 7, 0, 5, tzinfo=UTC)
RUN = "20261102-080005-ab12"
SENDER = "northwind.example"
SHEETBILL = Path(sys.executable).with_name("sheetbill")


def _invoice(number: str, row: int) -> Invoice:
    source = SourceRow("Time Log", row, f"T-{row:06d}", "ab12")
    line = InvoiceLine(
        1,
        "Web – Dev",
        D(10),
        "hour",
        D(100),
        D(19),
        D(1000),
        D(190),
        D(1190),
        (source,),
    )
    return Invoice(
        number=number,
        kind=InvoiceKind.INVOICE,
        customer_id="C1",
        customer_name="Alpha GmbH",
        currency="EUR",
        issue_date=date(2026, 11, 2),
        due_date=date(2026, 11, 16),
        tax_mode=TaxMode.EXCLUSIVE,
        lines=(line,),
        net=D(1000),
        tax=D(190),
        total=D(1190),
        breakdown=(TaxBreakdown(D(19), D(1000), D(190)),),
        work_complete=None,
    )


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """A workbook's path (the file is never opened) whose state holds two invoices
    as a run leaves them: drawn, PDF made, written; the first approved."""
    book = tmp_path / "shop.xlsx"
    with StateDB(state_of(book)) as state:
        state.record_pending(
            [_invoice(NUMBER, 7), _invoice(OTHER, 17)],
            after=Counters({"INV-2026": 17}, 17),
            expected=state.counters(),
            run_id=RUN,
            now=MADE,
            awaiting=[NUMBER],
        )
        record_approvals(state, {NUMBER: "Maria Lopez"}, run_id=RUN, now=MADE)
        state.record_documents(
            [(n, "hash", f"pdf/{n}.pdf") for n in (NUMBER, OTHER)],
            run_id=RUN,
            now=MADE + timedelta(seconds=20),
        )
        state.mark_written(
            [NUMBER, OTHER], run_id=RUN, now=MADE + timedelta(seconds=30)
        )
        mark_approvals_shown(state, [NUMBER], now=MADE + timedelta(seconds=30))
    return book


def state_of(book: Path) -> Path:
    return book.with_name(book.stem + ".sheetbill.sqlite")


def at(day: int, hour: int = 7, minute: int = 1) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def send(
    book: Path,
    status: Status,
    *,
    purpose: Purpose = Purpose.INVOICE,
    number: str | None = NUMBER,
    stage: int | None = None,
    when: datetime = at(2),
    server: str = "250 2.0.0 Ok: queued",
    refusal: bool = False,
    key: str | None = None,
    **more: Any,
) -> str:
    """An email as the send use case records it: intended with its details before
    it is handed over, then settled with the server's words (pending: a run stopped
    in between). Returns its key."""
    if key is None:
        key = f"{number}.{purpose.value}" + (
            f".{stage:+d}" if stage is not None else ""
        )
    details: dict[str, Any] = {
        "purpose": purpose.value,
        "invoice": number,
        "customer_id": "C1",
        "stage": stage,
        "paid": None,
        "owner": "",
        "problems": [],
        "to": ["ap@alpha.example"],
        "cc": ["boss@alpha.example"],
        "subject": f"Invoice {number} from Northwind",
        "message_id": message_id(key, SENDER),
        "envelope": "billing@northwind.example>ap@alpha.example,boss@alpha.example",
        "transport": "smtp",
        "detail": "",
        "refusal": False,
        **more,
    }
    with StateDB(state_of(book)) as state:
        entry = state.intend(Intent(EMAIL_SEND, key, details), run_id=RUN, now=when)
        if status is not Status.PENDING:
            outcome = {**details, "detail": server, "refusal": refusal}
            state.settle(entry, status, outcome, now=when + timedelta(seconds=2))
    return key


def skip(
    book: Path,
    reason: SkipReason,
    *,
    purpose: Purpose = Purpose.REMINDER,
    stage: int | None = 7,
    detail: str = "",
    when: datetime = at(3),
) -> str:
    """A decision not to send, recorded once (first seen) as the run records it."""
    staged = f".{stage:+d}" if stage is not None else ""
    key = f"{NUMBER}.{purpose.value}{staged}.{reason.value.replace(' ', '-')}"
    details = {
        "purpose": purpose.value,
        "invoice": NUMBER,
        "stage": stage,
        "reason": reason.value,
        "detail": detail,
    }
    with StateDB(state_of(book)) as state:
        entry = state.intend(Intent(EMAIL_SKIP, key, details), run_id=RUN, now=when)
        state.settle(entry, Status.DONE, now=when)
    return key


def explain_text(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["explain", *args])
    out, err = capsys.readouterr()
    return code, out, err


def explain_json(capsys, book: Path, number: str = NUMBER) -> dict[str, Any]:
    code = main(["explain", number, str(book), "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def lines_with(out: str, what: str) -> list[str]:
    """The entry lines (each starts with its time) that mention `what`; "Next:"
    when that is `what`."""
    start = what if what == "Next:" else "  2026"
    return [
        line for line in out.splitlines() if line.startswith(start) and what in line
    ]


# --- the invoice itself --------------------------------------------------------------


def test_explain_tells_the_invoice_made_approved_and_its_pdf_before_any_email(
    shop, capsys
):
    code, out, err = explain_text(capsys, NUMBER, str(shop))
    assert code == 0, err
    first, zone, made, approved, pdf, *rest = out.splitlines()
    assert first == (
        f"{NUMBER}: invoice to Alpha GmbH (C1), 1,190.00 EUR, issued 2026-11-02, "
        "due 2026-11-16"
    )
    assert "UTC" in zone
    assert made.split() == [
        "2026-11-02", "07:00", "UTC", "invoice", "made:", "C1:", "1", "line,",
        "total", "1,190.00", "EUR",
    ]  # fmt: skip
    assert approved.endswith("approved by Maria Lopez")
    assert pdf.split()[3:] == ["PDF", "made:", f"{NUMBER}.pdf"]
    assert rest == ["No email of it is in the journal yet."]


def test_explain_tells_an_invoice_a_stopped_run_left_and_a_number_withdrawn(
    tmp_path, capsys
):
    """A run drew INV-2026-0001 and INV-2026-0002 and stopped before writing; the
    next withdrew the second (its rows were gone)."""
    book = tmp_path / "shop.xlsx"
    first, second = _invoice("INV-2026-0001", 1), _invoice("INV-2026-0002", 2)
    with StateDB(state_of(book)) as state:
        state.record_pending(
            [first, second],
            after=Counters({"INV-2026": 2}, 2),
            expected=state.counters(),
            run_id=RUN,
            now=MADE,
        )
        state.record_pending(
            [],
            after=state.counters(),
            expected=state.counters(),
            run_id=RUN,
            now=at(3),
            withdrawn={second.number: "its rows were deleted"},
        )
    data = explain_json(capsys, book, "inv-2026-0001")
    assert [(e["outcome"], e["text"]) for e in data["events"]] == [
        (
            "being made",
            "being made: a run stopped before its rows were written; the next run "
            "completes it",
        )
    ]
    data = explain_json(capsys, book, "INV-2026-0002")
    assert data["invoice"] is None
    assert [(e["outcome"], e["text"]) for e in data["events"]] == [
        (
            "not made",
            "its number was drawn, its invoice never written into the workbook",
        ),
        ("withdrawn", "number withdrawn: its rows were deleted"),
    ]
    code, out, _ = explain_text(capsys, "INV-2026-0002", str(book))
    assert code == 0
    assert out.startswith("INV-2026-0002: no invoice is recorded under this number\n")


def test_explain_json_has_the_invoice_and_its_entries(shop, capsys):
    data = explain_json(capsys, shop)
    assert data["kind"] == "invoice" and data["subject"] == NUMBER
    assert data["invoice"]["total"] == "1190" and data["invoice"]["currency"] == "EUR"
    assert data["time_zone"] == "UTC" and data["next"] is None
    assert [(e["kind"], e["outcome"]) for e in data["events"]] == [
        ("invoice.write", "made"),
        ("invoice.approve", "approved"),
        ("pdf.write", "pdf made"),
    ]
    assert data["events"][0]["at"] == "2026-11-02T07:00:05+00:00"
    assert data["events"][0]["run_id"] == RUN
    assert data["exit_code"] == 0


# --- each outcome of an email --------------------------------------------------------

OUTCOMES = {
    # status, refusal, server words -> outcome, words shown, what comes next
    "sent": (Status.DONE, False, "250 2.0.0 Ok: queued", "sent",
             "sent to ap@alpha.example (cc boss@alpha.example)", None),
    "refused": (Status.FAILED, True, "550 5.1.1 <ap@alpha.example>: no such user",
                "refused",
                "refused by the server: 550 5.1.1 <ap@alpha.example>: no such user",
                "is not sent again until the address it went to"),
    "deferred": (Status.FAILED, False, "421 4.7.0 try again later", "deferred",
                 "not sent, will be tried again on the next run: 421 4.7.0 try "
                 "again later", "the invoice email is tried again on the next run"),
    "unknown": (Status.UNKNOWN, False, "connection lost after the data",
                "needs review",
                "needs review — may or may not have arrived: connection lost after "
                "the data: write sent (it arrived) or resend in its Send cell",
                "its invoice email needs review"),
    "pending": (Status.PENDING, False, "", "needs review",
                "needs review — a run stopped (or is still running) while handing "
                "it over", "its invoice email needs review"),
}  # fmt: skip


@pytest.mark.parametrize("name", OUTCOMES)
def test_explain_tells_each_outcome_of_an_invoice_email_in_plain_words(
    shop, capsys, name
):
    status, refusal, server, outcome, words, after = OUTCOMES[name]
    key = send(shop, status, server=server, refusal=refusal)
    code, out, err = explain_text(capsys, NUMBER, str(shop))
    assert code == 0, err
    (line,) = lines_with(out, "invoice email")
    assert words in line
    assert line.split()[:3] == ["2026-11-02", "07:01", "UTC"]
    subject_line = out.splitlines()[out.splitlines().index(line) + 1]
    assert f'subject "Invoice {NUMBER} from Northwind"' in subject_line
    assert message_id(key, SENDER) in subject_line
    next_lines = lines_with(out, "Next:")
    if after is None:
        assert not next_lines
    else:
        (next_line,) = next_lines
        assert after in next_line and out.rstrip().endswith(next_line)
    event = explain_json(capsys, shop)["events"][-1]
    assert event["outcome"] == outcome and event["key"] == key
    assert event["what"] == "invoice email" and event["status"] == status.value
    assert event["to"] == ["ap@alpha.example"] and event["cc"] == ["boss@alpha.example"]
    assert event["message_id"] == message_id(key, SENDER)
    assert event["subject"] == f"Invoice {NUMBER} from Northwind"
    assert event["refusal"] is refusal
    assert event["detail"] == server


def test_explain_an_email_filed_in_the_outbox_says_so(shop, capsys):
    send(shop, Status.DONE, transport="outbox", cc=[])
    _, out, _ = explain_text(capsys, NUMBER, str(shop))
    (line,) = lines_with(out, "invoice email")
    assert line.endswith("written to the outbox, to ap@alpha.example")


def test_explain_names_reminders_by_stage_receipts_by_paid_and_a_resend(shop, capsys):
    send(shop, Status.UNKNOWN, when=at(2))
    send(shop, Status.DONE, key=f"{NUMBER}.invoice.resend", when=at(4))
    send(shop, Status.DONE, purpose=Purpose.REMINDER, stage=-3, when=at(13))
    send(shop, Status.DONE, purpose=Purpose.REMINDER, stage=7, when=at(23))
    send(
        shop, Status.DONE, purpose=Purpose.RECEIPT, paid="1190.00", when=at(25),
        key=f"{NUMBER}.receipt.1190.00",
    )  # fmt: skip
    data = explain_json(capsys, shop)
    emails = [e["what"] for e in data["events"] if e["kind"] == EMAIL_SEND]
    assert emails == [
        "invoice email",
        "invoice email (sent again)",
        "reminder -3",
        "reminder +7",
        "receipt (Paid 1,190.00 EUR)",
    ]
    # The resend settled the unknown one: nothing waits for a person.
    assert data["next"] is None


# --- each reason an email was not sent -----------------------------------------------

# What comes next after each reason, when the journal can tell (words in the line).
AFTER_SKIP = {
    SkipReason.NOT_DUE: "the reminder +7 is due on 2026-11-23",
    SkipReason.ALREADY_SENT: None,
    SkipReason.PAID: "the invoice is paid",
    SkipReason.ON_HOLD: "nothing is sent while its Hold says yes",
    SkipReason.VOID: "the invoice is void",
    SkipReason.ALREADY_TODAY: "may go on a later day",
    SkipReason.LIMIT: "goes in the next run",
    SkipReason.NEEDS_REVIEW: "until a person writes sent or resend",
    SkipReason.OPTED_OUT: "Reminders is off in Customers",
    SkipReason.AWAITING_APPROVAL: "once an approver writes their name",
    SkipReason.AWAITING_SEND: "when a person writes send in its Send cell",
    SkipReason.NOT_SENT_BY_SHEETBILL: "sheetbill did not send its invoice email",
    SkipReason.NO_ADDRESS: "a valid Email in Customers",
    SkipReason.REFUSED: "is not sent again until the address",
    SkipReason.CREDIT_NOTE: "it is a credit note",
    SkipReason.NO_DOCUMENT: "once its PDF is made",
    SkipReason.ROW_DIFFERS: "shows its own Total, Due Date and Currency again",
}


@pytest.mark.parametrize("reason", list(SkipReason))
def test_explain_tells_each_skip_reason_and_what_comes_next(shop, capsys, reason):
    detail = {
        SkipReason.NOT_DUE: "2026-11-23",
        SkipReason.LIMIT: "max_per_run = 200",
    }.get(reason, "")
    key = skip(shop, reason, detail=detail)
    code, out, err = explain_text(capsys, NUMBER, str(shop))
    assert code == 0, err
    (line,) = lines_with(out, "reminder +7")
    expected = {
        SkipReason.NOT_DUE: "skipped: stage not yet due (next on 2026-11-23)",
        SkipReason.LIMIT: "skipped: limit reached (max_per_run = 200)",
    }.get(reason, f"skipped: {reason.value}")
    assert line.split()[:3] == ["2026-11-03", "07:01", "UTC"]
    assert line.endswith(expected)
    data = explain_json(capsys, shop)
    event = data["events"][-1]
    assert event["kind"] == EMAIL_SKIP and event["key"] == key
    assert event["outcome"] == "skipped" and event["reason"] == reason.value
    assert event["detail"] == detail and event["stage"] == 7
    after = AFTER_SKIP[reason]
    if after is None:
        assert data["next"] is None and "Next:" not in out
    else:
        assert after in data["next"]
        assert data["next"].endswith("(as the journal stood on 2026-11-03)")
        assert out.splitlines()[-1] == f"Next: {data['next']}."


def test_explain_a_stage_not_yet_due_with_more_words_keeps_them(shop, capsys):
    skip(shop, SkipReason.NOT_DUE, stage=14, detail="due on 2026-11-30")
    data = explain_json(capsys, shop)
    assert (
        data["events"][-1]["text"] == "skipped: stage not yet due (due on 2026-11-30)"
    )
    assert data["next"].startswith("the reminder +14 is due on 2026-11-30")


def test_explain_a_reason_it_does_not_know_reads_as_recorded(shop, capsys):
    with StateDB(state_of(shop)) as state:
        state.intend(
            Intent(
                EMAIL_SKIP,
                f"{NUMBER}.receipt.moon-phase",
                {"purpose": "receipt", "invoice": NUMBER, "reason": "moon phase"},
            ),
            run_id=RUN,
            now=at(5),
        )
    data = explain_json(capsys, shop)
    assert data["events"][-1]["text"] == "skipped: moon phase"
    assert data["events"][-1]["what"] == "receipt"
    assert data["next"] is None


# --- the whole story, in date order --------------------------------------------------


def test_explain_lists_every_entry_in_date_order_whatever_order_they_were_written(
    shop, capsys
):
    """The journal keeps one entry per key, in the order first recorded; the
    reminder +7 skipped on the 3rd (not yet due) was sent on the 23rd, after a
    reminder -3 recorded later in the file but sent earlier."""
    skip(shop, SkipReason.NOT_DUE, stage=7, detail="2026-11-23", when=at(3))
    send(shop, Status.DONE, purpose=Purpose.REMINDER, stage=7, when=at(23))
    send(shop, Status.DONE, when=at(2))
    send(shop, Status.DONE, purpose=Purpose.REMINDER, stage=-3, when=at(13, 23, 59))
    skip(shop, SkipReason.PAID, stage=14, when=at(30))
    code, out, _ = explain_text(capsys, NUMBER, str(shop))
    assert code == 0
    shown = [
        " ".join(line.split()[:5])
        for line in out.splitlines()
        if line.startswith("  2026")
    ]
    assert shown == [
        "2026-11-02 07:00 UTC invoice made:",
        "2026-11-02 07:00 UTC invoice approved",
        "2026-11-02 07:00 UTC PDF made:",
        "2026-11-02 07:01 UTC invoice email",
        "2026-11-03 07:01 UTC reminder +7",
        "2026-11-13 23:59 UTC reminder -3",
        "2026-11-23 07:01 UTC reminder +7",
        "2026-11-30 07:01 UTC reminder +14",
    ]
    assert out.splitlines()[-1].startswith("Next: no more reminders: the invoice is")


def test_explain_an_email_that_needs_review_holds_the_next_step_whatever_came_after(
    shop, capsys
):
    send(shop, Status.UNKNOWN, when=at(2))
    skip(shop, SkipReason.NOT_DUE, stage=7, detail="2026-11-23", when=at(10))
    data = explain_json(capsys, shop)
    assert data["next"].startswith("its invoice email needs review")


def test_explain_shows_times_recorded_in_another_zone_or_none_in_utc(shop, capsys):
    berlin = timezone(timedelta(hours=1))
    send(shop, Status.DONE, when=datetime(2026, 11, 2, 9, 30, tzinfo=berlin))
    send(
        shop, Status.DONE, purpose=Purpose.REMINDER, stage=7,
        when=datetime(2026, 11, 23, 6, 0),  # a record without a zone
    )  # fmt: skip
    _, out, _ = explain_text(capsys, NUMBER, str(shop))
    assert lines_with(out, "invoice email")[0].split()[:3] == [
        "2026-11-02", "08:30", "UTC"
    ]  # fmt: skip
    assert lines_with(out, "reminder +7")[0].split()[:3] == [
        "2026-11-23", "06:00", "UTC"
    ]  # fmt: skip


# --- only this invoice's emails, and digests that told of it -------------------------


def test_explain_leaves_out_other_invoices_emails_even_with_a_longer_number(
    shop, capsys
):
    """INV-2026-0017's emails share no key prefix with INV-2026-0007's, and a
    number that starts like another (`INV-2026-0007` in `INV-2026-00071`) is not
    taken for it."""
    send(shop, Status.DONE, number=OTHER)
    send(shop, Status.DONE, key=f"{NUMBER}1.invoice", number=f"{NUMBER}1")
    data = explain_json(capsys, shop)
    assert not [e for e in data["events"] if e["kind"] == EMAIL_SEND]


def test_explain_shows_a_digest_that_told_the_owner_of_a_problem_of_the_invoice(
    shop, capsys
):
    told = problem_key(
        "Invoices", 8, "Send", f"The invoice email of {NUMBER} may not have arrived."
    )
    other = problem_key(
        "Invoices", 9, "Send", f"The invoice email of {NUMBER}1 may not have arrived."
    )
    for owner, problems in (
        ("anna@northwind.example", [told]),
        ("bo@x.example", [other]),
    ):
        send(
            shop, Status.DONE, purpose=Purpose.DIGEST, number=None, owner=owner,
            problems=problems, to=[owner], cc=[], when=at(4),
            key=f"digest.{owner[:4]}.{len(problems)}",
        )  # fmt: skip
    data = explain_json(capsys, shop)
    digests = [e for e in data["events"] if e["what"].startswith("digest")]
    assert [d["what"] for d in digests] == ["digest to anna@northwind.example"]
    assert digests[0]["text"] == "sent to anna@northwind.example"


# --- numbers as people type them ----------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["inv-2026-0007", " INV-2026-0007 ", "Inv - 2026 - 0007", "inv 2026 0007"]
)
def test_explain_matches_a_number_in_any_case_with_spaces(shop, capsys, typed):
    data = explain_json(capsys, shop, typed)
    assert data["subject"] == NUMBER and data["asked"] == typed


@given(
    st.lists(
        st.from_regex(r"[A-Za-z]{1,4}-[0-9]{1,5}", fullmatch=True),
        min_size=1,
        max_size=8,
        unique_by=lambda n: n.casefold(),
    ),
    st.data(),
)
def test_invoice_number_finds_each_number_however_cased_and_spaced(numbers, data):
    number = data.draw(st.sampled_from(numbers))
    typed = "".join(
        data.draw(st.sampled_from([c, c.swapcase()]))
        + data.draw(st.sampled_from(["", " ", "\t"]))
        for c in number
    )
    assert invoice_number(f" {typed} ", numbers) == number


def test_invoice_number_refuses_a_number_two_invoices_could_be():
    with pytest.raises(UsageError):
        invoice_number("a10", ["A-10", "A1-0"])
    assert invoice_number("a-10", ["A-10", "A1-0"]) == "A-10"


def test_explain_an_unknown_number_says_how_to_find_numbers_and_exits_2(shop, capsys):
    for args in (["INV-2026-007", str(shop)], ["INV-2026-007", str(shop), "--json"]):
        code, out, err = explain_text(capsys, *args)
        assert code == 2 and out == ""
        assert err.count("\n") == 1
        assert "'INV-2026-007' is not an invoice number of this workbook" in err
        assert "(did you mean INV-2026-0007?)" in err
        assert "Invoice No column" in err
        assert f"the latest here: {OTHER}, {NUMBER}" in err


# --- no state, an empty one, and reading only ----------------------------------------


def test_explain_without_a_state_database_says_so_in_one_line_and_exits_2(
    tmp_path, capsys
):
    book = tmp_path / "shop.xlsx"
    code, out, err = explain_text(capsys, NUMBER, str(book))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert f"{state_of(book)}: no state database here" in err
    assert not state_of(book).exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("empty", ["zero bytes", "no invoice"])
def test_explain_with_an_empty_state_database_says_nothing_is_made_yet(
    tmp_path, capsys, empty
):
    book = tmp_path / "shop.xlsx"
    if empty == "zero bytes":
        state_of(book).write_bytes(b"")
    else:
        with StateDB(state_of(book)):
            pass
    code, _, err = explain_text(capsys, NUMBER, str(book))
    assert code == 2 and err.count("\n") == 1
    assert "holds nothing yet: no invoice has been made" in err


def test_explain_with_a_state_that_drew_no_invoice_says_none_is_made(tmp_path, capsys):
    """A state rebuilt from a workbook without invoices holds counters only."""
    book = tmp_path / "shop.xlsx"
    with StateDB(state_of(book)) as state:
        state.record_pending(
            [], after=Counters({}, 3), expected=state.counters(), run_id=RUN, now=MADE
        )
    code, _, err = explain_text(capsys, NUMBER, str(book))
    assert code == 2 and err.count("\n") == 1
    assert "no invoice has been made for it yet" in err


def test_explain_with_an_unreadable_state_database_exits_2(tmp_path, capsys):
    book = tmp_path / "shop.xlsx"
    state_of(book).write_bytes(b"not a database, " * 100)
    code, _, err = explain_text(capsys, NUMBER, str(book))
    assert code == 2 and "cannot be read" in err and err.count("\n") == 1


def test_explain_reads_only_and_answers_while_a_run_holds_the_lock(shop, capsys):
    send(shop, Status.UNKNOWN)
    state = state_of(shop)
    before = {p.name: p.read_bytes() for p in shop.parent.iterdir()}
    with StateDB(state):  # a run at work holds the lock
        code, out, _ = explain_text(capsys, NUMBER, str(shop))
    assert code == 0 and "needs review" in out
    after = {p.name: p.read_bytes() for p in shop.parent.iterdir() if p.is_file()}
    assert after == {k: v for k, v in before.items() if k in after}
    assert set(after) <= set(before)


def test_entries_keyed_under_a_prefix_are_those_whose_key_starts_with_it(tmp_path):
    keys = ["A-1.x", "A-1/y", "A-10.x", "A-1.", "A-1", "A-0.z", "A-1.\u00e9", "B"]
    with StateDB(tmp_path / "s.sqlite") as state:
        for key in keys:
            state.intend(Intent(EMAIL_SEND, key, {}), run_id=RUN, now=MADE)
        state.intend(Intent(EMAIL_SKIP, "A-1.skip", {}), run_id=RUN, now=MADE)
        found = [e.key for e in state.entries_keyed_under(EMAIL_SEND, "A-1.")]
    assert found == ["A-1.x", "A-1.", "A-1.\u00e9"]


def test_state_path_of_a_google_sheet_is_found_without_signing_in(tmp_path):
    config = Config(path=tmp_path / "sheetbill.toml")
    found = state_path(config, "gsheets://1AbCdEfGhIjKlMnOp")
    assert found == tmp_path / "gsheets-1AbCdEfGhIjKlMnOp.sheetbill.sqlite"
    assert state_path(config, str(tmp_path / "shop.xlsx")) == tmp_path / (
        "shop.sheetbill.sqlite"
    )


# --- as a user runs it --------------------------------------------------------------


def readme_explain_command(subject: str = "INV-") -> str:
    """README's `sheetbill explain` line under "Using it" whose subject starts with
    `subject` (an invoice number, else a Plan ID), comment removed."""
    section = (
        (ROOT / "README.md").read_text(encoding="utf-8").split("\n## Using it\n")[1]
    )
    (line,) = [
        line.split(" #", 1)[0].strip()
        for line in section.split("\n## ", 1)[0].splitlines()
        if line.startswith(f".venv/bin/sheetbill explain {subject}")
    ]
    return line


def test_explain_as_readme_writes_it_and_as_the_installed_program_with_json(shop):
    """README's line, run by a shell as written in a folder holding the workbook's
    state (and the .venv), and the program with --json."""
    send(shop, Status.FAILED, server="550 5.1.1 no such user", refusal=True)
    (shop.parent / ".venv").symlink_to(ROOT / ".venv")
    command = readme_explain_command()
    assert shop.name in command and NUMBER in command
    text = subprocess.run(
        ["/bin/sh", "-c", command],
        capture_output=True,
        text=True,
        cwd=shop.parent,
        check=False,
        timeout=120,
    )
    assert text.returncode == 0, text.stderr
    assert "refused by the server: 550 5.1.1 no such user" in text.stdout
    done = subprocess.run(
        [str(SHEETBILL), "explain", "inv-2026-0007", shop.name, "--json"],
        capture_output=True,
        text=True,
        cwd=shop.parent,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    data: Mapping[str, Any] = json.loads(done.stdout)
    assert data["events"][-1]["outcome"] == "refused"
    assert data["next"].startswith("the invoice email is not sent again")
