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
from sheetbill.domain.model import Counters, Severity, TaxCategory
from sheetbill.domain.sheet import CellWrite, WorkbookChanges
from sheetbill.planning.invoices import plan_invoices
from sheetbill.tabs.legal import legal_check, legal_problems
from sheetbill.tabs.validation import validate_book
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


def test_a_zero_rate_customer_nothing_explains_is_a_warning_on_its_tax_category():
    customers = [
        ["C1", "Alpha GmbH", "a@alpha.example", "EUR", D(0)],
        ["C2", "Beta Inc", "b@beta.example", "USD", D(0), EXPORT_NOTE],
        ["C3", "Gamma KK", "g@gamma.example", "JPY", D(10)],
    ]
    [problem] = problems_of(small_book(customers=customers))
    assert (problem.tab, problem.row, problem.column, problem.value) == (
        "Customers",
        2,
        "Tax Category",
        "",
    )
    assert problem.severity is Severity.WARNING
    assert "C1" in problem.problem and "0 %" in problem.problem
    assert "Choose the Tax Category" in problem.fix and "Invoice Note" in problem.fix


def test_zero_default_rate_and_zero_rated_orders_count_too():
    settings_rows = [
        *[r for r in SETTINGS_ROWS if r[0] != "Default Tax Rate"],
        ["Default Tax Rate", D(0)],
    ]
    customers = [["C1", "Alpha GmbH", "a@alpha.example", "EUR", None]]
    found = problems_of(small_book(customers=customers, settings=settings_rows))
    assert [(p.tab, p.row, p.column) for p in found] == [
        ("Customers", 2, "Tax Category")
    ]
    order = [AS_OF, "C3", "Licence", D(1), D(50), D(0), "", None, None]
    customers = [["C3", "Gamma KK", "g@gamma.example", "EUR", D(19)]]
    found = problems_of(small_book(customers=customers, order_rows=[order]))
    assert [(p.tab, p.row, p.column) for p in found] == [("Orders", 2, "Tax Category")]


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
        ("Customers", 3, "Tax Category", "warning"),
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


# --- VAT categories (issue 12, point 3) ---------------------------------------

TAX_COLUMNS = [
    "Customer ID",
    "Name",
    "Email",
    "Currency",
    "Country",
    "Tax ID",
    "Tax Rate",
    "Tax Category",
    "E-Invoice",
    "Invoice Note",
]
ONE_RATE = [[None, None, None, None, D(100), "hour", None]]
WORKED = date(2026, 11, 2)


def tax_book(customers: list[list[Any]], orders: Any = ()) -> Any:
    """Customers with their tax cells, each with two hours logged, and orders."""
    return small_book(
        extra={"Customers": (TAX_COLUMNS, customers)},
        rates=ONE_RATE,
        time_rows=[time_row(WORKED, "Ann", c[0], D(2)) for c in customers],
        order_rows=orders,
    )


def order(customer: str, rate: Any, category: Any) -> list[Any]:
    return [WORKED, customer, "Part", D(1), D(50), rate, "", None, None, category]


def customer(
    cid: str,
    *,
    country: str = "DE",
    tax_id: str = "DE811234567",
    rate: Any = None,
    category: Any = None,
    e_invoice: str = "none",
    note: str = "",
) -> list[Any]:
    return [
        cid,
        f"Customer {cid}",
        "",
        "EUR",
        country,
        tax_id,
        rate,
        category,
        e_invoice,
        note,
    ]


def checked(book: Any) -> tuple[Any, Any]:
    data = validate_book(book, today=AS_OF, billed={})
    return data, legal_check(data)


def cells(problems: Any) -> set[tuple[Any, ...]]:
    return {(p.tab, p.row, p.column, p.severity.value) for p in problems}


def test_an_e_invoice_at_0_percent_nothing_explains_is_an_error_that_holds_it():
    """The buyer's software books the category: sheetbill does not guess it."""
    data, legal = checked(
        tax_book(
            [
                customer("C1", rate=D(0), e_invoice="xrechnung"),
                customer(
                    "C2", rate=D(0), e_invoice="factur-x", country="US", tax_id=""
                ),
                customer("C3", rate=D(0), note=EXPORT_NOTE),
            ]
        )
    )
    [problem] = legal.problems
    assert (problem.tab, problem.row, problem.column, problem.severity) == (
        "Customers",
        2,
        "Tax Category",
        Severity.ERROR,
    )
    assert "XRechnung" in problem.problem
    assert "its VAT ID is of your own country (DE)" in problem.problem
    assert "Choose the Tax Category (standard, zero rated, exempt" in problem.fix
    assert legal.held(data.time_entries) == [("Time Log", 2)]
    assert [e.customer_id for e in legal.allowed(data.time_entries)] == ["C2", "C3"]


def test_reverse_charge_without_the_buyers_vat_id_is_an_error_on_tax_id():
    _, legal = checked(
        tax_book(
            [
                customer("C1", country="AT", tax_id="", category="reverse charge"),
                customer("C2", country="FR", tax_id="FR40123456789", rate=D(0)),
            ],
            [order("C2", None, "intra-community supply")],
        )
    )
    assert cells(legal.problems) == {("Customers", 2, "Tax ID", "error")}
    [problem] = legal.problems
    assert "reverse charge" in problem.problem and "art. 226(4)" in problem.problem
    assert legal.customers == {"C1"}


@pytest.mark.parametrize(
    ("rate", "category", "words"),
    [
        (
            D(19),
            "reverse charge",
            "Tax Rate is 19 %: reverse charge lines charge no VAT",
        ),
        (D(0), "standard", "Tax Category is standard, but the tax rate is 0 %"),
        (D(7), "exempt", "Tax Rate is 7 %: exempt lines charge no VAT"),
    ],
)
def test_a_tax_category_that_contradicts_the_rate_beside_it_is_an_error(
    rate, category, words
):
    data, legal = checked(
        tax_book(
            [customer("C1", rate=rate, category=category), customer("C2")],
            [order("C2", rate, category), order("C2", D(19), "standard")],
        )
    )
    assert cells(legal.problems) == {
        ("Customers", 2, "Tax Category", "error"),
        ("Orders", 2, "Tax Category", "error"),
    }
    assert all(words in p.problem for p in legal.problems)
    assert legal.customers == {"C1"} and legal.rows == {("Orders", 2)}
    assert [o.source.row for o in legal.allowed(data.orders)] == [3]


def test_an_exempt_customer_without_invoice_note_is_warned_and_still_billed():
    data, legal = checked(tax_book([customer("C1", category="exempt")]))
    [problem] = legal.problems
    assert (problem.column, problem.severity) == ("Invoice Note", Severity.WARNING)
    assert "art. 226(11)" in problem.problem
    assert legal.allowed(data.time_entries) == list(data.time_entries)


def test_an_unknown_tax_category_is_an_error_naming_the_choices():
    data = validate_book(
        tax_book([customer("C1"), customer("C2")], [order("C2", None, "VAT free")]),
        today=AS_OF,
        billed={},
    )
    [problem] = [p for p in data.problems if p.column == "Tax Category"]
    assert (problem.tab, problem.row, problem.value) == ("Orders", 2, "VAT free")
    assert "not a VAT category sheetbill knows" in problem.problem
    assert "intra-community supply" in problem.fix


PLACES = st.sampled_from(
    [("DE", "DE811234567"), ("FR", "FR40123456789"), ("FR", ""), ("US", ""), ("", "")]
)
RATE_CELLS = st.sampled_from([None, D(0), D(19)])
CATEGORY_CELLS = st.sampled_from(
    [None, "standard", "exempt", "reverse charge", "K", "export", "outside scope"]
)


@settings(max_examples=40, deadline=None)
@given(
    people=st.lists(
        st.tuples(
            PLACES,
            RATE_CELLS,
            CATEGORY_CELLS,
            st.sampled_from(["none", "factur-x"]),
            st.booleans(),
        ),
        min_size=1,
        max_size=4,
    ),
    orders=st.lists(
        st.tuples(st.integers(0, 3), RATE_CELLS, CATEGORY_CELLS), max_size=4
    ),
)
def test_every_billed_line_carries_a_category_it_can_state_and_the_rest_is_held(
    people, orders
):
    """Whatever the tax cells say, a planned line is standard exactly when it
    charges VAT; a line without a category never goes into an e-invoice; reverse
    charge and intra-community supply lines have the buyer's VAT ID; lines outside
    the scope of VAT are alone on their invoice (EN 16931 BR-O-11); and every row not
    billed is held by an error that names its customer or its order."""
    customers = [
        customer(
            f"C{n}",
            country=place[0],
            tax_id=place[1],
            rate=rate,
            category=category,
            e_invoice=e_invoice,
            note=EXPORT_NOTE if noted else "",
        )
        for n, (place, rate, category, e_invoice, noted) in enumerate(people)
    ]
    order_rows = [
        order(f"C{n % len(people)}", rate, category) for n, rate, category in orders
    ]
    data, legal = checked(tax_book(customers, order_rows))
    rows: list[Any] = [*data.time_entries, *data.orders]
    invoices, _ = plan_invoices(
        customers=data.customers,
        entries=legal.allowed(data.time_entries),
        orders=legal.allowed(data.orders),
        settings=data.settings,
        today=AS_OF,
        counters=Counters({}, 0),
    )
    billed = 0
    for invoice in invoices:
        buyer = data.customers[invoice.customer_id]
        categories = {line.tax_category for line in invoice.lines}
        if TaxCategory.OUTSIDE_SCOPE in categories:
            assert categories == {TaxCategory.OUTSIDE_SCOPE}
        for line in invoice.lines:
            billed += len(line.sources)
            assert (line.tax_category is TaxCategory.STANDARD) == (line.tax_rate > 0)
            if line.tax_category is None:
                assert buyer.e_invoice == "none"
            if line.tax_category in (
                TaxCategory.REVERSE_CHARGE,
                TaxCategory.INTRA_COMMUNITY,
            ):
                assert buyer.tax_id
    errors = {
        (p.customer_id, p.tab, p.row)
        for p in legal.problems
        if p.severity is Severity.ERROR
    }
    for thing in rows:
        if not legal.allows(thing.source, thing.customer_id):
            own = ("Orders", thing.source.row)
            assert any(
                cid == thing.customer_id and (tab == "Customers" or (tab, row) == own)
                for cid, tab, row in errors
            )
    assert billed + len(legal.held(rows)) == len(rows)
