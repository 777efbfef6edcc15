"""What every invoice says about the seller, checked before any number is drawn.

Pure. EU VAT directive 2006/112/EC art. 226 item 5: an invoice gives the supplier's
full name and address. While either is missing no invoice is made (an error on its
Settings row), since an invoice without them cannot be sent. How to be paid is not
required by law, but an invoice that asks to be paid and gives no account leaves the
customer asking: a warning.
"""

from __future__ import annotations

from sheetbill.domain.model import Problem, Settings, Severity
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.tabs.rows import TabLayout
from sheetbill.tabs.settings import KEYS, setting_row

NAME_KEY = "Company Name"
# Company Street also reads an old "Company Address" row (often the whole address in
# one cell); postcode and city have rows of their own, required by e-invoices only.
ADDRESS_KEY = "Company Street"
PAYMENT_KEY = "IBAN"
# Settings rows a message asks to add: `sheetbill init` adds those a workbook lacks.
ROWS_ASKED_FOR = (
    NAME_KEY,
    ADDRESS_KEY,
    "Company Postcode",
    "Company City",
    "Company Country",
    "Company Tax ID",
    PAYMENT_KEY,
)

_WHAT = {
    NAME_KEY: "your company's legal name",
    ADDRESS_KEY: "your company's postal address (street, postcode and city, country)",
}


def missing_seller_details(settings: Settings) -> list[str]:
    """The Settings keys every invoice needs and that are empty (or unreadable):
    Company Name and Company Street (an old Company Address row counts) (EU VAT
    directive art. 226 item 5). No invoice is made while one is missing."""
    return [key for key in (NAME_KEY, ADDRESS_KEY) if not _value(settings, key)]


def seller_problems(settings: Settings, layout: TabLayout | None) -> list[Problem]:
    """An error on the Settings row of each detail `missing_seller_details` finds
    (or asking for the row when none has its Key), and a warning when there is no
    IBAN: invoices then print no bank details. None without a Settings tab (that is
    reported on its own); none for a cell that could not be read (reported as such).
    """
    if layout is None:
        return []
    problems = [
        _missing(layout, key, _WHAT[key])
        for key in missing_seller_details(settings)
        if KEYS[key] not in settings.unreadable
    ]
    if (
        not _value(settings, PAYMENT_KEY)
        and KEYS[PAYMENT_KEY] not in settings.unreadable
    ):
        problems.append(_no_bank_details(layout))
    return problems


def _value(settings: Settings, key: str) -> str:
    field = KEYS.get(key)
    value = getattr(settings, field, "") if field else ""
    return value.strip() if isinstance(value, str) else ""


def _missing(layout: TabLayout, key: str, what: str) -> Problem:
    row = setting_row(layout.table, KEYS[key])
    if row is None:
        return Problem(
            code=ProblemCode.SETTINGS_REQUIRED_VALUE_EMPTY,
            tab=layout.tab,
            row=None,
            column="Value",
            value="",
            problem=f"The setting '{key}' is missing: no row has the Key '{key}'; "
            "every invoice must show it.",
            fix=f"Add a row with Key '{key}' and {what} as its Value (run 'sheetbill "
            "init' on the workbook to add the row). Until then no invoice is made.",
        )
    return Problem(
        code=ProblemCode.SETTINGS_REQUIRED_VALUE_EMPTY,
        tab=layout.tab,
        row=row,
        column="Value",
        value="",
        problem=f"The setting '{key}' is empty; every invoice must show it.",
        fix=f"Fill in its Value (on this row, beside the Key '{key}') with {what}. "
        "Until then no invoice is made.",
    )


def _no_bank_details(layout: TabLayout) -> Problem:
    row = setting_row(layout.table, KEYS[PAYMENT_KEY])
    where = (
        "Fill in its Value"
        if row is not None
        else f"Add a row with Key '{PAYMENT_KEY}' (run 'sheetbill init' on the "
        "workbook to add it)"
    )
    return Problem(
        code=ProblemCode.SETTINGS_NO_BANK_DETAILS,
        tab=layout.tab,
        row=row,
        column="Value",
        value="",
        problem=f"The setting '{PAYMENT_KEY}' is "
        + ("empty" if row is not None else "missing")
        + ": invoices print no bank details, only 'please pay' the total by the due "
        "date, quoting the invoice number.",
        fix=f"{where} with the IBAN your customers pay into. If you are paid another "
        "way, set this exception's Status to ignored.",
        severity=Severity.WARNING,
    )
