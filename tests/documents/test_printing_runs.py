"""Runs as a user makes them: every name prints with a real glyph, a character no font
has (or no e-invoice can carry) stops its customer before a number is drawn, a
document that fails anyway fails alone, text prints as typed.

Cases from ../shared/cases (copied, never run in place): non-latin-names and
ampersand-in-company-name."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import unicodedata
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from paths import SHARED
from pdf_glyphs import boxes
from pypdf import PdfReader
from readback import calamine_records

from sheetbill.cli import main
from sheetbill.config import Config
from sheetbill.domain.sheet import CellWrite, WorkbookChanges
from sheetbill.domain.waiting import WaitingRows, WaitReason
from sheetbill.tabs.printable import UnprintableText
from sheetbill.testing import MemoryWorkbook
from sheetbill.usecases.run import run_billing
from sheetbill.workbook.excel import ExcelWorkbook

from helpers import (
    SETTINGS_ROWS,
    add_settings_rows,
    small_book,
    time_row,
)

NON_LATIN = SHARED / "cases" / "non-latin-names" / "07_nonlatin_names.xlsx"
AMPERSAND = SHARED / "cases" / "ampersand-in-company-name" / "ampersand.xlsx"
AS_OF = "2026-11-03"


def font_problems(book: Path) -> list[dict[str, object]]:
    """The Exceptions rows about characters no font has (the cases also get other
    warnings, e.g. for their missing Default Tax Rate)."""
    return [
        e
        for e in calamine_records(book, "Exceptions")
        if "empty box" in str(e["Problem"])
    ]


def copy_case(case: Path, tmp_path: Path) -> Path:
    target = tmp_path / "books" / case.name
    target.parent.mkdir()
    shutil.copyfile(case, target)
    target.chmod(0o644)
    return target


def reading_order(pdf: Path) -> str:
    """The PDF's text in reading order, without white space or bidi marks (a line may
    wrap between two CJK characters; pdftotext marks right-to-left runs)."""
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return "".join(
        c for c in text if not c.isspace() and unicodedata.category(c) != "Cf"
    )


def test_run_non_latin_names_prints_every_name_with_a_real_glyph(tmp_path: Path):
    book = copy_case(NON_LATIN, tmp_path)
    assert main(["run", str(book), "--as-of", AS_OF]) in (0, 1)
    assert font_problems(book) == []
    customers = {r["Customer ID"]: r for r in calamine_records(book, "Customers")}
    invoices = calamine_records(book, "Invoices")
    assert len(invoices) == 4
    for invoice in invoices:
        pdf = book.parent / str(invoice["PDF"])
        assert boxes(pdf) == [], invoice["Customer ID"]
        customer = customers[invoice["Customer ID"]]
        text = reading_order(pdf)
        # Word by word: pdftotext may order a right-to-left line's parts its own way.
        for cell in ("Name", "Address"):
            for word in str(customer[cell]).replace("،", " ").replace(",", " ").split():
                assert word in text, (cell, word)


def _with_customer_name(book: Path, row: int, name: str) -> None:
    workbook = openpyxl.load_workbook(book)
    workbook["Customers"].cell(row=row, column=2, value=name)
    workbook.save(book)


def test_run_emoji_in_a_customer_name_is_an_exception_and_draws_no_number(
    tmp_path: Path, capsys
):
    book = copy_case(NON_LATIN, tmp_path)
    name = "株式会社さくら企画 🦄"
    _with_customer_name(book, 2, name)  # customer N1
    assert main(["run", str(book), "--as-of", AS_OF]) == 1
    [problem] = font_problems(book)
    assert problem["Tab"] == "Customers"
    assert (problem["Row"], problem["Column"], problem["Value"]) == (2.0, "Name", name)
    assert "U+1F984 UNICORN FACE" in str(problem["Problem"])
    assert "Remove the character" in str(problem["Fix"])
    invoices = calamine_records(book, "Invoices")
    assert sorted(i["Customer ID"] for i in invoices) == ["N2", "N3", "N4"]
    assert sorted(p.name for p in (book.parent / "invoices").glob("*.pdf")) == [
        "INV-2026-0001.pdf",
        "INV-2026-0002.pdf",
        "INV-2026-0003.pdf",
    ]
    state = book.with_name(book.stem + ".sheetbill.sqlite")
    with sqlite3.connect(state) as db:
        drawn = [n for (n,) in db.execute("SELECT number FROM invoices ORDER BY 1")]
    assert drawn == ["INV-2026-0001", "INV-2026-0002", "INV-2026-0003"]
    capsys.readouterr()
    # `check` says the same before any run would.
    _with_customer_name(book, 3, "شركة 🚀")  # customer N2, now billed already
    assert main(["check", str(book), "--as-of", AS_OF]) == 1
    out = capsys.readouterr().out
    assert "U+1F984" in out and "U+1F680" in out


def test_run_ampersand_in_company_name_prints_as_typed_in_the_footer(tmp_path: Path):
    book = copy_case(AMPERSAND, tmp_path)
    add_settings_rows(book)  # the case has no address: no invoice would be made
    assert main(["run", str(book), "--as-of", "2026-11-02"]) in (0, 1)
    [invoice] = calamine_records(book, "Invoices")
    pdf = book.parent / str(invoice["PDF"])
    footer = (
        subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    assert footer.startswith("Smith & Sons, Builders. Ltd · IE3456789QH")


def _run(book, tmp_path: Path):  # type: ignore[no-untyped-def]
    workbook = MemoryWorkbook(book)
    result = run_billing(
        workbook,
        Config(),
        state_path=tmp_path / "state.sqlite",
        as_of=date(2026, 11, 2),
        is_dry_run=False,
    )
    return workbook, result


def test_run_company_name_no_font_can_print_makes_no_invoice_at_all(tmp_path: Path):
    settings = [["Company Name", "Test Shop 🦄"], *SETTINGS_ROWS[1:]]
    rows = [time_row(date(2026, 10, 1), "Ann", "C1", Decimal(2))]
    workbook, result = _run(small_book(settings=settings, time_rows=rows), tmp_path)
    assert result.invoices == () and result.exit_code == 1
    [problem] = [p for p in result.problems if p.tab == "Settings"]
    assert (problem.row, problem.column, problem.value) == (2, "Value", "Test Shop 🦄")
    assert "no invoice is made" in problem.problem
    assert workbook.column("Time Log", "Invoice No") == [None]
    with sqlite3.connect(tmp_path / "state.sqlite") as db:
        assert db.execute("SELECT count(*) FROM invoices").fetchone() == (0,)
    assert result.waiting == (
        WaitingRows("Time Log", WaitReason.INVOICING_STOPPED, 1, (2,)),
    )


def test_run_time_row_whose_printed_description_no_font_has_is_left_waiting(
    tmp_path: Path,
):
    settings = [*SETTINGS_ROWS, ["Line Grouping", "entry"]]
    rows = [
        time_row(date(2026, 10, 1), "Ann", "C1", Decimal(2), description="Call 📞"),
        time_row(date(2026, 10, 2), "Ann", "C1", Decimal(3), description="Review"),
        time_row(date(2026, 10, 3), "Ann", "C9", Decimal(1)),  # no such customer
    ]
    workbook, result = _run(small_book(settings=settings, time_rows=rows), tmp_path)
    [invoice] = result.invoices
    assert [line.quantity for line in invoice.lines] == [Decimal(3)]
    [problem] = [p for p in result.problems if "empty box" in p.problem]
    assert (problem.tab, problem.row, problem.column) == ("Time Log", 2, "Description")
    assert "U+1F4DE TELEPHONE RECEIVER" in problem.problem
    assert workbook.column("Time Log", "Invoice No") == [None, invoice.number, None]
    # Counted, not skipped in silence; with a row validation holds, in one group.
    assert result.waiting == (
        WaitingRows("Time Log", WaitReason.HAS_PROBLEM, 2, (2, 4)),
    )


def _customer_cells(book: Path, row: int, cells: dict[int, str]) -> None:
    """A person types into Customers (through sheetbill's own writer: it stores a
    control character as Excel does, `_x001F_`, which openpyxl refuses)."""
    person = ExcelWorkbook(book, backups=0)
    writes = tuple(CellWrite(row, column, value) for column, value in cells.items())
    person.apply(
        WorkbookChanges(writes={"Customers": writes}),
        expected_version=person.read().version,
    )


NAME, TAX_ID, E_INVOICE = 1, 7, 13  # columns of the case's Customers tab
BROKEN_NAME = "ООО\x1f «Берёзка»"  # customer N3, row 4


def _e_invoice_customers(tmp_path: Path) -> Path:
    """The non-latin case with N3 and N4 on Factur-X, N3's name holding U+001F.
    N4 (in Greece, billed at the case's 0 %) gets a VAT ID: an e-invoice states its
    VAT category, and an EU business buyer with one is reverse charge."""
    book = copy_case(NON_LATIN, tmp_path)
    _customer_cells(book, 4, {NAME: BROKEN_NAME, E_INVOICE: "factur-x"})
    _customer_cells(book, 5, {TAX_ID: "EL123456789", E_INVOICE: "factur-x"})
    return book


def _invoices(book: Path) -> dict[str, str]:
    return {
        str(i["Customer ID"]): str(i["Invoice No"])
        for i in calamine_records(book, "Invoices")
    }


def _open_problems(book: Path, tab: str) -> list[dict[str, object]]:
    """Open Exceptions rows of `tab`. (The case bills 0 % tax without an Invoice
    Note; its customers outside the EU are export, N4 reverse charge: no warning.)"""
    return [
        e
        for e in calamine_records(book, "Exceptions")
        if e["Tab"] == tab and not e["Closed"]
    ]


def test_run_control_character_in_an_e_invoice_customers_name_holds_only_them(
    tmp_path: Path,
):
    """It crashed every run (lxml: "All strings must be XML compatible") after
    drawing numbers. Now: an exception on the cell, before any number is drawn,
    and the other customers billed, Factur-X and all."""
    book = _e_invoice_customers(tmp_path)
    assert main(["check", str(book), "--as-of", AS_OF]) == 1
    assert main(["run", str(book), "--as-of", AS_OF]) == 1
    [problem] = _open_problems(book, "Customers")
    assert (problem["Row"], problem["Column"]) == (4.0, "Name")
    assert problem["Value"] == BROKEN_NAME
    assert "U+001F a control character" in str(problem["Problem"])
    invoices = _invoices(book)
    assert sorted(invoices) == ["N1", "N2", "N4"]
    pdf = book.parent / "invoices" / f"{invoices['N4']}.pdf"
    assert "factur-x.xml" in PdfReader(pdf).attachments
    state = book.with_name(book.stem + ".sheetbill.sqlite")
    with sqlite3.connect(state) as db:
        assert db.execute("SELECT count(*) FROM invoices").fetchone() == (3,)


def test_run_a_document_that_cannot_be_built_fails_alone_and_is_made_once_fixed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Whatever the check before planning misses (here it is made to miss the
    name), a document that cannot be built is an exception naming the invoice and
    the cell; the other invoices are made; fixed, the next run makes it, under the
    number it has, and draws none."""
    monkeypatch.setattr(
        "sheetbill.usecases.run_steps.unprintable_text",
        lambda data, config: UnprintableText(),
    )
    book = _e_invoice_customers(tmp_path)
    assert main(["run", str(book), "--as-of", AS_OF]) == 1
    invoices = _invoices(book)
    assert sorted(invoices) == ["N1", "N2", "N3", "N4"]
    number = invoices["N3"]
    folder = book.parent / "invoices"
    assert sorted(p.stem for p in folder.glob("*.pdf")) == sorted(
        n for c, n in invoices.items() if c != "N3"
    )
    [problem] = _open_problems(book, "Customers")
    assert (problem["Row"], problem["Column"], problem["Value"]) == (
        4.0,
        "Name",
        BROKEN_NAME,
    )
    assert f"The PDF of {number} was not made" in str(problem["Problem"])
    assert f"made on the next run, as {number}" in str(problem["Problem"])

    _customer_cells(book, 4, {NAME: "ООО «Берёзка»"})
    assert main(["run", str(book), "--as-of", AS_OF]) in (0, 1)  # other warnings
    assert _invoices(book) == invoices
    assert _open_problems(book, "Customers") == []
    assert "factur-x.xml" in PdfReader(folder / f"{number}.pdf").attachments


def test_run_an_error_nothing_foresaw_in_one_document_is_an_exception_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A bug, not a cell (injected: none is known): that invoice's PDF is not made,
    its exception says so and what to do, and the run goes on with the others."""
    from sheetbill.documents import render

    real = render.render_pdf_bytes

    def failing_for_c1(document, templates=render.DEFAULT_TEMPLATES):  # type: ignore[no-untyped-def]
        if document.customer.customer_id == "C1":
            raise KeyError("something nobody foresaw")
        return real(document, templates)

    monkeypatch.setattr(render, "render_pdf_bytes", failing_for_c1)
    rows = [
        time_row(date(2026, 10, 1), "Ann", "C1", Decimal(2)),
        time_row(date(2026, 10, 1), "Ann", "C2", Decimal(2)),
    ]
    _, result = _run(small_book(time_rows=rows), tmp_path)
    numbers = {i.customer_id: i.number for i in result.invoices}
    assert sorted(numbers) == ["C1", "C2"] and result.exit_code == 1
    [problem] = [p for p in result.problems if p.column == "PDF"]
    assert (problem.tab, problem.value) == ("Invoices", numbers["C1"])
    assert "KeyError: 'something nobody foresaw'" in problem.problem
    assert f"as {numbers['C1']}" in problem.fix
    pdfs = sorted(p.stem for p in tmp_path.rglob("*.pdf"))
    assert pdfs == [numbers["C2"]]
