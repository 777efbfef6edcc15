"""The Invoice Lines tab's writes: a row per line of each invoice."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sheetbill.domain.model import Invoice
from sheetbill.domain.schema import InvoiceLineColumns
from sheetbill.writeback.writer import TabWriter, in_minor_units


def append_lines(writer: TabWriter, invoices: Sequence[Invoice]) -> None:
    """The rows of every line of these invoices, in order."""
    for invoice in invoices:
        money = in_minor_units(invoice.currency)
        for line in invoice.lines:
            writer.append(
                {
                    InvoiceLineColumns.INVOICE_NO: invoice.number,
                    InvoiceLineColumns.LINE: Decimal(line.line),
                    InvoiceLineColumns.SOURCE: line.source_text,
                    InvoiceLineColumns.DESCRIPTION: line.description,
                    InvoiceLineColumns.QUANTITY: line.quantity,
                    InvoiceLineColumns.UNIT: line.unit,
                    InvoiceLineColumns.UNIT_PRICE: money(line.unit_price),
                    InvoiceLineColumns.TAX_RATE: line.tax_rate,
                    InvoiceLineColumns.NET: money(line.net),
                    InvoiceLineColumns.TAX: money(line.tax),
                    InvoiceLineColumns.TOTAL: money(line.total),
                },
                row_key=invoice.number,
            )
