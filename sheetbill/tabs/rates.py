"""The Rates tab: the rates that price work, and the rows set aside with why.

Pure. A row with an error prices nothing; it is kept with its reason, so that a time
entry it would have priced names it ("Rates row 4 matches, but it is in USD").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from sheetbill.domain.cells import parse_date
from sheetbill.domain.model import Customer, Problem, RateRule, Settings, Severity
from sheetbill.domain.money import is_currency
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.rates import SetAsideRate, item_rate_set_aside
from sheetbill.domain.sheet import CellValue
from sheetbill.tabs.headers import missing_required
from sheetbill.tabs.rows import RowReader, TabLayout, locale_parser, money_parser


@dataclass(frozen=True, slots=True)
class RateRows:
    """What the Rates tab holds: the usable rates, and the rows with an error."""

    rates: tuple[RateRule, ...] = ()
    # Rows with an error, with why they price nothing: a time entry they would have
    # priced names them.
    set_aside: tuple[SetAsideRate, ...] = ()


def read_rates(
    layout: TabLayout | None,
    settings: Settings,
    customers: Mapping[str, Customer],
) -> tuple[RateRows, tuple[Problem, ...]]:
    """The usable Rates rows and those set aside, and the problems of every row."""
    if layout is None or missing_required(layout):
        return RateRows(), ()
    rates: list[RateRule] = []
    set_aside: list[SetAsideRate] = []
    problems: list[Problem] = []
    day = locale_parser(parse_date, settings)
    for row in layout.table.rows:
        read = RowReader(layout, row, settings)
        customer_id = read.text("Customer ID")
        read.customer_id = customer_id or None
        if customer_id and customer_id not in customers:
            read.fail(
                "Customer ID",
                f"No customer has the ID {customer_id}.",
                "Use an ID from the Customers tab, or leave it blank for a default "
                "rate.",
                code=ProblemCode.RATES_UNKNOWN_CUSTOMER,
            )
        rate = read.parsed(
            "Rate", _rate_money(read, settings, customers, customer_id), required=True
        )
        if rate is not None and rate < 0:
            read.fail(
                "Rate",
                "Rate is negative.",
                "Write the rate as a positive amount.",
                code=ProblemCode.RATES_NEGATIVE_RATE,
            )
        unit = read.text("Unit").casefold() or "hour"
        if unit not in ("hour", "day", "item"):
            read.fail(
                "Unit",
                "Unit is not hour, day or item.",
                "Choose hour, day or item.",
                code=ProblemCode.RATES_BAD_UNIT,
            )
        currency = read.text("Currency").upper()
        if currency and not is_currency(currency):
            read.fail(
                "Currency",
                "Currency is not an ISO 4217 currency code.",
                "Write a code such as EUR, or leave it blank for the customer's "
                "currency.",
                code=ProblemCode.RATES_BAD_CURRENCY,
            )
        elif (
            currency
            and customer_id in customers
            and customers[customer_id].currency != currency
        ):
            read.fail(
                "Currency",
                f"Currency {currency} differs from the customer's currency "
                f"{customers[customer_id].currency}.",
                "Make the rate's currency match the customer's, or leave it blank.",
                code=ProblemCode.RATES_CURRENCY_DIFFERS,
            )
        valid_from = read.parsed("Valid From", day)
        valid_to = read.parsed("Valid To", day)
        if valid_from and valid_to and valid_to < valid_from:
            read.fail(
                "Valid To",
                "Valid To is before Valid From.",
                "Swap or correct the dates.",
                code=ProblemCode.RATES_DATES_REVERSED,
            )
        project, person = read.text("Project"), read.text("Person")
        activity = read.text("Activity")
        problems.extend(read.problems)
        rule = RateRule(
            row=row.number,
            rate=Decimal(0) if rate is None else rate,
            unit=unit,
            customer_id=customer_id,
            project=project,
            person=person,
            activity=activity,
            currency=currency,
            valid_from=valid_from,
            valid_to=valid_to,
        )
        if read.ok and rate is not None:
            rates.append(rule)
        else:
            set_aside.append(
                _set_aside(rule, read, customers, has_rate=rate is not None)
            )
    return RateRows(tuple(rates), tuple(set_aside)), tuple(problems)


def _set_aside(
    rule: RateRule,
    read: RowReader,
    customers: Mapping[str, Customer],
    *,
    has_rate: bool,
) -> SetAsideRate:
    """A Rates row with an error, as the reason it prices no time: its Unit item,
    another currency than its customer's, or else its first error."""
    if rule.unit == "item":
        return replace(item_rate_set_aside(rule), has_rate=has_rate)
    errors = [p for p in read.problems if p.severity is Severity.ERROR]
    customer = customers.get(rule.customer_id)
    if len(errors) == 1 and customer and rule.currency not in ("", customer.currency):
        billed_in = customer.currency
        return SetAsideRate(
            rule,
            f"it is in {rule.currency} while customer {customer.customer_id} is "
            f"billed in {billed_in}",
            f"If the rate of Rates row {rule.row} is in {billed_in}, set its Currency "
            f"to {billed_in} or leave it blank; otherwise add a {billed_in} rate for "
            "this work (sheetbill never converts currencies).",
            has_rate=has_rate,
        )
    first = errors[0].problem.rstrip(".") if errors else "it cannot be read"
    return SetAsideRate(
        rule,
        f"it has a problem of its own ({first})",
        f"Fix Rates row {rule.row} as its own row in Exceptions says.",
        has_rate=has_rate,
    )


def _rate_money(
    read: RowReader,
    settings: Settings,
    customers: Mapping[str, Customer],
    customer_id: str,
) -> Callable[[CellValue], Decimal]:
    """The Rate cell's parser: the rate's currency may stand beside the number (its
    Currency, else its customer's, else the Settings' Default Currency)."""
    currency = read.text("Currency").upper()
    if is_currency(currency):
        return money_parser(settings, currency, f"the row's Currency is {currency}")
    customer = customers.get(customer_id)
    if customer is not None:
        billed = f"customer {customer_id} is billed in {customer.currency}"
        return money_parser(settings, customer.currency, billed)
    currency = settings.default_currency
    return money_parser(settings, currency, f"the Default Currency is {currency}")


def rate_currency(rate: RateRule, settings: Settings) -> str:
    """A rate's currency. Blank means the customer's currency on a rate that names a
    customer, and the Settings' default currency on a default rate."""
    if rate.currency:
        return rate.currency
    if rate.customer_id:
        return ""  # the customer's own, whatever it is
    return settings.default_currency
