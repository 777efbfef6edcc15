"""What the invoices about to be made must say by law, and whether each line's VAT
category can be stated right.

Pure. EU VAT directive art. 226: an invoice that charges VAT shows the seller's VAT
number (item 3), and one that charges none says why — the exemption, reverse charge,
intra-community supply or export (items 11, 11a), under reverse charge with the
buyer's VAT number too (item 4). The VAT category of each line comes from
`tax_category`; the PDF prints its statement and e-invoices carry it. Most findings
are warnings and the invoices are still made; a line whose category cannot be stated
right is an error that holds its rows before any number is drawn: a 0 % e-invoice
line with no category, reverse charge without the buyer's VAT ID, a Tax Category
that contradicts the Tax Rate typed beside it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from sheetbill.domain.model import (
    Customer,
    Order,
    Problem,
    Severity,
    SourceRow,
    TaxCategory,
    TimeEntry,
)
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.tax_category import (
    CATEGORY_NAMES,
    CHOICES_TEXT,
    LineTax,
    line_tax,
    why_undecided,
)
from sheetbill.tabs.rows import TabLayout
from sheetbill.tabs.settings import key_row
from sheetbill.tabs.validation import BookData

_ZERO = Decimal(0)
R = TypeVar("R", TimeEntry, Order)
_NEEDS_BUYER_VAT_ID = {
    TaxCategory.REVERSE_CHARGE: "BR-AE-02",
    TaxCategory.INTRA_COMMUNITY: "BR-IC-02",
}
_E_INVOICES = {"factur-x": "Factur-X", "facturx": "Factur-X", "zugferd": "Factur-X"}
_E_INVOICES["xrechnung"] = "XRechnung"


@dataclass(frozen=True, slots=True)
class LegalCheck:
    """The legal findings about the invoices to be made, and the rows they hold."""

    problems: tuple[Problem, ...] = ()
    # Customers none of whose rows are billed (the error is on the customer's row).
    customers: frozenset[str] = frozenset()
    # (schema tab, sheet row) of orders that are not billed (the error names them).
    rows: frozenset[tuple[str, int]] = frozenset()

    def allows(self, source: SourceRow, customer_id: str) -> bool:
        """Whether a billable row may be billed."""
        return customer_id not in self.customers and (
            (source.tab, source.row) not in self.rows
        )

    def allowed(self, rows: Sequence[R]) -> list[R]:
        """The time entries or orders that may be billed."""
        if not self.customers and not self.rows:
            return list(rows)
        return [r for r in rows if self.allows(r.source, r.customer_id)]

    def held(self, rows: Iterable[TimeEntry | Order]) -> list[tuple[str, int]]:
        """(tab, sheet row) of the time entries or orders that may not be billed."""
        if not self.customers and not self.rows:
            return []
        return [
            (r.source.tab, r.source.row)
            for r in rows
            if not self.allows(r.source, r.customer_id)
        ]


def legal_problems(data: BookData) -> list[Problem]:
    """The problems of `legal_check`, for callers that hold no rows."""
    return list(legal_check(data).problems)


def legal_check(data: BookData) -> LegalCheck:
    """Warnings and errors about tax on the invoices to be made, judged per active
    customer (from its own rate and category, so a finding stays open while its
    cause lasts, not only while rows wait) and per order about to be billed with a
    Tax Rate or Tax Category of its own.

    Warnings: a 0 % line that neither a Tax Category, the countries (`tax_category.
    derived_category`) nor an Invoice Note explains; an exempt one with no Invoice
    Note naming the exemption; customers falling back to a Default Tax Rate the
    Settings lack; VAT charged or reverse charge used while the Settings have no
    Company Tax ID. Errors, holding the customer's rows or the order: see the module.
    """
    settings = data.settings
    layout = data.layouts.get("Settings")
    has_default = key_row(layout.table if layout else None, "default_tax_rate")
    is_default_known = "default_tax_rate" not in settings.unreadable
    found = _Findings(data)
    for customer in data.customers.values():
        if not customer.is_active:
            continue
        is_default = customer.tax_rate is None and customer.tax_category in (
            None,
            TaxCategory.STANDARD,
        )
        if is_default and not is_default_known:
            continue  # rests on an unreadable Default Tax Rate, reported on its own
        tax = line_tax(customer, settings)
        found.judge(customer, tax, None, quiet=is_default and has_default is None)
    for order in data.orders:
        if order.tax_rate is None and order.tax_category is None:
            continue  # taxed as its customer, judged above
        customer = data.customers[order.customer_id]
        tax = line_tax(customer, settings, order.tax_rate, order.tax_category)
        found.judge(customer, tax, order)
    problems = found.problems
    if (found.is_taxed or found.needs_seller_vat_id) and not settings.company_tax_id:
        problems.append(_no_tax_id(data.layouts, found.is_taxed))
    return LegalCheck(
        tuple(problems), frozenset(found.held_customers), frozenset(found.held_rows)
    )


@dataclass
class _Findings:
    """The problems found so far, one per cell, and the rows they hold."""

    data: BookData
    problems: list[Problem] = field(default_factory=list)
    held_customers: set[str] = field(default_factory=set)
    held_rows: set[tuple[str, int]] = field(default_factory=set)
    is_taxed: bool = False
    needs_seller_vat_id: bool = False
    _cells: set[tuple[str, int, str]] = field(default_factory=set)

    def judge(
        self,
        customer: Customer,
        tax: LineTax,
        order: Order | None,
        *,
        quiet: bool = False,
    ) -> None:
        """The findings about the lines of `customer` (order None) or of `order`
        taxed as `tax`; `quiet`: no warning that only repeats the missing rate's."""
        own_rate = customer.tax_rate if order is None else order.tax_rate
        own = customer.tax_category if order is None else order.tax_category
        category = tax.category
        if tax.rate > _ZERO:
            self.is_taxed = True
        if category in _NEEDS_BUYER_VAT_ID:
            self.needs_seller_vat_id = True
        contradiction = _contradiction(own, own_rate, tax)
        if contradiction is not None:
            self.error(
                customer,
                order,
                "Tax Category",
                *contradiction,
                code=ProblemCode.TAX_CATEGORY_CONTRADICTS_RATE,
            )
        elif category is None:
            self.unexplained(customer, order, quiet=quiet)
        elif category in _NEEDS_BUYER_VAT_ID and not customer.tax_id.strip():
            name, rule = CATEGORY_NAMES[category], _NEEDS_BUYER_VAT_ID[category]
            self.hold(customer, order)
            self.add(
                customer,
                None,
                "Tax ID",
                f"Customer {customer.customer_id} is billed under {name}, which needs "
                "the buyer's VAT ID on the invoice (VAT directive art. 226(4); EN "
                f"16931 {rule}), but its Tax ID is empty.",
                "Fill in the customer's VAT ID, e.g. FR40123456789 (or choose "
                f"another Tax Category if {name} does not apply).",
                Severity.ERROR,
                code=ProblemCode.TAX_NO_BUYER_VAT_ID,
            )
        elif category is TaxCategory.EXEMPT and not customer.invoice_note.strip():
            self.add(
                customer,
                None,
                "Invoice Note",
                f"Customer {customer.customer_id} is billed as exempt from VAT, but no "
                "Invoice Note names the exemption; the invoice must refer to the "
                "provision that exempts it (VAT directive art. 226(11)).",
                "Fill in Invoice Note with the sentence to print, e.g. 'Exempt from "
                "VAT under Art. 132(1)(i) Directive 2006/112/EC' or your national "
                "rule ('Kein Ausweis von Umsatzsteuer: Kleinunternehmer, § 19 UStG').",
                Severity.WARNING,
                code=ProblemCode.TAX_EXEMPT_WITHOUT_NOTE,
            )

    def unexplained(
        self, customer: Customer, order: Order | None, *, quiet: bool
    ) -> None:
        """A 0 % line no category explains: an error for e-invoices (the buyer's
        software books the category), else a warning unless an Invoice Note says
        why."""
        settings = self.data.settings
        what = (
            f"Customer {customer.customer_id}"
            if order is None
            else f"This order of customer {customer.customer_id}"
        )
        why = why_undecided(customer, settings)
        choose = f"Choose the Tax Category ({CHOICES_TEXT})"
        profile = _E_INVOICES.get(customer.e_invoice.strip().casefold(), "")
        if profile:
            self.error(
                customer,
                order,
                "Tax Category",
                f"{what} gets {profile} e-invoices at 0 % tax, but no Tax Category "
                "says why, and sheetbill cannot tell from the data: "
                f"{why}. An e-invoice states the VAT category for the buyer's "
                "software to book.",
                f"{choose}; for exempt, name the law in the Invoice Note. Or give "
                "it a Tax Rate above 0.",
                code=ProblemCode.TAX_E_INVOICE_WITHOUT_CATEGORY,
            )
        elif not quiet and not customer.invoice_note.strip():
            self.add(
                customer,
                order,
                "Tax Category",
                f"{what} is billed at 0 % tax, but neither a Tax Category nor an "
                f"Invoice Note says why ({why}); an invoice without tax must state "
                "the reason.",
                f"{choose}: the invoice then prints the legal statement. Or write "
                "the reason in the customer's Invoice Note.",
                Severity.WARNING,
                code=ProblemCode.TAX_ZERO_RATE_UNEXPLAINED,
            )

    def error(
        self,
        customer: Customer,
        order: Order | None,
        column: str,
        problem: str,
        fix: str,
        *,
        code: ProblemCode,
    ) -> None:
        self.hold(customer, order)
        self.add(customer, order, column, problem, fix, Severity.ERROR, code=code)

    def hold(self, customer: Customer, order: Order | None) -> None:
        if order is None:
            self.held_customers.add(customer.customer_id)
        else:
            self.held_rows.add((order.source.tab, order.source.row))

    def add(
        self,
        customer: Customer,
        order: Order | None,
        column: str,
        problem: str,
        fix: str,
        severity: Severity,
        *,
        code: ProblemCode,
    ) -> None:
        """One problem per cell: on the order's row, else on the customer's."""
        if order is None:
            tab, row = "Customers", customer.row
        else:
            tab, row = "Orders", order.source.row
        cell = (tab, row, column)
        if cell in self._cells:
            return
        self._cells.add(cell)
        layout = self.data.layouts.get(tab)
        value = _shown(customer, order, column)
        self.problems.append(
            Problem(
                code=code,
                tab=layout.tab if layout else tab,
                row=row,
                column=column,
                value=value,
                problem=problem,
                fix=fix,
                severity=severity,
                customer_id=customer.customer_id,
            )
        )


def _shown(customer: Customer, order: Order | None, column: str) -> str:
    """The cell's value as the Exceptions row shows it."""
    category = customer.tax_category if order is None else order.tax_category
    if column == "Tax Category":
        return CATEGORY_NAMES[category] if category else ""
    if column == "Tax ID":
        return customer.tax_id
    return customer.invoice_note if column == "Invoice Note" else ""


def _contradiction(
    own: TaxCategory | None, own_rate: Decimal | None, tax: LineTax
) -> tuple[str, str] | None:
    """(problem, fix) when a Tax Category contradicts the rate typed beside it, or
    standard comes to 0 %."""
    if own is TaxCategory.STANDARD and tax.rate <= _ZERO:
        return (
            f"Tax Category is standard, but the tax rate is {tax.rate} %: standard-"
            "rated lines charge VAT (EN 16931 BR-S-05).",
            "Type the rate in Tax Rate (e.g. 19), or choose the category that "
            f"explains 0 %: {CHOICES_TEXT}.",
        )
    if own not in (None, TaxCategory.STANDARD) and own_rate and own_rate > _ZERO:
        name = CATEGORY_NAMES[own]
        return (
            f"Tax Category is {name}, but Tax Rate is {own_rate} %: {name} lines "
            "charge no VAT.",
            f"Clear the Tax Rate (a {name} line is billed at 0 %), or clear the Tax "
            f"Category to charge {own_rate} %.",
        )
    return None


def _no_tax_id(layouts: Mapping[str, TabLayout], is_taxed: bool) -> Problem:
    layout = layouts.get("Settings")
    row = key_row(layout.table if layout else None, "company_tax_id")
    what = (
        "Tax is charged on the invoices being made"
        if is_taxed
        else "Invoices under reverse charge or intra-community supply are being made"
    )
    return Problem(
        code=ProblemCode.TAX_NO_SELLER_VAT_ID,
        tab=layout.tab if layout else "Settings",
        row=row,
        column="Value",
        value="",
        problem=f"{what}, but the setting 'Company Tax ID' is empty; such an invoice "
        "must show the seller's VAT number (VAT directive art. 226(3)).",
        fix="Fill in its Value with your VAT number, e.g. DE123456789"
        + ("." if row is not None else " (add a row with Key 'Company Tax ID')."),
        severity=Severity.WARNING,
    )
