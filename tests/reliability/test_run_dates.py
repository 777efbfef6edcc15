"""Dates that go forward only (issue 10, point 7): a real run refuses a date after
today in the Settings time zone unless asked explicitly, and never dates an invoice
before one numbered ahead of it in the same series (EU VAT directive art. 226)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from cli_runs import copy_case, drawn, one_line, sheetbill, state_of

from sheetbill.config import Config
from sheetbill.errors import DateError
from sheetbill.testing import MemoryWorkbook
from sheetbill.usecases.run import run_billing

from helpers import small_book, time_row

D = __import__("decimal").Decimal


def book(*, timezone: str = "UTC") -> MemoryWorkbook:
    workbook = MemoryWorkbook(
        small_book(
            time_rows=[
                time_row(date(2026, 10, 1), "Ann", "C1", D(2)),
                time_row(date(2026, 10, 2), "Bob", "C2", D(3)),
            ]
        )
    )
    settings = workbook.cells["Settings"]
    row = max(r for r, _ in settings) + 1
    settings[(row, 0)], settings[(row, 1)] = "Timezone", timezone
    return workbook


def run(workbook, tmp_path, as_of, *, now=None, allow_future=False, dry=False):
    return run_billing(
        workbook,
        Config(documents=False),
        state_path=tmp_path / "state.sqlite",
        as_of=as_of,
        is_dry_run=dry,
        now=lambda: now or datetime(2026, 11, 29, 15, 0, tzinfo=UTC),
        allow_future=allow_future,
    )


def test_a_real_run_after_today_is_refused_before_any_number(tmp_path):
    with pytest.raises(DateError, match="--allow-future"):
        run(book(), tmp_path, date(2026, 11, 30))
    assert drawn(tmp_path / "state.sqlite") == {}


def test_today_is_the_settings_time_zones(tmp_path):
    """At 15:00 UTC it is already the 30th on Kiritimati (UTC+14)."""
    result = run(book(timezone="Pacific/Kiritimati"), tmp_path, date(2026, 11, 30))
    assert len(result.invoices) == 2
    with pytest.raises(DateError, match="2026-11-29 in America/Los_Angeles"):
        run(book(timezone="America/Los_Angeles"), tmp_path / "la", date(2026, 11, 30))


def test_dry_runs_may_look_ahead_and_an_explicit_flag_lets_a_real_run(tmp_path):
    assert len(run(book(), tmp_path, date(2027, 3, 15), dry=True).invoices) == 2
    assert drawn(tmp_path / "state.sqlite") == {}
    result = run(book(), tmp_path, date(2027, 3, 15), allow_future=True)
    assert [i.number for i in result.invoices] == ["INV-2027-0001", "INV-2027-0002"]


def test_a_run_dated_before_the_last_invoice_of_its_series_is_refused(tmp_path):
    workbook = book()
    run(workbook, tmp_path, date(2026, 11, 10))
    workbook.cells["Time Log"].update(
        {
            (4, c): v
            for c, v in enumerate(time_row(date(2026, 10, 3), "Cy", "C1", D(1)))
            if v is not None
        }
    )
    with pytest.raises(DateError, match="before 2026-11-10, the date of INV-2026-0002"):
        run(workbook, tmp_path, date(2026, 11, 5))
    assert len(run(workbook, tmp_path, date(2026, 11, 10)).invoices) == 1


def test_another_series_is_not_held_back_by_a_later_one(tmp_path):
    """A yearly pattern: 2027's invoices do not stop a late run for 2026's."""
    workbook = book()
    run(workbook, tmp_path, date(2027, 1, 5), allow_future=True)
    workbook.cells["Time Log"].update(
        {
            (4, c): v
            for c, v in enumerate(time_row(date(2026, 10, 3), "Cy", "C1", D(1)))
            if v is not None
        }
    )
    result = run(workbook, tmp_path, date(2026, 11, 20))
    assert [i.number for i in result.invoices] == ["INV-2026-0001"]


def test_the_case_future_as_of_is_refused_by_the_cli_but_checked(tmp_path):
    book_path = copy_case("future-as-of", "future.xlsx", tmp_path / "shop")
    far = "2099-03-15"
    err = one_line(
        sheetbill("run", book_path.name, "--as-of", far, cwd=book_path.parent), 2
    )
    assert "after today" in err and "--allow-future" in err
    assert drawn(state_of(book_path)) == {}
    assert not (book_path.parent / "invoices").exists()
    checked = sheetbill("check", book_path.name, "--as-of", far, cwd=book_path.parent)
    assert checked.returncode in (0, 1) and "Traceback" not in checked.stderr
