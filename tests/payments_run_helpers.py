"""A shop whose Payments tab a person types into between runs, for tests of whole
runs with payments: the small demo, sending automatically to its outbox."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from readback import calamine_records
from reliability.small_demo import write_small_demo
from sending_run_helpers import SENDER, outbox_messages, set_setting

from sheetbill.cli import main
from sheetbill.domain.sheet import CellValue, CellWrite, WorkbookChanges
from sheetbill.workbook.excel import ExcelWorkbook

AS_OF = "2026-11-02"
# The small demo keeps its mistakes: every run ends with open exceptions (exit 1).
OK = (0, 1)


def shop(folder: Path) -> Path:
    """The small demo in `folder`, its emails to `folder/outbox`, run once."""
    book = folder / "book.xlsx"
    write_small_demo(book)
    set_setting(book, "Send Invoices", "automatically")
    (folder / "sheetbill.toml").write_text(
        f'source = "{book.name}"\nbackups = 0\n\n[mail]\nfrom = "{SENDER}"\n',
        encoding="utf-8",
    )
    assert run(book) in OK
    return book


def run(book: Path, *more: str, as_of: str = AS_OF) -> int:
    return main(["run", str(book), "--as-of", as_of, *more])


def type_payment(book: Path, values: Mapping[str, CellValue]) -> int:
    """A person types a payment below the Payments tab's last row; its row."""
    workbook = ExcelWorkbook(book, backups=0)
    snapshot = workbook.read()
    table = snapshot.tables["Payments"]
    headers = {h: i for i, h in enumerate(table.headers)}
    row = table.last_row + 1
    writes = tuple(CellWrite(row, headers[k], v) for k, v in values.items())
    workbook.apply(
        WorkbookChanges(writes={"Payments": writes}), expected_version=snapshot.version
    )
    return row


def edit_payment(book: Path, row: int, values: Mapping[str, CellValue]) -> None:
    """A person changes cells of a Payments row (None clears a cell)."""
    workbook = ExcelWorkbook(book, backups=0)
    snapshot = workbook.read()
    headers = {h: i for i, h in enumerate(snapshot.tables["Payments"].headers)}
    writes = tuple(CellWrite(row, headers[k], v) for k, v in values.items())
    workbook.apply(
        WorkbookChanges(writes={"Payments": writes}), expected_version=snapshot.version
    )


def clear_payment(book: Path, row: int) -> None:
    """A person deletes a payment: every cell of its row cleared."""
    workbook = ExcelWorkbook(book, backups=0)
    snapshot = workbook.read()
    width = len(snapshot.tables["Payments"].headers)
    writes = tuple(CellWrite(row, c, None) for c in range(width))
    workbook.apply(
        WorkbookChanges(writes={"Payments": writes}), expected_version=snapshot.version
    )


def invoices(book: Path) -> dict[str, dict[str, object]]:
    return {str(r["Invoice No"]): r for r in calamine_records(book, "Invoices")}


def payments(book: Path) -> list[dict[str, object]]:
    return calamine_records(book, "Payments")


def log_rows(book: Path, action: str) -> list[dict[str, object]]:
    return [r for r in calamine_records(book, "Log") if r["Action"] == action]


def receipts(book: Path) -> list[str]:
    return [
        str(m["Message-ID"])
        for m in outbox_messages(book.parent / "outbox")
        if ".receipt." in str(m["Message-ID"])
    ]
