"""ISO 20022 camt.053 bank statements (versions .001.02 to .001.08) read into
Transactions: one per booked payment, a batched entry split into its payments.

The XML is untrusted: it is parsed with defusedxml and a document type declaration
is refused outright (XXE, billion laughs, an external DTD), so no file or URL is ever
opened and nothing expands; the file's size is bounded before it is read
(`base.MAX_BYTES`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

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

_NAMESPACE = re.compile(r"urn:iso:std:iso:20022:tech:xsd:camt\.(\d{3})\.001\.(\d{2})")
# The versions whose layout this reader knows (2009's .02 to 2019's .08).
VERSIONS = range(2, 9)
_OTHER_MESSAGES = {
    "052": "an account report (camt.052, the bank's report during the day)",
    "054": "a debit/credit notification (camt.054, single bookings as they happen)",
}
_AMOUNT = re.compile(r"\d{1,18}(\.\d{1,5})?")
# ISO bank transaction sub-families that book a payment given back: a returned
# credit transfer, a returned or unpaid direct debit, a payment reversal or
# cancellation.
_REVERSAL_CODES = frozenset({"RRTN", "UPDD", "PRDD", "RPCR"})
_METHODS = {
    "RCDT": "bank transfer",
    "ICDT": "bank transfer",
    "RDDT": "direct debit",
    "IDDT": "direct debit",
    "CCRD": "card",
    "MCRD": "card",
    "RCHQ": "cheque",
    "ICHQ": "cheque",
}
_BOOKED = "BOOK"


class Camt053:
    """camt.053 bank-to-customer statements, `--format camt.053`."""

    name = "camt.053"

    def identify(self, head: bytes, path: Path) -> bool:
        """Any ISO 20022 cash management message (camt.*): a camt.052 or .054 is
        claimed too, so that its refusal says what it is."""
        return "urn:iso:std:iso:20022:tech:xsd:camt." in head_text(head)

    def extract(self, path: Path) -> Statement:
        """Every booked entry of every statement in the file, in file order; a
        batched entry (several TxDtls whose amounts add up to it) becomes one
        Transaction per TxDtls. Entries not booked yet (pending, information) are
        left out and counted in `skipped`. Raises BankFileError."""
        root = _parsed(read_bytes(path), path)
        xml = _Xml(_statement_namespace(root, path))
        transactions: list[Transaction] = []
        pending = 0
        for number, (entry, account_currency) in enumerate(_entries(xml, root), 1):
            status = xml.text(entry, "Sts/Cd") or xml.text(entry, "Sts")
            if status and status.upper() != _BOOKED:
                pending += 1
                continue
            read = _EntryReader(xml, entry, number, account_currency, path)
            transactions.extend(read.transactions())
        skipped = (_pending(pending),) if pending else ()
        return Statement(self.name, tuple(transactions), skipped)


def _pending(count: int) -> str:
    entries = "1 entry" if count == 1 else f"{count} entries"
    return f"{entries} not booked yet (pending or for information)"


def _parsed(data: bytes, path: Path) -> Element:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        root: Element = fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise BankFileError(
            "declares a document type or entities (<!DOCTYPE …>), which bank "
            "statements never do and which could make a reader open other files; "
            "sheetbill does not read it. Download the statement from your bank again",
            path=path,
        ) from None
    except ParseError as error:
        line, column = error.position
        raise BankFileError(
            f"is not well-formed XML (line {line}, column {column + 1}: "
            f"{short(str(error).split(':')[0])}). Download the statement from your "
            "bank again",
            path=path,
        ) from None
    return root


def _statement_namespace(root: Element, path: Path) -> str:
    namespace = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
    found = _NAMESPACE.fullmatch(namespace)
    if found is None or root.tag != f"{{{namespace}}}Document":
        raise BankFileError(
            "is XML but not an ISO 20022 camt.053 statement (its root is "
            f"<{short(root.tag, 80)}>). Download the account statement as camt.053",
            path=path,
        )
    message, version = found.group(1), int(found.group(2))
    if message != "053":
        what = _OTHER_MESSAGES.get(message, f"an ISO 20022 camt.{message} message")
        raise BankFileError(
            f"is {what}, not an account statement. Download the account statement "
            "(camt.053) for the period instead",
            path=path,
        )
    if version not in VERSIONS:
        raise BankFileError(
            f"is camt.053 version .001.{version:02d}; sheetbill reads versions "
            ".001.02 to .001.08. Ask the bank for one of those, or download the "
            "statement as MT940",
            path=path,
        )
    return namespace


class _Xml:
    """Finding camt elements by their unqualified paths ("NtryDtls/TxDtls")."""

    def __init__(self, namespace: str) -> None:
        self._prefix = f"{{{namespace}}}"
        self._paths: dict[str, str] = {}

    def _path(self, path: str) -> str:
        qualified = self._paths.get(path)
        if qualified is None:
            qualified = "/".join(self._prefix + step for step in path.split("/"))
            self._paths[path] = qualified
        return qualified

    def find(self, element: Element, path: str) -> Element | None:
        return element.find(self._path(path))

    def all(self, element: Element, path: str) -> list[Element]:
        return element.findall(self._path(path))

    def text(self, element: Element | None, path: str) -> str:
        """The element's text, white space collapsed; "" when it is absent."""
        if element is None:
            return ""
        found = element.find(self._path(path))
        return one_line([found.text or ""]) if found is not None else ""

    def texts(self, element: Element | None, path: str) -> list[str]:
        if element is None:
            return []
        return [one_line([e.text or ""]) for e in element.findall(self._path(path))]


def _entries(xml: _Xml, root: Element) -> Iterator[tuple[Element, str]]:
    for statement in xml.all(root, "BkToCstmrStmt/Stmt"):
        currency = xml.text(statement, "Acct/Ccy").upper()
        for entry in xml.all(statement, "Ntry"):
            yield entry, currency


@dataclass(frozen=True, slots=True)
class _Details:
    """One TxDtls as read: its amount when it states one in the entry's currency."""

    amount: Decimal | None
    reference: str
    payer: str
    payer_account: str
    bank_reference: str
    is_return: bool
    codes: tuple[str, str]
    words: str


class _EntryReader:
    """One Ntry into its Transactions."""

    def __init__(
        self,
        xml: _Xml,
        entry: Element,
        number: int,
        account_currency: str,
        path: Path,
    ) -> None:
        self.xml = xml
        self.entry = entry
        self.number = number
        self.path = path
        amount = xml.find(entry, "Amt")
        self.currency = (
            amount.get("Ccy", "") if amount is not None else ""
        ).upper() or account_currency
        self.is_credit = self._is_credit(xml.text(entry, "CdtDbtInd"), "CdtDbtInd")
        self.amount = self._amount(amount, "Amt", self.is_credit)
        self.is_reversal = xml.text(entry, "RvslInd").lower() in ("true", "1")
        self.booked = self._booked()
        self.info = xml.text(entry, "AddtlNtryInf")

    def transactions(self) -> list[Transaction]:
        xml = self.xml
        details = [self._details(d) for d in xml.all(self.entry, "NtryDtls/TxDtls")]
        entry_reference = xml.text(self.entry, "AcctSvcrRef")
        amounts = [d.amount for d in details if d.amount is not None]
        if len(details) > 1 and len(amounts) == len(details):
            return self._batch(details, amounts, entry_reference)
        joined = self._joined(details)
        return [
            self._transaction(
                self.amount, joined, joined.bank_reference or entry_reference
            )
        ]

    def _batch(
        self, details: list[_Details], amounts: list[Decimal], entry_reference: str
    ) -> list[Transaction]:
        """A batched entry as its payments, when their amounts add up to it; else
        as one payment (the booked total is what the bank moved)."""
        if sum(amounts, Decimal(0)) != self.amount:
            joined = self._joined(details)
            return [self._transaction(self.amount, joined, entry_reference)]
        # The entry's reference is shared by its parts: each part's id is the
        # entry's with the part's place in it, unless the bank gives the part one.
        return [
            self._transaction(
                amount,
                detail,
                detail.bank_reference
                or (f"{entry_reference}/{index}" if entry_reference else ""),
            )
            for index, (amount, detail) in enumerate(
                zip(amounts, details, strict=True), 1
            )
        ]

    def _joined(self, details: list[_Details]) -> _Details:
        """One entry's details as one payment: a single TxDtls, none, or a batch
        whose parts do not state amounts adding up to the entry."""
        payers = {(d.payer, d.payer_account) for d in details}
        payer, account = payers.pop() if len(payers) == 1 else ("", "")
        reference = one_line(d.reference for d in details)
        return _Details(
            amount=self.amount,
            reference=reference or self.info,
            payer=payer,
            payer_account=account,
            bank_reference=details[0].bank_reference if len(details) == 1 else "",
            is_return=any(d.is_return for d in details),
            codes=details[0].codes if len(details) == 1 else ("", ""),
            words=one_line(d.words for d in details),
        )

    def _transaction(
        self, amount: Decimal, details: _Details, transaction_id: str
    ) -> Transaction:
        family, sub_family = details.codes
        entry_family, entry_sub_family = self._codes(self.entry)
        is_reversal = (
            self.is_reversal
            or details.is_return
            or bool({sub_family, entry_sub_family} & _REVERSAL_CODES)
        )
        return Transaction(
            booked=self.booked,
            amount=amount,
            currency=self.currency,
            payer=details.payer,
            payer_account=details.payer_account,
            reference=details.reference,
            method=_METHODS.get(family or entry_family, "bank transfer"),
            transaction_id=transaction_id,
            kind=bank_line_kind(
                amount,
                details.reference,
                details.words,
                self.info,
                is_reversal=is_reversal,
            ),
            line=self.number,
        )

    def _details(self, element: Element) -> _Details:
        xml = self.xml
        indicator = xml.text(element, "CdtDbtInd")
        is_credit = (
            self._is_credit(indicator, "TxDtls/CdtDbtInd")
            if indicator
            else self.is_credit
        )
        amount = self._detail_amount(element, is_credit)
        # A reversal books money back the other way: the counterparty named is the
        # original payment's (its debtor, for a returned incoming payment).
        money_came_in = is_credit != self.is_reversal
        party = "Dbtr" if money_came_in else "Cdtr"
        parties = xml.find(element, "RltdPties")
        payer = xml.text(parties, f"{party}/Nm") or xml.text(parties, f"{party}/Pty/Nm")
        account = xml.text(parties, f"{party}Acct/Id/IBAN") or xml.text(
            parties, f"{party}Acct/Id/Othr/Id"
        )
        remittance = xml.find(element, "RmtInf")
        reference = one_line(
            [
                *xml.texts(remittance, "Ustrd"),
                *xml.texts(remittance, "Strd/RfrdDocInf/Nb"),
                *xml.texts(remittance, "Strd/CdtrRefInf/Ref"),
                *xml.texts(remittance, "Strd/AddtlRmtInf"),
            ]
        )
        extra = xml.text(element, "AddtlTxInf")
        return _Details(
            amount=amount,
            reference=reference or extra,
            payer=payer,
            payer_account=compact_account(account),
            bank_reference=xml.text(element, "Refs/AcctSvcrRef"),
            is_return=xml.find(element, "RtrInf") is not None,
            codes=self._codes(element),
            words=one_line([extra, *xml.texts(element, "RtrInf/AddtlInf")]),
        )

    def _detail_amount(self, element: Element, is_credit: bool) -> Decimal | None:
        """The TxDtls's own amount in the entry's currency (Amt from .001.03 on,
        AmtDtls/TxAmt in .001.02), signed; None when it states none."""
        for path in ("Amt", "AmtDtls/TxAmt/Amt", "AmtDtls/InstdAmt/Amt"):
            found = self.xml.find(element, path)
            if found is not None and found.get("Ccy", "").upper() == self.currency:
                return self._amount(found, f"TxDtls/{path}", is_credit)
        return None

    def _codes(self, element: Element) -> tuple[str, str]:
        """The ISO bank transaction code's family and sub-family ("RCDT", "ESCT")."""
        xml = self.xml
        family = xml.find(element, "BkTxCd/Domn/Fmly")
        return (xml.text(family, "Cd").upper(), xml.text(family, "SubFmlyCd").upper())

    def _is_credit(self, indicator: str, where: str) -> bool:
        if indicator.upper() not in ("CRDT", "DBIT"):
            raise self._error(
                f"its {where} is '{short(indicator, 20)}' (CRDT or DBIT expected)"
            )
        return indicator.upper() == "CRDT"

    def _amount(self, element: Element | None, where: str, is_credit: bool) -> Decimal:
        text = (element.text or "").strip() if element is not None else ""
        if not _AMOUNT.fullmatch(text):
            raise self._error(
                f"its {where} is '{short(text, 30)}', not an amount like 1190.00"
                if text
                else f"it has no {where}"
            )
        amount = Decimal(text)
        return amount if is_credit else -amount

    def _booked(self) -> date:
        xml = self.xml
        for path in ("BookgDt/Dt", "BookgDt/DtTm", "ValDt/Dt", "ValDt/DtTm"):
            text = xml.text(self.entry, path)
            if text:
                try:
                    return date.fromisoformat(text[:10])
                except ValueError:
                    raise self._error(
                        f"its {path} is '{short(text, 30)}', not a date like 2026-01-15"
                    ) from None
        raise self._error("it has no booking date (BookgDt) nor value date (ValDt)")

    def _error(self, problem: str) -> BankFileError:
        return BankFileError(
            f"entry {self.number} cannot be read: {problem}. Download the statement "
            "from your bank again; nothing was imported",
            path=self.path,
        )
