"""What keeps rows, or all invoicing, back before any number is drawn, judged the
same way by `check` and by `run`: text no font prints, e-invoices that would lack
what their profile requires, the seller's missing details, a setting every invoice
needs that cannot be read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sheetbill.config import Config
from sheetbill.domain.model import Problem, Settings, Severity
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.recurring import RECURRING_TAB, Plan
from sheetbill.tabs.e_invoices import e_invoice_gaps
from sheetbill.tabs.legal import LegalCheck
from sheetbill.tabs.printable import UnprintableText, unprintable_cells
from sheetbill.tabs.seller import missing_seller_details, seller_problems
from sheetbill.tabs.settings import INVOICE_SETTINGS
from sheetbill.tabs.validation import BookData


def unprintable_text(data: BookData, config: Config) -> UnprintableText:
    """The cells no font of sheetbill can print, and the customers whose e-invoices
    lack what their profile requires: both hold rows back before any number is
    drawn. None when no PDFs (nor e-invoices) are made."""
    if not config.documents:
        return UnprintableText()
    from sheetbill.documents.fonts import printable_characters

    found = unprintable_cells(data, printable_characters())
    gaps = e_invoice_gaps(data)
    if not gaps.problems and not gaps.customers:
        return found
    return replace(
        found,
        problems=(*found.problems, *gaps.problems),
        customers=found.customers | gaps.customers,
    )


def blocking_problems(data: BookData) -> list[Problem]:
    """The seller's missing name or address (no invoice goes out without them) and
    the warning that invoices give no bank details. A Number Pattern that cannot make
    numbers is refused where Settings are read (it is then unreadable)."""
    return seller_problems(data.settings, data.layouts.get("Settings"))


def is_invoicing_blocked(settings: Settings) -> bool:
    """No invoice is made while a setting every invoice needs cannot be read (Number
    Pattern among them) or the seller's name or address is missing. Decided from the
    settings themselves, never from a message's words."""
    return bool(settings.unreadable & INVOICE_SETTINGS) or bool(
        missing_seller_details(settings)
    )


def held_rows(*found: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """The rows held back by any exception, each once."""
    return list(dict.fromkeys(row for rows in found for row in rows))


def valid_rows(data: BookData) -> list[tuple[str, int]]:
    """(tab, sheet row) of every billable time entry and order."""
    return [
        (s.tab, s.row)
        for s in (
            *(e.source for e in data.time_entries),
            *(o.source for o in data.orders),
        )
    ]


@dataclass(frozen=True, slots=True)
class HeldPlans:
    """The active plans that bill nothing this run, and why (a warning on each plan
    held by its customer; a plan's own unprintable Description has its own)."""

    plans: tuple[Plan, ...] = ()
    problems: tuple[Problem, ...] = ()


def held_plans(
    plans: Sequence[Plan], unprintable: UnprintableText, legal: LegalCheck
) -> HeldPlans:
    """The active plans whose invoices could not be made as their customer's rows
    are not billed (a text no font prints, an e-invoice or legal gap: the customer's
    own exception says which), or whose Description no font prints. Their periods
    wait (none is recorded) and are billed once it is fixed, each once."""
    by_customer = unprintable.customers | legal.customers
    held = [
        p
        for p in plans
        if p.is_active
        and (p.customer_id in by_customer or (RECURRING_TAB, p.row) in unprintable.rows)
    ]
    return HeldPlans(
        tuple(held),
        tuple(_held_by_customer(p) for p in held if p.customer_id in by_customer),
    )


def _held_by_customer(plan: Plan) -> Problem:
    return Problem(
        code=ProblemCode.RECURRING_PLAN_HELD,
        tab=RECURRING_TAB,
        row=plan.row,
        column="Customer ID",
        value=plan.customer_id,
        problem=f"Plan {plan.plan_id} bills nothing in this run: customer "
        f"{plan.customer_id} has an error that holds its invoices (see the customer's "
        "own exception). Its periods are billed once that is fixed, each once.",
        fix=ProblemCode.RECURRING_PLAN_HELD.fix,
        severity=Severity.WARNING,
        customer_id=plan.customer_id,
    )
