"""Rows left waiting: input rows not billed in a run, counted by why, so none is
skipped in silence (the run summary and `--json` show them).

Pure. Validation notes each row it leaves without an Invoice No and without billing
it, with one reason; the summary counts them per tab and reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum

from sheetbill.domain.model import Customer


class WaitReason(Enum):
    """Why an un-invoiced row was not billed, in the words the summary prints."""

    NOT_BILLABLE = "not billable"  # Billable is not yes: never billed as it is
    NOT_APPROVED = "not approved"  # Approved is not yes: billed once approved
    CUSTOMER_INACTIVE = "customer inactive"  # the customer's Status is inactive
    DATED_LATER = "dated in the future"  # after the run's date: billed once it comes
    HAS_PROBLEM = "held by an exception"  # an error on the row (Exceptions tab)
    INVOICING_STOPPED = "held until the Settings are fixed"  # no invoice is made
    # A retainer's time row whose period is not over yet: billed with that period.
    RETAINER = "kept for its retainer's period"
    # A retainer's time row while the retainer bills nothing (an error on its plan
    # row, or its plan held): billed with its period once that is fixed.
    RETAINER_HELD = "kept for a retainer held by an exception"


# How many sheet rows of one tab and reason a summary names.
ROWS_NAMED = 10


@dataclass(frozen=True, slots=True)
class WaitingRows:
    """The rows of one tab left waiting for one reason."""

    tab: str
    reason: WaitReason
    count: int
    # The first sheet rows (up to ROWS_NAMED), to find them.
    rows: tuple[int, ...]


class WaitingTally:
    """Collects (tab, row, reason) while the tabs are read."""

    __slots__ = ("_rows",)

    def __init__(self) -> None:
        self._rows: dict[tuple[str, WaitReason], list[int]] = {}

    def add(self, tab: str, row: int, reason: WaitReason) -> None:
        self._rows.setdefault((tab, reason), []).append(row)

    def counted(self) -> tuple[WaitingRows, ...]:
        """Per tab (in the order first seen), reasons in the order listed above."""
        tabs = list(dict.fromkeys(tab for tab, _ in self._rows))
        reasons = list(WaitReason)
        return tuple(
            WaitingRows(tab, reason, len(rows), tuple(rows[:ROWS_NAMED]))
            for (tab, reason), rows in sorted(
                self._rows.items(),
                key=lambda item: (tabs.index(item[0][0]), reasons.index(item[0][1])),
            )
        )


def held(customer: Customer | None, day: date | None, today: date) -> WaitReason:
    """Why a row that is to bill was not: it has problems, named by the main one."""
    if customer is not None and not customer.is_active:
        return WaitReason.CUSTOMER_INACTIVE
    if day is not None and day > today:
        return WaitReason.DATED_LATER
    return WaitReason.HAS_PROBLEM


def held_back(
    waiting: Sequence[WaitingRows], tab_rows: Iterable[tuple[str, int]]
) -> tuple[WaitingRows, ...]:
    """`waiting` plus valid rows that no invoice took because invoicing is stopped."""
    tally = WaitingTally()
    for tab, row in tab_rows:
        tally.add(tab, row, WaitReason.INVOICING_STOPPED)
    return (*waiting, *tally.counted())


def with_held(
    waiting: Sequence[WaitingRows],
    tab_rows: Sequence[tuple[str, int]],
    reason: WaitReason = WaitReason.HAS_PROBLEM,
) -> tuple[WaitingRows, ...]:
    """`waiting` plus valid rows held back after validation (by default: text no
    font prints, counted with the rows already held by an exception)."""
    if not tab_rows:
        return tuple(waiting)
    groups = {(g.tab, g.reason): g for g in waiting}
    for tab in dict.fromkeys(tab for tab, _ in tab_rows):
        rows = [row for t, row in tab_rows if t == tab]
        old = groups.get((tab, reason))
        named = sorted({*(old.rows if old else ()), *rows})[:ROWS_NAMED]
        count = len(rows) + (old.count if old else 0)
        groups[(tab, reason)] = WaitingRows(tab, reason, count, tuple(named))
    tabs = list(dict.fromkeys(tab for tab, _ in groups))
    reasons = list(WaitReason)
    return tuple(
        sorted(
            groups.values(),
            key=lambda g: (tabs.index(g.tab), reasons.index(g.reason)),
        )
    )


def waiting_text(waiting: Sequence[WaitingRows], today: date) -> list[str]:
    """One plain line per tab, e.g. `Time Log: 2 not approved (rows 3, 7), 1 not
    billable (row 9)`."""
    by_tab: dict[str, list[str]] = {}
    for group in waiting:
        why = group.reason.value
        if group.reason is WaitReason.DATED_LATER:
            why = f"dated after {today.isoformat()}"
        rows = ", ".join(str(r) for r in group.rows)
        more = ", …" if group.count > len(group.rows) else ""
        noun = "row" if len(group.rows) == 1 and not more else "rows"
        by_tab.setdefault(group.tab, []).append(
            f"{group.count} {why} ({noun} {rows}{more})"
        )
    return [f"{tab}: {', '.join(parts)}" for tab, parts in by_tab.items()]
