"""Where documents land: file names from validated invoice numbers, atomic writes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sheetbill.errors import RenderError
from sheetbill.numbering import is_valid_invoice_number


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


def atomic_write(target: Path, data: bytes) -> None:
    """Write to a temporary file beside `target`, then rename: never a half PDF."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def xml_path(number: str, out_dir: Path) -> Path:
    """The XRechnung file of an invoice, beside its PDF."""
    return out_dir / f"{file_stem(number)}.xml"
