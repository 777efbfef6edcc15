"""What an e-invoice profile requires is asked for on its cell before any number is
drawn, and the customer waits until it is there: no invalid e-invoice is written."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from einvoice_rules import judge
from hypothesis import given, settings
from hypothesis import strategies as st
from readback import calamine_records

from sheetbill.cli import main
from sheetbill.domain.model import Severity
from sheetbill.tabs.e_invoices import e_invoice_gaps
from sheetbill.tabs.validation import validate_book

from helpers import TIME_HEADERS, small_book, time_row, write_xlsx

D = Decimal
DAY = date(2026, 10, 30)
SELLER = [
    ["Company Name", "Northwind Studio GmbH"],
    ["Company Street", "Torstraße 140"],
    ["Company Postcode", "10119"],
    ["Company City", "Berlin"],
    ["Company Country", "Germany"],
    ["Company Tax ID", "DE298765431"],
    ["Contact Name", "Accounts"],
    ["Contact Phone", "+49 30 1234567"],
    ["Contact Email", "invoices@northwind.example"],
    ["IBAN", "DE89 3704 0044 0532 0130 00"],
    ["Default Tax Rate", D(19)],
]
HEADERS = [
    "Customer ID",
    "Name",
    "Email",
    "Street",
    "Postcode",
    "City",
    "Country",
    "E-Invoice",
    "Buyer Reference",
]
PUBLIC_BUYER = {
    "Customer ID": "C1",
    "Name": "Bezirksamt Pankow",
    "Email": "rechnung@pankow.example",
    "Street": "Breite Straße 24",
    "Postcode": "13187",
    "City": "Berlin",
    "Country": "DE",
    "E-Invoice": "xrechnung",
    "Buyer Reference": "04011000-12345-03",
}
REQUIRED = {
    "factur-x": ("Country",),
    "xrechnung": ("Postcode", "City", "Country", "Buyer Reference", "Email"),
}
SELLER_NEEDS = {
    "factur-x": ("Company Name", "Company Tax ID"),
    "xrechnung": (
        "Company Name",
        "Company Tax ID",
        "Company Postcode",
        "Company City",
        "Contact Name",
        "Contact Phone",
        "Contact Email",
        "IBAN",
    ),
}


def gaps(customer: dict[str, str], seller=SELLER, headers=HEADERS):
    book = small_book(
        settings=seller,
        customers=[[customer.get(h) for h in headers]],
        extra={"Customers": (headers, [[customer.get(h) for h in headers]])},
    )
    data = validate_book(book, today=DAY, billed={})
    return data, e_invoice_gaps(data)


def test_a_complete_xrechnung_customer_has_no_gap():
    _, found = gaps(PUBLIC_BUYER)
    assert found.problems == () and found.customers == frozenset()


@pytest.mark.parametrize(
    ("profile", "column"),
    [(p, c) for p, columns in REQUIRED.items() for c in columns],
)
def test_each_value_a_profile_requires_of_the_buyer_is_asked_for_on_its_cell(
    profile, column
):
    customer = {**PUBLIC_BUYER, "E-Invoice": profile, column: ""}
    _, found = gaps(customer)
    (problem,) = found.problems
    assert (problem.tab, problem.row, problem.column) == ("Customers", 2, column)
    assert problem.severity is Severity.ERROR and problem.customer_id == "C1"
    assert "is empty" in problem.problem and "Fill in" in problem.fix
    assert found.customers == {"C1"}


def test_the_buyer_reference_never_falls_back_to_the_customer_id():
    _, found = gaps({**PUBLIC_BUYER, "Buyer Reference": ""})
    assert [p.column for p in found.problems] == ["Buyer Reference"]
    assert "Leitweg-ID" in found.problems[0].problem


@given(
    reference=st.from_regex(r"\d{2,12}-[0-9A-Z]{1,8}-\d{2}", fullmatch=True),
)
@settings(max_examples=40, deadline=None)
def test_a_leitweg_id_with_wrong_check_digits_is_a_warning(reference):
    """Leitweg-ID check digits are ISO 7064 mod 97-10 over the address parts."""
    from stdnum.iso7064 import mod_97_10

    _, found = gaps({**PUBLIC_BUYER, "Buyer Reference": reference})
    is_valid = mod_97_10.is_valid(reference.replace("-", ""))
    assert [p.severity for p in found.problems] == (
        [] if is_valid else [Severity.WARNING]
    )
    assert found.customers == frozenset()  # billed all the same


def test_a_workbook_without_postcode_and_city_columns_is_told_to_add_them():
    old = [h for h in HEADERS if h not in ("Postcode", "City")]
    address = "Breite Straße 24, 13187 Berlin"
    _, found = gaps({**PUBLIC_BUYER, "Street": address}, headers=old)
    assert [(p.column, p.value) for p in found.problems] == [
        ("Postcode", ""),
        ("City", ""),
    ]
    assert "Add a Postcode column" in found.problems[0].fix


@pytest.mark.parametrize("profile", ["factur-x", "xrechnung"])
def test_each_value_a_profile_requires_of_the_seller_is_asked_for_on_its_row(
    profile,
):
    customer = {**PUBLIC_BUYER, "E-Invoice": profile}
    for key in SELLER_NEEDS[profile]:
        seller = [[k, "" if k == key else v] for k, v in SELLER]
        _, found = gaps(customer, seller=seller)
        (problem,) = found.problems
        row = 2 + [k for k, _ in SELLER].index(key)
        assert (problem.tab, problem.row, problem.column) == ("Settings", row, "Value")
        assert f"'{key}' is empty" in problem.problem and "C1" in problem.fix
        assert found.customers == {"C1"}
        missing = [row for row in SELLER if row[0] != key]
        _, found = gaps(customer, seller=missing)
        assert found.problems[0].row is None and "Add a row" in found.problems[0].fix


def test_a_tax_number_without_country_prefix_is_not_enough_for_an_e_invoice():
    seller = [[k, "22/815/08154" if k == "Company Tax ID" else v] for k, v in SELLER]
    _, found = gaps({**PUBLIC_BUYER, "E-Invoice": "factur-x"}, seller=seller)
    assert ["BR-CO-26" in p.problem for p in found.problems] == [True]


def test_the_seller_country_may_come_from_the_vat_number_prefix():
    seller = [row for row in SELLER if row[0] != "Company Country"]
    _, found = gaps(PUBLIC_BUYER, seller=seller)
    assert found.problems == ()


def test_an_e_invoice_cell_naming_no_profile_holds_the_customer():
    _, found = gaps({**PUBLIC_BUYER, "E-Invoice": "xrechung"})
    assert [(p.column, p.value) for p in found.problems] == [("E-Invoice", "xrechung")]
    assert found.customers == {"C1"}
    _, found = gaps({**PUBLIC_BUYER, "E-Invoice": "ZUGFeRD"})
    assert found.problems == ()


def test_customers_without_e_invoices_need_none_of_it():
    bare = {"Customer ID": "C1", "Name": "Alpha", "E-Invoice": "none"}
    _, found = gaps(bare, seller=[["Company Name", "Shop"]])
    assert found.problems == ()


def shop(folder: Path, reference: str) -> Path:
    folder.mkdir(exist_ok=True)
    beta = {
        **PUBLIC_BUYER,
        "Customer ID": "C2",
        "Name": "Beta GmbH",
        "E-Invoice": "none",
        "Buyer Reference": "",
    }
    return write_xlsx(
        folder / "shop.xlsx",
        {
            "Settings": [["Key", "Value"], *SELLER],
            "Customers": [
                HEADERS,
                [{**PUBLIC_BUYER, "Buyer Reference": reference}[h] for h in HEADERS],
                [beta[h] for h in HEADERS],
            ],
            "Rates": [["Rate", "Unit"], [100, "hour"]],
            "Time Log": [
                TIME_HEADERS,
                time_row(DAY, "Ann Berg", "C1", 6),
                time_row(DAY, "Ann Berg", "C2", 1),
            ],
        },
    )


def test_a_run_holds_the_customer_draws_no_number_and_writes_no_file(tmp_path, capsys):
    """Until the Leitweg-ID is there, C1 is not billed; then its XRechnung passes."""
    book = shop(tmp_path / "shop", reference="")
    invoices = book.parent / "invoices"
    assert main(["run", str(book), "--as-of", "2026-11-02", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert [(p["tab"], p["row"], p["column"]) for p in out["exceptions"]] == [
        ("Customers", 2, "Buyer Reference")
    ]
    rows = calamine_records(book, "Invoices")
    assert [(r["Invoice No"], r["Customer ID"]) for r in rows] == [
        ("INV-2026-0001", "C2")
    ]
    assert not list(invoices.glob("*.xml"))

    workbook = openpyxl.load_workbook(book)  # a person fills in the Leitweg-ID
    workbook["Customers"].cell(
        2, HEADERS.index("Buyer Reference") + 1
    ).value = "04011000-12345-03"
    workbook.save(book)
    assert main(["run", str(book), "--as-of", "2026-11-02"]) == 0
    xml = invoices / "INV-2026-0002.xml"
    verdict = judge(xml.read_bytes(), "xrechnung")
    assert verdict.is_clean, str(verdict)


def test_a_country_name_is_read_as_its_code_and_an_unknown_one_is_asked_for():
    data, found = gaps({**PUBLIC_BUYER, "Country": "Deutschland"})
    assert data.customers["C1"].country == "DE" and found.problems == ()
    data, found = gaps({**PUBLIC_BUYER, "Country": "Narnia"})
    (warning,) = [p for p in data.problems if p.column == "Country"]
    assert warning.severity is Severity.WARNING and warning.value == "Narnia"
    assert [(p.column, p.severity) for p in found.problems] == [
        ("Country", Severity.ERROR)
    ]
    assert "not a country sheetbill knows" in found.problems[0].problem


@pytest.mark.parametrize("profile", ["factur-x", "xrechnung"])
@pytest.mark.parametrize(
    ("currency", "is_held"),
    [("KWD", True), ("BHD", True), ("JPY", False), ("EUR", False)],
)
def test_an_e_invoice_in_a_currency_with_three_decimals_holds_the_customer(
    profile, currency, is_held
):
    """EN 16931 allows amounts with 2 decimals at most (BR-DEC-*): a KWD e-invoice
    would be rejected, so the customer waits with an error on its Currency cell."""
    headers = [*HEADERS, "Currency"]
    customer = {**PUBLIC_BUYER, "E-Invoice": profile, "Currency": currency}
    _, found = gaps(customer, headers=headers)
    on_currency = [p for p in found.problems if p.column == "Currency"]
    assert bool(on_currency) is is_held
    assert (found.customers == {"C1"}) is is_held
    if is_held:
        (problem,) = on_currency
        assert (problem.row, problem.value) == (2, currency)
        assert "E-Invoice to none" in problem.fix
