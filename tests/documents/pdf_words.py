"""Where each word of a PDF sits, as poppler's `pdftotext -bbox` reads it.

Poppler drops characters that lie wholly off the page, so text cut at the page edge
is missing from these words as well as from the page.
"""

from __future__ import annotations

import html
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

MM = 72 / 25.4  # PDF points per millimetre
A4 = (210 * MM, 297 * MM)
# The default style's page margins (style.css `@page { margin: 16mm 18mm 22mm }`).
MARGINS = {"top": 16 * MM, "right": 18 * MM, "bottom": 22 * MM, "left": 18 * MM}

_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(
    r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">'
    r"(.*?)</word>",
    re.S,
)


@dataclass(frozen=True, slots=True)
class Word:
    page: int
    x0: float
    top: float
    x1: float
    bottom: float
    text: str

    def overlaps(self, other: Word, *, tolerance: float = 0.5) -> bool:
        """The two boxes share an area more than `tolerance` points deep each way."""
        return (
            self.page == other.page
            and min(self.x1, other.x1) - max(self.x0, other.x0) > tolerance
            and min(self.bottom, other.bottom) - max(self.top, other.top) > tolerance
        )


def pdf_words(path: Path) -> list[Word]:
    """Every word of every page, in the order the PDF draws them (`-raw`): the
    pieces of a wrapped word follow each other."""
    result = subprocess.run(
        ["pdftotext", "-raw", "-bbox", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    words = []
    for number, page in enumerate(_PAGE.finditer(result.stdout), start=1):
        for match in _WORD.finditer(page.group(3)):
            x0, top, x1, bottom = (float(v) for v in match.groups()[:4])
            words.append(Word(number, x0, top, x1, bottom, html.unescape(match[5])))
    return words


def is_outside_its_area(word: Word) -> bool:
    """The word reaches past the printable width of A4, or lies across the edge of
    the page body: running headers and footers print wholly inside the top or bottom
    margin, everything else wholly between them."""
    width, height = A4
    slack = 0.5
    if word.x0 < MARGINS["left"] - slack or word.x1 > width - MARGINS["right"] + slack:
        return True
    body_top, body_bottom = MARGINS["top"], height - MARGINS["bottom"]
    areas = [(0.0, body_top), (body_top, body_bottom), (body_bottom, height)]
    return not any(
        word.top >= low - slack and word.bottom <= high + slack for low, high in areas
    )


def layout_faults(words: list[Word]) -> list[str]:
    """Words cut at the page edge or crossing into a margin, and words drawn over
    each other, as readable lines (empty: the page is laid out cleanly)."""
    faults = [f"outside: {w}" for w in words if is_outside_its_area(w)]
    faults += [
        f"overlap: {a} / {b}"
        for i, a in enumerate(words)
        for b in words[i + 1 :]
        if a.overlaps(b)
    ]
    return faults
