"""The Excel backend: an .xlsx or .xlsm file on disk as a `Workbook`.

The version token is `sha256:size:mtime_ns` of the bytes read; only the hash decides
whether the file changed. A write refuses while Excel (`~$name.xlsx`) or LibreOffice
(`.~lock.name.xlsx#`) holds the file, naming who (their lock files are never touched),
and refuses when the file is no longer the version read. It then copies the current file
to `.sheetbill-backups/` beside it (keeping the last N), and replaces the file
atomically: temp file in the same folder, fsync, rename, fsync of the folder, with the
original's permission bits.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import tempfile
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path

from sheetbill.errors import (
    SheetbillError,
    WorkbookChangedError,
    WorkbookError,
    WorkbookLockedError,
    WorkbookWriteError,
)
from sheetbill.workbook.base import BookSnapshot, TabSpec, WorkbookChanges
from sheetbill.workbook.excel_reader import read_tables
from sheetbill.workbook.xlsx_package import Package
from sheetbill.workbook.xlsx_safety import (
    MAX_UNPACKED_BYTES,
    check_contents,
    open_checked,
)
from sheetbill.workbook.xlsx_writer import apply_changes, empty_package
from sheetbill.workbook.xlsx_zip import ZipArchive, ZipFormatError

BACKUP_FOLDER = ".sheetbill-backups"
_MAX_FILE_BYTES = MAX_UNPACKED_BYTES
_CLOSE_AND_RETRY = "close it there, then run again"


class ExcelWorkbook:
    """An .xlsx/.xlsm file: read with calamine, written part by part."""

    def __init__(self, path: Path | str, *, backups: int = 10) -> None:
        self.path = Path(path)
        self.backups = max(backups, 0)
        # Hashes of contents that passed the safety checks, so a write right after a
        # read does not check the same bytes again.
        self._checked: set[str] = set()

    @property
    def name(self) -> str:
        return str(self.path)

    @classmethod
    def create_new(
        cls, path: Path | str, tabs: Sequence[TabSpec], *, backups: int = 10
    ) -> ExcelWorkbook:
        """Write a new workbook holding `tabs` (at least one) at `path`."""
        target = Path(path)
        if target.exists():
            raise WorkbookWriteError("a file of that name already exists", path=target)
        if not tabs:
            raise WorkbookWriteError(
                "a new workbook needs at least one tab", path=target
            )
        with _errors_about(target):
            package = Package(ZipArchive(empty_package()), target)
            data = apply_changes(package, WorkbookChanges(new_tabs=tuple(tabs)))
        _replace_atomically(target, data, mode=0o666 & ~_umask())
        return cls(target, backups=backups)

    def read(self) -> BookSnapshot:
        data, version = self._load()
        tables, names = read_tables(data, self.path)
        self._checked.add(_hash_of(version))
        return BookSnapshot(tables=tables, version=version, tab_names=names)

    def check_writable(self) -> None:
        """Refuse now what `apply` would refuse: a lock file of Excel or LibreOffice,
        a file marked read-only, a file or folder this process cannot write."""
        self._refuse_if_locked()
        try:
            mode = self.path.stat().st_mode
        except OSError as exc:
            raise WorkbookWriteError(
                f"cannot open the file ({exc.strerror})", path=self.path
            ) from exc
        if not stat.S_IMODE(mode) & 0o222:
            raise WorkbookWriteError(
                "the file is marked read-only; nothing was done. Allow writing to it "
                "(file properties), then run again",
                path=self.path,
            )
        try:
            # Opened for writing and closed at once: nothing is written.
            os.close(os.open(self.path, os.O_WRONLY))
            with tempfile.TemporaryFile(dir=self.path.parent):
                pass
        except OSError as exc:
            raise WorkbookWriteError(
                f"sheetbill may not write the file or its folder ({exc.strerror}); "
                "nothing was done",
                path=self.path,
            ) from exc

    def apply(self, changes: WorkbookChanges, *, expected_version: str) -> str:
        self._refuse_if_locked()
        data, version = self._load()
        if _hash_of(version) != _hash_of(expected_version):
            raise WorkbookChangedError(
                "the workbook changed on disk since sheetbill read it; nothing was "
                "written (sheetbill reads it again and re-plans)",
                path=self.path,
            )
        if changes.is_empty:
            return version
        with _errors_about(self.path):
            if _hash_of(version) in self._checked:
                archive = ZipArchive(data)
            else:
                archive, scan = open_checked(data, self.path)
            package = Package(archive, self.path)
            if _hash_of(version) not in self._checked:
                parts = {s.part: s.name for s in package.sheets if s.part}
                check_contents(archive, scan, parts, self.path)
            result = apply_changes(package, changes)
            Package(ZipArchive(result), self.path)  # what we wrote must open again
        self._refuse_if_locked()
        if self.backups:
            self._back_up(data)
        before = self.path.stat()
        if _stamp(before) != _stamp_of(version):
            current, _ = self._load()
            if hashlib.sha256(current).hexdigest() != _hash_of(version):
                raise WorkbookChangedError(
                    "the workbook changed on disk while sheetbill wrote; nothing was "
                    "written (sheetbill reads it again and re-plans)",
                    path=self.path,
                )
        _replace_atomically(self.path, result, mode=stat.S_IMODE(before.st_mode))
        new_version = _version(result, self.path.stat())
        self._checked.add(_hash_of(new_version))
        return new_version

    # Reading the file

    def _load(self) -> tuple[bytes, str]:
        path = self.path
        try:
            info = path.stat()
        except FileNotFoundError:
            raise WorkbookError(
                "no such file; check the path, or run `sheetbill init` to create a "
                "workbook",
                path=path,
            ) from None
        except OSError as exc:
            raise WorkbookError(
                f"cannot open the file ({exc.strerror})", path=path
            ) from exc
        if stat.S_ISDIR(info.st_mode):
            raise WorkbookError("this is a folder, not an Excel workbook", path=path)
        if not stat.S_ISREG(info.st_mode):
            raise WorkbookError("this is not a regular file", path=path)
        if info.st_size > _MAX_FILE_BYTES:
            raise WorkbookError(
                f"the file is larger than {_MAX_FILE_BYTES // 2**20} MB, more than "
                "sheetbill reads",
                path=path,
            )
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise WorkbookError(
                f"cannot read the file ({exc.strerror})", path=path
            ) from exc
        return data, _version(data, info)

    # Locks

    def _refuse_if_locked(self) -> None:
        folder, name = self.path.parent, self.path.name
        candidates = [folder / f"~${name}"]
        if len(name) > 2:
            # Excel shortens long names: "~$" replaces the first two characters.
            candidates.append(folder / f"~${name[2:]}")
        for lock in candidates:
            if lock.is_file():
                holder = _excel_owner(_read_small(lock))
                who = f"by {holder}" if holder else "(someone)"
                raise WorkbookLockedError(
                    f"the workbook is open in Excel {who}; {_CLOSE_AND_RETRY} (lock "
                    f"file {lock.name}; if nobody has it open, that file is left over "
                    "and may be deleted)",
                    path=self.path,
                    holder=holder,
                )
        lock = folder / f".~lock.{name}#"
        if lock.is_file():
            holder = _libreoffice_owner(_read_small(lock))
            who = f"by {holder}" if holder else "(someone)"
            raise WorkbookLockedError(
                f"the workbook is open in LibreOffice {who}; {_CLOSE_AND_RETRY} (lock "
                f"file {lock.name}; if nobody has it open, that file is left over and "
                "may be deleted)",
                path=self.path,
                holder=holder,
            )

    # Backups

    def _back_up(self, data: bytes) -> None:
        folder = self.path.parent / BACKUP_FOLDER
        stem, suffix = self.path.stem, self.path.suffix
        try:
            folder.mkdir(exist_ok=True)
            mode = stat.S_IMODE(self.path.stat().st_mode)
            moment = datetime.now()
            while True:
                name = f"{stem}-{moment:%Y%m%d-%H%M%S-%f}{suffix}"
                try:
                    descriptor = os.open(
                        folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode
                    )
                    break
                except FileExistsError:
                    moment = moment.replace(
                        microsecond=(moment.microsecond + 1) % 10**6
                    )
            with os.fdopen(descriptor, "wb") as backup:
                backup.write(data)
                backup.flush()
                os.fsync(backup.fileno())
            pattern = re.compile(
                re.escape(stem) + r"-\d{8}-\d{6}-\d{6}" + re.escape(suffix) + r"\Z"
            )
            kept = sorted(p for p in os.listdir(folder) if pattern.match(p))
            for old in kept[: -self.backups]:
                (folder / old).unlink(missing_ok=True)
        except OSError as exc:
            raise WorkbookWriteError(
                f"cannot keep a backup in {folder} ({exc.strerror}); nothing was "
                "written",
                path=self.path,
            ) from exc


def _version(data: bytes, info: os.stat_result) -> str:
    return f"{hashlib.sha256(data).hexdigest()}:{info.st_size}:{info.st_mtime_ns}"


def _hash_of(version: str) -> str:
    return version.partition(":")[0]


def _stamp(info: os.stat_result) -> str:
    return f"{info.st_size}:{info.st_mtime_ns}"


def _stamp_of(version: str) -> str:
    return version.partition(":")[2]


def _replace_atomically(path: Path, data: bytes, *, mode: int) -> None:
    folder = path.parent
    try:
        descriptor, temp = tempfile.mkstemp(
            dir=folder, prefix=f".{path.name}.", suffix=".sheetbill-tmp"
        )
    except OSError as exc:
        raise WorkbookWriteError(
            f"cannot write in the folder {folder} ({exc.strerror})", path=path
        ) from exc
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise WorkbookWriteError(
            f"cannot write the workbook ({exc.strerror}); it is unchanged", path=path
        ) from exc
    with contextlib.suppress(OSError):
        # The rename is only durable once the folder's entry is on disk.
        folder_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(folder_fd)
        finally:
            os.close(folder_fd)


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


@contextlib.contextmanager
def _errors_about(path: Path) -> Iterator[None]:
    """Name the file in errors raised deep inside, where only the part is known."""
    try:
        yield
    except SheetbillError as exc:
        if exc.path is None:
            exc.path = path
        raise
    except ZipFormatError as exc:
        raise WorkbookWriteError(
            f"cannot write the workbook ({exc})", path=path
        ) from exc


def _read_small(path: Path) -> bytes:
    try:
        with path.open("rb") as lock:
            return lock.read(4096)
    except OSError:
        return b""


def _excel_owner(data: bytes) -> str | None:
    """The user name in an Excel owner file: a length byte and the name in the
    ANSI code page, then (at offset 54) the length again and the name in UTF-16LE."""
    wide = ""
    if len(data) >= 58:
        length = int.from_bytes(data[54:56], "little")
        if 0 < length <= 256:
            wide = data[56 : 56 + 2 * length].decode("utf-16-le", "replace")
    narrow = ""
    if data and 0 < data[0] <= 53:
        narrow = data[1 : 1 + data[0]].decode("latin-1")
    for name in (wide, narrow):
        cleaned = _clean_name(name)
        if cleaned:
            return cleaned
    return None


def _libreoffice_owner(data: bytes) -> str | None:
    """The user in a LibreOffice lock file: `name,user,host,date,profile;`."""
    fields = data.decode("utf-8", "replace").split(",")
    for field in fields[:2]:
        cleaned = _clean_name(field)
        if cleaned:
            return cleaned
    return None


def _clean_name(name: str) -> str:
    cleaned = name.replace("\x00", "").strip()
    if not cleaned or "\ufffd" in cleaned or not cleaned.isprintable():
        return ""
    return cleaned[:80]
