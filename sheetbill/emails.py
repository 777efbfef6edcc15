"""Whether a customer's email address could be written on an envelope: syntax only.

Pure: email-validator checks the address as RFC 5322/6531 define it (and refuses
domains reserved for tests and local networks), without asking DNS whether it exists.
"""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

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
