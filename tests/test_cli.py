"""The CLI as a user runs it: exit codes, output, then workbook and state re-read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from paths import ROOT, SHARED
from readback import calamine_records, calamine_rows, zip_parts

from sheetbill.cli import main
from sheetbill.schema import ALL_TABS, CUSTOMERS

AS_OF = "2026-11-02"


def run_cli(*args: str) -> int:
    return main(list(args))


def state_of(book: Path) -> Path:
    return book.with_name(book.stem + ".sheetbill.sqlite")


def test_run_on_the_demo_creates_invoices_marks_rows_and_lists_exceptions(
    demo_book, capsys
):
    code = run_cli("run", str(demo_book), "--as-of", AS_OF)
    out = capsys.readouterr().out
    assert code == 1, out  # done, with the demo's deliberate exceptions
    invoices = calamine_records(demo_book, "Invoices")
    assert len(invoices) >= 8
    assert {r["Currency"] for r in invoices} == {"EUR", "USD", "JPY"}
    assert all(str(r["Invoice No"]).startswith("INV-2026-") for r in invoices)
    assert "INV-2026-0001" in out
    lines = calamine_records(demo_book, "Invoice Lines")
    for invoice in invoices:
        own = [li for li in lines if li["Invoice No"] == invoice["Invoice No"]]
        assert own
        assert round(sum(li["Net"] for li in own), 3) == invoice["Net"]
        assert round(sum(li["Total"] for li in own), 3) == invoice["Total"]
    time_log = calamine_records(demo_book, "Time Log")
    billed = [r for r in time_log if r["Invoice No"]]
    assert len(billed) > 400
    assert len({r["Row ID"] for r in billed}) == len(billed)
    exceptions = calamine_records(demo_book, "Exceptions")
    problems = " ".join(str(r["Problem"]) for r in exceptions)
    for words in (
        "No customer has the ID C099",
        "more than 0",
        "not a date",
        "equally specific",
        "billed in USD",
        "inactive",
        "Person is empty",
    ):
        assert words in problems
    assert all(r["Tab"] and r["Fix"] for r in exceptions)


def test_second_run_right_after_the_first_changes_nothing(demo_book, capsys):
    run_cli("run", str(demo_book), "--as-of", AS_OF)
    before = demo_book.read_bytes()
    state_before = state_of(demo_book).read_bytes()
    code = run_cli("run", str(demo_book), "--as-of", AS_OF)
    assert code == 1
    assert "Nothing to write" in capsys.readouterr().out
    assert demo_book.read_bytes() == before
    assert state_of(demo_book).read_bytes() == state_before


def test_dry_run_prints_the_plan_and_changes_nothing(demo_book, capsys):
    before = demo_book.read_bytes()
    listing = sorted(p.name for p in demo_book.parent.iterdir())
    code = run_cli("run", str(demo_book), "--as-of", AS_OF, "--dry-run")
    out = capsys.readouterr().out
    assert code == 1
    assert "would create" in out and "INV-2026-0001" in out and "Would write" in out
    assert demo_book.read_bytes() == before
    assert sorted(p.name for p in demo_book.parent.iterdir()) == listing


def test_dry_run_after_a_run_leaves_the_state_database_as_it_was(demo_book, capsys):
    run_cli("run", str(demo_book), "--as-of", AS_OF)
    state = state_of(demo_book)
    before = (demo_book.read_bytes(), state.read_bytes())
    run_cli("run", str(demo_book), "--as-of", "2026-12-01", "--dry-run")
    assert (demo_book.read_bytes(), state.read_bytes()) == before


def test_run_json_is_data(demo_book, capsys):
    code = run_cli("run", str(demo_book), "--as-of", AS_OF, "--dry-run", "--json")
    data = json.loads(capsys.readouterr().out)
    assert code == data["exit_code"] == 1
    assert data["dry_run"] is True
    assert data["invoices"][0]["number"] == "INV-2026-0001"
    assert data["changes"]["cells"]["Time Log"][0]["cell"]
    assert {"tab", "row", "column", "value", "problem", "fix"} <= set(
        data["exceptions"][0]
    )


def test_check_lists_problems_and_writes_nothing(demo_book, capsys):
    before = demo_book.read_bytes()
    code = run_cli("check", str(demo_book), "--as-of", AS_OF, "--json")
    data = json.loads(capsys.readouterr().out)
    assert code == 1 and data["exceptions"]
    assert data["counts"]["customers"] >= 8
    assert demo_book.read_bytes() == before
    assert not state_of(demo_book).exists()


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
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


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


def test_formula_looking_text_is_written_as_text(tmp_path, capsys):
    book = tmp_path / "shop.xlsx"
    assert run_cli("init", str(book)) == 0
    from sheetbill.workbook.base import CellWrite, WorkbookChanges
    from sheetbill.workbook.excel import ExcelWorkbook

    workbook = ExcelWorkbook(book, backups=0)
    hostile = '=HYPERLINK("http://evil.example","x")'
    rows = {
        "Customers": (
            CellWrite(2, 0, "C1"),
            CellWrite(2, 1, hostile),
            CellWrite(2, 3, "+1 555"),
            CellWrite(2, 6, "EUR"),
        ),
        "Rates": (CellWrite(2, 4, 100),),
        "Time Log": (
            CellWrite(2, 0, date(2026, 10, 1)),
            CellWrite(2, 1, "@Ann"),
            CellWrite(2, 2, "C1"),
            CellWrite(2, 5, 2),
            CellWrite(2, 9, "yes"),
            CellWrite(2, 10, "yes"),
        ),
    }
    from decimal import Decimal

    rows = {
        tab: tuple(
            c
            if not isinstance(c.value, int)
            else CellWrite(c.row, c.column, Decimal(c.value))
            for c in cells
        )
        for tab, cells in rows.items()
    }
    workbook.apply(
        WorkbookChanges(writes=rows), expected_version=workbook.read().version
    )
    assert run_cli("run", str(book), "--as-of", AS_OF) == 1  # company name missing
    invoices = calamine_records(book, "Invoices")
    assert invoices[0]["Customer"] == hostile
    for name, part in zip_parts(book).items():
        if name.startswith("xl/worksheets/"):
            assert b"<f>" not in part and b"<f " not in part, name


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


def test_run_changes_no_human_owned_cell_of_input_tabs(demo_book, capsys):
    from sheetbill.schema import INPUT_TABS, Owner

    before = {s.name: calamine_rows(demo_book, s.name) for s in INPUT_TABS}
    run_cli("run", str(demo_book), "--as-of", AS_OF)
    for schema in INPUT_TABS:
        after = calamine_rows(demo_book, schema.name)
        owned = {
            i
            for i, h in enumerate(after[0])
            if h in {c.name for c in schema.columns if c.owner is Owner.SHEETBILL}
        }
        assert len(after) == len(before[schema.name])
        for old, new in zip(before[schema.name], after, strict=True):
            assert [v for i, v in enumerate(old) if i not in owned] == [
                v for i, v in enumerate(new) if i not in owned
            ]


def test_a_person_saving_during_the_run_is_not_overwritten(
    demo_book, capsys, monkeypatch
):
    """The file changed after it was read: sheetbill reads again and plans again."""
    from sheetbill.workbook.base import CellWrite, WorkbookChanges
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
