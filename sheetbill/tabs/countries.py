"""The Country cells of the Customers tab: a code or a name, kept as its ISO code.

The rules (which names mean which country) are `sheetbill.domain.countries`.
"""

from __future__ import annotations

from sheetbill.domain.countries import country_code
from sheetbill.domain.model import Severity
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.tabs.rows import RowReader


def read_country(read: RowReader) -> str:
    """The Country cell as an ISO code; a name sheetbill does not know is a warning
    and stays as typed (e-invoices then ask for a code, see `e_invoices`)."""
    text = read.text("Country")
    if not text:
        return ""
    code = country_code(text)
    if code is None:
        read.fail(
            "Country",
            f"Country '{text}' is not a country sheetbill knows.",
            "Write the two-letter country code, e.g. DE, FR or US.",
            severity=Severity.WARNING,
            code=ProblemCode.CUSTOMERS_UNKNOWN_COUNTRY,
        )
        return text
    return code
