"""What an invoice must say by law, asked for by `check` and `run` as warnings; and
the starter workbook's Default Tax Rate, left for the user to fill in.

EU VAT directive art. 226: an invoice that charges VAT shows the seller's VAT number;
one that charges none says why (an exemption, reverse charge).
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from readback import calamine_records

from sheetbill.cli import main
from sheetbill.legal import legal_problems
from sheetbill.model import Severity
from sheetbill.validation import validate_book
from sheetbill.workbook.base import CellWrite, WorkbookChanges
from sheetbill.workbook.excel import ExcelWorkbook

from helpers import (
    EXPORT_NOTE,
    SETTINGS_ROWS,
    TIME_HEADERS,
    small_book,
    time_row,
    write_xlsx,
)

D = Decimal
AS_OF = date(2026, 11, 3)
NO_TAX_ID = [r for r in SETTINGS_ROWS if r[0] != "Company Tax ID"]


def problems_of(book: Any) -> list[Any]:
    return legal_problems(validate_book(book, today=AS_OF, billed={}))


def test_a_zero_rate_customer_without_invoice_note_is_a_warning_on_that_cell():
    customers = [
        ["C1", "Alpha GmbH", "a@alpha.example", "EUR", D(0)],
        ["C2", "Beta Inc", "b@beta.example", "USD", D(0), EXPORT_NOTE],
        ["C3", "Gamma KK", "g@gamma.example", "JPY", D(10)],
    ]
    [problem] = problems_of(small_book(customers=customers))
    assert (problem.tab, problem.row, problem.column, problem.value) == (
        "Customers",
        2,
        "Invoice Note",
        "",
    )
    assert problem.severity is Severity.WARNING
    assert "C1" in problem.problem and "0 %" in problem.problem
    assert "Fill in Invoice Note" in problem.fix


def test_zero_default_rate_and_zero_rated_orders_count_too():
    settings_rows = [
        *[r for r in SETTINGS_ROWS if r[0] != "Default Tax Rate"],
        ["Default Tax Rate", D(0)],
    ]
    customers = [["C1", "Alpha GmbH", "a@alpha.example", "EUR", None]]
    found = problems_of(small_book(customers=customers, settings=settings_rows))
    assert [(p.tab, p.row, p.column) for p in found] == [
        ("Customers", 2, "Invoice Note")
    ]
    order = [AS_OF, "C3", "Licence", D(1), D(50), D(0), "", None, None]
    customers = [["C3", "Gamma KK", "g@gamma.example", "EUR", D(19)]]
    found = problems_of(small_book(customers=customers, order_rows=[order]))
    assert [(p.tab, p.row, p.column) for p in found] == [
        ("Customers", 2, "Invoice Note")
    ]


def test_tax_charged_without_company_tax_id_is_a_warning_on_its_settings_row():
    settings_rows = [*NO_TAX_ID, ["Company Tax ID", None]]
    [problem] = problems_of(small_book(settings=settings_rows))
    assert (problem.tab, problem.row, problem.column) == (
        "Settings",
        len(settings_rows) + 1,
        "Value",
    )
    assert "Company Tax ID" in problem.problem
    assert problem.fix.startswith("Fill in its Value")
    [missing_row] = problems_of(small_book(settings=NO_TAX_ID))
    assert missing_row.row is None and "add a row with Key" in missing_row.fix


def test_no_warning_when_nothing_is_taxed_or_every_zero_rate_says_why():
    customers = [["C2", "Beta Inc", "b@beta.example", "USD", D(0), EXPORT_NOTE]]
    assert problems_of(small_book(customers=customers, settings=NO_TAX_ID)) == []


@settings(max_examples=60, deadline=None)
@given(
    rates=st.lists(
        st.tuples(st.sampled_from([None, D(0), D(7), D(19)]), st.booleans()),
        min_size=1,
        max_size=5,
    ),
    default=st.sampled_from([D(0), D(19)]),
    has_tax_id=st.booleans(),
)
def test_warnings_follow_the_rate_each_active_customer_is_billed_at(
    rates, default, has_tax_id
):
    customers = [
        [f"C{n}", f"Customer {n}", "", "EUR", rate, EXPORT_NOTE if noted else None]
        for n, (rate, noted) in enumerate(rates)
    ]
    settings_rows = [
        *[r for r in NO_TAX_ID if r[0] != "Default Tax Rate"],
        ["Default Tax Rate", default],
        *([["Company Tax ID", "DE1"]] if has_tax_id else []),
    ]
    found = problems_of(small_book(customers=customers, settings=settings_rows))
    effective = [(default if rate is None else rate, noted) for rate, noted in rates]
    unexplained = {
        n + 2 for n, (r, noted) in enumerate(effective) if not r and not noted
    }
    assert {p.row for p in found if p.tab == "Customers"} == unexplained
    is_taxed = any(r > 0 for r, _ in effective)
    assert any(p.tab == "Settings" for p in found) == (is_taxed and not has_tax_id)


def test_check_lists_both_warnings_and_the_run_still_bills(tmp_path, capsys):
    book = write_xlsx(
        tmp_path / "shop.xlsx",
        {
            "Settings": [["Key", "Value"], *NO_TAX_ID],
            "Customers": [
                ["Customer ID", "Name", "Tax Rate"],
                ["C1", "Alpha GmbH", None],
                ["C2", "Beta Inc", 0],
            ],
            "Rates": [["Rate"], [100]],
            "Time Log": [
                TIME_HEADERS,
                time_row(date(2026, 11, 2), "Ann", "C1", 1),
                time_row(date(2026, 11, 2), "Ann", "C2", 1),
            ],
        },
    )
    assert main(["check", str(book), "--as-of", AS_OF.isoformat(), "--json"]) == 1
    found = json.loads(capsys.readouterr().out)["exceptions"]
    assert {(p["tab"], p["row"], p["column"], p["severity"]) for p in found} == {
        ("Customers", 3, "Invoice Note", "warning"),
        ("Settings", None, "Value", "warning"),
    }
    assert main(["run", str(book), "--as-of", AS_OF.isoformat(), "--json"]) == 1
    assert len(json.loads(capsys.readouterr().out)["invoices"]) == 2


def fill(book: Path, tab: str, rows: list[list[Any]]) -> None:
    """A person types rows into a tab of a workbook `init` made."""
    workbook = ExcelWorkbook(book, backups=0)
    snapshot = workbook.read()
    headers = list(snapshot.tables[tab].headers)
    writes = tuple(
        CellWrite(number, headers.index(column), value)
        for number, row in enumerate(rows, start=2)
        for column, value in row
    )
    workbook.apply(
        WorkbookChanges(writes={tab: writes}), expected_version=snapshot.version
    )


@pytest.mark.parametrize("command", ["check", "run"])
def test_starter_leaves_default_tax_rate_empty_and_no_invoice_is_made_at_0(
    tmp_path, capsys, command
):
    book = tmp_path / "shop.xlsx"
    assert main(["init", str(book)]) == 0
    settings_rows = calamine_records(book, "Settings")
    [row] = [r for r in settings_rows if r["Key"] == "Default Tax Rate"]
    assert row["Value"] == ""
    sheet_row = settings_rows.index(row) + 2
    fill(book, "Customers", [[("Customer ID", "C1"), ("Name", "Alpha GmbH")]])
    fill(book, "Rates", [[("Rate", D(100))]])
    fill(
        book,
        "Time Log",
        [
            [
                ("Date", date(2026, 11, 2)),
                ("Person", "Ann"),
                ("Customer ID", "C1"),
                ("Hours", D(2)),
                ("Billable", "yes"),
                ("Approved", "yes"),
            ]
        ],
    )
    capsys.readouterr()
    assert main([command, str(book), "--as-of", AS_OF.isoformat(), "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    [empty] = [p for p in result["exceptions"] if "Default Tax Rate" in p["problem"]]
    assert (empty["tab"], empty["row"], empty["column"], empty["severity"]) == (
        "Settings",
        sheet_row,
        "Value",
        "error",
    )
    assert "Fill in its Value" in empty["fix"]
    assert result.get("invoices", []) == []
    assert result["waiting"][0]["reason"] == "held until the Settings are fixed"
