"""Test helpers: workbooks built in memory as the backends would hand them over."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sheetbill.domain.sheet import BookSnapshot, CellValue, SheetRow, Table

D = Decimal


def table(
    tab: str, headers: Sequence[str], rows: Sequence[Sequence[CellValue]]
) -> Table:
    sheet_rows = tuple(
        SheetRow(number, tuple(cells))
        for number, cells in enumerate(rows, start=2)
        if any(c not in (None, "") for c in cells)
    )
    return Table(tab, 1, tuple(headers), sheet_rows, last_row=1 + len(rows))


def snapshot(
    tables: Mapping[str, tuple[Sequence[str], Sequence[Sequence[CellValue]]]],
    version: str = "v1",
) -> BookSnapshot:
    built = {
        name: table(name, headers, rows) for name, (headers, rows) in tables.items()
    }
    return BookSnapshot(built, version, tuple(built))


SETTINGS_ROWS = [
    ["Company Name", "Test Shop"],
    ["Company Street", "Teststraße 1"],
    ["Company Postcode", "10115"],
    ["Company City", "Berlin"],
    ["Company Country", "DE"],
    ["IBAN", "DE89 3704 0044 0532 0130 00"],
    ["Company Tax ID", "DE123456789"],
    ["Default Currency", "EUR"],
    ["Default Tax Rate", D(19)],
    ["Payment Terms Days", D(14)],
]
CUSTOMER_HEADERS = [
    "Customer ID",
    "Name",
    "Email",
    "Currency",
    "Tax Rate",
    "Invoice Note",
]
# A 0 % customer's Invoice Note (what the law asks such an invoice to say).
EXPORT_NOTE = "Export of services: not taxable in Germany (Sec. 3a UStG)"
RATE_HEADERS = [
    "Customer ID",
    "Project",
    "Person",
    "Activity",
    "Rate",
    "Unit",
    "Currency",
]
TIME_HEADERS = [
    "Date",
    "Person",
    "Customer ID",
    "Project",
    "Activity",
    "Hours",
    "Description",
    "Billable",
    "Approved",
    "Invoice No",
    "Row ID",
]
ORDER_HEADERS = [
    "Date",
    "Customer ID",
    "Item",
    "Quantity",
    "Unit Price",
    "Tax Rate",
    "Description",
    "Invoice No",
    "Row ID",
    "Tax Category",
]


def time_row(
    day: date,
    person: str,
    customer: str,
    hours: CellValue,
    *,
    project: str = "Web",
    activity: str = "Dev",
    billable: str = "yes",
    approved: str = "yes",
    invoice_no: str = "",
    row_id: str = "",
    description: str = "",
) -> list[CellValue]:
    return [
        day,
        person,
        customer,
        project,
        activity,
        hours,
        description,
        billable,
        approved,
        invoice_no or None,
        row_id or None,
    ]


def write_xlsx(path: Path, sheets: Mapping[str, Sequence[Sequence[Any]]]) -> Path:
    """A real .xlsx as a person's spreadsheet program would save it (openpyxl)."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
    book.save(path)
    return path


def small_book(
    *,
    time_rows: Sequence[Sequence[CellValue]] = (),
    order_rows: Sequence[Sequence[CellValue]] = (),
    customers: Sequence[Sequence[CellValue]] | None = None,
    rates: Sequence[Sequence[CellValue]] | None = None,
    settings: Sequence[Sequence[CellValue]] = SETTINGS_ROWS,
    extra: Mapping[str, tuple[Sequence[str], Sequence[Sequence[CellValue]]]]
    | None = None,
) -> BookSnapshot:
    tables: dict[str, tuple[Sequence[str], Sequence[Sequence[CellValue]]]] = {
        "Settings": (["Key", "Value"], settings),
        "Customers": (
            CUSTOMER_HEADERS,
            customers
            if customers is not None
            else [
                ["C1", "Alpha GmbH", "a@alpha.example", "EUR", None],
                ["C2", "Beta Inc", "b@beta.example", "USD", D(0), EXPORT_NOTE],
                ["C3", "Gamma KK", "g@gamma.example", "JPY", D(10)],
            ],
        ),
        "Rates": (
            RATE_HEADERS,
            rates
            if rates is not None
            else [
                [None, None, None, None, D(100), "hour", None],
                ["C2", None, None, None, D(150), "hour", "USD"],
                ["C3", None, None, None, D(12000), "hour", "JPY"],
            ],
        ),
        "Time Log": (TIME_HEADERS, time_rows),
        "Orders": (ORDER_HEADERS, order_rows),
    }
    tables.update(extra or {})
    return snapshot(tables)


# What many case workbooks of ../shared/cases lack to be invoiced without a problem:
# the seller's address (no invoice goes out without it), an IBAN (else a warning) and
# a Default Tax Rate (their customers have no Tax Rate of their own). Tests about
# something else add them to their copy.
CASE_SETTINGS = (
    ("Company Address", "1 Quay Street, Galway H91 X2Y3, Ireland"),
    ("IBAN", "IE29 AIBK 9311 5212 3456 78"),
    ("Default Tax Rate", D(23)),
)


def add_settings_rows(
    book: Path, rows: Sequence[tuple[str, CellValue]] = CASE_SETTINGS
) -> Path:
    """Type the Key/Value rows whose Key no row has yet below the last row of a
    copied workbook's Settings tab, as a person would (with sheetbill's own writer, so
    nothing else in the file changes)."""
    from sheetbill.domain.sheet import CellWrite, WorkbookChanges
    from sheetbill.workbook.excel import ExcelWorkbook

    workbook = ExcelWorkbook(book, backups=0)
    snapshot = workbook.read()
    settings = snapshot.tables["Settings"]
    keys = {str(row.get(0)).casefold() for row in settings.rows}
    missing = [(key, value) for key, value in rows if key.casefold() not in keys]
    writes = tuple(
        CellWrite(row, column, cell)
        for row, (key, value) in enumerate(missing, start=settings.last_row + 1)
        for column, cell in ((0, key), (1, value))
    )
    if writes:
        workbook.apply(
            WorkbookChanges(writes={"Settings": writes}),
            expected_version=snapshot.version,
        )
    return book
