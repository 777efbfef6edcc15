"""Keeping the Exceptions tab in step with a run's problems: which problems get a row,
which open rows are closed, and which problems a person set aside.

Pure. "ignored" (or "acknowledged") on an open row sets its problem aside: the row
stays listed, and is closed when the problem goes, but the problem no longer counts
toward the exit code nor as open. Only the problem the person looked at: the same
Tab, Row, Column, Problem and Value, on the same row of that tab (its Row Key: its
Row ID and cells, not only its number). Once any of them differs, it is a new
exception.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sheetbill.domain.model import Problem
from sheetbill.domain.schema import EXCEPTIONS
from sheetbill.tabs.exceptions import (
    ExceptionRow,
    Key,
    RowKeys,
    read_exceptions,
    row_key,
    shown_value,
)
from sheetbill.tabs.rows import TabLayout
from sheetbill.tabs.validation import BookData


@dataclass(frozen=True, slots=True)
class NewException:
    """A problem that gets a row of its own in the Exceptions tab."""

    problem: Problem
    # Who sees to it: the customer's Owner, else the Settings' Billing Owner.
    owner: str
    # Which row of its tab the problem is on (`RowKeys`).
    row_key: str


@dataclass(frozen=True, slots=True)
class ExceptionsPlan:
    """What a run changes in the Exceptions tab."""

    opened: tuple[NewException, ...]
    # Open rows whose problem is gone, copies included: they get a Closed date.
    closing: tuple[int, ...]
    # How many problems went (a problem on two rows is one).
    closed: int
    # Open rows without a Row Key, with the one of the row their problem is on.
    row_keys: tuple[tuple[int, str], ...]
    # Problems a person set aside (Status "ignored"): listed, not counted as open.
    ignored: tuple[Problem, ...]


def plan_exceptions(data: BookData, problems: Sequence[Problem]) -> ExceptionsPlan:
    """New problems get a row; open rows whose problem is gone are closed.

    A row without a Problem is a person's, not an exception: never matched, never
    closed. Every open row of a problem that is gone is closed, copies included. A row
    a person set aside (Status "ignored") whose Value is no longer the problem's, or
    whose Row Key is another row's (rows inserted or sorted above it), is about a
    problem that is gone too: it is closed and the problem opened anew. An open row
    not set aside and without a Row Key takes the one of the row its problem is on.
    """
    rows, _ = read_exceptions(data.layouts.get(EXCEPTIONS.name))
    by_key: dict[Key, list[ExceptionRow]] = {}
    for row in rows:
        by_key.setdefault(row.key, []).append(row)
    current = representatives(problems)
    row_keys = RowKeys(data.layouts)
    aside = keys_set_aside(current, rows, row_keys)
    opened: list[NewException] = []
    closed, closing, filled = 0, list[int](), list[tuple[int, str]]()
    for key, problem in current.items():
        value, on_row = shown_value(problem), row_keys.of(problem)
        own = by_key.get(key, [])
        stale = [
            r.number
            for r in own
            if r.is_set_aside and (r.value != value or r.row_key != on_row)
        ]
        if stale:
            closed += 1
            closing += stale
        if len(stale) < len(own):
            # Only an empty Row Key is filled in: a filled cell is never written
            # over (a person may have typed there). A stale key only means that
            # setting the row aside later asks about it once more.
            filled += [
                (r.number, on_row)
                for r in own
                if not r.is_set_aside and not r.row_key and on_row
            ]
            continue
        opened.append(NewException(problem, _owner(problem, data), on_row))
    for key, own in by_key.items():
        if key not in current:
            closed += 1
            closing += [r.number for r in own]
    return ExceptionsPlan(
        tuple(opened),
        tuple(sorted(closing)),
        closed,
        tuple(filled),
        tuple(p for p in problems if row_key(p) in aside),
    )


def _owner(problem: Problem, data: BookData) -> str:
    customer = data.customers.get(problem.customer_id or "")
    if customer is not None and customer.owner:
        return customer.owner
    return data.settings.billing_owner


def representatives(problems: Iterable[Problem]) -> dict[Key, Problem]:
    """One problem per Exceptions row: the first of each key."""
    current: dict[Key, Problem] = {}
    for problem in problems:
        current.setdefault(row_key(problem), problem)
    return current


def keys_set_aside(
    current: dict[Key, Problem], rows: Sequence[ExceptionRow], row_keys: RowKeys
) -> frozenset[Key]:
    """Keys of current problems that an open row sets aside with the same Value, on
    the same row (Row Key)."""
    aside = {(r.key, r.value, r.row_key) for r in rows if r.is_set_aside}
    return frozenset(
        key
        for key, problem in current.items()
        if (key, shown_value(problem), row_keys.of(problem)) in aside
    )


def problems_set_aside(
    problems: Sequence[Problem], layouts: Mapping[str, TabLayout]
) -> tuple[Problem, ...]:
    """The problems a person set aside in the Exceptions tab (Status "ignored")."""
    rows, _ = read_exceptions(layouts.get(EXCEPTIONS.name))
    keys = keys_set_aside(representatives(problems), rows, RowKeys(layouts))
    return tuple(p for p in problems if row_key(p) in keys)
