"""The Exceptions tab's Problem and Fix are read whole: their text wraps at the
column's width, in the tab `init` makes and in every row a run writes, and rows are
tall enough for it (LibreOffice does not fit heights itself when it opens a file).
A person's own formatting elsewhere is left alone."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from datetime import date
from decimal import Decimal

import openpyxl
from openpyxl.styles import Font, PatternFill
from readback import SOFFICE_MISSING

from sheetbill.cli import main
from sheetbill.domain.schema import EXCEPTIONS
from sheetbill.domain.sheet import CellWrite, WorkbookChanges

from helpers import (
    CUSTOMER_HEADERS,
    ORDER_HEADERS,
    RATE_HEADERS,
    SETTINGS_ROWS,
    TIME_HEADERS,
    time_row,
    write_xlsx,
)

D = Decimal
HEADERS = [c.name for c in EXCEPTIONS.columns]
PROBLEM, FIX, VALUE = (HEADERS.index(n) + 1 for n in ("Problem", "Fix", "Value"))


def _shop(path, *, exceptions=None):
    sheets = {
        # An Owner on every row: text running past Fix would be hidden by it.
        "Settings": [
            ["Key", "Value"],
            *SETTINGS_ROWS,
            ["Billing Owner", "billing@shop.example"],
        ],
        "Customers": [CUSTOMER_HEADERS, ["C1", "Alpha", "a@alpha.example", "EUR"]],
        "Rates": [RATE_HEADERS, [None, None, None, None, D(100), "hour", None]],
        "Time Log": [
            TIME_HEADERS,
            time_row(date(2026, 11, 3), "Ann", "C1", "lots"),
            time_row(date(2026, 11, 3), "Ann", "C9", D(2)),
            # 8:30 as a fraction of a day: a long Problem, cut at Fix unless wrapped.
            time_row(date(2026, 11, 3), "Ann", "C1", D("0.3541666667")),
        ],
        "Orders": [ORDER_HEADERS],
    }
    if exceptions is not None:
        sheets["Exceptions"] = exceptions
    return write_xlsx(path, sheets)


def test_init_makes_problem_and_fix_wrap(tmp_path, capsys):
    book = tmp_path / "new.xlsx"
    assert main(["init", str(book)]) == 0
    sheet = openpyxl.load_workbook(book)["Exceptions"]
    letters = {openpyxl.utils.get_column_letter(c): c for c in (PROBLEM, FIX, VALUE)}
    wraps = {
        HEADERS[c - 1]: bool(sheet.column_dimensions[letter].alignment.wrap_text)
        for letter, c in letters.items()
    }
    assert wraps == {"Problem": True, "Fix": True, "Value": False}


def test_run_wraps_problem_and_fix_of_its_rows_and_leaves_a_persons_styles(
    tmp_path, capsys
):
    """An Exceptions tab a person made: the rows sheetbill adds wrap Problem and Fix
    and are tall enough for them; the person's own row keeps its look."""
    book = _shop(
        tmp_path / "shop.xlsx",
        exceptions=[HEADERS, ["note", None, None, None, None, "mine", "my problem"]],
    )
    wb = openpyxl.load_workbook(book)
    mine = wb["Exceptions"]
    mine.cell(2, PROBLEM).font = Font(bold=True)
    mine.cell(2, VALUE).fill = PatternFill("solid", fgColor="FFFF00")
    wb.save(book)
    assert main(["run", str(book), "--as-of", "2026-11-05"]) == 1
    capsys.readouterr()
    sheet = openpyxl.load_workbook(book)["Exceptions"]
    rows = list(sheet.iter_rows(min_row=3))
    assert len(rows) == 3
    for row in rows:
        assert row[PROBLEM - 1].alignment.wrap_text
        assert row[FIX - 1].alignment.wrap_text
        assert not row[VALUE - 1].alignment.wrap_text
    # "Type the hours as a number such as 1.5, or as h:mm such as 1:30 (...)" is
    # two lines and more in a column 48 characters wide.
    heights = [sheet.row_dimensions[r[0].row].height for r in rows]
    assert all(h is not None and h >= 30 for h in heights), heights
    assert sheet.cell(2, PROBLEM).font.bold
    assert not sheet.cell(2, PROBLEM).alignment.wrap_text
    assert sheet.cell(2, VALUE).fill.fgColor.rgb.endswith("FFFF00")


def test_libreoffice_shows_problem_and_fix_whole(tmp_path, capsys):
    """Printed by LibreOffice (as it shows the tab), every word of each Problem and
    Fix is there, in order: nothing is cut at the column's edge."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, SOFFICE_MISSING
    book = _shop(tmp_path / "shop.xlsx")
    main(["run", str(book), "--as-of", "2026-11-05", "--json"])
    capsys.readouterr()
    sheet = openpyxl.load_workbook(book)["Exceptions"]
    texts = [
        str(row[c - 1].value)
        for row in sheet.iter_rows(min_row=2)
        for c in (PROBLEM, FIX)
    ]
    # A Problem and a Fix wider than their column (48 characters).
    assert max(map(len, texts[0::2])) > 48 and max(map(len, texts[1::2])) > 48
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(tmp_path),
                str(book),
            ],
            check=True,
            capture_output=True,
            timeout=240,
        )
    printed = subprocess.run(
        ["pdftotext", str(tmp_path / "shop.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    flat = " ".join(printed.split())
    for text in texts:
        assert " ".join(text.split()) in flat, text


def test_google_sheet_wraps_problem_and_fix(google_book):
    book = google_book({"Sheet1": []})
    snapshot = book.workbook.read()
    book.workbook.apply(
        WorkbookChanges(
            new_tabs=(EXCEPTIONS.spec(),),
            writes={"Exceptions": (CellWrite(2, PROBLEM - 1, "A long problem"),)},
        ),
        expected_version=snapshot.version,
    )
    sheet = book.server.book(book.spreadsheet_id).sheet("Exceptions")
    assert sheet.cells[(1, PROBLEM - 1)].fmt.get("wrapStrategy") == "WRAP"
    assert sheet.cells[(5, FIX - 1)].fmt.get("wrapStrategy") == "WRAP"
    value = sheet.cells.get((1, VALUE - 1))
    assert value is None or "wrapStrategy" not in value.fmt
