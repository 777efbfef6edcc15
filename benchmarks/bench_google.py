"""Benchmark: a billing run on a Google Sheet vs gspread's cell-by-cell `update_cell`.

Both talk to the local Sheets API server (tests/sheets_server) over real HTTP: a run on
10,000 time rows and 1,000 customers, then the same cell writes sent one `update_cell`
at a time. The cell-by-cell side is measured on a sample and extrapolated (it would
take an hour at Google's quota of 60 writes a minute); the table says so.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for folder in (ROOT, ROOT / "tests"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import gspread  # noqa: E402

from sheetbill.config import Config  # noqa: E402
from sheetbill.usecases.run import run_billing  # noqa: E402
from sheetbill.workbook.google import ApiSession, GoogleWorkbook  # noqa: E402
from tests.sheets_server import SheetsServer  # noqa: E402

CUSTOMERS = 1_000
TIME_ROWS = 10_000
SAMPLE_CELLS = 300
AS_OF = date(2026, 11, 2)
QUOTA_PER_MINUTE = 60  # Google's write requests per minute per user
TIME_HEADERS = [
    "Date",
    "Person",
    "Customer ID",
    "Project",
    "Activity",
    "Hours",
    "Description",
    "Billable",
    "Approved",
    "Invoice No",
    "Row ID",
]


def _tabs() -> dict[str, list[list[object]]]:
    time_log: list[list[object]] = [list(TIME_HEADERS)]
    for index in range(TIME_ROWS):
        customer = f"C{index % CUSTOMERS + 1:04d}"
        day = date(2026, 10, 1 + index % 28)
        time_log.append(
            [
                day,
                f"P{index % 7}",
                customer,
                "Web",
                "Dev",
                Decimal("1.25"),
                f"task {index}",
                "yes",
                "yes",
            ]
        )
    return {
        "Settings": [
            ["Key", "Value"],
            ["Company Name", "Bench Shop"],
            ["Company Address", "Benchstraße 1, 10115 Berlin, Germany"],
            ["IBAN", "DE89 3704 0044 0532 0130 00"],
            ["Default Currency", "EUR"],
            ["Default Tax Rate", Decimal(19)],
        ],
        "Customers": [
            ["Customer ID", "Name", "Email", "Currency"],
            *[
                [f"C{n:04d}", f"Customer {n}", f"c{n}@example.com", "EUR"]
                for n in range(1, CUSTOMERS + 1)
            ],
        ],
        "Rates": [["Customer ID", "Rate", "Unit"], [None, Decimal(90), "hour"]],
        "Time Log": time_log,
    }


def _sheetbill_run(
    server: SheetsServer,
) -> tuple[int, int, float, int, list[tuple[str, int, int, object]]]:
    """Requests, bytes sent, seconds and cells written by one run; and the writes."""
    sheet_id = server.create_spreadsheet("bench", _tabs())
    session = ApiSession(api_url=server.url)
    workbook = GoogleWorkbook(sheet_id, session=session)
    server.reset_log()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        result = run_billing(
            workbook,
            # What is timed is reading and writing the sheet; bench_pdf times PDFs
            # (with them on, this run spent ~70 s of its 78 s printing 1,000 PDFs).
            Config(documents=False),
            state_path=Path(folder) / "state.sqlite",
            as_of=AS_OF,
            is_dry_run=False,
        )
        seconds = time.perf_counter() - started
    assert result.is_written
    assert len(result.invoices) == CUSTOMERS
    writes = [
        (tab, w.row, w.column, w.value)
        for tab, cells in result.changes.writes.items()
        for w in cells
        if tab == "Time Log"  # an existing tab: update_cell can write there as is
    ]
    return (
        server.count(),
        session.stats.bytes_sent,
        seconds,
        result.changes.cell_count,
        writes,
    )


def _cell_by_cell(
    server: SheetsServer, writes: list[tuple[str, int, int, object]]
) -> tuple[float, float, float]:
    """Requests, bytes and seconds per cell for gspread's update_cell, on a sample."""
    sheet_id = server.create_spreadsheet("baseline", _tabs())
    session = ApiSession(api_url=server.url)
    worksheet = (
        gspread.Client(auth=None, session=session)
        .open_by_key(sheet_id)
        .worksheet("Time Log")
    )
    sample = writes[:SAMPLE_CELLS]
    requests_before, bytes_before = session.stats.requests, session.stats.bytes_sent
    started = time.perf_counter()
    for _, row, column, value in sample:
        worksheet.update_cell(row, column + 1, str(value))
    seconds = time.perf_counter() - started
    count = len(sample)
    return (
        (session.stats.requests - requests_before) / count,
        (session.stats.bytes_sent - bytes_before) / count,
        seconds / count,
    )


def _ratio(baseline: float, ours: float, word: str = "fewer") -> str:
    return f"{baseline / ours:,.0f}x {word}" if ours else "-"


def main() -> list[tuple[str, ...]]:
    """Rows of (measure, sheetbill, baseline, ratio) for `make bench`."""
    with SheetsServer() as server:
        requests, sent, seconds, cells, writes = _sheetbill_run(server)
        per_request, per_bytes, per_second = _cell_by_cell(server, writes)
    note = f"update_cell x {cells:,} cells (extrapolated from {SAMPLE_CELLS})"
    base_requests = per_request * cells
    base_bytes = per_bytes * cells
    base_seconds = per_second * cells
    return [
        ("google: run on 10k time rows, 1k customers", f"{cells:,} cells", note, ""),
        (
            "google: API requests",
            f"{requests}",
            f"{base_requests:,.0f}",
            _ratio(base_requests, requests),
        ),
        (
            "google: bytes sent",
            f"{sent:,}",
            f"{base_bytes:,.0f}",
            _ratio(base_bytes, sent),
        ),
        (
            "google: wall time on the local server",
            f"{seconds:.2f} s",
            f"{base_seconds:.0f} s",
            _ratio(base_seconds, seconds, "faster"),
        ),
        (
            "google: minutes at 60 write requests/min",
            f"{requests / QUOTA_PER_MINUTE:.2f}",
            f"{base_requests / QUOTA_PER_MINUTE:,.0f}",
            _ratio(base_requests, requests, "sooner"),
        ),
    ]


if __name__ == "__main__":
    rows = main()
    header = ("measure", "sheetbill", "cell by cell (gspread)", "ratio")
    widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(4)]
    for row in (header, tuple("-" * w for w in widths), *rows):
        print(
            "| "
            + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True))
            + " |"
        )
