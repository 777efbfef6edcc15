"""Disk full and permissions: wherever sheetbill writes (the workbook, its temp file,
the backup, the state database, the PDFs), a full disk or a folder it may not write
gives one line naming what could not be written and exit 3 (2 for a state database
that is not one), no traceback, no temp file and no half-written backup left.

Real disks where this machine allows (a small tmpfs, read-only mounts; root only),
and injected `OSError(ENOSPC)` at each write point of the Excel writer and the PDFs.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from paths import DEMO, ROOT

from sheetbill.documents import files as files_module
from sheetbill.documents.files import (
    FOLDER_MARKER,
    atomic_write,
    remove_stale_temp_files,
)
from sheetbill.domain.sheet import CellWrite, ColumnSpec, TabSpec, WorkbookChanges
from sheetbill.errors import DocumentWriteError, WorkbookWriteError
from sheetbill.state import StateDB
from sheetbill.workbook import excel as excel_module
from sheetbill.workbook.excel import BACKUP_FOLDER, ExcelWorkbook

AS_OF = "2026-11-02"
FULL = "No space left on device"


def _enospc(*args: object, **kwargs: object) -> Any:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _failing_on_call(real: Callable[..., Any], number: int) -> Callable[..., Any]:
    """`real`, except that its `number`-th call (from 1) fails as on a full disk."""
    calls = 0

    def call(*args: object, **kwargs: object) -> Any:
        nonlocal calls
        calls += 1
        if calls == number:
            _enospc()
        return real(*args, **kwargs)

    return call


class _FullFile:
    """A file object whose writes fail as on a full disk (the rest is the real one)."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def write(self, data: bytes) -> int:
        _enospc()
        return 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def __enter__(self) -> _FullFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._real.close()


def _fdopen_full(descriptor: int, mode: str = "r") -> _FullFile:
    return _FullFile(open(descriptor, mode))


PEOPLE = TabSpec("People", (ColumnSpec("Name"),))


def _one_cell(value: str) -> WorkbookChanges:
    return WorkbookChanges(writes={"People": (CellWrite(2, 0, value),)})


# (what is patched in the Excel writer's `os`/`tempfile`, its replacement)
EXCEL_WRITE_POINTS: dict[str, tuple[Any, str, Callable[[], Callable[..., Any]]]] = {
    "temp file made": (excel_module.tempfile, "mkstemp", lambda: _enospc),
    "temp file written": (excel_module.os, "fdopen", lambda: _fdopen_full),
    "temp file synced": (excel_module.os, "fsync", lambda: _enospc),
    "mode set": (excel_module.os, "fchmod", lambda: _enospc),
    "moved into backups": (excel_module.os, "rename", lambda: _enospc),
    "backups folder made": (Path, "mkdir", lambda: _enospc),
}


@pytest.mark.parametrize("point", list(EXCEL_WRITE_POINTS))
@pytest.mark.parametrize("backups", [0, 3])
def test_excel_apply_disk_full_at_a_write_point_leaves_the_file_and_no_debris(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, point: str, backups: int
) -> None:
    book = tmp_path / "book.xlsx"
    ExcelWorkbook.create_new(book, [PEOPLE])
    workbook = ExcelWorkbook(book, backups=backups)
    workbook.apply(_one_cell("first"), expected_version=workbook.read().version)
    before = book.read_bytes()
    listing = sorted(p.name for p in tmp_path.rglob("*"))
    owner, name, failing = EXCEL_WRITE_POINTS[point]
    monkeypatch.setattr(owner, name, failing())
    with pytest.raises(WorkbookWriteError) as caught:
        workbook.apply(_one_cell("second"), expected_version=workbook.read().version)
    monkeypatch.undo()
    message = str(caught.value)
    assert caught.value.exit_code == 3 and "\n" not in message
    assert FULL in message and str(book) in message
    assert book.read_bytes() == before
    assert sorted(p.name for p in tmp_path.rglob("*")) == listing


def test_excel_apply_link_and_rename_failing_put_the_file_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file is moved aside, then the new one cannot be placed (no link, no
    rename): the file moved aside goes back, and no temp file stays."""
    book = tmp_path / "book.xlsx"
    ExcelWorkbook.create_new(book, [PEOPLE])
    workbook = ExcelWorkbook(book, backups=0)
    snapshot = workbook.read()
    before = book.read_bytes()
    monkeypatch.setattr(excel_module.os, "link", _enospc)
    # 1: the move aside, 2: the fallback of placing the new file, 3: putting back.
    monkeypatch.setattr(excel_module.os, "rename", _failing_on_call(os.rename, 2))
    with pytest.raises(WorkbookWriteError, match="unchanged") as caught:
        workbook.apply(_one_cell("x"), expected_version=snapshot.version)
    assert FULL in str(caught.value)
    assert book.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]


def test_excel_apply_removes_temp_files_of_a_killed_run_and_nothing_else(
    tmp_path: Path,
) -> None:
    book = tmp_path / "book.xlsx"
    ExcelWorkbook.create_new(book, [PEOPLE])
    old = time.time() - 3600
    leftovers = [tmp_path / ".book.xlsx.ab_12xyz.sheetbill-tmp"]
    others = [
        tmp_path / ".book.xlsx.ab_12xyz.tmp",  # not our suffix
        tmp_path / ".other.xlsx.ab_12xyz.sheetbill-tmp",  # another workbook's
        tmp_path / "book.xlsx.ab_12xyz.sheetbill-tmp",  # not hidden: a person's
        tmp_path / ".book.xlsx.new1234.sheetbill-tmp",  # new: may be in use
    ]
    for path in [*leftovers, *others]:
        path.write_bytes(b"half")
        os.utime(path, (old, old))
    os.utime(others[-1])
    workbook = ExcelWorkbook(book)
    workbook.apply(_one_cell("x"), expected_version=workbook.read().version)
    assert not any(p.exists() for p in leftovers)
    assert all(p.exists() for p in others)


def test_atomic_write_disk_full_names_the_file_and_leaves_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "INV-1.pdf"
    for owner, name in ((files_module.os, "fsync"), (files_module.os, "replace")):
        monkeypatch.setattr(owner, name, _enospc)
        with pytest.raises(DocumentWriteError) as caught:
            atomic_write(target, b"%PDF-1.7")
        monkeypatch.undo()
        assert caught.value.exit_code == 3 and str(target) in str(caught.value)
        assert FULL in str(caught.value)
        assert list(tmp_path.iterdir()) == []


def test_remove_stale_temp_files_takes_only_old_pdf_and_xml_temp_files(
    tmp_path: Path,
) -> None:
    old = time.time() - 3600
    stale = [".INV-2026-0001.pdf.k2j_8xq0.sheetbill-tmp", ".INV-7.xml.abcdefgh.tmp"]
    kept = [
        "INV-2026-0001.pdf",
        ".INV-7.pdf.abcdefgh.sheetbill-tmp.bak",
        ".notes.txt.abcdefgh.tmp",
        ".INV-7.pdf.abc.tmp",
    ]
    for name in [*stale, *kept]:
        (tmp_path / name).write_bytes(b"x")
        os.utime(tmp_path / name, (old, old))
    fresh = tmp_path / ".INV-8.pdf.abcdefgh.sheetbill-tmp"
    fresh.write_bytes(b"x")
    remove_stale_temp_files(tmp_path, older_than=time.time())
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*kept, fresh.name])


def test_remove_stale_temp_files_takes_the_folder_markers_old_temp_file(
    tmp_path: Path,
) -> None:
    """A run killed while it claimed the PDF folder leaves the marker's temp file;
    the marker is written only once, so no later write replaces it (found by the
    crash-point harness, tests/reliability/test_crash_points.py)."""
    old = time.time() - 3600
    stale = tmp_path / f".{FOLDER_MARKER}.k2j_8xq0.sheetbill-tmp"
    kept = [tmp_path / FOLDER_MARKER, tmp_path / f".{FOLDER_MARKER}.k2j_8xq0"]
    for path in [stale, *kept]:
        path.write_bytes(b"{}")
        os.utime(path, (old, old))
    remove_stale_temp_files(tmp_path, older_than=time.time())
    assert sorted(tmp_path.iterdir()) == sorted(kept)


# The real CLI on real disks.


def _mount(target: Path, *options: str) -> None:
    if not target.exists():
        target.mkdir(parents=True)
    subprocess.run(["mount", *options, str(target)], check=True, capture_output=True)


@pytest.fixture
def mounts() -> Iterator[Callable[..., Path]]:
    """Mount things for a test (tmpfs, read-only binds); all unmounted after."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small disk needs root (injected faults still run)")
    made: list[Path] = []

    def mount(target: Path, *options: str) -> Path:
        _mount(target, *options)
        made.append(target)
        return target

    yield mount
    for target in reversed(made):
        subprocess.run(["umount", "-l", str(target)], check=False, capture_output=True)


def _tmpfs(mount: Callable[..., Path], target: Path, size: str) -> Path:
    try:
        return mount(target, "-t", "tmpfs", "-o", f"size={size}", "tmpfs")
    except subprocess.CalledProcessError:
        pytest.skip("this machine cannot mount a tmpfs")


def _read_only(mount: Callable[..., Path], target: Path) -> None:
    mount(target, "--bind", str(target))
    mount(target, "-o", "remount,ro,bind")


def _fill(disk: Path, leave: int = 0) -> None:
    """Fill the disk, leaving about `leave` bytes."""
    filler = disk / "filler.bin"
    with filler.open("wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 4096)
        except OSError:
            pass
    if leave:
        os.truncate(filler, max(filler.stat().st_size - leave, 0))


def _cli(
    book: Path, config: Path, *more: str, command: str = "run"
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-m", "sheetbill", command, str(book), "--as-of", AS_OF]
    return subprocess.run(
        [*argv, "--config", str(config), *more],
        capture_output=True,
        text=True,
        env=env,
        cwd=book.parent,
        check=False,
        timeout=300,
    )


def _one_line(done: subprocess.CompletedProcess[str], code: int) -> str:
    err = done.stderr.strip()
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert "\n" not in err and err
    return err


def _temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if "tmp" in p.name]


def _setup(tmp_path: Path, *, lines: list[str]) -> tuple[Path, Path]:
    """The demo workbook in tmp_path/book and a config file of `lines`."""
    folder = tmp_path / "book"
    folder.mkdir(exist_ok=True)
    book = folder / "northwind.xlsx"
    shutil.copyfile(DEMO, book)
    config = tmp_path / "sheetbill.toml"
    config.write_text("\n".join(lines) + "\n")
    return book, config


def test_cli_run_workbook_on_a_full_disk_exits_3_naming_it(
    tmp_path: Path, mounts: Callable[..., Path]
) -> None:
    disk = _tmpfs(mounts, tmp_path / "disk", "2m")
    book, config = _setup(
        tmp_path, lines=["documents = false", f'state = "{tmp_path / "s.sqlite"}"']
    )
    on_disk = disk / book.name
    shutil.copyfile(book, on_disk)
    _fill(disk, leave=8192)
    done = _cli(on_disk, config)
    err = _one_line(done, 3)
    assert FULL in err and on_disk.name in err
    assert on_disk.read_bytes() == book.read_bytes()
    assert _temp_files(disk) == []
    backups = disk / BACKUP_FOLDER
    assert not backups.exists() or list(backups.iterdir()) == []


def test_cli_run_workbook_in_a_read_only_folder_exits_3(
    tmp_path: Path, mounts: Callable[..., Path]
) -> None:
    book, config = _setup(
        tmp_path, lines=["documents = false", f'state = "{tmp_path / "s.sqlite"}"']
    )
    _read_only(mounts, book.parent)
    err = _one_line(_cli(book, config), 3)
    assert str(book.parent) in err and "Read-only file system" in err
    assert book.read_bytes() == DEMO.read_bytes()


def test_cli_run_backups_folder_read_only_exits_3_workbook_unchanged(
    tmp_path: Path, mounts: Callable[..., Path]
) -> None:
    book, config = _setup(tmp_path, lines=["documents = false"])
    backups = book.parent / BACKUP_FOLDER
    backups.mkdir()
    _read_only(mounts, backups)
    err = _one_line(_cli(book, config), 3)
    assert BACKUP_FOLDER in err and "backup" in err
    assert book.read_bytes() == DEMO.read_bytes()
    assert _temp_files(book.parent) == []


def test_cli_run_state_database_on_a_full_disk_exits_3(
    tmp_path: Path, mounts: Callable[..., Path]
) -> None:
    disk = _tmpfs(mounts, tmp_path / "disk", "1m")
    state = disk / "s.sqlite"
    book, config = _setup(tmp_path, lines=["documents = false", f'state = "{state}"'])
    with StateDB(state):
        pass
    _fill(disk)
    err = _one_line(_cli(book, config), 3)
    assert "state database" in err and "full" in err
    assert book.read_bytes() == DEMO.read_bytes()


def test_cli_run_state_database_read_only_exits_3(
    tmp_path: Path, mounts: Callable[..., Path]
) -> None:
    state = tmp_path / "s.sqlite"
    book, config = _setup(tmp_path, lines=["documents = false", f'state = "{state}"'])
    with StateDB(state):
        pass
    _read_only(mounts, state)
    err = _one_line(_cli(book, config), 3)
    assert "state database" in err and "readonly" in err
    assert book.read_bytes() == DEMO.read_bytes()


def test_cli_run_state_folder_read_only_exits_3_naming_the_lock_file(
    tmp_path: Path, mounts: Callable[..., Path]
) -> None:
    folder = tmp_path / "state"
    folder.mkdir()
    book, config = _setup(
        tmp_path, lines=["documents = false", f'state = "{folder / "s.sqlite"}"']
    )
    _read_only(mounts, folder)
    err = _one_line(_cli(book, config), 3)
    assert "lock file" in err and str(folder) in err


def test_cli_run_state_database_that_is_not_one_exits_2(tmp_path: Path) -> None:
    """Not a mount: a file of garbage where the state database should be."""
    state = tmp_path / "s.sqlite"
    book, config = _setup(tmp_path, lines=["documents = false", f'state = "{state}"'])
    state.write_bytes(b"this is not a database, it is a shopping list\n" * 100)
    err = _one_line(_cli(book, config), 2)
    assert "state database cannot be read" in err and str(state) in err


def test_cli_run_pdfs_on_a_full_disk_exit_3_without_temp_files(
    tmp_path: Path, mounts: Callable[..., Path]
) -> None:
    disk = _tmpfs(mounts, tmp_path / "disk", "1m")
    pdfs = disk / "invoices"
    pdfs.mkdir()
    book, config = _setup(tmp_path, lines=[f'pdf_folder = "{pdfs}"'])
    leftover = pdfs / ".INV-2026-0009.pdf.abcd1234.sheetbill-tmp"
    leftover.write_bytes(b"%PDF half")
    old = time.time() - 3600
    os.utime(leftover, (old, old))
    _fill(disk, leave=2048)
    err = _one_line(_cli(book, config), 3)
    assert FULL in err and str(pdfs) in err and ".pdf" in err
    assert _temp_files(pdfs) == []
    assert book.read_bytes() == DEMO.read_bytes()


def test_cli_check_in_a_read_only_folder_reads_the_state(
    tmp_path: Path, mounts: Callable[..., Path]
) -> None:
    """`check` writes nothing, so a folder it may not write is no obstacle: it reads
    the state database as it is (no lock file, no -shm file can be made there)."""
    book, config = _setup(tmp_path, lines=["documents = false"])
    assert _cli(book, config).returncode == 1  # the demo has exceptions
    _read_only(mounts, book.parent)
    done = _cli(book, config, command="check")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "state rebuild" not in done.stdout
