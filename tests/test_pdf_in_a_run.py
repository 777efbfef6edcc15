"""The Settings' logo on a run's PDFs, run as a user runs it: printed, or an
Exceptions row on its Settings row saying why not (and the invoice made without).

Inputs come from ../shared/cases (copied first: a run writes beside its workbook).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
import python_calamine
from paths import SHARED
from pypdf import PdfReader
from readback import calamine_records, calamine_rows

from sheetbill.cli import main
from sheetbill.domain.sheet import CellWrite, WorkbookChanges
from sheetbill.workbook.excel import ExcelWorkbook

from helpers import CASE_SETTINGS, add_settings_rows

LOGO_CASE = SHARED / "cases" / "logo-beside-workbook"
AS_OF = "2026-11-03"
LOGO_ROW = 4  # Settings row of Logo Path in the case workbook
# 7 KB of SVG asking for 10^8 squares: 8 groups, each drawing the one before 10 times.
SVG_BOMB = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><defs>'
    '<g id="g0"><rect width="1" height="1"/></g>'
    + "".join(
        f'<g id="g{n}">' + f'<use href="#g{n - 1}"/>' * 10 + "</g>" for n in range(1, 9)
    )
    + '</defs><use href="#g8"/></svg>'
).encode()


def copied(case: Path, tmp_path: Path) -> Path:
    folder = tmp_path / case.name
    shutil.copytree(case, folder)
    for path in folder.iterdir():
        path.chmod(0o644)
    book = folder / "logo.xlsx"
    if book.exists():  # an address, IBAN and tax rate, so its runs have no problem
        add_settings_rows(book)
    return folder


def set_logo_path(book: Path, value: str) -> None:
    """A person types `value` into Settings > Logo Path."""
    person = ExcelWorkbook(book, backups=0)
    change = WorkbookChanges(writes={"Settings": (CellWrite(LOGO_ROW, 1, value),)})
    person.apply(change, expected_version=person.read().version)


def pdf_images(pdf: Path) -> list[tuple[int, int]]:
    """The sizes of the first page's images but the payment QR code (the square one,
    printed since the Settings have an IBAN); the case's logo is 400 by 120."""
    sizes = [(i.image.width, i.image.height) for i in PdfReader(pdf).pages[0].images]
    return [(width, height) for width, height in sizes if width != height]


def pdf_text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def open_exceptions(book: Path) -> list[dict[str, object]]:
    if "Exceptions" not in python_calamine.CalamineWorkbook.from_path(book).sheet_names:
        return []
    return [r for r in calamine_records(book, "Exceptions") if not r.get("Closed")]


@pytest.mark.parametrize("where", ["beside the workbook", "full path elsewhere"])
def test_run_prints_the_settings_logo(tmp_path: Path, where: str, capsys):
    """Case logo-beside-workbook: Logo Path `logo.png` is the file beside the
    workbook; a full path to a file in another folder works as well."""
    folder = copied(LOGO_CASE, tmp_path)
    book = folder / "logo.xlsx"
    if where == "full path elsewhere":
        brand = tmp_path / "brand" / "company logo.png"
        brand.parent.mkdir()
        (folder / "logo.png").rename(brand)
        set_logo_path(book, str(brand))
    code = main(["run", str(book), "--as-of", AS_OF])
    assert code == 0, capsys.readouterr().out
    pdf = folder / "invoices" / "INV-2026-0001.pdf"
    assert pdf_images(pdf) == [(400, 120)]
    assert "LOGO" not in pdf_text(pdf).upper()
    assert open_exceptions(book) == []


@pytest.mark.parametrize(
    ("logo", "reason"),
    [
        (None, "there is no such file"),
        (b"This is not a picture.", "not a PNG, JPEG or SVG"),
        (b"\x89PNG\r\n\x1a\n" + bytes(3 * 1024 * 1024), "at most 2.0 MB"),
        (SVG_BOMB, "would draw more than 10,000 shapes"),
    ],
)
def test_run_with_a_logo_it_cannot_print_reports_it_on_the_settings_row(
    tmp_path: Path, logo: bytes | None, reason: str, capsys
):
    """The invoice is made without a logo (never a placeholder), and an open
    exception on Settings > Logo Path says why, for `check` and `run` alike; once
    the file is right, the next invoice prints it and the exception closes."""
    folder = copied(LOGO_CASE, tmp_path)
    book = folder / "logo.xlsx"
    good = (folder / "logo.png").read_bytes()
    (folder / "logo.png").unlink()
    if logo is not None:
        (folder / "logo.png").write_bytes(logo)
    assert main(["check", str(book), "--as-of", AS_OF, "--json"]) == 1
    (checked,) = json.loads(capsys.readouterr().out)["exceptions"]
    assert checked["tab"] == "Settings" and checked["row"] == LOGO_ROW
    assert reason in checked["problem"]
    assert checked["severity"] == "warning"  # the invoice is made, without it
    assert "made without the logo" in checked["problem"]
    assert main(["run", str(book), "--as-of", AS_OF]) == 1
    (row,) = open_exceptions(book)
    assert (row["Tab"], row["Row"], row["Column"], row["Value"]) == (
        "Settings",
        LOGO_ROW,
        "Value",
        "logo.png",
    )
    assert reason in str(row["Problem"]) and str(folder) in str(row["Problem"])
    assert "without a logo" in str(row["Fix"])
    assert row["Severity"] == "warning"
    pdf = folder / "invoices" / "INV-2026-0001.pdf"
    assert pdf_images(pdf) == []
    assert "LOGO" not in pdf_text(pdf).upper()

    (folder / "logo.png").write_bytes(good)
    _add_time_row(book)
    assert main(["run", str(book), "--as-of", AS_OF]) == 0
    assert open_exceptions(book) == []
    assert pdf_images(folder / "invoices" / "INV-2026-0002.pdf") == [(400, 120)]


def test_run_on_a_google_sheet_reads_a_relative_logo_beside_sheetbill_toml(
    tmp_path: Path, sheets_server, capsys
):
    """A Google Sheet has no folder: `logo.png` is read beside sheetbill.toml."""
    tabs = {
        name: [
            [Decimal(repr(v)) if isinstance(v, float) else v for v in row]
            for row in calamine_rows(LOGO_CASE / "logo.xlsx", name)
        ]
        for name in ("Settings", "Customers", "Rates", "Time Log")
    }
    tabs["Settings"] += [list(row) for row in CASE_SETTINGS]
    sheet_id = sheets_server.create_spreadsheet("Logo", tabs)
    folder = tmp_path / "office"
    folder.mkdir()
    shutil.copyfile(LOGO_CASE / "logo.png", folder / "logo.png")
    config = folder / "sheetbill.toml"
    config.write_text(
        f'source = "gsheets://{sheet_id}"\nsheets_api_url = "{sheets_server.url}"\n'
    )
    code = main(["run", "--as-of", AS_OF, "--config", str(config)])
    assert code == 0, capsys.readouterr().out
    assert pdf_images(folder / "invoices" / "INV-2026-0001.pdf") == [(400, 120)]


def _add_time_row(book: Path) -> None:
    """A person logs one more approved hour, so the next run makes an invoice."""
    rows = calamine_rows(book, "Time Log")
    headers = [str(h) for h in rows[0]]
    values = dict(zip(headers, rows[1], strict=False))
    values.update({"Invoice No": "", "Row ID": "", "Description": "More design"})
    values = {
        k: Decimal(repr(v)) if isinstance(v, float) else v for k, v in values.items()
    }
    person = ExcelWorkbook(book, backups=0)
    snapshot = person.read()
    row = snapshot.tables["Time Log"].last_row + 1
    writes = tuple(
        CellWrite(row, column, values[header])
        for column, header in enumerate(headers)
        if values[header] not in ("", None)
    )
    person.apply(
        WorkbookChanges(writes={"Time Log": writes}),
        expected_version=snapshot.version,
    )
