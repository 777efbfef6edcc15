"""What the bank statement readers (OFX, camt.053, MT940) share: a line's kind from
its sign and its words, and remittance text and account numbers tidied one way, so
the same payment reads the same whichever format the bank exported.

The conventions are the payments design's (docs/decisions.md, "Issue 15"): money in
is a PAYMENT; money out is a REFUND when the bank marks it a reversal or its text
names a returned payment, chargeback or refund, else OTHER (the shop's own outgoing
payments, which are not imported).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal

from sheetbill.domain.payments import TransactionKind

# Words banks and processors write on a returned payment, a chargeback or a refund,
# in English, German, French and Spanish, compared after `_folded` (so "Rücklast-
# schrift" and "RUECKLASTSCHRIFT" are one word).
REFUND_WORDS = (
    "refund",
    "chargeback",
    "charge back",
    "reversal",
    "returned",
    "rueckbuchung",
    "ruecklastschrift",
    "rueckueberweisung",
    "rueckbelastung",
    "retoure",
    "storno",
    "remboursement",
    "rembourse",
    "impaye",
    "devolucion",
    "reembolso",
    "retrocesion",
)

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_SPACE = re.compile(r"\s+")


def _folded(text: str) -> str:
    folded = text.casefold().translate(_UMLAUTS)
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def looks_like_refund(*texts: str) -> bool:
    """Whether any of the texts names a returned payment, chargeback or refund."""
    folded = " ".join(_folded(text) for text in texts)
    return any(word in folded for word in REFUND_WORDS)


def bank_line_kind(
    amount: Decimal, *texts: str, is_reversal: bool = False
) -> TransactionKind:
    """A bank line's kind: PAYMENT for money in (> 0); for money out REFUND when the
    bank marks it a reversal (`is_reversal`: camt RvslInd, a return reason, MT940
    RC) or a text looks like one (`REFUND_WORDS`), else OTHER; a zero amount is
    OTHER (nothing moved)."""
    if amount > 0:
        return TransactionKind.PAYMENT
    if amount < 0 and (is_reversal or looks_like_refund(*texts)):
        return TransactionKind.REFUND
    return TransactionKind.OTHER


def one_line(parts: Iterable[str]) -> str:
    """The non-empty parts joined by single spaces, runs of white space (line
    breaks included) as one space, each distinct part once."""
    seen: list[str] = []
    for part in parts:
        text = _SPACE.sub(" ", part).strip()
        if text and text not in seen:
            seen.append(text)
    return " ".join(seen)


def rejoined(pieces: Iterable[str], *, width: int) -> str:
    """Text a bank cut into fields of `width` characters, put back together: a
    piece that fills its field was cut mid-word and runs on into the next one
    (no space); a shorter piece ended where the writer ended it (a space)."""
    text = ""
    runs_on = True
    for piece in pieces:
        text += piece if runs_on else " " + piece
        runs_on = len(piece) >= width
    return _SPACE.sub(" ", text).strip()


def compact_account(text: str) -> str:
    """An IBAN or account number as compared: no spaces, upper case."""
    return _SPACE.sub("", text).upper()


def head_text(head: bytes) -> str:
    """The first bytes of a file as text for recognising its format: UTF-16 when
    it starts with a UTF-16 byte order mark, else every byte as one character
    (the markers looked for are ASCII)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")
    return head.removeprefix(b"\xef\xbb\xbf").decode("latin-1")


def short(text: str, limit: int = 120) -> str:
    """A library's error text cut to its first line and `limit` characters (some
    quote the whole file)."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first if len(first) <= limit else first[: limit - 1] + "…"
