"""Hostile and broken files end quickly, in bounded memory, with one plain line.

Each file is read in a child process, so a hang or a memory blow-up is caught rather
than taking the test run down with it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from xlsx_testing import (
    HOSTILE,
    new_book,
)

from sheetbill.errors import WorkbookError
from sheetbill.workbook.excel import ExcelWorkbook

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(HOSTILE.glob("*.xlsx"))
LIMIT_SECONDS = 10
LIMIT_MB = 500
# Words the message must contain for each file: the reason, in plain words.
FUZZ = "clusterfuzz-testcase-minimized-"
REASONS = {
    "MalformedSSTCount.xlsx": "shared-strings table",
    f"{FUZZ}POIXSSFFuzzer-4828727001088000.xlsx": "zip is damaged",
    f"{FUZZ}XLSX2CSVFuzzer-5636439151607808.xlsx": "zip is damaged",
    "crash-274d6342e4842d61be0fb48eaadad6208ae767ae.xlsx": "zip is damaged",
    "poc-shared-strings.xlsx": "longer than Excel allows",
    "poc-xmlbomb-empty.xlsx": "DOCTYPE",
    "poc-xmlbomb.xlsx": "DOCTYPE",
    "protected_passtika.xlsx": "password-protected",
    "xlsx-corrupted.xlsx": "not XML",
    "xxe_in_schema.xlsx": "XML map",
}
CHILD = """
import json, sys
from pathlib import Path
from sheetbill.errors import SheetbillError
from sheetbill.workbook.excel import ExcelWorkbook
result = {"error": None}
try:
    ExcelWorkbook(Path(sys.argv[1])).read()
except SheetbillError as exc:
    result = {"error": type(exc).__name__, "text": str(exc), "code": exc.exit_code}
# VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child of a big test
# process would report its parent's peak instead of its own.
status = Path("/proc/self/status").read_text()
peak_kb = next(int(x.split()[1]) for x in status.splitlines() if x.startswith("VmHWM:"))
result["rss_mb"] = peak_kb / 1024
print(json.dumps(result))
"""


def test_excel_hostile_corpus_is_all_named() -> None:
    """Every hostile file has an expected reason (a new file needs one too)."""
    assert {p.name for p in FILES} == set(REASONS)


@pytest.mark.parametrize("source", FILES, ids=lambda p: p.name)
def test_excel_read_refuses_hostile_file(source: Path, tmp_path: Path) -> None:
    """One line naming the file and the reason, exit code 2, within 10 s and 500 MB,
    and nothing written beside the file."""
    path = tmp_path / source.name
    shutil.copyfile(source, path)
    completed = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        capture_output=True,
        timeout=LIMIT_SECONDS,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert completed.returncode == 0, completed.stderr.decode(errors="replace")
    assert completed.stderr == b""
    result = json.loads(completed.stdout)
    assert result["error"] == "WorkbookError"
    assert result["code"] == 2
    text = result["text"]
    assert "\n" not in text
    assert text.startswith(f"{path}: ")
    assert REASONS[source.name] in text
    assert result["rss_mb"] < LIMIT_MB
    assert sorted(p.name for p in tmp_path.iterdir()) == [source.name]


def _zip(
    path: Path, parts: dict[str, bytes], *, method: int = zipfile.ZIP_DEFLATED
) -> Path:
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def _read_error(path: Path) -> str:
    with pytest.raises(WorkbookError) as caught:
        ExcelWorkbook(path).read()
    assert caught.value.path == path
    assert "\n" not in str(caught.value)
    return caught.value.message


def test_excel_read_refuses_zip_bomb(tmp_path: Path) -> None:
    """A part that unpacks far beyond its packed size is refused before parsing."""
    bomb = _zip(
        tmp_path / "bomb.xlsx",
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/worksheets/sheet1.xml": b" " * 50_000_000,
        },
    )
    assert "zip bomb" in _read_error(bomb)


def test_excel_read_refuses_far_away_cell(tmp_path: Path) -> None:
    """A stray cell far from the data would make calamine allocate rows x columns
    cells; the tab is refused by name before calamine runs."""
    book_path = new_book(tmp_path)
    with zipfile.ZipFile(book_path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = next(name for name in parts if "worksheets/" in name)
    parts[sheet] = parts[sheet].replace(
        b"</sheetData>",
        b'<row r="1000000"><c r="XFD1000000"><v>1</v></c></row></sheetData>',
    )
    far = _zip(tmp_path / "far.xlsx", parts)
    message = _read_error(far)
    assert "'People'" in message
    assert "stray cells" in message


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("notes.xlsx", b"name,amount\nA,1\n", "text or CSV"),
        ("empty.xlsx", b"", "empty"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "Excel 97-2003"),
    ],
)
def test_excel_read_refuses_what_is_not_xlsx(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert reason in _read_error(path)


def test_excel_read_names_missing_file_and_folder(tmp_path: Path) -> None:
    assert "no such file" in _read_error(tmp_path / "missing.xlsx")
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    assert "folder" in _read_error(folder)


def test_excel_read_refuses_doctype_in_utf16_part(tmp_path: Path) -> None:
    """A DOCTYPE hidden by a UTF-16 encoding is still found."""
    book_path = new_book(tmp_path)
    with zipfile.ZipFile(book_path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["docProps/custom.xml"] = (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]><x/>'
    ).encode("utf-16")
    assert "DOCTYPE" in _read_error(_zip(tmp_path / "wide.xlsx", parts))
