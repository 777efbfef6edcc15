"""The headers of the tabs sheetbill writes are spelled once, in the schema's column
constants: the output tabs are built from them and the write-back names no header
itself, so a header renamed in the schema cannot leave a write behind."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sheetbill.domain import schema
from sheetbill.domain.schema import (
    ALL_TABS,
    EXCEPTIONS,
    INVOICE_LINES,
    INVOICES,
    LOG,
    ORDERS,
    TIME_LOG,
    BilledColumns,
    ExceptionColumns,
    InvoiceColumns,
    InvoiceLineColumns,
    LogColumns,
    Owner,
    TabSchema,
)

WRITEBACK = Path(schema.__file__).parents[1] / "writeback"


def constants(names: type) -> list[str]:
    return [v for k, v in vars(names).items() if k.isupper()]


@pytest.mark.parametrize(
    ("tab", "names"),
    [
        (INVOICES, InvoiceColumns),
        (INVOICE_LINES, InvoiceLineColumns),
        (EXCEPTIONS, ExceptionColumns),
        (LOG, LogColumns),
    ],
)
def test_output_tab_columns_are_their_constants_in_order(tab: TabSchema, names: type):
    assert [c.name for c in tab.columns] == constants(names)


@pytest.mark.parametrize("tab", [TIME_LOG, ORDERS])
def test_billed_columns_are_sheetbills_on_time_log_and_orders(tab: TabSchema):
    for name in constants(BilledColumns):
        assert tab.column(name).owner is Owner.SHEETBILL


def test_writeback_types_no_header_of_its_own():
    """Every string in writeback/ that is a tab's header or a tab's name: none."""
    headers = {c.name for t in ALL_TABS for c in t.columns} | {t.name for t in ALL_TABS}
    typed = [
        f"{path.name}:{node.lineno}: {node.value!r}"
        for path in sorted(WRITEBACK.glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and node.value in headers
    ]
    assert typed == []
