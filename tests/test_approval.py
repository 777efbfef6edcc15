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
from pypdf import PdfReader
from readback import calamine_records

from sheetbill.approval import (
    APPROVED,
    AWAITING,
    NOT_NEEDED,
    ApprovalState,
    Recorded,
    read_approvals,
)
from sheetbill.cli import main
from sheetbill.schema import INVOICES
from sheetbill.validation import locate_tabs

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


def shop(folder: Path, *, e_invoice: str = "none") -> Path:
    """C1's invoice (10 h at 100 = 1,190.00) needs approval; C2's (1 h) does not."""
    folder.mkdir()
    return write_xlsx(
        folder / "shop.xlsx",
        {
            "Settings": [
                ["Key", "Value"],
                *SETTINGS_ROWS,
                ["Company Address", "Hafenstraße 12\n20457 Hamburg"],
                ["Approval Threshold", 1000],
                ["Approvers", "Maria Lopez, Ann Berg"],
            ],
            "Customers": [
                ["Customer ID", "Name", "Address", "Country", "Language", "E-Invoice"],
                ["C1", "Alpha GmbH", "Kai 5\n60311 Frankfurt", "DE", "en", e_invoice],
                ["C2", "Beta GmbH", "Weg 1\n10115 Berlin", "DE", "en", "none"],
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
    from sheetbill.settings import read_settings

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
    from sheetbill.settings import read_settings

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
