"""Nothing is billed at a tax rate nobody typed: without a Default Tax Rate row, the
rows of a customer without a Tax Rate (and its orders without one of their own) are
held, with an error on that customer's Tax Rate cell; `init` adds the row
(docs/decisions.md, "No tax rate from anywhere")."""

from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from paths import SHARED
from readback import calamine_records

from sheetbill.cli import main
from sheetbill.domain.model import Counters
from sheetbill.domain.sheet import CellWrite, WorkbookChanges
from sheetbill.domain.waiting import WaitReason
from sheetbill.planning.invoices import plan_invoices
from sheetbill.tabs.validation import validate_book
from sheetbill.workbook.excel import ExcelWorkbook

from helpers import (
    CASE_SETTINGS,
    SETTINGS_ROWS,
    add_settings_rows,
    small_book,
    time_row,
)

D = Decimal
AS_OF = date(2026, 11, 3)
WITHOUT_DEFAULT = [r for r in SETTINGS_ROWS if r[0] != "Default Tax Rate"]
HOURLY = [[None, None, None, None, D(100), "hour", None]]


@settings(max_examples=80, deadline=None)
@given(
    customer_rates=st.lists(
        st.sampled_from([None, D(0), D(19)]), min_size=1, max_size=4
    ),
    orders=st.lists(
        st.tuples(st.integers(0, 3), st.sampled_from([None, D(7)])), max_size=4
    ),
    default=st.sampled_from(["no row", D(0), D(19)]),
)
def test_every_line_is_billed_at_a_rate_someone_typed(customer_rates, orders, default):
    customers = [
        [f"C{n}", f"Customer {n}", "", "EUR", rate, "Exempt"]
        for n, rate in enumerate(customer_rates)
    ]
    time_rows = [
        time_row(date(2026, 11, 2), "Ann", f"C{n}", D(1))
        for n in range(len(customer_rates))
    ]
    order_rows = [
        [date(2026, 11, 2), f"C{n % len(customer_rates)}", "Box", D(1), D(10), rate]
        for n, rate in orders
    ]
    rows = [
        *WITHOUT_DEFAULT,
        *([] if default == "no row" else [["Default Tax Rate", default]]),
    ]
    data = validate_book(
        small_book(
            customers=customers,
            time_rows=time_rows,
            order_rows=order_rows,
            rates=HOURLY,
            settings=rows,
        ),
        today=AS_OF,
        billed={},
    )
    invoices, _ = plan_invoices(
        customers=data.customers,
        entries=data.time_entries,
        orders=data.orders,
        settings=data.settings,
        today=AS_OF,
        counters=Counters({}, 0),
    )
    typed = {n: rate for n, rate in enumerate(customer_rates)}
    held: set[tuple[str, int]] = set()
    for n, rate in typed.items():
        if rate is None and default == "no row":
            held.add(("Time Log", n + 2))
    for index, (n, rate) in enumerate(orders):
        customer = n % len(customer_rates)
        if rate is None and typed[customer] is None and default == "no row":
            held.add(("Orders", index + 2))
    billed = {
        (s.tab, s.row): line.tax_rate
        for invoice in invoices
        for line in invoice.lines
        for s in line.sources
    }
    every_row = {("Time Log", n + 2) for n in typed} | {
        ("Orders", index + 2) for index in range(len(orders))
    }
    assert set(billed) == every_row - held  # the others are billed
    for (tab, row), rate in billed.items():
        if tab == "Orders" and orders[row - 2][1] is not None:
            assert rate == orders[row - 2][1]
        else:
            customer = (
                (row - 2)
                if tab == "Time Log"
                else orders[row - 2][0] % len(customer_rates)
            )
            assert rate == (typed[customer] if typed[customer] is not None else default)
    errors = {(p.tab, p.row, p.column) for p in data.problems}
    customers_held = {
        row - 2 if tab == "Time Log" else orders[row - 2][0] % len(customer_rates)
        for tab, row in held
    }
    assert errors == {("Customers", n + 2, "Tax Rate") for n in customers_held}
    waiting = {(g.tab, g.reason): g.count for g in data.waiting if g.count}
    for tab in ("Time Log", "Orders"):
        count = sum(1 for t, _ in held if t == tab)
        assert waiting.get((tab, WaitReason.HAS_PROBLEM), 0) == count


def test_a_customer_without_a_rate_is_held_the_others_are_billed():
    customers = [
        ["C1", "Alpha GmbH", "a@alpha.example", "EUR", None],
        ["C2", "Beta Inc", "b@beta.example", "EUR", D(19)],
    ]
    time_rows = [
        time_row(date(2026, 11, 2), "Ann", "C1", D(1)),
        time_row(date(2026, 11, 2), "Ann", "C2", D(1)),
    ]
    data = validate_book(
        small_book(
            customers=customers,
            time_rows=time_rows,
            rates=HOURLY,
            settings=WITHOUT_DEFAULT,
        ),
        today=AS_OF,
        billed={},
    )
    assert [e.customer_id for e in data.time_entries] == ["C2"]
    [problem] = data.problems
    assert (problem.tab, problem.row, problem.column, problem.value) == (
        "Customers",
        2,
        "Tax Rate",
        "",
    )
    assert problem.severity.value == "error" and problem.customer_id == "C1"
    assert "no 'Default Tax Rate' row" in problem.problem
    assert "Fill in this customer's Tax Rate" in problem.fix
    assert "Default Tax Rate" in problem.fix and "sheetbill init" in problem.fix


CASES = {
    "ampersand": SHARED / "cases" / "ampersand-in-company-name" / "ampersand.xlsx",
    "logo": SHARED / "cases" / "logo-beside-workbook" / "logo.xlsx",
    "dates": SHARED / "cases" / "ambiguous-dates" / "dates.xlsx",
}


def run_json(book: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, Any]:
    capsys.readouterr()
    code = main(["run", str(book), "--as-of", AS_OF.isoformat(), "--json"])
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_case_workbook_without_default_tax_rate_bills_nothing_at_0_until_it_is_typed(
    tmp_path, capsys, case
):
    """Cases ampersand, logo, dates have no Default Tax Rate row and customers
    without a Tax Rate column: they billed 0 % with a warning. Now their work is
    held; `init` adds the row (empty, an error until filled in); typed, it bills."""
    book = tmp_path / CASES[case].name
    shutil.copyfile(CASES[case], book)
    book.chmod(0o644)
    if (CASES[case].parent / "logo.png").exists():
        shutil.copyfile(CASES[case].parent / "logo.png", tmp_path / "logo.png")
    add_settings_rows(book, CASE_SETTINGS[:2])  # an address and IBAN, no rate

    code, result = run_json(book, capsys)
    assert code == 1 and result["invoices"] == []
    [problem] = [p for p in result["exceptions"] if p["severity"] == "error"]
    assert (problem["tab"], problem["row"], problem["column"]) == (
        "Customers",
        2,
        "Tax Rate",
    )
    # The Customers tab has no Tax Rate column: the fix says how to get it.
    # (nor the Invoice Note column its fix names)
    assert (
        "The Customers tab has no 'Tax Rate' or 'Invoice Note' column: run "
        in (problem["fix"])
    )
    assert "'sheetbill init' on the workbook to add them" in problem["fix"]
    assert result["waiting"] == [
        {"tab": "Time Log", "reason": "held by an exception", "count": 1, "rows": [2]}
    ]

    capsys.readouterr()
    assert main(["init", str(book), "--json"]) == 0
    added = json.loads(capsys.readouterr().out)
    # The case's one-cell Company Address is read as Company Street; init also
    # offers the structured address rows e-invoices need (empty, no error here).
    assert added["settings_added"] == [
        "Company Postcode",
        "Company City",
        "Company Country",
        "Default Tax Rate",
    ]
    assert ["Customers", "Tax Rate"] in added["columns_added"]
    code, result = run_json(book, capsys)
    [problem] = [p for p in result["exceptions"] if p["severity"] == "error"]
    assert (problem["tab"], problem["column"]) == ("Settings", "Value")
    assert problem["fix"].startswith("Fill in its Value")
    assert result["invoices"] == []

    settings_rows = calamine_records(book, "Settings")
    row = [r["Key"] for r in settings_rows].index("Default Tax Rate") + 2
    assert row == problem["row"] == len(settings_rows) + 1  # below the user's rows
    person = ExcelWorkbook(book, backups=0)
    snapshot = person.read()
    person.apply(
        WorkbookChanges(writes={"Settings": (CellWrite(row, 1, D(23)),)}),
        expected_version=snapshot.version,
    )
    code, result = run_json(book, capsys)
    [invoice] = result["invoices"]
    assert D(invoice["tax"]) == (D(invoice["net"]) * D("0.23")).quantize(D("0.01"))
