"""What sheetbill says reads as a person would write it: one invoice, two invoices
(never "invoice(s)" nor "1 lines"), only what happened, the number meant, and
examples that fit the column."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from readback import calamine_records

from sheetbill.cli import main
from sheetbill.domain.numbering import NumberPattern, next_in_series
from sheetbill.domain.wording import counted
from sheetbill.tabs.validation import validate_book

from helpers import (
    CUSTOMER_HEADERS,
    ORDER_HEADERS,
    RATE_HEADERS,
    SETTINGS_ROWS,
    TIME_HEADERS,
    small_book,
    time_row,
    write_xlsx,
)

D = Decimal
DAY = date(2026, 11, 3)
# A count followed by a noun in the wrong number, or a "(s)" left to the reader.
WRONG_NUMBER = re.compile(
    r"\b1 (invoices|lines|cells|rows|PDFs|problems|exceptions|open exceptions)\b"
    r"|\b([02-9]|\d\d+) (invoice|line|cell|row|PDF|problem|exception)\b(?!s)"
    r"|\(s\)"
)


@given(
    count=st.integers(min_value=0, max_value=10**6),
    noun=st.sampled_from(["invoice", "line", "cell", "PDF", "row"]),
)
def test_counted_puts_the_noun_in_the_number_the_count_needs(count, noun):
    text = counted(count, noun)
    assert text == f"{count} {noun if count == 1 else noun + 's'}"
    assert not WRONG_NUMBER.search(text)


@given(last=st.integers(min_value=0, max_value=10**6))
def test_next_in_series_is_the_number_drawn_next(last):
    pattern = NumberPattern("INV-{yyyy}-{seq:04}")
    series = pattern.series(DAY)
    assert next_in_series(series, last) == pattern.format(DAY, last + 1)


def _book(path, lines: int):
    orders = [[DAY, "C1", f"Item {n}", D(1), D(100)] for n in range(lines)]
    return write_xlsx(
        path,
        {
            "Settings": [["Key", "Value"], *SETTINGS_ROWS],
            "Customers": [CUSTOMER_HEADERS, ["C1", "Alpha", "a@alpha.example", "EUR"]],
            "Rates": [RATE_HEADERS],
            "Time Log": [TIME_HEADERS],
            "Orders": [ORDER_HEADERS, *orders],
        },
    )


@pytest.mark.parametrize("lines", [1, 2])
def test_summaries_and_the_log_count_in_words(tmp_path, capsys, lines):
    """Dry run, run, check and state rebuild, with one thing and with two."""
    book = _book(tmp_path / "shop.xlsx", lines)
    said = []
    main(["run", str(book), "--dry-run", "--as-of", "2026-11-05"])
    said.append(capsys.readouterr().out)
    assert "1 invoice would be created" in said[-1]
    main(["run", str(book), "--as-of", "2026-11-05"])
    said.append(capsys.readouterr().out)
    assert "1 invoice created" in said[-1] and "Made 1 PDF." in said[-1]
    main(["check", str(book), "--as-of", "2026-11-05"])
    said.append(capsys.readouterr().out)
    log = calamine_records(book, "Log")
    detail = next(r["Detail"] for r in log if r["Action"] == "invoice created")
    assert detail == (f"C1: {counted(lines, 'line')}, total {lines * 119:,}.00 EUR")
    main(["state", "rebuild", str(book)])
    said.append(capsys.readouterr().out)
    for text in said:
        assert not WRONG_NUMBER.search(text), text


def test_state_rebuild_names_the_next_invoice_number(tmp_path, capsys):
    book = _book(tmp_path / "shop.xlsx", 1)
    main(["run", str(book), "--as-of", "2026-11-05"])
    capsys.readouterr()
    assert main(["state", "rebuild", str(book)]) == 0
    out = capsys.readouterr().out
    assert "Next invoice number: INV-2026-0002" in out
    assert "{seq" not in out and "after" not in out
    assert "Next Row ID: T-000002 or O-000002" in out


def test_init_names_only_what_it_added(tmp_path, capsys):
    """Columns alone: no "tabs none"; tabs alone: no "columns none"."""
    book = tmp_path / "shop.xlsx"
    assert main(["init", str(book)]) == 0
    wb = openpyxl.load_workbook(book)
    customers = wb["Customers"]
    email = [c.value for c in customers[1]].index("Email") + 1
    customers.delete_cols(email)
    wb.save(book)
    capsys.readouterr()
    assert main(["init", str(book)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "in Customers, the column Email" in out
    assert "none" not in out and "tab" not in out.replace("Customers", "")
    wb = openpyxl.load_workbook(book)
    del wb["Log"]
    wb.save(book)
    assert main(["init", str(book)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "the tab Log" in out and "none" not in out and "column" not in out


NOT_NUMBERS = {
    # tab, column -> what the fix must show (and never a money example)
    ("Time Log", "Hours"): "1:30",
    ("Orders", "Quantity"): "such as 3 or 2.5",
    ("Orders", "Tax Rate"): "in percent",
    ("Orders", "Unit Price"): "1234.50",
    ("Customers", "Terms Days"): "days",
}


def test_a_cell_that_is_no_number_gets_an_example_that_fits_its_column():
    """The Hours Fix said "type a number such as 1234.50": money for hours."""
    book = small_book(
        time_rows=[time_row(DAY, "Ann", "C1", "lots")],
        order_rows=[[DAY, "C1", "Item", "lots", "cheap", "high"]],
        extra={
            "Customers": (
                [*CUSTOMER_HEADERS, "Terms Days"],
                [["C1", "Alpha", "a@alpha.example", "EUR", None, None, "soon"]],
            )
        },
    )
    problems = validate_book(book, today=DAY, billed={}).problems
    fixes = {(p.tab, p.column): p.fix for p in problems}
    for where, example in NOT_NUMBERS.items():
        assert example in fixes[where], (where, fixes.get(where))
        if where[1] != "Unit Price":
            assert "1234.50" not in fixes[where], where
