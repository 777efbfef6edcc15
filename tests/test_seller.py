"""What every invoice says about the seller: no invoice (and no number drawn) without
the company's name and address, an error on their Settings row; no IBAN is a warning
naming what the invoice says instead (docs/decisions.md, "The seller on every
invoice")."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from readback import calamine_records

from sheetbill.cli import main
from sheetbill.config import Config
from sheetbill.domain.sheet import CellWrite, WorkbookChanges
from sheetbill.testing import MemoryWorkbook
from sheetbill.usecases.run import run_billing
from sheetbill.workbook.excel import ExcelWorkbook

from helpers import (
    SETTINGS_ROWS,
    TIME_HEADERS,
    small_book,
    time_row,
    write_xlsx,
)

D = Decimal
AS_OF = date(2026, 11, 3)
NAME = "Smith & Sons Builders Ltd"
ADDRESS = "12 Harbour Road, Cork T12 AB34, Ireland"
IBAN = "IE29 AIBK 9311 5212 3456 78"
SELLER = {"Company Name": NAME, "Company Street": ADDRESS, "IBAN": IBAN}
OTHER_SETTINGS = [r for r in SETTINGS_ROWS if r[0] not in SELLER]
WORK = [time_row(date(2026, 11, 2), "Ann", "C1", D(2))]


def settings_rows(**cells: str | None) -> list[list[Any]]:
    """The Settings rows: each seller key as `cells` says (absent: no row; None: an
    empty row; else its Value), then the other settings."""
    rows = [[key, cells[key]] for key in SELLER if key in cells]
    return [*rows, *OTHER_SETTINGS]


# Each seller setting: no row, an empty row, or filled in.
STATES = st.sampled_from(["no row", "empty", "filled"])


@settings(max_examples=60, deadline=None)
@given(name=STATES, address=STATES, iban=STATES)
def test_invoices_are_made_only_with_the_sellers_name_and_address(name, address, iban):
    """Whatever the Settings hold: an invoice is planned exactly when the name and the
    address are filled in; each missing one is an error on its row (or asks for the
    row); no IBAN is a warning, and the invoice is still made."""
    states = {"Company Name": name, "Company Street": address, "IBAN": iban}
    cells = {
        key: (SELLER[key] if state == "filled" else None)
        for key, state in states.items()
        if state != "no row"
    }
    rows = settings_rows(**cells)
    result = run_billing(
        MemoryWorkbook(small_book(time_rows=WORK, settings=rows)),
        Config(documents=False),
        state_path=Path("/nonexistent/state.sqlite"),  # a dry run without a state
        as_of=AS_OF,
        is_dry_run=True,
    )
    on_settings = {
        p.problem.split("'")[1]: p for p in result.problems if p.tab == "Settings"
    }
    needed = name == "filled" and address == "filled"
    assert len(result.invoices) == (1 if needed else 0)
    for key, state in states.items():
        problem = on_settings.get(key)
        if state == "filled":
            assert problem is None
            continue
        assert problem is not None, key
        expected_row = None if state == "no row" else rows.index([key, None]) + 2
        assert (problem.row, problem.column) == (expected_row, "Value")
        assert problem.severity.value == ("warning" if key == "IBAN" else "error")
        if state == "no row":
            assert "sheetbill init" in problem.fix
        else:
            assert problem.fix.startswith("Fill in its Value")
    if not needed:
        [waiting] = result.waiting
        assert waiting.reason.value == "held until the Settings are fixed"


def fill(book: Path, tab: str, rows: list[list[tuple[str, Any]]]) -> None:
    """A person types rows into a tab of a workbook `init` made."""
    workbook = ExcelWorkbook(book, backups=0)
    snapshot = workbook.read()
    table = snapshot.tables[tab]
    headers = list(table.headers)
    writes = tuple(
        CellWrite(number, headers.index(column), value)
        for number, row in enumerate(rows, start=table.last_row + 1)
        for column, value in row
    )
    workbook.apply(
        WorkbookChanges(writes={tab: writes}), expected_version=snapshot.version
    )


def set_setting(book: Path, key: str, value: Any) -> int:
    """A person types `value` beside `key` in Settings; its sheet row."""
    workbook = ExcelWorkbook(book, backups=0)
    snapshot = workbook.read()
    [row] = [r for r in snapshot.tables["Settings"].rows if r.get(0) == key]
    writes = (CellWrite(row.number, 1, value),)
    workbook.apply(
        WorkbookChanges(writes={"Settings": writes}), expected_version=snapshot.version
    )
    return row.number


def drawn(state: Path) -> list[tuple[str, int]]:
    if not state.exists():
        return []
    with sqlite3.connect(state) as db:
        return list(db.execute("SELECT series, last FROM counters"))


def pdf_text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def run_json(book: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, Any]:
    capsys.readouterr()
    code = main(["run", str(book), "--as-of", AS_OF.isoformat(), "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_a_started_workbook_without_company_name_issues_no_invoice_until_it_is_there(
    tmp_path, capsys
):
    """The trial: `init shop.xlsx`, everything typed but the Company Name. The run
    made a final invoice with a blank letterhead; now it draws no number, makes no
    PDF, and says so on the Company Name row. Filled in, the invoice prints it."""
    book = tmp_path / "shop.xlsx"
    assert main(["init", str(book)]) == 0
    set_setting(book, "Company Street", ADDRESS)
    set_setting(book, "IBAN", IBAN)
    set_setting(book, "Company Tax ID", "IE3456789QH")
    set_setting(book, "Default Tax Rate", D(23))
    fill(book, "Customers", [[("Customer ID", "C1"), ("Name", "Alpha Ltd")]])
    fill(book, "Rates", [[("Rate", D(100))]])
    fill(
        book,
        "Time Log",
        [
            [
                ("Date", date(2026, 11, 2)),
                ("Person", "Ann"),
                ("Customer ID", "C1"),
                ("Hours", D(2)),
                ("Billable", "yes"),
                ("Approved", "yes"),
            ]
        ],
    )
    code, result = run_json(book, capsys)
    assert code == 1 and result["invoices"] == []
    [problem] = result["exceptions"]
    assert (problem["tab"], problem["row"], problem["column"], problem["severity"]) == (
        "Settings",
        2,
        "Value",
        "error",
    )
    assert "'Company Name' is empty" in problem["problem"]
    assert "no invoice is made" in problem["fix"]
    assert result["waiting"][0]["reason"] == "held until the Settings are fixed"
    assert drawn(book.with_suffix(".sheetbill.sqlite")) == []
    assert not (tmp_path / "invoices").exists()
    assert [r["Tab"] for r in calamine_records(book, "Exceptions")] == ["Settings"]

    set_setting(book, "Company Name", NAME)
    code, result = run_json(book, capsys)
    assert (code, len(result["invoices"])) == (0, 1)
    text = pdf_text(tmp_path / "invoices" / "INV-2026-0001.pdf")
    assert NAME in text and "12 Harbour Road" in text and "IBAN" in text
    assert [r["Closed"] != "" for r in calamine_records(book, "Exceptions")] == [True]


@pytest.mark.parametrize("missing", ["Company Name", "Company Street"])
@pytest.mark.parametrize("has_row", [True, False])
def test_check_and_run_name_the_missing_seller_detail(
    tmp_path, capsys, missing, has_row
):
    rows = [
        *[[k, v] for k, v in SELLER.items() if k != missing],
        *([[missing, None]] if has_row else []),
        *OTHER_SETTINGS,
    ]
    book = write_xlsx(
        tmp_path / "shop.xlsx",
        {
            "Settings": [["Key", "Value"], *rows],
            "Customers": [["Customer ID", "Name", "Tax Rate"], ["C1", "Alpha", 19]],
            "Rates": [["Rate"], [100]],
            "Time Log": [TIME_HEADERS, *WORK],
        },
    )
    for command in ("check", "run"):
        capsys.readouterr()
        assert main([command, str(book), "--as-of", AS_OF.isoformat(), "--json"]) == 1
        result = json.loads(capsys.readouterr().out)
        [problem] = result["exceptions"]
        assert problem["severity"] == "error" and missing in problem["problem"]
        if has_row:
            assert problem["row"] == len(rows) + 1 - len(OTHER_SETTINGS)
            assert problem["fix"].startswith("Fill in its Value")
        else:
            assert problem["row"] is None
            assert f"Add a row with Key '{missing}'" in problem["fix"]
            assert "sheetbill init" in problem["fix"]
        assert result.get("invoices", []) == []
    assert drawn(book.with_suffix(".sheetbill.sqlite")) == []
    assert not (tmp_path / "invoices").exists()


@pytest.mark.parametrize("has_row", [True, False])
def test_without_an_iban_the_invoice_is_made_with_a_warning_saying_what_it_shows(
    tmp_path, capsys, has_row
):
    """The trial's second workbook: "Please pay €120.00 …" and no bank details, no
    word about it. Now a warning on the IBAN row says so; the invoice is made."""
    rows = [
        ["Company Name", NAME],
        ["Company Street", ADDRESS],
        *([["IBAN", None]] if has_row else []),
        *OTHER_SETTINGS,
    ]
    book = write_xlsx(
        tmp_path / "shop.xlsx",
        {
            "Settings": [["Key", "Value"], *rows],
            "Customers": [["Customer ID", "Name", "Tax Rate"], ["C1", "Alpha", 19]],
            "Rates": [["Rate"], [100]],
            "Time Log": [TIME_HEADERS, *WORK],
        },
    )
    code, result = run_json(book, capsys)
    [problem] = result["exceptions"]
    assert (code, len(result["invoices"])) == (1, 1)
    assert (problem["tab"], problem["row"], problem["severity"]) == (
        "Settings",
        4 if has_row else None,
        "warning",
    )
    assert "no bank details" in problem["problem"]
    assert "please pay" in problem["problem"]
    text = pdf_text(tmp_path / "invoices" / "INV-2026-0001.pdf")
    assert "Please pay" in text and "IBAN" not in text
    assert NAME in text and "12 Harbour Road" in text
