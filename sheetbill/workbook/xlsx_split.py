"""Cutting one big worksheet into smaller worksheets, so calamine can parse the pieces
on several cores at once (it releases the GIL while it parses).

A worksheet's cells are `<row>` elements inside its one `<sheetData>`. Each piece keeps
the part's text before and after `<sheetData>`, and a run of whole `<row>` elements in
between, so it is a worksheet on its own whose cells keep their addresses. A cut is
made only at a `<row` tag in plain element content: never when the sheet data holds a
comment, CDATA section or processing instruction, where such text could hide.
"""

from __future__ import annotations

import itertools
import re

_SHEET_DATA = re.compile(rb"<sheetData\s*>")
_SHEET_DATA_END = b"</sheetData>"
# What may follow "<row" when it starts a row element (not "<rowBreaks", say).
_AFTER_ROW_TAG = frozenset(b" \t\r\n>/")


Piece = tuple[bytes, memoryview, bytes]


def split_sheet(xml: bytes, pieces: int) -> list[Piece] | None:
    """`xml` as up to `pieces` worksheets of consecutive rows, each as the three
    slices that make it up (not copied into one); None when it cannot be cut safely
    (then parse it whole)."""
    opened = _SHEET_DATA.search(xml)
    if opened is None:
        return None
    start = opened.end()
    end = xml.rfind(_SHEET_DATA_END)
    if end < start:
        return None
    if xml.find(b"sheetData", start, end) >= 0:
        return None
    for mark in b"!?":
        if _follows_a_lt(xml, mark, start, end):
            return None
    cuts = [start]
    for index in range(1, pieces):
        cut = _row_tag_from(xml, start + (end - start) * index // pieces, end)
        if cut < 0:
            break
        if cut > cuts[-1]:
            cuts.append(cut)
    if len(cuts) < 2:
        return None
    cuts.append(end)
    head, tail, body = xml[:start], xml[end:], memoryview(xml)
    return [(head, body[a:b], tail) for a, b in itertools.pairwise(cuts)]


def _follows_a_lt(xml: bytes, mark: int, start: int, end: int) -> bool:
    """Whether "<" + `mark` occurs in xml[start:end]. Searching for the rare mark
    alone is several times faster than for the pair: sheet XML is full of "<"."""
    found = xml.find(mark, start, end)
    while found >= 0:
        if found > start and xml[found - 1] == 0x3C:  # "<"
            return True
        found = xml.find(mark, found + 1, end)
    return False


def _row_tag_from(xml: bytes, position: int, end: int) -> int:
    """Where the first `<row` start tag at or after `position` begins, or -1."""
    while True:
        found = xml.find(b"<row", position, end)
        if found < 0:
            return -1
        if found + 4 < end and xml[found + 4] in _AFTER_ROW_TAG:
            return found
        position = found + 4
