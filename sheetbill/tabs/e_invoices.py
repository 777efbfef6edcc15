"""What a customer's e-invoice profile needs from the Settings and Customers tabs.

Pure. Checked before any number is drawn: a customer whose Factur-X or XRechnung
invoice would lack what the official rules require (EN 16931; the XRechnung rules
BR-DE-*) gets an Exceptions row on the empty cell, and none of that customer's rows
are billed until it is filled in, so no invalid e-invoice is ever written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from stdnum.iso7064 import mod_97_10

from sheetbill.domain.countries import (
    country_code,
    country_of_vat_id,
    is_e_invoice_country,
)
from sheetbill.domain.model import (
    FACTUR_X,
    XRECHNUNG,
    Customer,
    Problem,
    Settings,
    Severity,
    e_invoice_profile,
)
from sheetbill.domain.money import is_currency, minor_units
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.tabs.settings import KEYS, setting_row
from sheetbill.tabs.validation import BookData

_NAMES = {FACTUR_X: "Factur-X", XRECHNUNG: "XRechnung"}
# A Leitweg-ID: coarse address (2-12 digits), fine address (up to 30 letters and
# digits, optional), two check digits (KoSIT, Format der Leitweg-ID 2.0.2).
LEITWEG_ID = re.compile(r"\d{2,12}(?:-[0-9A-Za-z]{1,30})?-\d{2}")


@dataclass(frozen=True, slots=True)
class EInvoiceGaps:
    """What keeps customers' e-invoices from being made, and whose rows wait."""

    problems: tuple[Problem, ...] = ()
    # Customers none of whose rows are billed until their problems are fixed.
    customers: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class _Need:
    """A Settings value a profile requires: its field, which rule asks, an example."""

    field: str
    what: str
    example: str
    profiles: tuple[str, ...]
    is_set: Callable[[Settings], bool] | None = None
    # Why a value that is there does not do (when `is_set` can refuse one).
    unfit: str = ""


_SELLER_NEEDS = (
    _Need("company_name", "your company's name (BT-27)", "", (FACTUR_X, XRECHNUNG)),
    _Need(
        "company_country",
        "your company's country (BT-40)",
        "DE",
        (FACTUR_X, XRECHNUNG),
        # A VAT number's prefix names it too.
        lambda s: (
            bool(country_code(s.company_country))
            or country_of_vat_id(s.company_tax_id) is not None
        ),
    ),
    _Need(
        "company_tax_id",
        "your VAT number (BT-31)",
        "DE123456789",
        (FACTUR_X, XRECHNUNG),
        lambda s: country_of_vat_id(s.company_tax_id) is not None,
        # EN 16931 BR-CO-26: a tax number alone does not identify the seller.
        "a tax number without a country prefix, which does not identify you to "
        "the buyer's software (EN 16931 BR-CO-26)",
    ),
    _Need("company_postcode", "your postcode (BT-38)", "10119", (XRECHNUNG,)),
    _Need("company_city", "your city (BT-37)", "Berlin", (XRECHNUNG,)),
    _Need("contact_name", "a contact name (BT-41)", "Accounts", (XRECHNUNG,)),
    _Need(
        "contact_phone",
        "a contact telephone number (BT-42)",
        "+49 30 1234567",
        (XRECHNUNG,),
    ),
    _Need(
        "contact_email",
        "a contact email address (BT-43)",
        "invoices@example.com",
        (XRECHNUNG,),
    ),
    _Need(
        "iban",
        "the account to pay into (payment instructions, BR-DE-1)",
        "DE89 3704 0044 0532 0130 00",
        (XRECHNUNG,),
    ),
)


def e_invoice_gaps(data: BookData) -> EInvoiceGaps:
    """An Exceptions row for each value an active customer's e-invoice profile
    needs and does not have, on its cell; those customers' rows wait.

    Seller values are Settings rows (all customers of the profile wait); buyer
    values are the customer's cells. An E-Invoice cell that names no profile is
    an error too: the customer asked for something sheetbill cannot make.
    """
    problems: list[Problem] = []
    held: set[str] = set()
    profiles: dict[str, list[Customer]] = {}
    customers_tab = _tab(data, "Customers")
    for customer in data.customers.values():
        if not customer.is_active:
            continue
        profile = e_invoice_profile(customer.e_invoice)
        if profile is None:
            held.add(customer.customer_id)
            problems.append(_unknown_profile(customers_tab, customer))
            continue
        if profile == "none":
            continue
        profiles.setdefault(profile, []).append(customer)
        found = _buyer_problems(data, customers_tab, customer, profile)
        problems.extend(found)
        if any(p.severity is Severity.ERROR for p in found):
            held.add(customer.customer_id)
    for need in _SELLER_NEEDS:
        waiting = [c for p in need.profiles for c in profiles.get(p, [])]
        if not waiting or _is_set(data.settings, need):
            continue
        held.update(c.customer_id for c in waiting)
        if need.field not in data.settings.unreadable:  # else reported already
            problems.append(_seller_problem(data, need, waiting))
    return EInvoiceGaps(tuple(problems), frozenset(held))


def _is_set(settings: Settings, need: _Need) -> bool:
    if need.is_set is not None:
        return need.is_set(settings)
    return bool(str(getattr(settings, need.field)).strip())


def _tab(data: BookData, schema_name: str) -> str:
    layout = data.layouts.get(schema_name)
    return layout.tab if layout is not None else schema_name


def _unknown_profile(tab: str, customer: Customer) -> Problem:
    return Problem(
        code=ProblemCode.E_INVOICE_UNKNOWN_KIND,
        tab=tab,
        row=customer.row,
        column="E-Invoice",
        value=customer.e_invoice,
        problem=f"E-Invoice '{customer.e_invoice}' is not an e-invoice sheetbill "
        "makes.",
        fix="Choose none, factur-x or xrechnung; none of this customer's rows are "
        "billed until then.",
        severity=Severity.ERROR,
        customer_id=customer.customer_id,
    )


def _buyer_problems(
    data: BookData, tab: str, customer: Customer, profile: str
) -> list[Problem]:
    name = _NAMES[profile]
    layout = data.layouts.get("Customers")
    wanted: list[tuple[str, str, str, str]] = []  # column, value, what, example
    country = country_code(customer.country) or country_of_vat_id(customer.tax_id)
    if not country or not is_e_invoice_country(country):
        wanted.append(
            ("Country", customer.country, "the buyer's country (BT-55)", "DE")
        )
    if profile == XRECHNUNG:
        wanted += [
            ("Postcode", customer.postcode, "the buyer's postcode (BT-53)", "10115"),
            ("City", customer.city, "the buyer's city (BT-52)", "Berlin"),
            (
                "Buyer Reference",
                customer.buyer_reference,
                "the buyer's reference (BT-10): a German public buyer's Leitweg-ID, "
                "else the reference the buyer gave you",
                "04011000-12345-03",
            ),
            (
                "Email",
                customer.email,
                "the buyer's electronic address (BT-49)",
                "invoices@example.com",
            ),
        ]
    problems = []
    for column, value, what, example in wanted:
        if column != "Country" and value.strip():
            continue
        has_column = layout is not None and layout.columns.has(column)
        if column == "Country" and country:
            problem = f"EN 16931's list of countries has no code for '{value}'"
            fix = "Write the buyer's billing country if it has another"
        elif column == "Country" and value.strip():
            problem = f"Country '{value}' is not a country sheetbill knows"
            fix = f"Write the two-letter country code, e.g. {example}"
        elif has_column:
            problem = f"{column} is empty"
            fix = f"Fill in {column}, e.g. {example}"
        else:
            problem = f"the Customers tab has no {column} column"
            fix = f"Add a {column} column to Customers and fill it in, e.g. {example}"
        problems.append(
            Problem(
                code=ProblemCode.E_INVOICE_BUYER_DETAIL_MISSING,
                tab=tab,
                row=customer.row,
                column=column,
                value=value,
                problem=f"Customer {customer.customer_id} gets {name} e-invoices, "
                f"which need {what}, but {problem}.",
                fix=f"{fix}, or set E-Invoice to none. None of this customer's rows "
                "are billed until then.",
                severity=Severity.ERROR,
                customer_id=customer.customer_id,
            )
        )
    if is_currency(customer.currency) and minor_units(customer.currency) > 2:
        problems.append(
            Problem(
                code=ProblemCode.E_INVOICE_CURRENCY_DECIMALS,
                tab=tab,
                row=customer.row,
                column="Currency",
                value=customer.currency,
                problem=f"Customer {customer.customer_id} gets {name} e-invoices, but "
                f"it is billed in {customer.currency}, whose amounts have "
                f"{minor_units(customer.currency)} decimals, and EN 16931 allows at "
                "most 2 (rules BR-DEC-01 to BR-DEC-28): such an e-invoice would be "
                "rejected.",
                fix="Set E-Invoice to none (the PDF shows the amounts as they are), or "
                "bill this customer in another currency. None of this customer's "
                "rows are billed until then.",
                severity=Severity.ERROR,
                customer_id=customer.customer_id,
            )
        )
    reference = customer.buyer_reference.strip()
    if (
        profile == XRECHNUNG
        and LEITWEG_ID.fullmatch(reference)
        and not mod_97_10.is_valid(reference.replace("-", "").upper())
    ):
        problems.append(
            Problem(
                code=ProblemCode.E_INVOICE_BAD_LEITWEG_ID,
                tab=tab,
                row=customer.row,
                column="Buyer Reference",
                value=reference,
                problem=f"Buyer Reference '{reference}' looks like a Leitweg-ID, but "
                "its check digits (the last two) do not match: the buyer's portal "
                "may not route the invoice.",
                fix="Copy the Leitweg-ID again from the buyer's order or letter.",
                severity=Severity.WARNING,
                customer_id=customer.customer_id,
            )
        )
    return problems


def _seller_problem(data: BookData, need: _Need, waiting: list[Customer]) -> Problem:
    layout = data.layouts.get("Settings")
    table = layout.table if layout is not None else None
    row = setting_row(table, need.field)
    key = next(k for k, f in KEYS.items() if f == need.field)
    names = sorted({_NAMES[p] for p in need.profiles if p in _profiles_of(waiting)})
    ids = [c.customer_id for c in waiting]
    shown = ", ".join(ids[:5]) + (" …" if len(ids) > 5 else "")
    value = str(getattr(data.settings, need.field))
    example = f", e.g. {need.example}" if need.example else ""
    fix = (
        f"Fill in the Value of '{key}'{example}"
        if row is not None
        else f"Add a row with Key '{key}' and its Value{example}"
    )
    if value.strip() and need.unfit:
        state = need.unfit
    else:
        state = "empty" if row is not None else "missing"
    return Problem(
        code=ProblemCode.E_INVOICE_SELLER_DETAIL_MISSING,
        tab=_tab(data, "Settings"),
        row=row,
        column="Value",
        value=value,
        problem=f"{' and '.join(names)} e-invoices need {need.what}, but the setting "
        f"'{key}' is {state}.",
        fix=f"{fix}. Until then the rows of {shown} are not billed.",
        severity=Severity.ERROR,
    )


def _profiles_of(customers: list[Customer]) -> set[str]:
    return {e_invoice_profile(c.e_invoice) or "none" for c in customers}
