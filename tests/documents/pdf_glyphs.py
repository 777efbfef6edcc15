"""What a PDF drew, read back from its fonts: each glyph, its text and whether it has
an outline, so a test can tell a real glyph from an empty box."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTFont
from pypdf import PdfReader

_BFCHAR = re.compile(r"beginbfchar(.*?)endbfchar", re.S)
_PAIR = re.compile(r"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]+)>")
_CIDCHAR = re.compile(r"begincidchar(.*?)endcidchar", re.S)
_CODE_CID = re.compile(r"<([0-9a-fA-F]{4})>\s*(\d+)")
# Subset fonts are named `ABCDEF+Family-Style`.
_SUBSET_TAG = re.compile(r"^/?[A-Z]{6}\+")


@dataclass(frozen=True, slots=True)
class DrawnGlyph:
    font: str  # the font's name without its subset tag, e.g. Noto-Sans-CJK-JP
    text: str  # what the glyph stands for (the PDF's ToUnicode map)
    glyph_id: int
    # False for the missing glyph (.notdef) or an id the embedded font lacks; the
    # subset keeps every glyph a page uses, so anything else is the font's own.
    is_real: bool


def drawn_glyphs(pdf: Path | bytes) -> list[DrawnGlyph]:
    """Every glyph a PDF's text uses, from each font's ToUnicode map and the font
    program embedded in the PDF."""
    reader = PdfReader(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf)
    glyphs: list[DrawnGlyph] = []
    seen: set[int] = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font")
        for ref in (fonts.get_object() if fonts else {}).values():
            if ref.idnum in seen:
                continue
            seen.add(ref.idnum)
            glyphs.extend(_font_glyphs(ref.get_object()))
    return glyphs


def _font_glyphs(font) -> list[DrawnGlyph]:  # type: ignore[no-untyped-def]
    name = _SUBSET_TAG.sub("", str(font["/BaseFont"]))
    descendant = font["/DescendantFonts"][0].get_object()
    descriptor = descendant["/FontDescriptor"].get_object()
    program = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
    face = TTFont(io.BytesIO(program.get_object().get_data()))
    glyph_count = face["maxp"].numGlyphs
    to_unicode = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    # WeasyPrint gives a font with missing glyphs an encoding that leaves them out
    # (they then show the .notdef box); otherwise codes are glyph ids (Identity-H).
    encoding = font["/Encoding"]
    cids: dict[int, int] | None = None
    if not isinstance(encoding, str) and hasattr(encoding, "get_object"):
        data = encoding.get_object().get_data().decode("latin-1")
        cids = {
            int(code, 16): int(cid)
            for block in _CIDCHAR.findall(data)
            for code, cid in _CODE_CID.findall(block)
        }
    glyphs = []
    for block in _BFCHAR.findall(to_unicode):
        for code, text in _PAIR.findall(block):
            gid = int(code, 16) if cids is None else cids.get(int(code, 16), 0)
            char = bytes.fromhex(text).decode("utf-16-be")
            glyphs.append(DrawnGlyph(name, char, gid, 0 < gid < glyph_count))
    return glyphs


def boxes(pdf: Path | bytes) -> list[DrawnGlyph]:
    """The glyphs a reader sees as empty boxes (or nothing) instead of a character."""
    return [g for g in drawn_glyphs(pdf) if not g.is_real]
