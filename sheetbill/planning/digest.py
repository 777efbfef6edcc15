"""The exception digest: one email per owner per run listing the problems new to them.

Pure. A problem's owner is its customer's Owner when that holds a valid email
address, else the Settings' Billing Owner; a problem with neither goes in no digest.
An owner cell may hold a display name (`Billing <billing@northwind.example>`) and
several addresses (separated by commas): the digest goes to all, as one email, and
the owner is known by its sorted addresses. An owner cell that holds no valid
address is a warning on it (`owner_problems`), never silence. Only
problems no digest to that owner may have told yet (`EmailHistory.digested`), and
none a person set aside (Exceptions Status ignored). The key names the owner and the
problems, so a rerun plans the same digest, and one that may have gone is never
planned again (its problems count as told).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from email.utils import parseaddr
from typing import Any

from sheetbill.domain.mail import (
    EmailHistory,
    EmailRecord,
    PlannedEmail,
    Purpose,
    problem_key,
)
from sheetbill.domain.model import Customer, Problem, Settings, Severity
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.schema import CUSTOMERS, SETTINGS
from sheetbill.planning.sending import FAILED, envelope, language_code
from sheetbill.tabs.email_addresses import email_problem, has_line_break
from sheetbill.tabs.rows import TabLayout
from sheetbill.tabs.settings import setting_row


def plan_digests(
    problems: Sequence[Problem],
    customers: Mapping[str, Customer],
    settings: Settings,
    history: EmailHistory,
    *,
    today: date,
    sender: str = "",
    ignored: Iterable[Problem] = (),
) -> list[PlannedEmail]:
    """One digest per owner with problems new to them, by owner.

    `problems`: the run's problems; `ignored`: those a person set aside
    (`WritePlan.ignored`), left out. `sender`: `[mail] from`, as the journal's
    envelope holds it: while the last digest to an owner stands refused by the
    server with the same envelope, none goes to that owner (the refusal is itself a
    problem, which would make a new digest every run). The owner (`owner_key`, in
    the `owner` fact) is recorded as `EmailRecord.owner`; the digest goes To each of
    its addresses.
    """
    aside = {_key(p) for p in ignored}
    by_owner: dict[str, dict[str, Problem]] = {}
    for problem in problems:
        key = _key(problem)
        owner = digest_owner(problem, customers, settings)
        if owner and key not in aside:
            by_owner.setdefault(owner, {}).setdefault(key, problem)
    language = language_code(settings.locale)
    planned = []
    for owner, found in sorted(by_owner.items()):
        told = history.digested(owner)
        new = {k: p for k, p in found.items() if k not in told}
        if not new or _is_refused(owner, history, sender):
            continue
        planned.append(
            PlannedEmail(
                purpose=Purpose.DIGEST,
                key=digest_key(owner, new),
                template="digest",
                language=language,
                to=owner_addresses(owner),
                facts=_facts(owner, new.values(), today),
                problems=tuple(sorted(new)),
            )
        )
    return planned


def digest_owner(
    problem: Problem, customers: Mapping[str, Customer], settings: Settings
) -> str:
    """Who is told of `problem` (`owner_key`): its customer's Owner when that holds
    a valid email address, else the Billing Owner when it does; "" for nobody."""
    customer = customers.get(problem.customer_id or "")
    named = customer.owner if customer is not None else ""
    return owner_key(named) or owner_key(settings.billing_owner)


def owner_key(cell: str) -> str:
    """An owner cell's valid addresses, casefolded, sorted and joined by ", ", so
    one person (or group) is one owner however the cell spells them; "" for none.
    `Billing <billing@x.example>` is billing@x.example."""
    return ", ".join(_valid_addresses(cell))


def owner_addresses(owner: str) -> tuple[str, ...]:
    """The addresses of an `owner_key`."""
    return tuple(a for a in owner.split(", ") if a)


def _valid_addresses(cell: str) -> list[str]:
    found = {a.casefold() for a in _addresses(cell) if _is_valid(a)}
    return sorted(found)


def _addresses(cell: str) -> list[str]:
    """The addresses a cell names, display names dropped (email.utils, RFC 5322);
    `;` separates as `,` does. A part that is no address is kept as written."""
    if has_line_break(cell):
        return [cell.strip()] if cell.strip() else []
    parts = (p.strip() for p in cell.replace(";", ",").split(","))
    found = []
    for part in (p for p in parts if p):
        _, address = parseaddr(part)
        found.append(address.strip() or part)
    return found


def _is_valid(address: str) -> bool:
    return not has_line_break(address) and email_problem(address) is None


def owner_problems(
    customers: Mapping[str, Customer],
    settings: Settings,
    *,
    layouts: Mapping[str, TabLayout],
) -> list[Problem]:
    """A warning on each owner cell (Owner in Customers, Billing Owner in Settings)
    that is filled but names an address that is not valid: no digest goes to it
    (a customer's problems then go to the Billing Owner). `layouts`: the tabs as
    read (their names in this workbook, the Billing Owner's row)."""
    tabs = {name: layout.tab for name, layout in layouts.items()}
    settings_layout = layouts.get(SETTINGS.name)
    settings_row = setting_row(
        settings_layout.table if settings_layout is not None else None,
        "billing_owner",
    )
    found = [
        _owner_problem(
            c.owner,
            tabs.get(CUSTOMERS.name, CUSTOMERS.name),
            c.row,
            "Owner",
            c.customer_id,
        )
        for c in sorted(customers.values(), key=lambda c: c.row)
    ]
    found.append(
        _owner_problem(
            settings.billing_owner,
            tabs.get(SETTINGS.name, SETTINGS.name),
            settings_row,
            "Value",
            None,
        )
    )
    return [p for p in found if p is not None]


def _owner_problem(
    cell: str, tab: str, row: int | None, column: str, customer_id: str | None
) -> Problem | None:
    wrong = [a for a in _addresses(cell) if not _is_valid(a)]
    if not wrong:
        return None
    valid = owner_key(cell)
    told = f"the digest goes to {valid} only" if valid else "no digest goes to it"
    return Problem(
        code=ProblemCode.SETTINGS_BAD_BILLING_OWNER
        if column == "Value"
        else ProblemCode.CUSTOMERS_BAD_OWNER,
        tab=tab,
        row=row,
        column=column,
        value=cell.strip(),
        problem=f"{wrong[0]!r} is not an email address: {told}"
        + ("" if valid or column == "Value" else " (the Billing Owner is told)")
        + ".",
        fix="Write an email address, e.g. billing@example.com, or several "
        "separated by commas; a name may stand before each as Name <address>.",
        severity=Severity.WARNING,
        customer_id=customer_id,
    )


def digest_key(owner: str, problems: Iterable[str]) -> str:
    """`digest.<sha256(owner)[:12]>.<sha256(sorted problem keys)[:12]>`."""
    told = "\x1e".join(sorted(problems))
    return f"digest.{_sha(owner)}.{_sha(told)}"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _key(problem: Problem) -> str:
    return problem_key(problem.tab, problem.row, problem.column, problem.problem)


def last_digests(history: EmailHistory) -> dict[str, EmailRecord]:
    """The last digest recorded for each owner."""
    last: dict[str, EmailRecord] = {}
    for record in history.records.values():
        if record.purpose is not Purpose.DIGEST or not record.owner:
            continue
        known = last.get(record.owner)
        if known is None or record.intended_at > known.intended_at:
            last[record.owner] = record
    return last


def _is_refused(owner: str, history: EmailHistory, sender: str) -> bool:
    """The last digest to `owner` was refused for good, to the same envelope."""
    last = last_digests(history).get(owner)
    return (
        last is not None
        and last.status == FAILED
        and last.is_refusal
        and last.envelope == envelope(sender, owner_addresses(owner), ())
    )


def _facts(owner: str, problems: Iterable[Problem], today: date) -> dict[str, Any]:
    listed = [
        {
            "severity": p.severity.value,
            "tab": p.tab,
            "row": p.row,
            "column": p.column,
            "value": p.value,
            "problem": p.problem,
            "fix": p.fix,
        }
        for p in problems
    ]
    return {"owner": owner, "run_date": today, "problems": listed, "count": len(listed)}
