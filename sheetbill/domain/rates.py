"""Which Rates row prices a time entry: the documented precedence.

A rate applies to an entry when it is valid on the entry's date (blank Valid From/To are
open) and each of its Customer ID, Project, Person and Activity is blank or equal to the
entry's (case-insensitive). Among those, the most specific wins, where naming the
customer outweighs everything below it, then the project, then the person, then the
activity (a rate for customer + activity beats one for project + person + activity).
Two applicable rates of the same specificity are a tie: an exception, never a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sheetbill.domain.cells import show
from sheetbill.domain.model import RateRule


@dataclass(frozen=True, slots=True)
class RateMatch:
    rate: RateRule | None
    # Equally specific rates that also applied (a tie) — empty when `rate` is certain.
    ties: tuple[RateRule, ...] = ()


def specificity(rule: RateRule) -> int:
    return (
        8 * bool(rule.customer_id)
        + 4 * bool(rule.project)
        + 2 * bool(rule.person)
        + 1 * bool(rule.activity)
    )


def _same(rule_value: str, entry_value: str) -> bool:
    return not rule_value or rule_value.casefold() == entry_value.casefold()


def applies(
    rule: RateRule,
    *,
    customer_id: str,
    project: str,
    person: str,
    activity: str,
    on: date | None,
) -> bool:
    """Whether `rule` applies; `on=None` leaves the validity dates out of it."""
    if on is not None and rule.valid_from is not None and on < rule.valid_from:
        return False
    if on is not None and rule.valid_to is not None and on > rule.valid_to:
        return False
    return (
        _same(rule.customer_id, customer_id)
        and _same(rule.project, project)
        and _same(rule.person, person)
        and _same(rule.activity, activity)
    )


def find_rate(
    rules: Sequence[RateRule],
    *,
    customer_id: str,
    project: str,
    person: str,
    activity: str,
    on: date,
) -> RateMatch:
    """The rate for an entry, or None with the tied candidates, or None with no ties."""
    candidates = [
        r
        for r in rules
        if r.unit != "item"
        and applies(
            r,
            customer_id=customer_id,
            project=project,
            person=person,
            activity=activity,
            on=on,
        )
    ]
    if not candidates:
        return RateMatch(None)
    best = max(specificity(r) for r in candidates)
    top = [r for r in candidates if specificity(r) == best]
    if len(top) > 1:
        return RateMatch(None, tuple(top))
    return RateMatch(top[0])


class RateBook:
    """The Rates rows indexed by customer, with lookups remembered.

    The same customer, project, person, activity and date recur across thousands of
    time entries; the answer for one is the answer for all. An entry field that no
    rate of the customer (or the defaults) names cannot change the answer, so it is
    left out of what is remembered, and so is the date when no such rate is dated.
    """

    def __init__(self, rules: Sequence[RateRule]) -> None:
        self.rules = tuple(rules)
        self._by_customer: dict[str, list[RateRule]] = {}
        for rule in rules:
            if rule.unit != "item":
                key = rule.customer_id.casefold()
                self._by_customer.setdefault(key, []).append(rule)
        self._relevant: dict[str, tuple[tuple[RateRule, ...], _Relevant]] = {}
        self._memo: dict[tuple[str, str, str, str, date | None], RateMatch] = {}

    def find(
        self, *, customer_id: str, project: str, person: str, activity: str, on: date
    ) -> RateMatch:
        customer_key = customer_id.casefold()
        known = self._relevant.get(customer_key)
        if known is None:
            rules = (
                *self._by_customer.get(customer_key, ()),
                *self._by_customer.get("", ()),
            )
            known = self._relevant[customer_key] = (rules, _Relevant.of(rules))
        rules, relevant = known
        key = (
            customer_key,
            project.casefold() if relevant.project else "",
            person.casefold() if relevant.person else "",
            activity.casefold() if relevant.activity else "",
            on if relevant.date else None,
        )
        match = self._memo.get(key)
        if match is None:
            match = self._memo[key] = find_rate(
                rules,
                customer_id=customer_id,
                project=project,
                person=person,
                activity=activity,
                on=on,
            )
        return match


@dataclass(frozen=True, slots=True)
class _Relevant:
    """Which entry fields some rate of a set names (only those can change a match)."""

    project: bool
    person: bool
    activity: bool
    date: bool

    @classmethod
    def of(cls, rules: Sequence[RateRule]) -> _Relevant:
        return cls(
            project=any(r.project for r in rules),
            person=any(r.person for r in rules),
            activity=any(r.activity for r in rules),
            date=any(r.valid_from or r.valid_to for r in rules),
        )


def find_item_price(
    rules: Sequence[RateRule], *, customer_id: str, item: str, on: date
) -> RateMatch:
    """An order item's price: a Rates row with Unit 'item' and the item as Activity."""
    candidates = [
        r
        for r in rules
        if r.unit == "item"
        and r.activity.casefold() == item.casefold()
        and applies(
            r, customer_id=customer_id, project="", person="", activity=item, on=on
        )
        and not r.project
        and not r.person
    ]
    if not candidates:
        return RateMatch(None)
    best = max(specificity(r) for r in candidates)
    top = [r for r in candidates if specificity(r) == best]
    return RateMatch(top[0]) if len(top) == 1 else RateMatch(None, tuple(top))


# The Rates columns that say whom a rate is for, with the RateRule field of each.
_KEYS = (
    ("Customer ID", "customer_id"),
    ("Project", "project"),
    ("Person", "person"),
    ("Activity", "activity"),
)


@dataclass(frozen=True, slots=True)
class SetAsideRate:
    """A Rates row that prices no time: its cells as read, why, and what to do."""

    rule: RateRule
    # Completes "Rates row 4 matches, but ...": "it is in USD while customer C1 is
    # billed in EUR".
    reason: str
    fix: str
    # False when its Rate cell could not be read (`rule.rate` is then 0).
    has_rate: bool = True


def item_rate_set_aside(rule: RateRule) -> SetAsideRate:
    """A Unit 'item' row, which prices Orders, as the reason it prices no time."""
    return SetAsideRate(
        rule,
        "its Unit is item (item rates price Orders, not time)",
        f"If Rates row {rule.row} is the rate for this work, set its Unit to hour "
        "or day.",
    )


@dataclass(frozen=True, slots=True)
class NearRate:
    """The Rates row that comes closest to applying to an entry, and why it does not."""

    rule: RateRule
    # The Rates columns (Customer ID, Project, Person, Activity) that name something
    # else than the entry has, in that order.
    differing: tuple[str, ...]
    # Days from the entry's date to the rule's validity (0: valid on that day).
    days_outside: int
    # Why the row prices no time at all (a Unit 'item' row, a row with a problem of
    # its own such as another currency than its customer's); None for a usable rate.
    set_aside: SetAsideRate | None = None


def closest_rate(
    rules: Sequence[RateRule],
    *,
    customer_id: str,
    project: str,
    person: str,
    activity: str,
    on: date,
    set_aside: Sequence[SetAsideRate] = (),
) -> NearRate | None:
    """The Rates row closest to applying: fewest of Customer ID, Project, Person and
    Activity that differ from the entry's, then nearest in date, then a usable hour
    or day rate before one set aside (`set_aside`, and the Unit 'item' rows of
    `rules`), then the one that names most of the entry's values, then the first
    row. None without any."""
    entry = {
        "customer_id": customer_id,
        "project": project,
        "person": person,
        "activity": activity,
    }
    candidates = [
        (rule, item_rate_set_aside(rule) if rule.unit == "item" else None)
        for rule in rules
    ]
    candidates += [(aside.rule, aside) for aside in set_aside]
    ranked = []
    for rule, aside in candidates:
        differing = tuple(
            column
            for column, name in _KEYS
            if not _same(getattr(rule, name), entry[name])
        )
        named = sum(bool(getattr(rule, name)) for _, name in _KEYS) - len(differing)
        days = _days_outside(rule, on)
        rank = (len(differing), days, aside is not None, -named, rule.row)
        ranked.append((rank, NearRate(rule, differing, days, aside)))
    if not ranked:
        return None
    return min(ranked, key=lambda r: r[0])[1]


def _days_outside(rule: RateRule, on: date) -> int:
    if rule.valid_from is not None and on < rule.valid_from:
        return (rule.valid_from - on).days
    if rule.valid_to is not None and on > rule.valid_to:
        return (on - rule.valid_to).days
    return 0


@dataclass(frozen=True, slots=True)
class NoRateMessage:
    """A "no rate applies" problem: the entry's column to point at, and the words."""

    column: str
    problem: str
    fix: str


def explain_no_rate(
    rules: Sequence[RateRule],
    *,
    customer_id: str,
    project: str,
    person: str,
    activity: str,
    on: date,
    set_aside: Sequence[SetAsideRate] = (),
) -> NoRateMessage:
    """Why no rate applies to an entry: what was looked for, the closest Rates row
    (`closest_rate`, rows set aside included) and what keeps it from applying, and
    the fix."""
    entry = {
        "Customer ID": customer_id,
        "Project": project,
        "Person": person,
        "Activity": activity,
    }
    looked_for = (
        f"No rate applies to customer {customer_id}, "
        + (f"project {project}, " if project else "no project, ")
        + f"person {person}, "
        + (f"activity {activity}" if activity else "no activity")
        + f" on {on.isoformat()}."
    )
    near = closest_rate(
        rules,
        customer_id=customer_id,
        project=project,
        person=person,
        activity=activity,
        on=on,
        set_aside=set_aside,
    )
    if near is None:
        return NoRateMessage(
            "Customer ID",
            f"{looked_for} The Rates tab has no hour or day rate.",
            "Add a Rates row for this work; one with Customer ID, Project, Person "
            "and Activity blank applies to all work.",
        )
    rule = near.rule
    reasons = []
    if near.differing:
        reasons.append(
            "it is for "
            + " and ".join(
                f"{column} '{getattr(rule, name)}'"
                for column, name in _KEYS
                if column in near.differing
            )
        )
    if near.days_outside and rule.valid_from is not None and on < rule.valid_from:
        reasons.append(f"it is valid only from {rule.valid_from.isoformat()}")
    elif near.days_outside and rule.valid_to is not None:
        reasons.append(f"it is valid only until {rule.valid_to.isoformat()}")
    if near.set_aside is not None:
        reasons.append(near.set_aside.reason)
    row = f"Rates row {rule.row}{_shown_rate(near)}"
    if not near.differing and not near.days_outside and near.set_aside is not None:
        return NoRateMessage(
            "Customer ID",
            f"{looked_for} {row} matches this entry, but {reasons[-1]}.",
            near.set_aside.fix,
        )
    but = " and ".join(reasons) if len(reasons) < 3 else _listed(reasons)
    closest = f" The closest is {row}, but {but}."
    if near.differing:
        wanted = " and ".join(
            f"{column} '{entry[column]}'" if entry[column] else f"{column} blank"
            for column in near.differing
        )
        return NoRateMessage(
            near.differing[-1],
            looked_for + closest,
            f"Add a Rates row with {wanted} (blank columns match anything), or "
            "correct this entry if Rates row "
            f"{rule.row} is the rate meant.",
        )
    return NoRateMessage(
        "Date",
        looked_for + closest,
        f"Change Valid From or Valid To of Rates row {rule.row} to include "
        f"{on.isoformat()}, or add a Rates row for that period.",
    )


def _listed(clauses: Sequence[str]) -> str:
    return ", ".join(clauses[:-1]) + ", and " + clauses[-1]


def _shown_rate(near: NearRate) -> str:
    """ " (85 USD per hour)": what the row charges, where that can be read."""
    rule = near.rule
    if near.set_aside is not None and not near.set_aside.has_rate:
        return ""
    if rule.unit not in ("hour", "day", "item"):
        return ""
    currency = f" {rule.currency}" if rule.currency else ""
    return f" ({show(rule.rate)}{currency} per {rule.unit})"
