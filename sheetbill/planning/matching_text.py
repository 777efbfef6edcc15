"""Reading a bank line's words for the matcher: the invoice numbers a reference
names, the ids of other transactions it names, and a payer's name as compared.

Pure. People and banks write an invoice number as they like (`inv 2026 0007`,
`RE: INV-2026-0007/ACME`, `INV20260007`, a line break inside it), so numbers are
compared on their letters and digits only, case-folded; what they may never be is
part of a longer number (`INV-2026-00071` does not name INV-2026-0007, nor does the
amount `1.190,00` name invoice 1190). No pattern is assumed: the numbers looked for
are the invoices' own, whatever their Number Pattern made them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container, Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

# A run of letters and digits (`\w` without the underscore).
_ALNUM = re.compile(r"[^\W_]+")
# A run of digits or a run of letters, kept when splitting: the places a number may
# start or end (`RE:INV2026` has runs `re`, `inv`, `2026`).
_RUNS = re.compile(r"(\d+|[^\W\d_]+)")
# Marks that, between two digits, make them one number (1.190,00), unless the
# invoice number itself has a separator there.
_NUMBER_MARKS = frozenset(".,")
# Where an id (a charge's, a payout's) ends inside a reference.
_ID_SEPARATORS = re.compile(r"[\s,;:()\[\]{}<>\"'|]+")


def folded(text: str) -> str:
    """The letters and digits of `text`, case-folded: how numbers are compared
    (`INV-2026-0007` and `inv 2026 0007` are both `inv20260007`)."""
    return "".join(_ALNUM.findall(_nfkc(text).casefold()))


def _nfkc(text: str) -> str:
    # Most references are ASCII, which NFKC leaves as it is.
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


@dataclass(frozen=True, slots=True)
class _Folded:
    """A text's letters and digits, case-folded, and where a number may start and
    end in them."""

    chars: str
    # Where each run of letters or digits starts, in order, then the end: where a
    # number may start or end, except at `marks`.
    starts: list[int]
    bounds: set[int]
    # Where a `.` or `,` joins two digits (inside a number such as 1.190 or 2,50).
    marks: frozenset[int]
    # The text split: separator, run, separator, run, ..., separator.
    parts: list[str]


_NO_MARKS: frozenset[int] = frozenset()
# Up to so many distinct first characters, a reference is first checked for them.
_FEW_HEADS = 64


def _fold_runs(text: str) -> _Folded:
    text = _nfkc(text).casefold()
    parts = _RUNS.split(text)
    runs = parts[1::2]
    chars = "".join(runs)
    starts = list(accumulate(map(len, runs), initial=0))
    marks = _NO_MARKS
    if "." in text or "," in text:
        marks = frozenset(
            at
            for at, gap in zip(starts, parts[0::2], strict=True)
            if gap in _NUMBER_MARKS
            and 0 < at < len(chars)
            and chars[at - 1].isdigit()
            and chars[at].isdigit()
        )
    bounds = set(starts)
    bounds -= marks
    return _Folded(chars, starts, bounds, marks, parts)


@dataclass(frozen=True, slots=True)
class NumberFinder:
    """The invoice numbers offered to the matcher, indexed by their folded form,
    so a reference is searched in time that grows with its length, not with the
    number of invoices."""

    # Folded number -> the numbers folding to it (two only when a person made
    # `INV-1` and `INV1`).
    numbers: dict[str, tuple[str, ...]]
    # The folded numbers' lengths, longest first.
    lengths: tuple[int, ...]
    # Their first two characters (one for a one-character number): most places in
    # a reference start no number.
    heads: frozenset[str]
    head: int
    # The heads as a regular expression over the unfolded text (any separators
    # between their characters), when they are few; None: every text may hold one.
    any_head: re.Pattern[str] | None
    # Folded number -> where the number has a separator (index into the folded form).
    separators: dict[str, frozenset[int]]

    @classmethod
    def of(cls, numbers: Iterable[str]) -> NumberFinder:
        found: dict[str, list[str]] = {}
        separators: dict[str, frozenset[int]] = {}
        for number in numbers:
            runs = _fold_runs(number)
            if not runs.chars:
                continue
            found.setdefault(runs.chars, []).append(number)
            separators[runs.chars] = frozenset(
                at for at, gap in zip(runs.starts, runs.parts[0::2], strict=True) if gap
            )
        lengths = tuple(sorted({len(k) for k in found}, reverse=True))
        numbers_of = {k: tuple(dict.fromkeys(v)) for k, v in found.items()}
        head = min(2, *lengths) if lengths else 2
        heads = frozenset(k[:head] for k in found)
        any_head = None
        if len(heads) <= _FEW_HEADS:
            any_head = re.compile(
                "|".join(r"[\W_]*".join(map(re.escape, h)) for h in sorted(heads))
            )
        return cls(numbers_of, lengths, heads, head, any_head, separators)

    def typed(self, text: str) -> tuple[str, ...]:
        """The invoices a typed Invoice No names: the number as written, else the
        numbers it folds to (`inv-2026-0007` names INV-2026-0007)."""
        key = folded(text)
        numbers = self.numbers.get(key, ())
        exact = tuple(n for n in numbers if n == text.strip())
        return exact or numbers

    def find(self, text: str) -> list[tuple[str, tuple[str, ...]]]:
        """Each invoice number `text` names, in the order written: (the folded
        number, the invoices it may be). The longest number wins where two start at
        the same place; a number starts and ends where a run of letters or digits
        does, so it is never found inside a longer number or word (`ACMEINV2026`,
        `INV-2026-00071`, the amount `1.190,00`)."""
        if not text or not self.lengths or not self._may_hold_one(text):
            return []
        runs = _fold_runs(text)
        if len(runs.chars) < self.lengths[-1]:
            return []
        found: list[tuple[str, tuple[str, ...]]] = []
        after = 0
        for start in runs.starts[:-1]:
            if (
                start < after
                or runs.chars[start : start + self.head] not in self.heads
                or start in runs.marks
            ):
                continue
            key = self._number_at(runs, start)
            if key:
                if all(key != k for k, _ in found):
                    found.append((key, self._verbatim(key, text)))
                after = start + len(key)
        return found

    def _may_hold_one(self, text: str) -> bool:
        """False when no number's first characters are in the text at all: most
        references name no invoice, and this costs less than reading them."""
        if self.any_head is None:
            return True
        return self.any_head.search(_nfkc(text).casefold()) is not None

    def _number_at(self, runs: _Folded, start: int) -> str:
        """The longest number starting at `start` (folded), or ""."""
        chars, bounds = runs.chars, runs.bounds
        for length in self.lengths:
            end = start + length
            if end not in bounds:
                continue
            key = chars[start:end]
            if key in self.numbers and self._keeps_marks(runs, key, start, end):
                return key
        return ""

    def _keeps_marks(self, runs: _Folded, key: str, start: int, end: int) -> bool:
        """False when a `.` or `,` joins two digits inside the match where the
        number has no separator: the text is an amount (1.190) not the number."""
        own = self.separators[key]
        return not any(start < at < end and at - start not in own for at in runs.marks)

    def _verbatim(self, key: str, text: str) -> tuple[str, ...]:
        """The numbers folding to `key`; of two (`INV-1`, `INV1`), the one written
        as such in `text`, if only one is."""
        numbers = self.numbers[key]
        if len(numbers) == 1:
            return numbers
        written = tuple(n for n in numbers if n.casefold() in text.casefold())
        return written if len(written) == 1 else numbers


def ids_named(text: str, ids: Container[str]) -> list[str]:
    """The ids among `ids` that `text` holds as words of their own (a Stripe charge
    `ch_3N…`, a payout `po_1…`, a PayPal transaction id), in the order written."""
    named: list[str] = []
    for word in _ID_SEPARATORS.split(text):
        word = word.strip(".")
        if word and word in ids and word not in named:
            named.append(word)
    return named


# --- Payer names -----------------------------------------------------------------

# Legal forms as the words of a folded name (`S.L.` is `sl`, `GmbH & Co. KG` is
# `gmbh and co kg`): left off the end of a name, as banks write names with or
# without them.
_LEGAL_FORMS = frozenset(
    {
        # German, Austrian, Swiss
        *("gmbh", "mbh", "ag", "kg", "kgaa", "ohg", "ug", "haftungsbeschrankt"),
        *("ev", "ek", "ekfr", "gbr", "se"),
        # English
        *("ltd", "limited", "llc", "llp", "lp", "plc", "inc", "incorporated"),
        *("corp", "corporation", "co", "company", "pty", "pte"),
        # French, Spanish, Italian, Dutch, Nordic, Central European, Japanese
        *("cie", "sarl", "sas", "sasu", "sa", "eurl", "sci", "snc", "scp"),
        *("sl", "slu", "sll", "sau", "srl", "spa", "bv", "nv", "vof", "cv"),
        *("ab", "oy", "oyj", "as", "asa", "aps", "kft", "sro", "zoo", "sp"),
        *("kk", "gk"),
        # What joins them (`& Co.`, `et Cie`, `y Cía`)
        *("and", "und", "et", "y", "cia"),
    }
)


_SPELLED_OUT = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)


def spelled_out(name: str) -> str:
    """German umlauts and ß as a bank without them writes them (DIN 5007-2:
    `Bäckerei` -> `Baeckerei`)."""
    return name.translate(_SPELLED_OUT)


@lru_cache(maxsize=65_536)
def payer_key(name: str) -> str:
    """A payer's name as compared: accents, case and punctuation dropped, initials
    joined (`S. L.` is `sl`) and legal forms left off the end, so `ACME GmbH`,
    `Acme gmbh.` and `ACME` are one name, and `Café Müller S.L.` is `cafe muller`."""
    plain = (
        name
        if name.isascii()
        else "".join(
            c
            for c in unicodedata.normalize("NFKD", name)
            if not unicodedata.combining(c)
        )
    )
    words = _ALNUM.findall(plain.casefold().replace("&", " and "))
    joined: list[str] = []
    # Whether the last word joined is a run of single letters (`s l` -> `sl`).
    initials = False
    for word in words:
        if len(word) == 1 and initials:
            joined[-1] += word
        else:
            joined.append(word)
            initials = len(word) == 1
    while len(joined) > 1 and joined[-1] in _LEGAL_FORMS:
        joined.pop()
    return " ".join(joined)
