"""Money cells sheetbill writes show their currency's minor units (ISO 4217): JPY
without decimals, EUR with two, KWD with three; a unit price with more keeps them.

Read back three ways: the number format in the file (openpyxl), the value (calamine)
and the text LibreOffice shows (its CSV export writes cells as shown).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st
from readback import calamine_records, libreoffice_csv

from sheetbill.cli import main
from sheetbill.domain.model import Invoice as PlannedInvoice
from sheetbill.domain.model import InvoiceKind, InvoiceLine, TaxMode
from sheetbill.domain.money import known_currencies, minor_units
from sheetbill.domain.schema import INVOICE_LINES, INVOICES
from sheetbill.domain.sheet import CellWrite, ColumnFormat, WorkbookChanges
from sheetbill.planning.recovery import PendingMatch
from sheetbill.tabs.validation import validate_book
from sheetbill.writeback.plan import plan_writes

from helpers import (
    CUSTOMER_HEADERS,
    ORDER_HEADERS,
    RATE_HEADERS,
    SETTINGS_ROWS,
    TIME_HEADERS,
    small_book,
    write_xlsx,
)

D = Decimal
DAY = date(2026, 11, 3)
INVOICE_MONEY = ("Net", "Tax", "Total", "Paid", "Balance")
LINE_MONEY = ("Unit Price", "Net", "Tax", "Total")


def _shop(path, orders):
    return write_xlsx(
        path,
        {
            "Settings": [["Key", "Value"], *SETTINGS_ROWS],
            "Customers": [
                CUSTOMER_HEADERS,
                ["C1", "Alpha GmbH", "a@alpha.example", "EUR"],
                ["C2", "Gamma KK", "g@gamma.example", "JPY", D(10)],
                ["C3", "Kuwait Trading", "k@kuwait.example", "KWD", D(0), "Export"],
            ],
            "Rates": [RATE_HEADERS],
            "Time Log": [TIME_HEADERS],
            "Orders": [ORDER_HEADERS, *orders],
        },
    )


def _order(customer: str, item: str, quantity: str, price: str) -> list[object]:
    return [DAY, customer, item, D(quantity), D(price)]


def _formats(path, tab: str, columns: tuple[str, ...]) -> dict[str, list[str]]:
    """Per currency of the row, the number format of each money cell."""
    sheet = openpyxl.load_workbook(path)[tab]
    rows = list(sheet.iter_rows())
    headers = [c.value for c in rows[0]]
    currency_of = {}
    if tab == "Invoices":
        at = headers.index("Currency")
        currency_of = {r[0].value: r[at].value for r in rows[1:]}
    found: dict[str, list[str]] = {}
    for row in rows[1:]:
        currency = currency_of.get(row[0].value) or _line_currency(path, row[0].value)
        for column in columns:
            found.setdefault(currency, []).append(
                row[headers.index(column)].number_format
            )
    return found


def _line_currency(path, number: str) -> str:
    invoices = calamine_records(path, "Invoices")
    return next(str(r["Currency"]) for r in invoices if r["Invoice No"] == number)


def test_run_writes_amounts_in_their_currencys_minor_units(tmp_path, capsys):
    """The reported case: a JPY invoice showed 1,143,450.00. Every money cell of
    Invoices and Invoice Lines now shows the currency's decimals, in a new tab and
    in rows appended to it later, in Excel's file and in LibreOffice."""
    book = _shop(
        tmp_path / "shop.xlsx",
        [
            _order("C1", "Machine", "1", "2345678.90"),
            _order("C1", "Screws", "100", "0.1234"),
            _order("C2", "Licence", "3", "381150"),
            _order("C3", "Service", "1", "12.5"),
        ],
    )
    assert main(["run", str(book), "--as-of", "2026-11-05"]) == 0
    # A second run appends to the tabs the first one made.
    wb = openpyxl.load_workbook(book)
    wb["Orders"].append([DAY, "C2", "Support", 1, 999])
    wb.save(book)
    assert main(["run", str(book), "--as-of", "2026-11-06"]) == 0
    capsys.readouterr()

    wanted = {"EUR": "#,##0.00", "JPY": "#,##0", "KWD": "#,##0.000"}
    for currency, formats in _formats(book, "Invoices", INVOICE_MONEY).items():
        assert set(formats) == {wanted[currency]}, currency
    lines = _formats(book, "Invoice Lines", LINE_MONEY)
    assert set(lines["JPY"]) == {"#,##0"} and set(lines["KWD"]) == {"#,##0.000"}
    # The unit price of 0.1234 keeps its four decimals; amounts have two.
    assert set(lines["EUR"]) == {"#,##0.00", "#,##0.0000"}

    invoices = calamine_records(book, "Invoices")
    assert [(r["Currency"], r["Total"]) for r in invoices] == [
        ("EUR", 2791372.58),
        ("JPY", 1257795.0),
        ("KWD", 12.5),
        ("JPY", 1099.0),
    ]
    shown = libreoffice_csv([book], tmp_path / "csv", as_shown=True)[book]
    header, *rows = shown["Invoices"]
    seen = [
        [row[header.index(c)] for c in ("Currency", *INVOICE_MONEY)] for row in rows
    ]
    assert seen == [
        ["EUR", "2,345,691.24", "445,681.34", "2,791,372.58", "0.00", "2,791,372.58"],
        ["JPY", "1,143,450", "114,345", "1,257,795", "0", "1,257,795"],
        ["KWD", "12.500", "0.000", "12.500", "0.000", "12.500"],
        ["JPY", "999", "100", "1,099", "0", "1,099"],
    ]
    header, *rows = shown["Invoice Lines"]
    prices = [row[header.index("Unit Price")] for row in rows]
    assert prices == ["2,345,678.90", "0.1234", "381,150", "12.500", "999"]


def test_a_format_a_person_chose_for_a_money_column_is_kept(tmp_path, capsys):
    """A currency format a person gave the Net column stays on the rows below."""
    book = _shop(tmp_path / "shop.xlsx", [_order("C2", "Licence", "3", "381150")])
    assert main(["run", str(book), "--as-of", "2026-11-05"]) == 0
    wb = openpyxl.load_workbook(book)
    sheet = wb["Invoices"]
    net = [c.value for c in sheet[1]].index("Net") + 1
    sheet.cell(2, net).number_format = '"¥"#,##0'
    letter = openpyxl.utils.get_column_letter(net)
    sheet.column_dimensions[letter].number_format = '"¥"#,##0'
    wb["Orders"].append([DAY, "C2", "Support", 1, 999])
    wb.save(book)
    assert main(["run", str(book), "--as-of", "2026-11-06"]) == 0
    capsys.readouterr()
    sheet = openpyxl.load_workbook(book)["Invoices"]
    assert sheet.cell(3, net).number_format == '"¥"#,##0'


def _planned(currency: str, amount: Decimal, price: Decimal) -> PlannedInvoice:
    line = InvoiceLine(1, "Work", D(1), "item", price, D(0), amount, D(0), amount, ())
    return PlannedInvoice(
        number="INV-2026-0001",
        kind=InvoiceKind.INVOICE,
        customer_id="C1",
        customer_name="Alpha",
        currency=currency,
        issue_date=DAY,
        due_date=DAY,
        tax_mode=TaxMode.EXCLUSIVE,
        lines=(line,),
        net=amount,
        tax=D(0),
        total=amount,
        breakdown=(),
        work_complete=None,
    )


@settings(max_examples=80, deadline=None)
@given(
    currency=st.sampled_from(sorted(known_currencies())),
    cents=st.integers(min_value=0, max_value=10**15),
    price_places=st.integers(min_value=0, max_value=6),
)
def test_plan_writes_money_with_at_least_the_currencys_minor_units(
    currency, cents, price_places
):
    """Whatever the currency and however an amount's Decimal was made (1E+3, 5,
    5.0), the planner writes each amount with exactly the currency's minor units
    and a unit price with at least them: the decimals a money cell shows."""
    digits = minor_units(currency)
    amount = D(cents).scaleb(-digits).normalize()
    price = D(cents).scaleb(-price_places)
    data = validate_book(small_book(), today=DAY, billed={})
    plan = plan_writes(
        data,
        new=[_planned(currency, amount, price)],
        pending_invoices=[],
        pending=PendingMatch({}, frozenset(), ()),
        problems=[],
        today=DAY,
        now=datetime(2026, 11, 3, 9),
        run_id="r",
    )
    for schema, columns in ((INVOICES, INVOICE_MONEY), (INVOICE_LINES, LINE_MONEY)):
        at = {schema.columns.index(schema.column(c)): c for c in columns}
        written = [w for w in plan.changes.writes[schema.name] if w.column in at]
        assert {at[w.column] for w in written} == set(columns)
        for write in written:
            places = -write.value.as_tuple().exponent
            if at[write.column] == "Unit Price":
                assert places == max(digits, price_places) and write.value == price
            else:
                assert places == digits, (currency, write)


def test_google_sheet_shows_amounts_in_their_currencys_minor_units(google_book):
    """The Google backend formats money cells as the Excel one does."""
    book = google_book({"Sheet1": []})
    total = [c.name for c in INVOICES.columns].index("Total")
    snapshot = book.workbook.read()
    book.workbook.apply(
        WorkbookChanges(
            new_tabs=(INVOICES.spec(),),
            writes={
                "Invoices": tuple(
                    CellWrite(row, total, amount, f"INV-{row}")
                    for row, amount in enumerate(
                        [D("2345678.90"), D("1143450"), D("12.500"), D("0.1234")],
                        start=2,
                    )
                )
            },
            formats={"Invoices": {total: ColumnFormat.MONEY}},
        ),
        expected_version=snapshot.version,
    )
    shown = book.values("Invoices", option="FORMATTED_VALUE")
    assert [row[total] for row in shown[1:]] == [
        "2,345,678.90",
        "1,143,450",
        "12.500",
        "0.1234",
    ]
