"""`[payments]` in sheetbill.toml: the matcher's window and the user's bank CSV
profiles, every key checked with a message naming `payments.<key>`, and every key
shown in config/sheetbill.toml."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from sheetbill.config import load_config
from sheetbill.config_payments import PAYMENTS_KEYS, PROFILE_KEYS, PaymentsConfig
from sheetbill.domain.payments import CsvProfile
from sheetbill.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def config_with(tmp_path: Path, toml: str):
    path = tmp_path / "sheetbill.toml"
    path.write_text(textwrap.dedent(toml))
    return load_config(path)


def test_payments_defaults_without_the_table(tmp_path):
    assert config_with(tmp_path, "backups = 1\n").payments == PaymentsConfig()
    assert PaymentsConfig().window_days == 60


def test_payments_reads_every_key(tmp_path):
    payments = config_with(
        tmp_path,
        """
        [payments]
        window_days = 45

        [payments.profiles.mybank]
        date = "Buchungstag"
        amount = "Umsatz"
        debit_credit = "Soll/Haben"
        reference = ["Verwendungszweck", "Buchungstext"]
        payer = "Auftraggeber"
        payer_account = "IBAN"
        currency = "Währung"
        transaction_id = "Referenz"
        date_format = "%d.%m.%y"
        decimal_comma = true
        delimiter = ";"
        encoding = "cp1252"
        skip_rows = 4

        [payments.profiles.card-account]
        date = "Date"
        debit = "Out"
        credit = "In"
        reference = "Memo"
        """,
    ).payments
    assert payments == PaymentsConfig(
        window_days=45,
        profiles=(
            CsvProfile(
                name="mybank",
                date="Buchungstag",
                amount="Umsatz",
                debit_credit="Soll/Haben",
                reference=("Verwendungszweck", "Buchungstext"),
                payer="Auftraggeber",
                payer_account="IBAN",
                currency="Währung",
                transaction_id="Referenz",
                date_format="%d.%m.%y",
                decimal_comma=True,
                delimiter=";",
                encoding="cp1252",
                skip_rows=4,
            ),
            CsvProfile(
                name="card-account",
                date="Date",
                debit="Out",
                credit="In",
                reference=("Memo",),
            ),
        ),
    )


PROFILE = '[payments.profiles.mybank]\ndate = "Datum"\namount = "Betrag"\n'


@pytest.mark.parametrize(
    ("toml", "says"),
    [
        ("payments = 3\n", r"'payments' must be a table"),
        ("[payments]\nwindow = 3\n", r"unknown key 'payments\.window'; known keys"),
        ("[payments]\nwindow_days = -1\n", r"'payments\.window_days' must be a whole"),
        ("[payments]\nwindow_days = true\n", r"'payments\.window_days' must be"),
        ("[payments]\nprofiles = 1\n", r"'payments\.profiles' must hold tables"),
        ("[payments.profiles]\nmybank = 1\n", r"'payments\.profiles' must hold tables"),
        (
            '[payments.profiles.stripe]\ndate = "D"\namount = "A"\n',
            r"'payments\.profiles\.stripe': a profile's name is",
        ),
        (
            '[payments.profiles."my bank"]\ndate = "D"\namount = "A"\n',
            r"'payments\.profiles\.my bank': a profile's name is",
        ),
        (PROFILE + "colour = 1\n", r"unknown key 'payments\.profiles\.mybank\.colour'"),
        (
            '[payments.profiles.mybank]\namount = "A"\n',
            r"'payments\.profiles\.mybank\.date' is needed",
        ),
        ('[payments.profiles.mybank]\ndate = "D"\n', r"needs either 'amount'"),
        (PROFILE + 'debit = "S"\ncredit = "H"\n', r"needs either 'amount'"),
        ('[payments.profiles.mybank]\ndate = "D"\ndebit = "S"\n', r"needs either"),
        (
            '[payments.profiles.mybank]\ndate = "D"\ndebit = "S"\ncredit = "H"\n'
            'debit_credit = "X"\n',
            r"'payments\.profiles\.mybank\.debit_credit' .* goes with 'amount'",
        ),
        (
            PROFILE + "payer = 3\n",
            r"'payments\.profiles\.mybank\.payer' must be a column",
        ),
        (
            PROFILE + "reference = [1]\n",
            r"'payments\.profiles\.mybank\.reference' must be",
        ),
        (PROFILE + 'reference = [""]\n', r"'payments\.profiles\.mybank\.reference'"),
        (
            PROFILE + 'date_format = "dd.mm.yyyy"\n',
            r"\.date_format' must be a date format",
        ),
        (PROFILE + 'date_format = "%d.%m"\n', r"\.date_format' must be a date format"),
        (
            PROFILE + 'decimal_comma = "yes"\n',
            r"\.decimal_comma' must be true or false",
        ),
        (PROFILE + 'delimiter = ";;"\n', r"\.delimiter' must be one character"),
        (PROFILE + "delimiter = '\"'\n", r"\.delimiter' must be one character"),
        (PROFILE + 'encoding = "klingon"\n', r"\.encoding' must be an encoding's name"),
        (PROFILE + "skip_rows = -1\n", r"\.skip_rows' must be a whole number"),
        (PROFILE + "skip_rows = 1.5\n", r"\.skip_rows' must be a whole number"),
    ],
)
def test_payments_mistake_names_its_key(tmp_path, toml, says):
    with pytest.raises(ConfigError, match=says) as raised:
        config_with(tmp_path, toml)
    assert raised.value.path == tmp_path / "sheetbill.toml"
    assert "\n" not in str(raised.value)


def test_every_payments_key_is_documented_in_the_example_config():
    """config/sheetbill.toml shows [payments], each of its keys and each key of a
    profile (commented out: a typical export needs none), and loads as it is."""
    example = ROOT / "config" / "sheetbill.toml"
    text = example.read_text()
    table = text[text.index("\n# [payments]\n") :]
    assert "\n# [payments.profiles.mybank]\n" in table
    for key in PAYMENTS_KEYS - {"profiles"} | PROFILE_KEYS:
        assert re.search(rf"^# {key} = ", table, re.MULTILINE), key
    assert load_config(example).payments == PaymentsConfig()


def test_the_documented_profile_keys_load_when_uncommented(tmp_path):
    """The example's profile, uncommented (with amount, not debit and credit),
    is a valid profile: the documentation shows working values."""
    text = (ROOT / "config" / "sheetbill.toml").read_text()
    section = text[text.index("\n# [payments]\n") :]
    lines = [
        line[2:]
        for line in section.splitlines()
        if re.match(r"# (\[payments|[a-z_]+ = )", line)
        and not line.startswith(("# debit = ", "# credit = "))
    ]
    payments = config_with(tmp_path, "\n".join(lines) + "\n").payments
    (profile,) = payments.profiles
    assert profile.name == "mybank" and profile.amount == "Betrag"
    assert profile.encoding == "cp1252" and profile.skip_rows == 4
