"""Warnings about what the invoices about to be made must say by law.

Pure. EU VAT directive art. 226: an invoice that charges VAT shows the seller's VAT
number (item 3), and one that charges none says why — the exemption or reverse charge
(items 11 and 11a). sheetbill cannot know the reason; it asks for it in the customer's
Invoice Note, which every invoice of that customer prints (and e-invoices carry as
the VAT exemption reason). Both are warnings: the invoices are still made.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal

from sheetbill.model import Customer, Problem, Severity
from sheetbill.rowreader import TabLayout
from sheetbill.settings import key_row
from sheetbill.validation import BookData

_ZERO = Decimal(0)


def legal_problems(data: BookData) -> list[Problem]:
    """A warning per active customer billed at 0 % without an Invoice Note, one when
    tax is charged while the Settings have no Company Tax ID.

    Judged from each active customer's tax rate, so a warning stays open while its
    cause lasts (not only while rows wait), and from the orders about to be billed
    at a rate of their own.
    """
    settings = data.layouts.get("Settings")
    has_default = key_row(settings.table if settings else None, "default_tax_rate")
    zero_rated: dict[str, Customer] = {}
    is_taxed = False
    for customer, rate, is_default in _rates_charged(data):
        if rate > _ZERO:
            is_taxed = True
        elif is_default and has_default is None:
            continue  # no rate was ever typed: its rows are held (no_tax_rate.py)
        elif rate == _ZERO:
            zero_rated.setdefault(customer.customer_id, customer)
    problems = [
        Problem(
            "Customers",
            customer.row,
            "Invoice Note",
            "",
            f"Customer {customer.customer_id} is billed at 0 % tax, but no Invoice "
            "Note says why; an invoice without tax must state the reason.",
            "Fill in Invoice Note with the sentence to print, e.g. 'Reverse charge: "
            "VAT to be accounted for by the recipient (Art. 196 Directive "
            "2006/112/EC)', or the exemption that applies.",
            Severity.WARNING,
            customer.customer_id,
        )
        for customer in zero_rated.values()
        if not customer.invoice_note
    ]
    if is_taxed and not data.settings.company_tax_id:
        problems.append(_no_tax_id(data.layouts))
    return problems


def _rates_charged(data: BookData) -> Iterator[tuple[Customer, Decimal, bool]]:
    """(customer, tax rate, whether it is the Default Tax Rate) of each active
    customer and of each order about to be billed at a rate of its own; a rate that
    rests on an unreadable Default Tax Rate is left out (reported on its own)."""
    settings, customers = data.settings, data.customers
    is_default_known = "default_tax_rate" not in settings.unreadable
    for customer in customers.values():
        if not customer.is_active:
            continue
        if customer.tax_rate is not None:
            yield customer, customer.tax_rate, False
        elif is_default_known:
            yield customer, settings.default_tax_rate, True
    for order in data.orders:
        if order.tax_rate is not None:
            yield customers[order.customer_id], order.tax_rate, False


def _no_tax_id(layouts: Mapping[str, TabLayout]) -> Problem:
    layout = layouts.get("Settings")
    row = key_row(layout.table if layout else None, "company_tax_id")
    return Problem(
        layout.tab if layout else "Settings",
        row,
        "Value",
        "",
        "Tax is charged on the invoices being made, but the setting 'Company Tax "
        "ID' is empty; an invoice that charges VAT must show the seller's VAT number.",
        "Fill in its Value with your VAT number, e.g. DE123456789"
        + (
            "."
            if row is not None
            else " (add a row with Key 'Company Tax ID'; 'sheetbill init' on the "
            "workbook adds it)."
        ),
        Severity.WARNING,
    )
