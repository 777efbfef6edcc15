"""HTML templates to PDF: jinja2's sandbox with autoescape, then WeasyPrint, offline.

Only files inside the template folder are read; the output has no clock in it."""

from __future__ import annotations

import mimetypes
import sys
import warnings
from collections.abc import Mapping
from datetime import UTC, datetime, time
from functools import cache, lru_cache
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

from jinja2 import (
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
    TemplateSyntaxError,
    pass_context,
)
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup
from weasyprint import CSS, HTML, Attachment, URLFetcher
from weasyprint.pdf.metadata import DocumentMetadata
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcherResponse

from sheetbill.documents.context import (
    PAYMENT_QR_URL,
    InvoiceDocument,
    template_context,
    template_name,
)
from sheetbill.documents.einvoice import (
    FACTURX_FILE_NAME,
    Profile,
    cii_xml,
    facturx_xmp,
    write_xrechnung_xml,
)
from sheetbill.documents.files import (
    atomic_write,
    check_replaceable,
    pdf_path,
    write_owned,
    xml_path,
)
from sheetbill.documents.fonts import font_configuration
from sheetbill.documents.logo import read_logo
from sheetbill.documents.qr import PaymentCode
from sheetbill.errors import RenderError

DEFAULT_TEMPLATES = Path(__file__).resolve().parents[2] / "sheet_templates" / "invoice"
# The template folder's own stylesheet, applied to every document it prints.
FOLDER_STYLESHEET = "style.css"


class _FacturXMetadata(DocumentMetadata):  # type: ignore[misc]
    """WeasyPrint's document metadata, with the Factur-X XMP in its rdf:RDF."""

    def generate_rdf_metadata(self, *args: Any) -> bytes:
        rdf: bytes = super().generate_rdf_metadata(*args)
        return rdf.replace(b"</rdf:RDF>", facturx_xmp() + b"</rdf:RDF>")


class TemplateError(RenderError):
    """A template, or a file it names, is broken: every document it prints fails
    alike, whatever the invoice holds."""


class ResourceRefusedError(ValueError):
    """A template or cell asked WeasyPrint for something outside the template folder."""


class FolderFetcher(URLFetcher):  # type: ignore[misc]
    """Serves files inside one folder and refuses every other URL.

    Reads files itself instead of through urllib, so no redirect, proxy or network
    handler is ever reached; `fail_on_errors` makes a refusal stop the render.
    """

    def __init__(self, root: Path, memory: Mapping[str, bytes] | None = None) -> None:
        super().__init__(
            allowed_protocols=("file",), allow_redirects=False, fail_on_errors=True
        )
        self.root = root.resolve()
        # Images made for this document (the payment QR code), by their exact URL.
        self.memory = dict(memory or {})

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> Any:
        if url in self.memory:
            mime = mimetypes.guess_type(url)[0] or "application/octet-stream"
            return URLFetcherResponse(
                url, body=self.memory[url], headers={"Content-Type": mime}
            )
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise ResourceRefusedError(
                f"refused {url[:200]}: only files in the template folder are read"
            )
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(self.root):
            raise ResourceRefusedError(
                f"refused {url[:200]}: it is outside the template folder {self.root}"
            )
        if not path.is_file():
            raise ResourceRefusedError(
                f"{path.relative_to(self.root)} is missing from the template folder"
            )
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), body=path.read_bytes(), headers={"Content-Type": mime}
        )


# Amounts and quantities may break only between digit groups, and never apart from
# their currency sign: `Formatter.breakable` (docs/decisions.md, "Numbers people read").
@pass_context
def _money(context: Context, value: Any) -> str:
    fmt = context["fmt"]
    return str(fmt.breakable(fmt.money(value)))


@pass_context
def _date(context: Context, value: Any) -> str:
    return str(context["fmt"].date(value))


@pass_context
def _percent(context: Context, value: Any) -> str:
    return str(context["fmt"].percent(value))


@pass_context
def _quantity(context: Context, value: Any) -> str:
    fmt = context["fmt"]
    return str(fmt.breakable(fmt.quantity(value)))


@pass_context
def _unit_price(context: Context, value: Any) -> str:
    fmt = context["fmt"]
    return str(fmt.breakable(fmt.unit_price(value)))


def css_string(value: object) -> Markup:
    """A quoted CSS string; every character but letters, digits and space is escaped.

    For labels inside <style> (`content: "Page"`), where HTML escaping does not apply
    and a `</style>` or quote in the text must not end the string. An escape ends in
    a space, which CSS takes as part of it (CSS Syntax 3, "consume an escaped code
    point": one white space after the hex digits is eaten, even after six of them),
    so the text's own space after an escaped `&` survives.
    """
    text = str(value)
    escaped = "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in text)
    return Markup(f'"{escaped}"')  # noqa: S704 - escaped above for CSS


@cache
def _environment(root: Path) -> SandboxedEnvironment:
    """One sandbox per template folder and process; jinja2 reloads edited files."""
    env = SandboxedEnvironment(
        loader=FileSystemLoader(root),
        autoescape=True,
        undefined=StrictUndefined,
        # Less whitespace in the HTML means fewer text nodes for WeasyPrint to parse.
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        money=_money,
        date=_date,
        percent=_percent,
        quantity=_quantity,
        unit_price=_unit_price,
        css_string=css_string,
    )
    return env


@cache
def _font_config(root: Path) -> FontConfiguration:
    # Kept per process: WeasyPrint then loads each @font-face file once, not per PDF.
    # Only sheetbill's fonts (documents/fonts.py), whatever the machine has installed.
    config: FontConfiguration = font_configuration()
    return config


def _folder_stylesheets(root: Path) -> list[CSS]:
    """`style.css` of the folder, parsed once per process and content.

    Parsing it took ~5% of each PDF when every document linked it; WeasyPrint keeps a
    parsed stylesheet reusable. Given this way, its rules rank above WeasyPrint's
    defaults and below anything a template states itself (a `<style>` or `<link>`).
    """
    path = root / FOLDER_STYLESHEET
    if not path.is_file():
        return []
    return [_parsed_stylesheet(root, path.read_bytes())]


@lru_cache(maxsize=8)
def _parsed_stylesheet(root: Path, content: bytes) -> CSS:
    return CSS(
        string=content.decode("utf-8"),
        base_url=root.as_uri() + "/",
        url_fetcher=FolderFetcher(root),
        font_config=_font_config(root),
    )


def _template_line(root: Path, tb: TracebackType | None) -> tuple[str, int] | None:
    """The innermost traceback frame that is a template file (jinja2 maps them)."""
    found = None
    while tb is not None:
        filename = Path(tb.tb_frame.f_code.co_filename).resolve()
        if filename.is_relative_to(root):
            found = (filename.relative_to(root).as_posix(), tb.tb_lineno)
        tb = tb.tb_next
    return found


def render_html(
    document: InvoiceDocument,
    templates: Path = DEFAULT_TEMPLATES,
    code: PaymentCode | None = None,
) -> str:
    """The document's HTML, or a TemplateError naming the template file and line.

    `code` is the payment code when the caller made it already (to serve its image).
    """
    root = templates.resolve()
    if code is None:
        code = document.payment_code()
    name = template_name(document.invoice)
    try:
        template = _environment(root).get_template(name)
        return template.render(template_context(document, root, code))
    except TemplateSyntaxError as exc:
        raise TemplateError(
            f"{exc.name or name} line {exc.lineno}: {exc.message}",
            path=exc.filename or root / name,
        ) from exc
    except TemplateNotFound as exc:
        raise TemplateError(f"template {exc.name} not found", path=root) from exc
    except Exception as exc:  # anything a template expression raised
        where = _template_line(root, sys.exc_info()[2])
        if where is None:
            raise TemplateError(
                f"{name}: {type(exc).__name__}: {exc}", path=root / name
            ) from exc
        raise TemplateError(
            f"{where[0]} line {where[1]}: {type(exc).__name__}: {exc}",
            path=root / where[0],
        ) from exc


def render_pdf_bytes(
    document: InvoiceDocument, templates: Path = DEFAULT_TEMPLATES
) -> bytes:
    """The PDF; a PDF/A-3 Factur-X with its XML embedded for customers marked for it."""
    root = templates.resolve()
    code = document.payment_code()
    html = render_html(document, root, code)
    memory = {PAYMENT_QR_URL: code.image} if code and code.kind == "epc" else {}
    if document.logo is not None:
        memory[document.logo.url] = read_logo(document.logo)
    fetcher = FolderFetcher(root, memory)
    options: dict[str, Any] = {}
    is_facturx = document.e_invoice == "factur-x"
    if is_facturx:
        # Issue date at midnight UTC: a fixed stamp keeps the bytes reproducible.
        stamp = datetime.combine(document.invoice.issue_date, time(0), tzinfo=UTC)
        options["pdf_variant"] = "pdf/a-3b"
        options["attachments"] = [
            Attachment(
                string=e_invoice_xml(document, "factur-x"),
                url_fetcher=fetcher,
                name=FACTURX_FILE_NAME,
                description="Factur-X invoice",
                created=stamp,
                modified=stamp,
                relationship="Data",
            )
        ]
    try:
        page = HTML(string=html, base_url=root.as_uri() + "/", url_fetcher=fetcher)
        rendered = page.render(
            stylesheets=_folder_stylesheets(root),
            font_config=_font_config(root),
            **options,
        )
        if is_facturx:
            # Inside WeasyPrint's own rdf:RDF: an XMP packet holds one rdf:RDF.
            rendered.metadata.__class__ = _FacturXMetadata
        with warnings.catch_warnings():
            # WeasyPrint 70 opens its sRGB profile for PDF/A and never closes it; the
            # file is freed right away, so only the warning is silenced here.
            warnings.simplefilter("ignore", ResourceWarning)
            pdf: bytes = rendered.write_pdf(**options)
    except FatalURLFetchingError as exc:
        reason = exc.__cause__ if exc.__cause__ is not None else exc
        raise TemplateError(
            f"{template_name(document.invoice)}: {reason}", path=root
        ) from exc
    except RenderError:
        raise
    except Exception as exc:  # WeasyPrint has no exception tree of its own
        raise RenderError(
            f"PDF of {document.invoice.number} failed: {exc}", path=root
        ) from exc
    return pdf


def e_invoice_xml(document: InvoiceDocument, profile: Profile) -> bytes:
    """The document's e-invoice XML, or a RenderError naming the invoice: lxml refuses
    a text XML cannot hold, and nothing the builder did not foresee may end a run."""
    try:
        return cii_xml(document, profile=profile)
    except RenderError:
        raise
    except Exception as exc:
        raise RenderError(
            f"the e-invoice XML of {document.invoice.number} could not be made: "
            f"{type(exc).__name__}: {exc}"
        ) from exc


def render_invoice_pdf(
    document: InvoiceDocument,
    *,
    templates: Path = DEFAULT_TEMPLATES,
    out_dir: Path,
) -> Path:
    """Render one document to `<out_dir>/<number>.pdf` and return its path.

    A customer marked `xrechnung` also gets `<number>.xml` beside the PDF.
    """
    target = pdf_path(document.invoice.number, out_dir)
    atomic_write(target, render_pdf_bytes(document, templates))
    if document.e_invoice == "xrechnung":
        write_xrechnung_xml(document, out_dir=out_dir)
    return target


def write_invoice_files(
    document: InvoiceDocument,
    *,
    templates: Path = DEFAULT_TEMPLATES,
    out_dir: Path,
    ours: Mapping[str, str],
) -> dict[str, str]:
    """Render one document and write its files, replacing only this state's own.

    `ours` maps a file name to the sha256 of the file this state wrote there. Every
    file is checked before any is written, so a document is written whole or not at
    all; a ForeignFileError names the path that is not ours. Returns each file's
    name and the sha256 of what was written.
    """
    number = document.invoice.number
    files = {pdf_path(number, out_dir): render_pdf_bytes(document, templates)}
    if document.e_invoice == "xrechnung":
        files[xml_path(number, out_dir)] = e_invoice_xml(document, "xrechnung")
    for target, data in files.items():
        check_replaceable(target, data, ours=ours.get(target.name))
    return {
        target.name: write_owned(target, data, ours=ours.get(target.name))
        for target, data in files.items()
    }
