"""Sending's cells written back (writeback/invoices.py, plan.py): on a new row with
its other cells, on an existing row only where the tab shows something else; never
Paid of an existing row, never a blank that would clear a cell; and the cells' Status
wins over approvals' set-back."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sheetbill.domain.model import Counters
from sheetbill.domain.schema import INVOICES
from sheetbill.planning.invoices import plan_invoices
from sheetbill.planning.recovery import PendingMatch
from sheetbill.planning.statuses import InvoiceCells
from sheetbill.tabs.validation import validate_book
from sheetbill.writeback.plan import plan_writes

from helpers import small_book, time_row

D = Decimal
TODAY = date(2026, 11, 2)
NO_PENDING = PendingMatch({}, frozenset(), ())
HEADERS = [c.name for c in INVOICES.columns]
SENT_AT = datetime(2026, 11, 2, 9, 30, 15)


def _book(*rows: dict, time_rows=()):
    invoices = (HEADERS, [[r.get(h) for h in HEADERS] for r in rows])
    return small_book(time_rows=list(time_rows), extra={"Invoices": invoices})


def _written(book, cells, *, new=False, restored=None):
    data = validate_book(book, today=TODAY, billed={})
    invoices = []
    if new:
        invoices, _ = plan_invoices(
            customers=data.customers,
            entries=data.time_entries,
            orders=data.orders,
            settings=data.settings,
            today=TODAY,
            counters=Counters({}, 0),
        )
    plan = plan_writes(
        data,
        new=invoices,
        pending_invoices=[],
        pending=NO_PENDING,
        problems=[],
        today=TODAY,
        now=datetime(2026, 11, 2, 8),
        run_id="r1",
        cells=cells,
        restored=restored,
    )
    headers = data.layouts["Invoices"].table.headers
    return {
        (w.row, headers[w.column] if w.column < len(headers) else w.column): w.value
        for w in plan.changes.writes.get("Invoices", ())
        if w.row > 1
    }


def _cells(status="sent", balance="1190.00", sent_at=SENT_AT, stage="", last=None):
    return InvoiceCells(status, D(balance), sent_at, stage, last)


ROW = {
    "Invoice No": "INV-1",
    "Customer ID": "C1",
    "Currency": "EUR",
    "Total": D("1190.00"),
    "Paid": D(0),
    "Balance": D("1190.00"),
    "Status": "draft",
}


def test_an_existing_row_gets_only_the_cells_that_differ():
    written = _written(_book(ROW), {"INV-1": _cells()})
    assert written == {(2, "Status"): "sent", (2, "Sent At"): SENT_AT}


def test_a_row_that_shows_the_cells_already_gets_no_write():
    shown = ROW | {
        "Status": "Sent",  # case aside
        "Balance": D("1190"),  # the same amount
        "Sent At": datetime(2026, 11, 2, 9, 30, 15, 400),  # within the second
        "Reminder Stage": "+7",
        "Last Reminder": datetime(2026, 11, 10),  # a date read back as midnight
    }
    cells = _cells(stage="+7", last=date(2026, 11, 10))
    assert _written(_book(shown), {"INV-1": cells}) == {}


def test_a_payment_changes_balance_and_status_but_never_paid():
    shown = ROW | {"Paid": D(190), "Status": "sent", "Sent At": SENT_AT}
    cells = _cells(status="partially paid", balance="1000.00")
    assert _written(_book(shown), {"INV-1": cells}) == {
        (2, "Balance"): D("1000.00"),
        (2, "Status"): "partially paid",
    }


def test_a_reminder_writes_its_stage_and_day():
    shown = ROW | {"Status": "sent", "Sent At": SENT_AT}
    cells = _cells(status="overdue", stage="+7", last=date(2026, 11, 24))
    assert _written(_book(shown), {"INV-1": cells}) == {
        (2, "Status"): "overdue",
        (2, "Reminder Stage"): "+7",
        (2, "Last Reminder"): date(2026, 11, 24),
    }


def test_a_blank_value_never_clears_a_cell():
    shown = ROW | {"Sent At": "sent by hand on Monday", "Reminder Stage": "note"}
    cells = _cells(status="draft", sent_at=None)
    assert _written(_book(shown), {"INV-1": cells}) == {}


def test_an_invoice_on_two_rows_gets_no_cells():
    assert _written(_book(ROW, ROW), {"INV-1": _cells()}) == {}


def test_the_cells_status_wins_over_approvals_set_back():
    written = _written(
        _book(ROW), {"INV-1": _cells()}, restored={"INV-1": (2, "approved")}
    )
    assert written[(2, "Status")] == "sent"
    without = _written(_book(ROW), {}, restored={"INV-1": (2, "approved")})
    assert without == {(2, "Status"): "approved"}


def test_a_new_row_carries_the_cells_and_paid_zero():
    book = _book(time_rows=[time_row(date(2026, 10, 1), "Ann", "C1", D(2))])
    data = validate_book(book, today=TODAY, billed={})
    invoices, _ = plan_invoices(
        customers=data.customers,
        entries=data.time_entries,
        orders=data.orders,
        settings=data.settings,
        today=TODAY,
        counters=Counters({}, 0),
    )
    [invoice] = invoices
    cells = {invoice.number: _cells(balance=f"{invoice.total}")}
    written = _written(book, cells, new=True)
    assert written[(2, "Status")] == "sent"
    assert written[(2, "Sent At")] == SENT_AT
    assert written[(2, "Paid")] == D("0.00")
    assert (2, "Reminder Stage") not in written
    without = _written(book, {}, new=True)
    assert without[(2, "Status")] == "draft" and (2, "Sent At") not in without
