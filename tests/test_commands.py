"""Commands as a user expects them (issue 11, point 10): where sheetbill.toml is
found, `init` and file names, and README's "Using it" run exactly as written.

Each runs the real `sheetbill` command in a subprocess, in the folder a user would be
in, and reads back what it wrote.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from paths import ROOT, SHARED
from readback import calamine_records

from sheetbill.cli import main

SHEETBILL = Path(sys.executable).with_name("sheetbill")


def sheetbill(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SHEETBILL), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
        timeout=300,
    )


def copy_cwd_case(folder: Path) -> Path:
    """The case messages/cwd: book.xlsx and a sheetbill.toml naming it as source."""
    folder.mkdir(parents=True)
    for source in (SHARED / "cases" / "messages" / "cwd").iterdir():
        shutil.copyfile(source, folder / source.name)
        (folder / source.name).chmod(0o644)
    return folder


# --- where sheetbill.toml is found ---------------------------------------------------


def test_check_with_no_argument_reads_the_current_folders_sheetbill_toml(tmp_path):
    """Case messages/cwd: `check` inside the folder finds book.xlsx through the
    sheetbill.toml there (it said "set 'source' in sheetbill.toml")."""
    folder = copy_cwd_case(tmp_path / "shop")
    done = sheetbill("check", "--as-of", "2026-11-20", cwd=folder)
    assert done.returncode in (0, 1), done.stderr
    assert "book.xlsx" in done.stdout and "source" not in done.stderr
    run = sheetbill("run", "--as-of", "2026-11-20", "--dry-run", cwd=folder)
    assert run.returncode in (0, 1) and "book.xlsx" in run.stdout, run.stderr


def _bad_config(path: Path) -> None:
    """A sheetbill.toml whose error names its own path: which one was read."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("backups = -1\n")


PLACES = ("explicit", "beside", "cwd", "config")


@pytest.mark.parametrize("first", PLACES)
def test_config_is_read_from_the_first_place_in_order(tmp_path, first):
    """--config, else beside the workbook, else the current folder, else config/
    under it: with a file in that place and every later one, the first is read."""
    folder = copy_cwd_case(tmp_path / "shop")
    book = folder / "book.xlsx"
    (folder / "sheetbill.toml").unlink()
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    files = {
        "explicit": tmp_path / "chosen.toml",
        "beside": folder / "sheetbill.toml",
        "cwd": cwd / "sheetbill.toml",
        "config": cwd / "config" / "sheetbill.toml",
    }
    for place in PLACES[PLACES.index(first) :]:
        _bad_config(files[place])
    args = ["check", str(book)]
    if first == "explicit":
        args += ["--config", str(files["explicit"])]
    done = sheetbill(*args, cwd=cwd)
    assert done.returncode == 2, done.stdout
    assert f"{files[first]}: 'backups'" in done.stderr, done.stderr
    # Without the bad ones, the workbook is checked (exit 0 or 1).
    for path in files.values():
        path.unlink(missing_ok=True)
    assert sheetbill("check", str(book), cwd=cwd).returncode in (0, 1)


def test_no_workbook_and_no_config_names_every_place_looked(tmp_path):
    done = sheetbill("check", cwd=tmp_path)
    assert done.returncode == 2
    err = done.stderr.strip()
    assert "\n" not in err and "Traceback" not in err
    assert str(tmp_path / "sheetbill.toml") in err
    assert str(tmp_path / "config" / "sheetbill.toml") in err


def test_a_found_config_never_lends_its_state_database_to_another_workbook(tmp_path):
    """The current folder's sheetbill.toml sets `state` for its own workbook; a run of
    another workbook named on the command line must not draw numbers from it."""
    folder = copy_cwd_case(tmp_path / "shop")
    (folder / "sheetbill.toml").write_text(
        'source = "book.xlsx"\nstate = "shared.sqlite"\n'
    )
    other = tmp_path / "elsewhere"
    other.mkdir()
    shutil.copyfile(folder / "book.xlsx", other / "test-copy.xlsx")
    done = sheetbill("run", str(other / "test-copy.xlsx"), "--dry-run", cwd=folder)
    assert done.returncode == 2, done.stdout + done.stderr
    err = done.stderr.strip()
    assert "\n" not in err and "Traceback" not in err
    assert "state = " in err and "--config" in err
    assert not (folder / "shared.sqlite").exists()
    own = sheetbill("run", "book.xlsx", "--dry-run", cwd=folder)
    assert own.returncode in (0, 1), own.stderr


def test_a_found_config_with_state_but_no_source_serves_no_workbook(tmp_path):
    """`state` without `source` would be shared by every workbook in the folder: b's
    rows were reported as billed on a's invoices. Refused for any workbook named."""
    folder = copy_cwd_case(tmp_path / "shop")
    (folder / "sheetbill.toml").write_text('state = "books.sqlite"\n')
    shutil.copyfile(folder / "book.xlsx", folder / "b.xlsx")
    for name in ("book.xlsx", "b.xlsx"):
        done = sheetbill("run", name, "--as-of", "2026-11-20", cwd=folder)
        assert done.returncode == 2, done.stdout + done.stderr
        assert "source = " in done.stderr and "Traceback" not in done.stderr
    assert not (folder / "books.sqlite").exists()
    (folder / "sheetbill.toml").write_text(
        'source = "book.xlsx"\nstate = "books.sqlite"\n'
    )
    done = sheetbill("run", "book.xlsx", "--as-of", "2026-11-20", cwd=folder)
    assert done.returncode in (0, 1), done.stderr
    assert (folder / "books.sqlite").exists()


def test_a_config_without_source_is_named_in_the_message(tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "sheetbill.toml").write_text("backups = 2\n")
    done = sheetbill("run", cwd=tmp_path)
    assert done.returncode == 2
    assert str(tmp_path / "config" / "sheetbill.toml") in done.stderr
    assert "set 'source'" in done.stderr


# --- init and file names -------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["shop.csv", "shop", "shop.xls", "shop.ods", "shop.xlsx.bak", "shop.pdf"]
)
def test_init_refuses_a_name_excel_would_not_open_and_writes_nothing(tmp_path, name):
    done = sheetbill("init", name, cwd=tmp_path)
    assert done.returncode == 2
    err = done.stderr.strip()
    assert ".xlsx" in err and "nothing was written" in err and "\n" not in err
    assert list(tmp_path.iterdir()) == []


# A name's ending, as people type them: anything but .xlsx/.xlsm in any case.
_SUFFIXES = st.text(
    st.characters(codec="ascii", categories=("L", "N")), min_size=0, max_size=6
).map(lambda s: f".{s}" if s else "")


@settings(max_examples=40, deadline=None)
@given(stem=st.from_regex(r"[A-Za-z0-9 _-]{1,12}", fullmatch=True), suffix=_SUFFIXES)
def test_init_makes_a_workbook_only_under_an_excel_name(stem, suffix):
    """Property: `init NAME` writes a workbook exactly when NAME ends in .xlsx or
    .xlsm (any case); otherwise exit 2 and the folder stays empty."""
    with tempfile.TemporaryDirectory() as folder:
        name = Path(folder) / f"{stem.strip() or 'x'}{suffix}"
        code = main(["init", str(name)])
        if suffix.lower() in (".xlsx", ".xlsm"):
            assert code == 0 and name.is_file()
        else:
            assert code == 2 and list(Path(folder).iterdir()) == []


def test_init_xlsm_makes_a_macro_enabled_workbook_that_sheetbill_reads(tmp_path):
    """Excel opens a .xlsm only when its workbook part is typed macro-enabled."""
    done = sheetbill("init", "shop.xlsm", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(tmp_path / "shop.xlsm") as archive:
        types = archive.read("[Content_Types].xml").decode()
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
    assert "spreadsheetml.sheet.main+xml" not in types
    assert sheetbill("check", "shop.xlsm", cwd=tmp_path).returncode in (0, 1)
    keys = [r["Key"] for r in calamine_records(tmp_path / "shop.xlsm", "Settings")]
    assert "Company Name" in keys


# --- README's "Using it" -------------------------------------------------------------


def using_it_commands(readme: str) -> list[str]:
    """The command lines of the first shell block under "## Using it", comments and
    continuation comments removed."""
    section = readme.split("\n## Using it\n", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert match, "README's Using it has no ```sh block"
    commands = []
    for line in match.group(1).splitlines():
        command = line.split(" #", 1)[0].strip()
        if command and not command.startswith("#"):
            commands.append(command)
    return commands


def test_readme_using_it_runs_as_written_after_the_setup_commands(tmp_path):
    """Each line of README's "Using it" block, run as written by a shell in the
    repository folder (a copy of it holding only its .venv and config/, so the
    repository gains no shop.xlsx), with a PATH that has no sheetbill on it: the
    README cannot drift from what works after `make demo` or `make test`."""
    commands = using_it_commands((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(commands) >= 5
    assert all(c.startswith(".venv/bin/sheetbill ") for c in commands), commands
    venv = ROOT / ".venv"
    assert (venv / "bin" / "sheetbill").is_file(), "run `make test` first"
    folder = tmp_path / "sheetbill"
    folder.mkdir()
    (folder / ".venv").symlink_to(venv)
    (folder / "config").symlink_to(ROOT / "config")
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "LANG": "C.UTF-8",
    }
    for command in commands:
        done = subprocess.run(
            ["/bin/sh", "-c", command],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        assert "Traceback" not in done.stderr, (command, done.stderr)
        expected = (0,) if " init " in command or " state " in command else (0, 1)
        assert done.returncode in expected, (command, done.stdout, done.stderr)
        assert done.stdout.strip(), command
    assert (folder / "shop.xlsx").is_file()
    assert (folder / "shop.sheetbill.sqlite").is_file()
    assert not (ROOT / "shop.xlsx").exists()
