"""Bank CSV exports of English, German, French and Spanish banks import with no
configuration (issue 15, point 1): the built-in layouts recognise them by their
header names, with their title lines, delimiters, decimal commas, Soll/Haben marks
and encodings. The sample files in tests/data/payments are built to what the banks
export (see their comments in the commit that made them)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from sheetbill.bankfiles.base import read_head
from sheetbill.bankfiles.csv_bank import BankCsv
from sheetbill.domain.payments import Transaction, TransactionKind

DATA = Path(__file__).resolve().parents[1] / "data" / "payments"
PAYMENT, REFUND, OTHER = (
    TransactionKind.PAYMENT,
    TransactionKind.REFUND,
    TransactionKind.OTHER,
)


def read(name: str):
    path = DATA / name
    importer = BankCsv()
    assert importer.identify(read_head(path), path)
    return importer.extract(path)


def brief(tx: Transaction) -> tuple[object, ...]:
    return (tx.line, tx.booked, tx.amount, tx.currency, tx.kind, tx.payer)


def test_csv_sparkasse_camt_export_cp1252_quoted_two_digit_years():
    """Sparkasse's CSV-CAMT: Windows-1252, every cell quoted, DD.MM.YY, Betrag
    signed; a pending line (Info "Umsatz vorgemerkt") is left out and counted; a
    Rücklastschrift is a refund; the shop's rent is money out, not a refund."""
    statement = read("sparkasse-camt.csv")
    assert statement.format == "csv:de"
    assert statement.skipped == ("1 pending line (not booked yet)",)
    assert [brief(t) for t in statement.transactions] == [
        (
            2,
            date(2026, 3, 5),
            Decimal("1190.00"),
            "EUR",
            PAYMENT,
            "ACME Büroservice GmbH",
        ),
        (3, date(2026, 3, 6), Decimal("500.00"), "EUR", PAYMENT, "Müller & Söhne KG"),
        (4, date(2026, 3, 9), Decimal("-238.00"), "EUR", REFUND, "Café Olé"),
        (
            5,
            date(2026, 3, 10),
            Decimal("-1250.00"),
            "EUR",
            OTHER,
            "Hausverwaltung Schmidt",
        ),
    ]
    first, _, returned, _ = statement.transactions
    assert first.reference == "RE: INV-2026-0007/ACME"
    assert first.payer_account == "DE89370400440532013000"
    assert first.method == "bank transfer" and first.transaction_id == ""
    assert returned.method == "direct debit"


def test_csv_volksbank_title_lines_unsigned_amounts_with_soll_haben_marks():
    """The old Volksbank export: eleven title lines, Windows-1252, `Umsatz`
    unsigned with thousands points and its S/H mark in the next column (which has
    no name), remittance text over several lines in one quoted cell, opening and
    closing balances after the transactions. Lines are the file's: a record over
    two lines moves the next one down."""
    statement = read("volksbank-soll-haben.csv")
    assert statement.format == "csv:de"
    assert statement.skipped == ("2 balance lines",)
    assert [brief(t) for t in statement.transactions] == [
        (
            14,
            date(2026, 3, 2),
            Decimal("1190.00"),
            "EUR",
            PAYMENT,
            "ACME Büroservice GmbH",
        ),
        (
            16,
            date(2026, 3, 3),
            Decimal("-49.99"),
            "EUR",
            OTHER,
            "Telekom Deutschland GmbH",
        ),
        (18, date(2026, 3, 4), Decimal("-119.00"), "EUR", REFUND, "Café Olé"),
        (
            20,
            date(2026, 3, 5),
            Decimal("12345.60"),
            "EUR",
            PAYMENT,
            "Nordwind Logistik AG",
        ),
    ]
    received = statement.transactions[0]
    assert received.reference == "Überweisungsgutschr. RE: INV-2026-0007/ACME"
    assert received.payer_account == "DE89370400440532013000"


def test_csv_deutsche_bank_soll_and_haben_columns_and_a_closing_balance():
    """Deutsche Bank's older export: UTF-8 with a BOM, title lines, Betrag empty
    and the amount in Soll (negative) or Haben, dates without leading zeros, `750`
    with no decimals, a `Kontostand` line after the transactions."""
    statement = read("deutsche-bank.csv")
    assert statement.skipped == ("1 balance line",)
    assert [brief(t) for t in statement.transactions] == [
        (
            5,
            date(2026, 3, 2),
            Decimal("1190.00"),
            "EUR",
            PAYMENT,
            "ACME Büroservice GmbH",
        ),
        (
            6,
            date(2026, 3, 3),
            Decimal("-49.99"),
            "EUR",
            OTHER,
            "Telekom Deutschland GmbH",
        ),
        (7, date(2026, 3, 12), Decimal("750"), "EUR", PAYMENT, "Nordwind Logistik AG"),
    ]


def test_csv_english_signed_single_amount_day_first_dates():
    """One signed Amount column with thousands commas in quotes; 14/03/2026 says
    the dates are day first; a returned direct debit is a refund; no currency
    column: the Settings currency will be taken ("")."""
    statement = read("bank-en.csv")
    assert statement.format == "csv:en" and statement.skipped == ()
    assert [brief(t) for t in statement.transactions] == [
        (2, date(2026, 3, 2), Decimal("1190.00"), "", PAYMENT, ""),
        (3, date(2026, 3, 3), Decimal("-45.00"), "", OTHER, ""),
        (4, date(2026, 3, 14), Decimal("250.5"), "", PAYMENT, ""),
        (5, date(2026, 3, 20), Decimal("-99.00"), "", REFUND, ""),
    ]
    assert statement.transactions[0].reference == "ACME LTD INV-2026-0007"
    assert [t.method for t in statement.transactions] == [
        "bank transfer",
        "card",
        "bank transfer",
        "direct debit",
    ]


def test_csv_french_debit_credit_columns_nonbreaking_thousands():
    """Crédit Agricole's export: title lines, Windows-1252, Débit/Crédit euros
    columns, 1 190,00 with a non-breaking space, a trailing `;` on every line; a
    remboursement paid out is a refund; PRLV is a direct debit."""
    statement = read("banque-fr.csv")
    assert statement.format == "csv:fr"
    assert [brief(t) for t in statement.transactions] == [
        (5, date(2026, 3, 5), Decimal("1190.00"), "", PAYMENT, ""),
        (6, date(2026, 3, 6), Decimal("-42.99"), "", OTHER, ""),
        (7, date(2026, 3, 7), Decimal("-60.00"), "", REFUND, ""),
    ]
    assert statement.transactions[1].method == "direct debit"
    assert "INV-2026-0007" in statement.transactions[0].reference


def test_csv_spanish_importe_with_a_devolucion():
    statement = read("banco-es.csv")
    assert statement.format == "csv:es"
    assert [brief(t) for t in statement.transactions] == [
        (2, date(2026, 3, 5), Decimal("1190.00"), "", PAYMENT, ""),
        (3, date(2026, 3, 6), Decimal("-84.20"), "", OTHER, ""),
        (4, date(2026, 3, 8), Decimal("-300.00"), "", REFUND, ""),
    ]
    assert statement.transactions[0].reference == (
        "Transferencia recibida de ACME S.L. Factura INV-2026-0007"
    )


def write(tmp_path: Path, text: str, *, encoding: str = "utf-8") -> Path:
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_csv_dkb_names_the_recipient_of_money_out_and_skips_pending_lines(tmp_path):
    """DKB writes the payer and the recipient in columns of their own: money in
    names the payer, money out the recipient. `Vorgemerkt` lines are pending;
    `1.000` is a thousand (DKB leaves off the decimals), `-39,99 €` carries a
    symbol."""
    path = write(
        tmp_path,
        '\ufeff"Girokonto";"DE12120300001020304050"\n""\n'
        '"Kontostand vom 24.03.2026:";"2.345,67 €"\n""\n'
        '"Buchungsdatum";"Wertstellung";"Status";"Zahlungspflichtige*r";'
        '"Zahlungsempfänger*in";"Verwendungszweck";"Umsatztyp";"IBAN";"Betrag (€)";'
        '"Gläubiger-ID";"Mandatsreferenz";"Kundenreferenz"\n'
        '"23.03.26";"23.03.26";"Gebucht";"Beispiel Handel GmbH";"Muster GmbH";'
        '"INV-2026-0015";"Eingang";"DE17100500000123456789";"1.000";"";"";""\n'
        '"24.03.26";"24.03.26";"Gebucht";"Muster GmbH";"Telefon AG";"Kundennr 555";'
        '"Ausgang";"DE98700202700000012345";"-39,99 €";"";"";""\n'
        '"25.03.26";"";"Vorgemerkt";"Muster GmbH";"Strom AG";"Abschlag";"Ausgang";'
        '"DE98700202700000012399";"-80";"";"";""\n',
    )
    statement = BankCsv().extract(path)
    assert statement.skipped == ("1 pending line (not booked yet)",)
    money_in, money_out = statement.transactions
    assert (money_in.amount, money_in.payer, money_in.currency) == (
        Decimal("1000"),
        "Beispiel Handel GmbH",
        "EUR",
    )
    assert (money_out.amount, money_out.payer) == (Decimal("-39.99"), "Telefon AG")


def test_csv_tab_separated_with_iso_dates_and_a_transaction_id(tmp_path):
    """A tab-separated English export with ISO dates, the bank's own ids and a
    time of day after the date (`2026-03-04 10:22:05`)."""
    path = write(
        tmp_path,
        "Transaction ID\tDate\tDescription\tAmount\tCurrency\tPayer Name\tIBAN\n"
        "TX-1\t2026-03-04 10:22:05\tINV-2026-0007\t1190.00\teur\tACME\t"
        "gb29 nwbk 6016 1331 9268 19\n",
    )
    (tx,) = BankCsv().extract(path).transactions
    assert tx.transaction_id == "TX-1" and tx.booked == date(2026, 3, 4)
    assert (tx.currency, tx.payer, tx.payer_account) == (
        "EUR",
        "ACME",
        "GB29NWBK60161331926819",
    )


@pytest.mark.parametrize(
    ("header", "row", "amount"),
    [
        ("Date,Details,Debit,Credit", "15/03/2026,INV-1,,1190.00", "1190.00"),
        ("Date,Details,Debit,Credit", "15/03/2026,Rent,800.00,", "-800.00"),
        ("Datum;Verwendungszweck;Betrag", "05.03.2026;x;1.190,00-", "-1190.00"),
        ("Datum;Verwendungszweck;Betrag", "05.03.2026;x;1.190,00 S", "-1190.00"),
        ("Date,Memo,Amount", "2026-03-05,x,(45.00)", "-45.00"),
        ("Fecha;Concepto;Cargo;Abono", "05/03/2026;x;;1.190,00", "1190.00"),
    ],
)
def test_csv_amount_shapes(tmp_path, header, row, amount):
    """Debit/Credit columns, a trailing minus, an S mark, brackets: one signed
    amount each."""
    path = write(tmp_path, f"{header}\n{row}\n")
    (tx,) = BankCsv().extract(path).transactions
    assert tx.amount == Decimal(amount)


def test_csv_identify_says_no_to_a_csv_without_date_and_amount(tmp_path):
    path = write(tmp_path, "Name,Email\nAda,ada@example.com\n")
    assert not BankCsv().identify(read_head(path), path)


def test_csv_german_headers_with_decimal_points_read_by_the_amounts(tmp_path):
    """Online banks (Finom, N26 in German) write German headers but 1190.50: the
    amounts that can be read only one way decide, not the header's language."""
    path = write(
        tmp_path,
        "Buchungsdatum,Status,Auftraggeber/Empfänger,Counterparty IBAN,"
        "Verwendungszweck,Zahlungswährung,Zahlungsbetrag,Transaktions-ID\n"
        "05.03.2026,Completed,ACME GmbH,DE89370400440532013000,INV-2026-0007,EUR,"
        "1190.50,f-1\n"
        "06.03.2026,Completed,Stadtwerke,DE02120300000000202051,Strom,EUR,-16.80,f-2\n",
    )
    statement = BankCsv().extract(path)
    assert statement.format == "csv:de"
    assert [(t.amount, t.transaction_id) for t in statement.transactions] == [
        (Decimal("1190.50"), "f-1"),
        (Decimal("-16.80"), "f-2"),
    ]
