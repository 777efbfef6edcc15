"""Safe rendering: cell text stays text; nothing outside the templates is read."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from sheetbill.documents import render_html, render_invoice_pdf
from sheetbill.errors import RenderError

from document_helpers import document, pdf_text, with_customer

SCRIPT = '<script>alert("x")</script><img src="{url}/cell.png"><b>bold</b>'


def test_render_invoice_pdf_shows_cell_html_as_text(out_dir: Path, http_server):
    hostile = SCRIPT.format(url=http_server.url)
    doc = with_customer(
        document([(hostile, "1", "item", "10.00", "19")], notes=hostile),
        name=f"Evil {hostile}",
    )
    html = render_html(doc)
    assert "<script>" not in html and f'<img src="{http_server.url}' not in html
    assert "&lt;script&gt;" in html
    text = pdf_text(render_invoice_pdf(doc, out_dir=out_dir))
    assert '<script>alert("x")</script>' in text.replace("\n", "")
    assert http_server.requests == []


@pytest.mark.parametrize(
    "reference",
    [
        '<link rel="stylesheet" href="{url}/evil.css">',
        '<img src="{url}/pixel.png">',
        '<img src="{url}/redirect">',
        '<style>@import url("{url}/import.css");</style>',
        '<style>@font-face {{ font-family: x; src: url("{url}/font.ttf") }}'
        " body {{ font-family: x }}</style>",
    ],
)
def test_render_invoice_pdf_refuses_network_urls_in_a_template(
    templates: Path, out_dir: Path, http_server, reference: str
):
    _add_to_template(templates, reference.format(url=http_server.url))
    with pytest.raises(RenderError, match=r"refused http://127\.0\.0\.1"):
        render_invoice_pdf(document(), templates=templates, out_dir=out_dir)
    assert http_server.requests == []


@pytest.mark.parametrize(
    ("reference", "reason"),
    [
        ('<img src="file:///etc/passwd">', "outside the template folder"),
        ('<img src="../../../../../../etc/passwd">', "outside the template folder"),
        ('<link rel="stylesheet" href="/etc/passwd">', "outside the template folder"),
        ('<img src="data:image/png;base64,iVBORw0KGgo=">', "refused data:"),
        ('<img src="ftp://127.0.0.1/x.png">', "refused ftp:"),
        ('<img src="missing.png">', "missing.png is missing"),
    ],
)
def test_render_invoice_pdf_refuses_files_outside_the_template_folder(
    templates: Path, out_dir: Path, reference: str, reason: str
):
    _add_to_template(templates, reference)
    with pytest.raises(RenderError, match=reason):
        render_invoice_pdf(document(), templates=templates, out_dir=out_dir)
    assert not (out_dir / "INV-2026-0001.pdf").exists()


def test_render_invoice_pdf_refuses_a_symlink_leading_out_of_the_folder(
    templates: Path, out_dir: Path
):
    os.symlink("/etc/passwd", templates / "innocent.css")
    _add_to_template(templates, '<link rel="stylesheet" href="innocent.css">')
    with pytest.raises(RenderError, match="outside the template folder"):
        render_invoice_pdf(document(), templates=templates, out_dir=out_dir)


def test_render_html_prints_only_a_checked_logo_never_the_settings_text(
    templates: Path,
):
    """The renderer never opens Settings > Logo Path itself: only a logo that passed
    `find_logo` (document.logo) is printed, served from memory."""
    doc = document()
    (templates / "brand.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    for path in ("/etc/passwd", "brand.png"):
        named = replace(doc, settings=replace(doc.settings, logo_path=path))
        assert "<img" not in render_html(named, templates).split('class="company"')[0]


def _add_to_template(templates: Path, html: str) -> None:
    invoice = templates / "invoice.html"
    invoice.write_text(
        invoice.read_text() + "{% block intro %}" + html + "{% endblock %}\n"
    )
