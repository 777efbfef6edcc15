"""The Excel backend: an .xlsx or .xlsm file on disk as a `Workbook`.

The version token is `sha256:size:mtime_ns` of the bytes read; only the hash decides
whether the file changed. A write refuses while Excel (`~$name.xlsx`) or LibreOffice
(`.~lock.name.xlsx#`) holds the file, naming who (their lock files are never touched),
and refuses when the file is no longer the version read. It writes the new file to a
temp file beside it (fsync, the original's permission bits), then moves the current
file into `.sheetbill-backups/` (it is the backup; the last N are kept) and links the
new one in, which fails rather than replace a file a person saved meanwhile. What was
moved aside is then checked to be the version read: a person's save is never lost.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path

from sheetbill.domain.sheet import BookSnapshot, TabSpec, WorkbookChanges
from sheetbill.errors import (
    SheetbillError,
    WorkbookChangedError,
    WorkbookError,
    WorkbookLockedError,
    WorkbookSaveKeptError,
    WorkbookWriteError,
)
from sheetbill.tempfiles import remove_stale_files
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
_TEMP_SUFFIX = ".sheetbill-tmp"
_UNCHANGED = "it is unchanged"
_CHANGED_WHILE_WRITING = (
    "the workbook changed on disk while sheetbill wrote; nothing was written "
    "(sheetbill reads it again and re-plans)"
)

# The moments of a write, in order, at which `ExcelWorkbook.on_step` is called: a test
# seam, so tests can stall a write there and save the file as a person would.
# "restoring" comes only when what was moved aside was a person's save.
WRITE_STEPS = (
    "checked",  # the file on disk was the version read; the new bytes are made
    "temp written",  # the new file is complete (fsync) under its temp name
    "stamp checked",  # the file's size and mtime still were those read
    "moved aside",  # the current file was renamed into the backups folder
    "placed",  # the new file was linked in (or a save that landed kept its place)
    "verified",  # what was moved aside was compared with the version read
    "restoring",  # sheetbill's file was moved aside again to put the person's back
)


class ExcelWorkbook:
    """An .xlsx/.xlsm file: read with calamine, written part by part."""

    def __init__(
        self,
        path: Path | str,
        *,
        backups: int = 10,
        on_step: Callable[[str], None] | None = None,
    ) -> None:
        self.path = Path(path)
        self.backups = max(backups, 0)
        # Called with each name of WRITE_STEPS as a write reaches it (tests only).
        self.on_step = on_step
        # Hashes of contents that passed the safety checks, so a write right after a
        # read does not check the same bytes again.
        self._checked: set[str] = set()
        # Temp files older than this are a killed run's, never one being written.
        self._opened = time.time()

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
            is_macro_enabled = target.suffix.lower() == ".xlsm"
            empty = empty_package(is_macro_enabled=is_macro_enabled)
            package = Package(ZipArchive(empty), target)
            data = apply_changes(package, WorkbookChanges(new_tabs=tuple(tabs)))
        temp, _ = _write_temp(target, data, mode=0o666 & ~_umask())
        try:
            if not _link_in(temp, target):
                raise WorkbookWriteError(
                    "a file of that name already exists", path=target
                )
        except OSError as exc:
            raise WorkbookWriteError(
                f"cannot write the workbook ({exc.strerror})", path=target
            ) from exc
        finally:
            _remove(temp)
        _sync_folder(target.parent)
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
        # The current file is moved into the backups folder when it is replaced.
        backups = self.path.parent / BACKUP_FOLDER
        try:
            if backups.is_dir():
                with tempfile.TemporaryFile(dir=backups):
                    pass
        except OSError as exc:
            raise WorkbookWriteError(
                f"cannot keep a backup in {backups} ({exc.strerror}); nothing was done",
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
        self._step("checked")
        self._refuse_if_locked()
        self._remove_stale_temp_files()
        folder = self._backup_folder()
        try:
            ours = self._write(result, folder, version)
        finally:
            if not self.backups:
                with contextlib.suppress(OSError):
                    folder.rmdir()  # only when empty: a kept save stays
        new_version = _version(result, ours)
        self._checked.add(_hash_of(new_version))
        return new_version

    def _write(self, result: bytes, folder: Path, version: str) -> os.stat_result:
        """Replace the file with `result` if it is still `version`; the new file's
        stat."""
        mode = stat.S_IMODE(self._stat_or_changed().st_mode)
        temp, ours = _write_temp(self.path, result, mode=mode)
        try:
            self._step("temp written")
            if _stamp(self._stat_or_changed()) != _stamp_of(version):
                current, _ = self._load()
                if hashlib.sha256(current).hexdigest() != _hash_of(version):
                    raise WorkbookChangedError(_CHANGED_WHILE_WRITING, path=self.path)
            self._step("stamp checked")
            ours_digest = hashlib.sha256(result).hexdigest()
            self._swap_in(temp, (ours, ours_digest), folder, version)
        finally:
            _remove(temp)
        return ours

    def _step(self, name: str) -> None:
        if self.on_step is not None:
            self.on_step(name)

    def _stat_or_changed(self) -> os.stat_result:
        try:
            return self.path.stat()
        except FileNotFoundError:
            # Moved or deleted since it was read: a re-read says what is there now.
            raise WorkbookChangedError(_CHANGED_WHILE_WRITING, path=self.path) from None
        except OSError as exc:
            raise WorkbookWriteError(
                f"cannot open the file ({exc.strerror}); {_UNCHANGED}", path=self.path
            ) from exc

    # Replacing the file

    def _swap_in(
        self,
        temp: Path,
        new: tuple[os.stat_result, str],
        folder: Path,
        version: str,
    ) -> None:
        """Move the current file aside, then link ours in; check what was moved.

        A save a person makes (Excel and LibreOffice write a new file and rename it
        over the old) can land at any instant. Before our move it is what we move
        aside, and the check finds it; after the move, our link fails (the name is
        taken) and their save stays the current file. So no save is replaced unseen.
        """
        aside = _free_name(folder, self.path.stem, self.path.suffix)
        try:
            os.rename(self.path, aside)
        except FileNotFoundError:
            raise WorkbookChangedError(_CHANGED_WHILE_WRITING, path=self.path) from None
        except OSError as exc:
            raise WorkbookWriteError(
                f"cannot move the workbook into {folder} to keep it as a backup "
                f"({exc.strerror}); {_UNCHANGED}",
                path=self.path,
            ) from exc
        self._step("moved aside")
        try:
            is_placed = _link_in(temp, self.path)
        except OSError as exc:
            self._put_back(aside, exc)
            raise WorkbookWriteError(
                f"cannot write the workbook ({exc.strerror}); {_UNCHANGED}",
                path=self.path,
            ) from exc
        self._step("placed")
        is_read = _holds(aside, _hash_of(version))
        self._step("verified")
        _sync_folder(self.path.parent)
        _sync_folder(folder)
        if is_placed and is_read:
            self._prune_backups(folder, aside)
            return
        if is_read:
            # A save landed after ours was moved aside: it is current, ours is not.
            self._prune_backups(folder, aside)
            raise WorkbookChangedError(_CHANGED_WHILE_WRITING, path=self.path)
        if is_placed:
            kept = self._restore(aside, new, folder)
            if not kept:
                raise WorkbookChangedError(_CHANGED_WHILE_WRITING, path=self.path)
        else:
            kept = [self._keep(aside, folder)]
        shown = " and ".join(str(p) for p in kept)
        raise WorkbookSaveKeptError(
            "someone saved the workbook while sheetbill wrote it, and that save "
            f"is kept as {shown}, not in the workbook: check that the workbook "
            "holds what was saved (copy it over from there if not), then run again",
            path=self.path,
            kept=kept[0],
        )

    def _restore(
        self, aside: Path, ours: tuple[os.stat_result, str], folder: Path
    ) -> list[Path]:
        """Put the person's save at `aside` back in place of ours; [] when done, else
        the saves kept in `folder` because an even newer one is the workbook now."""
        free = _free_name(folder, self.path.stem, self.path.suffix)
        scratch: Path | None = free
        try:
            os.rename(self.path, free)
        except FileNotFoundError:
            scratch = None
        except OSError:
            return [self._keep(aside, folder)]
        self._step("restoring")
        # Ours only if the same file with the same bytes: a writer in place keeps
        # the file and changes its bytes. If not ours, another save landed after
        # ours: it is the newest, it goes back.
        if scratch is not None and not (
            _is_same_file(scratch, ours[0]) and _holds(scratch, ours[1])
        ):
            kept = [self._keep(aside, folder)]
            with contextlib.suppress(OSError):
                if _link_in(scratch, self.path):
                    return kept
            return [*kept, self._keep(scratch, folder)]
        try:
            is_restored = _link_in(aside, self.path)
        except OSError:
            is_restored = False
        if scratch is not None:
            _remove(scratch)
        return [] if is_restored else [self._keep(aside, folder)]

    def _put_back(self, aside: Path, cause: OSError) -> None:
        """The new file could not be linked in: the file moved aside goes back."""
        try:
            _link_in(aside, self.path)
        except OSError as exc:
            raise WorkbookWriteError(
                f"cannot write the workbook ({cause.strerror}); the workbook as it "
                f"was is at {aside}: move it back to {self.path.name}",
                path=self.path,
            ) from exc

    def _remove_stale_temp_files(self) -> None:
        """Temp files of a killed run beside the workbook (only ours, only old)."""
        pattern = re.compile(
            re.escape(f".{self.path.name}.") + r"[a-z0-9_]{8}" + re.escape(_TEMP_SUFFIX)
        )
        remove_stale_files(self.path.parent, pattern, older_than=self._opened)

    # Backups

    def _backup_folder(self) -> Path:
        folder = self.path.parent / BACKUP_FOLDER
        try:
            folder.mkdir(exist_ok=True)
        except OSError as exc:
            raise WorkbookWriteError(
                f"cannot keep a backup in {folder} ({exc.strerror}); nothing was "
                "written",
                path=self.path,
            ) from exc
        return folder

    def _keep(self, saved: Path, folder: Path) -> Path:
        """Rename a person's save in the backups so that pruning never removes it."""
        kept = _free_name(folder, self.path.stem + "-kept", self.path.suffix)
        try:
            os.rename(saved, kept)
        except OSError:
            return saved
        return kept

    def _prune_backups(self, folder: Path, newest: Path) -> None:
        """Keep the newest N backups (none when backups are off); a failure to
        delete an old one is no reason to fail a write that is done."""
        stem, suffix = self.path.stem, self.path.suffix
        pattern = re.compile(
            re.escape(stem) + r"-\d{8}-\d{6}-\d{6}" + re.escape(suffix) + r"\Z"
        )
        with contextlib.suppress(OSError):
            if not self.backups:
                newest.unlink()
                return
            kept = sorted(p for p in os.listdir(folder) if pattern.match(p))
            for old in kept[: -self.backups]:
                (folder / old).unlink(missing_ok=True)

    # Reading the file

    def _load(self) -> tuple[bytes, str]:
        path = self.path
        try:
            info = path.stat()
        except FileNotFoundError:
            raise WorkbookError(
                "no such file; check the path, or run `sheetbill init` to create a "
                f"workbook{self._last_backup_hint()}",
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

    def _last_backup_hint(self) -> str:
        """Where the newest backup is, for a workbook gone missing: a run killed
        between moving it aside and linking the new one in leaves it there."""
        folder = self.path.parent / BACKUP_FOLDER
        prefix, suffix = self.path.stem + "-", self.path.suffix
        try:
            names = [
                n
                for n in os.listdir(folder)
                if n.startswith(prefix) and n.endswith(suffix)
            ]
            newest = max(names, key=lambda n: (folder / n).stat().st_mtime_ns)
        except (OSError, ValueError):
            return ""
        return f" (its last version sheetbill kept is {folder / newest})"

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


def _version(data: bytes, info: os.stat_result) -> str:
    return f"{hashlib.sha256(data).hexdigest()}:{info.st_size}:{info.st_mtime_ns}"


def _hash_of(version: str) -> str:
    return version.partition(":")[0]


def _stamp(info: os.stat_result) -> str:
    return f"{info.st_size}:{info.st_mtime_ns}"


def _stamp_of(version: str) -> str:
    return version.partition(":")[2]


def _write_temp(path: Path, data: bytes, *, mode: int) -> tuple[Path, os.stat_result]:
    """`data` in a new temp file beside `path`, on disk (fsync), with `mode`; the
    temp file's name and stat. A failure leaves no temp file behind."""
    folder = path.parent
    try:
        descriptor, name = tempfile.mkstemp(
            dir=folder, prefix=f".{path.name}.", suffix=_TEMP_SUFFIX
        )
    except OSError as exc:
        raise WorkbookWriteError(
            f"cannot write in the folder {folder} ({exc.strerror}); {_UNCHANGED}",
            path=path,
        ) from exc
    temp = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
            os.fchmod(out.fileno(), mode)
            info = os.fstat(out.fileno())
    except OSError as exc:
        _remove(temp)
        raise WorkbookWriteError(
            f"cannot write the workbook ({exc.strerror}); {_UNCHANGED}", path=path
        ) from exc
    except BaseException:
        _remove(temp)
        raise
    return temp, info


def _link_in(source: Path, target: Path) -> bool:
    """Give `source` the name `target` unless that name is taken (False then);
    `source`'s own name is gone afterwards either way it succeeds.

    A hard link never replaces a file. Where the disk has no hard links, a rename
    does it (it would replace a file saved in the microseconds since the move).
    """
    try:
        os.link(source, target)
    except FileExistsError:
        return False
    except OSError:
        os.rename(source, target)
        return True
    _remove(source)
    return True


def _free_name(folder: Path, stem: str, suffix: str) -> Path:
    """A name in `folder` no file has, from the clock (microseconds)."""
    moment = datetime.now().astimezone()  # the machine's time, as its file times
    while True:
        candidate = folder / f"{stem}-{moment:%Y%m%d-%H%M%S-%f}{suffix}"
        if not os.path.lexists(candidate):
            return candidate
        moment = moment.replace(microsecond=(moment.microsecond + 1) % 10**6)


def _holds(path: Path, digest: str) -> bool:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() == digest
    except OSError:
        return False


def _is_same_file(path: Path, info: os.stat_result) -> bool:
    try:
        other = path.stat()
    except OSError:
        return False
    return (other.st_dev, other.st_ino) == (info.st_dev, info.st_ino)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _sync_folder(folder: Path) -> None:
    """A rename is only durable once the folder's entries are on disk."""
    with contextlib.suppress(OSError):
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
