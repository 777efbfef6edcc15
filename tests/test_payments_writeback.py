"""The Payments tab written (writeback/payments.py): the rows `payments import`
appends, read back as the same payments through real workbooks (an .xlsx re-read
with calamine and reopened by LibreOffice, a Google Sheet on the local Sheets API
server), with a bank text that starts with = + - @ kept as text; and sheetbill's
own cells of each row, written only where the row shows something else."""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from readback import calamine_rows, libreoffice_csv, zip_parts

from sheetbill.domain.model import Settings
from sheetbill.domain.payments import PaymentCells, Transaction, TransactionKind
from sheetbill.domain.schema import PAYMENTS, PaymentColumns
from sheetbill.domain.sheet import BookSnapshot, CellWrite, WorkbookChanges
from sheetbill.tabs.payments import method_text, read_payments
from sheetbill.tabs.validation import locate_tabs
from sheetbill.workbook.excel import ExcelWorkbook
from sheetbill.writeback.payments import IMPORTED, appended_payments, payment_writes
from sheetbill.writeback.writer import TabWriter

from helpers import snapshot, write_xlsx

D = Decimal
C = PaymentColumns
HEADERS = [c.name for c in PAYMENTS.columns]
EUR = Settings()
# Texts a spreadsheet would take for a formula if they were typed into a cell.
FORMULA_LIKE = ["=1+1", '=HYPERLINK("http://x.example","pay")', "+49 30 1234", "-2+3"]
FORMULA_LIKE += ["@SUM(A1:A2)", "=cmd|' /C calc'!A0"]

TRANSACTIONS = [
    Transaction(
        booked=date(2026, 10, 30),
        amount=D("1190.5"),
        currency="EUR",
        payer=FORMULA_LIKE[1],
        payer_account="DE89370400440532013000",
        reference=FORMULA_LIKE[0],
        method="bank transfer",
        transaction_id="00123",
    ),
    Transaction(
        booked=date(2026, 10, 31),
        amount=D(25),
        payer=FORMULA_LIKE[2],
        reference=FORMULA_LIKE[3],
        method="card",
    ),
    Transaction(
        booked=date(2026, 11, 1),
        amount=D(100),
        currency="EUR",
        reference=FORMULA_LIKE[4],
        method="Stripe",
        fee=D("3.2"),
        net=D("96.8"),
        payout="po_1",
        transaction_id="ch_1",
    ),
    Transaction(
        booked=date(2026, 11, 2),
        amount=D("-96.8"),
        method="Stripe",
        payout="po_1",
        transaction_id="po_1",
        kind=TransactionKind.PAYOUT,
    ),
    Transaction(
        booked=date(2026, 11, 2),
        amount=D(-2),
        method="Stripe",
        transaction_id="txn_fee",
        kind=TransactionKind.FEE,
    ),
    Transaction(
        booked=date(2026, 11, 3),
        amount=D(-50),
        reference=FORMULA_LIKE[5],
        method="Stripe",
        transaction_id="re_1",
        kind=TransactionKind.REFUND,
    ),
    Transaction(booked=date(2026, 11, 3), amount=D(5000), currency="jpy"),
]


def changes_of(writer: TabWriter) -> WorkbookChanges:
    """A writer's cells as the run's write plan hands them to a backend."""
    return WorkbookChanges(
        (writer.schema.spec(),) if writer.is_new else (),
        {writer.name: tuple(writer.cells)},
        {writer.name: writer.formats()},
        {} if writer.appended_from is None else {writer.name: writer.appended_from},
    )


def import_into(workbook, transactions=TRANSACTIONS, settings=EUR):  # type: ignore[no-untyped-def]
    """Append `transactions` as `payments import` does; the writer."""
    before = workbook.read()
    layout = locate_tabs(before, {}).get("Payments")
    writer = appended_payments(layout, transactions, settings=settings)
    workbook.apply(changes_of(writer), expected_version=before.version)
    return writer


def payments_of(book: BookSnapshot, settings=EUR):  # type: ignore[no-untyped-def]
    rows, problems = read_payments(locate_tabs(book, {}).get("Payments"), settings)
    assert problems == []
    return rows


def assert_read_back_as_imported(rows, transactions=TRANSACTIONS, settings=EUR):  # type: ignore[no-untyped-def]
    assert len(rows) == len(transactions)
    for payment, tx in zip(rows, transactions, strict=True):
        assert (
            payment.booked,
            payment.amount,
            payment.currency,
            payment.payer,
            payment.payer_account,
            payment.reference,
            payment.method,
            payment.fee,
            payment.payout,
            payment.transaction_id,
            payment.kind,
            payment.invoice_numbers,
        ) == (
            tx.booked,
            tx.amount,
            tx.currency.upper() or settings.default_currency,
            tx.payer,
            tx.payer_account,
            tx.reference,
            method_text(tx.method, tx.kind),
            tx.fee,
            tx.payout,
            tx.transaction_id,
            tx.kind,
            (),
        )


def new_workbook(path: Path) -> ExcelWorkbook:
    ExcelWorkbook.create_new(path, [PAYMENTS.spec()])
    return ExcelWorkbook(path, backups=0)


# --- Appended rows ----------------------------------------------------------------


def test_imported_rows_read_back_as_the_transactions_from_a_real_xlsx(tmp_path):
    book = new_workbook(tmp_path / "shop.xlsx")
    writer = import_into(book)
    assert writer.appended_from == 2
    assert_read_back_as_imported(payments_of(book.read()))


def test_text_that_starts_like_a_formula_stays_text_in_the_xlsx(tmp_path):
    """Calamine reads the very texts; the file holds no formula; LibreOffice, which
    recomputes every formula it opens, shows them as typed (=1+1, not 2)."""
    path = tmp_path / "shop.xlsx"
    import_into(new_workbook(path))
    cells = {str(c) for row in calamine_rows(path, "Payments") for c in row}
    assert set(FORMULA_LIKE) <= cells
    assert "00123" in cells  # an id of digits keeps its zeros
    sheets = [v for k, v in zip_parts(path).items() if k.startswith("xl/worksheets/")]
    assert sheets and not any(b"<f>" in part or b"<f " in part for part in sheets)
    office = libreoffice_csv([path], tmp_path / "csv", as_shown=True)[path]["Payments"]
    shown = {c for row in office for c in row}
    assert set(FORMULA_LIKE) <= shown
    amount = HEADERS.index(C.AMOUNT)
    assert office[1][amount].replace(",", "") == "1190.50"  # EUR's minor units


def test_text_that_starts_like_a_formula_stays_text_in_a_google_sheet(google_book):
    book = google_book({"Payments": [HEADERS]})
    import_into(book.workbook)
    sheet = book.server.book(book.spreadsheet_id).sheet("Payments")
    reference = HEADERS.index(C.REFERENCE)
    cell = sheet.cell(1, reference)
    assert (cell.value, cell.formula) == ("=1+1", None)
    raw = book.values("Payments", option="FORMULA")
    assert set(FORMULA_LIKE) <= {c for row in raw for c in row}
    assert_read_back_as_imported(payments_of(book.workbook.read()))


def test_rows_go_below_the_last_used_row_and_say_where_they_start(tmp_path):
    """A row with only sheetbill's cells, or a person's note right of the tab,
    is used: new rows start below it, and `appended_from` says so, so a backend
    refuses to write over a row typed meanwhile."""
    path = write_xlsx(
        tmp_path / "shop.xlsx",
        {
            "Payments": [
                HEADERS,
                [date(2026, 10, 1), 5, "EUR"],
                [None] * HEADERS.index(C.STATUS) + ["matched"],
            ]
        },
    )
    book = ExcelWorkbook(path, backups=0)
    writer = import_into(book, TRANSACTIONS[:2])
    assert writer.appended_from == 4
    rows = calamine_rows(path, "Payments")
    assert [r[HEADERS.index(C.REFERENCE)] for r in rows[3:]] == FORMULA_LIKE[0:4:3]


def test_an_older_tab_gains_the_columns_the_file_fills_and_no_other(tmp_path):
    """A Payments tab made before the import: Fee, Payout and Transaction ID are
    added at its right (past a person's own column) because the file has them;
    Payer Account is not, because no transaction has one; the rows already there
    keep their places."""
    old = ["Date", "Amount", "Currency", "Payer", "Reference", "Method", "Invoice No"]
    old += ["Matched Invoice", "Status", "Receipt Sent", "Row ID", "My Note"]
    path = write_xlsx(
        tmp_path / "shop.xlsx",
        {"Payments": [old, [date(2026, 10, 1), 5, "EUR", "Ann", *[None] * 7, "x"]]},
    )
    book = ExcelWorkbook(path, backups=0)
    charge = TRANSACTIONS[2]
    import_into(book, [charge])
    rows = calamine_rows(path, "Payments")
    assert rows[0] == [*old, "Fee", "Payout", "Transaction ID", "Match Note"]
    assert rows[1][: len(old)] == [date(2026, 10, 1), 5.0, "EUR", "Ann", *[""] * 7, "x"]
    assert rows[2][len(old) :] == [3.2, "po_1", "ch_1", ""]
    assert_read_back_as_imported(payments_of(book.read())[1:], [charge])


def test_no_payments_tab_the_import_makes_it():
    writer = appended_payments(None, TRANSACTIONS[:1], settings=EUR)
    assert writer.is_new and writer.name == "Payments"
    assert {w.row for w in writer.cells} == {2}


AMOUNTS = st.decimals(min_value=D("-1e9"), max_value=D("1e9"), places=3)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    st.lists(
        st.tuples(AMOUNTS, st.sampled_from(["EUR", "JPY", "KWD", "CHF", ""])),
        min_size=1,
        max_size=4,
    ),
    st.sampled_from(["en_US", "de_DE", "fr_FR", "es_ES"]),
)
def test_imported_amounts_read_back_exactly_from_an_xlsx_in_any_locale(cases, locale):
    """Property: an amount written into an .xlsx and read back (calamine's float)
    in any Settings locale is the amount imported, to the last digit of its
    currency's minor units (JPY none, KWD three); the cell holds at least them."""
    shop = Settings(locale=locale, default_currency="EUR")
    transactions = []
    for amount, currency in cases:
        step = D(1).scaleb(-_minor(currency))
        exact = amount.quantize(step)
        transactions.append(
            Transaction(
                booked=date(2026, 10, 1),
                amount=exact,
                currency=currency,
                fee=(abs(exact) / 40).quantize(step),
                kind=TransactionKind.REFUND if exact < 0 else TransactionKind.PAYMENT,
            )
        )
    with tempfile.TemporaryDirectory() as folder:
        book = new_workbook(Path(folder) / "shop.xlsx")
        writer = import_into(book, transactions, shop)
        assert_read_back_as_imported(payments_of(book.read(), shop), transactions, shop)
    written = [w.value for w in writer.cells if w.column == HEADERS.index(C.AMOUNT)]
    for value, tx in zip(written, transactions, strict=True):
        minor = _minor(tx.currency or "EUR")
        assert -value.as_tuple().exponent >= minor  # 5 EUR is written 5.00


def _minor(currency: str) -> int:
    return {"JPY": 0, "KWD": 3}.get(currency, 2)


def test_the_import_fills_every_column_it_names_and_never_invoice_no():
    assert C.INVOICE_NO not in IMPORTED
    writer = appended_payments(None, TRANSACTIONS[2:3], settings=EUR)
    filled = {HEADERS[w.column] for w in writer.cells}
    assert filled == set(IMPORTED) - {C.PAYER, C.PAYER_ACCOUNT}


# --- sheetbill's cells of existing rows -------------------------------------------

SENT = datetime(2026, 11, 2, 9, 30, 15)


def _tab(*rows: dict, headers=HEADERS):  # type: ignore[no-untyped-def]
    book = snapshot(
        {"Payments": (headers, [[r.get(h) for h in headers] for r in rows])}
    )
    return locate_tabs(book, {})["Payments"]


SHOWING = {
    C.DATE: date(2026, 10, 1),
    C.AMOUNT: D(5),
    C.MATCHED_INVOICE: "INV-1",
    C.STATUS: "matched",
    C.MATCH_NOTE: 'reference "INV-1" names INV-1',
    C.RECEIPT_SENT: SENT,
    C.ROW_ID: "P-000001",
}
SAME = PaymentCells(2, "P-000001", "INV-1", "matched", SHOWING[C.MATCH_NOTE], SENT)


def _writes(writer: TabWriter | None) -> dict[str, tuple[object, str | None]]:
    assert writer is not None
    return {HEADERS[w.column]: (w.value, w.row_key) for w in writer.cells if w.row > 1}


def test_a_row_that_shows_its_cells_gets_no_write():
    """Case and surrounding spaces aside; a Google Sheet's time as a serial number
    is the same time."""
    assert payment_writes(_tab(SHOWING), [SAME]) is None
    shouted = SHOWING | {C.STATUS: " Matched ", C.RECEIPT_SENT: D("46328.396006944")}
    assert payment_writes(_tab(shouted), [SAME]) is None
    assert payment_writes(None, [SAME]) is None
    assert payment_writes(_tab(SHOWING), []) is None


def test_only_the_cells_that_differ_are_written_keyed_by_the_rows_id():
    cells = PaymentCells(2, "P-000001", "INV-1, INV-2", "over-payment", "more", SENT)
    assert _writes(payment_writes(_tab(SHOWING), [cells])) == {
        C.MATCHED_INVOICE: ("INV-1, INV-2", "P-000001"),
        C.STATUS: ("over-payment", "P-000001"),
        C.MATCH_NOTE: ("more", "P-000001"),
    }


def test_a_match_undone_clears_its_cells_but_never_the_row_id_or_receipt_sent():
    cells = PaymentCells(2, "", "", "unmatched", "", None)
    assert _writes(payment_writes(_tab(SHOWING), [cells])) == {
        C.MATCHED_INVOICE: (None, "P-000001"),
        C.STATUS: ("unmatched", "P-000001"),
        C.MATCH_NOTE: (None, "P-000001"),
    }


def test_a_new_row_gets_its_row_id_and_a_receipt_time():
    bare = {C.DATE: date(2026, 10, 1), C.AMOUNT: D(5)}
    cells = PaymentCells(2, "P-000007", "INV-1", "matched", "note", SENT)
    assert _writes(payment_writes(_tab(bare), [cells])) == {
        C.MATCHED_INVOICE: ("INV-1", "P-000007"),
        C.STATUS: ("matched", "P-000007"),
        C.MATCH_NOTE: ("note", "P-000007"),
        C.RECEIPT_SENT: (SENT, "P-000007"),
        C.ROW_ID: ("P-000007", "P-000007"),
    }


def test_a_tab_without_match_note_gains_it_when_a_note_is_written():
    old = [h for h in HEADERS if h != C.MATCH_NOTE]
    writer = payment_writes(_tab(SHOWING, headers=old), [SAME])
    assert writer is not None
    header = [w for w in writer.cells if w.row == 1]
    assert header == [CellWrite(1, len(old), C.MATCH_NOTE)]
    assert [(w.column, w.value) for w in writer.cells if w.row == 2] == [
        (len(old), SHOWING[C.MATCH_NOTE])
    ]


def test_written_cells_read_back_and_a_second_plan_writes_nothing(tmp_path):
    path = tmp_path / "shop.xlsx"
    book = new_workbook(path)
    import_into(book, TRANSACTIONS[:2])
    cells = [
        PaymentCells(2, "P-000001", "INV-1", "matched", "=note", SENT),
        PaymentCells(3, "P-000002", "", "unmatched", "no invoice of 25.00", None),
    ]
    before = book.read()
    writer = payment_writes(locate_tabs(before, {})["Payments"], cells)
    assert writer is not None
    book.apply(changes_of(writer), expected_version=before.version)
    after = book.read()
    assert payment_writes(locate_tabs(after, {})["Payments"], cells) is None
    rows = payments_of(after)
    assert [
        (r.row_id, r.shown.get(C.STATUS), r.shown.get(C.MATCH_NOTE)) for r in rows
    ] == [
        ("P-000001", "matched", "=note"),
        ("P-000002", "unmatched", "no invoice of 25.00"),
    ]
    assert rows[0].shown[C.RECEIPT_SENT] == SENT


def test_a_sorted_google_sheet_gets_each_rows_cells_on_that_row(google_book):
    """A person sorts the tab between the read and the write: each row's cells go
    where its Row ID now is."""
    book = google_book(
        {
            "Payments": [
                HEADERS,
                [date(2026, 10, 1), 5, *[None] * 13, "P-000001"],
                [date(2026, 10, 2), 6, *[None] * 13, "P-000002"],
            ]
        }
    )
    before = book.workbook.read()
    layout = locate_tabs(before, {})["Payments"]
    writer = payment_writes(
        layout,
        [
            PaymentCells(2, "P-000001", "INV-1", "matched", "", None),
            PaymentCells(3, "P-000002", "", "unmatched", "", None),
        ],
    )
    assert writer is not None
    sheet = book.server.book(book.spreadsheet_id).sheet("Payments")
    sheet.sort_rows(1, 3, 0, len(HEADERS), [(1, False)])  # by Amount, descending
    book.workbook.apply(changes_of(writer), expected_version=before.version)
    records = book.records("Payments")
    assert [(r[C.ROW_ID], r[C.STATUS]) for r in records] == [
        ("P-000002", "unmatched"),
        ("P-000001", "matched"),
    ]


@pytest.mark.parametrize("column", [C.MATCHED_INVOICE, C.STATUS, C.MATCH_NOTE])
def test_a_persons_text_in_sheetbills_cell_is_written_over(column):
    """sheetbill's (S) cells show the run's decision, whatever was typed there."""
    typed = SHOWING | {column: "typed by hand"}
    assert set(_writes(payment_writes(_tab(typed), [SAME]))) == {column}
