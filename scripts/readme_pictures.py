"""Makes the README's pictures: one demo invoice, the Invoices and Exceptions tabs.

Run by `make pictures`: bills a copy of the demo workbook in a temporary folder,
turns the first invoice's first page into a PNG with poppler's pdftoppm, and prints
the workbook with LibreOffice headless (one page per sheet) to picture two of its
tabs as a person sees them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from python_calamine import CalamineWorkbook

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
DEMO_AS_OF = "2026-11-02"
# Points of the printed sheet to keep: the tabs are wider than a README page.
TAB_CROP_WIDTH = 1250
PER_SHEET = 'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}'


def _png(
    pdf: Path, target: Path, *, page: int, dpi: int, width_pt: int | None = None
) -> None:
    crop = (
        ["-x", "0", "-y", "0", "-W", str(width_pt * dpi // 72), "-H", "100000"]
        if width_pt
        else []
    )
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(dpi),
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            *crop,
            str(pdf),
            str(target.with_suffix("")),
        ],
        check=True,
    )


def _final_invoice_with_tax(book: Path) -> str:
    """The first invoice that is not waiting for approval (no DRAFT mark) and charges
    tax: what a customer of the demo shop typically receives."""
    rows = (
        CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Invoices").to_python()
    )
    header = [str(cell) for cell in rows[0]]
    number, status, tax = (header.index(n) for n in ("Invoice No", "Status", "Tax"))
    for row in rows[1:]:
        if row[status] != "awaiting approval" and float(row[tax] or 0) > 0:
            return str(row[number])
    raise SystemExit("the demo made no final invoice with tax to picture")


def main() -> int:
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        book = folder / "northwind-demo.xlsx"
        shutil.copy(ROOT / "sheet_templates" / "demo.xlsx", book)
        sheetbill = Path(sys.executable).with_name("sheetbill")
        subprocess.run(
            [str(sheetbill), "run", str(book), "--as-of", DEMO_AS_OF], check=False
        )
        number = _final_invoice_with_tax(book)
        _png(
            folder / "invoices" / f"{number}.pdf",
            IMAGES / "invoice.png",
            page=1,
            dpi=80,
        )
        subprocess.run(
            [
                "soffice",
                "--headless",
                "--convert-to",
                PER_SHEET,
                "--outdir",
                temp,
                str(book),
            ],
            check=True,
            capture_output=True,
        )
        sheets = CalamineWorkbook.from_path(str(book)).sheet_names
        for tab, name in (
            ("Invoices", "invoices-tab.png"),
            ("Exceptions", "exceptions-tab.png"),
        ):
            page = sheets.index(tab) + 1
            _png(
                book.with_suffix(".pdf"),
                IMAGES / name,
                page=page,
                dpi=90,
                width_pt=TAB_CROP_WIDTH,
            )
    for name in ("invoice.png", "invoices-tab.png", "exceptions-tab.png"):
        print(IMAGES / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
