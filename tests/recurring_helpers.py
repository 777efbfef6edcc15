"""A shop with recurring plans, for tests of whole runs: the demo's settings,
customers and rates, the plans and time rows a test gives, nothing else."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from readback import calamine_records

from sheetbill.cli import main
from sheetbill.domain.model import ApprovalThreshold
from sheetbill.domain.schema import (
    ALL_TABS,
    CUSTOMERS,
    RATES,
    RECURRING,
    SETTINGS,
    TIME_LOG,
)
from sheetbill.domain.sheet import CellValue, CellWrite, WorkbookChanges
from sheetbill.usecases import demo
from sheetbill.usecases.init import settings_writes
from sheetbill.workbook.excel import ExcelWorkbook

Row = Mapping[str, CellValue]


def plan_shop(
    folder: Path,
    plans: Sequence[Row],
    *,
    time_rows: Sequence[Row] = (),
    timezone: str = "Europe/Berlin",
) -> Path:
    """The workbook `folder/book.xlsx` with these Recurring and Time Log rows, and a
    sheetbill.toml beside it (no backups, emails to `folder/outbox`)."""
    book = folder / "book.xlsx"
    settings = replace(
        demo.DEMO_SETTINGS, approval_threshold=ApprovalThreshold(), timezone=timezone
    )
    changes = WorkbookChanges(
        writes={
            SETTINGS.name: settings_writes(settings),
            CUSTOMERS.name: demo._writes(CUSTOMERS, demo.CUSTOMER_ROWS),
            RATES.name: demo._writes(RATES, demo.RATE_ROWS),
            TIME_LOG.name: demo._writes(TIME_LOG, list(time_rows)),
            RECURRING.name: demo._writes(RECURRING, list(plans)),
        }
    )
    ExcelWorkbook.create_new(book, [schema.spec() for schema in ALL_TABS])
    workbook = ExcelWorkbook(book, backups=0)
    workbook.apply(changes, expected_version=workbook.read().version)
    (folder / "sheetbill.toml").write_text(
        f'source = "{book.name}"\nbackups = 0\npdf = false\n\n[mail]\n'
        'from = "billing@northwind.example"\n',
        encoding="utf-8",
    )
    return book


def run(book: Path, day: str, *more: str) -> int:
    return main(["run", str(book), "--as-of", day, *more])


def edit_row(book: Path, tab: str, row: int, values: Row) -> None:
    """A person changes cells of a row (None clears a cell)."""
    workbook = ExcelWorkbook(book, backups=0)
    snapshot = workbook.read()
    headers = {h: i for i, h in enumerate(snapshot.tables[tab].headers)}
    writes = tuple(CellWrite(row, headers[k], v) for k, v in values.items())
    workbook.apply(
        WorkbookChanges(writes={tab: writes}), expected_version=snapshot.version
    )


def type_row(book: Path, tab: str, values: Row) -> int:
    """A person types a row below the tab's last row; its sheet row."""
    workbook = ExcelWorkbook(book, backups=0)
    snapshot = workbook.read()
    row = snapshot.tables[tab].last_row + 1
    edit_row(book, tab, row, values)
    return row


def clear_row(book: Path, tab: str, row: int) -> None:
    workbook = ExcelWorkbook(book, backups=0)
    snapshot = workbook.read()
    width = len(snapshot.tables[tab].headers)
    writes = tuple(CellWrite(row, c, None) for c in range(width))
    workbook.apply(
        WorkbookChanges(writes={tab: writes}), expected_version=snapshot.version
    )


def records(book: Path, tab: str) -> list[dict[str, object]]:
    return calamine_records(book, tab)


def recurring_lines(book: Path, plan_id: str) -> list[dict[str, object]]:
    """The Invoice Lines rows billed from a plan, in order."""
    return [
        r
        for r in records(book, "Invoice Lines")
        if str(r.get("Source", "")).startswith(f"Recurring {plan_id},")
    ]
