"""Whole runs with payments typed into the Payments tab: each applied once and kept,
Paid, Balance and Status in Invoices, the evidence in Payments, receipts once, a
person's edits and deletions told in the Log (issue 15, points 2, 3 and 6)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from payments_run_helpers import (
    OK,
    clear_payment,
    edit_payment,
    invoices,
    log_rows,
    payments,
    receipts,
    run,
    shop,
    type_payment,
)
from readback import calamine_records
from sending_run_helpers import type_into_invoices

LATER = "2026-11-05"
# The small demo's first run numbers its plans' 2 invoices first: Café Lumière's is
# INV-2026-0005 (EUR 2,794.00), the Bezirksamt's INV-2026-0006 (EUR 1,927.80).
CAFE = {
    "Date": date(2026, 11, 4),
    "Amount": Decimal("2794.00"),
    "Currency": "EUR",
    "Payer": "Cafe Lumiere",
    "Reference": "RE: inv 2026 0005 merci",
}


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return shop(tmp_path)


def _row_of(book: Path, row: int) -> dict[str, object]:
    return payments(book)[row - 2]


def test_a_payment_naming_its_invoice_marks_it_paid_with_its_evidence(book):
    row = type_payment(book, CAFE)
    assert run(book, as_of=LATER) in OK
    paid = invoices(book)["INV-2026-0005"]
    assert (paid["Paid"], paid["Balance"], paid["Status"]) == (2794.0, 0.0, "paid")
    shown = _row_of(book, row)
    assert shown["Matched Invoice"] == "INV-2026-0005"
    assert shown["Status"] == "matched"
    assert "INV-2026-0005" in str(shown["Match Note"])
    assert str(shown["Row ID"]).startswith("P-")
    assert shown["Receipt Sent"], "the receipt's time on the payment row"
    assert len(receipts(book)) == 1
    assert [r["Invoice"] for r in log_rows(book, "payment applied")] == [
        "INV-2026-0005"
    ] or any(r["Invoice"] == "INV-2026-0005" for r in log_rows(book, "payment applied"))


def test_a_rerun_after_a_payment_writes_and_sends_nothing(book):
    type_payment(book, CAFE)
    assert run(book, as_of=LATER) in OK
    before = book.read_bytes()
    sent = receipts(book)
    assert run(book, as_of=LATER) in OK
    assert book.read_bytes() == before
    assert receipts(book) == sent


def test_a_partial_payment_leaves_the_balance_open(book):
    type_payment(book, {**CAFE, "Amount": Decimal("1000.00")})
    assert run(book, as_of=LATER) in OK
    shown = invoices(book)["INV-2026-0005"]
    assert (shown["Paid"], shown["Balance"]) == (1000.0, 1794.0)
    assert shown["Status"] == "partially paid"
    assert receipts(book) == []  # receipts = "paid": one when paid in full


def test_an_invoice_no_a_person_typed_wins_over_the_reference(book):
    row = type_payment(
        book, {**CAFE, "Amount": Decimal("1927.80"), "Invoice No": "INV-2026-0006"}
    )
    assert run(book, as_of=LATER) in OK
    assert _row_of(book, row)["Matched Invoice"] == "INV-2026-0006"
    assert invoices(book)["INV-2026-0006"]["Status"] == "paid"
    assert invoices(book)["INV-2026-0005"]["Paid"] == 0.0


def test_a_payment_edited_after_it_was_applied_is_applied_again_and_logged(book):
    row = type_payment(book, CAFE)
    assert run(book, as_of=LATER) in OK
    row_id = _row_of(book, row)["Row ID"]
    edit_payment(book, row, {"Amount": Decimal("500.00")})
    assert run(book, as_of=LATER) in OK
    shown = invoices(book)["INV-2026-0005"]
    assert (shown["Paid"], shown["Balance"]) == (500.0, 2294.0)
    assert _row_of(book, row)["Row ID"] == row_id
    edited = log_rows(book, "payment edited")
    assert len(edited) == 1 and row_id in str(edited[0]["Detail"])


def test_a_payment_deleted_after_it_was_applied_is_taken_back_and_logged(book):
    row = type_payment(book, {**CAFE, "Amount": Decimal("500.00")})
    assert run(book, as_of=LATER) in OK
    clear_payment(book, row)
    assert run(book, as_of=LATER) in OK
    shown = invoices(book)["INV-2026-0005"]
    assert (shown["Paid"], shown["Balance"], shown["Status"]) == (0.0, 2794.0, "sent")
    (deleted,) = log_rows(book, "payment deleted")
    assert "taken back" in str(deleted["Detail"]) and "row" not in str(
        deleted["Detail"]
    )
    assert run(book, as_of=LATER) in OK
    assert len(log_rows(book, "payment deleted")) == 1, "told once"


def test_a_paid_a_person_typed_stands_and_a_blank_hands_it_back(book):
    type_into_invoices(book, {("INV-2026-0006", "Paid"): Decimal("500")})
    type_payment(
        book, {**CAFE, "Amount": Decimal("1927.80"), "Reference": "INV-2026-0006"}
    )
    assert run(book, as_of=LATER) in OK
    assert invoices(book)["INV-2026-0006"]["Paid"] == 500.0
    # Which Paid is right cannot be told: nothing goes out about it meanwhile.
    assert invoices(book)["INV-2026-0006"]["Status"] == "on hold"
    assert not [r for r in receipts(book) if "INV-2026-0006" in r]
    problems = calamine_records(book, "Exceptions")
    assert any(
        "typed by hand" in str(p["Problem"]) and p["Column"] == "Paid" for p in problems
    ), problems
    type_into_invoices(book, {("INV-2026-0006", "Paid"): None})
    assert run(book, as_of=LATER) in OK
    assert invoices(book)["INV-2026-0006"]["Paid"] == 1927.8
    assert invoices(book)["INV-2026-0006"]["Status"] == "paid"


def test_a_payment_nothing_matches_is_an_exception_naming_its_row(book):
    row = type_payment(
        book,
        {**CAFE, "Amount": Decimal("123.45"), "Reference": "thanks", "Payer": "Nobody"},
    )
    assert run(book, as_of=LATER) in OK
    assert _row_of(book, row)["Status"] == "unmatched"
    assert log_rows(book, "payment unmatched"), "not logged as applied"
    found = [
        p
        for p in calamine_records(book, "Exceptions")
        if p["Tab"] == "Payments" and p["Row"] == row
    ]
    assert found, calamine_records(book, "Exceptions")


def test_a_dry_run_shows_the_match_and_changes_nothing(book, capsys):
    type_payment(book, CAFE)
    before = book.read_bytes()
    capsys.readouterr()
    assert run(book, "--dry-run", as_of=LATER) in OK
    assert book.read_bytes() == before
    said = capsys.readouterr().out
    assert "1 payment would be recorded:" in said, said
    line = next(x for x in said.splitlines() if "P-000002" in x)
    assert ": matched, INV-2026-0005: " in line and "names INV-2026-0005" in line, line
    assert "INV-2026-0005: Paid 2,794.00 EUR, Balance 0.00 EUR, paid" in said, said


def test_a_state_rebuilt_after_payments_matches_logs_and_thanks_nothing_again(book):
    toml = book.parent / "sheetbill.toml"
    toml.write_text(toml.read_text() + 'receipts = "each payment"\n')
    type_payment(book, {**CAFE, "Amount": Decimal("1000.00")})
    assert run(book, as_of=LATER) in OK
    assert len(receipts(book)) == 1
    logged = len(calamine_records(book, "Log"))
    from sheetbill.cli import main

    assert main(["state", "rebuild", str(book)]) == 0
    assert run(book, "--dry-run", "--json", as_of=LATER) in OK
    assert run(book, as_of=LATER) in OK
    new_rows = calamine_records(book, "Log")[logged:]
    assert not [r for r in new_rows if "receipt" in str(r["Action"])], new_rows
    assert not [r for r in new_rows if "payment" in str(r["Action"])], new_rows
    assert invoices(book)["INV-2026-0005"]["Paid"] == 1000.0
