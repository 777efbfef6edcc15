"""The CLI as a user runs it: exit codes, messages, locks, hostile files, init.

The billing cycle itself, on Excel and Google alike, is in test_end_to_end.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from paths import ROOT, SHARED
from readback import calamine_records, calamine_rows, zip_parts

from sheetbill.cli import main
from sheetbill.domain.schema import ALL_TABS, CUSTOMERS

AS_OF = "2026-11-02"


def run_cli(*args: str) -> int:
    return main(list(args))


def state_of(book: Path) -> Path:
    return book.with_name(book.stem + ".sheetbill.sqlite")


def test_run_refuses_while_excel_holds_the_file_and_names_who(demo_book, capsys):
    owner = demo_book.with_name("~$" + demo_book.name)
    name = b"Maria Lopez"
    owner.write_bytes(bytes([len(name)]) + name + b" " * (54 - 1 - len(name)))
    before = demo_book.read_bytes()
    code = run_cli("run", str(demo_book), "--as-of", AS_OF)
    err = capsys.readouterr().err
    assert code == 3
    assert "Maria Lopez" in err and "\n" not in err.strip()
    assert demo_book.read_bytes() == before
    assert owner.exists()


def test_run_refuses_while_libreoffice_holds_the_file(demo_book, capsys):
    lock = demo_book.with_name(f".~lock.{demo_book.name}#")
    lock.write_text("Carl Meyer,carl,laptop,25.11.2026 10:00,file:///x;\n")
    assert run_cli("run", str(demo_book), "--as-of", AS_OF) == 3
    assert "Carl Meyer" in capsys.readouterr().err


def test_two_runs_at_once_the_second_exits_with_a_clear_message(demo_book, capsys):
    from sheetbill.state import StateDB

    (demo_book.parent / "sheetbill.toml").write_text("lock_timeout = 0.2\n")
    with StateDB(state_of(demo_book)):
        code = run_cli("run", str(demo_book), "--as-of", AS_OF)
    assert code == 3
    assert "another sheetbill run" in capsys.readouterr().err


@pytest.mark.parametrize(
    "name", ["xlsx-corrupted.xlsx", "poc-xmlbomb.xlsx", "protected_passtika.xlsx"]
)
def test_unreadable_files_end_in_one_line_and_exit_2_writing_nothing(
    tmp_path, capsys, name
):
    book = tmp_path / name
    book.write_bytes((SHARED / "xlsx-corpus" / "hostile" / name).read_bytes())
    code = run_cli("run", str(book))
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert name in err and len(err.splitlines()) == 1 and "Traceback" not in err
    # Only the run lock's empty file is left: taken before reading (so a run plans
    # only from what the run before it wrote), never deleted (another run may wait
    # on it).
    lock = f"{Path(name).stem}.sheetbill.sqlite.lock"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, lock])
    assert (tmp_path / lock).stat().st_size == 0


def test_missing_workbook_and_wrong_format_are_usage_errors(tmp_path, capsys):
    assert run_cli("run", str(tmp_path / "nope.xlsx")) == 2
    (tmp_path / "book.csv").write_text("a,b\n")
    assert run_cli("run", str(tmp_path / "book.csv")) == 2
    err = capsys.readouterr().err
    assert "nope.xlsx" in err and ".xlsx and .xlsm" in err


def test_config_beside_the_workbook_names_the_source(demo_book, capsys, monkeypatch):
    (demo_book.parent / "sheetbill.toml").write_text(
        f'source = "{demo_book.name}"\nbackups = 2\n'
    )
    monkeypatch.chdir(demo_book.parent)
    assert run_cli("check", "--as-of", AS_OF, "--config", "sheetbill.toml") == 1
    (demo_book.parent / "bad.toml").write_text("backups = -1\n")
    assert run_cli("check", str(demo_book), "--config", "bad.toml") == 2
    assert "'backups'" in capsys.readouterr().err


def test_help_exists_for_every_command(capsys):
    for command in ([], ["init"], ["check"], ["run"]):
        with pytest.raises(SystemExit) as exit_:
            main([*command, "--help"])
        assert exit_.value.code == 0
    assert "--dry-run" in capsys.readouterr().out


def test_usage_mistakes_exit_2(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["run", "--as-of", "yesterday"])
    assert exit_.value.code == 2


def test_run_py_and_python_m_and_the_console_script_are_one_entry_point(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    outputs = []
    for command in (
        [sys.executable, str(ROOT / "run.py"), "--version"],
        [sys.executable, "-m", "sheetbill", "--version"],
        [str(Path(sys.executable).with_name("sheetbill")), "--version"],
    ):
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            check=False,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout.strip())
    assert len(set(outputs)) == 1 and outputs[0].startswith("sheetbill ")


def test_init_creates_a_workbook_with_every_tab_headers_and_dropdowns(tmp_path, capsys):
    book = tmp_path / "new.xlsx"
    assert run_cli("init", str(book)) == 0
    for schema in ALL_TABS:
        headers = calamine_rows(book, schema.name)[0]
        assert headers == [c.name for c in schema.columns]
    settings = calamine_records(book, "Settings")
    assert {"Company Name", "Number Pattern", "Locale"} <= {r["Key"] for r in settings}
    parts = zip_parts(book)
    sheets = b"".join(v for k, v in parts.items() if k.startswith("xl/worksheets/"))
    assert b"<dataValidation " in sheets and b'state="frozen"' in sheets
    assert b"<col " in sheets
    assert run_cli("init", str(book)) == 0
    assert "already has every" in capsys.readouterr().out


def test_init_on_an_existing_workbook_adds_only_missing_tabs_and_columns(
    tmp_path, capsys
):
    import openpyxl

    book = tmp_path / "mine.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Customers"
    ws.append(["Customer ID", "Name", "My Own Column"])
    ws.append(["C1", "Alpha", "keep"])
    ws["C2"].font = openpyxl.styles.Font(bold=True)
    wb.create_sheet("Notes").append(["anything"])
    wb.save(book)
    before = zip_parts(book)
    assert run_cli("init", str(book), "--json") == 0
    result = json.loads(capsys.readouterr().out)
    assert (
        "Customers" not in result["tabs_added"] and "Time Log" in result["tabs_added"]
    )
    assert ["Customers", "Email"] in result["columns_added"]
    rows = calamine_rows(book, "Customers")
    assert rows[0][:3] == ["Customer ID", "Name", "My Own Column"]
    assert rows[0][3] == "Email" and rows[1][:3] == ["C1", "Alpha", "keep"]
    assert calamine_rows(book, "Notes") == [["anything"]]
    after = zip_parts(book)
    notes_part = "xl/worksheets/sheet2.xml"
    assert after[notes_part] == before[notes_part]


def test_a_person_saving_during_the_run_is_not_overwritten(
    demo_book, capsys, monkeypatch
):
    """The file changed after it was read: sheetbill reads again and plans again."""
    from sheetbill.domain.sheet import CellWrite, WorkbookChanges
    from sheetbill.workbook.excel import ExcelWorkbook

    original = ExcelWorkbook.apply
    calls = []

    def apply_after_someone_saved(self, changes, *, expected_version):
        if not calls:
            calls.append(1)
            person = ExcelWorkbook(self.path, backups=0)
            notes = [c.name for c in CUSTOMERS.columns].index("Notes")
            edit = WorkbookChanges(
                writes={"Customers": (CellWrite(2, notes, "saved by Maria"),)}
            )
            original(person, edit, expected_version=person.read().version)
        return original(self, changes, expected_version=expected_version)

    monkeypatch.setattr(ExcelWorkbook, "apply", apply_after_someone_saved)
    assert run_cli("run", str(demo_book), "--as-of", AS_OF) == 1
    assert calamine_records(demo_book, "Customers")[0]["Notes"] == "saved by Maria"
    invoices = calamine_records(demo_book, "Invoices")
    assert [r["Invoice No"] for r in invoices][:2] == ["INV-2026-0001", "INV-2026-0002"]
    assert len({r["Invoice No"] for r in invoices}) == len(invoices)


def test_progress_shows_on_a_terminal_and_stays_quiet_without_one(demo_book):
    import pty

    command = [
        sys.executable,
        "-m",
        "sheetbill",
        "run",
        str(demo_book),
        "--as-of",
        AS_OF,
        "--dry-run",
    ]
    quiet = subprocess.run(
        command, capture_output=True, text=True, check=False, timeout=120
    )
    assert quiet.returncode == 1 and quiet.stderr == ""
    leader, follower = pty.openpty()
    done = subprocess.run(
        command, stdout=subprocess.DEVNULL, stderr=follower, check=False, timeout=120
    )
    os.close(follower)
    seen = b""
    try:
        while chunk := os.read(leader, 65536):
            seen += chunk
    except OSError:
        pass
    os.close(leader)
    assert done.returncode == 1
    assert (
        b"Starting" in seen
    )  # the progress line (steps change faster than it redraws)


def test_a_dry_run_does_not_load_weasyprint(demo_book):
    """Rendering is the only use of WeasyPrint; a dry run plans PDF links only."""
    script = (
        "import sys\n"
        "from sheetbill.cli import main\n"
        f"code = main(['run', {str(demo_book)!r}, '--as-of', '{AS_OF}', '--dry-run'])\n"
        "print(code, 'weasyprint' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.stdout.split()[-2:] == ["1", "False"], done.stderr


def test_run_summary_says_up_to_date_only_when_nothing_was_written(demo_book, capsys):
    assert run_cli("run", str(demo_book), "--as-of", AS_OF, "--dry-run") == 1
    dry = capsys.readouterr().out
    assert "nothing was changed (dry run)" in dry and "up to date" not in dry
    assert run_cli("run", str(demo_book), "--as-of", AS_OF) == 1
    first = capsys.readouterr().out
    # 11 of the months' time and orders, 13 of the plans' periods caught up.
    assert "Wrote " in first and "Made 24 PDFs" in first
    assert "up to date" not in first
    assert run_cli("run", str(demo_book), "--as-of", AS_OF) == 1
    assert "Nothing to write: the workbook is up to date." in capsys.readouterr().out
