"""A book that sends, for tests of whole runs: a sheetbill.toml pointing at the
test's SMTP server, and a person's typing into the workbook."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Mapping
from email.message import EmailMessage
from pathlib import Path

from sheetbill.domain.sheet import CellValue, CellWrite, WorkbookChanges
from sheetbill.workbook.excel import ExcelWorkbook

SENDER = "Northwind Billing <billing@northwind.example>"


def mail_toml(folder: Path, book: Path, port: int, **more: object) -> Path:
    """sheetbill.toml beside the book: SMTP to 127.0.0.1:`port`, no pacing."""
    keys = {
        "transport": "smtp",
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "from": SENDER,
        "max_per_minute": 0,
        "timeout": 5,
        **more,
    }
    lines = [f'source = "{book.name}"', "backups = 0", "", "[mail]"]
    for key, value in keys.items():
        shown = f'"{value}"' if isinstance(value, str) else str(value)
        lines.append(f"{key} = {shown}")
    path = folder / "sheetbill.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def set_setting(book: Path, key: str, value: CellValue) -> None:
    """Type `value` beside the Settings row `key` (a new row when there is none)."""
    workbook = ExcelWorkbook(book, backups=0)
    snapshot = workbook.read()
    settings = snapshot.tables["Settings"]
    row = next(
        (r.number for r in settings.rows if str(r.get(0)).casefold() == key.casefold()),
        settings.last_row + 1,
    )
    writes = (CellWrite(row, 0, key), CellWrite(row, 1, value))
    workbook.apply(
        WorkbookChanges(writes={"Settings": writes}), expected_version=snapshot.version
    )


def type_into_invoices(book: Path, cells: Mapping[tuple[str, str], CellValue]) -> None:
    """A person types into the Invoices tab: (invoice number, column) -> value."""
    workbook = ExcelWorkbook(book, backups=0)
    snapshot = workbook.read()
    table = snapshot.tables["Invoices"]
    headers = {h: i for i, h in enumerate(table.headers)}
    rows = {str(r.get(headers["Invoice No"])): r.number for r in table.rows}
    writes = tuple(
        CellWrite(rows[number], headers[column], value)
        for (number, column), value in cells.items()
    )
    workbook.apply(
        WorkbookChanges(writes={"Invoices": writes}), expected_version=snapshot.version
    )


def outbox_messages(folder: Path) -> list[EmailMessage]:
    found = []
    for path in sorted(folder.glob("*.eml")):
        parsed = email.message_from_bytes(
            path.read_bytes(), policy=email.policy.default
        )
        assert isinstance(parsed, EmailMessage)
        found.append(parsed)
    return found
