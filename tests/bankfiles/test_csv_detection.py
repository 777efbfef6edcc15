"""`read_statement` finds the format of a bank CSV, a Stripe or a PayPal export
from its content, with no --format (issue 15, point 1), and takes --format and a
profile's name when given.

`read_statement` knows every importer, the OFX, camt.053 and MT940 ones too; until
those are merged beside these, the tests here are skipped (the importers' own
`identify` is tested in test_csv_bank.py and test_processors.py)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from sheetbill.domain.payments import CsvProfile
from sheetbill.errors import BankFileError


def _missing() -> list[str]:
    missing = []
    for name in ("camt", "ofx", "mt940"):
        try:
            importlib.import_module(f"sheetbill.bankfiles.{name}")
        except ModuleNotFoundError:
            missing.append(name)
    return missing


pytestmark = pytest.mark.skipif(
    bool(_missing()),
    reason=f"sheetbill.bankfiles.{{{','.join(_missing())}}} not merged yet",
)

DATA = Path(__file__).resolve().parents[1] / "data" / "payments"
FORMATS = {
    "sparkasse-camt.csv": "csv:de",
    "volksbank-soll-haben.csv": "csv:de",
    "deutsche-bank.csv": "csv:de",
    "bank-en.csv": "csv:en",
    "banque-fr.csv": "csv:fr",
    "banco-es.csv": "csv:es",
    "stripe-balance.csv": "stripe",
    "stripe-payments.csv": "stripe",
    "paypal-activity.csv": "paypal",
    "paypal-de.csv": "paypal",
}


def read_statement(*args: object, **kwargs: object):
    from sheetbill.bankfiles import read_statement

    return read_statement(*args, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("name", "expected"), sorted(FORMATS.items()))
def test_read_statement_detects_the_format_from_the_content(name, expected):
    statement = read_statement(DATA / name)
    assert statement.format == expected
    assert statement.transactions


def test_every_sample_file_is_covered():
    assert {p.name for p in DATA.glob("*.csv")} <= set(FORMATS)


def test_read_statement_with_format_given(tmp_path):
    assert read_statement(DATA / "bank-en.csv", format="csv").format == "csv:en"
    assert read_statement(DATA / "paypal-de.csv", format="paypal").format == "paypal"
    with pytest.raises(BankFileError, match="is not a Stripe balance history"):
        read_statement(DATA / "paypal-de.csv", format="stripe")


def test_read_statement_with_a_profile_by_name(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("Tag;Summe;Text\n01.03.2026;1,00;INV-1\n")
    profile = CsvProfile(
        name="odd",
        date="Tag",
        amount="Summe",
        reference=("Text",),
        date_format="%d.%m.%Y",
        decimal_comma=True,
    )
    for given in ("odd", "csv:odd", None):
        statement = read_statement(path, format=given, profiles=[profile])
        assert statement.format == "csv:odd", given


def test_read_statement_refuses_what_it_does_not_know(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("Tag;Summe\n01.03.2026;1,00\n")
    with pytest.raises(BankFileError) as raised:
        read_statement(path)
    assert "[payments.profiles.NAME]" in str(raised.value)
    assert "\n" not in str(raised.value)


def test_read_statement_refuses_a_sparse_2_gb_file(tmp_path):
    path = tmp_path / "huge.csv"
    with path.open("wb") as file:
        file.truncate(2 * 1024**3)
    with pytest.raises(BankFileError, match=r"is 2\.0 GB"):
        read_statement(path)
