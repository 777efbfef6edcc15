"""Pending invoices survive in the state database in one stable JSON form."""

import json
from dataclasses import fields, is_dataclass, replace
from datetime import date
from decimal import Decimal
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


def _every_field(record: type) -> st.SearchStrategy:
    """`record` with a generated value in every field, defaults included, its
    strategies derived from the field types: a field added to Invoice, InvoiceLine,
    TaxBreakdown or SourceRow is generated without a change here."""
    hints = get_type_hints(record)
    names = [f.name for f in fields(record)] if is_dataclass(record) else record._fields
    return st.builds(record, **{name: _values_of(hints[name]) for name in names})


def _values_of(kind: Any) -> st.SearchStrategy:
    if kind is Decimal:
        # NaN is never equal to itself, and no amount is infinite.
        return st.decimals(allow_nan=False, allow_infinity=False)
    if get_origin(kind) is tuple:
        items = get_args(kind)
        if items[-1] is Ellipsis:  # tuple[X, ...]
            return st.lists(_values_of(items[0]), max_size=2).map(tuple)
        return st.tuples(*(_values_of(item) for item in items))
    if get_origin(kind) in (Union, UnionType):
        return st.one_of(*(_values_of(option) for option in get_args(kind)))
    if is_dataclass(kind) or hasattr(kind, "_fields"):
        return _every_field(kind)
    return st.from_type(kind)


# Nested invoices take a while to generate on a busy machine.
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_every_field(Invoice))
def test_invoice_json_round_trip_keeps_every_field_of_any_invoice(invoice):
    """Every field of an invoice, its lines, their sources and its tax breakdown
    survives the state database's JSON, exponents of amounts included."""
    stored = invoice_to_json(invoice)
    assert invoice_from_json(stored) == invoice
    assert invoice_to_json(invoice_from_json(stored)) == stored
