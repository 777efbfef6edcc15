"""Write planning: only sheetbill's own cells, exceptions opened once and closed."""

from datetime import date, datetime
from decimal import Decimal

from sheetbill.domain.model import Counters
from sheetbill.domain.schema import EXCEPTIONS, INVOICES, TIME_LOG, Owner
from sheetbill.planning.invoices import plan_invoices
from sheetbill.planning.recovery import PendingMatch
from sheetbill.tabs.validation import validate_book
from sheetbill.writeback.plan import plan_writes

from helpers import small_book, snapshot, time_row

D = Decimal
TODAY = date(2026, 11, 2)
NO_PENDING = PendingMatch({}, frozenset(), ())


def writes_for(book):
    data = validate_book(book, today=TODAY, billed={})
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
        problems=data.problems,
        today=TODAY,
        now=datetime(2026, 11, 2, 8),
        run_id="r1",
    )
    return data, plan


def test_plan_writes_touches_only_sheetbill_columns_of_input_tabs():
    book = small_book(time_rows=[time_row(date(2026, 10, 1), "Ann", "C1", D(2))])
    data, plan = writes_for(book)
    time_log = data.layouts["Time Log"]
    owned = {
        time_log.columns.positions[c.name]
        for c in TIME_LOG.columns
        if c.owner is Owner.SHEETBILL
    }
    assert {c.column for c in plan.changes.writes["Time Log"]} <= owned
    assert [t.name for t in plan.changes.new_tabs] == [
        "Invoices",
        "Invoice Lines",
        "Log",
    ]


def test_plan_writes_adds_missing_sheetbill_columns_right_of_the_used_ones():
    headers = [
        "Date",
        "Person",
        "Customer ID",
        "Project",
        "Activity",
        "Hours",
        "Billable",
        "Approved",
        "",
        "My Notes",
    ]
    row = [
        date(2026, 10, 1),
        "Ann",
        "C1",
        "Web",
        "Dev",
        D(2),
        "yes",
        "yes",
        None,
        "mine",
    ]
    book = small_book(extra={"Time Log": (headers, [row])})
    _, plan = writes_for(book)
    cells = {(c.row, c.column): c.value for c in plan.changes.writes["Time Log"]}
    assert cells[(1, 10)] == "Invoice No" and cells[(1, 11)] == "Row ID"
    assert cells[(2, 10)] == "INV-2026-0001" and cells[(2, 11)] == "T-000001"


def test_plan_writes_never_repeats_an_open_exception_and_closes_a_fixed_one():
    headers = [c.name for c in EXCEPTIONS.columns]
    open_row = [
        date(2026, 11, 1),
        "error",
        "Time Log",
        D(2),
        "Customer ID",
        "C9",
        "No customer has the ID C9.",
        "fix",
        "",
        "",
        None,
    ]
    fixed_row = [
        date(2026, 11, 1),
        "error",
        "Time Log",
        D(9),
        "Hours",
        "-1",
        "Hours must be more than 0.",
        "fix",
        "",
        "",
        None,
    ]
    book = small_book(
        time_rows=[time_row(date(2026, 10, 1), "Ann", "C9", D(2))],
        extra={"Exceptions": (headers, [open_row, fixed_row])},
    )
    _, plan = writes_for(book)
    assert plan.exceptions_opened == 0 and plan.exceptions_closed == 1
    closed, row_key = headers.index("Closed"), headers.index("Row Key")
    writes = plan.changes.writes["Exceptions"]
    assert [(c.row, c.column, c.value) for c in writes if c.column != row_key] == [
        (3, closed, TODAY)
    ]
    # The open row, written before rows had a Row Key, takes its row's.
    assert [c.row for c in writes if c.column == row_key] == [2]


def test_plan_writes_skips_pending_invoices_already_in_the_invoices_tab():
    """A pending invoice whose number and customer are in the tab was written by the
    interrupted run; a new invoice always gets its rows, whatever a person typed."""
    book = small_book(time_rows=[time_row(date(2026, 10, 1), "Ann", "C1", D(2))])
    data, first = writes_for(book)
    invoice_headers = [c.name for c in INVOICES.columns]
    row = ["INV-2026-0001", None, None, None, "C1"]
    row += [None] * (len(invoice_headers) - len(row))
    tables = {
        n: (t.headers, [list(r.cells) for r in t.rows]) for n, t in book.tables.items()
    }
    tables["Invoices"] = (invoice_headers, [row])
    data = validate_book(snapshot(tables), today=TODAY, billed={})
    pending = plan_writes(
        data,
        new=[],
        pending_invoices=first.invoices,
        pending=NO_PENDING,
        problems=[],
        today=TODAY,
        now=datetime(2026, 11, 2, 8),
        run_id="r2",
    )
    assert "Invoices" not in pending.changes.writes
    assert "Invoice Lines" in pending.changes.writes
    _, new = writes_for(snapshot(tables))
    assert [c.value for c in new.changes.writes["Invoices"] if c.column == 0] == [
        "INV-2026-0001"
    ]
