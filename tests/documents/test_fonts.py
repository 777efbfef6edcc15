"""Every character prints: sheetbill's own fonts for every script, nothing else.

Read back from the PDF's embedded fonts: a glyph drawn as .notdef (or with an id the
font lacks) is the empty box a reader would see."""

from __future__ import annotations

import re
import subprocess
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from pdf_glyphs import boxes, drawn_glyphs

from sheetbill.documents import fonts
from sheetbill.documents.fonts import (
    FONT_FILES,
    FontCoverage,
    FontFile,
    font_paths,
    font_ranges,
    printable_characters,
)
from sheetbill.documents.render import (
    DEFAULT_TEMPLATES,
    _font_config,
    render_invoice_pdf,
    render_pdf_bytes,
)
from sheetbill.errors import RenderError

from document_helpers import CUSTOMER, SETTINGS, document

SCRIPTS = {
    "Latin": "Müller & Søn, Łódź — Ærøskøbing",
    "Greek": "Ωμέγα Α.Ε. Θεσσαλονίκη",
    "Cyrillic": "ООО «Берёзка», Київ",
    "Arabic": "شركة النخيل للتجارة",
    "Hebrew": "שלום עליכם בע״מ",
    "Japanese": "株式会社さくら企画 カタカナ",
    "Chinese": "北京市朝阳区 臺灣銀行",
    "Korean": "서울특별시 한국상사",
}


def reading_order(pdf: Path) -> str:
    """The PDF's text as pdftotext reads it without layout: a wrapped cell stays one."""
    return subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def printed(text: str) -> str:
    """Text as compared: without bidi marks (pdftotext adds them around right-to-left
    runs) nor white space (a line may wrap between two CJK characters)."""
    return "".join(
        c for c in text if unicodedata.category(c) != "Cf" and not c.isspace()
    )


def every_script_document():  # type: ignore[no-untyped-def]
    items = [
        (f"{name}: {text}", "1", "hour", "10.00", "19")
        for name, text in SCRIPTS.items()
    ]
    customer = replace(
        CUSTOMER,
        name=SCRIPTS["Japanese"],  # bold
        address=f"{SCRIPTS['Arabic']}\n{SCRIPTS['Hebrew']}\n{SCRIPTS['Cyrillic']}",
        buyer_reference=SCRIPTS["Korean"],
    )
    settings_ = replace(SETTINGS, company_name=SCRIPTS["Korean"])  # bold, footer
    return document(
        items, customer=customer, settings=settings_, notes=SCRIPTS["Chinese"]
    )


def test_render_invoice_pdf_prints_every_script_with_a_real_glyph(out_dir: Path):
    pdf = render_invoice_pdf(every_script_document(), out_dir=out_dir)
    assert boxes(pdf) == []
    text = printed(reading_order(pdf))
    for name, sample in SCRIPTS.items():
        assert printed(f"{name}: {sample}") in text
    fonts = {g.font for g in drawn_glyphs(pdf)}
    # Japanese in the bold customer name and in a line: both weights of Noto CJK.
    assert {"Noto-Sans-CJK-JP", "Noto-Sans-CJK-JP-Bold"} <= fonts
    assert all(re.fullmatch(r"(Invoice|DejaVu|Noto)-Sans.*", f) for f in fonts)


def test_render_pdf_draws_what_no_font_has_as_a_box_which_the_check_finds():
    """What the glyph check in planning stops: proof the read-back sees a box."""
    doc = document([("Rocket 🦄 \ue000", "1", "hour", "10.00", "19")])
    assert {g.text for g in boxes(render_pdf_bytes(doc))} == {"🦄", "\ue000"}
    assert printable_characters().missing("Rocket 🦄 \ue000") == ["🦄", "\ue000"]


def test_renderer_font_configuration_holds_only_sheetbill_fonts_not_the_machines():
    from weasyprint.text.ffi import ffi, fontconfig

    installed = subprocess.run(["fc-list"], capture_output=True, text=True).stdout
    assert "Liberation" in installed or "DejaVu Serif" in installed  # the machine's
    font_config = _font_config(DEFAULT_TEMPLATES.resolve())
    config = font_config._config
    system = fontconfig.FcConfigGetFonts(config, fontconfig.FcSetSystem)
    assert system == ffi.NULL or system.nfont == 0
    found = fontconfig.FcConfigGetFonts(config, fontconfig.FcSetApplication)
    name = ffi.new("FcChar8 **")
    files = set()
    for i in range(found.nfont):
        fontconfig.FcPatternGetString(found.fonts[i], b"file", 0, name)
        files.add(Path(ffi.string(name[0]).decode()))
    # Besides them, the template's @font-face fonts, copied to WeasyPrint's folder.
    face_folder = font_config._folder
    assert {f for f in files if not face_folder or face_folder not in f.parents} == set(
        font_paths()
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", ["DejaVuSans.ttf", "NotoSansCJK-Regular.ttc"])
def test_font_ranges_are_the_code_points_fonttools_reads(name: str):
    """The fast reading of a CJK collection's cmap agrees with fontTools' own."""
    from fontTools.ttLib import TTCollection, TTFont

    path = next(f.path for f in FONT_FILES if f.path.name == name)
    expected: set[int] = set()
    with path.open("rb") as file:
        faces = (
            TTCollection(file, lazy=True).fonts
            if path.suffix == ".ttc"
            else [TTFont(file, lazy=True)]
        )
        for face in faces:
            # Glyph names by number: a CJK face's own names cost seconds to read.
            face.setGlyphOrder([f"g{i}" for i in range(face["maxp"].numGlyphs)])
            expected.update(c for c, g in face.getBestCmap().items() if g != "g0")
    got = set()
    for first, last in font_ranges(path):
        got.update(range(first, last + 1))
    assert got == expected


def test_printable_characters_cover_every_script_but_not_emoji_or_private_use():
    chars = printable_characters()
    for sample in SCRIPTS.values():
        assert chars.missing(sample) == []
    assert chars.missing("a\u200d\ufe0f\u00ad\u3000\n") == []
    assert chars.missing("🦄🚀\U000f0000") == ["🦄", "🚀", "\U000f0000"]


def test_font_paths_of_a_missing_font_is_a_render_error_naming_the_package(
    tmp_path: Path,
):
    with pytest.raises(RenderError, match=r"apt-get install fonts-noto-cjk"):
        font_paths([FontFile(tmp_path / "NotoSansCJK-Regular.ttc", "fonts-noto-cjk")])


def _covered_code_points() -> list[int]:
    chars = printable_characters().all()
    return [
        code
        for first, last in zip(chars.firsts, chars.lasts, strict=True)
        for code in range(first, last + 1)
    ]


# Format, space, control and separator characters: the ones a glyph alone does not
# decide (`printable.refusal`).
SPECIAL = [
    chr(code)
    for code in range(0x110000)
    if unicodedata.category(chr(code)) in ("Cc", "Cf", "Zs", "Zl", "Zp")
    or 0xFE00 <= code <= 0xFE0F
    or 0xE0100 <= code <= 0xE01EF
    or 0x180B <= code <= 0x180F
    or code == 0x034F
]


@pytest.mark.slow
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example("\u2e80\u2004\ufe00\u2e80")  # the check refuses U+2004 in it: skipped
@given(
    st.lists(
        st.one_of(
            st.sampled_from(_covered_code_points()).map(chr),
            st.sampled_from(SPECIAL),
        ),
        min_size=1,
        max_size=24,
    ).map("".join)
)
def test_render_pdf_text_the_check_lets_through_prints_without_a_box(text: str):
    assume(printable_characters().missing(text) == [])
    doc = document(
        [(text, "1", "hour", "10.00", "19")],
        customer=replace(CUSTOMER, name=text),  # bold
    )
    assert boxes(render_pdf_bytes(doc)) == []


def test_render_pdf_every_format_or_space_character_let_through_draws_no_box():
    """All of them at once, each between two letters: those the fonts map and those
    the shaper draws as nothing (joiners, variation selectors, direction marks)."""
    allowed = [c for c in SPECIAL if not printable_characters().missing(c)]
    assert {"\u200d", "\ufe0f", "\U000e0100", "\u034f", "\u3000"} <= set(allowed)
    text = " ".join(f"a{c}b" for c in allowed)
    doc = document([(text, "1", "hour", "10.00", "19")])
    assert boxes(render_pdf_bytes(doc)) == []


# Printed as empty boxes or not at all, or broke the e-invoice, with no exception:
# controls Python calls white space, a next line, a line separator, format characters
# no font has, NUL (which Noto Sans maps, and vanished) and a right-to-left override.
BROKE_A_DOCUMENT = "\x1c\x1d\x1e\x1f\x85\u2028\u070f\U000110bd\U00013430\x00\u202e"


def test_printable_characters_refuse_what_printed_as_a_box_or_vanished():
    chars = printable_characters()
    for char in BROKE_A_DOCUMENT:
        assert chars.missing(f"Name{char}Name") == [char], f"U+{ord(char):04X}"


def test_render_pdf_space_before_a_selector_in_cjk_text_is_a_box_the_check_finds():
    """Found by hypothesis: a CJK radical, U+2004 and VS1. The shaper picks no font
    for a space: it draws it in the radical's, Noto Sans CJK, which lacks U+2004, and
    HarfBuzz draws no plain space in its place when a variation selector follows."""
    text = "\u2e80\u2004\ufe00"
    doc = document(
        [(text, "1", "hour", "10.00", "19")], customer=replace(CUSTOMER, name=text)
    )
    assert {(g.font, g.text) for g in boxes(render_pdf_bytes(doc))} == {
        ("Noto-Sans-CJK-JP", "\u2004"),
        ("Noto-Sans-CJK-JP-Bold", "\u2004"),
    }
    assert printable_characters().missing(text) == ["\u2004"]
    # Without the selector HarfBuzz draws a plain space for it: nothing to refuse.
    assert printable_characters().missing("\u2e80\u2004\u2e80") == []


# One character of each script from each font that draws it: the shaper draws a
# space or a format character next to it in its font.
NEIGHBOURS = [
    "a",  # Latin, DejaVu Sans
    "\u0526",  # Cyrillic, Noto Sans only
    "\u0628",  # Arabic, DejaVu Sans
    "\u0620",  # Arabic, Noto Sans Arabic only
    "\u05e9",  # Hebrew
    "\u0531",  # Armenian, DejaVu Sans only
    "\u2e80",  # CJK radical, Noto Sans CJK only
    "\u682a",  # Han
    "\u30a2",  # Katakana
    "\ud55c",  # Hangul
]
SPACES_AND_FORMATS = [c for c in SPECIAL if unicodedata.category(c) in ("Zs", "Cf")]
MARKS = [
    chr(code)
    for code in _covered_code_points()
    if unicodedata.category(chr(code)) in ("Mn", "Mc", "Me")
]
# What may follow it: variation selectors (through a mark or a joiner), a space.
AFTER_IT = ["", "\ufe00", "\ufe0f", "\U000e0100", "\u0301\ufe00", "\u200d\ufe00", " "]


@pytest.mark.slow
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(
    before=st.sampled_from(["", *NEIGHBOURS]),
    char=st.sampled_from(SPACES_AND_FORMATS) | st.sampled_from(MARKS),
    then=st.sampled_from(AFTER_IT),
    after=st.sampled_from(["", *NEIGHBOURS]),
)
def test_render_pdf_a_space_format_or_mark_let_through_prints_beside_every_script(
    before: str, char: str, then: str, after: str
):
    """Neighbour script by space, format character or combining mark, and what
    follows it: whatever the check lets through prints without a box, though a space
    or a format character is drawn in its neighbour's font."""
    text = f"{before}{char}{then}{after}"
    assume(printable_characters().missing(text) == [])
    doc = document(
        [(text, "1", "hour", "10.00", "19")], customer=replace(CUSTOMER, name=text)
    )
    assert boxes(render_pdf_bytes(doc)) == []


@pytest.mark.slow
def test_render_pdf_every_space_or_format_let_through_prints_beside_every_script():
    """All at once: each space and format character the check lets through, alone or
    before a variation selector, between two characters of each script's font."""
    chars = printable_characters()
    samples = [
        text
        for neighbour in NEIGHBOURS
        for char in SPACES_AND_FORMATS
        for then in ("", "\ufe00")
        if not chars.missing(text := f"{neighbour}{char}{then}{neighbour}")
    ]
    assert {"\u682a\u3000\u682a", "a\u00a0\ufe00a", "\u0620\u2009\u0620"} <= set(
        samples
    )
    lines = [
        (" , ".join(samples[at : at + 40]), "1", "hour", "10.00", "19")
        for at in range(0, len(samples), 40)
    ]
    assert boxes(render_pdf_bytes(document(lines))) == []


def test_font_coverage_reads_only_dejavu_unless_a_text_needs_every_font(
    monkeypatch: pytest.MonkeyPatch,
):
    """DejaVu alone decides a text it draws, spaces included; a space before a
    variation selector is looked up in every font, which DejaVu cannot tell."""
    read: list[str] = []

    def reading(path: Path):  # type: ignore[no-untyped-def]
        read.append(path.name)
        return font_ranges(path)

    monkeypatch.setattr(fonts, "font_ranges", reading)
    coverage = FontCoverage()
    assert coverage.missing("Müller\u00a0GmbH, 10\u2009€ \u200d") == []
    assert read == ["DejaVuSans.ttf"]
    assert coverage.missing("Müller\u2009\ufe00GmbH") == ["\u2009"]
    assert len(read) == 1 + len(FONT_FILES)
