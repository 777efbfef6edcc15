"""`[payments]` in sheetbill.toml: the user's bank CSV layouts
(`[payments.profiles.NAME]`) and the matcher's date window, every key checked with
a message naming it. `Config.payments` holds the result; a module of its own so
config.py stays under the house limit.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sheetbill.domain.payments import CsvProfile
from sheetbill.errors import ConfigError


@dataclass(frozen=True, slots=True)
class PaymentsConfig:
    """`[payments]`: importing bank and processor files and matching them."""

    # The user's bank CSV layouts (`[payments.profiles.NAME]`), tried before the
    # built-in ones.
    profiles: tuple[CsvProfile, ...] = ()
    # A payment matches an invoice by amount alone when booked from its issue date
    # to this many days after its due date.
    window_days: int = 60


PAYMENTS_KEYS = {"profiles", "window_days"}
PROFILE_KEYS = {
    "date",
    "amount",
    "debit",
    "credit",
    "debit_credit",
    "reference",
    "payer",
    "payer_account",
    "currency",
    "transaction_id",
    "date_format",
    "decimal_comma",
    "delimiter",
    "encoding",
    "skip_rows",
}
# `--format` takes a profile's name as well as these: a profile may not hide one.
_FORMAT_NAMES = {
    "csv",
    "ofx",
    "camt.053",
    "mt940",
    "stripe",
    "paypal",
    "de",
    "en",
    "fr",
    "es",
}
_PROFILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")
_MAX_SKIP_ROWS = 1000


def load_payments_config(raw: object, *, path: Path) -> PaymentsConfig:
    """The `[payments]` table, every key checked; a mistake names `payments.<key>`
    (a profile's: `payments.profiles.NAME.<key>`)."""
    if not isinstance(raw, dict):
        raise ConfigError(
            "'payments' must be a table: [payments] on a line of its own", path=path
        )
    unknown = sorted(set(raw) - PAYMENTS_KEYS)
    if unknown:
        raise ConfigError(
            f"unknown key 'payments.{unknown[0]}'; known keys of [payments]: "
            f"{', '.join(sorted(PAYMENTS_KEYS))}",
            path=path,
        )
    window = raw.get("window_days", 60)
    if (
        not isinstance(window, int)
        or isinstance(window, bool)
        or not 0 <= window <= 3650
    ):
        raise ConfigError(
            "'payments.window_days' must be a whole number of days, from 0 to 3650",
            path=path,
        )
    profiles = raw.get("profiles", {})
    if not isinstance(profiles, dict) or not all(
        isinstance(p, dict) for p in profiles.values()
    ):
        raise ConfigError(
            "'payments.profiles' must hold tables: [payments.profiles.mybank] with "
            'date = "...", amount = "..." below it',
            path=path,
        )
    return PaymentsConfig(
        profiles=tuple(_profile(n, p, path) for n, p in profiles.items()),
        window_days=window,
    )


def _profile(name: str, raw: dict[str, Any], path: Path) -> CsvProfile:
    """One `[payments.profiles.NAME]` table as a CsvProfile, every key checked."""
    key = f"payments.profiles.{name}"
    if not _PROFILE_NAME.fullmatch(name) or name.casefold() in _FORMAT_NAMES:
        raise ConfigError(
            f"'{key}': a profile's name is letters, digits, '-' and '_' (up to 40), "
            f"and not one of {', '.join(sorted(_FORMAT_NAMES))}",
            path=path,
        )
    unknown = sorted(set(raw) - PROFILE_KEYS)
    if unknown:
        raise ConfigError(
            f"unknown key '{key}.{unknown[0]}'; known keys of a profile: "
            f"{', '.join(sorted(PROFILE_KEYS))}",
            path=path,
        )

    def column(field: str) -> str:
        value = raw.get(field, "")
        if not isinstance(value, str) or "\n" in value:
            raise ConfigError(
                f"'{key}.{field}' must be a column's header text, one line", path=path
            )
        return value.strip()

    date = column("date")
    if not date:
        raise ConfigError(
            f"'{key}.date' is needed: the date column's header", path=path
        )
    amount, debit, credit = column("amount"), column("debit"), column("credit")
    marks = column("debit_credit")
    if bool(amount) == bool(debit or credit) or bool(debit) != bool(credit):
        raise ConfigError(
            f"'{key}' needs either 'amount' (one signed amount column) or both "
            "'debit' and 'credit' (money out and money in), not both kinds",
            path=path,
        )
    if marks and not amount:
        raise ConfigError(
            f"'{key}.debit_credit' (the column saying S/H or D/C) goes with "
            "'amount', not with 'debit' and 'credit'",
            path=path,
        )
    return CsvProfile(
        name=name,
        date=date,
        amount=amount,
        debit=debit,
        credit=credit,
        debit_credit=marks,
        reference=_reference(raw.get("reference", ()), f"{key}.reference", path),
        payer=column("payer"),
        payer_account=column("payer_account"),
        currency=column("currency"),
        transaction_id=column("transaction_id"),
        date_format=_date_format(raw.get("date_format", "%Y-%m-%d"), key, path),
        decimal_comma=_flag(raw, "decimal_comma", key, path),
        delimiter=_delimiter(raw.get("delimiter", ""), key, path),
        encoding=_encoding(raw.get("encoding", "utf-8"), key, path),
        skip_rows=_skip_rows(raw.get("skip_rows", 0), key, path),
    )


def _reference(value: object, key: str, path: Path) -> tuple[str, ...]:
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list | tuple) or not all(
        isinstance(n, str) and n.strip() and "\n" not in n for n in names
    ):
        raise ConfigError(
            f"'{key}' must be a column's header text or a list of them, e.g. "
            '["Verwendungszweck", "Buchungstext"]',
            path=path,
        )
    return tuple(n.strip() for n in names)


def _date_format(value: object, key: str, path: Path) -> str:
    """A strptime format that reads back the dates it writes (so "dd.mm.yyyy",
    which has no % codes, is refused rather than matching no date)."""
    example = datetime(2026, 3, 14)  # noqa: DTZ001 (a calendar day, no time of day)
    try:
        if not isinstance(value, str) or "%" not in value:
            raise ValueError(value)
        back = datetime.strptime(example.strftime(value), value)  # noqa: DTZ007
        if back.date() != example.date():
            raise ValueError(value)
    except ValueError:
        raise ConfigError(
            f"'{key}.date_format' must be a date format such as \"%d.%m.%Y\" "
            '(14.03.2026), "%d/%m/%Y" or "%Y-%m-%d", naming day, month and year',
            path=path,
        ) from None
    return value


def _flag(raw: dict[str, Any], field: str, key: str, path: Path) -> bool:
    value = raw.get(field, False)
    if not isinstance(value, bool):
        raise ConfigError(f"'{key}.{field}' must be true or false", path=path)
    return value


def _delimiter(value: object, key: str, path: Path) -> str:
    if not isinstance(value, str) or len(value) > 1 or value in {'"', "\n", "\r"}:
        raise ConfigError(
            f'\'{key}.delimiter\' must be one character such as ";", "," or "\\t" '
            "(or absent: found from the header line)",
            path=path,
        )
    return value


def _encoding(value: object, key: str, path: Path) -> str:
    try:
        if not isinstance(value, str):
            raise LookupError(value)
        codecs.lookup(value)
    except LookupError:
        raise ConfigError(
            f"'{key}.encoding' must be an encoding's name such as \"utf-8\" or "
            '"cp1252" (Windows, as many German banks write)',
            path=path,
        ) from None
    return value


def _skip_rows(value: object, key: str, path: Path) -> int:
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or not 0 <= value <= _MAX_SKIP_ROWS
    ):
        raise ConfigError(
            f"'{key}.skip_rows' must be a whole number of lines before the header, "
            f"from 0 to {_MAX_SKIP_ROWS}",
            path=path,
        )
    return value
