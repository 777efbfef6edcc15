"""An invoice carries its service period (the first and last day of the rows it
bills: the date of supply printed on its PDF and put into its e-invoice, BT-72-74),
decided where it is planned, kept in the state database with it, and read from it
wherever a document is made: never found again by scanning every row."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from sheetbill.config import Config
from sheetbill.domain.model import Counters
from sheetbill.planning.invoices import plan_invoices
from sheetbill.state import StateDB
from sheetbill.state.invoices import invoice_from_json, invoice_to_json
from sheetbill.tabs.validation import validate_book
from sheetbill.testing import MemoryWorkbook
from sheetbill.usecases.rebuild_state import rebuild_state
from sheetbill.usecases.run import run_billing

from helpers import small_book, time_row

D = Decimal
AS_OF = date(2026, 11, 2)
ORDER = [date(2026, 10, 9), "C1", "Hosting", D(1), D(50), None, None, None]


def rows() -> list[list[object]]:
    return [
        time_row(date(2026, 10, 5), "Ann", "C1", D(2)),
        time_row(date(2026, 10, 1), "Ann", "C1", D(3)),
        time_row(date(2026, 10, 2), "Bob", "C2", D(1)),
    ]


def test_service_period_an_invoice_is_planned_with_the_first_and_last_day_it_bills():
    """Time and orders alike; one day for an invoice of one day's work."""
    data = validate_book(
        small_book(time_rows=rows(), order_rows=[ORDER]), today=AS_OF, billed={}
    )
    assert data.orders, data.problems
    invoices, _ = plan_invoices(
        customers=data.customers,
        entries=data.time_entries,
        orders=data.orders,
        settings=data.settings,
        today=AS_OF,
        counters=Counters({}, 0),
    )
    periods = {i.customer_id: i.service_period for i in invoices}
    assert periods == {
        "C1": (date(2026, 10, 1), date(2026, 10, 9)),
        "C2": (date(2026, 10, 2), date(2026, 10, 2)),
    }


def test_service_period_is_kept_with_the_invoice_and_older_records_load_without_it():
    data = validate_book(small_book(time_rows=rows()), today=AS_OF, billed={})
    [invoice, _] = plan_invoices(
        customers=data.customers,
        entries=data.time_entries,
        orders=(),
        settings=data.settings,
        today=AS_OF,
        counters=Counters({}, 0),
    )[0]
    stored = json.loads(invoice_to_json(invoice))
    assert stored["service_period"] == ["2026-10-01", "2026-10-05"]
    assert invoice_from_json(json.dumps(stored)) == invoice
    del stored["service_period"]
    assert invoice_from_json(json.dumps(stored)) == replace(
        invoice, service_period=None
    )


def test_service_period_state_rebuild_gives_each_invoice_the_days_of_its_rows(
    tmp_path: Path,
):
    workbook = MemoryWorkbook(small_book(time_rows=rows()))
    config = Config(documents=False)
    result = run_billing(
        workbook,
        config,
        state_path=tmp_path / "state.sqlite",
        as_of=AS_OF,
        is_dry_run=False,
    )
    made = {i.number: i.service_period for i in result.invoices}
    rebuild_state(workbook, config, state_path=tmp_path / "rebuilt.sqlite")
    with StateDB(tmp_path / "rebuilt.sqlite") as state:
        rebuilt = {i.number: i.service_period for i in state.invoices(list(made))}
        assert state.document_periods() == made
    assert rebuilt == made


def test_service_period_a_pdf_made_on_a_later_run_shows_the_days_of_its_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The PDF of C1's invoice fails on the run that bills it; the next run makes it,
    when its rows are billed and no longer among those waiting: it shows the same
    service period (and e-invoice delivery date) as if it had been made at once."""
    from sheetbill.documents import render

    real = render.render_pdf_bytes
    shown: dict[str, tuple[date, date] | None] = {}

    def failing_for_c1(document, templates=render.DEFAULT_TEMPLATES):  # type: ignore[no-untyped-def]
        if document.customer.customer_id == "C1":
            raise KeyError("a bug nobody foresaw")
        return real(document, templates)

    def remembered(document, templates=render.DEFAULT_TEMPLATES):  # type: ignore[no-untyped-def]
        shown[document.customer.customer_id] = document.service_period
        return real(document, templates)

    workbook = MemoryWorkbook(small_book(time_rows=rows()))
    state = tmp_path / "state.sqlite"
    monkeypatch.setattr(render, "render_pdf_bytes", failing_for_c1)
    first = run_billing(
        workbook, Config(), state_path=state, as_of=AS_OF, is_dry_run=False
    )
    assert first.pdfs_rendered == 1
    monkeypatch.setattr(render, "render_pdf_bytes", remembered)
    again = run_billing(
        workbook, Config(), state_path=state, as_of=AS_OF, is_dry_run=False
    )
    assert again.pdfs_rendered == 1 and not again.invoices
    assert shown == {"C1": (date(2026, 10, 1), date(2026, 10, 5))}
