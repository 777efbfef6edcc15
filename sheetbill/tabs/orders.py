"""The Orders tab: goods and fixed-price items sold, as the orders to bill.

Pure. An order is billed once it has a customer, a date that has come, a quantity
and a price (its own Unit Price, or a Rates row with Unit item); otherwise it waits,
with its problems.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from sheetbill.domain.cells import parse_date, parse_number, parse_percent, show
from sheetbill.domain.model import (
    BilledRow,
    Customer,
    Order,
    Problem,
    RateRule,
    Settings,
    Severity,
    SourceRow,
)
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.quantities import QUANTITY_DECIMALS, billed_quantity
from sheetbill.domain.rates import find_item_price
from sheetbill.domain.tax_category import parse_tax_category
from sheetbill.tabs.billable import (
    BillableRows,
    BillableTab,
    check_amount,
    check_not_future,
    customer_for,
)
from sheetbill.tabs.headers import missing_required
from sheetbill.tabs.rows import RowReader, TabLayout, locale_parser, money_parser


def read_orders(
    layout: TabLayout | None,
    settings: Settings,
    customers: Mapping[str, Customer],
    rates: Sequence[RateRule],
    *,
    today: date,
    billed: Mapping[str, BilledRow],
) -> tuple[BillableRows[Order], tuple[Problem, ...]]:
    """The orders to bill, the rows left waiting, and the problems; `billed` is the
    state's rows by Row ID, `rates` prices an item without a Unit Price."""
    if layout is None or missing_required(layout):
        return BillableRows(), ()
    tab: BillableTab[Order] = BillableTab(layout, settings, billed=billed, today=today)
    day = locale_parser(parse_date, settings)
    number = locale_parser(parse_number, settings)
    for read, row_id, print_ in tab.to_bill():
        ordered_on = read.parsed("Date", day, required=True)
        customer = customer_for(read, customers)
        item = read.required_text("Item")
        quantity = read.parsed("Quantity", number, required=True)
        if quantity is not None and quantity == 0:
            read.fail(
                "Quantity",
                "Quantity is 0.",
                "Write the quantity, or delete the row.",
                code=ProblemCode.ORDERS_ZERO_QUANTITY,
            )
        elif quantity is not None:
            _check_quantity_decimals(read, quantity, settings)
        currency = customer.currency if customer else settings.default_currency
        whose = (
            f"customer {customer.customer_id} is billed in {currency}"
            if customer
            else f"the Default Currency is {currency}"
        )
        unit_price = read.parsed("Unit Price", money_parser(settings, currency, whose))
        tax_rate = read.parsed("Tax Rate", locale_parser(parse_percent, settings))
        tax_category = read.parsed("Tax Category", parse_tax_category)
        check_not_future(read, ordered_on, today, "order")
        if unit_price is None and customer and item and ordered_on and read.ok:
            unit_price = _item_price(read, rates, customer, item, ordered_on)
        if quantity is not None and unit_price is not None and read.ok:
            check_amount(read, "Quantity", quantity, unit_price)
        description = read.text("Description")
        if (
            read.ok
            and customer
            and ordered_on
            and quantity is not None
            and unit_price is not None
        ):
            order = Order(
                source=SourceRow("Orders", read.row.number, row_id, print_),
                day=ordered_on,
                customer_id=customer.customer_id,
                item=item,
                quantity=quantity,
                unit_price=unit_price,
                tax_rate=tax_rate,
                description=description,
                tax_category=tax_category,
            )
            tab.keep(read, order)
        else:
            tab.hold(read, customer, ordered_on)
    return tab.found()


def _item_price(
    read: RowReader,
    rates: Sequence[RateRule],
    customer: Customer,
    item: str,
    on: date,
) -> Decimal | None:
    """The price of `item` from the Rates (Unit item), or None and the problem."""
    match = find_item_price(rates, customer_id=customer.customer_id, item=item, on=on)
    if match.rate is None:
        read.fail(
            "Unit Price",
            "Unit Price is empty and no Rates row prices this item.",
            "Fill in the Unit Price, or add a Rates row with Unit 'item' and "
            "the item's name in Activity.",
            code=ProblemCode.ORDERS_NO_PRICE,
        )
        return None
    return match.rate.rate


def _check_quantity_decimals(
    read: RowReader, quantity: Decimal, settings: Settings
) -> None:
    """An order quantity with more decimals than an invoice bills is a warning: the
    invoice prints and bills it rounded (`invoicing.billed_quantity`)."""
    billed = billed_quantity(quantity, settings.rounding)
    if billed != quantity:
        read.fail(
            "Quantity",
            f"Quantity has more than {QUANTITY_DECIMALS} decimals; the invoice "
            f"prints and bills it as {show(billed)}.",
            f"Type the quantity with at most {QUANTITY_DECIMALS} decimals (or round "
            "it in the cell) if that is not what you meant.",
            severity=Severity.WARNING,
            code=ProblemCode.ORDERS_QUANTITY_DECIMALS,
        )
