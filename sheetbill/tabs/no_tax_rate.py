"""Rows no tax rate applies to: held, never billed at a 0 % nobody typed.

Pure. A row's tax rate is the order's own Tax Rate, else its customer's, else the
Settings' Default Tax Rate (docs/decisions.md, "Which tax rate"). A Default Tax Rate
row that is empty or unreadable stops all invoicing (sheetbill/settings.py); here is
the workbook with no such row at all: the rows that would need it are held, with an
error on each such customer's Tax Rate cell, and every other row is billed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sheetbill.domain.model import Customer, Order, Problem, TaxCategory, TimeEntry
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.tabs.rows import TabLayout
from sheetbill.tabs.settings import key_row

_STANDARD = (None, TaxCategory.STANDARD)

DEFAULT_KEY = "Default Tax Rate"


@dataclass(frozen=True, slots=True)
class WithoutTaxRate:
    """The rows kept for billing, the rows held, and one error per customer."""

    entries: tuple[TimeEntry, ...]
    orders: tuple[Order, ...]
    held: tuple[tuple[str, int], ...] = ()
    problems: tuple[Problem, ...] = ()


def hold_rows_without_tax_rate(
    layouts: Mapping[str, TabLayout],
    customers: Mapping[str, Customer],
    entries: Sequence[TimeEntry],
    orders: Sequence[Order],
) -> WithoutTaxRate:
    """Hold each time entry of a customer without a Tax Rate, and each order without
    a Tax Rate of its own for such a customer, while the Settings tab has no Default
    Tax Rate row; one error on the Tax Rate cell of each customer so held.

    Nothing is held without a Settings tab (that stops all invoicing already) or when
    the row exists (an empty or unreadable one stops all invoicing on its own).
    """
    settings = layouts.get("Settings")
    if settings is None or key_row(settings.table, "default_tax_rate") is not None:
        return WithoutTaxRate(tuple(entries), tuple(orders))

    def needs_default(customer_id: str) -> bool:
        # A Tax Category that charges no VAT (reverse charge, export ...) is a rate.
        customer = customers[customer_id]
        return customer.tax_rate is None and customer.tax_category in _STANDARD

    def has_own_rate(order: Order) -> bool:
        return order.tax_rate is not None or order.tax_category not in _STANDARD

    kept_entries = [e for e in entries if not needs_default(e.customer_id)]
    kept_orders = [
        o for o in orders if has_own_rate(o) or not needs_default(o.customer_id)
    ]
    held = [
        *((e.customer_id, e.source) for e in entries if needs_default(e.customer_id)),
        *(
            (o.customer_id, o.source)
            for o in orders
            if not has_own_rate(o) and needs_default(o.customer_id)
        ),
    ]
    layout = layouts.get("Customers")
    return WithoutTaxRate(
        tuple(kept_entries),
        tuple(kept_orders),
        tuple((source.tab, source.row) for _, source in held),
        tuple(
            _no_rate(layout, customers[customer_id])
            for customer_id in dict.fromkeys(customer_id for customer_id, _ in held)
        ),
    )


def _no_rate(layout: TabLayout | None, customer: Customer) -> Problem:
    return Problem(
        code=ProblemCode.TAX_NO_RATE,
        tab=layout.tab if layout else "Customers",
        row=customer.row,
        column="Tax Rate",
        value="",
        problem=f"Customer {customer.customer_id} has no Tax Rate and the Settings "
        f"have no '{DEFAULT_KEY}' row, so no tax rate applies to its work (nor to its "
        "orders without a Tax Rate of their own): they are not billed.",
        fix="Fill in this customer's Tax Rate in percent, e.g. 19 (0 if you charge "
        "it no tax; then say why in its Invoice Note). Or add a row with Key "
        f"'{DEFAULT_KEY}' to the Settings, for every customer without a rate of its "
        "own ('sheetbill init' on the workbook adds the row, for you to fill in).",
        customer_id=customer.customer_id,
    )
