"""Bounded retries: Retry-After honoured, back-off capped, then a clear message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from test_google_backend import AS_OF, billing_tabs

from sheetbill.config import Config
from sheetbill.domain.sheet import CellWrite, WorkbookChanges
from sheetbill.errors import WorkbookError, WorkbookWriteError
from sheetbill.usecases.run import run_billing
from sheetbill.workbook.google.client import RetryPolicy, parse_retry_after


def test_retry_after_is_honoured(google_book):
    book = google_book({"Data": [["A"], ["x"]]})
    book.server.inject(429, endpoint="values.batchGet", times=2, retry_after="7")
    snapshot = book.workbook.read()
    assert snapshot.tables["Data"].rows[0].cells == ("x",)
    assert book.sleeps == [7.0, 7.0]
    assert book.server.count("values.batchGet") == 3


def test_server_errors_back_off_exponentially(google_book):
    book = google_book({"Data": [["A"]]})
    book.server.inject(503, endpoint="spreadsheets.get", times=3)
    book.workbook.read()
    assert book.sleeps == [1.0, 2.0, 4.0]


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_retries_end_with_a_clear_message_and_nothing_written(google_book, status):
    book = google_book({"Data": [["A", "B"], ["x"]]}, max_attempts=3)
    snapshot = book.workbook.read()
    book.server.inject(status, endpoint="values.batchUpdate", times=100)
    with pytest.raises(
        WorkbookWriteError, match=rf"answered {status}.*after 3 attempts"
    ):
        book.workbook.apply(
            WorkbookChanges(writes={"Data": (CellWrite(2, 1, "y"),)}),
            expected_version=snapshot.version,
        )
    assert book.server.count("values.batchUpdate") == 3
    assert book.values("Data") == [["A", "B"], ["x"]]


def test_timeouts_are_retried_then_reported(google_book):
    book = google_book({"Data": [["A"]]}, max_attempts=2, timeout=0.2)
    book.server.inject(None, endpoint="spreadsheets.get", times=2, delay=0.6)
    with pytest.raises(WorkbookError, match="did not answer"):
        book.workbook.read()
    assert book.sleeps == [1.0]


def test_the_next_run_completes_the_work_after_giving_up(google_book, tmp_path):
    book = google_book(billing_tabs(2), max_attempts=2)
    state = tmp_path / "state.sqlite"
    book.server.inject(500, endpoint="values.batchUpdate", times=2)
    with pytest.raises(WorkbookWriteError):
        run_billing(
            book.workbook, Config(), state_path=state, as_of=AS_OF, is_dry_run=False
        )
    assert book.column("Time Log", "Invoice No") == [None, None]
    again = run_billing(
        book.workbook, Config(), state_path=state, as_of=AS_OF, is_dry_run=False
    )
    # Nothing reached the sheet: the invoices are planned again under their numbers.
    assert again.is_written and again.recovered == ()
    assert [i.number for i in again.invoices] == ["INV-2026-0001", "INV-2026-0002"]
    assert book.column("Time Log", "Invoice No") == ["INV-2026-0001", "INV-2026-0002"]


def test_backoff_is_capped_at_64_seconds():
    policy = RetryPolicy(jitter=lambda: 0.5)
    assert [policy.delay(n, None) for n in (1, 2, 3)] == [1.5, 2.5, 4.5]
    assert policy.delay(12, None) == 64
    assert policy.delay(1, "3600") == 64


def test_retry_after_reads_seconds_and_http_dates():
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert parse_retry_after("2.5") == 2.5
    assert 25 <= (parse_retry_after(later) or 0) <= 30
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
