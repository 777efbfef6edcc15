"""Where documents land: file names from validated invoice numbers, atomic writes."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from sheetbill.errors import DocumentWriteError, RenderError
from sheetbill.numbering import is_valid_invoice_number
from sheetbill.tempfiles import remove_stale_files


def file_stem(number: str) -> str:
    """The file name for an invoice number; only validated numbers reach the disk.

    Numbers may contain `/` (INV/2026/0001): it becomes `_` so every file lands
    directly in the output folder.
    """
    if not is_valid_invoice_number(number):
        raise RenderError(f"{number!r} is not a valid invoice number for a file name")
    return number.replace("/", "_")


def pdf_path(number: str, out_dir: Path) -> Path:
    return out_dir / f"{file_stem(number)}.pdf"


# Temp files are named `.<file>.<8 random>.sheetbill-tmp`: clearly sheetbill's, so a
# later run may remove those a killed run left (`remove_stale_temp_files`).
TEMP_SUFFIX = ".sheetbill-tmp"
_STALE_TEMP = re.compile(
    r"\.[^/]+\.(pdf|xml)\.[a-z0-9_]{8}(" + re.escape(TEMP_SUFFIX) + r"|\.tmp)"
)


def atomic_write(target: Path, data: bytes) -> None:
    """Write to a temporary file beside `target`, then rename: never a half PDF.

    A disk full or a folder not writable is a DocumentWriteError naming the file,
    and leaves no temp file behind.
    """
    temp: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=TEMP_SUFFIX
        )
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
    except BaseException as exc:
        if temp is not None:
            Path(temp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise DocumentWriteError(
                f"cannot write {target} ({exc.strerror or exc})"
            ) from exc
        raise


def remove_stale_temp_files(folder: Path, *, older_than: float) -> None:
    """Remove the temp files of PDFs and XML a killed run left in `folder`
    (also those named `.tmp` by earlier versions), if older than `older_than`."""
    remove_stale_files(folder, _STALE_TEMP, older_than=older_than)


def xml_path(number: str, out_dir: Path) -> Path:
    """The XRechnung file of an invoice, beside its PDF."""
    return out_dir / f"{file_stem(number)}.xml"
