"""An exception's severity says what happened: "error" means something was not done
(a row held, invoicing stopped, a PDF not made), "warning" that it was done anyway
and a person should look. Never an error while the invoice goes out regardless."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from sheetbill.config import Config
from sheetbill.domain.model import Severity
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.tabs.settings import INVOICE_SETTINGS, KEYS
from sheetbill.testing import MemoryWorkbook
from sheetbill.usecases.run import RunResult, run_billing

from helpers import small_book, time_row

AS_OF = date(2026, 11, 3)
DAY = date(2026, 11, 2)


def shop() -> MemoryWorkbook:
    return MemoryWorkbook(
        small_book(time_rows=[time_row(DAY, "Ann", "C1", Decimal(2))])
    )


def run(workbook: MemoryWorkbook, tmp_path: Path, **config: object) -> RunResult:
    return run_billing(
        workbook,
        Config(**{"documents": False, **config}),  # type: ignore[arg-type]
        state_path=tmp_path / "state.sqlite",
        as_of=AS_OF,
        is_dry_run=False,
    )


@pytest.mark.parametrize("key", list(KEYS))
def test_an_unreadable_setting_is_an_error_exactly_when_no_invoice_is_made(
    tmp_path, key
):
    """Every setting, its Value a failed formula: a setting printed on or deciding
    an invoice stops invoicing (error); any other keeps its default and the invoice
    is made (warning). Company name, address, tax ID and bank details are printed on
    every invoice (see below)."""
    workbook = shop()
    settings = workbook.cells["Settings"]
    row = max(r for r, _ in settings) + 1
    settings[(row, 0)], settings[(row, 1)] = key, "#N/A"
    result = run(workbook, tmp_path)
    (problem,) = [p for p in result.problems if (p.tab, p.row) == ("Settings", row)]
    is_error = problem.severity is Severity.ERROR
    assert is_error is (result.invoices == ()), problem
    assert is_error is (KEYS[key] in INVOICE_SETTINGS)
    assert ("no invoice is made" in problem.fix) is is_error


@pytest.mark.parametrize(
    "key",
    [
        "Company Name",
        "Company Street",
        "Company Postcode",
        "Company City",
        "Company Tax ID",
        "IBAN",
        "BIC",
    ],
)
def test_an_unreadable_company_detail_stops_invoicing(tmp_path, key):
    """Printed on every invoice: an invoice is never made without it because its
    cell holds a failed formula."""
    workbook = shop()
    settings = workbook.cells["Settings"]
    row = max(r for r, _ in settings) + 1
    settings[(row, 0)], settings[(row, 1)] = key, "#REF!"
    result = run(workbook, tmp_path)
    assert result.invoices == ()
    (problem,) = [p for p in result.problems if (p.tab, p.row) == ("Settings", row)]
    assert problem.severity is Severity.ERROR


@pytest.mark.parametrize(
    "pattern", ["INV-{seq:04}-{nonsense}", "INV-{yyyy}", "no sequence at all"]
)
def test_a_number_pattern_that_cannot_make_numbers_stops_invoicing(tmp_path, pattern):
    """An error on the Number Pattern row, no number drawn, every row waiting; once
    it is fixed the next run bills. Decided from the settings, not a message's words."""
    workbook = shop()
    settings = workbook.cells["Settings"]
    row = max(r for r, _ in settings) + 1
    settings[(row, 0)], settings[(row, 1)] = "Number Pattern", pattern
    result = run(workbook, tmp_path)
    (problem,) = [p for p in result.problems if (p.tab, p.row) == ("Settings", row)]
    assert (problem.column, problem.severity) == ("Value", Severity.ERROR)
    assert problem.code is ProblemCode.SETTINGS_BAD_NUMBER_PATTERN
    assert result.invoices == ()
    settings[(row, 1)] = "INV-{yyyy}-{seq:04}"
    fixed = run(workbook, tmp_path)
    # The blocked run drew no number: the first one goes to the first invoice.
    assert [i.number for i in fixed.invoices] == ["INV-2026-0001"]


def test_a_workbook_without_settings_makes_no_invoice(tmp_path):
    """No company to print, no tax rate: the error on the missing tab holds every
    row until the tab is there, rather than invoices billed at defaults."""
    workbook = shop()
    del workbook.cells["Settings"]
    result = run(workbook, tmp_path)
    (problem,) = [p for p in result.problems if "no Settings tab" in p.problem]
    assert problem.severity is Severity.ERROR
    assert "no invoice is made" in problem.fix
    assert result.invoices == ()
    assert [w.reason.value for w in result.waiting] == [
        "held until the Settings are fixed"
    ]


def test_a_logo_that_cannot_be_printed_is_a_warning_and_the_invoice_is_made(
    tmp_path,
):
    workbook = shop()
    settings = workbook.cells["Settings"]
    row = max(r for r, _ in settings) + 1
    settings[(row, 0)], settings[(row, 1)] = "Logo Path", "no-such-logo.png"
    result = run(workbook, tmp_path, documents=True)
    (problem,) = [p for p in result.problems if (p.tab, p.row) == ("Settings", row)]
    assert problem.severity is Severity.WARNING
    assert "Invoices are made without the logo" in problem.problem
    assert [i.number for i in result.invoices] == ["INV-2026-0001"]
    assert (tmp_path / "invoices" / "INV-2026-0001.pdf").exists()


def test_a_pdf_not_made_for_a_customer_row_gone_bad_is_an_error(tmp_path):
    """The invoice stands; its PDF, lost and not made again, is not done."""
    workbook = shop()
    run(workbook, tmp_path, documents=True)
    pdf = tmp_path / "invoices" / "INV-2026-0001.pdf"
    pdf.unlink()
    customers = workbook.cells["Customers"]
    currency = next(c for (r, c), v in customers.items() if v == "Currency")
    workbook.edit("Customers", 2, currency, "XYZ")
    result = run(workbook, tmp_path, documents=True)
    (problem,) = [p for p in result.problems if p.column == "PDF"]
    assert "was not made" in problem.problem
    assert problem.severity is Severity.ERROR
    assert not pdf.exists()
