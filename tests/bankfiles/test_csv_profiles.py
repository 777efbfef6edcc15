"""A bank CSV of a layout no built-in knows imports with a `[payments.profiles.NAME]`
table in sheetbill.toml (issue 15, point 1): its columns, date format, decimal
comma, delimiter, encoding and title lines. A profile is tried before the built-in
layouts; a file that does not fit it says which column it lacks."""

from __future__ import annotations

import textwrap
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from sheetbill.bankfiles.base import read_head
from sheetbill.bankfiles.csv_bank import BankCsv
from sheetbill.config import load_config
from sheetbill.domain.payments import CsvProfile, TransactionKind
from sheetbill.errors import BankFileError

# A regional bank's export: four title lines, `|` between cells, Windows-1252,
# amounts unsigned with the direction in a column of its own, two text columns.
REGIONAL = (
    "Kontoauszug Raiffeisenbank Talheim\n"
    "Konto|DE02120300000000202051\n"
    "Zeitraum|01.03.2026-31.03.2026\n"
    "\n"
    "Tag|Text 1|Text 2|Name|Konto|Summe|S/H|WKZ|Ref\n"
    "02.03.2026|RE INV-2026-0007|ACME|ACME Büro GmbH|DE89 3704 0044 0532 0130 00|"
    "1.190,00|H|EUR|R-1\n"
    "03.03.2026|Lastschrift Rückgabe|INV-2026-0003|Café Olé||238,00|S|EUR|R-2\n"
)
TOML = """
[payments]
window_days = 30

[payments.profiles.talheim]
date = "Tag"
date_format = "%d.%m.%Y"
amount = "Summe"
debit_credit = "S/H"
reference = ["Text 1", "Text 2"]
payer = "Name"
payer_account = "Konto"
currency = "WKZ"
transaction_id = "Ref"
decimal_comma = true
delimiter = "|"
encoding = "cp1252"
skip_rows = 4
"""


def configured_profiles(tmp_path: Path) -> tuple[CsvProfile, ...]:
    config = tmp_path / "sheetbill.toml"
    config.write_text(textwrap.dedent(TOML))
    return load_config(config).payments.profiles


def test_profile_from_sheetbill_toml_reads_its_bank_export(tmp_path):
    """The profile as sheetbill.toml states it, end to end: the title lines
    skipped, `|` cells, Windows-1252, S/H marks, two reference columns joined."""
    path = tmp_path / "talheim.csv"
    path.write_bytes(REGIONAL.encode("cp1252"))
    importer = BankCsv(configured_profiles(tmp_path))
    assert importer.identify(read_head(path), path)
    statement = importer.extract(path)
    assert statement.format == "csv:talheim"
    received, returned = statement.transactions
    assert (received.line, received.booked, received.amount, received.kind) == (
        6,
        date(2026, 3, 2),
        Decimal("1190.00"),
        TransactionKind.PAYMENT,
    )
    assert received.reference == "RE INV-2026-0007 ACME"
    assert (received.payer, received.payer_account) == (
        "ACME Büro GmbH",
        "DE89370400440532013000",
    )
    assert (received.currency, received.transaction_id) == ("EUR", "R-1")
    assert (returned.amount, returned.kind) == (
        Decimal("-238.00"),
        TransactionKind.REFUND,
    )


def test_profile_debit_and_credit_columns(tmp_path):
    profile = CsvProfile(
        name="twocol", date="Booked", debit="Out", credit="In", reference=("Text",)
    )
    path = tmp_path / "x.csv"
    path.write_text(
        "Booked,Text,Out,In\n2026-03-02,INV-1,,100.00\n2026-03-03,x,5.50,\n"
    )
    statement = BankCsv([profile], built_in=False).extract(path)
    assert [t.amount for t in statement.transactions] == [
        Decimal("100.00"),
        Decimal("-5.50"),
    ]


def test_profile_is_tried_before_the_built_in_layouts(tmp_path):
    """A file the English layout reads too is read by the user's profile, which
    says its dates are month first."""
    profile = CsvProfile(
        name="us",
        date="Date",
        amount="Amount",
        reference=("Description",),
        date_format="%m/%d/%Y",
    )
    path = tmp_path / "x.csv"
    path.write_text("Date,Description,Amount\n03/04/2026,INV-1,10.00\n")
    statement = BankCsv([profile]).extract(path)
    assert statement.format == "csv:us"
    assert statement.transactions[0].booked == date(2026, 3, 4)


def test_profile_not_fitting_the_file_names_the_missing_column(tmp_path):
    profile = CsvProfile(
        name="mybank", date="Buchungstag", amount="Betrag", skip_rows=1
    )
    path = tmp_path / "x.csv"
    path.write_text("Umsätze\nDatum;Betrag\n01.03.2026;1,00\n")
    with pytest.raises(BankFileError) as raised:
        BankCsv([profile], built_in=False).extract(path)
    assert raised.value.message == (
        "line 2 is not the header profile 'mybank' expects: it has no column "
        "'Buchungstag'; it reads 'Datum', 'Betrag'. Check the profile's column "
        "names and skip_rows"
    )


def test_profile_date_format_is_exact(tmp_path):
    profile = CsvProfile(
        name="mybank", date="Datum", amount="Betrag", date_format="%d.%m.%Y",
        decimal_comma=True,
    )  # fmt: skip
    path = tmp_path / "x.csv"
    path.write_text("Datum;Betrag\n01.03.2026;1,00\n2026-03-02;2,00\n")
    with pytest.raises(BankFileError) as raised:
        BankCsv([profile], built_in=False).extract(path)
    assert raised.value.message == (
        "line 3, column 'Datum': '2026-03-02' is not a date (the profile's "
        "date_format is DD.MM.YYYY)"
    )


def test_profile_decimal_point_refuses_decimal_comma_amounts(tmp_path):
    """A profile that says amounts are 1,234.56 does not read 1.234,56 as
    1.234 — it stops, naming the cell and the key to change."""
    profile = CsvProfile(name="mybank", date="Datum", amount="Betrag", delimiter=";")
    path = tmp_path / "x.csv"
    path.write_text("Datum;Betrag\n2026-03-01;1.234,56\n")
    with pytest.raises(BankFileError) as raised:
        BankCsv([profile], built_in=False).extract(path)
    assert raised.value.message == (
        "line 2, column 'Betrag': '1.234,56' is not an amount like 1,234.56. "
        "Correct the cell, or the profile's decimal_comma"
    )


def test_profile_encoding_that_cannot_read_the_file(tmp_path):
    profile = CsvProfile(name="mybank", date="Datum", amount="Betrag", encoding="ascii")
    path = tmp_path / "x.csv"
    path.write_bytes(
        "Datum,Betrag\n2026-03-01,1.00\n2026-03-02,2.00 Gärtner\n".encode()
    )
    with pytest.raises(BankFileError) as raised:
        BankCsv([profile], built_in=False).extract(path)
    assert raised.value.message.startswith(
        "line 3 is not ascii text (byte 0xc3): export the statement again, or name "
        "the file's encoding in its profile's 'encoding'"
    )
