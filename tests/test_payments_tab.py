"""The Payments tab read as payments (tabs/payments.py), the Customers' Payer Names
and IBAN, and the tab's columns in the starter and demo workbooks: a row with an
error is left out whole, every problem names its cell, numbers are read in the
Settings' locale."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import date, datetime
from decimal import Decimal

import pytest
from babel.numbers import format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st
from paths import DEMO
from readback import calamine_rows

from sheetbill.cli import main
from sheetbill.domain.model import Settings, Severity
from sheetbill.domain.payments import Payment, TransactionKind
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.schema import PAYMENTS, PaymentColumns, map_columns
from sheetbill.tabs.payments import (
    EDITABLE,
    PaymentRow,
    as_payment,
    kind_of,
    method_text,
    read_payments,
    split_invoice_numbers,
)
from sheetbill.tabs.rows import TabLayout
from sheetbill.tabs.validation import validate_book

from helpers import SETTINGS_ROWS, small_book, table, write_xlsx

D = Decimal
AS_OF = date(2026, 11, 3)
HEADERS = [c.name for c in PAYMENTS.columns]
EUR = Settings()
C = PaymentColumns


def layout(rows, headers=HEADERS):  # type: ignore[no-untyped-def]
    """The Payments tab of a workbook, located as validation locates it."""
    padded = [list(r) + [None] * (len(headers) - len(r)) for r in rows]
    return TabLayout(
        PAYMENTS,
        table("Payments", headers, padded),
        map_columns(PAYMENTS, "Payments", headers),
    )


def row(**cells):  # type: ignore[no-untyped-def]
    """A row of the full tab by column name (Date_ and Row_ID style: spaces as _)."""
    by_key = {h.replace(" ", "_").lower(): h for h in HEADERS}
    named = {by_key[k]: v for k, v in cells.items()}
    return [named.get(h) for h in HEADERS]


def read(rows, headers=HEADERS, settings=EUR):  # type: ignore[no-untyped-def]
    return read_payments(layout(rows, headers), settings)


def where(problems):  # type: ignore[no-untyped-def]
    return {(p.row, p.column): p.code for p in problems}


PAID = row(date=date(2026, 10, 30), amount=D("1190.00"))


def test_a_typed_row_reads_as_a_payment_with_every_cell():
    rows, problems = read(
        [
            row(
                date=datetime(2026, 10, 30),
                amount=D("1190.5"),
                currency="usd",
                payer="ACME GmbH",
                payer_account="de89 3704 0044 0532 0130 00",
                reference="RE: INV-2026-0007/ACME",
                method="bank transfer",
                invoice_no="INV-2026-0007; INV-2026-0008",
                fee=D("2.90"),
                payout="po_123",
                transaction_id="txn_9",
                matched_invoice="INV-2026-0007",
                status="matched",
                row_id="P-000004",
            )
        ]
    )
    assert problems == []
    [payment] = rows
    assert payment == PaymentRow(
        row=2,
        booked=date(2026, 10, 30),
        amount=D("1190.5"),
        currency="USD",
        payer="ACME GmbH",
        payer_account="DE89370400440532013000",
        reference="RE: INV-2026-0007/ACME",
        method="bank transfer",
        invoice_numbers=("INV-2026-0007", "INV-2026-0008"),
        fee=D("2.90"),
        payout="po_123",
        transaction_id="txn_9",
        kind=TransactionKind.PAYMENT,
        row_id="P-000004",
        shown={
            C.MATCHED_INVOICE: "INV-2026-0007",
            C.STATUS: "matched",
            C.ROW_ID: "P-000004",
        },
        fingerprint=payment.fingerprint,
    )
    assert payment.fingerprint


def test_blank_currency_is_the_settings_default_and_blank_rows_are_skipped():
    """A row with nothing a person fills is blank, even when sheetbill's cells of
    a payment deleted by clearing its cells still show."""
    rows, problems = read(
        [PAID, [None] * len(HEADERS), row(status="matched", row_id="P-000002")],
        settings=Settings(default_currency="CHF"),
    )
    assert problems == []
    assert [(r.row, r.currency) for r in rows] == [(2, "CHF")]


@pytest.mark.parametrize(
    ("cells", "column", "code"),
    [
        ({"amount": D(5)}, C.DATE, ProblemCode.CELL_EMPTY),
        ({"date": "someday", "amount": D(5)}, C.DATE, ProblemCode.CELL_UNREADABLE),
        ({"date": date(2026, 10, 1)}, C.AMOUNT, ProblemCode.CELL_EMPTY),
        (
            {"date": date(2026, 10, 1), "amount": "lots"},
            C.AMOUNT,
            ProblemCode.CELL_UNREADABLE,
        ),
        (
            {"date": date(2026, 10, 1), "amount": "#N/A"},
            C.AMOUNT,
            ProblemCode.CELL_FORMULA_FAILED,
        ),
        (
            {"date": date(2026, 10, 1), "amount": D(5), "reference": "#REF!"},
            C.REFERENCE,
            ProblemCode.CELL_FORMULA_FAILED,
        ),
        (
            {"date": date(2026, 10, 1), "amount": D(5), "fee": "#DIV/0!"},
            C.FEE,
            ProblemCode.CELL_FORMULA_FAILED,
        ),
        (
            {"date": date(2026, 10, 1), "amount": D(5), "currency": "EURO"},
            C.CURRENCY,
            ProblemCode.PAYMENTS_BAD_CURRENCY,
        ),
        (
            {"date": date(2026, 10, 1), "amount": "USD 5"},
            C.AMOUNT,
            ProblemCode.CELL_UNREADABLE,
        ),
        (
            {"date": date(2026, 10, 1), "amount": D(5), "invoice_no": True},
            C.INVOICE_NO,
            ProblemCode.PAYMENTS_BAD_INVOICE_NO,
        ),
        (
            {"date": date(2026, 10, 1), "amount": D(5), "row_id": "mine"},
            C.ROW_ID,
            ProblemCode.PAYMENTS_ROW_ID_NOT_SHEETBILLS,
        ),
        (
            {"date": date(2026, 10, 1), "amount": D(5), "row_id": "T-000001"},
            C.ROW_ID,
            ProblemCode.PAYMENTS_ROW_ID_NOT_SHEETBILLS,
        ),
    ],
)
def test_a_row_with_an_error_is_left_out_with_the_problem_on_its_cell(
    cells, column, code
):
    """Nothing of a payment sheetbill cannot read for certain is applied: a formula's
    error (#N/A) is told as such, never read as 0 or blank."""
    rows, problems = read([row(**cells), PAID])
    assert [r.row for r in rows] == [3]
    assert where(problems) == {(2, column): code}
    assert all(p.severity is Severity.ERROR for p in problems)
    assert all(p.tab == "Payments" for p in problems)


def test_a_copied_row_id_or_transaction_id_leaves_the_later_row_out():
    """Counted twice, a payment would pay an invoice twice."""
    first = row(date=date(2026, 10, 1), amount=D(5), row_id="P-000001")
    other = row(date=date(2026, 10, 2), amount=D(6), transaction_id="TX1")
    rows, problems = read([first, other, first, other])
    assert [r.row for r in rows] == [2, 3]
    assert where(problems) == {
        (4, C.ROW_ID): ProblemCode.PAYMENTS_COPIED_ROW,
        (5, C.TRANSACTION_ID): ProblemCode.PAYMENTS_DUPLICATE_TRANSACTION,
    }
    copied = next(p for p in problems if p.row == 4)
    assert "also on row 2" in copied.problem


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("INV-2026-0007", ("INV-2026-0007",)),
        ("INV-2026-0007, INV-2026-0008", ("INV-2026-0007", "INV-2026-0008")),
        ("INV-7;INV-8 ;", ("INV-7", "INV-8")),
        ("INV-7 INV-8", ("INV-7", "INV-8")),
        ("INV 2026 0007", ("INV 2026 0007",)),
        ("INV-7, INV-7", ("INV-7",)),
    ],
)
def test_invoice_no_is_split_into_the_numbers_a_person_typed(text, numbers):
    assert split_invoice_numbers(text) == numbers


def test_a_whole_number_typed_as_invoice_no_is_that_invoice():
    [payment], _ = read([row(date=date(2026, 10, 1), amount=D(5), invoice_no=D(1234))])
    assert payment.invoice_numbers == ("1234",)


@pytest.mark.parametrize(
    ("method", "amount", "kind"),
    [
        ("bank transfer", D(5), TransactionKind.PAYMENT),
        ("bank transfer", D(-5), TransactionKind.REFUND),
        ("Stripe payout", D(-500), TransactionKind.PAYOUT),
        ("Stripe Payout", D(500), TransactionKind.PAYOUT),
        ("PayPal fee", D(-1), TransactionKind.FEE),
        ("Gebühr", D(-1), TransactionKind.FEE),
        ("cash, not a payment", D(50), TransactionKind.OTHER),
        ("feedback", D(5), TransactionKind.PAYMENT),
    ],
)
def test_a_rows_kind_is_its_sign_and_its_methods_words(method, amount, kind):
    assert kind_of(method, amount) is kind


METHODS = st.sampled_from(
    ["", "bank transfer", "card", "Stripe", "PayPal", "direct debit", "Überweisung"]
)
SIGNED = {
    TransactionKind.PAYMENT: st.decimals(min_value=0, max_value=10**6, places=2),
    TransactionKind.REFUND: st.decimals(
        min_value=-(10**6), max_value=D("-0.01"), places=2
    ),
    TransactionKind.PAYOUT: st.decimals(min_value=-(10**6), max_value=10**6, places=2),
    TransactionKind.FEE: st.decimals(min_value=-100, max_value=100, places=2),
    TransactionKind.OTHER: st.decimals(min_value=-(10**6), max_value=10**6, places=2),
}


@given(
    st.sampled_from(list(SIGNED)).flatmap(
        lambda kind: st.tuples(st.just(kind), METHODS, SIGNED[kind])
    )
)
def test_an_imported_kind_reads_back_from_its_method_and_sign(case):
    """Property: the Method the import writes (`method_text`) and the Amount's sign
    say the transaction's kind again, whatever its method (a bank line's kinds are
    signed: a payment in, a refund out)."""
    kind, method, amount = case
    assert kind_of(method_text(method, kind), amount) is kind


# Not de_CH: its grouping apostrophe (U+2019) is not read by the cell parser
# (docs/decisions.md).
LOCALES = ["en_US", "de_DE", "fr_FR", "es_ES", "en_IN", "nl_NL"]


@settings(max_examples=150)
@given(
    st.decimals(min_value=-(10**9), max_value=10**9, places=2),
    st.sampled_from(LOCALES),
    st.sampled_from(["", "€", "EUR"]),
)
def test_an_amount_typed_as_text_in_the_settings_locale_reads_exactly(
    amount, locale, sign
):
    """Property: 1.234.567,89 (de_DE), 1 234 567,89 (fr_FR), 12,34,567.89 (en_IN),
    with the currency beside it or not, read as the amount it shows, never via a
    float."""
    text = format_decimal(amount, format="#,##0.00", locale=locale)
    typed = f"{text} {sign}".strip()
    rows, problems = read(
        [row(date=date(2026, 10, 1), amount=typed, fee=text)],
        settings=Settings(locale=locale),
    )
    assert problems == []
    assert (rows[0].amount, rows[0].fee) == (amount, amount)


# The cells a person may edit (the design's list), each of which makes a payment
# applied before an edited one.
PERSONS = [C.DATE, C.AMOUNT, C.CURRENCY, C.PAYER, C.PAYER_ACCOUNT, C.REFERENCE]
PERSONS += [C.METHOD, C.INVOICE_NO, C.FEE, C.PAYOUT, C.TRANSACTION_ID]


def test_the_fingerprint_changes_with_what_a_person_edits_and_only_that():
    base = row(
        date=date(2026, 10, 1),
        amount=D(5),
        reference="INV-1",
        status="matched",
        row_id="P-000001",
    )
    [before], _ = read([base])
    edits = {C.DATE: date(2026, 10, 2), C.AMOUNT: D(7), C.FEE: D(7)}
    edits |= {C.CURRENCY: "USD", C.INVOICE_NO: "INV-9"}
    edited = {}
    for column in PERSONS:
        changed = list(base)
        changed[HEADERS.index(column)] = edits.get(column, "x")
        [after], _ = read([changed])
        edited[column] = after.fingerprint != before.fingerprint
    assert edited == dict.fromkeys(PERSONS, True)
    assert set(EDITABLE) == set(PERSONS)
    for column, value in ((C.STATUS, "unmatched"), (C.MATCH_NOTE, "a note")):
        restated = list(base)
        restated[HEADERS.index(column)] = value
        [after], _ = read([restated])
        assert after.fingerprint == before.fingerprint


def test_the_fingerprint_is_the_same_whether_a_tab_lacks_a_column_or_leaves_it_blank():
    """An old tab without Fee or Payout and a new one with them blank: one payment."""
    old = [h for h in HEADERS if h not in (C.FEE, C.PAYOUT, C.MATCH_NOTE)]
    cells = {C.DATE: date(2026, 10, 1), C.AMOUNT: D(5), C.REFERENCE: "INV-1"}
    [a], _ = read([[cells.get(h) for h in old]], headers=old)
    [b], _ = read([[cells.get(h) for h in HEADERS]])
    assert a.fingerprint == b.fingerprint


def test_as_payment_hands_the_matcher_every_field():
    [payment_row], _ = read(
        [
            row(
                date=date(2026, 10, 1),
                amount=D(-5),
                payer="Ann",
                payer_account="X1",
                reference="refund ch_1",
                method="Stripe",
                invoice_no="INV-1",
                fee=D("0.3"),
                payout="po_1",
                transaction_id="re_1",
            )
        ]
    )
    payment = as_payment(payment_row, "P-000009")
    assert payment == Payment(
        key="P-000009",
        row=2,
        booked=date(2026, 10, 1),
        amount=D(-5),
        currency="EUR",
        payer="Ann",
        payer_account="X1",
        reference="refund ch_1",
        method="Stripe",
        invoice_numbers=("INV-1",),
        kind=TransactionKind.REFUND,
        fee=D("0.3"),
        payout="po_1",
        transaction_id="re_1",
    )
    shared = {f.name for f in fields(Payment)} - {"key"}
    assert all(getattr(payment, n) == getattr(payment_row, n) for n in shared)


def test_no_payments_tab_or_one_without_amount_reads_no_payment():
    assert read_payments(None, EUR) == ([], [])
    without = [h for h in HEADERS if h != C.AMOUNT]
    assert read([[date(2026, 10, 1)]], headers=without) == ([], [])


def test_validate_book_puts_the_payments_on_the_book_with_their_problems():
    book = small_book(
        extra={"Payments": (HEADERS, [PAID, row(date="soon", amount=D(1))])}
    )
    data = validate_book(book, today=AS_OF, billed={})
    assert [p.row for p in data.payments] == [2]
    assert where(p for p in data.problems if p.tab == "Payments") == {
        (3, C.DATE): ProblemCode.CELL_UNREADABLE
    }


def test_a_text_date_read_either_way_is_told_for_payments_too():
    book = small_book(
        extra={"Payments": (HEADERS, [row(date="3/11/2026", amount=D(1))])}
    )
    data = validate_book(book, today=AS_OF, billed={})
    assert data.payments[0].booked == date(2026, 3, 11)
    [warning] = [p for p in data.problems if p.tab == "Payments"]
    assert warning.code is ProblemCode.CELL_AMBIGUOUS_DATE


def test_check_reports_the_payments_problems_of_a_real_workbook(tmp_path, capsys):
    """`sheetbill check` on an .xlsx a person saved: the Payments row's #N/A and its
    unreadable amount in the JSON, with their codes, rows and columns."""
    book = write_xlsx(
        tmp_path / "shop.xlsx",
        {
            "Settings": [["Key", "Value"], *SETTINGS_ROWS, ["Locale", "de_DE"]],
            "Customers": [["Customer ID", "Name"], ["C1", "Alpha GmbH"]],
            "Payments": [
                ["Date", "Amount", "Reference"],
                [date(2026, 10, 1), "1.190,00", "INV-1"],
                [date(2026, 10, 2), "1,190.00.5", "INV-2"],
                [date(2026, 10, 3), 5, "#N/A"],
            ],
        },
    )
    capsys.readouterr()
    assert main(["check", str(book), "--json", "--as-of", AS_OF.isoformat()]) == 1
    found = json.loads(capsys.readouterr().out)["exceptions"]
    payments = {
        (p["row"], p["column"], p["code"]) for p in found if p["tab"] == "Payments"
    }
    assert payments == {
        (3, "Amount", "cell.unreadable"),
        (4, "Reference", "cell.formula-failed"),
    }


# --- Customers: Payer Names and IBAN ----------------------------------------------

CUSTOMER_HEADERS = ["Customer ID", "Name", "Payer Names", "IBAN"]


def _customers(*rows):  # type: ignore[no-untyped-def]
    data = validate_book(
        small_book(customers=[], extra={"Customers": (CUSTOMER_HEADERS, list(rows))}),
        today=AS_OF,
        billed={},
    )
    return data.customers, [p for p in data.problems if p.tab == "Customers"]


def test_payer_names_and_ibans_are_read_as_lists():
    customers, problems = _customers(
        [
            "C1",
            "Alpha GmbH",
            "Alpha Holding AG; Jane Doe ;",
            "de89 3704 0044 0532 0130 00; GB82 WEST 1234 5698 7654 32",
        ]
    )
    assert problems == []
    alpha = customers["C1"]
    assert alpha.payer_names == ("Alpha Holding AG", "Jane Doe")
    assert alpha.ibans == ("DE89370400440532013000", "GB82WEST12345698765432")


def test_a_bad_iban_is_a_warning_and_left_out_and_the_customer_is_still_billed():
    customers, problems = _customers(
        [
            "C1",
            "Alpha GmbH",
            None,
            "DE89 3704 0044 0532 0130 01; GB82WEST12345698765432",
        ]
    )
    assert customers["C1"].ibans == ("GB82WEST12345698765432",)
    [problem] = problems
    assert (problem.code, problem.column, problem.severity) == (
        ProblemCode.CUSTOMERS_BAD_IBAN,
        "IBAN",
        Severity.WARNING,
    )
    assert "DE89 3704 0044 0532 0130 01" in problem.problem


def test_customers_without_the_new_columns_read_as_before():
    customers, problems = _customers()
    assert customers == {} and problems == []
    data = validate_book(small_book(), today=AS_OF, billed={})
    assert all(c.payer_names == () and c.ibans == () for c in data.customers.values())


# --- The starter and demo workbooks -----------------------------------------------


def test_init_makes_the_payments_tab_with_every_column_in_order(tmp_path):
    book = tmp_path / "shop.xlsx"
    assert main(["init", str(book)]) == 0
    assert calamine_rows(book, "Payments")[0] == HEADERS
    customers = calamine_rows(book, "Customers")[0]
    assert {"Payer Names", "IBAN"} <= set(customers)


def test_init_adds_the_new_columns_to_an_older_payments_tab(tmp_path):
    """A workbook made before payments matching keeps its columns where they are;
    init adds the new ones at the right."""
    old = ["Date", "Amount", "Currency", "Payer", "Reference", "Method"]
    old += ["Invoice No", "Matched Invoice", "Status", "Receipt Sent", "Row ID"]
    book = write_xlsx(
        tmp_path / "shop.xlsx",
        {"Payments": [old, [date(2026, 10, 1), 5, "EUR", "Ann"]]},
    )
    assert main(["init", str(book)]) == 0
    headers = calamine_rows(book, "Payments")[0]
    assert headers[: len(old)] == old
    assert set(headers[len(old) :]) == set(HEADERS) - set(old)


def test_the_demo_workbook_has_the_payments_and_customers_columns():
    assert calamine_rows(DEMO, "Payments")[0] == HEADERS
    assert {"Payer Names", "IBAN"} <= set(calamine_rows(DEMO, "Customers")[0])
