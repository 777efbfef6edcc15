"""The Recurring tab's own cells written (writeback/recurring.py): Next Date and Last
Invoice of each plan row, only where the row shows something else, read back from a
real .xlsx with every other cell as it was; and the write plan of a run carries them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from readback import calamine_rows

from sheetbill.domain.schema import RECURRING, RecurringColumns
from sheetbill.domain.sheet import CellWrite
from sheetbill.planning.recovery import PendingMatch
from sheetbill.planning.recurring import PlanCells
from sheetbill.tabs.validation import locate_tabs, validate_book
from sheetbill.workbook.excel import ExcelWorkbook
from sheetbill.writeback.plan import changes_of, plan_writes
from sheetbill.writeback.recurring import plan_row_writes
from sheetbill.writeback.writer import TabWriter

from helpers import SETTINGS_ROWS, small_book, snapshot, write_xlsx

D = Decimal
C = RecurringColumns
HEADERS = [c.name for c in RECURRING.columns]
TODAY = date(2026, 11, 3)


def plan_row(plan_id: str, **cells: object) -> list[object]:
    named = {C.PLAN_ID: plan_id, C.CUSTOMER_ID: "C1", C.UNIT_PRICE: D(800)}
    named |= {C.FREQUENCY: "monthly", C.START: date(2026, 9, 1)}
    named |= {k.replace("_", " ").title(): v for k, v in cells.items()}
    return [named.get(h) for h in HEADERS]


def _layout(*rows: list[object], headers: list[str] = HEADERS):  # type: ignore[no-untyped-def]
    trimmed = [[dict(zip(HEADERS, r)).get(h) for h in headers] for r in rows]
    return locate_tabs(snapshot({"Recurring": (headers, trimmed)}), {})["Recurring"]


def _writes(writer: TabWriter | None) -> dict[tuple[int, str], object]:
    assert writer is not None
    names = {v: k for k, v in writer.positions.items()}
    return {(w.row, names[w.column]): w.value for w in writer.cells if w.row > 1}


def test_a_row_that_shows_its_cells_gets_no_write():
    """A date as a date and time, or as a Google Sheet's serial number; the number
    with other case or spaces."""
    cells = [PlanCells(2, date(2026, 12, 1), "INV-7"), PlanCells(3, None, "")]
    shown = _layout(
        plan_row("P-1", next_date=date(2026, 12, 1), last_invoice="INV-7"),
        plan_row("P-2"),
    )
    assert plan_row_writes(shown, cells) is None
    as_sheets = _layout(
        plan_row("P-1", next_date=D(46357), last_invoice=" inv-7 "),
        plan_row("P-2", next_date="", last_invoice="  "),
    )
    assert plan_row_writes(as_sheets, cells) is None
    timed = _layout(
        plan_row("P-1", next_date=datetime(2026, 12, 1), last_invoice="INV-7")
    )
    assert plan_row_writes(timed, cells[:1]) is None
    assert plan_row_writes(shown, []) is None


def test_only_the_cells_that_differ_are_written():
    layout = _layout(
        plan_row("P-1", next_date=date(2026, 11, 1), last_invoice="INV-6"),
        plan_row("P-2", next_date=date(2026, 12, 15), last_invoice="INV-3"),
    )
    cells = [
        PlanCells(2, date(2026, 12, 1), "INV-7"),
        PlanCells(3, date(2026, 12, 15), "INV-3"),
    ]
    assert _writes(plan_row_writes(layout, cells)) == {
        (2, C.NEXT_DATE): date(2026, 12, 1),
        (2, C.LAST_INVOICE): "INV-7",
    }


def test_a_plan_that_ended_or_paused_has_its_next_date_cleared():
    layout = _layout(plan_row("P-1", next_date=date(2026, 12, 1), last_invoice="INV-7"))
    assert _writes(plan_row_writes(layout, [PlanCells(2, None, "INV-7")])) == {
        (2, C.NEXT_DATE): None
    }


def test_a_persons_text_in_sheetbills_cells_is_written_over():
    """Next Date typed as text (even naming the same day) becomes the date itself;
    a Last Invoice typed where no period was billed is cleared."""
    layout = _layout(plan_row("P-1", next_date="2026-12-01", last_invoice="typed"))
    assert _writes(plan_row_writes(layout, [PlanCells(2, date(2026, 12, 1), "")])) == {
        (2, C.NEXT_DATE): date(2026, 12, 1),
        (2, C.LAST_INVOICE): None,
    }


def test_a_tab_without_sheetbills_columns_gains_them_at_its_right():
    headers = [h for h in HEADERS if h not in (C.NEXT_DATE, C.LAST_INVOICE)]
    layout = _layout(plan_row("P-1"), headers=headers)
    writer = plan_row_writes(layout, [PlanCells(2, date(2026, 12, 1), "INV-7")])
    assert writer is not None
    assert [w for w in writer.cells if w.row == 1] == [
        CellWrite(1, len(headers), C.NEXT_DATE),
        CellWrite(1, len(headers) + 1, C.LAST_INVOICE),
    ]
    assert _writes(writer) == {
        (2, C.NEXT_DATE): date(2026, 12, 1),
        (2, C.LAST_INVOICE): "INV-7",
    }


def _workbook(path: Path) -> ExcelWorkbook:
    write_xlsx(
        path,
        {
            "Recurring": [
                [*HEADERS, "My notes"],
                [*plan_row("P-1", day="last", next_date=date(2026, 11, 1)), "keep"],
                plan_row("P-2", description="Hosting", last_invoice="INV-1"),
                plan_row("P-3", interval=D(2)),
            ]
        },
    )
    return ExcelWorkbook(path, backups=0)


def test_written_cells_read_back_and_only_those_two_cells_change(tmp_path):
    """A real .xlsx: after the write, calamine reads the new Next Date and Last
    Invoice of rows 2 and 3, every other cell as it was, and a second plan from
    the written file writes nothing."""
    path = tmp_path / "shop.xlsx"
    book = _workbook(path)
    before_rows = calamine_rows(path, "Recurring")
    before = book.read()
    cells = [
        PlanCells(2, date(2026, 12, 1), "INV-2026-0009"),
        PlanCells(3, None, "INV-1"),
        PlanCells(4, date(2027, 1, 15), ""),
    ]
    writer = plan_row_writes(locate_tabs(before, {})["Recurring"], cells)
    assert writer is not None
    book.apply(changes_of([writer]), expected_version=before.version)
    after_rows = calamine_rows(path, "Recurring")
    next_at, last_at = HEADERS.index(C.NEXT_DATE), HEADERS.index(C.LAST_INVOICE)
    changed = {
        (r, c)
        for r, (old, new) in enumerate(zip(before_rows, after_rows, strict=True))
        for c, (a, b) in enumerate(zip(old, new, strict=True))
        if a != b
    }
    assert changed == {(1, next_at), (1, last_at), (3, next_at)}
    assert after_rows[1][next_at] == date(2026, 12, 1)
    assert after_rows[1][last_at] == "INV-2026-0009"
    assert after_rows[3][next_at] == date(2027, 1, 15)
    assert after_rows[1][-1] == "keep"
    again = book.read()
    assert plan_row_writes(locate_tabs(again, {})["Recurring"], cells) is None


def test_a_runs_write_plan_carries_the_plans_cells():
    data = validate_book(
        small_book(
            settings=SETTINGS_ROWS,
            extra={"Recurring": (HEADERS, [plan_row("P-1")])},
        ),
        today=TODAY,
        billed={},
    )
    [plan] = data.plans
    written = plan_writes(
        data,
        new=[],
        pending_invoices=[],
        pending=PendingMatch({}, frozenset(), ()),
        problems=[],
        today=TODAY,
        now=datetime(2026, 11, 3, 8),
        run_id="r1",
        plan_cells=[PlanCells(plan.row, date(2026, 12, 1), "")],
    )
    assert written.changes.writes["Recurring"] == (
        CellWrite(2, HEADERS.index(C.NEXT_DATE), date(2026, 12, 1)),
    )
    unchanged = plan_writes(
        data,
        new=[],
        pending_invoices=[],
        pending=PendingMatch({}, frozenset(), ()),
        problems=[],
        today=TODAY,
        now=datetime(2026, 11, 3, 8),
        run_id="r1",
    )
    assert "Recurring" not in unchanged.changes.writes
