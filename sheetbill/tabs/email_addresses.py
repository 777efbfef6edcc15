"""Whether a customer's email addresses could be written on an envelope: syntax only.

Pure: email-validator checks each address as RFC 5322/6531 define it (and refuses
domains reserved for tests and local networks), without asking DNS whether it exists.
A wrong one is a warning on its cell; the customer is still billed.
"""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

from sheetbill.domain.model import Severity
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.tabs.rows import RowReader

# CC may hold several addresses; these separate them.
_SEPARATORS = re.compile(r"[,;\n]")


def email_problem(address: str) -> str | None:
    """Why `address` is not one email address, in words for the user, or None.

    Syntax only (`check_deliverability=False`): a run must not wait on DNS, and a
    domain that does not answer today may answer tomorrow.
    """
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        return str(exc)
    return None


def cc_problem(addresses: str) -> tuple[str, str] | None:
    """The first address of a CC cell (addresses separated by , ; or lines) that is
    not valid, with why; None when all are."""
    for address in _SEPARATORS.split(addresses):
        address = address.strip()
        if address and (why := email_problem(address)) is not None:
            return address, why
    return None


def read_addresses(read: RowReader) -> tuple[str, str]:
    """A Customers row's Email and CC, each wrong address a warning on its cell."""
    email = read.text("Email")
    if email and (why := email_problem(email)) is not None:
        read.fail(
            "Email",
            f"Email is not one valid email address: {why}",
            "Write one address such as billing@example.com (more go into CC).",
            severity=Severity.WARNING,
            code=ProblemCode.CUSTOMERS_BAD_EMAIL,
        )
    cc = read.text("CC")
    if cc and (bad := cc_problem(cc)) is not None:
        read.fail(
            "CC",
            f"CC holds '{bad[0]}', which is not a valid email address: {bad[1]}",
            "Write addresses such as a@example.com, separated by commas.",
            severity=Severity.WARNING,
            code=ProblemCode.CUSTOMERS_BAD_EMAIL,
        )
    return email, cc
