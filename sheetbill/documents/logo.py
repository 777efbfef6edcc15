"""The company logo named in Settings > Logo Path: found, checked, and read for a PDF.

A relative path is read beside the workbook; a Google Sheet has no folder, so there it
is read beside sheetbill.toml, else in the current folder. Only a PNG, JPEG or
self-contained SVG file of at most 2 MB is printed, recognised by its bytes, not its
name. Anything else is a warning on the Settings row, and invoices are made without a
logo until it is fixed. No WeasyPrint here: `check` uses this module too.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import stat
import warnings
from dataclasses import dataclass
from pathlib import Path

from sheetbill.documents.svg_size import svg_size
from sheetbill.domain.model import Problem, Severity
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.errors import RenderError

MAX_LOGO_BYTES = 2 * 1024 * 1024
# A logo prints about 5 cm wide; a larger picture only makes every PDF slower.
MAX_LOGO_PIXELS = 16_000_000
SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"
# The URL the template sees; WeasyPrint is served the checked bytes from memory.
LOGO_URLS = {
    "image/png": "sheetbill:logo.png",
    "image/jpeg": "sheetbill:logo.jpg",
    "image/svg+xml": "sheetbill:logo.svg",
}
_RASTER_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}
_URL_TARGET = re.compile(r"""url\(\s*['"]?\s*([^)'"\s]*)""", re.IGNORECASE)
_FIX = "Or clear the Value to make invoices without a logo for good."
# The problem is a warning, not an error: the invoices are still made.
_EFFECT = "Invoices are made without the logo until this is fixed."


@dataclass(frozen=True, slots=True)
class Logo:
    """A logo file that passed the checks: where it is and what it holds."""

    # The file's absolute path. Not part of a document's content hash: moving the
    # folder with the workbook does not change a PDF.
    location: str
    # The sha256 of the bytes checked; a PDF prints only those bytes.
    sha256: str
    media_type: str

    @property
    def url(self) -> str:
        return LOGO_URLS[self.media_type]


class LogoError(ValueError):
    """Why a Logo Path cannot be printed, and what to do about it."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.fix = fix


def logo_folder(workbook_folder: Path | None, config_file: Path | None) -> Path:
    """Where a relative Logo Path is read: beside the workbook; for a workbook with
    no folder (a Google Sheet), beside sheetbill.toml, else the current folder."""
    if workbook_folder is not None:
        return workbook_folder
    if config_file is not None:
        return config_file.parent
    return Path.cwd()


def logo_problem(
    text: str, *, folder: Path, tab: str, row: int | None
) -> tuple[Logo | None, Problem | None]:
    """The Settings' logo, or the warning (on its Settings row, column Value) that
    says why it cannot be printed and that invoices are made without it. An empty
    Logo Path is no logo and no problem."""
    if not text.strip():
        return None, None
    try:
        return find_logo(text, folder=folder), None
    except LogoError as exc:
        return None, Problem(
            code=ProblemCode.SETTINGS_LOGO_UNUSABLE,
            tab=tab,
            row=row,
            column="Value",
            value=text,
            problem=f"The Logo Path {exc.problem} {_EFFECT}",
            fix=f"{exc.fix} {_FIX}",
            severity=Severity.WARNING,
        )


def find_logo(text: str, *, folder: Path) -> Logo:
    """Check the file `text` names (relative to `folder`): it exists, is at most
    MAX_LOGO_BYTES, and is a PNG, JPEG or self-contained SVG by its content.

    Raises LogoError saying what is wrong and how to fix it.
    """
    if re.match(r"[A-Za-z][A-Za-z0-9+.-]+://", text.strip()):
        raise LogoError(
            f"is a web address ({text.strip()[:80]}); only a file on this computer "
            "is printed.",
            "Save the logo beside the workbook and write its file name here.",
        )
    path = Path(text.strip())
    # "~name" of a user this machine does not know stays as typed (and is missing).
    with contextlib.suppress(RuntimeError):
        path = path.expanduser()
    if not path.is_absolute():
        path = (folder / path).absolute()
    data = _read(path)
    media_type = _media_type(data)
    if media_type is None:
        raise LogoError(
            f"names {path}, which is not a PNG, JPEG or SVG image (by its content, "
            "whatever its name says).",
            "Save the logo as PNG, JPEG or SVG and write that file's name here.",
        )
    if media_type == "image/svg+xml":
        _check_svg(data, path)
    else:
        _check_raster(data, path, _RASTER_FORMATS[media_type])
    return Logo(str(path), hashlib.sha256(data).hexdigest(), media_type)


def read_logo(logo: Logo) -> bytes:
    """The logo's bytes, for one PDF: only the file checked, only as it was checked.

    Raises RenderError when it went missing or changed since (run again to check it).
    """
    try:
        data = _read(Path(logo.location))
    except LogoError as exc:
        raise RenderError(f"the Logo Path {exc.problem}") from exc
    if hashlib.sha256(data).hexdigest() != logo.sha256:
        raise RenderError(
            f"the logo {logo.location} changed while the PDFs were made; run again"
        )
    return data


def _read(path: Path) -> bytes:
    """At most MAX_LOGO_BYTES of a regular file (no folder, device or pipe)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise LogoError(
            f"names {path}, and there is no such file.",
            "Put the logo file there, or write the full path of where it is "
            "(a relative path is read beside the workbook).",
        ) from None
    except OSError as exc:
        raise LogoError(
            f"names {path}, which cannot be opened ({exc.strerror}).",
            "Make the file readable, or write the path of a readable copy.",
        ) from exc
    except ValueError:  # a character no file name can hold
        raise LogoError(
            f"names {str(path)!r}, which is not a possible file name.",
            "Write the name of the logo file, e.g. logo.png.",
        ) from None
    if not stat.S_ISREG(info.st_mode):
        raise LogoError(
            f"names {path}, which is not a file (a folder or device).",
            "Write the path of the logo file itself.",
        )
    if info.st_size > MAX_LOGO_BYTES:
        raise LogoError(
            f"names {path}, which is {_megabytes(info.st_size)}; a logo may be at "
            f"most {_megabytes(MAX_LOGO_BYTES)}.",
            "Save a smaller copy (1000 pixels across is plenty for print).",
        )
    try:
        with open(path, "rb", opener=_open_without_waiting) as file:
            data = file.read(MAX_LOGO_BYTES + 1)
    except OSError as exc:
        raise LogoError(
            f"names {path}, which cannot be read ({exc.strerror}).",
            "Make the file readable, or write the path of a readable copy.",
        ) from exc
    if len(data) > MAX_LOGO_BYTES:  # it grew since it was looked at
        raise LogoError(
            f"names {path}, which is larger than {_megabytes(MAX_LOGO_BYTES)}.",
            "Save a smaller copy (1000 pixels across is plenty for print).",
        )
    return data


def _open_without_waiting(path: str, flags: int) -> int:
    # Non-blocking, so a pipe put in the file's place cannot hang the run.
    return os.open(path, flags | os.O_NONBLOCK)


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def _media_type(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") and b"<svg" in data[:4096]:
        return "image/svg+xml"
    return None


def _check_raster(data: bytes, path: Path, kind: str) -> None:
    """Decodes the whole picture once, so a damaged file is reported here rather
    than printed grey: WeasyPrint tells Pillow to accept cut-short images."""
    from PIL import Image, ImageFile

    try:
        with warnings.catch_warnings():
            # Pillow warns of a decompression bomb first; the size check below is ours.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[kind]) as image:
                width, height = image.size
                if width * height > MAX_LOGO_PIXELS:
                    raise LogoError(
                        f"names {path}, a picture of {width} × {height} pixels; a "
                        f"logo may have at most {MAX_LOGO_PIXELS // 1_000_000} "
                        "million pixels.",
                        "Save a smaller copy (1000 pixels across is plenty).",
                    )
                image.verify()
            accepts_cut_short = ImageFile.LOAD_TRUNCATED_IMAGES
            ImageFile.LOAD_TRUNCATED_IMAGES = False
            try:
                with Image.open(io.BytesIO(data), formats=[kind]) as image:
                    image.load()
            finally:
                ImageFile.LOAD_TRUNCATED_IMAGES = accepts_cut_short
    except LogoError:
        raise
    except Image.DecompressionBombError as exc:
        raise LogoError(
            f"names {path}, a picture of far more than "
            f"{MAX_LOGO_PIXELS // 1_000_000} million pixels.",
            "Save a smaller copy (1000 pixels across is plenty).",
        ) from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise LogoError(
            f"names {path}, a {kind} file that cannot be read (damaged or cut short: "
            f"{exc}).",
            "Save the logo again from the program that made it.",
        ) from exc


def _check_svg(data: bytes, path: Path) -> None:
    """A plain SVG that draws only itself: no DTD or entities, nothing it refers to
    outside itself (images, stylesheets, fonts, links), no CSS escapes that could
    hide such a reference. WeasyPrint's fetcher would refuse those anyway."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(data, forbid_dtd=True)
    except (DefusedXmlException, ParseError) as exc:
        raise LogoError(
            f"names {path}, an SVG file that cannot be read safely ({exc}).",
            "Export the logo again as plain SVG, or as PNG.",
        ) from exc
    if root.tag not in (f"{SVG_NAMESPACE}svg", "svg"):
        raise LogoError(
            f"names {path}, which is XML but not an SVG image.",
            "Save the logo as PNG, JPEG or SVG and write that file's name here.",
        )
    if (too_much := svg_size(root).refusal()) is not None:
        raise LogoError(
            f"names {path}, an SVG that {too_much}.",
            "Export the logo again as a simpler SVG (fewer, merged shapes), or as PNG.",
        )
    for element in root.iter():
        is_style = element.tag in (f"{SVG_NAMESPACE}style", "style")
        texts = [(is_style, element.text or "")]
        for name, value in element.attrib.items():
            local = name.rpartition("}")[2]
            if local == "href" and not value.strip().startswith("#"):
                _refers_out(path, value)
            texts.append((local == "style", value))
        for is_css, text in texts:
            lowered = text.lower()
            if is_css and (
                "\\" in text or "@import" in lowered or "@font-face" in lowered
            ):
                _refers_out(path, text)
            for target in _URL_TARGET.findall(text):
                if not target.startswith("#"):
                    _refers_out(path, target)


def _refers_out(path: Path, reference: str) -> None:
    shown = reference.strip()[:80]
    raise LogoError(
        f"names {path}, an SVG that refers to something outside itself ({shown}); "
        "only a self-contained SVG is printed.",
        "Export the logo again as plain SVG (shapes only, no linked or embedded "
        "pictures), or as PNG.",
    )
