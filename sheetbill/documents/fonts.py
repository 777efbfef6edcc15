"""The fonts every document prints with, and which characters they can draw.

WeasyPrint gets a fontconfig of its own that holds only these files, so a PDF looks
the same on every machine and a character they lack is never drawn by some other font
installed there. The template's own `@font-face` fonts are added on top of them.
"""

from __future__ import annotations

import os
import shlex
import struct
import sys
import threading
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from sheetbill.domain.characters import PrintableCharacters
from sheetbill.errors import RenderError

SHIPPED = Path(__file__).resolve().parents[2] / "sheet_templates" / "invoice" / "fonts"
NOTO_CORE = Path("/usr/share/fonts/truetype/noto")
NOTO_CJK = Path("/usr/share/fonts/opentype/noto")
# An empty fontconfig: loaded in place of the system's, so no installed font is seen.
EMPTY_FONTCONFIG = Path(__file__).with_name("fonts.conf")


@dataclass(frozen=True, slots=True)
class FontFile:
    """One font file (a .ttc holds several faces) and the Debian package with it."""

    path: Path
    package: str


# The order is fontconfig's when it falls back: DejaVu (the default templates' face,
# shipped in the repository) first, then Noto for what DejaVu lacks. The Noto CJK
# collections hold Japanese, Chinese (simplified and traditional) and Korean.
FONT_FILES: tuple[FontFile, ...] = (
    FontFile(SHIPPED / "DejaVuSans.ttf", "sheetbill"),
    FontFile(SHIPPED / "DejaVuSans-Bold.ttf", "sheetbill"),
    FontFile(NOTO_CORE / "NotoSans-Regular.ttf", "fonts-noto-core"),
    FontFile(NOTO_CORE / "NotoSans-Bold.ttf", "fonts-noto-core"),
    FontFile(NOTO_CORE / "NotoSansArabic-Regular.ttf", "fonts-noto-core"),
    FontFile(NOTO_CORE / "NotoSansArabic-Bold.ttf", "fonts-noto-core"),
    FontFile(NOTO_CORE / "NotoSansHebrew-Regular.ttf", "fonts-noto-core"),
    FontFile(NOTO_CORE / "NotoSansHebrew-Bold.ttf", "fonts-noto-core"),
    FontFile(NOTO_CJK / "NotoSansCJK-Regular.ttc", "fonts-noto-cjk"),
    FontFile(NOTO_CJK / "NotoSansCJK-Bold.ttc", "fonts-noto-cjk"),
)


def font_paths(files: Iterable[FontFile] = FONT_FILES) -> tuple[Path, ...]:
    """The font files, or a RenderError naming the missing ones and how to get them."""
    files = tuple(files)
    missing = [f for f in files if not f.path.is_file()]
    if missing:
        packages = sorted({f.package for f in missing})
        raise RenderError(
            "the fonts invoices are printed with are missing: "
            + ", ".join(str(f.path) for f in missing)
            + ". Install them with `make system-deps`, or: sudo apt-get install "
            + " ".join(shlex.quote(p) for p in packages)
        )
    return tuple(f.path for f in files)


class FontCoverage:
    """What the fonts can draw: the union of every face's Unicode cmap, and what all
    of them draw (for the characters drawn in the font of the text around them, as
    `characters.in_font_around` says), read as needed.

    The first font (DejaVu Sans, 10 ms) draws the text of most workbooks; the others
    (about 0.1 s, most of it the CJK collections) are read, once, only when a text
    holds a character it lacks or one it cannot decide alone.
    """

    def __init__(self, files: Iterable[FontFile] = FONT_FILES) -> None:
        self.paths = font_paths(files)
        self._first: PrintableCharacters | None = None
        self._all: PrintableCharacters | None = None

    def missing(self, text: str) -> list[str]:
        """The characters of `text` that may not reach a document, as
        PrintableCharacters says with every font."""
        if self._first is None:
            # Nothing is known to be in every font until all are read: a space
            # before a variation selector is then looked up in all of them.
            self._first = PrintableCharacters.from_ranges(
                font_ranges(self.paths[0]), in_every_font=()
            )
        if not self._first.missing(text):
            return []
        return self.all().missing(text)

    def __contains__(self, code: object) -> bool:
        return code in self.all()

    def all(self) -> PrintableCharacters:
        if self._all is None:
            fonts = [
                PrintableCharacters.from_ranges(font_ranges(p)) for p in self.paths
            ]
            self._all = PrintableCharacters.from_ranges(
                (r for f in fonts for r in zip(f.firsts, f.lasts, strict=True)),
                in_every_font=_in_every_font(fonts),
            )
        return self._all


def _in_every_font(fonts: Sequence[PrintableCharacters]) -> list[tuple[int, int]]:
    """The code points (as one-point ranges) every font of `fonts` draws."""
    fewest = min(fonts, key=lambda f: sum(f.lasts) - sum(f.firsts) + len(f.firsts))
    return [
        (code, code)
        for first, last in zip(fewest.firsts, fewest.lasts, strict=True)
        for code in range(first, last + 1)
        if all(code in font for font in fonts)
    ]


@cache
def printable_characters() -> FontCoverage:
    """The fonts' coverage, one per process. Raises RenderError when a font file is
    missing; one that cannot be read raises it when it is first needed."""
    return FontCoverage()


def font_ranges(path: Path) -> Iterator[tuple[int, int]]:
    """The code points (first, last) each face of a font file maps to a glyph."""
    from fontTools.ttLib import TTCollection, TTFont, TTLibError

    ranges: list[tuple[int, int]] = []
    # The faces of a collection mostly map the same code points (to other glyphs).
    joined: dict[tuple[bytes, bytes], tuple[tuple[int, int], ...]] = {}
    try:
        # Read lazily from the open file: only the cmaps, not 20 MB of outlines.
        with path.open("rb") as file:
            faces = (
                TTCollection(file, lazy=True).fonts
                if path.suffix.lower() in (".ttc", ".otc")
                else [TTFont(file, lazy=True)]
            )
            for face in faces:
                groups = _format_12_groups(face)
                if groups is None:
                    ranges.extend(_cmap_ranges(face))
                    continue
                if groups not in joined:
                    joined[groups] = _joined(*groups)
                ranges.extend(joined[groups])
    except (OSError, TTLibError, struct.error) as exc:
        raise RenderError(f"the font {path} cannot be read: {exc}") from exc
    return iter(ranges)


# HarfBuzz's order of preference among Unicode cmap subtables (as fontTools').
_CMAP_PREFERENCE = ((3, 10), (0, 6), (0, 4), (3, 1), (0, 3), (0, 2), (0, 1), (0, 0))


def _format_12_groups(face: Any) -> tuple[bytes, bytes] | None:
    """The first and last code points of the groups of the face's best Unicode cmap,
    read from its bytes, when it is a format 12 subtable (else None).

    fontTools would expand a CJK face's 45,000 code points to glyph names, which takes
    a quarter of a second a face, and a collection has ten faces.
    """
    data = face.reader["cmap"]
    (count,) = struct.unpack_from(">H", data, 2)
    records = {
        (platform, encoding): offset
        for platform, encoding, offset in struct.iter_unpack(
            ">HHL", data[4 : 4 + 8 * count]
        )
    }
    offset = next((records[k] for k in _CMAP_PREFERENCE if k in records), None)
    if offset is None or struct.unpack_from(">H", data, offset)[0] != 12:
        return None
    (count,) = struct.unpack_from(">L", data, offset + 12)
    groups = array("I", data[offset + 16 : offset + 16 + 12 * count])
    if sys.byteorder == "little":
        groups.byteswap()
    firsts, lasts, glyphs = groups[0::3], groups[1::3], groups[2::3]
    if 0 in glyphs:
        # Glyph 0 is the missing glyph: a group's first code point maps to it.
        firsts = array("I", (f + (g == 0) for f, g in zip(firsts, glyphs, strict=True)))
    return firsts.tobytes(), lasts.tobytes()


def _cmap_ranges(face: Any) -> list[tuple[int, int]]:
    return [
        (code, code)
        for code, glyph_name in (face.getBestCmap() or {}).items()
        if glyph_name != ".notdef"
    ]


def _joined(firsts: bytes, lasts: bytes) -> tuple[tuple[int, int], ...]:
    """Groups of consecutive code points joined into ranges."""
    ranges: list[tuple[int, int]] = []
    start, end = -2, -2
    for first, last in zip(array("I", firsts), array("I", lasts), strict=True):
        if first > last:
            continue  # a broken group, as HarfBuzz skips it
        if first == end + 1:
            end = last
            continue
        if start >= 0:
            ranges.append((start, end))
        start, end = first, last
    if start >= 0:
        ranges.append((start, end))
    return tuple((a, min(b, 0x10FFFF)) for a, b in ranges if a <= 0x10FFFF)


_environment_lock = threading.Lock()


def font_configuration() -> Any:
    """A WeasyPrint FontConfiguration that knows only `FONT_FILES` (plus the
    `@font-face` fonts of the stylesheets given it later)."""
    from weasyprint.text.ffi import ffi, fontconfig, pangoft2
    from weasyprint.text.fonts import FontConfiguration

    paths = font_paths()
    with _environment_lock:
        # fontconfig reads FONTCONFIG_FILE when WeasyPrint loads its configuration.
        before = os.environ.get("FONTCONFIG_FILE")
        os.environ["FONTCONFIG_FILE"] = str(EMPTY_FONTCONFIG)
        try:
            config = FontConfiguration()
        finally:
            if before is None:
                del os.environ["FONTCONFIG_FILE"]
            else:
                os.environ["FONTCONFIG_FILE"] = before
    for path in paths:
        # WeasyPrint keeps its fontconfig in `_config`, as it does for @font-face.
        if not fontconfig.FcConfigAppFontAddFile(config._config, bytes(path)):
            raise RenderError(f"the font {path} cannot be read")
    pangoft2.pango_fc_font_map_config_changed(
        ffi.cast("PangoFcFontMap *", config.font_map)
    )
    return config
