"""Pending invoices survive in the state database in one stable JSON form."""

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal

from sheetbill.domain.model import (
    Invoice,
    InvoiceKind,
    InvoiceLine,
    SourceRow,
    TaxBreakdown,
    TaxCategory,
    TaxMode,
)
from sheetbill.state.invoices import invoice_from_json, invoice_to_json

D = Decimal


def _invoice() -> Invoice:
    sources = (
        SourceRow("Time Log", 7, "T-000001", "ab12"),
        SourceRow("Orders", 3, "O-000002", "cd34"),
    )
    line = InvoiceLine(
        1,
        "Web – Dev",
        D(2),
        "hour",
        D(90),
        D(19),
        D(180),
        D("34.20"),
        D("214.20"),
        sources,
    )
    return Invoice(
        number="INV-2026-0001",
        kind=InvoiceKind.INVOICE,
        customer_id="C1",
        customer_name="Alpha",
        currency="EUR",
        issue_date=date(2026, 11, 2),
        due_date=date(2026, 11, 16),
        tax_mode=TaxMode.EXCLUSIVE,
        lines=(line,),
        net=D(180),
        tax=D("34.20"),
        total=D("214.20"),
        breakdown=(TaxBreakdown(D(19), D(180), D("34.20")),),
        work_complete=None,
    )


def test_invoice_json_round_trip_keeps_every_field():
    invoice = _invoice()
    assert invoice_from_json(invoice_to_json(invoice)) == invoice


def test_a_line_keeps_its_vat_category_and_older_records_load_without_one():
    invoice = _invoice()
    [line] = invoice.lines
    reverse = replace(
        invoice, lines=(replace(line, tax_category=TaxCategory.REVERSE_CHARGE),)
    )
    stored = json.loads(invoice_to_json(reverse))
    assert stored["lines"][0]["tax_category"] == "AE"
    assert invoice_from_json(json.dumps(stored)) == reverse
    del stored["lines"][0]["tax_category"]
    assert invoice_from_json(json.dumps(stored)).lines[0].tax_category is None


def test_source_rows_are_stored_as_named_fields_as_in_earlier_state_files():
    stored = json.loads(invoice_to_json(_invoice()))
    assert stored["lines"][0]["sources"][0] == {
        "tab": "Time Log",
        "row": 7,
        "row_id": "T-000001",
        "fingerprint": "ab12",
    }
