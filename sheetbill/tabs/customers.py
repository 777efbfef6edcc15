"""The Customers tab: who is billed, in which currency, at which tax, and how.

Pure. A customer with an error is not read, so none of its rows are billed (each
names the customer as unknown); a warning leaves the customer billed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from stdnum import iban

from sheetbill.domain.cells import (
    MAX_TERMS_DAYS,
    parse_percent,
    parse_text,
    parse_yes_no,
)
from sheetbill.domain.model import Customer, Problem, Settings, Severity, TaxMode
from sheetbill.domain.money import is_currency
from sheetbill.domain.number_words import DAYS
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.sheet import CellValue
from sheetbill.domain.tax_category import parse_tax_category
from sheetbill.tabs.countries import read_country
from sheetbill.tabs.email_addresses import (
    has_line_break,
    line_break_problem,
    read_addresses,
)
from sheetbill.tabs.headers import missing_required
from sheetbill.tabs.rows import RowReader, TabLayout, locale_parser, number_parser


def read_customers(
    layout: TabLayout | None, settings: Settings
) -> tuple[dict[str, Customer], tuple[Problem, ...]]:
    """The usable customers by Customer ID, and the problems of every row."""
    customers: dict[str, Customer] = {}
    if layout is None:
        return customers, (
            Problem(
                code=ProblemCode.CUSTOMERS_NO_TAB,
                tab="Customers",
                row=None,
                column="",
                value="",
                problem="The workbook has no Customers tab.",
                fix="Run 'sheetbill init' on the workbook to add it.",
            ),
        )
    if missing_required(layout):
        return customers, ()
    problems: list[Problem] = []
    number = number_parser(settings, DAYS)
    for row in layout.table.rows:
        read = RowReader(layout, row, settings)
        customer_id = read.required_text("Customer ID")
        read.customer_id = customer_id or None
        name = read.required_text("Name")
        if customer_id in customers:
            read.fail(
                "Customer ID",
                f"Customer ID {customer_id} is used twice (first on row "
                f"{customers[customer_id].row}).",
                "Give each customer its own ID; this row is ignored until then.",
                code=ProblemCode.CUSTOMERS_DUPLICATE_ID,
            )
        currency = read.text("Currency").upper() or settings.default_currency
        if not is_currency(currency):
            read.fail(
                "Currency",
                "Currency is not an ISO 4217 currency code.",
                "Write a code such as EUR, USD or JPY.",
                code=ProblemCode.CUSTOMERS_BAD_CURRENCY,
            )
        email, cc, is_mailable = read_addresses(read)
        if has_line_break(name):
            line_break_problem(read, "Name")
            is_mailable = False
        tax_rate = read.parsed("Tax Rate", locale_parser(parse_percent, settings))
        terms = read.parsed("Terms Days", number)
        if terms is not None and (terms < 0 or terms != terms.to_integral_value()):
            read.fail(
                "Terms Days",
                "Terms Days is not a whole number of days.",
                "Write e.g. 30.",
                code=ProblemCode.CUSTOMERS_BAD_TERMS_DAYS,
            )
            terms = None
        elif terms is not None and terms > MAX_TERMS_DAYS:
            read.fail(
                "Terms Days",
                f"Terms Days is more than {MAX_TERMS_DAYS} days (ten years).",
                "Write the payment terms in days, e.g. 30.",
                code=ProblemCode.CUSTOMERS_BAD_TERMS_DAYS,
            )
            terms = None
        mode_text = read.text("Tax Mode").casefold()
        tax_mode = None
        if mode_text:
            modes = {m.value: m for m in TaxMode}
            tax_mode = modes.get(mode_text)
            if tax_mode is None:
                read.fail(
                    "Tax Mode",
                    "Tax Mode is not exclusive or inclusive.",
                    "Write exclusive or inclusive, or leave it blank for the Settings.",
                    code=ProblemCode.CUSTOMERS_BAD_TAX_MODE,
                )
        status = read.text("Status").casefold() or "active"
        if status not in ("active", "inactive"):
            read.fail(
                "Status",
                "Status is not active or inactive.",
                "Choose active or inactive.",
                severity=Severity.WARNING,
                code=ProblemCode.CUSTOMERS_BAD_STATUS,
            )
        reminders = read.parsed("Reminders", _on_off)
        tax_category = read.parsed("Tax Category", parse_tax_category)
        # Read before the row is judged: a text too long for any cell is an error.
        detail = {name: read.text(name) for name in _CUSTOMER_DETAILS}
        country = read_country(read)
        payer_names = _listed(read.text("Payer Names"))
        ibans = _ibans(read)
        if not read.ok:
            problems.extend(read.problems)
            continue
        problems.extend(read.problems)
        customers[customer_id] = Customer(
            row=row.number,
            customer_id=customer_id,
            name=name,
            email=email,
            cc=cc,
            address=detail["Street"],
            postcode=detail["Postcode"],
            city=detail["City"],
            country=country,
            currency=currency,
            tax_id=detail["Tax ID"],
            tax_rate=tax_rate,
            tax_mode=tax_mode,
            terms_days=None if terms is None else int(terms),
            language=detail["Language"].casefold() or "en",
            reminders=True if reminders is None else reminders,
            e_invoice=detail["E-Invoice"].casefold() or "none",
            buyer_reference=detail["Buyer Reference"],
            invoice_note=detail["Invoice Note"],
            owner=detail["Owner"],
            is_active=status != "inactive",
            tax_category=tax_category,
            is_mailable=is_mailable,
            payer_names=payer_names,
            ibans=ibans,
        )
    return customers, tuple(problems)


# Several names or IBANs in one cell: separated by ";" (or by line breaks; IBANs
# also by commas, which no IBAN holds).
_NAMES_APART = re.compile(r"[;\n]")
_IBANS_APART = re.compile(r"[;,\n]")


def _listed(text: str, apart: re.Pattern[str] = _NAMES_APART) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.strip() for p in apart.split(text) if p.strip()))


def _ibans(read: RowReader) -> tuple[str, ...]:
    """The valid IBANs of the IBAN cell, compact; the others are a warning and
    left out (python-stdnum checks the country's length and the check digits)."""
    valid: list[str] = []
    bad: list[str] = []
    for text in _listed(read.text("IBAN"), _IBANS_APART):
        number = iban.compact(text)
        if iban.is_valid(number):
            valid.append(number)
        else:
            bad.append(text)
    if bad:
        said = (
            f"IBAN {bad[0]} is not a valid IBAN: payments from it are"
            if len(bad) == 1
            else f"IBANs {', '.join(bad)} are not valid IBANs: payments from them are"
        )
        read.fail(
            "IBAN",
            f"{said} not recognised as this customer's.",
            "Correct the IBAN as the customer's bank writes it (e.g. DE89 3704 0044 "
            "0532 0130 00); separate several by ';'.",
            severity=Severity.WARNING,
            code=ProblemCode.CUSTOMERS_BAD_IBAN,
        )
    return tuple(dict.fromkeys(valid))


_CUSTOMER_DETAILS = (
    "Street",
    "Postcode",
    "City",
    "Tax ID",
    "Language",
    "E-Invoice",
    "Buyer Reference",
    "Invoice Note",
    "Owner",
)


def _on_off(value: CellValue) -> bool:
    text = parse_text(value).casefold()
    if text in ("on", "off"):
        return text == "on"
    return parse_yes_no(value)


def naming_broken_customers(
    problems: Sequence[Problem],
    customers: Mapping[str, Customer],
    customer_problems: Sequence[Problem],
) -> list[Problem]:
    """`problems` with each "no customer has the ID" told as what it is when a
    Customers row with that ID has an error: the customer is there, its row is not
    read until it is fixed (a person told the ID is unknown adds it twice)."""
    broken = {
        p.customer_id: p.row
        for p in customer_problems
        if p.severity is Severity.ERROR
        and p.customer_id
        and p.customer_id not in customers
    }
    if not broken:
        return list(problems)
    told = []
    for p in problems:
        customer_id = (p.customer_id or p.value).strip()
        if p.code in _UNKNOWN_CUSTOMER and customer_id in broken:
            p = replace(
                p,
                problem=f"Customer {customer_id}'s own row (Customers row "
                f"{broken[customer_id]}) has an error, so this row is not used.",
                fix="Fix the customer's row as its own exception says; this row is "
                "used once it reads.",
            )
        told.append(p)
    return told


_UNKNOWN_CUSTOMER = (
    ProblemCode.ROW_UNKNOWN_CUSTOMER,
    ProblemCode.RATES_UNKNOWN_CUSTOMER,
)
