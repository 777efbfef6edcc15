"""Approval is judged by the state database, not by cells anyone can edit.

Whether an invoice awaits approval, who created it and whose work is on it are what
the state recorded when its number was drawn: clearing Invoice No or changing Person
on your own Time Log rows does not let you approve your own invoice, typing
"approved" into Status approves nothing (sheetbill sets it back, with a warning), and
an invoice marked Void is never approved (voiding is not built yet).

End to end on real .xlsx files through the CLI (PDFs read back with pypdf), and a
property over sequences of a person's edits between runs (a workbook in memory, no
PDFs, so that many sequences run).
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from readback import calamine_records, log_and_journal

from sheetbill.cli import main
from sheetbill.config import Config
from sheetbill.domain.journal import INVOICE_APPROVE, Status, log_line
from sheetbill.errors import WorkbookWriteError
from sheetbill.state import StateDB
from sheetbill.testing import MemoryWorkbook
from sheetbill.usecases.run import run_billing

from helpers import (
    SETTINGS_ROWS,
    TIME_HEADERS,
    small_book,
    time_row,
    write_xlsx,
)

D = Decimal
AS_OF = "2026-11-03"
FIRST = "INV-2026-0001"  # C1: Ann Berg 6 h + Tom Hale 4 h = 1,190.00, awaits approval


def shop(folder: Path, *, e_invoice: str = "none") -> Path:
    """C1's invoice (10 h at 100 = 1,190.00) needs approval; C2's (1 h) does not.
    Ann Berg, whose work is on C1's, is one of the approvers."""
    folder.mkdir()
    day = date(2026, 11, 2)
    return write_xlsx(
        folder / "shop.xlsx",
        {
            "Settings": [
                ["Key", "Value"],
                *SETTINGS_ROWS,
                ["Company Address", "Hafenstraße 12"],
                ["Company Postcode", "20457"],
                ["Company City", "Hamburg"],
                ["Contact Name", "Accounts"],
                ["Contact Phone", "+49 40 1234567"],
                ["Contact Email", "accounts@shop.example"],
                ["IBAN", "DE89 3704 0044 0532 0130 00"],
                ["Approval Threshold", 1000],
                ["Approvers", "Maria Lopez, Ann Berg"],
            ],
            "Customers": [
                [
                    *("Customer ID", "Name", "Address", "Postcode", "City", "Country"),
                    *("Language", "E-Invoice", "Buyer Reference", "Email"),
                ],
                [
                    *("C1", "Alpha GmbH", "Kai 5", "60311", "Frankfurt", "DE", "en"),
                    *(e_invoice, "04011000-12345-03", "ap@alpha.example"),
                ],
                [
                    *("C2", "Beta GmbH", "Weg 1", "10115", "Berlin", "DE", "en"),
                    *("none", "", "ap@beta.example"),
                ],
            ],
            "Rates": [["Rate", "Unit"], [100, "hour"]],
            "Time Log": [
                TIME_HEADERS,
                time_row(day, "Ann Berg", "C1", 6),
                time_row(day, "Tom Hale", "C1", 4),
                time_row(day, "Ann Berg", "C2", 1),
            ],
        },
    )


def pages(pdf: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(pdf).pages]


def edit(book: Path, tab: str, column: str, value: Any, **where: Any) -> None:
    """A person changes `column` on every row of `tab` matching `where` (by header)."""
    workbook = openpyxl.load_workbook(book)
    sheet = workbook[tab]
    headers = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if all(
            row[headers.index(k.replace("_", " "))].value == v for k, v in where.items()
        ):
            row[headers.index(column)].value = value
    workbook.save(book)


def invoice_row(book: Path, number: str) -> dict[str, Any]:
    return next(
        r for r in calamine_records(book, "Invoices") if r["Invoice No"] == number
    )


def run_json(book: Path, capsys) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    code = main(["run", str(book), "--as-of", AS_OF, "--json"])
    return code, json.loads(capsys.readouterr().out)


def approvals_logged(book: Path) -> list[str]:
    return [
        r["Detail"]
        for r in calamine_records(book, "Log")
        if r["Action"] == "invoice approved"
    ]


def state_of(book: Path) -> Path:
    return book.with_name("shop.sheetbill.sqlite")


def test_clearing_invoice_no_on_your_own_rows_does_not_let_you_approve_your_invoice(
    tmp_path, capsys
):
    book = shop(tmp_path / "shop")
    assert main(["run", str(book), "--as-of", AS_OF]) == 0
    # Ann Berg hides that the work is hers: her rows no longer show the invoice,
    # and one says someone else did it.
    edit(book, "Time Log", "Invoice No", None, Person="Ann Berg")
    edit(book, "Time Log", "Person", "Zoe Quinn", Person="Ann Berg", Hours=6)
    edit(book, "Invoices", "Approve", "Ann Berg", Invoice_No=FIRST)

    code, out = run_json(book, capsys)

    assert code == 1 and out["approved"] == {}
    refused = [p for p in out["exceptions"] if p["column"] == "Approve"]
    assert [(p["row"], p["value"]) for p in refused] == [(2, "Ann Berg")]
    assert "own work" in refused[0]["problem"]
    assert invoice_row(book, FIRST)["Status"] == "awaiting approval"
    assert all(
        "DRAFT" in text for text in pages(book.parent / "invoices" / f"{FIRST}.pdf")
    )
    assert approvals_logged(book) == []


def test_typing_approved_into_status_approves_nothing_and_is_set_back(tmp_path, capsys):
    book = shop(tmp_path / "shop", e_invoice="xrechnung")
    pdfs = book.parent / "invoices"
    assert main(["run", str(book), "--as-of", AS_OF]) == 0
    edit(book, "Invoices", "Status", "approved", Invoice_No=FIRST)
    (pdfs / f"{FIRST}.pdf").unlink()

    code, out = run_json(book, capsys)

    assert out["approved"] == {}
    [warning] = [p for p in out["exceptions"] if p["column"] == "Status"]
    assert (warning["severity"], warning["row"], warning["value"]) == (
        "warning",
        2,
        "approved",
    )
    assert "sheetbill's column" in warning["problem"]
    assert "Approve" in warning["fix"]
    assert invoice_row(book, FIRST)["Status"] == "awaiting approval"
    assert all("DRAFT" in text for text in pages(pdfs / f"{FIRST}.pdf"))
    assert not (pdfs / f"{FIRST}.xml").exists()
    assert approvals_logged(book) == []
    # Set back, the warning closes on the next run; nothing else changed.
    code, out = run_json(book, capsys)
    assert code == 0 and out["exceptions"] == []


def test_a_void_invoice_is_never_approved_and_void_is_an_exception(tmp_path, capsys):
    book = shop(tmp_path / "shop", e_invoice="xrechnung")
    pdfs = book.parent / "invoices"
    assert main(["run", str(book), "--as-of", AS_OF]) == 0
    edit(book, "Invoices", "Void", "yes", Invoice_No=FIRST)
    edit(book, "Invoices", "Void Reason", "wrong customer", Invoice_No=FIRST)
    edit(book, "Invoices", "Approve", "Maria Lopez", Invoice_No=FIRST)
    edit(book, "Invoices", "Void", "yes", Invoice_No="INV-2026-0002")  # issued

    code, out = run_json(book, capsys)

    assert code == 1 and out["approved"] == {}
    voids = {p["row"]: p for p in out["exceptions"] if p["column"] == "Void"}
    assert set(voids) == {2, 3}
    assert "does not void invoices yet" in voids[2]["problem"]
    assert "stays awaiting approval" in voids[2]["problem"]
    assert "stands as issued" in voids[3]["problem"]
    assert "credit note" in voids[3]["fix"]
    assert invoice_row(book, FIRST)["Status"] == "awaiting approval"
    assert invoice_row(book, "INV-2026-0002")["Status"] == "draft"
    assert all("DRAFT" in text for text in pages(pdfs / f"{FIRST}.pdf"))
    assert not (pdfs / f"{FIRST}.xml").exists()
    # Void taken back: the same name in Approve is then taken.
    edit(book, "Invoices", "Void", "no", Invoice_No=FIRST)
    code, out = run_json(book, capsys)
    assert out["approved"] == {FIRST: "Maria Lopez"}
    assert (pdfs / f"{FIRST}.xml").exists()


def test_an_approval_is_recorded_in_the_state_with_creator_approver_and_time(
    tmp_path, capsys
):
    book = shop(tmp_path / "shop")
    main(["run", str(book), "--as-of", AS_OF])
    edit(book, "Invoices", "Approve", "Maria Lopez", Invoice_No=FIRST)
    main(["run", str(book), "--as-of", AS_OF])
    with sqlite3.connect(state_of(book)) as db:
        status, creator, approver, at, shown = db.execute(
            "SELECT status, created_by, approved_by, approved_at, shown_at "
            "FROM approvals WHERE number = ?",
            (FIRST,),
        ).fetchone()
    with StateDB(state_of(book)) as state:
        [approval] = state.entries(kind=INVOICE_APPROVE)
    assert (status, creator, approver) == ("approved", "sheetbill", "Maria Lopez")
    assert at and shown
    assert (approval.key, approval.status) == (FIRST, Status.DONE)
    assert log_line(approval.intent) == (
        "invoice approved",
        FIRST,
        "approved by Maria Lopez; created by sheetbill",
    )
    assert approvals_logged(book) == ["approved by Maria Lopez; created by sheetbill"]
    # Once approved, the state's word stands: a Status typed back is set back.
    edit(book, "Invoices", "Status", "awaiting approval", Invoice_No=FIRST)
    _, out = run_json(book, capsys)
    assert [p["column"] for p in out["exceptions"]] == ["Status"]
    assert invoice_row(book, FIRST)["Status"] == "approved"
    assert not any(
        "DRAFT" in t for t in pages(book.parent / "invoices" / f"{FIRST}.pdf")
    )


def test_the_log_tab_shows_what_each_run_recorded_in_the_journal(tmp_path):
    """One source: the Log rows of each run are the Log lines of the journal entries
    that run recorded (invoices created, then an approval)."""
    book = shop(tmp_path / "shop")
    assert main(["run", str(book), "--as-of", AS_OF]) == 0
    edit(book, "Invoices", "Approve", "Maria Lopez", Invoice_No=FIRST)
    assert main(["run", str(book), "--as-of", AS_OF]) == 0
    runs = log_and_journal(book, state_of(book))
    assert [[action for action, _, _ in logged] for logged, _ in runs] == [
        ["invoice created", "invoice created"],
        ["invoice approved"],
    ]
    for logged, recorded in runs:
        assert logged == recorded


def test_a_state_from_before_approvals_were_recorded_learns_them_once(tmp_path, capsys):
    """An older state database: its migration adds the records; who did the work
    is learned once from the rows' Row IDs and then kept, whatever the rows say."""
    book = shop(tmp_path / "shop")
    main(["run", str(book), "--as-of", AS_OF])
    with sqlite3.connect(state_of(book)) as db:
        db.executescript(
            "DROP TABLE approvals; ALTER TABLE billed_rows DROP COLUMN person; "
            "DELETE FROM schema_migrations WHERE version = 9;"
        )
    assert main(["run", str(book), "--as-of", AS_OF]) == 0
    with sqlite3.connect(state_of(book)) as db:
        people = dict(db.execute("SELECT row_id, person FROM billed_rows"))
        statuses = dict(db.execute("SELECT number, status FROM approvals"))
    assert people == {
        "T-000001": "Ann Berg",
        "T-000002": "Tom Hale",
        "T-000003": "Ann Berg",
    }
    assert statuses == {FIRST: "awaiting approval", "INV-2026-0002": "not needed"}
    edit(book, "Time Log", "Person", "Zoe Quinn", Person="Ann Berg")
    edit(book, "Invoices", "Approve", "Ann Berg", Invoice_No=FIRST)
    _, out = run_json(book, capsys)
    assert out["approved"] == {}
    assert any("own work" in p["problem"] for p in out["exceptions"])


def test_who_worked_on_an_old_invoice_unknown_refuses_its_approval(tmp_path, capsys):
    book = shop(tmp_path / "shop")
    main(["run", str(book), "--as-of", AS_OF])
    with sqlite3.connect(state_of(book)) as db:
        db.execute("UPDATE billed_rows SET person = NULL WHERE row_id = 'T-000002'")
    edit(book, "Time Log", "Row ID", None, Row_ID="T-000002")
    edit(book, "Invoices", "Approve", "Maria Lopez", Invoice_No=FIRST)
    _, out = run_json(book, capsys)
    assert out["approved"] == {}
    [refused] = [p for p in out["exceptions"] if p["column"] == "Approve"]
    assert "T-000002" in refused["problem"] and "not known" in refused["problem"]


def test_state_rebuild_records_who_worked_and_each_invoice_approval(tmp_path):
    book = shop(tmp_path / "shop")
    main(["run", str(book), "--as-of", AS_OF])
    state_of(book).unlink()
    assert main(["state", "rebuild", str(book)]) == 0
    with sqlite3.connect(state_of(book)) as db:
        people = dict(db.execute("SELECT row_id, person FROM billed_rows"))
        statuses = dict(db.execute("SELECT number, status FROM approvals"))
    assert people == {
        "T-000001": "Ann Berg",
        "T-000002": "Tom Hale",
        "T-000003": "Ann Berg",
    }
    assert statuses == {FIRST: "awaiting approval", "INV-2026-0002": "not needed"}


# -- the kind: any sequence of a person's edits between runs ---------------------------

LISTED = ("Maria Lopez", "Ann Berg", "Tom Hale")
NAMES = (*LISTED, "maria  LOPEZ", "Zoe Quinn", "sheetbill", "")
DAY = date(2026, 11, 2)
# Time Log rows (sheet rows 2-5): who did the work, for which customer.
WORK = (
    ("Ann Berg", "C1", 6),
    ("Tom Hale", "C1", 4),
    ("Maria Lopez", "C2", 12),
    ("Zoe Quinn", "C3", 1),
)
# The invoices of the first run: number -> (Invoices row, people on it, awaits?).
INVOICES = {
    "INV-2026-0001": (2, {"ann berg", "tom hale"}, True),
    "INV-2026-0002": (3, {"maria lopez"}, True),
    "INV-2026-0003": (4, {"zoe quinn"}, False),
}


@dataclass(frozen=True)
class Edit:
    tab: str
    row: int
    column: str
    value: Any


# What a person may type into an invoice's cells between runs.
INVOICE_EDITS = {
    "Approve": NAMES,
    "Void": ("yes", "no", "", "maybe", True),
    "Status": ("approved", "Approved", "draft", "", "paid", "awaiting approval"),
    "Created By": NAMES,
}


@st.composite
def edits_between_runs(draw: st.DrawFn) -> list[Edit]:
    """Any of: a name in Approve, Void, a Status or Created By typed on any invoice;
    Invoice No cleared or Person changed on any Time Log row."""
    found = []
    for row in (2, 3, 4):
        for column, values in INVOICE_EDITS.items():
            if draw(st.booleans()):
                found.append(
                    Edit("Invoices", row, column, draw(st.sampled_from(values)))
                )
    for row in range(2, 2 + len(WORK)):
        if draw(st.booleans()):
            found.append(Edit("Time Log", row, "Invoice No", None))
        if draw(st.booleans()):
            found.append(Edit("Time Log", row, "Person", draw(st.sampled_from(NAMES))))
    return found


def _name(text: str) -> str:
    return " ".join(text.split()).casefold()


def _cell(workbook: MemoryWorkbook, tab: str, row: int, column: str) -> Any:
    headers = workbook.read().tables[tab].headers
    return workbook.cells[tab].get((row, headers.index(column)))


def _is_void(value: Any) -> bool:
    return value is True or str(value or "").strip().casefold() not in ("", "no")


def _workbook() -> MemoryWorkbook:
    customers = [
        ["C1", "Alpha GmbH", "a@alpha.example", "EUR", None],
        ["C2", "Beta GmbH", "b@beta.example", "EUR", None],
        ["C3", "Gamma GmbH", "g@gamma.example", "EUR", None],
    ]
    return MemoryWorkbook(
        small_book(
            settings=[
                *SETTINGS_ROWS,
                ["Approval Threshold", D(1000)],
                ["Approvers", ", ".join(LISTED)],
            ],
            customers=customers,
            rates=[[None, None, None, None, D(100), "hour", None]],
            time_rows=[time_row(DAY, p, c, D(h)) for p, c, h in WORK],
        )
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(edits_between_runs(), min_size=1, max_size=3))
def test_approval_happens_iff_a_listed_approver_not_on_the_invoice_writes_their_name(
    runs,
):
    """Approved iff, at a run, Approve holds a listed approver who neither created
    the invoice nor has work on it (per the state), and it is not marked Void;
    Status always ends as sheetbill's, whatever was typed into it."""
    workbook = _workbook()
    with tempfile.TemporaryDirectory() as folder:

        def run() -> Any:
            return run_billing(
                workbook,
                Config(documents=False),
                state_path=Path(folder) / "state.sqlite",
                as_of=DAY,
                is_dry_run=False,
            )

        first = run()
        assert {i.number for i in first.invoices} == set(INVOICES)
        approved: dict[str, str] = {}
        for batch in runs:
            for e in batch:
                workbook.edit(
                    e.tab,
                    e.row,
                    workbook.read().tables[e.tab].headers.index(e.column),
                    e.value,
                )
            expected: dict[str, str] = {}
            for number, (row, workers, awaits) in INVOICES.items():
                name = str(_cell(workbook, "Invoices", row, "Approve") or "")
                if (
                    awaits
                    and number not in approved
                    and _name(name) in {_name(n) for n in LISTED}
                    and _name(name) not in workers
                    and not _is_void(_cell(workbook, "Invoices", row, "Void"))
                ):
                    expected[number] = next(
                        n for n in LISTED if _name(n) == _name(name)
                    )
            result = run()
            assert dict(result.approved) == expected
            approved.update(expected)
            for number, (row, _, awaits) in INVOICES.items():
                shown = (
                    "approved"
                    if number in approved
                    else ("awaiting approval" if awaits else "draft")
                )
                assert (
                    str(_cell(workbook, "Invoices", row, "Status")).casefold() == shown
                )
        with StateDB(Path(folder) / "state.sqlite") as state:
            recorded = dict(
                state.db.execute(
                    "SELECT number, approved_by FROM approvals "
                    "WHERE status = 'approved'"
                )
            )
        assert recorded == approved
        logged = [
            d
            for a, d in zip(
                workbook.column("Log", "Action"),
                workbook.column("Log", "Detail"),
                strict=True,
            )
            if a == "invoice approved"
        ]
        assert sorted(logged) == sorted(
            f"approved by {a}; created by sheetbill" for a in approved.values()
        )


def test_an_approval_taken_before_a_failed_write_is_written_by_the_next_run(tmp_path):
    workbook = _workbook()
    state = tmp_path / "state.sqlite"

    def run() -> Any:
        return run_billing(
            workbook,
            Config(documents=False),
            state_path=state,
            as_of=DAY,
            is_dry_run=False,
        )

    run()
    headers = workbook.read().tables["Invoices"].headers
    workbook.edit("Invoices", 2, headers.index("Approve"), "Maria Lopez")
    workbook.fail_next_apply = WorkbookWriteError("disk full", path="memory.xlsx")
    with pytest.raises(WorkbookWriteError):
        run()
    assert _cell(workbook, "Invoices", 2, "Status") == "awaiting approval"
    # The Approve name is gone meanwhile: the approval, taken, is still written.
    workbook.edit("Invoices", 2, headers.index("Approve"), None)
    result = run()
    assert dict(result.approved) == {"INV-2026-0001": "Maria Lopez"}
    assert _cell(workbook, "Invoices", 2, "Status") == "approved"
    assert run().approved == {}
