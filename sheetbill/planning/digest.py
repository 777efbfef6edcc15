"""The exception digest: one email per owner per run listing the problems new to them.

Pure. A problem's owner is its customer's Owner when that is a valid email address,
else the Settings' Billing Owner; a problem with neither goes in no digest. Only
problems no digest to that owner may have told yet (`EmailHistory.digested`), and
none a person set aside (Exceptions Status ignored). The key names the owner and the
problems, so a rerun plans the same digest, and one that may have gone is never
planned again (its problems count as told).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from sheetbill.domain.mail import (
    EmailHistory,
    EmailRecord,
    PlannedEmail,
    Purpose,
    problem_key,
)
from sheetbill.domain.model import Customer, Problem, Settings
from sheetbill.planning.sending import FAILED, envelope, language_code
from sheetbill.tabs.email_addresses import email_problem, has_line_break


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
    problem, which would make a new digest every run). The owner is recorded as
    the digest's one To address (`EmailRecord.owner`).
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
                to=(owner,),
                facts=_facts(owner, new.values(), today),
                problems=tuple(sorted(new)),
            )
        )
    return planned


def digest_owner(
    problem: Problem, customers: Mapping[str, Customer], settings: Settings
) -> str:
    """Who is told of `problem`: its customer's Owner when that is a valid email
    address, else the Billing Owner when it is one; "" for nobody. Trimmed and
    casefolded, so one person is one owner however the cells spell them."""
    customer = customers.get(problem.customer_id or "")
    named = customer.owner if customer is not None else ""
    for owner in (named.strip(), settings.billing_owner.strip()):
        if owner and not has_line_break(owner) and email_problem(owner) is None:
            return owner.casefold()
    return ""


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
        and last.envelope == envelope(sender, (owner,), ())
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
