"""Reading written workbooks back with independent readers: calamine and LibreOffice."""

from __future__ import annotations

import csv
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import python_calamine

# Comma, double quotes, UTF-8, every sheet to its own file (the -1 at the end); the
# ninth token says whether cells are written as shown (their number format applied).
CSV_FILTER = (
    "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,{shown},false,false,-1"
)
SOFFICE_MISSING = "LibreOffice (soffice) is missing: run `make test`, which installs it"


def calamine_rows(path: Path, tab: str) -> list[list[object]]:
    """A tab's rows as calamine sees them (floats for numbers, '' for blanks)."""
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    return book.get_sheet_by_name(tab).to_python()


def calamine_records(path: Path, tab: str) -> list[dict[str, object]]:
    rows = calamine_rows(path, tab)
    headers = [str(h) for h in rows[0]]
    return [dict(zip(headers, row, strict=False)) for row in rows[1:]]


def log_and_journal(book: Path, state: Path) -> list[tuple[list[tuple], list[tuple]]]:
    """For each run the Log tab shows: its Log rows (Action, Invoice, Detail) and
    the Log lines of what that run recorded in the state's journal, both sorted."""
    from sheetbill.domain.journal import log_line
    from sheetbill.state import StateDB

    logged: dict[str, list[tuple]] = {}
    for row in calamine_records(book, "Log"):
        line = (row["Action"], row["Invoice"], row["Detail"])
        logged.setdefault(str(row["Run ID"]), []).append(line)
    with StateDB(state) as db:
        recorded = {
            run: [
                tuple(line)
                for e in db.entries(run_id=run)
                if (line := log_line(e.intent)) is not None
            ]
            for run in logged
        }
    return [(sorted(logged[run]), sorted(recorded[run])) for run in logged]


def zip_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def libreoffice_csv(
    paths: list[Path], out_dir: Path, *, as_shown: bool = False
) -> dict[Path, dict[str, list[list[str]]]]:
    """Every sheet of every workbook as CSV rows, converted by LibreOffice headless;
    `as_shown`: each cell as LibreOffice shows it (its number format applied).

    LibreOffice names each sheet's file `<stem>-<sheet>.csv` when asked for all sheets.
    """
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, SOFFICE_MISSING
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                CSV_FILTER.format(shown=str(as_shown).lower()),
                "--outdir",
                str(out_dir),
                *map(str, paths),
            ],
            check=True,
            capture_output=True,
            timeout=240,
        )
    result: dict[Path, dict[str, list[list[str]]]] = {}
    for path in paths:
        sheets = {}
        for csv_file in out_dir.glob(f"{path.stem}-*.csv"):
            sheet = csv_file.stem[len(path.stem) + 1 :]
            with csv_file.open(encoding="utf-8", newline="") as handle:
                sheets[sheet] = list(csv.reader(handle))
        result[path] = sheets
    return result
