"""Approval and the DRAFT mark: an invoice at or above the Approval Threshold prints
DRAFT on every page until an approver listed in Settings writes their name in Approve;
the next run marks it approved and makes the final PDF without the mark.

End to end on real .xlsx files through the CLI, the PDFs read back with pypdf.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from einvoice_rules import judge
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader
from readback import calamine_records

from sheetbill.cli import main
from sheetbill.domain.approvals import (
    APPROVED,
    AWAITING,
    NOT_NEEDED,
    ApprovalState,
    Recorded,
)
from sheetbill.domain.model import (
    ApprovalThreshold,
    Invoice,
    InvoiceKind,
    Settings,
    TaxMode,
)
from sheetbill.domain.money import Money
from sheetbill.domain.schema import INVOICES
from sheetbill.planning.approvals import invoice_status, read_approvals
from sheetbill.tabs.validation import locate_tabs

from helpers import (
    SETTINGS_ROWS,
    TIME_HEADERS,
    small_book,
    time_row,
    write_xlsx,
)

D = Decimal
AS_OF = "2026-11-03"
DAY = date(2026, 11, 2)


# A seller with what every e-invoice profile asks of it.
SELLER_ROWS = [
    ["Company Street", "Hafenstraße 12"],
    ["Company Postcode", "20457"],
    ["Company City", "Hamburg"],
    ["Company Country", "DE"],
    ["Contact Name", "Accounts"],
    ["Contact Phone", "+49 40 1234567"],
    ["Contact Email", "invoices@shop.example"],
    ["IBAN", "DE89 3704 0044 0532 0130 00"],
]
CUSTOMER_COLUMNS = ["Customer ID", "Name", "Email", "Street", "Postcode", "City"]


def shop(folder: Path, *, e_invoice: str = "none") -> Path:
    """C1's invoice (10 h at 100 = 1,190.00) needs approval; C2's (1 h) does not."""
    folder.mkdir()
    alpha = ["C1", "Alpha GmbH", "ap@alpha.example", "Kai 5", "60311", "Frankfurt"]
    beta = ["C2", "Beta GmbH", "ap@beta.example", "Weg 1", "10115", "Berlin"]
    return write_xlsx(
        folder / "shop.xlsx",
        {
            "Settings": [
                ["Key", "Value"],
                *SETTINGS_ROWS,
                *SELLER_ROWS,
                ["Approval Threshold", 1000],
                ["Approvers", "Maria Lopez, Ann Berg"],
            ],
            "Customers": [
                [
                    *CUSTOMER_COLUMNS,
                    "Country",
                    "Language",
                    "E-Invoice",
                    "Buyer Reference",
                ],
                [*alpha, "DE", "en", e_invoice, "04011000-12345-03"],
                [*beta, "DE", "en", "none", None],
            ],
            "Rates": [["Rate", "Unit"], [100, "hour"]],
            "Time Log": [
                TIME_HEADERS,
                time_row(DAY, "Ann Berg", "C1", 6),
                time_row(DAY, "Tom Hale", "C1", 4),
                time_row(DAY, "Ann Berg", "C2", 1),
            ],
        },
    )


def pages(pdf: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(pdf).pages]


def approve(book: Path, invoice_no: str, name: str) -> None:
    """A person types a name into the invoice's Approve cell."""
    workbook = openpyxl.load_workbook(book)
    sheet = workbook["Invoices"]
    headers = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[headers.index("Invoice No")].value == invoice_no:
            row[headers.index("Approve")].value = name
    workbook.save(book)


def status(book: Path) -> dict[str, Any]:
    return {r["Invoice No"]: r["Status"] for r in calamine_records(book, "Invoices")}


def test_invoice_awaiting_approval_prints_draft_until_a_listed_approver_approves(
    tmp_path, capsys
):
    book = shop(tmp_path / "shop")
    pdfs = book.parent / "invoices"
    assert main(["run", str(book), "--as-of", AS_OF]) == 0
    assert status(book) == {
        "INV-2026-0001": "awaiting approval",
        "INV-2026-0002": "draft",
    }
    assert all("DRAFT" in text for text in pages(pdfs / "INV-2026-0001.pdf"))
    assert not any("DRAFT" in text for text in pages(pdfs / "INV-2026-0002.pdf"))

    approve(book, "INV-2026-0001", "  maria lopez ")
    capsys.readouterr()
    assert main(["run", str(book), "--as-of", AS_OF, "--dry-run", "--json"]) == 0
    planned = json.loads(capsys.readouterr().out)
    assert planned["approved"] == {"INV-2026-0001": "Maria Lopez"}
    assert all("DRAFT" in text for text in pages(pdfs / "INV-2026-0001.pdf"))

    assert main(["run", str(book), "--as-of", AS_OF]) == 0
    assert "INV-2026-0001 approved by Maria Lopez." in capsys.readouterr().out
    assert status(book)["INV-2026-0001"] == "approved"
    final = pages(pdfs / "INV-2026-0001.pdf")
    assert not any("DRAFT" in text for text in final)
    assert "1.190,00" in final[0] or "1,190.00" in final[0]
    log = calamine_records(book, "Log")[-1]
    assert (log["Action"], log["Invoice"]) == ("invoice approved", "INV-2026-0001")
    assert log["Detail"] == "approved by Maria Lopez; created by sheetbill"

    before = book.read_bytes(), (pdfs / "INV-2026-0001.pdf").read_bytes()
    assert main(["run", str(book), "--as-of", AS_OF]) == 0
    assert (book.read_bytes(), (pdfs / "INV-2026-0001.pdf").read_bytes()) == before


def test_a_draft_has_no_e_invoice_until_it_is_approved(tmp_path):
    """Nothing machine-readable may pass for an invoice nobody approved yet."""
    book = shop(tmp_path / "shop", e_invoice="xrechnung")
    xml = book.parent / "invoices" / "INV-2026-0001.xml"
    main(["run", str(book), "--as-of", AS_OF])
    assert not xml.exists()
    approve(book, "INV-2026-0001", "Maria Lopez")
    main(["run", str(book), "--as-of", AS_OF])
    assert xml.exists() and b"INV-2026-0001" in xml.read_bytes()
    verdict = judge(xml.read_bytes(), "xrechnung")
    assert verdict.is_clean, str(verdict)


def test_an_approval_that_may_not_be_taken_is_an_exception_and_keeps_the_mark(
    tmp_path, capsys
):
    book = shop(tmp_path / "shop")
    main(["run", str(book), "--as-of", AS_OF])
    approve(book, "INV-2026-0001", "Ann Berg")  # her own work is on it
    capsys.readouterr()
    assert main(["run", str(book), "--as-of", AS_OF, "--json"]) == 1
    problems = json.loads(capsys.readouterr().out)["exceptions"]
    assert [(p["tab"], p["row"], p["column"], p["value"]) for p in problems] == [
        ("Invoices", 2, "Approve", "Ann Berg")
    ]
    assert "own work" in problems[0]["problem"]
    assert status(book)["INV-2026-0001"] == "awaiting approval"
    pdf = book.parent / "invoices" / "INV-2026-0001.pdf"
    assert all("DRAFT" in text for text in pages(pdf))


INVOICE_HEADERS = [c.name for c in INVOICES.columns]


def invoices_tab(*rows: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    return INVOICE_HEADERS, [[row.get(h) for h in INVOICE_HEADERS] for row in rows]


def awaiting(
    number: str, approve: str, created_by: str = "sheetbill"
) -> dict[str, Any]:
    return {
        "Invoice No": number,
        "Status": "awaiting approval",
        "Approve": approve,
        "Created By": created_by,
    }


@pytest.mark.parametrize(
    ("approvers", "approver", "created_by", "says"),
    [
        ("Maria Lopez", "Tom", "sheetbill", "not one of the Approvers"),
        ("Maria Lopez, Ann", "ann", "sheetbill", "own work"),
        ("Maria Lopez", "Maria Lopez", "maria lopez", "created"),
        ("", "Maria Lopez", "sheetbill", "'Approvers' is empty"),
    ],
)
def test_read_approvals_refuses_who_may_not_approve_on_the_approve_cell(
    approvers, approver, created_by, says
):
    settings = [*SETTINGS_ROWS, ["Approval Threshold", D(10)], ["Approvers", approvers]]
    book = small_book(
        settings=settings,
        time_rows=[time_row(DAY, "Ann", "C1", 1, invoice_no="INV-1", row_id="T-1")],
        extra={"Invoices": invoices_tab(awaiting("INV-1", approver, created_by))},
    )
    from sheetbill.tabs.settings import read_settings

    parsed, _ = read_settings(book.tables["Settings"])
    known = ApprovalState(
        {"INV-1": Recorded(AWAITING, created_by)}, workers={"INV-1": ("Ann",)}
    )
    found = read_approvals(locate_tabs(book, {}), parsed, known)
    assert found.approved == {}
    assert found.awaiting == {"INV-1"}
    [problem] = found.problems
    assert (problem.tab, problem.row, problem.column, problem.value) == (
        "Invoices",
        2,
        "Approve",
        approver,
    )
    assert says in problem.problem


def test_read_approvals_takes_a_listed_approver_once_per_awaiting_invoice():
    settings = [*SETTINGS_ROWS, ["Approvers", "Maria Lopez"]]
    book = small_book(
        settings=settings,
        extra={
            "Invoices": invoices_tab(
                awaiting("INV-1", "Maria  Lopez"),
                awaiting("INV-2", ""),
                {"Invoice No": "INV-3", "Status": "approved", "Approve": "Maria"},
                {"Invoice No": "INV-4", "Status": "draft", "Approve": "Tom"},
            )
        },
    )
    from sheetbill.tabs.settings import read_settings

    parsed, _ = read_settings(book.tables["Settings"])
    known = ApprovalState(
        {
            "INV-1": Recorded(AWAITING),
            "INV-2": Recorded(AWAITING),
            "INV-3": Recorded(APPROVED, approved_by="Maria Lopez"),
            "INV-4": Recorded(NOT_NEEDED),
        }
    )
    found = read_approvals(locate_tabs(book, {}), parsed, known)
    assert found.approved == {"INV-1": (2, "Maria Lopez")}
    assert found.awaiting == {"INV-2"}
    assert found.problems == ()


def test_read_approvals_leaves_status_to_sending_when_told():
    """Once sending writes every Status (statuses.invoice_cells), a Status that is
    not the approval's ("sent") is no person's change: approvals leave it alone."""
    book = small_book(
        extra={
            "Invoices": invoices_tab(
                {"Invoice No": "INV-1", "Status": "sent"},
                {"Invoice No": "INV-2", "Status": "paid"},
            )
        },
    )
    known = ApprovalState(
        {"INV-1": Recorded(NOT_NEEDED), "INV-2": Recorded(APPROVED, is_shown=True)}
    )
    judged = read_approvals(locate_tabs(book, {}), Settings(), known)
    assert set(judged.restored) == {"INV-1", "INV-2"}
    assert [p.column for p in judged.problems] == ["Status", "Status"]
    left = read_approvals(
        locate_tabs(book, {}), Settings(), known, sets_back_status=False
    )
    assert (left.restored, left.problems) == ({}, ())


# --- the threshold per currency


def three_currencies(folder: Path, threshold: Any) -> Path:
    """C1 bills 1,190.00 EUR (10 h at 100 + 19 %), C2 1,500.00 USD (10 h at 150,
    0 %), C3 132,000 JPY (10 h at 12,000 + 10 %)."""
    folder.mkdir()
    return write_xlsx(
        folder / "shop.xlsx",
        {
            "Settings": [
                ["Key", "Value"],
                *SETTINGS_ROWS,
                ["Approval Threshold", threshold],
                ["Approvers", "Maria Lopez"],
            ],
            "Customers": [
                ["Customer ID", "Name", "Currency", "Tax Rate", "Invoice Note"],
                ["C1", "Alpha GmbH", "EUR", None, None],
                ["C2", "Beta Inc", "USD", D(0), "Export of services"],
                ["C3", "Gamma KK", "JPY", D(10), None],
            ],
            "Rates": [
                ["Customer ID", "Rate", "Unit", "Currency"],
                [None, 100, "hour", None],
                ["C2", 150, "hour", "USD"],
                ["C3", 12000, "hour", "JPY"],
            ],
            "Time Log": [
                TIME_HEADERS,
                time_row(DAY, "Ann Berg", "C1", 10),
                time_row(DAY, "Ann Berg", "C2", 10),
                time_row(DAY, "Ann Berg", "C3", 10),
            ],
        },
    )


def run_json(book: Path, capsys: Any, *more: str) -> dict[str, Any]:
    capsys.readouterr()
    main(["run", str(book), "--as-of", AS_OF, "--json", *more])
    result: dict[str, Any] = json.loads(capsys.readouterr().out)
    return result


def test_each_invoice_is_held_against_the_threshold_in_its_own_currency(
    tmp_path, capsys
):
    """¥132,000 is far below 1,000 in any currency's worth, and 1,500 USD above
    2,000 EUR's threshold would be a different rule: each total is compared with the
    amount in its own currency, never with a number in another one."""
    book = three_currencies(tmp_path / "shop", "1000 EUR; 2000 USD; JPY 200,000")
    result = run_json(book, capsys)
    assert status(book) == {
        "INV-2026-0001": "awaiting approval",  # 1,190 EUR >= 1,000 EUR
        "INV-2026-0002": "draft",  # 1,500 USD < 2,000 USD
        "INV-2026-0003": "draft",  # 132,000 JPY < 200,000 JPY
    }
    assert result["exceptions"] == []


def test_a_currency_without_a_threshold_waits_and_the_threshold_row_says_so(
    tmp_path, capsys
):
    """A bare number is in the Default Currency (EUR): USD and JPY invoices have no
    amount to compare with, so they wait (the safe side), and a warning on the
    Approval Threshold row names the currencies, the customers and the fix."""
    book = three_currencies(tmp_path / "shop", 2000)
    result = run_json(book, capsys)
    assert status(book) == {
        "INV-2026-0001": "draft",  # 1,190 EUR < 2,000 EUR
        "INV-2026-0002": "awaiting approval",
        "INV-2026-0003": "awaiting approval",
    }
    [warning] = result["exceptions"]
    assert (warning["tab"], warning["row"], warning["column"], warning["value"]) == (
        "Settings",
        len(SETTINGS_ROWS) + 2,
        "Value",
        "2000",
    )
    assert warning["severity"] == "warning"
    assert "no amount in JPY and USD" in warning["problem"]
    assert "JPY: customers C3" in warning["problem"]
    assert "USD: customers C2" in warning["problem"]
    assert "2000 EUR; <amount> JPY; <amount> USD" in warning["fix"]


def test_no_threshold_means_no_invoice_waits_in_any_currency(tmp_path, capsys):
    book = three_currencies(tmp_path / "shop", None)
    result = run_json(book, capsys)
    assert set(status(book).values()) == {"draft"}
    assert result["exceptions"] == [] and result["awaiting_approval"] == []


currencies = st.sampled_from(["EUR", "USD", "JPY", "KWD", "CHF"])
amounts = st.decimals(min_value=0, max_value=10**9, places=2)


@given(
    threshold=st.dictionaries(currencies, amounts, max_size=4),
    currency=currencies,
    total=amounts,
)
def test_invoice_status_compares_only_amounts_in_the_invoice_currency(
    threshold, currency, total
):
    """Property: an invoice waits exactly when the threshold has amounts and its own
    currency's amount is missing or at most its total."""
    amounts = tuple(Money(amount, code) for code, amount in threshold.items())
    settings = Settings(approval_threshold=ApprovalThreshold(amounts))
    invoice = Invoice(
        number="INV-1",
        kind=InvoiceKind.INVOICE,
        customer_id="C1",
        customer_name="Alpha",
        currency=currency,
        issue_date=DAY,
        due_date=DAY,
        tax_mode=TaxMode.EXCLUSIVE,
        lines=(),
        net=total,
        tax=D(0),
        total=total,
        breakdown=(),
        work_complete=None,
    )
    own = threshold.get(currency)
    waits = bool(threshold) and (own is None or total >= own)
    assert (invoice_status(invoice, settings) == "awaiting approval") is waits


# --- the run summary names where to approve, and who may


def test_run_summary_names_the_approve_cell_and_who_may_approve(tmp_path, capsys):
    """Ann Berg's work is on INV-2026-0001, so of the Approvers only Maria Lopez may
    approve it. The cell the summary names is the invoice's Approve cell: writing
    the name there approves it on the next run."""
    book = shop(tmp_path / "shop")
    capsys.readouterr()
    assert main(["run", str(book), "--as-of", AS_OF, "--dry-run"]) == 0
    assert (
        "INV-2026-0001 would await approval: an approver writes their name in "
        "Invoices row 2, column Approve (U); may approve: Maria Lopez."
    ) in capsys.readouterr().out
    assert main(["run", str(book), "--as-of", AS_OF]) == 0
    out = capsys.readouterr().out
    assert (
        "INV-2026-0001 awaits approval: an approver writes their name in Invoices "
        "row 2, column Approve (U); may approve: Maria Lopez."
    ) in out
    assert "INV-2026-0002 awaits" not in out  # below the threshold

    # A later run still says so, from what the Invoices tab shows.
    [waiting] = run_json(book, capsys)["awaiting_approval"]
    assert waiting == {
        "number": "INV-2026-0001",
        "tab": "Invoices",
        "row": 2,
        "column": "Approve",
        "cell": "U2",
        "approvers": ["Maria Lopez"],
    }
    workbook = openpyxl.load_workbook(book)
    assert workbook["Invoices"]["U1"].value == "Approve"
    assert workbook["Invoices"]["A2"].value == "INV-2026-0001"
    workbook["Invoices"]["U2"] = "Maria Lopez"
    workbook.save(book)
    approved = run_json(book, capsys)
    assert approved["approved"] == {"INV-2026-0001": "Maria Lopez"}
    assert approved["awaiting_approval"] == []


def test_run_summary_says_when_nobody_listed_may_approve(tmp_path, capsys):
    """Both Approvers worked on the invoice: the summary says to add one."""
    book = shop(tmp_path / "shop")
    workbook = openpyxl.load_workbook(book)
    for row in workbook["Settings"].iter_rows(min_row=2):
        if row[0].value == "Approvers":
            row[1].value = "Ann Berg, Tom Hale"
    workbook.save(book)
    capsys.readouterr()
    main(["run", str(book), "--as-of", AS_OF])
    assert (
        "INV-2026-0001 awaits approval: an approver writes their name in Invoices "
        "row 2, column Approve (U); nobody in Settings' Approvers may approve it"
    ) in capsys.readouterr().out
    [waiting] = run_json(book, capsys)["awaiting_approval"]
    assert waiting["approvers"] == []


def test_starter_settings_explain_the_threshold_and_the_approvers(tmp_path):
    book = tmp_path / "shop.xlsx"
    assert main(["init", str(book)]) == 0
    settings = {r["Key"]: r for r in calamine_records(book, "Settings")}
    threshold, approvers = settings["Approval Threshold"], settings["Approvers"]
    assert (threshold["Value"], approvers["Value"]) == ("", "")
    assert "one amount per currency" in str(threshold["Help"])
    assert "Default Currency" in str(threshold["Help"])
    assert "Invoices > Approve" in str(approvers["Help"])
    assert "own work" in str(approvers["Help"])
