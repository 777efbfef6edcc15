"""Excel benchmark (issue 3): 100,000 time rows and 1,000 customers.

Measures read+validate against an openpyxl read-only load of the same file, the full
dry-run plan, writing 1,000 new invoices back against an openpyxl load+save, and the
peak memory of a whole `sheetbill run`. Prints a table with ratios.
"""

from __future__ import annotations

import multiprocessing
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime, timedelta
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "bench-out"
TIME_ROWS = 100_000
CUSTOMERS = 1_000
AS_OF = date(2026, 11, 2)


def generate(path: Path) -> None:
    """The benchmark workbook, written with openpyxl's write-only mode (fast, plain)."""
    import openpyxl

    rng = random.Random(7)
    book = openpyxl.Workbook(write_only=True)
    settings = book.create_sheet("Settings")
    settings.append(["Key", "Value"])
    for row in (
        ["Company Name", "Bench GmbH"],
        ["Company Address", "Benchstraße 1, 10115 Berlin, Germany"],
        ["IBAN", "DE89 3704 0044 0532 0130 00"],
        ["Default Currency", "EUR"],
        ["Default Tax Rate", 19],
        ["Locale", "en_US"],
    ):
        settings.append(row)
    customers = book.create_sheet("Customers")
    customers.append(["Customer ID", "Name", "Email", "Currency", "Tax Rate"])
    for n in range(CUSTOMERS):
        customers.append([f"C{n:04d}", f"Customer {n}", f"c{n}@example.com", "EUR", 19])
    rates = book.create_sheet("Rates")
    rates.append(["Customer ID", "Project", "Person", "Activity", "Rate", "Unit"])
    rates.append([None, None, None, None, 90, "hour"])
    for n in range(0, CUSTOMERS, 10):
        rates.append([f"C{n:04d}", None, None, "Design", 100 + n % 50, "hour"])
    log = book.create_sheet("Time Log")
    log.append(
        [
            "Date",
            "Person",
            "Customer ID",
            "Project",
            "Activity",
            "Hours",
            "Description",
            "Billable",
            "Approved",
            "Work Complete",
            "Invoice No",
            "Row ID",
        ]
    )
    people = [f"Person {n}" for n in range(40)]
    start = date(2026, 8, 1)
    for n in range(TIME_ROWS):
        log.append(
            [
                start + timedelta(days=n % 90),
                rng.choice(people),
                f"C{rng.randrange(CUSTOMERS):04d}",
                f"Project {rng.randrange(5)}",
                rng.choice(("Design", "Development", "Meetings")),
                rng.choice((0.5, 1, 1.5, 2, 3, 4)),
                f"Work item {n}",
                "yes",
                "yes",
                None,
                None,
                None,
            ]
        )
    book.save(path)


def timed(action: Callable[[], object], repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - started)
    return best


def _timed_call(
    action: Callable[..., object], args: tuple[object, ...], repeat: int
) -> float:
    return timed(lambda: action(*args), repeat)


def timed_fresh(action: Callable[..., object], *args: object, repeat: int = 1) -> float:
    """Best time of `action(*args)` in a new interpreter, so that what one measurement
    leaves on the heap (openpyxl's millions of cell objects) does not slow the next.
    The interpreter's start is not timed; the first call's imports are (openpyxl's
    take ~0.2 s, under 1% of its times here)."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(_timed_call, action, args, repeat).result()


def openpyxl_read_only(path: Path) -> None:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    for sheet in book.worksheets:
        for _ in sheet.iter_rows(values_only=True):
            pass
    book.close()


def openpyxl_load_save(path: Path, target: Path) -> None:
    import openpyxl

    book = openpyxl.load_workbook(path)
    book.save(target)


def sheetbill_read_validate(path: Path) -> int:
    """What `sheetbill check` does: read the workbook and validate every row."""
    from sheetbill.config import Config
    from sheetbill.usecases.check import check_workbook
    from sheetbill.workbook.excel import ExcelWorkbook

    result = check_workbook(ExcelWorkbook(path), Config(), as_of=AS_OF, state_path=None)
    return result.counts["billable time entries"]


def sheetbill_plan(path: Path, state: Path) -> int:
    from sheetbill.config import Config
    from sheetbill.usecases.run import run_billing
    from sheetbill.workbook.excel import ExcelWorkbook

    result = run_billing(
        ExcelWorkbook(path), Config(), state_path=state, as_of=AS_OF, is_dry_run=True
    )
    return len(result.invoices)


def write_invoices(path: Path, state: Path) -> tuple[float, int, int]:
    """Plan a full run (1,000 invoices), then time only writing it back."""
    from sheetbill.config import Config
    from sheetbill.usecases.run import run_billing
    from sheetbill.workbook.excel import ExcelWorkbook

    workbook = ExcelWorkbook(path, backups=0)
    result = run_billing(
        workbook, Config(), state_path=state, as_of=AS_OF, is_dry_run=True
    )
    version = workbook.read().version
    seconds = timed(lambda: workbook.apply(result.changes, expected_version=version))
    return seconds, result.changes.cell_count, len(result.invoices)


def write_small(path: Path) -> tuple[float, int]:
    """Ten cells into the small Settings tab of the same 100k-row workbook."""
    from decimal import Decimal

    from sheetbill.domain.sheet import CellWrite, WorkbookChanges
    from sheetbill.workbook.excel import ExcelWorkbook

    workbook = ExcelWorkbook(path, backups=0)
    cells = tuple(CellWrite(10 + n, 3, Decimal(n)) for n in range(10))
    changes = WorkbookChanges(writes={"Settings": cells})
    version = workbook.read().version
    seconds = timed(lambda: workbook.apply(changes, expected_version=version))
    return seconds, len(cells)


PEAK_OF_RUN = """
import sys
from pathlib import Path
from sheetbill.cli import main
main(sys.argv[1:])
status = Path("/proc/self/status").read_text()
print(next(x.split()[1] for x in status.splitlines() if x.startswith("VmHWM:")),
      file=sys.stderr)
"""


def peak_memory_of_run(path: Path) -> float:
    """Peak RSS (MB) of a whole `sheetbill run` in its own process.

    Read from the process's VmHWM: Linux keeps ru_maxrss across exec, so a child
    started by this (big) process would report this process's peak instead.
    """
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            PEAK_OF_RUN,
            "run",
            str(path),
            "--as-of",
            AS_OF.isoformat(),
            "--json",
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=900,
    )
    return int(done.stderr.split()[-1]) / 1024


def main() -> list[tuple[str, str, str, str]]:
    OUT.mkdir(exist_ok=True)
    source = OUT / "bench-100k.xlsx"
    if not source.exists():
        print(f"generating {source} ({TIME_ROWS:,} time rows) ...", flush=True)
        generate(source)
    work = OUT / "work.xlsx"
    shutil.copyfile(source, work)
    state = OUT / "work.sqlite"
    state.unlink(missing_ok=True)

    rows: list[tuple[str, str, str, str]] = []
    ours = timed_fresh(sheetbill_read_validate, work, repeat=3)
    theirs = timed_fresh(openpyxl_read_only, work)
    rows.append(
        (
            "read + validate 100k rows",
            f"{ours:.2f} s",
            f"openpyxl read-only {theirs:.2f} s",
            f"{theirs / ours:.1f}x faster (target >= 5x)",
        )
    )
    plan = timed_fresh(sheetbill_plan, work, state, repeat=3)
    rows.append(
        (
            "full dry-run plan (1,000 invoices)",
            f"{plan:.2f} s",
            "target <= 5 s",
            "ok" if plan <= 5 else "over target",
        )
    )
    big, cells_big, count = write_invoices(work, state)
    shutil.copyfile(source, work)
    small, cells_small = write_small(work)
    shutil.copyfile(source, work)
    load_save = timed_fresh(openpyxl_load_save, work, OUT / "openpyxl-saved.xlsx")
    rows.append(
        (
            f"write back {count:,} invoices ({cells_big:,} cells)",
            f"{big:.2f} s",
            f"openpyxl load+save {load_save:.2f} s",
            f"{load_save / big:.1f}x faster (target >= 5x)",
        )
    )
    rows.append(
        (
            f"write {cells_small} cells into the same workbook",
            f"{small:.2f} s",
            f"openpyxl load+save {load_save:.2f} s",
            f"{load_save / small:.0f}x faster: cost follows the parts written",
        )
    )
    # A folder of its own: the run keeps its state database and PDFs beside the
    # workbook, and those of an earlier benchmark would change what it does.
    with tempfile.TemporaryDirectory(dir=OUT) as folder:
        alone = Path(folder) / source.name
        shutil.copyfile(source, alone)
        peak = peak_memory_of_run(alone)
    rows.append(
        (
            "peak memory of `sheetbill run`",
            f"{peak:.0f} MB",
            "target <= 600 MB",
            "ok" if peak <= 600 else "over target",
        )
    )
    return rows


if __name__ == "__main__":
    for row in main():
        print(" | ".join(row))
    print(f"(measured {datetime.now().astimezone():%Y-%m-%d %H:%M %Z})")
