"""Saving: atomic replace, backups, lock files of Excel and LibreOffice, and refusing to
write over a workbook that changed since it was read."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from xlsx_testing import (
    PEOPLE,
    new_book,
)

from sheetbill.domain.sheet import CellWrite, WorkbookChanges
from sheetbill.errors import (
    WorkbookChangedError,
    WorkbookLockedError,
    WorkbookWriteError,
)
from sheetbill.workbook import excel as excel_module
from sheetbill.workbook.excel import BACKUP_FOLDER, ExcelWorkbook


def _one_cell(value: str) -> WorkbookChanges:
    return WorkbookChanges(writes={"People": (CellWrite(2, 0, value),)})


def _excel_owner_file(name: str) -> bytes:
    """An Excel owner file as Excel writes it: length, ANSI name padded to 54 bytes,
    then the length again and the name in UTF-16LE."""
    ansi = bytes([len(name)]) + name.encode("latin-1").ljust(53, b" ")
    wide = len(name).to_bytes(2, "little") + name.encode("utf-16-le")
    return (ansi + wide).ljust(165, b"\x20")


def test_excel_apply_refuses_when_file_changed(tmp_path: Path) -> None:
    """A version read before someone saved the file is refused and nothing is
    written, not even a backup."""
    book_path = new_book(tmp_path)
    book = ExcelWorkbook(book_path)
    stale = book.read()
    book.apply(_one_cell("first"), expected_version=stale.version)
    saved = book_path.read_bytes()
    with pytest.raises(WorkbookChangedError) as caught:
        book.apply(_one_cell("second"), expected_version=stale.version)
    assert caught.value.exit_code == 3
    assert book_path.read_bytes() == saved
    assert len(list((book_path.parent / BACKUP_FOLDER).iterdir())) == 1


def test_excel_apply_ignores_a_touch_without_change(tmp_path: Path) -> None:
    """Only the content decides: a new modification time alone is not a change."""
    book_path = new_book(tmp_path)
    book = ExcelWorkbook(book_path)
    snapshot = book.read()
    os.utime(book_path, ns=(1_000_000_000, 1_000_000_000))
    version = book.apply(_one_cell("x"), expected_version=snapshot.version)
    assert version == book.read().version
    assert book.read().tables["People"].rows[0].cells[0] == "x"


def test_excel_apply_with_nothing_to_do_leaves_file_alone(tmp_path: Path) -> None:
    book_path = new_book(tmp_path)
    book = ExcelWorkbook(book_path)
    snapshot = book.read()
    before = book_path.stat()
    assert book.apply(WorkbookChanges(), expected_version=snapshot.version) == (
        snapshot.version
    )
    assert book_path.stat().st_mtime_ns == before.st_mtime_ns
    assert not (book_path.parent / BACKUP_FOLDER).exists()


@pytest.mark.parametrize(
    ("lock_name", "content", "holder"),
    [
        ("~$book.xlsx", _excel_owner_file("Jane Doe"), "Jane Doe"),
        ("~$book.xlsx", b"\x05Ren\xe9e", "Renée"),
        (
            ".~lock.book.xlsx#",
            b"Jane Doe,jdoe,pc,25.11.2026 10:00,file:///x;",
            "Jane Doe",
        ),
        (".~lock.book.xlsx#", b",jdoe,pc,25.11.2026 10:00,file:///x;", "jdoe"),
        ("~$book.xlsx", b"", None),
    ],
)
def test_excel_apply_refuses_while_held_open(
    tmp_path: Path, lock_name: str, content: bytes, holder: str | None
) -> None:
    """Exit code 3, the holder named, what to do said; the lock file is kept."""
    book_path = new_book(tmp_path)
    book = ExcelWorkbook(book_path)
    snapshot = book.read()
    lock = book_path.parent / lock_name
    lock.write_bytes(content)
    saved = book_path.read_bytes()
    with pytest.raises(WorkbookLockedError) as caught:
        book.apply(_one_cell("x"), expected_version=snapshot.version)
    error = caught.value
    assert error.exit_code == 3
    assert error.holder == holder
    assert "close it there, then run again" in str(error)
    if holder:
        assert f"by {holder}" in str(error)
    assert "\n" not in str(error)
    assert lock.read_bytes() == content
    assert book_path.read_bytes() == saved


def test_excel_apply_sees_excel_lock_of_a_long_name(tmp_path: Path) -> None:
    """Excel replaces the first two characters of a long name by "~$"."""
    path = tmp_path / "Employees.xlsx"
    ExcelWorkbook.create_new(path, [PEOPLE])
    (tmp_path / "~$ployees.xlsx").write_bytes(_excel_owner_file("Ann"))
    book = ExcelWorkbook(path)
    with pytest.raises(WorkbookLockedError, match="by Ann"):
        book.apply(_one_cell("x"), expected_version=book.read().version)


def test_excel_apply_keeps_the_last_backups(tmp_path: Path) -> None:
    """Each save first copies the file as it was; only the newest N copies stay."""
    book_path = new_book(tmp_path)
    book = ExcelWorkbook(book_path, backups=2)
    contents = []
    for value in ("one", "two", "three"):
        contents.append(book_path.read_bytes())
        book.apply(_one_cell(value), expected_version=book.read().version)
    folder = book_path.parent / BACKUP_FOLDER
    kept = sorted(folder.iterdir())
    assert [p.read_bytes() for p in kept] == contents[1:]
    assert all(p.name.startswith("book-") and p.suffix == ".xlsx" for p in kept)


def test_excel_apply_without_backups_makes_none(tmp_path: Path) -> None:
    book_path = new_book(tmp_path)
    book = ExcelWorkbook(book_path, backups=0)
    book.apply(_one_cell("x"), expected_version=book.read().version)
    assert not (book_path.parent / BACKUP_FOLDER).exists()


def test_excel_apply_keeps_permission_bits(tmp_path: Path) -> None:
    """The replaced file and its backup keep the original's mode (a private file
    stays private)."""
    book_path = new_book(tmp_path)
    book_path.chmod(0o600)
    book = ExcelWorkbook(book_path)
    book.apply(_one_cell("x"), expected_version=book.read().version)
    assert stat.S_IMODE(book_path.stat().st_mode) == 0o600
    backup = next((book_path.parent / BACKUP_FOLDER).iterdir())
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600


def test_excel_apply_failing_rename_leaves_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the final rename fails, the workbook is untouched and no temp file stays."""
    book_path = new_book(tmp_path)
    book = ExcelWorkbook(book_path, backups=0)
    snapshot = book.read()
    saved = book_path.read_bytes()

    def refuse(source: str, target: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(excel_module.os, "rename", refuse)
    with pytest.raises(WorkbookWriteError, match="unchanged"):
        book.apply(_one_cell("x"), expected_version=snapshot.version)
    assert book_path.read_bytes() == saved
    assert sorted(p.name for p in book_path.parent.iterdir()) == ["book.xlsx"]


def test_excel_create_new_refuses_an_existing_file(tmp_path: Path) -> None:
    book_path = new_book(tmp_path)
    saved = book_path.read_bytes()
    with pytest.raises(WorkbookWriteError, match="already exists"):
        ExcelWorkbook.create_new(book_path, [PEOPLE])
    assert book_path.read_bytes() == saved
