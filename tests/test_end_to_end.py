"""A billing cycle end to end, on an Excel file and on a Google Sheet alike.

Each test runs the CLI as a user does, then reads the workbook back through a second
reader (calamine for the file, the Sheets API server's own store for the sheet).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from paths import DEMO
from readback import calamine_rows, zip_parts

from sheetbill.cli import main
from sheetbill.domain.schema import INPUT_TABS, Owner

AS_OF = "2026-11-02"


@dataclass
class Book:
    """A workbook of either kind, with what the tests need to drive and inspect it."""

    kind: str
    source: str
    config: Path
    state: Path
    rows: Callable[[str], list[list[Any]]]
    # Everything a person could see of the workbook; equal means nothing changed.
    seen: Callable[[], object]
    edit: Callable[[str, int, int, Any], None]

    def run(self, *args: str) -> int:
        return main([*args, "--config", str(self.config)])

    def records(self, tab: str) -> list[dict[str, Any]]:
        rows = self.rows(tab)
        width = len(rows[0])
        # The Sheets API leaves out trailing blank cells of a row; pad them back.
        return [
            dict(zip(rows[0], [*row, *[None] * width], strict=False))
            for row in rows[1:]
        ]


def _plain(value: Any) -> Any:
    """One form for both readers: numbers as float, blanks as None."""
    if value == "" or value is None:
        return None
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return float(value)
    return value


def _demo_tabs() -> dict[str, list[list[Any]]]:
    tabs = {}
    for tab in (s.name for s in INPUT_TABS):
        rows = calamine_rows(DEMO, tab)
        tabs[tab] = [
            [
                Decimal(repr(v)) if isinstance(v, float) else (None if v == "" else v)
                for v in row
            ]
            for row in rows
        ]
    return tabs


def excel_book(tmp_path: Path) -> Book:
    path = tmp_path / "books" / "northwind.xlsx"
    path.parent.mkdir()
    shutil.copyfile(DEMO, path)
    config = path.parent / "sheetbill.toml"
    config.write_text(f'source = "{path.name}"\n')

    def rows(tab: str) -> list[list[Any]]:
        return [[_plain(v) for v in row] for row in calamine_rows(path, tab)]

    def edit(tab: str, row: int, column: int, value: Any) -> None:
        from sheetbill.domain.sheet import CellWrite, WorkbookChanges
        from sheetbill.workbook.excel import ExcelWorkbook

        person = ExcelWorkbook(path, backups=0)
        change = WorkbookChanges(writes={tab: (CellWrite(row, column, value),)})
        person.apply(change, expected_version=person.read().version)

    return Book(
        "excel",
        str(path),
        config,
        path.with_name("northwind.sheetbill.sqlite"),
        rows,
        path.read_bytes,
        edit,
    )


def google_book(tmp_path: Path, server: Any) -> Book:
    sheet_id = server.create_spreadsheet("Northwind", _demo_tabs())
    config = tmp_path / "sheetbill.toml"
    config.write_text(
        f'source = "gsheets://{sheet_id}"\nsheets_api_url = "{server.url}"\n'
        "google_max_attempts = 2\n"
    )

    def rows(tab: str) -> list[list[Any]]:
        values = server.values(sheet_id, tab)
        return [[_plain(v) for v in row] for row in values]

    def seen() -> object:
        book = server.book(sheet_id)
        return [
            (s.title, server.values(sheet_id, s.title, option="FORMULA"))
            for s in book.sheets
        ]

    def edit(tab: str, row: int, column: int, value: str) -> None:
        """A person types text into one cell (text that looks like a formula stays
        text, as when typed with a leading apostrophe)."""
        with server.lock:
            cell = server.book(sheet_id).sheet(tab).cell(row - 1, column)
            cell.formula, cell.value = None, value

    return Book(
        "google",
        f"gsheets://{sheet_id}",
        config,
        tmp_path / f"gsheets-{sheet_id}.sheetbill.sqlite",
        rows,
        seen,
        edit,
    )


@pytest.fixture(params=["excel", "google"])
def book(request: pytest.FixtureRequest, tmp_path: Path) -> Book:
    if request.param == "excel":
        return excel_book(tmp_path)
    return google_book(tmp_path, request.getfixturevalue("sheets_server"))


def test_run_creates_invoices_marks_rows_and_lists_exceptions(book, capsys):
    code = book.run("run", "--as-of", AS_OF)
    out = capsys.readouterr().out
    assert code == 1, out  # done, with the demo's deliberate exceptions
    invoices = book.records("Invoices")
    assert len(invoices) >= 8
    assert {r["Currency"] for r in invoices} == {"EUR", "USD", "JPY"}
    assert [r["Invoice No"] for r in invoices] == [
        f"INV-2026-{n:04d}" for n in range(1, len(invoices) + 1)
    ]
    assert "INV-2026-0001" in out
    lines = book.records("Invoice Lines")
    for invoice in invoices:
        own = [li for li in lines if li["Invoice No"] == invoice["Invoice No"]]
        assert own
        assert round(sum(li["Net"] for li in own), 3) == invoice["Net"]
        assert round(sum(li["Total"] for li in own), 3) == invoice["Total"]
        assert round(invoice["Net"] + invoice["Tax"], 3) == invoice["Total"]
    time_log = book.records("Time Log")
    billed = [r for r in time_log if r["Invoice No"]]
    assert len(billed) > 400
    assert len({r["Row ID"] for r in billed}) == len(billed)
    exceptions = book.records("Exceptions")
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
    log = book.records("Log")
    created = [r["Invoice"] for r in log if r["Action"] == "invoice created"]
    assert created == [r["Invoice No"] for r in invoices]
    # The rest: the invoice emails (the demo sends automatically), the owners'
    # digests of the run's problems, one each, the demo's advance payment (no
    # invoice of its amount: unmatched, an exception) and the period of the paused
    # plan P-003 (skipped).
    assert {r["Action"] for r in log} == {
        "invoice created",
        "invoice email sent",
        "digest sent",
        "payment unmatched",
        "period skipped",
    }


def test_second_run_right_after_the_first_changes_nothing(book, capsys):
    book.run("run", "--as-of", AS_OF)
    before, state_before = book.seen(), book.state.read_bytes()
    assert book.run("run", "--as-of", AS_OF) == 1
    assert "Nothing to write" in capsys.readouterr().out
    assert book.seen() == before
    assert book.state.read_bytes() == state_before


def test_dry_run_prints_the_plan_and_changes_nothing(book, capsys):
    before = book.seen()
    code = book.run("run", "--as-of", AS_OF, "--dry-run", "--json")
    data = json.loads(capsys.readouterr().out)
    assert code == data["exit_code"] == 1 and data["dry_run"] is True
    assert data["invoices"][0]["number"] == "INV-2026-0001"
    assert data["changes"]["cells"]["Time Log"][0]["cell"]
    assert {"tab", "row", "column", "value", "problem", "fix"} <= set(
        data["exceptions"][0]
    )
    assert book.seen() == before
    assert not book.state.exists()
    assert book.run("run", "--as-of", AS_OF, "--dry-run") == 1
    out = capsys.readouterr().out
    assert "would be created" in out and "Would write" in out


def test_dry_run_after_a_run_leaves_workbook_and_state_alone(book, capsys):
    book.run("run", "--as-of", AS_OF)
    before = (book.seen(), book.state.read_bytes())
    book.run("run", "--as-of", "2026-12-01", "--dry-run")
    assert (book.seen(), book.state.read_bytes()) == before


def test_check_lists_problems_and_writes_nothing(book, capsys):
    before = book.seen()
    code = book.run("check", "--as-of", AS_OF, "--json")
    data = json.loads(capsys.readouterr().out)
    assert code == 1 and data["exceptions"]
    assert data["counts"]["customers"] >= 8
    assert book.seen() == before
    assert not book.state.exists()


def test_run_changes_no_human_owned_cell_of_input_tabs(book, capsys):
    before = {s.name: book.rows(s.name) for s in INPUT_TABS}
    book.run("run", "--as-of", AS_OF)
    for schema in INPUT_TABS:
        after = book.rows(schema.name)
        sheetbills = {c.name for c in schema.columns if c.owner is Owner.SHEETBILL}
        owned = {i for i, h in enumerate(after[0]) if h in sheetbills}
        assert len(after) == len(before[schema.name])
        for old, new in zip(before[schema.name], after, strict=True):
            keep = max(len(old), len(new))
            old, new = (
                old + [None] * (keep - len(old)),
                new + [None] * (keep - len(new)),
            )
            assert [v for i, v in enumerate(old) if i not in owned] == [
                v for i, v in enumerate(new) if i not in owned
            ]


def test_fixing_a_row_closes_its_exception_and_bills_it_next_run(book, capsys):
    book.run("run", "--as-of", AS_OF)
    time_log = book.rows("Time Log")
    headers = time_log[0]
    row = next(n for n, r in enumerate(time_log) if "C099" in r) + 1
    book.edit("Time Log", row, headers.index("Customer ID"), "C001")
    assert book.run("run", "--as-of", AS_OF) == 1
    fixed = book.records("Time Log")[row - 2]
    assert fixed["Invoice No"] and fixed["Invoice No"].startswith("INV-2026-")
    exceptions = book.records("Exceptions")
    closed = [r for r in exceptions if r["Value"] == "C099"]
    assert len(closed) == 1 and closed[0]["Closed"] is not None


def test_formula_looking_text_is_written_as_text(book, capsys):
    hostile = '=HYPERLINK("http://evil.example","x")'
    customers = book.rows("Customers")
    book.edit("Customers", 2, customers[0].index("Name"), hostile)
    book.run("run", "--as-of", AS_OF)
    invoices = book.records("Invoices")
    first = next(i for i, r in enumerate(invoices) if r["Customer ID"] == "C001")
    assert invoices[first]["Customer"] == hostile
    if book.kind == "excel":
        for name, part in zip_parts(Path(book.source)).items():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in part and b"<f " not in part, name
    else:
        formulas = dict(book.seen())["Invoices"]  # FORMULA rendering shows formulas
        assert formulas[1 + first][5] == hostile


def test_dates_are_real_dates_in_the_invoices_tab(book, capsys):
    book.run("run", "--as-of", AS_OF)
    issue = book.records("Invoices")[0]["Issue Date"]
    if book.kind == "excel":
        assert issue in (date(2026, 11, 2), datetime(2026, 11, 2))
    else:
        assert issue == float((date(2026, 11, 2) - date(1899, 12, 30)).days)


def test_run_makes_a_pdf_per_invoice_links_it_and_renders_again_only_what_is_missing(
    book, capsys
):
    book.run("run", "--as-of", AS_OF, "--json")
    first = json.loads(capsys.readouterr().out)
    invoices = book.records("Invoices")
    assert first["pdfs_rendered"] == len(invoices)
    folder = book.state.parent / "invoices"
    for invoice in invoices:
        pdf = folder / f"{invoice['Invoice No']}.pdf"
        assert pdf.is_file()
        link = invoice["PDF"]
        if book.kind == "excel":
            assert link == f"invoices/{pdf.name}"
        else:
            assert Path(link) == pdf
    # Acme's three months of time and orders (after its plans' invoices).
    acme = next(
        r["Invoice No"]
        for r in invoices
        if r["Customer ID"] == "C001" and r["Total"] > 10000
    )
    text = subprocess.run(
        ["pdftotext", "-layout", str(folder / f"{acme}.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert acme in text and "Acme Robotics GmbH" in text
    assert "32.529,25" in text  # the total, in the customer's German format
    book.run("run", "--as-of", AS_OF, "--json")
    assert json.loads(capsys.readouterr().out)["pdfs_rendered"] == 0
    (folder / "INV-2026-0003.pdf").unlink()
    book.run("run", "--as-of", AS_OF, "--json")
    again = json.loads(capsys.readouterr().out)
    assert again["pdfs_rendered"] == 1 and (folder / "INV-2026-0003.pdf").is_file()
    assert again["changes"]["cell_counts"] == {}
