"""Where documents land: file names from validated invoice numbers, atomic writes,
and which files in the folder are this workbook's own to replace.

A file at a document's path may be replaced only when the state database recorded
writing exactly those bytes there; anything else (another workbook's PDF, a file put
there by hand, a link) is left alone and reported. A new file is created without ever
replacing what may appear at its path meanwhile.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sheetbill.domain.numbering import is_valid_invoice_number
from sheetbill.errors import DocumentWriteError, RenderError
from sheetbill.tempfiles import remove_stale_files

# The file that names the state database whose documents a folder holds.
FOLDER_MARKER = ".sheetbill-folder"
# Temp files are named `.<file>.<8 random>.sheetbill-tmp`: clearly sheetbill's, so a
# later run may remove those a killed run left (`remove_stale_temp_files`): those of
# documents and of the folder's marker (written once, so never replaced later).
TEMP_SUFFIX = ".sheetbill-tmp"
_STALE_TEMP = re.compile(
    r"\.(?:[^/]+\.(?:pdf|xml)|"
    + re.escape(FOLDER_MARKER)
    + r")\.[a-z0-9_]{8}("
    + re.escape(TEMP_SUFFIX)
    + r"|\.tmp)"
)
# What `file_sha256` says of a link, folder or device: never equal to a digest.
NOT_A_FILE = "not a regular file"


class ForeignFileError(Exception):
    """Something this workbook did not write is at a document's path."""

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self.path = path


def file_stem(number: str) -> str:
    """The file name for an invoice number; only validated numbers reach the disk.

    Numbers may contain `/` (INV/2026/0001): it becomes `_` so every file lands
    directly in the output folder.
    """
    if not is_valid_invoice_number(number):
        raise RenderError(f"{number!r} is not a valid invoice number for a file name")
    stem = number.replace("/", "_")
    if Path(stem).name != stem or stem in ("", ".", ".."):
        raise RenderError(f"{number!r} is not a valid invoice number for a file name")
    return stem


def pdf_path(number: str, out_dir: Path) -> Path:
    return out_dir / f"{file_stem(number)}.pdf"


def xml_path(number: str, out_dir: Path) -> Path:
    """The XRechnung file of an invoice, beside its PDF."""
    return out_dir / f"{file_stem(number)}.xml"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str | None:
    """The sha256 of the file at `path`, None when nothing is there, and NOT_A_FILE
    for a link (never followed), a folder or anything else that is not a file."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return NOT_A_FILE
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        handle = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError:  # it became a link since lstat (ELOOP)
        return NOT_A_FILE
    with os.fdopen(handle, "rb") as source:
        return hashlib.file_digest(source, "sha256").hexdigest()


def _temp_beside(target: Path, data: bytes) -> Path:
    """`data` in a new file in the target's folder (so a rename stays in it),
    flushed to disk; a disk full or a folder not writable leaves no temp file."""
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
            # mkstemp makes 0600; a document is an ordinary file of the folder, as
            # readable as anything else the user saves there.
            os.fchmod(out.fileno(), 0o666 & ~_umask())
    except BaseException:
        if temp is not None:
            Path(temp).unlink(missing_ok=True)
        raise
    return Path(temp)


def _umask() -> int:
    """The process's umask, read without changing it (os.umask would, for a moment,
    for every thread); 0o022 where /proc does not tell."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return 0o022
    for line in status.splitlines():
        if line.startswith("Umask:"):
            return int(line.split()[1], 8)
    return 0o022


@contextlib.contextmanager
def _writing(target: Path) -> Iterator[None]:
    """An OSError while writing `target` becomes one DocumentWriteError naming it."""
    try:
        yield
    except OSError as exc:
        raise DocumentWriteError(
            f"cannot write {target} ({exc.strerror or exc})"
        ) from exc


def atomic_write(target: Path, data: bytes) -> None:
    """Write to a temporary file beside `target`, then rename: never a half PDF.

    A link at `target` is replaced, never followed. A disk full or a folder not
    writable is a DocumentWriteError naming the file, and leaves no temp file."""
    with _writing(target):
        temp = _temp_beside(target, data)
        try:
            os.replace(temp, target)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise


def check_replaceable(target: Path, data: bytes, *, ours: str | None) -> None:
    """Raise ForeignFileError unless `target` is absent, is the file this state wrote
    there (`ours`, its sha256) or already holds exactly `data`."""
    current = file_sha256(target)
    if current is not None and current not in (ours, sha256(data)):
        raise ForeignFileError(target)


def write_owned(target: Path, data: bytes, *, ours: str | None) -> str:
    """Write `data` at `target` unless another's file is there; its sha256.

    `ours` is the sha256 of the file this state last wrote at `target` (None: none).
    Identical bytes already there are kept: a run stopped before recording a file
    finds it so. A new file is linked into place, which fails rather than replaces
    when something appeared at the path meanwhile.
    """
    digest = sha256(data)
    current = file_sha256(target)
    if current == digest:
        return digest
    if current is not None and current != ours:
        raise ForeignFileError(target)
    with _writing(target):
        temp = _temp_beside(target, data)
        try:
            if current is None:
                _create(temp, target)
            else:
                os.replace(temp, target)
        finally:
            temp.unlink(missing_ok=True)
    return digest


def _create(temp: Path, target: Path) -> None:
    try:
        os.link(temp, target)
    except FileExistsError as exc:
        raise ForeignFileError(target) from exc
    except OSError:
        # A file system without hard links: check again, then rename.
        if file_sha256(target) is not None:
            raise ForeignFileError(target) from None
        os.replace(temp, target)


def folder_owner(folder: Path, state: Path) -> Path | None:
    """The other state database whose documents `folder` holds, or None when the
    folder is this state's (claimed for it now if nobody holds it).

    A folder is another's while its marker names a state database that exists; one
    whose named database is gone (renamed, moved, lost) is taken over.
    """
    marker = folder / FOLDER_MARKER
    own = state.resolve()
    try:
        named = json.loads(marker.read_text(encoding="utf-8"))["state"]
        other = (folder / named).resolve() if isinstance(named, str) else None
    except (OSError, ValueError, KeyError, TypeError):
        other = None
    if other == own:
        return None
    if other is not None and other.is_file():
        return other
    try:
        named = Path(os.path.relpath(own, folder.resolve())).as_posix()
    except ValueError:  # another drive (Windows): no relative path
        named = own.as_posix()
    note = "sheetbill writes this folder's documents for the state database named here"
    text = json.dumps({"state": named, "note": note}, indent=2) + "\n"
    atomic_write(marker, text.encode("utf-8"))
    return None


def remove_stale_temp_files(folder: Path, *, older_than: float) -> None:
    """Remove the temp files of PDFs, XML and the folder's marker a killed run left
    in `folder` (also those named `.tmp` by earlier versions), if older than
    `older_than`."""
    remove_stale_files(folder, _STALE_TEMP, older_than=older_than)
