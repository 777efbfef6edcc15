"""`sheetbill payments import` for real: a bank export appended to the small demo's
Payments tab, each transaction once, hostile files refused with nothing imported,
and the next run applying what was imported (issue 15, points 1, 3, 5 and 6)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import openpyxl
import pytest
from bankfiles.statement_files import camt_details, camt_document, camt_entry
from payments_run_helpers import OK, invoices, payments, run, shop
from readback import calamine_records

from sheetbill.cli import main

LATER = "2026-11-05"
# (The small demo's plans take INV-2026-0001 and 0002: Café Lumière's invoice is
# INV-2026-0005, the Bezirksamt's INV-2026-0006.)
# A German bank's export: title lines, semicolons, decimal commas, cp1252, money out.
GERMAN = (
    "Umsätze Girokonto;Zeitraum: 01.11.2026 - 05.11.2026\n"
    "\n"
    "Buchungstag;Valuta;Auftraggeber / Empfänger;Verwendungszweck;IBAN;Betrag;Währung\n"
    "03.11.2026;03.11.2026;Café Lumière SARL;RE: INV-2026-0005 merci;"
    "FR7630006000011234567890189;2.794,00;EUR\n"
    "04.11.2026;04.11.2026;Hausverwaltung Schmidt;Miete November;"
    "DE27100777770209299700;-1.250,00;EUR\n"
    "04.11.2026;04.11.2026;Bezirksamt Pankow;Abschlag INV-2026-0006;"
    "DE02120300000000202051;1.000,00;EUR\n"
)
LATER_LINE = (
    "05.11.2026;05.11.2026;Unbekannt GmbH;Danke;DE75512108001245126199;99,00;EUR\n"
)


@pytest.fixture
def book(tmp_path: Path) -> Path:
    (tmp_path / "shop").mkdir()
    return shop(tmp_path / "shop")


def bank_csv(folder: Path, text: str, name: str = "umsaetze.csv") -> Path:
    path = folder / name
    path.write_bytes(text.encode("cp1252"))
    return path


def import_(book: Path, file: Path, *more: str) -> int:
    return main(["payments", "import", str(file), str(book), *more])


def test_a_bank_export_is_appended_once_and_the_next_run_applies_it(book, capsys):
    file = bank_csv(book.parent.parent, GERMAN)
    before = len(payments(book))
    assert import_(book, file) == 0
    said = capsys.readouterr().out
    assert "INV-2026-0005" in said and "left out" in said, said
    added = payments(book)[before:]
    assert [(r["Amount"], r["Payer"]) for r in added] == [
        (2794.0, "Café Lumière SARL"),
        (1000.0, "Bezirksamt Pankow"),
    ]
    assert import_(book, file) == 0, "the same file again"
    assert len(payments(book)) == before + 2
    overlapping = bank_csv(book.parent.parent, GERMAN + LATER_LINE, "later.csv")
    assert import_(book, overlapping) == 0
    assert len(payments(book)) == before + 3, "only the new line of an overlap"
    assert run(book, as_of=LATER) in OK
    shown = invoices(book)
    assert shown["INV-2026-0005"]["Status"] == "paid"
    assert shown["INV-2026-0006"]["Status"] == "partially paid"
    assert shown["INV-2026-0006"]["Balance"] == 927.8


def test_a_payment_row_a_person_deleted_is_not_imported_again(book):
    file = bank_csv(book.parent.parent, GERMAN)
    assert import_(book, file) == 0
    rows = payments(book)
    from payments_run_helpers import clear_payment

    clear_payment(book, len(rows) + 1)  # the last row (the header is row 1)
    assert import_(book, file) == 0
    assert len([r for r in payments(book) if r["Amount"]]) == len(rows) - 1


def test_a_dry_run_import_shows_each_match_and_changes_nothing(book, capsys):
    file = bank_csv(book.parent.parent, GERMAN)
    before = book.read_bytes()
    capsys.readouterr()
    assert import_(book, file, "--dry-run", "--json") == 0
    result = json.loads(capsys.readouterr().out)
    assert book.read_bytes() == before
    text = json.dumps(result)
    assert "INV-2026-0005" in text and "INV-2026-0006" in text


def test_text_that_looks_like_a_formula_is_imported_as_text(book):
    hostile = (
        "Buchungstag;Auftraggeber / Empfänger;Verwendungszweck;Betrag\n"
        '03.11.2026;+49 30 1234;=HYPERLINK("http://evil.example","x");10,00\n'
        "03.11.2026;@SUM(A1);-cmd|' /C calc'!A0;11,00\n"
    )
    assert import_(book, bank_csv(book.parent.parent, hostile)) == 0
    sheet = openpyxl.load_workbook(book)["Payments"]
    texts = [
        cell
        for row in sheet.iter_rows(min_row=2)
        for cell in row
        if isinstance(cell.value, str) and cell.value[:1] in "=+-@"
    ]
    assert len(texts) == 4, [c.value for c in texts]
    assert all(c.data_type == "s" for c in texts), [c.data_type for c in texts]


def _too_big(folder: Path) -> Path:
    path = folder / "huge.csv"
    with path.open("wb") as file:
        file.truncate(2 * 1024**3)
    return path


def _xxe(folder: Path) -> Path:
    secret = folder / "secret.txt"
    secret.write_text("TOP-SECRET")
    entry = camt_entry(8, details=[camt_details(8, ustrd=("INV-2026-0005 &x;",))])
    body = camt_document([entry], prolog="").decode()
    hostile = (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE Document [<!ENTITY x SYSTEM "file://{secret}">]>\n{body}'
    )
    path = folder / "xxe.xml"
    path.write_text(hostile)
    return path


def _laughs(folder: Path) -> Path:
    entities = '<!ENTITY l0 "lol">' + "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
    )
    path = folder / "laughs.xml"
    path.write_text(f'<?xml version="1.0"?><!DOCTYPE d [{entities}]><d>&l9;</d>')
    return path


def _malformed(folder: Path) -> Path:
    path = folder / "broken.csv"
    path.write_text('Date,Description,Amount\n2026-11-03,"unclosed,10.00\n')
    return path


def _mixed(folder: Path) -> Path:
    path = folder / "mixed.csv"
    path.write_bytes(
        "Date,Description,Amount\n2026-11-03,Café,10.00\n".encode()
        + "2026-11-04,Café,11.00\n".encode("cp1252")
    )
    return path


@pytest.mark.parametrize("hostile", [_too_big, _xxe, _laughs, _malformed, _mixed])
def test_a_hostile_file_is_refused_in_one_line_and_nothing_imported(
    book, hostile, capsys
):
    file = hostile(book.parent.parent)
    before = book.read_bytes()
    capsys.readouterr()
    assert import_(book, file) == 2
    captured = capsys.readouterr()
    message = captured.err.strip()
    assert message and "\n" not in message and "Traceback" not in message, message
    assert "TOP-SECRET" not in captured.out + captured.err
    assert book.read_bytes() == before
    if file.stat().st_size > 1024**3:
        os.remove(file)


def test_a_stripe_export_keeps_gross_fee_and_payout_apart(book, tmp_path):
    file = tmp_path / "stripe.csv"
    file.write_text(
        "id,Type,Source,Amount,Fee,Net,Currency,Created (UTC),Description,Transfer\n"
        "txn_1,charge,ch_1,2794.00,81.03,2712.97,eur,2026-11-03 09:15,"
        "Payment for INV-2026-0005,po_1\n"
        "txn_2,payout,po_1,-2712.97,0.00,-2712.97,eur,2026-11-04 00:00,"
        "STRIPE PAYOUT,po_1\n"
    )
    before = len(payments(book))
    assert import_(book, file) == 0
    added = payments(book)[before:]
    assert [(r["Amount"], r["Fee"], r["Payout"]) for r in added] == [
        (2794.0, 81.03, "po_1")
    ]
    assert run(book, as_of=LATER) in OK
    assert invoices(book)["INV-2026-0005"]["Status"] == "paid"
    matched = [r for r in calamine_records(book, "Payments") if r["Payout"] == "po_1"]
    assert matched[0]["Matched Invoice"] == "INV-2026-0005"


def test_a_transaction_in_a_bank_csv_and_a_camt_file_is_imported_once(book):
    """The bank's CSV names no id, its camt.053 does (AcctSvcrRef): the same line
    from both is one payment."""
    assert import_(book, bank_csv(book.parent.parent, GERMAN)) == 0
    before = len(payments(book))
    details = camt_details(
        8,
        amount="2794.00",
        payer="Café Lumière SARL",
        iban="FR7630006000011234567890189",
        ustrd=("RE: INV-2026-0005 merci",),
        bank_reference="BANKREF-1",
    )
    entry = camt_entry(
        8, amount="2794.00", booked="<Dt>2026-11-03</Dt>", details=[details]
    )
    camt = book.parent.parent / "camt.xml"
    camt.write_bytes(camt_document([entry]))
    assert import_(book, camt) == 0
    assert len(payments(book)) == before


def test_a_one_line_file_of_endless_columns_is_refused_at_once(book, capsys):
    file = book.parent.parent / "wide.csv"
    file.write_text("Date,Description,Amount" + ",x" * 200_000 + "\n")
    capsys.readouterr()
    assert import_(book, file) == 2
    assert "not a bank statement" in capsys.readouterr().err


def test_a_line_dated_before_1900_is_refused_with_nothing_imported(book, capsys):
    file = book.parent.parent / "old.csv"
    file.write_text("Date,Description,Amount\n1899-12-31,INV-2026-0005,10.00\n")
    before = book.read_bytes()
    capsys.readouterr()
    assert import_(book, file) == 2
    assert "before 1900" in capsys.readouterr().err
    assert book.read_bytes() == before
