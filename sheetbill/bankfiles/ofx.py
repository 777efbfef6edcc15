"""OFX bank and credit card statements (OFX 1.x SGML, 2.x XML) read into
Transactions, with ofxtools.

ofxtools reads the markup with its own regular-expression tag reader, not an XML
parser: it never resolves entities, loads a DTD or opens anything but the bytes it
is handed (sheetbill reads the file itself, bounded by `base.MAX_BYTES`; ofxtools'
network client is never imported by name). A file declaring a DTD or entities is
refused all the same: no bank writes one.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from xml.etree.ElementTree import Element

from sheetbill.bankfiles.bank_lines import (
    bank_line_kind,
    compact_account,
    head_text,
    one_line,
    short,
)
from sheetbill.bankfiles.base import read_bytes
from sheetbill.domain.payments import Statement, Transaction
from sheetbill.errors import BankFileError

_VERSION_1 = re.compile(r"\s*OFXHEADER\s*:\s*\d+")
_VERSION_2 = re.compile(r"<\?OFX\s|<OFX>", re.IGNORECASE)
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_END = re.compile(rb"</OFX>\s*\Z", re.IGNORECASE)
_CURRENCY = re.compile(r"[A-Z]{3}")
# The statement aggregates that hold bank lines: a bank account's, a credit card's.
_STATEMENTS = ("STMTRS", "CCSTMTRS")
_METHODS = {
    "DIRECTDEBIT": "direct debit",
    "POS": "card",
    "ATM": "card",
    "CHECK": "cheque",
}


class Ofx:
    """OFX statements, `--format ofx`."""

    name = "ofx"

    def identify(self, head: bytes, path: Path) -> bool:
        """An OFX 1 header (`OFXHEADER:100`) at the start, or the OFX 2 processing
        instruction (`<?OFX …?>`) or `<OFX>` element near it."""
        text = head_text(head)
        return bool(_VERSION_1.match(text) or _VERSION_2.search(text[:4096]))

    def extract(self, path: Path) -> Statement:
        """Every transaction (STMTTRN) of every bank and credit card statement in
        the file, in file order; amounts are the file's TRNAMT (money in > 0),
        `transaction_id` its FITID. Raises BankFileError."""
        data = read_bytes(path)
        if _DECLARATION.search(data):
            raise BankFileError(
                "declares a document type or entities (<!DOCTYPE …>), which OFX "
                "statements never do; sheetbill does not read it. Download the "
                "statement from your bank again",
                path=path,
            )
        if not _END.search(data):
            # ofxtools reads a file cut short without a word (its tree builder
            # closes what is open): the lines after the cut would be lost.
            raise BankFileError(
                "ends before its closing </OFX>: the download was cut short. "
                "Download the statement from your bank again",
                path=path,
            )
        root = _parsed(data, path)
        statements = [e for e in root.iter() if e.tag in _STATEMENTS]
        if not statements:
            raise BankFileError(
                "is an OFX file without a bank or credit card statement (STMTRS); "
                "download the account's statement (transactions) from your bank",
                path=path,
            )
        transactions: list[Transaction] = []
        for statement in statements:
            transactions.extend(_statement_lines(statement, len(transactions), path))
        return Statement(self.name, tuple(transactions))


def _parsed(data: bytes, path: Path) -> Element:
    from ofxtools.Parser import OFXTree

    tree = OFXTree()
    try:
        tree.parse(io.BytesIO(data))
    except (SyntaxError, ValueError, TypeError, KeyError, IndexError) as error:
        raise BankFileError(
            f"is not a readable OFX file ({short(str(error) or type(error).__name__)})."
            " Download the statement from your bank again",
            path=path,
        ) from None
    root = tree.getroot()
    if root is None or root.tag != "OFX":
        raise BankFileError(
            "is not a readable OFX file (no <OFX> element). Download the statement "
            "from your bank again",
            path=path,
        )
    return root


def _statement_lines(
    statement: Element, before: int, path: Path
) -> Iterator[Transaction]:
    currency = (statement.findtext("CURDEF") or "").strip().upper()
    if not _CURRENCY.fullmatch(currency):
        raise BankFileError(
            f"has a statement whose currency (CURDEF) is '{short(currency, 20)}', not "
            "an ISO code like EUR. Download the statement from your bank again",
            path=path,
        )
    lines = statement.findall("BANKTRANLIST/STMTTRN")
    if len(lines) != len(list(statement.iter("STMTTRN"))):
        # A transaction not closed swallows the next one, which ofxtools would
        # skip as an unknown tag.
        raise BankFileError(
            f"has a transaction after line {before + len(lines)} inside another "
            "(a </STMTTRN> is missing). Download the statement from your bank again",
            path=path,
        )
    # OFX makes a FITID unique only within its account (OFX 2.2, 11.4.3): the id
    # sheetbill keeps is the account's and the FITID together.
    account = "".join(
        "".join((statement.findtext(tag) or "").split())
        for tag in ("BANKACCTFROM/ACCTID", "CCACCTFROM/ACCTID")
    )
    for number, element in enumerate(lines, 1):
        found = _transaction(element, currency, before + number, path)
        if account and found.transaction_id:
            found = replace(found, transaction_id=f"{account}/{found.transaction_id}")
        yield found


def _transaction(
    element: Element, currency: str, number: int, path: Path
) -> Transaction:
    from ofxtools.models.base import Aggregate

    try:
        with warnings.catch_warnings():
            # Names longer than the spec's 32 characters and banks' private tags
            # are common and harmless; ofxtools warns about them.
            warnings.simplefilter("ignore")
            line = Aggregate.from_etree(element)
    except (
        ValueError,
        ArithmeticError,
        TypeError,
        KeyError,
        IndexError,
        AttributeError,
    ) as error:
        raise BankFileError(
            f"transaction {number} cannot be read "
            f"({short(str(error) or type(error).__name__)}). Download the statement "
            "from your bank again; nothing was imported",
            path=path,
        ) from None
    amount: Decimal = line.trnamt
    name = line.name or (line.payee.name if line.payee is not None else "") or ""
    memo = line.memo or ""
    account = line.bankacctto.acctid if line.bankacctto is not None else ""
    trntype: str = line.trntype
    return Transaction(
        booked=_posted(element.findtext("DTPOSTED") or ""),
        amount=amount,
        currency=(line.currency.cursym if line.currency is not None else currency),
        payer=one_line([name]),
        payer_account=compact_account(account or ""),
        # The remittance text is the MEMO; banks that write none put it in NAME.
        reference=one_line([memo or name]),
        method=_METHODS.get(trntype, "bank transfer"),
        transaction_id=(line.fitid or "").strip(),
        kind=bank_line_kind(amount, memo, name),
        line=number,
    )


def _posted(text: str) -> date:
    """The day DTPOSTED names as the bank wrote it (ofxtools turns a time with a
    zone into UTC, which can move it to the day before)."""
    return date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
