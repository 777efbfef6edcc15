"""`sheetbill payments report` and `sheetbill payments import` as a user runs them
(issue 15, points 1, 4 and 6): exit codes, what they print and --json, on real .xlsx
files written here and read back.

`payments import` calls `usecases.payments_import.import_payments`, which the lead
builds; until it lands these tests put a function of the same signature in its place
(`fake_import`) and check what the command hands it and prints of its result.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from paths import ROOT

from sheetbill.cli import main
from sheetbill.domain.payments import (
    Allocation,
    Candidate,
    Match,
    MatchRule,
    PaymentStatus,
    Transaction,
    TransactionKind,
)
from sheetbill.errors import BankFileError
from sheetbill.usecases import payments_import
from sheetbill.usecases.payments_import import ImportResult

from helpers import SETTINGS_ROWS, write_xlsx

D = Decimal
SHEETBILL = Path(sys.executable).with_name("sheetbill")
PAYMENT_HEADERS = [
    "Date",
    "Amount",
    "Currency",
    "Payer",
    "Payer Account",
    "Reference",
    "Method",
    "Invoice No",
    "Fee",
    "Payout",
    "Transaction ID",
    "Matched Invoice",
    "Status",
    "Match Note",
    "Receipt Sent",
    "Row ID",
]


def payment(
    day: date,
    amount: Decimal | str,
    *,
    currency: str = "EUR",
    payer: str = "",
    reference: str = "",
    matched: str = "",
    status: str = "",
    note: str = "",
    row_id: str = "",
) -> list[Any]:
    cells: dict[str, Any] = {
        "Date": day,
        "Amount": amount,
        "Currency": currency,
        "Payer": payer,
        "Reference": reference,
        "Matched Invoice": matched,
        "Status": status,
        "Match Note": note,
        "Row ID": row_id,
    }
    return [cells.get(h) or None for h in PAYMENT_HEADERS]


# October: one ambiguous row still open (carried into November) and one matched.
# November: each status once, a USD row, a row a run has not seen; December: one.
PAYMENTS = [
    payment(date(2026, 10, 20), D("300.00"), status="ambiguous", row_id="P-000001",
            note="INV-2026-0003 or INV-2026-0004: both 300.00 open"),
    payment(date(2026, 10, 21), D("99.00"), status="matched", matched="INV-2026-0002",
            row_id="P-000002"),
    payment(date(2026, 11, 3), D("1190.00"), payer="ACME GmbH",
            reference="RE: INV-2026-0007/ACME", status="matched",
            matched="INV-2026-0007", row_id="P-000003",
            note='reference "RE: INV-2026-0007/ACME" names INV-2026-0007'),
    payment(date(2026, 11, 5), D("-100.00"), status="refund", matched="INV-2026-0007",
            row_id="P-000004"),
    payment(date(2026, 11, 6), D("500.00"), payer="Beta Ltd", reference="Invoice 12",
            status="unmatched", row_id="P-000005",
            note="no open invoice of 500.00 EUR; closest: INV-2026-0009 (450.00)"),
    payment(date(2026, 11, 7), D("1300.00"), payer="Gamma SARL",
            status="over-payment", matched="INV-2026-0011", row_id="P-000006"),
    payment(date(2026, 11, 8), D("250.00"), currency="USD", payer="Hudson & Pike",
            status="currency mismatch", matched="INV-2026-0010", row_id="P-000007"),
    payment(date(2026, 11, 30), D("80.00"), payer="[bold]Delta[/bold]"),
    payment(date(2026, 12, 1), D("1000.00"), status="unmatched", row_id="P-000009"),
]  # fmt: skip


@pytest.fixture
def book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A shop's workbook with a Payments tab over three months, as saved by a
    spreadsheet program; run from its folder (no other sheetbill.toml found)."""
    monkeypatch.chdir(tmp_path)
    return write_xlsx(
        tmp_path / "shop.xlsx",
        {
            "Settings": [["Key", "Value"], *SETTINGS_ROWS],
            "Payments": [PAYMENT_HEADERS, *PAYMENTS],
        },
    )


def files_in(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


# --- payments report ------------------------------------------------------------------


def test_payments_report_prints_each_currencys_totals_and_the_rows_open(book, capsys):
    before = files_in(book.parent)
    code = main(["payments", "report", "--month", "2026-11", "shop.xlsx"])
    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "shop.xlsx: payments dated 2026-11 (2026-11-01 to 2026-11-30)"
    assert lines[1].split() == ["EUR", "bank", "total", "2,970.00", "EUR", "5", "rows"]
    assert lines[2].split()[:6] == ["EUR", "matched", "1,090.00", "EUR", "2", "rows:"]
    assert "1 matched, 1 refund" in lines[2]
    assert lines[3].split()[:5] == ["EUR", "unmatched", "580.00", "EUR", "2"]
    assert "1 not matched yet, 1 unmatched" in lines[3]
    assert lines[4].split() == ["EUR", "exceptions", "1,300.00", "EUR", "1", "row"]
    assert lines[5].split()[:4] == ["EUR", "difference", "1,880.00", "EUR"]
    assert lines[6].split()[:4] == ["USD", "bank", "total", "250.00"]
    assert lines[10].split()[:4] == ["USD", "difference", "250.00", "USD"]
    assert (
        lines[11]
        == "Open at month end: 5 rows (4 of this month, 1 from earlier months):"
    )
    assert lines[12] == (
        "  Payments row 6 (P-000005), 2026-11-06: 500.00 EUR from Beta Ltd, "
        '"Invoice 12": unmatched — no open invoice of 500.00 EUR; closest: '
        "INV-2026-0009 (450.00)"
    )
    assert lines[13].startswith("  Payments row 7 (P-000006), 2026-11-07: 1,300.00 EUR")
    assert "over-payment" in lines[13]
    assert lines[15] == (
        "  Payments row 9, 2026-11-30: 80.00 EUR from [bold]Delta[/bold]: not matched "
        "yet (the next sheetbill run matches it)"
    )
    assert lines[16] == "  Still open from earlier months:"
    assert lines[17].startswith("  Payments row 2 (P-000001), 2026-10-20: 300.00 EUR")
    assert "1,000.00" not in out  # December's row
    assert files_in(book.parent) == before  # nothing written, no state made


def test_payments_report_json_has_the_totals_and_rows_as_data(book, capsys):
    code = main(["payments", "report", "--month", "2026-11", "shop.xlsx", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["exit_code"] == 0
    assert data["month"] == "2026-11" and data["workbook"] == "shop.xlsx"
    eur, usd = data["currencies"]
    assert eur["currency"] == "EUR"
    assert eur["bank"] == {"rows": 5, "total": "2970.00"}
    assert eur["matched"] == {"rows": 2, "total": "1090.00"}
    assert eur["unmatched"] == {"rows": 2, "total": "580.00"}
    assert eur["exceptions"] == {"rows": 1, "total": "1300.00"}
    assert eur["difference"] == "1880.00"
    assert eur["by_status"]["refund"] == {"rows": 1, "total": "-100.00"}
    assert eur["by_status"][""] == {"rows": 1, "total": "80.00"}
    assert usd["exceptions"] == {"rows": 1, "total": "250.00"}
    assert [r["row"] for r in data["open"]] == [6, 7, 8, 9]
    assert data["open"][0] | {"note": ""} == {
        "row": 6,
        "row_id": "P-000005",
        "date": "2026-11-06",
        "amount": "500.00",
        "currency": "EUR",
        "payer": "Beta Ltd",
        "reference": "Invoice 12",
        "status": "unmatched",
        "part": "unmatched",
        "matched_invoice": "",
        "note": "",
    }
    assert [r["row_id"] for r in data["carried"]] == ["P-000001"]
    assert data["open_at_month_end"] == 5
    assert data["problems"] == []


@pytest.mark.parametrize(
    "month",
    ["2026-13", "Nov", "2026-00", "2026-1", "26-11", "2026-11-01", "", "２０２６-11"],
)
def test_payments_report_a_month_not_yyyy_mm_is_one_line_and_exit_2(
    book, capsys, month
):
    code = main(["payments", "report", "--month", month, str(book)])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    err = captured.err.strip()
    assert len(err.splitlines()) == 1
    assert err == f"sheetbill: --month {month!r} is not a month like 2026-11 (YYYY-MM)"


def test_payments_report_a_bad_month_is_told_before_the_workbook_is_looked_for(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    code = main(["payments", "report", "--month", "Nov", "missing.xlsx"])
    assert code == 2
    assert "is not a month" in capsys.readouterr().err


def test_payments_report_a_month_with_no_rows_says_so(book, capsys):
    assert main(["payments", "report", "--month", "2027-02", str(book)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "No Payments row is dated 2027-02."
    # What earlier months left open is still open at this month's end.
    assert (
        out[2] == "Open at month end: 6 rows (0 of this month, 6 from earlier months):"
    )


def test_payments_report_names_the_rows_it_could_not_count(
    tmp_path, monkeypatch, capsys
):
    """A row whose Amount cannot be read is in no total: the report says which."""
    monkeypatch.chdir(tmp_path)
    rows = [*PAYMENTS[2:4], payment(date(2026, 11, 9), "12,3,4 EUR")]
    write_xlsx(
        tmp_path / "shop.xlsx",
        {
            "Settings": [["Key", "Value"], *SETTINGS_ROWS],
            "Payments": [PAYMENT_HEADERS, *rows],
        },
    )
    assert main(["payments", "report", "--month", "2026-11", "shop.xlsx"]) == 0
    out = capsys.readouterr().out
    assert "EUR  bank total  1,090.00 EUR  2 rows" in out
    assert (
        "1 problem in the Payments tab (a row whose Date or Amount cannot be read"
        in (" ".join(out.split()))
    )
    assert (
        main(["payments", "report", "--month", "2026-11", "shop.xlsx", "--json"]) == 0
    )
    (problem,) = json.loads(capsys.readouterr().out)["problems"]
    assert (problem["tab"], problem["row"], problem["column"]) == (
        "Payments",
        4,
        "Amount",
    )


def test_payments_report_a_workbook_without_a_payments_tab(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    book = write_xlsx(tmp_path / "old.xlsx", {"Settings": [["Key", "Value"]]})
    assert main(["payments", "report", "--month", "2026-11", str(book)]) == 0
    out = capsys.readouterr().out
    assert "has no Payments tab: nothing to reconcile (sheetbill init adds it)" in out


def test_payments_report_answers_while_a_run_holds_the_state_and_excel_the_file(
    book, capsys
):
    """Read only: no run lock taken (a run may be busy), no Excel lock refused."""
    from sheetbill.state import StateDB

    state = book.with_name("shop.sheetbill.sqlite")
    owner = book.with_name("~$shop.xlsx")
    owner.write_bytes(bytes([5]) + b"Maria" + b" " * 48)
    (book.parent / "sheetbill.toml").write_text("lock_timeout = 0.1\n")
    with StateDB(state):
        before = files_in(book.parent)
        assert main(["payments", "report", "--month", "2026-11", str(book)]) == 0
        assert files_in(book.parent) == before
    assert "bank total" in capsys.readouterr().out


def test_payments_report_an_unreadable_workbook_is_one_line_exit_2(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    book = tmp_path / "broken.xlsx"
    book.write_bytes(b"PK\x03\x04 not really a zip")
    assert main(["payments", "report", "--month", "2026-11", str(book)]) == 2
    err = capsys.readouterr().err.strip()
    assert "broken.xlsx" in err and len(err.splitlines()) == 1


def test_payments_report_from_the_installed_program(book):
    done = subprocess.run(
        [str(SHEETBILL), "payments", "report", "--month", "2026-10", str(book)],
        capture_output=True,
        text=True,
        cwd=book.parent,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "EUR  bank total" in done.stdout
    assert "Open at month end: 1 row (1 of this month):" in done.stdout


def test_payments_report_as_readme_writes_it(book):
    """README's `payments report` line, run by a shell as written in the folder of
    the workbook (and the .venv)."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Using it")[1]
    (command,) = [
        line.split(" #", 1)[0].strip()
        for line in section.split("\n## ", 1)[0].splitlines()
        if line.startswith(".venv/bin/sheetbill payments report ")
    ]
    (book.parent / ".venv").symlink_to(ROOT / ".venv")
    done = subprocess.run(
        ["/bin/sh", "-c", command],
        capture_output=True,
        text=True,
        cwd=book.parent,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "shop.xlsx: payments dated 2026-11" in done.stdout
    assert "Open at month end: 5 rows" in done.stdout


@pytest.mark.parametrize(
    ("command", "words"),
    [
        ("report", "Exit codes: 0 reported, 2 a month that is not YYYY-MM"),
        ("import", "Exit codes: 0 imported, 2 a file it cannot import"),
    ],
)
def test_payments_help_names_the_exit_codes(capsys, command, words):
    with pytest.raises(SystemExit) as exited:
        main(["payments", command, "--help"])
    assert exited.value.code == 0
    assert words in " ".join(capsys.readouterr().out.split())


# --- payments import (the use case faked until the lead's lands) ---------------------


@dataclass
class FakeImport:
    """Stands for `import_payments`: records how it was called, returns `result`
    (or raises `error`)."""

    result: ImportResult | None = None
    error: Exception | None = None
    calls: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, workbook: Any, config: Any, path: Path, **options: Any) -> Any:
        self.calls.append({"workbook": workbook, "path": path, **options})
        if self.error is not None:
            raise self.error
        return self.result


@pytest.fixture
def fake_import(monkeypatch: pytest.MonkeyPatch) -> Callable[..., FakeImport]:
    def install(**kwargs: Any) -> FakeImport:
        fake = FakeImport(**kwargs)
        monkeypatch.setattr(payments_import, "import_payments", fake)
        return fake

    return install


ACME = Transaction(
    date(2026, 11, 3),
    D("1190.00"),
    "EUR",
    payer="ACME GmbH",
    reference="RE: INV-2026-0007/ACME",
    method="bank transfer",
    transaction_id="2026110300001",
    line=5,
)
STRIPE = Transaction(
    date(2026, 11, 4),
    D("100.00"),
    "EUR",
    payer="beta@example.com",
    reference="INV-2026-0008",
    method="Stripe",
    fee=D("1.75"),
    net=D("98.25"),
    payout="po_123",
    transaction_id="ch_1",
    line=2,
)
STRANGER = Transaction(
    date(2026, 11, 5),
    D("500.00"),
    "EUR",
    payer="\x1b[31mMallory\x1b[0m [red]",
    reference="=HYPERLINK(1)",
    line=7,
)
GAMMA = Transaction(date(2026, 11, 6), D("1300.00"), "EUR", payer="Gamma SARL", line=8)
RESULT = ImportResult(
    file="bank.csv",
    format="csv:de",
    workbook="shop.xlsx",
    is_dry_run=False,
    added=(ACME, STRIPE, STRANGER, GAMMA),
    already=2,
    left_out=("3 outgoing payments (the Payments tab is money received)",),
    matches=(
        Match(
            "new-1",
            PaymentStatus.MATCHED,
            MatchRule.REFERENCE,
            (Allocation("INV-2026-0007", D("1190.00")),),
            'reference "RE: INV-2026-0007/ACME" names INV-2026-0007 (1,190.00 open)',
        ),
        Match(
            "new-2",
            PaymentStatus.MATCHED,
            MatchRule.REFERENCE,
            (Allocation("INV-2026-0008", D("100.00")),),
            "partial: 100.00 of 250.00 open",
        ),
        Match(
            "new-3",
            PaymentStatus.UNMATCHED,
            note="no open invoice of 500.00 EUR",
            candidates=(
                Candidate("INV-2026-0009", "450.00 open, not 500.00"),
                Candidate("INV-2026-0012", "500.00 open, due 2026-01-02: too early"),
            ),
        ),
        Match(
            "new-4",
            PaymentStatus.OVERPAID,
            MatchRule.PAYER_AMOUNT,
            (Allocation("INV-2026-0011", D("1190.00")),),
            'payer "Gamma SARL" is customer C-003',
            credit=D("110.00"),
        ),
    ),
    statuses={"INV-2026-0008": "partially paid", "INV-2026-0007": "paid"},
)


def test_payments_import_prints_each_payment_its_match_and_the_evidence(
    book, capsys, fake_import
):
    fake = fake_import(result=RESULT)
    statement = book.parent / "bank.csv"
    statement.write_text("Buchungstag;Betrag\n")
    code = main(["payments", "import", "bank.csv", "shop.xlsx"])
    out = capsys.readouterr().out
    assert code == 0
    (call,) = fake.calls
    assert call["path"] == Path("bank.csv")
    assert call["state_path"].resolve() == book.with_name("shop.sheetbill.sqlite")
    assert call["format"] is None and call["is_dry_run"] is False
    assert call["workbook"].path.resolve() == book
    assert out.splitlines() == [
        "bank.csv (csv:de): 4 payments added to the Payments tab of shop.xlsx:",
        '  2026-11-03  1,190.00 EUR  ACME GmbH  "RE: INV-2026-0007/ACME"',
        "    → matched INV-2026-0007 by reference: reference "
        '"RE: INV-2026-0007/ACME" names INV-2026-0007 (1,190.00 open)',
        '  2026-11-04  100.00 EUR  beta@example.com  "INV-2026-0008"  (fee 1.75 EUR, '
        "net 98.25 EUR)",
        "    → matched INV-2026-0008 by reference: partial: 100.00 of 250.00 open",
        '  2026-11-05  500.00 EUR  \\x1b[31mMallory\\x1b[0m [red]  "=HYPERLINK(1)"',
        "    → unmatched: no open invoice of 500.00 EUR",
        "      not INV-2026-0009: 450.00 open, not 500.00",
        "      not INV-2026-0012: 500.00 open, due 2026-01-02: too early",
        "  2026-11-06  1,300.00 EUR  Gamma SARL",
        "    → over-payment INV-2026-0011 by payer and amount, 110.00 EUR kept as "
        'credit: payer "Gamma SARL" is customer C-003',
        "2 payments already in the workbook or imported before: not added again.",
        "Not imported: 3 outgoing payments (the Payments tab is money received)",
        "Invoices once the matches apply: INV-2026-0007 paid, INV-2026-0008 partially "
        "paid.",
        "The next sheetbill run applies the matches.",
    ]


def test_payments_import_dry_run_hands_on_the_format_and_says_nothing_changed(
    book, capsys, fake_import
):
    fake = fake_import(result=ImportResult("bank.csv", "stripe", "shop.xlsx", True,
                                           added=(STRIPE,)))  # fmt: skip
    code = main(
        ["payments", "import", "bank.csv", str(book), "--format", "stripe", "--dry-run"]
    )
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert fake.calls[0]["format"] == "stripe" and fake.calls[0]["is_dry_run"] is True
    assert out[0] == (
        "bank.csv (stripe): 1 payment would be added to the Payments tab of shop.xlsx:"
    )
    assert out[-1] == "Nothing was changed (dry run)."


def test_payments_import_nothing_new_says_so(book, capsys, fake_import):
    fake_import(result=ImportResult("bank.csv", "ofx", "shop.xlsx", False, already=7))
    assert main(["payments", "import", "bank.csv", str(book)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "bank.csv (ofx): no new payment for shop.xlsx.",
        "7 payments already in the workbook or imported before: not added again.",
    ]


def test_payments_import_json_has_every_payment_and_its_match(
    book, capsys, fake_import
):
    fake_import(result=RESULT)
    assert main(["payments", "import", "bank.csv", str(book), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["file"] == "bank.csv" and data["format"] == "csv:de"
    assert data["dry_run"] is False and data["already"] == 2 and data["exit_code"] == 0
    assert data["left_out"] == list(RESULT.left_out)
    assert data["statuses"] == {
        "INV-2026-0007": "paid",
        "INV-2026-0008": "partially paid",
    }
    acme, stripe, stranger, gamma = data["added"]
    assert acme["amount"] == "1190.00" and acme["transaction_id"] == "2026110300001"
    assert acme["match"]["rule"] == "reference"
    assert acme["match"]["invoices"] == [
        {"number": "INV-2026-0007", "amount": "1190.00"}
    ]
    assert (stripe["fee"], stripe["net"], stripe["payout"]) == (
        "1.75",
        "98.25",
        "po_123",
    )
    assert stranger["payer"] == "\x1b[31mMallory\x1b[0m [red]"
    assert stranger["match"]["status"] == "unmatched"
    assert stranger["match"]["candidates"][0] == {
        "number": "INV-2026-0009",
        "reason": "450.00 open, not 500.00",
    }
    assert gamma["match"]["credit"] == "110.00" and gamma["kind"] == "payment"


def test_payments_import_a_file_it_cannot_read_is_one_line_and_exit_2(
    book, capsys, fake_import
):
    fake_import(
        error=BankFileError(
            "line 4, column Betrag: '12,3,4' is not an amount; nothing was imported",
            path="bank.csv",
        )
    )
    assert main(["payments", "import", "bank.csv", str(book)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "sheetbill: bank.csv: line 4, column Betrag: '12,3,4' is not an amount; "
        "nothing was imported\n"
    )


def test_payments_import_a_refund_is_shown_as_one(book, capsys, fake_import):
    refund = Transaction(
        date(2026, 11, 9), D("-100.00"), "EUR", reference="Refund ch_1",
        kind=TransactionKind.REFUND,
    )  # fmt: skip
    fake_import(
        result=ImportResult(
            "stripe.csv",
            "stripe",
            "shop.xlsx",
            False,
            added=(refund,),
            matches=(
                Match(
                    "new-1",
                    PaymentStatus.REFUNDED,
                    MatchRule.REFUND_OF_CHARGE,
                    (Allocation("INV-2026-0008", D("-100.00")),),
                    "refunds charge ch_1 (INV-2026-0008)",
                ),
            ),
        )
    )
    assert main(["payments", "import", "stripe.csv", str(book)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == '  2026-11-09  -100.00 EUR  "Refund ch_1"'
    assert out[2] == (
        "    → refund INV-2026-0008 by refund of a matched charge: refunds charge ch_1 "
        "(INV-2026-0008)"
    )


def test_text_from_a_file_is_shown_as_text_never_obeyed_by_the_terminal():
    from sheetbill.listings import shown_text

    assert shown_text("ACME\u202egnp.exe\x9b1m\x07") == (
        "ACME\\u202egnp.exe\\x9b1m\\x07"
    )
    assert shown_text(" two\tlines\n here ") == "two lines here"
