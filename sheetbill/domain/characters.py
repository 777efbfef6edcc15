"""Which characters may reach a document (a PDF, and the XML of an e-invoice).

Pure: one rule for every cell (`refusal`), and the characters a set of fonts draws
(`PrintableCharacters`, built by the documents adapter from the fonts' tables).
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum

# What may reach a document (a PDF, and the XML of an e-invoice): one rule for every
# cell, in `refusal`. Tabs and line breaks are white space wherever they are typed.
_WHITE_SPACE = frozenset("\t\n\r ")
# Drawn as nothing by the shaper, so they need no glyph: soft hyphen, grapheme joiner,
# Arabic letter mark, Mongolian variation selectors 1-3 (the shaper here draws the
# fourth, new in Unicode 14, as a box), zero-width space, non-joiner and
# joiner, the left-to-right and right-to-left marks, word joiner, variation selectors
# and the zero-width no-break space (a byte order mark pasted along with text).
_INVISIBLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x180B, 0x180D),
    (0x200B, 0x200F),
    (0x2060, 0x2060),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xE0100, 0xE01EF),
)
# Embeddings, overrides and isolates reorder the text around them (U+202E prints it
# backwards): what a document shows would not be what the cell shows.
_DIRECTION = ((0x202A, 0x202E), (0x2066, 0x2069))


class Refusal(Enum):
    """Why a character may not reach a document."""

    # Controls, line and paragraph separators, noncharacters, surrogate halves:
    # nothing a PDF prints, and (but for a few controls) nothing XML 1.0 may hold.
    CONTROL = "control"
    DIRECTION = "direction"
    # A character no font of sheetbill's has: the PDF would show an empty box.
    NO_GLYPH = "no glyph"


def refusal(char: str, drawn: Callable[[int], bool]) -> Refusal | None:
    """Why `char` may not reach a document, or None when it may; `drawn(code)` says
    whether the fonts have a glyph for a code point.

    A character may reach a document when it is white space (space, tab, line
    break), or drawn by the fonts, or drawn as nothing by the shaper (`_INVISIBLE`),
    and is none of the controls, separators, noncharacters and surrogate halves
    (Unicode 15, chapter 23) or text-direction controls (UAX #9) refused whatever
    the fonts map them to. Everything it lets through is an XML 1.0 Char.
    """
    if char in _WHITE_SPACE:
        return None
    code = ord(char)
    category = unicodedata.category(char)
    if (
        category in ("Cc", "Cs", "Zl", "Zp")
        or 0xFDD0 <= code <= 0xFDEF
        or code & 0xFFFE == 0xFFFE
    ):
        return Refusal.CONTROL
    if _within(code, _DIRECTION):
        return Refusal.DIRECTION
    if drawn(code) or _within(code, _INVISIBLE):
        return None
    return Refusal.NO_GLYPH


def _within(code: int, ranges: Iterable[tuple[int, int]]) -> bool:
    return any(first <= code <= last for first, last in ranges)


@dataclass(frozen=True, slots=True)
class PrintableCharacters:
    """The code points the fonts draw, as sorted disjoint ranges (first, last)."""

    firsts: tuple[int, ...]
    lasts: tuple[int, ...]
    # Whether every printable ASCII character is drawn (one look-up for most cells).
    has_ascii: bool = field(init=False)
    # Characters already found drawable or drawn as nothing: a big sheet repeats them.
    _known: set[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ascii_ = all(code in self for code in range(0x20, 0x7F))
        object.__setattr__(self, "has_ascii", ascii_)
        object.__setattr__(self, "_known", set())

    @classmethod
    def from_ranges(cls, ranges: Iterable[tuple[int, int]]) -> PrintableCharacters:
        merged: list[list[int]] = []
        for first, last in sorted(ranges):
            if merged and first <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], last)
            else:
                merged.append([first, last])
        return cls(tuple(r[0] for r in merged), tuple(r[1] for r in merged))

    def __contains__(self, code: object) -> bool:
        if not isinstance(code, int):
            return False
        at = bisect_right(self.firsts, code) - 1
        return at >= 0 and code <= self.lasts[at]

    def missing(self, text: str) -> list[str]:
        """The characters of `text` that may not reach a document (`refusal`), each
        once, in the order they come."""
        if text.isascii() and text.isprintable() and self.has_ascii:
            return []  # most cells: decided without a look-up per character
        known = self._known
        if known.issuperset(text):
            return []
        found = []
        for char in dict.fromkeys(text):
            if char in known:
                continue
            if refusal(char, self.__contains__) is None:
                known.add(char)
            else:
                found.append(char)
        return found
