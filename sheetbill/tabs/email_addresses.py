"""Whether a customer's email addresses could be written on an envelope: syntax only.

Pure: email-validator checks each address as RFC 5322/6531 define it (and refuses
domains reserved for tests and local networks), without asking DNS whether it exists.
A wrong one, or a line break in Name or Email, is a warning on its cell: the customer
is still billed, but nothing is emailed to it (a line break in a header could add
headers). In CC a line break parts addresses, as a comma does: each is checked alone.
"""

from __future__ import annotations

import functools
import re

from email_validator import EmailNotValidError, validate_email

from sheetbill.domain.model import Severity
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.tabs.rows import RowReader

# CC may hold several addresses; these separate them.
_SEPARATORS = re.compile(r"[,;\n]")


@functools.lru_cache(maxsize=4096)
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


def cc_addresses(addresses: str) -> tuple[str, ...]:
    """The addresses of a CC cell (separated by , ; or lines), trimmed."""
    found = (a.strip() for a in _SEPARATORS.split(addresses))
    return tuple(a for a in found if a)


def cc_problem(addresses: str) -> tuple[str, str] | None:
    """The first address of a CC cell (addresses separated by , ; or lines) that is
    not valid, with why; None when all are."""
    for address in cc_addresses(addresses):
        if (why := email_problem(address)) is not None:
            return address, why
    return None


# CR and LF, and what else Python's str.splitlines takes for the end of a line.
_LINE_BREAKS = re.compile("[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]")


def has_line_break(text: str) -> bool:
    return _LINE_BREAKS.search(text) is not None


def line_break_problem(read: RowReader, column: str) -> None:
    """A line break in `column` of a Customers row: no email goes to the customer."""
    read.fail(
        column,
        f"{column} holds a line break: nothing is emailed to this customer while it "
        "does (in an email's header it could add lines); it is billed as before.",
        "Write it on one line"
        + (
            " (more lines of the address go into Street)."
            if column == "Name"
            else "; more addresses go into CC, separated by commas."
        ),
        severity=Severity.WARNING,
        code=ProblemCode.CUSTOMERS_LINE_BREAK,
    )


def read_addresses(read: RowReader) -> tuple[str, str, bool]:
    """A Customers row's Email and CC, each wrong address a warning on its cell, and
    whether an email may go to them (a blank Email is told by itself)."""
    count = len(read.problems)
    email = read.text("Email")
    if has_line_break(email):
        line_break_problem(read, "Email")
    elif email and (why := email_problem(email)) is not None:
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
    return email, cc, len(read.problems) == count
