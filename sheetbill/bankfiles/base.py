"""What every bank or processor file reader is: beancount's beangulp importer shape
(identify, extract; deduplication is the caller's, against what the workbook holds).

An adapter: reads files, imports only domain values and `errors`. Every reader
refuses a file bigger than MAX_BYTES before reading it, and raises BankFileError
(one line naming the file, the line and what to do) for anything it cannot read;
it never returns part of a file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from sheetbill.domain.payments import Statement
from sheetbill.errors import BankFileError

# Bank statements and processor exports of a small shop are kilobytes to a few
# megabytes; a bigger file is refused before it is read (a "2 GB" file says so).
MAX_BYTES = 50 * 1024 * 1024
# How much of a file `identify` is shown.
HEAD_BYTES = 64 * 1024


class Importer(Protocol):
    """One file format."""

    # The format's name as `--format` takes it: "csv", "ofx", "camt.053", "mt940",
    # "stripe", "paypal" (a CSV profile's Statement says "csv:<profile>").
    name: str

    def identify(self, head: bytes, path: Path) -> bool:
        """Whether the file is of this format, from its first HEAD_BYTES bytes
        (and its name). Never raises."""
        ...

    def extract(self, path: Path) -> Statement:
        """Every transaction of the file, in file order. Raises BankFileError."""
        ...


def checked_size(path: Path) -> int:
    """The file's size in bytes; BankFileError when it is missing, not a file, or
    bigger than MAX_BYTES."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise BankFileError("there is no such file", path=path) from None
    except OSError as error:
        raise BankFileError(
            f"cannot be read ({error.strerror or error})", path=path
        ) from None
    if not path.is_file():
        raise BankFileError("is not a file", path=path)
    if size > MAX_BYTES:
        raise BankFileError(
            f"is {_size(size)}; sheetbill reads bank and processor files of up to "
            f"{_size(MAX_BYTES)}. Export a shorter period and import each file",
            path=path,
        )
    return size


def read_head(path: Path) -> bytes:
    """The first HEAD_BYTES bytes of the file (after `checked_size`)."""
    checked_size(path)
    try:
        with path.open("rb") as file:
            return file.read(HEAD_BYTES)
    except OSError as error:
        raise BankFileError(
            f"cannot be read ({error.strerror or error})", path=path
        ) from None


def read_bytes(path: Path) -> bytes:
    """The whole file (after `checked_size`); BankFileError when it cannot be read."""
    checked_size(path)
    try:
        return path.read_bytes()
    except OSError as error:
        raise BankFileError(
            f"cannot be read ({error.strerror or error})", path=path
        ) from None


def _size(size: int) -> str:
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size} bytes"
