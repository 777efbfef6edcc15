"""`sheetbill check` as a user runs it on copies of the workbooks whose messages
pointed at the wrong cause (../shared/cases): each message now names the cell, the
real cause and a fix that works."""

from __future__ import annotations

import json
import shutil

import pytest
from paths import SHARED

from sheetbill.cli import main

CASES = SHARED / "cases"


def check(tmp_path, capsys, case: str, name: str) -> tuple[int, list[dict]]:
    book = tmp_path / name
    shutil.copyfile(CASES / case / name, book)
    code = main(["check", str(book), "--json", "--as-of", "2026-11-03"])
    return code, json.loads(capsys.readouterr().out)["exceptions"]


def where(problem: dict) -> tuple:
    return problem["tab"], problem["row"], problem["column"], problem["value"]


@pytest.mark.parametrize(
    ("case", "name", "cell", "words", "fix_words"),
    [
        (
            "messages",
            "no-rate.xlsx",
            ("Time Log", 2, "Activity", "Photography"),
            [
                "customer HCR, no project, person Orla, activity Photography",
                "Rates row 2 (85 per hour), but it is for Activity 'Design'",
            ],
            ["Add a Rates row with Activity 'Photography'"],
        ),
        (
            "messages",
            "company-name-empty.xlsx",
            ("Settings", 2, "Value", ""),
            ["'Company Name' is empty"],
            ["Fill in its Value"],
        ),
        (
            "messages",
            "formula-without-result.xlsx",
            ("Time Log", 2, "Hours", "=F2-E2"),
            ["Hours holds the formula =F2-E2 but no result"],
            ["open the workbook in Excel or LibreOffice and save it"],
        ),
        (
            "ambiguous-dates",
            "dates.xlsx",
            ("Time Log", 2, "Date", "3/11/2026"),
            ["read as 11 March 2026 (month first, Locale en_US)"],
            ["2026-11-03"],
        ),
    ],
)
def test_check_names_the_cell_the_cause_and_the_fix(
    tmp_path, capsys, case, name, cell, words, fix_words
):
    code, problems = check(tmp_path, capsys, case, name)
    # Only the problem at this cell (a run may add notes about other rows).
    (problem,) = [p for p in problems if where(p) == cell]
    assert code == 1
    for text in words:
        assert text in problem["problem"]
    for text in fix_words:
        assert text.casefold() in problem["fix"].casefold()


def test_check_reports_each_error_cell_as_that_error(tmp_path, capsys):
    """14_error_cells.xlsx: `#DIV/0!` in Quantity was once "Quantity is 0"."""
    code, problems = check(tmp_path, capsys, "error-cells", "14_error_cells.xlsx")
    assert code == 1
    found = {where(p): p["problem"] for p in problems}
    for cell in [
        ("Time Log", 2, "Hours", "#N/A"),
        ("Time Log", 3, "Hours", "#VALUE!"),
        ("Orders", 2, "Unit Price", "#N/A"),
        ("Orders", 3, "Tax Rate", "#REF!"),
        ("Orders", 4, "Quantity", "#DIV/0!"),
    ]:
        assert found[cell].startswith(f"{cell[2]} holds the error {cell[3]}:")
    assert len(found) == 5
