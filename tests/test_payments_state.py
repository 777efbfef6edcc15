"""The payments' part of the state database (state/payments.py): applications
pending until the workbook shows them, the Paid values sheetbill wrote (the one
being written counts as its own too), imported keys, the month's metric."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from sheetbill.domain.journal import Status
from sheetbill.state import StateDB

NOW = datetime(2026, 11, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def state(tmp_path: Path):
    with StateDB(tmp_path / "book.sheetbill.sqlite", is_locked=True) as db:
        yield db


def details(amount: str = "100.00") -> dict[str, object]:
    return {"fingerprint": "f", "row": 2, "booked": "2026-11-04", "amount": amount}


def test_an_application_is_pending_until_the_workbook_shows_it(state):
    state.record_payments([("P-000007", details())], {}, run_id="r1", now=NOW)
    assert [e.status for e in state.payment_entries()] == [Status.PENDING]
    assert state.last_payment_row_id() == 7
    state.mark_payments_written(["P-000007"], [], [], run_id="r1", now=NOW)
    assert [e.status for e in state.payment_entries()] == [Status.DONE]


def test_a_paid_being_written_and_the_one_before_both_count_as_sheetbills(state):
    state.record_payments([], {"INV-1": Decimal("100.00")}, run_id="r1", now=NOW)
    state.mark_payments_written([], ["INV-1"], [], run_id="r1", now=NOW)
    assert state.written_paid() == {"INV-1": frozenset({Decimal("100.00")})}
    state.record_payments([], {"INV-1": Decimal("250.00")}, run_id="r2", now=NOW)
    # A run stopped here: the workbook shows either value, both are sheetbill's.
    assert state.written_paid() == {
        "INV-1": frozenset({Decimal("100.00"), Decimal("250.00")})
    }
    # Stopped again before writing: the row may still show 250.00.
    state.record_payments([], {"INV-1": Decimal("300.00")}, run_id="r3", now=NOW)
    assert state.written_paid()["INV-1"] == {
        Decimal("100.00"),
        Decimal("250.00"),
        Decimal("300.00"),
    }
    state.mark_payments_written([], ["INV-1"], [], run_id="r3", now=NOW)
    assert state.written_paid() == {"INV-1": frozenset({Decimal("300.00")})}


def test_a_deleted_rows_application_is_recorded_gone(state):
    state.record_payments([("P-000001", details())], {}, run_id="r1", now=NOW)
    state.mark_payments_written(["P-000001"], [], [], run_id="r1", now=NOW)
    gone = {**details(), "gone": True}
    state.mark_payments_written([], [], [("P-000001", gone)], run_id="r2", now=NOW)
    assert state.payment_entries()[0].details["gone"] is True


def test_only_keys_of_rows_the_workbook_shows_count_as_imported(state):
    state.record_imported({"id:txn_1": {"file": "a.csv"}}, run_id="i1", now=NOW)
    assert state.imported_keys() == {"id:txn_1"}


def test_a_metric_recorded_again_with_the_same_value_changes_nothing(state):
    state.record_metric(
        "reconciliation.open-exceptions.2026-11", 2, run_id="r1", now=NOW
    )
    before = state.entries()
    later = datetime(2026, 11, 6, tzinfo=UTC)
    state.record_metric(
        "reconciliation.open-exceptions.2026-11", 2, run_id="r2", now=later
    )
    assert state.entries() == before
    state.record_metric(
        "reconciliation.open-exceptions.2026-11", 1, run_id="r3", now=later
    )
    assert state.metrics("reconciliation.") == {
        "reconciliation.open-exceptions.2026-11": 1
    }
