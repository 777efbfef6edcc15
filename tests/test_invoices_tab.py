"""The Invoices tab read back as input: the cells people fill (Approve, Hold, Void,
Void Reason, Note) and sheetbill's that a run checks again, by invoice row."""

from __future__ import annotations

from typing import Any

from sheetbill.domain.schema import INVOICES, InvoiceColumns
from sheetbill.tabs.invoices import InvoiceRow, read_invoices
from sheetbill.tabs.validation import locate_tabs

from helpers import snapshot

HEADERS = [c.name for c in INVOICES.columns]


def invoices_layout(headers: list[str], *rows: dict[str, Any]):
    book = snapshot(
        {"Invoices": (headers, [[r.get(h) for h in headers] for r in rows])}
    )
    return locate_tabs(book, {})["Invoices"]


def test_read_invoices_reads_what_people_fill_on_each_invoice_row():
    layout = invoices_layout(
        HEADERS,
        {
            "Invoice No": " INV-1 ",
            "Customer ID": "C1",
            "Status": "awaiting approval",
            "PDF": "pdfs/INV-1.pdf",
            "Approve": "Maria Lopez",
            "Hold": "yes",
            "Void": "no",
            "Void Reason": "typo",
            "Note": "call first",
        },
    )
    rows, problems = read_invoices(layout)
    assert rows == [
        InvoiceRow(
            row=2,
            number="INV-1",
            customer_id="C1",
            status="awaiting approval",
            pdf="pdfs/INV-1.pdf",
            approve="Maria Lopez",
            hold=True,
            hold_text="yes",
            void=False,
            void_text="no",
            void_reason="typo",
            note="call first",
        )
    ]
    assert problems == []


def test_read_invoices_leaves_out_rows_without_a_number_and_keeps_twins():
    """A row without an invoice number is no invoice's; a number on two rows is on
    both (which is sheetbill's is judged by those who read them)."""
    layout = invoices_layout(
        HEADERS,
        {"Invoice No": "INV-1"},
        {"Note": "a person's note"},
        {"Invoice No": "INV-1"},
    )
    rows, _ = read_invoices(layout)
    assert [(r.row, r.number) for r in rows] == [(2, "INV-1"), (4, "INV-1")]


def test_read_invoices_tells_a_void_that_is_not_yes_or_no():
    layout = invoices_layout(
        HEADERS,
        {"Invoice No": "INV-1", "Void": "maybe", "Hold": "x"},
        {"Invoice No": "INV-2"},
    )
    first, second = read_invoices(layout)[0]
    assert (first.void, first.void_text, first.hold) == (None, "maybe", True)
    assert (second.void, second.void_text, second.hold) == (False, "", False)


def test_read_invoices_says_which_sheetbill_columns_the_tab_lacks():
    """Without Customer ID a pending invoice's row is known by its number alone, and
    without Status no Status is set back: None, unlike a blank cell ("")."""
    layout = invoices_layout(
        [InvoiceColumns.INVOICE_NO, InvoiceColumns.APPROVE], {"Invoice No": "INV-1"}
    )
    [row] = read_invoices(layout)[0]
    assert (row.customer_id, row.status, row.pdf, row.approve) == (None, None, "", "")
    blank = invoices_layout(HEADERS, {"Invoice No": "INV-1"})
    [row] = read_invoices(blank)[0]
    assert (row.customer_id, row.status) == ("", "")


def test_read_invoices_of_no_tab_or_no_number_column_is_empty():
    assert read_invoices(None) == ([], [])
    layout = invoices_layout([InvoiceColumns.APPROVE], {"Approve": "Maria Lopez"})
    assert read_invoices(layout) == ([], [])
