"""Which characters may reach a document (a PDF, and the XML of an e-invoice).

Pure: one rule for every cell (`refusal`), and the characters a set of fonts draws
(`PrintableCharacters`, built by the documents adapter from the fonts' tables); a
character drawn in the font of the text around it (`in_font_around`) must be in every
font, not only in one.
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
# joiner, the left-to-right and right-to-left marks, word joiner, the invisible
# mathematical operators and deprecated format characters (U+2061-U+2064,
# U+206A-U+206F: hidden next to every script, though CJK, Arabic and Hebrew fonts
# lack them), variation selectors and the zero-width no-break space (a byte order
# mark pasted along with text).
_INVISIBLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x180B, 0x180D),
    (0x200B, 0x200F),
    (0x2060, 0x2064),
    (0x206A, 0x206F),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xE0100, 0xE01EF),
)
# The shaper (Pango) picks no font for spaces and format characters: it draws them
# in the font of the text around them, which may be the next cell or the template's
# words (a postcode and a city share a line). A space that font lacks is drawn as a
# plain space, unless a variation selector follows it (through any combining marks:
# HarfBuzz then looks the space up as it is); a format character it shows needs a
# glyph there. So both need a glyph in every font. Pango gives the Arabic format
# characters (number signs, end of ayah) and the Ogham space mark a font of their
# own, as it does letters.
_VARIATION_SELECTORS = (
    (0x180B, 0x180D),
    (0x180F, 0x180F),
    (0xFE00, 0xFE0F),
    (0xE0100, 0xE01EF),
)
_OWN_FONT = ((0x0600, 0x06FF), (0x070F, 0x070F), (0x08E2, 0x08E2), (0x1680, 0x1680))
_MARKS = ("Mn", "Mc", "Me")
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
    # A space before a variation selector, or a format character the shaper shows,
    # which some font of sheetbill's lacks: it is drawn in the font of the text
    # around it (`_VARIATION_SELECTORS`), so that font may show an empty box.
    NOT_IN_EVERY_FONT = "not in every font"


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


def _may_take_font_around(char: str) -> bool:
    """Whether `char` is a space or a shown format character, which the shaper draws
    in the font of the text around it (`_VARIATION_SELECTORS`)."""
    category = unicodedata.category(char)
    if category not in ("Zs", "Cf"):
        return False
    code = ord(char)
    return not _within(code, _OWN_FONT) and not _within(code, _INVISIBLE)


def in_font_around(text: str) -> set[str]:
    """The characters of `text` drawn in the font of the text around them where a
    missing glyph shows as an empty box: format characters the shaper shows, and
    spaces followed by a variation selector (through any combining marks)."""
    found = set()
    for at, char in enumerate(text):
        if not _may_take_font_around(char):
            continue
        if unicodedata.category(char) == "Cf":
            found.add(char)
            continue
        for after in text[at + 1 :]:
            if _within(ord(after), _VARIATION_SELECTORS):
                found.add(char)
                break
            if unicodedata.category(after) not in _MARKS:
                break
    return found


@dataclass(frozen=True, slots=True)
class PrintableCharacters:
    """The code points the fonts draw, as sorted disjoint ranges (first, last)."""

    firsts: tuple[int, ...]
    lasts: tuple[int, ...]
    # The code points every one of the fonts draws, when there are several (None:
    # these, as of one font); see `in_font_around`.
    in_every_font: PrintableCharacters | None = None
    # Whether every printable ASCII character is drawn (one look-up for most cells).
    has_ascii: bool = field(init=False)
    # Characters already found drawable or drawn as nothing wherever they stand: a
    # big sheet repeats them.
    _known: set[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ascii_ = all(code in self for code in range(0x20, 0x7F))
        object.__setattr__(self, "has_ascii", ascii_)
        object.__setattr__(self, "_known", set())

    @classmethod
    def from_ranges(
        cls,
        ranges: Iterable[tuple[int, int]],
        *,
        in_every_font: Iterable[tuple[int, int]] | None = None,
    ) -> PrintableCharacters:
        merged: list[list[int]] = []
        for first, last in sorted(ranges):
            if merged and first <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], last)
            else:
                merged.append([first, last])
        every = None if in_every_font is None else cls.from_ranges(in_every_font)
        return cls(tuple(r[0] for r in merged), tuple(r[1] for r in merged), every)

    def __contains__(self, code: object) -> bool:
        if not isinstance(code, int):
            return False
        at = bisect_right(self.firsts, code) - 1
        return at >= 0 and code <= self.lasts[at]

    def missing(self, text: str) -> list[str]:
        """The characters of `text` that may not reach a document (`refusal`, or
        drawn in the font of the text around them and missing from a font:
        `in_font_around`), each once, in the order they come."""
        if text.isascii() and text.isprintable() and self.has_ascii:
            return []  # most cells: decided without a look-up per character
        known = self._known
        if known.issuperset(text):
            return []
        every = self if self.in_every_font is None else self.in_every_font
        around: set[str] | None = None
        found = []
        for char in dict.fromkeys(text):
            if char in known:
                continue
            if refusal(char, self.__contains__) is not None:
                found.append(char)
            elif ord(char) in every or not _may_take_font_around(char):
                known.add(char)
            else:
                if around is None:
                    around = in_font_around(text)
                if char in around:
                    found.append(char)
        return found
