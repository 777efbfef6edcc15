"""The Settings' logo: found beside the workbook or at its full path, recognised by
its content, bounded in size, printed in the letterhead, and never anything else."""

from __future__ import annotations

import hashlib
import io
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from sheetbill.documents import content_hash, render_html, render_invoice_pdf
from sheetbill.documents.logo import (
    MAX_LOGO_BYTES,
    Logo,
    LogoError,
    find_logo,
    logo_problem,
    read_logo,
)
from sheetbill.domain.model import Severity
from sheetbill.errors import RenderError

from document_helpers import document, pdf_text

# A colour no other part of the invoice uses, to find the logo on the page.
MARK = (214, 40, 160)
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 100" width="300" '
    'height="100"><defs><linearGradient id="g"><stop offset="0" stop-color="#d628a0"/>'
    '</linearGradient><rect id="r" width="300" height="100" fill="url(#g)"/></defs>'
    '<use href="#r"/></svg>'
)


def picture(kind: str, size: tuple[int, int] = (400, 120)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, MARK).save(out, format=kind)
    return out.getvalue()


def images_on(pdf: Path, page: int = 0) -> list[tuple[int, int]]:
    """(width, height) in pixels of every raster image the page draws."""
    return [
        (image.image.width, image.image.height)
        for image in PdfReader(pdf).pages[page].images
    ]


def plain(doc, **changes):  # no IBAN: no payment QR code, the only other image
    return replace(doc, settings=replace(doc.settings, iban="", **changes))


@pytest.mark.parametrize(
    ("name", "data", "media_type"),
    [
        ("logo.png", picture("PNG"), "image/png"),
        ("logo.jpg", picture("JPEG"), "image/jpeg"),
        ("logo.svg", SVG.encode(), "image/svg+xml"),
        # The content decides, not the name.
        ("logo.jpg", picture("PNG"), "image/png"),
        ("brand", ("\ufeff\n" + SVG).encode(), "image/svg+xml"),
    ],
)
def test_find_logo_reads_png_jpeg_and_svg_by_their_content(
    tmp_path: Path, name: str, data: bytes, media_type: str
):
    (tmp_path / name).write_bytes(data)
    logo = find_logo(name, folder=tmp_path)
    assert logo.media_type == media_type
    assert logo.location == str(tmp_path / name)
    assert logo.sha256 == hashlib.sha256(data).hexdigest()


def test_find_logo_takes_a_full_path_as_written(tmp_path: Path):
    elsewhere = tmp_path / "brand" / "logo.png"
    elsewhere.parent.mkdir()
    elsewhere.write_bytes(picture("PNG"))
    logo = find_logo(f"  {elsewhere}  ", folder=tmp_path / "books")
    assert logo.location == str(elsewhere)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "there is no such file"),
        ("folder", "is not a file"),
        (b"GIF89a" + bytes(100), "not a PNG, JPEG or SVG"),
        (b"%PDF-1.7\n", "not a PNG, JPEG or SVG"),
        (b"<html><body>logo</body></html>", "not a PNG, JPEG or SVG"),
        (b"\x89PNG\r\n\x1a\n" + bytes(MAX_LOGO_BYTES), r"at most 2\.0 MB"),
        (picture("PNG")[:60], "cannot be read"),
        (picture("PNG")[:-20], "cannot be read"),
        (picture("JPEG")[:-20], "cannot be read"),
        (b"\xff\xd8\xff\xe0" + bytes(40), "cannot be read"),
        (picture("PNG", (5000, 4000)), "at most 16 million pixels"),
        (b"<html xmlns='http://www.w3.org/1999/xhtml'><svg/></html>", "not an SVG"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><rect", "cannot be read safely"),
    ],
)
def test_find_logo_refuses_what_it_cannot_print(
    tmp_path: Path, content: bytes | str | None, reason: str
):
    target = tmp_path / "logo.png"
    if content == "folder":
        target.mkdir()
    elif isinstance(content, bytes):
        target.write_bytes(content)
    with pytest.raises(LogoError, match=reason) as caught:
        find_logo("logo.png", folder=tmp_path)
    assert str(target) in caught.value.problem  # names where it looked
    assert caught.value.fix


@pytest.mark.parametrize(
    "inside",
    [
        '<image href="file:///etc/passwd" width="9" height="9"/>',
        '<image xmlns:xl="http://www.w3.org/1999/xlink" xl:href="http://127.0.0.1/a"/>',
        '<image href="secret.png"/>',
        '<image href="data:image/png;base64,iVBORw0KGgo="/>',
        '<use href="other.svg#shape"/>',
        "<style>@import url(https://example.com/a.css);</style>",
        "<style>@font-face { font-family: x; src: local(x) }</style>",
        '<style>rect { fill: url("file:///etc/passwd#x") }</style>',
        r"<style>rect { fill: \75 rl(file:///etc/passwd) }</style>",
        '<rect style="fill: url(http://127.0.0.1/x)" width="9" height="9"/>',
        '<rect fill="url(other.svg#g)" width="9" height="9"/>',
    ],
)
def test_find_logo_refuses_an_svg_that_refers_outside_itself(
    tmp_path: Path, inside: str
):
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9">{inside}</svg>'
    (tmp_path / "logo.svg").write_text(svg)
    with pytest.raises(LogoError, match="refers to something outside itself"):
        find_logo("logo.svg", folder=tmp_path)


@pytest.mark.parametrize(
    "svg",
    [
        '<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
        '<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        '<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>',
    ],
)
def test_find_logo_refuses_an_svg_with_a_doctype_or_entities(tmp_path: Path, svg: str):
    (tmp_path / "logo.svg").write_text(svg)
    with pytest.raises(LogoError, match="cannot be read safely"):
        find_logo("logo.svg", folder=tmp_path)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("logo\x00.png", "not a possible file name"),
        ("~nobody-here-at-all/logo.png", "no such file"),
        ("x" * 5000, "cannot be opened"),
        ("https://example.com/logo.png", "is a web address"),
        ("file:///etc/passwd", "is a web address"),
    ],
)
def test_find_logo_any_text_is_a_logo_error_never_a_crash(
    tmp_path: Path, text: str, reason: str
):
    with pytest.raises(LogoError, match=reason):
        find_logo(text, folder=tmp_path)


def test_logo_problem_points_at_the_settings_row_and_says_what_happens(
    tmp_path: Path,
):
    logo, problem = logo_problem("logo.png", folder=tmp_path, tab="Settings", row=7)
    assert logo is None and problem is not None
    assert (problem.tab, problem.row, problem.column) == ("Settings", 7, "Value")
    assert problem.value == "logo.png"
    assert "no such file" in problem.problem and str(tmp_path) in problem.problem
    assert "without a logo" in problem.fix
    # A warning: the invoices are still made, without the logo, and it says so.
    assert problem.severity is Severity.WARNING
    assert "Invoices are made without the logo" in problem.problem
    assert logo_problem("  ", folder=tmp_path, tab="Settings", row=7) == (None, None)


@pytest.mark.parametrize("kind", ["PNG", "JPEG"])
def test_render_invoice_pdf_prints_a_raster_logo_in_the_letterhead(
    tmp_path: Path, out_dir: Path, kind: str
):
    (tmp_path / "logo").write_bytes(picture(kind))
    doc = replace(plain(document()), logo=find_logo("logo", folder=tmp_path))
    pdf = render_invoice_pdf(doc, out_dir=out_dir)
    assert images_on(pdf) == [(400, 120)]
    page = PdfReader(pdf).pages[0]
    assert len(page.images) == 1
    assert _colour_near_top_left(pdf) == pytest.approx(MARK, abs=12)


def test_render_invoice_pdf_draws_an_svg_logo(tmp_path: Path, out_dir: Path):
    (tmp_path / "logo.svg").write_text(SVG)
    doc = replace(plain(document()), logo=find_logo("logo.svg", folder=tmp_path))
    pdf = render_invoice_pdf(doc, out_dir=out_dir)
    assert _colour_near_top_left(pdf) == pytest.approx(MARK, abs=12)


def test_render_invoice_pdf_without_a_logo_prints_no_placeholder(
    templates: Path, out_dir: Path
):
    """No Logo Path, no logo: the letterhead holds no image and no stand-in text."""
    doc = plain(document())
    assert "<img" not in render_html(doc, templates).split('class="company"')[0]
    pdf = render_invoice_pdf(doc, templates=templates, out_dir=out_dir)
    assert images_on(pdf) == []
    assert "LOGO" not in pdf_text(pdf).upper()
    assert not list(templates.glob("logo.*"))


def test_render_invoice_pdf_svg_logo_fetches_nothing_else(
    tmp_path: Path, out_dir: Path, http_server
):
    """Even an SVG that slipped past the checks reads nothing but itself: the files
    it points at stay out of the PDF and the web server hears nothing (WeasyPrint
    draws the SVG without the parts our fetcher refused)."""
    secret = tmp_path / "secret.png"
    secret.write_bytes(picture("PNG", (7, 7)))
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink='
        '"http://www.w3.org/1999/xlink" width="90" height="30">'
        f'<image href="{secret.as_uri()}" width="90" height="30"/>'
        '<image href="secret.png" width="90" height="30"/>'
        f'<image xlink:href="{http_server.url}/logo.png" width="90" height="30"/>'
        f'<style>@import url("{http_server.url}/style.css");</style></svg>'
    ).encode()
    (tmp_path / "logo.svg").write_bytes(svg)
    unchecked = Logo(
        str(tmp_path / "logo.svg"), hashlib.sha256(svg).hexdigest(), "image/svg+xml"
    )
    doc = replace(plain(document()), logo=unchecked)
    pdf = render_invoice_pdf(doc, out_dir=out_dir)
    assert images_on(pdf) == []
    assert http_server.requests == []


def test_read_logo_refuses_a_file_changed_since_it_was_checked(tmp_path: Path):
    path = tmp_path / "logo.png"
    path.write_bytes(picture("PNG"))
    logo = find_logo("logo.png", folder=tmp_path)
    assert read_logo(logo) == path.read_bytes()
    path.write_bytes(picture("PNG", (40, 12)))
    with pytest.raises(RenderError, match="changed"):
        read_logo(logo)
    path.unlink()
    with pytest.raises(RenderError, match="no such file"):
        read_logo(logo)


def test_content_hash_follows_the_logo_bytes_not_where_the_file_is(tmp_path: Path):
    for folder in ("a", "b", "c"):
        (tmp_path / folder).mkdir()
    (tmp_path / "a" / "logo.png").write_bytes(picture("PNG"))
    (tmp_path / "b" / "logo.png").write_bytes(picture("PNG"))
    (tmp_path / "c" / "logo.png").write_bytes(picture("PNG", (40, 12)))
    doc = document()
    a, b, c = (
        replace(doc, logo=find_logo("logo.png", folder=tmp_path / f))
        for f in ("a", "b", "c")
    )
    assert content_hash(a) == content_hash(b)
    assert content_hash(a) != content_hash(c)
    assert content_hash(a) != content_hash(doc)


def _colour_near_top_left(pdf: Path) -> tuple[int, int, int]:
    """The colour of the page at 22 mm from the left, 20 mm from the top: inside
    the logo's 14 mm tall box in the letterhead."""
    ppm = subprocess.run(
        ["pdftoppm", "-r", "50", "-f", "1", "-l", "1", str(pdf)],
        capture_output=True,
        check=True,
    ).stdout
    page = Image.open(io.BytesIO(ppm)).convert("RGB")
    dots = 50 / 25.4
    pixel = page.getpixel((round(22 * dots), round(20 * dots)))
    assert isinstance(pixel, tuple)
    return (pixel[0], pixel[1], pixel[2])
