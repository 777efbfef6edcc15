"""SWIFT MT940 bank statements read into Transactions, with the mt940 library.

The library splits the file into its fields (:20:, :25:, :60F:, :61:, :86:…) and
reads dates and amounts; sheetbill reads what it leaves as text: the German banks'
structured :86: (a business code, then `?00` booking text, `?20` to `?29` and
`?60` to `?63` purpose with the SEPA keywords EREF+/SVWZ+…, `?31` the payer's IBAN,
`?32`/`?33` the name), the `RC`/`RD` reversal marks it drops, and the booking date's
year at the turn of a year.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sheetbill.bankfiles.bank_lines import (
    bank_line_kind,
    compact_account,
    head_text,
    one_line,
    rejoined,
    short,
)
from sheetbill.bankfiles.base import read_bytes
from sheetbill.domain.payments import Statement, Transaction
from sheetbill.errors import BankFileError

_TAGS = (re.compile(r"^:20:", re.M), re.compile(r"^:25:", re.M))
_OPENING = re.compile(r"^:60[FM]:", re.M)
_CURRENCY = re.compile(r"[A-Z]{3}")
# SWIFT's field 86 is up to six lines of 65 characters; a German structured field's
# sub-fields hold 27 each.
_LINE_WIDTH = 65
_SUBFIELD_WIDTH = 27
_STRUCTURED = re.compile(r"\s*(\d{3})\?")
_SUBFIELD = re.compile(r"\?(\d{2})([^?]*)")
_PURPOSE = tuple(range(20, 30)) + tuple(range(60, 64))
_SEPA_KEY = re.compile(
    r"\b(EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|IBAN|BIC|COAM|OAMT|PURP)\+"
)
_DIRECT_DEBIT = ("LASTSCHRIFT", "DIRECT DEBIT", "PRELEVEMENT")


class Mt940:
    """MT940 statements, `--format mt940`."""

    name = "mt940"

    def identify(self, head: bytes, path: Path) -> bool:
        """The statement's fields at line starts: :20: (its reference), :25: (the
        account) and :60F: or :60M: (the opening balance)."""
        return _has_statement_fields(head_text(head))

    def extract(self, path: Path) -> Statement:
        """Every :61: line of every statement in the file, in file order, with its
        :86: details; the currency is the opening balance's (:60F:). Raises
        BankFileError."""
        text = _decoded(read_bytes(path))
        if not _has_statement_fields(text):
            raise BankFileError(
                "is not an MT940 statement (it lacks the :20:, :25: and :60F: "
                "fields at line starts). Pick the file's own --format, or download "
                "the statement as MT940",
                path=path,
            )
        lines = text.splitlines()
        marks = list(_transaction_marks(lines, path))
        statements = _parsed(lines, path)
        found = [(s, t) for s in statements for t in s.transactions]
        if len(found) != len(marks):
            raise BankFileError(
                f"has {len(marks)} :61: lines but {len(found)} could be read. "
                "Download the statement from your bank again",
                path=path,
            )
        transactions = [
            _transaction(statement, line, mark, path)
            for (statement, line), mark in zip(found, marks, strict=True)
        ]
        return Statement(self.name, tuple(transactions))


def _has_statement_fields(text: str) -> bool:
    return all(tag.search(text) for tag in _TAGS) and bool(_OPENING.search(text))


def _decoded(data: bytes) -> str:
    """The file's text: UTF-8 when it is, else Windows-1252 (German banks' umlauts
    in ISO 8859-1), else Latin-1 (which reads any byte)."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


@dataclass(frozen=True, slots=True)
class _Mark:
    """What sheetbill reads of a :61: line itself: where it is and its sign."""

    line: int
    sign: str


def _transaction_marks(lines: Sequence[str], path: Path) -> Iterator[_Mark]:
    from mt940 import TRANSACTION_RE

    for index, line in enumerate(lines):
        if not line.startswith(":61:"):
            continue
        found = TRANSACTION_RE.match(line[4:])
        if found is None:
            raise BankFileError(
                f"line {index + 1}: the :61: field '{short(line, 60)}' is not an MT940 "
                "transaction (date, C/D mark, amount, type). Download the statement "
                "from your bank again; nothing was imported",
                path=path,
            )
        if _continuation_lines(lines, index + 1) > 1:
            raise BankFileError(
                f"line {index + 1}: the :61: field runs over more than two lines. "
                "Download the statement from your bank again; nothing was imported",
                path=path,
            )
        yield _Mark(index + 1, found.group("sign"))


def _continuation_lines(lines: Sequence[str], start: int) -> int:
    """How many lines after a field's first belong to it (the library's rule: up
    to the next line starting with ':' or '-'), blank lines left out."""
    count = 0
    for line in lines[start:]:
        if line.startswith((":", "-")):
            break
        count += bool(line.strip())
    return count


def _parsed(lines: Sequence[str], path: Path) -> list[Any]:
    from mt940 import MT940

    try:
        # A file object, not a name: the library would open a name itself.
        # Blank lines carry nothing in MT940 and would count as field lines.
        text = "\n".join(line for line in lines if line.strip()) + "\n"
        return list(MT940(io.StringIO(text)).statements)
    except (ValueError, ArithmeticError, AttributeError, IndexError, TypeError):
        raise BankFileError(
            "is not a readable MT940 statement (a :60F:, :61: or :62F: field "
            "cannot be read). Download the statement from your bank again",
            path=path,
        ) from None


def _transaction(statement: Any, line: Any, mark: _Mark, path: Path) -> Transaction:
    balance = statement.start_balance or statement.end_balance
    currency = str(balance.currency).upper() if balance is not None else ""
    if currency and not _CURRENCY.fullmatch(currency):
        raise BankFileError(
            f"has an opening balance (:60F:) whose currency is '{short(currency, 10)}'"
            ", not an ISO code like EUR. Download the statement from your bank again",
            path=path,
        )
    amount: Decimal = line.amount
    details = _details(line.description or "")
    return Transaction(
        booked=_booked(line.date, line.booking),
        amount=amount,
        currency=currency,
        payer=details.payer,
        payer_account=details.payer_account,
        reference=details.reference,
        method=details.method(str(line.id or "")),
        transaction_id=str(line.institution_reference or "").strip(),
        kind=bank_line_kind(
            amount,
            details.reference,
            details.booking_text,
            is_reversal=mark.sign == "RC",
        ),
        line=mark.line,
    )


def _booked(value_date: date, entry_date: date | None) -> date:
    """The entry (booking) date, else the value date. The entry date has no year
    of its own; the library lends it the value date's, a year off when one of the
    two is in December and the other in January."""
    if entry_date is None:
        return value_date
    if entry_date - value_date > timedelta(days=180):
        return entry_date.replace(year=entry_date.year - 1)
    if value_date - entry_date > timedelta(days=180):
        return entry_date.replace(year=entry_date.year + 1)
    return entry_date


@dataclass(frozen=True, slots=True)
class _Details:
    """A :86: field as read: the payer, their account, the remittance text."""

    reference: str = ""
    payer: str = ""
    payer_account: str = ""
    booking_text: str = ""

    def method(self, type_code: str) -> str:
        words = f"{self.booking_text} {type_code}".upper()
        if type_code.upper().endswith("DDT") or any(w in words for w in _DIRECT_DEBIT):
            return "direct debit"
        return "bank transfer"


def _details(text: str) -> _Details:
    """The :86: field: German structured (`166?00GUTSCHRIFT?20…`) or free text."""
    flat = text.replace("\r", "").replace("\n", "")
    if _STRUCTURED.match(flat) is None:
        return _Details(reference=rejoined(text.splitlines(), width=_LINE_WIDTH))
    fields: dict[int, list[str]] = {}
    for code, value in _SUBFIELD.findall(flat):
        fields.setdefault(int(code), []).append(value)
    purpose = rejoined(
        (v for code in _PURPOSE for v in fields.get(code, [])),
        width=_SUBFIELD_WIDTH,
    )
    return _Details(
        reference=_remittance(purpose),
        payer=rejoined(fields.get(32, []) + fields.get(33, []), width=_SUBFIELD_WIDTH),
        payer_account=compact_account("".join(fields.get(31, []))),
        booking_text=one_line(fields.get(0, [])),
    )


def _remittance(purpose: str) -> str:
    """The SEPA remittance text (after SVWZ+) when the purpose carries SEPA
    keywords, else the whole purpose."""
    parts = _SEPA_KEY.split(purpose)
    keyed = dict(zip(parts[1::2], parts[2::2], strict=True))
    return one_line([keyed["SVWZ"]]) if "SVWZ" in keyed else purpose
