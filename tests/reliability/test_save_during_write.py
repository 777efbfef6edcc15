"""A person's save is never lost: whenever it lands during sheetbill's write of an
Excel workbook, it stays the current file (and the run re-plans), or it is kept in the
backups and the run says where and exits non-zero.

Each test stalls the write at a named step (`ExcelWorkbook.on_step`) and saves a
changed file there, as Excel and LibreOffice do (a new file renamed over the old) or
as an in-place writer does (the same file truncated and rewritten).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from paths import DEMO

from sheetbill.cli import main
from sheetbill.config import Config
from sheetbill.domain.sheet import (
    CellWrite,
    ColumnSpec,
    TabSpec,
    WorkbookChanges,
)
from sheetbill.errors import (
    WorkbookChangedError,
    WorkbookError,
    WorkbookSaveKeptError,
    WorkbookWriteError,
)
from sheetbill.usecases.run import run_billing
from sheetbill.workbook import excel as excel_module
from sheetbill.workbook.excel import BACKUP_FOLDER, WRITE_STEPS, ExcelWorkbook

PEOPLE = TabSpec("People", (ColumnSpec("Name"),))
Save = Callable[[Path, bytes], None]


def save_like_excel(path: Path, data: bytes) -> None:
    """Excel and LibreOffice write a new file beside the old and rename it over."""
    temp = path.with_name(f"~person-{os.getpid()}.tmp")
    temp.write_bytes(data)
    os.replace(temp, path)


def save_in_place(path: Path, data: bytes) -> None:
    with path.open("wb") as out:
        out.write(data)


def _one_cell(value: str) -> WorkbookChanges:
    return WorkbookChanges(writes={"People": (CellWrite(2, 0, value),)})


def _versions(folder: Path, count: int) -> tuple[Path, list[bytes]]:
    """A new workbook, and `count` different versions a person could save of it."""
    folder.mkdir(parents=True, exist_ok=True)
    book = folder / "book.xlsx"
    ExcelWorkbook.create_new(book, [PEOPLE])
    versions = []
    for i in range(count):
        other = folder / f"person-{i}.xlsx"
        shutil.copyfile(book, other)
        person = ExcelWorkbook(other, backups=0)
        person.apply(_one_cell(f"person {i}"), expected_version=person.read().version)
        versions.append(other.read_bytes())
        other.unlink()
    return book, versions


def _saves_at(book: Path, plan: dict[str, tuple[bytes, Save]]) -> Callable[[str], None]:
    def on_step(name: str) -> None:
        if name in plan:
            data, save = plan.pop(name)
            save(book, data)

    return on_step


def _backups(book: Path) -> list[bytes]:
    folder = book.parent / BACKUP_FOLDER
    return [p.read_bytes() for p in folder.iterdir()] if folder.exists() else []


def _assert_no_temp_files(book: Path) -> None:
    assert sorted(p.name for p in book.parent.iterdir()) in (
        ["book.xlsx"],
        [BACKUP_FOLDER, "book.xlsx"],
    )


# What each step's save leads to when it is the only one: the save stays the workbook,
# and the write either re-plans (changed) or was done before it landed (written).
ALONE = {
    "checked": "changed",
    "temp written": "changed",
    "stamp checked": "changed",  # moved aside with the old one: put back, re-plan
    "moved aside": "changed",  # lands where the old one was: our link refuses
    "placed": "written",
    "verified": "written",
}


@pytest.mark.parametrize("save", [save_like_excel, save_in_place])
@pytest.mark.parametrize("step", list(ALONE))
def test_excel_apply_a_save_at_any_step_stays_the_workbook(
    tmp_path: Path, step: str, save: Save
) -> None:
    book, (person,) = _versions(tmp_path, 1)
    workbook = ExcelWorkbook(book, on_step=_saves_at(book, {step: (person, save)}))
    snapshot = workbook.read()
    if ALONE[step] == "changed":
        with pytest.raises(WorkbookChangedError) as caught:
            workbook.apply(_one_cell("sheetbill"), expected_version=snapshot.version)
        assert not isinstance(caught.value, WorkbookSaveKeptError)
    else:
        workbook.apply(_one_cell("sheetbill"), expected_version=snapshot.version)
    assert book.read_bytes() == person
    _assert_no_temp_files(book)


def test_excel_apply_every_step_is_named_and_reached_in_order(tmp_path: Path) -> None:
    """The test seam: a plain write passes every step but "restoring", in order."""
    book, _ = _versions(tmp_path, 0)
    seen: list[str] = []
    workbook = ExcelWorkbook(book, on_step=seen.append)
    workbook.apply(_one_cell("x"), expected_version=workbook.read().version)
    assert seen == [s for s in WRITE_STEPS if s != "restoring"]


def test_excel_apply_a_second_save_while_restoring_keeps_the_first_in_backups(
    tmp_path: Path,
) -> None:
    """A save moved aside is put back; if another save lands while it is, the newest
    is the workbook and the first is kept, and the error names where."""
    book, (first, second) = _versions(tmp_path, 2)
    plan = {
        "stamp checked": (first, save_like_excel),
        "restoring": (second, save_like_excel),
    }
    workbook = ExcelWorkbook(book, on_step=_saves_at(book, plan))
    snapshot = workbook.read()
    with pytest.raises(WorkbookSaveKeptError) as caught:
        workbook.apply(_one_cell("sheetbill"), expected_version=snapshot.version)
    assert book.read_bytes() == second
    kept = caught.value.kept
    assert kept is not None and kept.read_bytes() == first
    assert str(kept) in str(caught.value) and caught.value.exit_code == 3
    assert "\n" not in str(caught.value)
    _assert_no_temp_files(book)


def test_excel_apply_saves_before_and_after_the_move_keep_both(tmp_path: Path) -> None:
    book, (first, second) = _versions(tmp_path, 2)
    plan = {
        "stamp checked": (first, save_like_excel),
        "moved aside": (second, save_like_excel),
    }
    workbook = ExcelWorkbook(book, on_step=_saves_at(book, plan))
    snapshot = workbook.read()
    with pytest.raises(WorkbookSaveKeptError) as caught:
        workbook.apply(_one_cell("sheetbill"), expected_version=snapshot.version)
    assert book.read_bytes() == second
    assert caught.value.kept is not None and caught.value.kept.read_bytes() == first


SAVES = st.sampled_from([save_like_excel, save_in_place])


@settings(max_examples=40, deadline=None)
@given(
    plan=st.dictionaries(st.sampled_from(WRITE_STEPS), SAVES, max_size=3),
    backups=st.sampled_from([0, 2]),
)
def test_excel_apply_no_save_is_lost_wherever_saves_land(
    tmp_path_factory: pytest.TempPathFactory,
    plan: dict[str, Save],
    backups: int,
) -> None:
    """Any saves at any steps: the last save is the workbook; every other save is
    the workbook, kept in the backups (and the error names it), or replaced by the
    person's own next save; a write reported done is the file unless a person saved
    after it was placed."""
    folder = tmp_path_factory.mktemp("saves")
    book, versions = _versions(folder, len(plan))
    ordered = [s for s in WRITE_STEPS if s in plan]
    saves = {step: (versions[i], plan[step]) for i, step in enumerate(ordered)}
    made: list[bytes] = []
    superseded: list[bytes] = []  # saves the person's next save replaced

    def on_step(name: str) -> None:
        if name in saves:
            data, save = saves.pop(name)
            if made and book.exists() and book.read_bytes() == made[-1]:
                superseded.append(made[-1])
            save(book, data)
            made.append(data)

    workbook = ExcelWorkbook(book, backups=backups, on_step=on_step)
    snapshot = workbook.read()
    error: Exception | None = None
    try:
        workbook.apply(_one_cell("sheetbill"), expected_version=snapshot.version)
    except WorkbookWriteError as exc:
        error = exc
    assert error is None or isinstance(
        error, WorkbookChangedError | WorkbookSaveKeptError
    )
    current = book.read_bytes()
    if made:
        assert current == made[-1]
    elif error is None:
        assert ExcelWorkbook(book).read().tables["People"].rows[0].cells[0] == (
            "sheetbill"
        )
    for data in made:
        if data != current and data not in superseded:
            assert isinstance(error, WorkbookSaveKeptError)
            assert data in _backups(book)
    if isinstance(error, WorkbookSaveKeptError):
        assert error.kept is not None and error.kept.read_bytes() in made
        assert str(error.kept) in str(error)
    _assert_no_temp_files(book)


def _person_adds_a_tab(book: Path) -> bytes:
    """The demo workbook as a person saves it after adding a tab of their own."""
    other = book.with_name("person.xlsx")
    shutil.copyfile(book, other)
    person = ExcelWorkbook(other, backups=0)
    notes = TabSpec("My Notes", (ColumnSpec("Note"),))
    person.apply(
        WorkbookChanges(new_tabs=(notes,)), expected_version=person.read().version
    )
    data = other.read_bytes()
    other.unlink()
    return data


def test_run_billing_replans_on_a_save_put_back_and_keeps_the_persons_change(
    tmp_path: Path,
) -> None:
    """A save moved aside mid-write is put back; the run re-plans on it, so the
    workbook ends with the person's change and the invoices."""
    book = tmp_path / "northwind.xlsx"
    shutil.copyfile(DEMO, book)
    person = _person_adds_a_tab(book)
    workbook = ExcelWorkbook(
        book, on_step=_saves_at(book, {"stamp checked": (person, save_like_excel)})
    )
    result = run_billing(
        workbook,
        Config(documents=False),
        state_path=tmp_path / "northwind.sheetbill.sqlite",
        as_of=date(2026, 11, 2),
        is_dry_run=False,
    )
    # The first attempt drew the invoices; the second writes them as recovered.
    invoices = (*result.recovered, *result.invoices)
    assert result.replans == 1 and result.is_written and invoices
    final = ExcelWorkbook(book).read()
    assert "My Notes" in final.tab_names
    assert len(final.tables["Invoices"].rows) == len(invoices)


def test_cli_run_save_kept_in_backups_exits_3_naming_it(
    demo_book: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    person = _person_adds_a_tab(demo_book)
    second = demo_book.read_bytes()
    second_book = demo_book.with_name("second.xlsx")
    second_book.write_bytes(second)
    plan = {
        "stamp checked": (person, save_like_excel),
        "moved aside": (second, save_like_excel),
    }
    saves = _saves_at(demo_book, plan)
    monkeypatch.setattr(ExcelWorkbook, "_step", lambda self, name: saves(name))
    (demo_book.parent / "sheetbill.toml").write_text("documents = false\n")
    code = main(["run", str(demo_book), "--as-of", "2026-11-02"])
    err = capsys.readouterr().err.strip()
    assert code == 3
    assert "\n" not in err and "Traceback" not in err
    kept = [p for p in (demo_book.parent / BACKUP_FOLDER).iterdir() if "kept" in p.name]
    assert [p.read_bytes() for p in kept] == [person]
    assert kept[0].name in err
    assert excel_module.BACKUP_FOLDER in err


class _Killed(BaseException):
    """Stands for the process being killed at a step."""


def test_excel_read_after_a_run_killed_mid_swap_names_the_backup(
    tmp_path: Path,
) -> None:
    """Killed between moving the file aside and linking the new one in: the file is
    missing, and reading it says where its last version is."""
    book, _ = _versions(tmp_path, 0)
    before = book.read_bytes()

    def kill(name: str) -> None:
        if name == "moved aside":
            raise _Killed

    workbook = ExcelWorkbook(book, on_step=kill)
    with pytest.raises(_Killed):
        workbook.apply(_one_cell("x"), expected_version=workbook.read().version)
    assert not book.exists()
    with pytest.raises(WorkbookError) as caught:
        ExcelWorkbook(book).read()
    (backup,) = (tmp_path / BACKUP_FOLDER).iterdir()
    assert backup.read_bytes() == before and str(backup) in str(caught.value)
