"""The journal of side effects as the state database keeps it: one row per effect
(kind and key), written as intended before the effect and settled after.

The rules (which step follows which, what a rerun does) are pure and live in
`sheetbill.domain.journal`; this module only stores their results. The functions
taking a connection write inside a caller's transaction, so an effect's intent is
recorded together with what it is about (an invoice and its drawn number).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterable
from dataclasses import replace
from datetime import datetime

from sheetbill.domain.journal import (
    Details,
    Entry,
    Intent,
    JournalError,
    Status,
    confirmed,
    intended,
    reopened,
    settled,
)
from sheetbill.state.database import Database

_COLUMNS = "kind, key, status, details, run_id, intended_at, settled_at"


def _at(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment is not None else None


def _entry(row: tuple[str, str, str, str, str, str, str | None]) -> Entry:
    kind, key, status, details, run_id, intended_at, settled_at = row
    return Entry(
        kind,
        key,
        Status(status),
        json.loads(details),
        run_id,
        datetime.fromisoformat(intended_at),
        datetime.fromisoformat(settled_at) if settled_at else None,
    )


def _put(db: sqlite3.Connection, entry: Entry) -> Entry:
    db.execute(
        f"INSERT INTO journal ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (kind, key) DO UPDATE SET status = excluded.status, "
        "details = excluded.details, run_id = excluded.run_id, "
        "intended_at = excluded.intended_at, settled_at = excluded.settled_at",
        (
            entry.kind,
            entry.key,
            entry.status.value,
            json.dumps(entry.details, sort_keys=True),
            entry.run_id,
            _at(entry.intended_at),
            _at(entry.settled_at),
        ),
    )
    return entry


def entry_in(db: sqlite3.Connection, kind: str, key: str) -> Entry | None:
    row = db.execute(
        f"SELECT {_COLUMNS} FROM journal WHERE kind = ? AND key = ?", (kind, key)
    ).fetchone()
    return _entry(row) if row is not None else None


def intend_in(
    db: sqlite3.Connection, intent: Intent, *, run_id: str, now: datetime
) -> Entry:
    """Record an effect as intended; an effect already in the journal is returned
    as it stands (its key is taken: it is completed, redone or left, never doubled)."""
    entry = intended(intent, run_id=run_id, now=now)
    added = db.execute(
        f"INSERT INTO journal ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, NULL) "
        "ON CONFLICT (kind, key) DO NOTHING",
        (
            entry.kind,
            entry.key,
            entry.status.value,
            json.dumps(entry.details, sort_keys=True),
            entry.run_id,
            _at(entry.intended_at),
        ),
    )
    if added.rowcount:
        return entry
    found = entry_in(db, intent.kind, intent.key)
    assert found is not None
    return found


def reopen_in(
    db: sqlite3.Connection, intent: Intent, *, run_id: str, now: datetime
) -> Entry:
    """Record an effect as intended again, with these details (an effect not yet in
    the journal is intended); refused for one whose outcome is unknown."""
    found = entry_in(db, intent.kind, intent.key)
    if found is None:
        return _put(db, intended(intent, run_id=run_id, now=now))
    return _put(db, reopened(found, intent.details, run_id=run_id, now=now))


def settle_in(
    db: sqlite3.Connection,
    entry: Entry,
    status: Status,
    details: Details | None = None,
    *,
    now: datetime,
) -> Entry:
    """Record an effect's outcome (only a pending entry changes)."""
    current = entry_in(db, entry.kind, entry.key) or entry
    outcome = settled(current, status, details, now=now)
    return _put(db, outcome) if outcome is not current else current


def confirm_in(
    db: sqlite3.Connection, kind: str, key: str, details: Details, *, now: datetime
) -> Entry | None:
    """A person's word that an effect of unknown outcome happened (`confirmed`)."""
    found = entry_in(db, kind, key)
    if found is None:
        return None
    outcome = confirmed(found, details, now=now)
    return _put(db, outcome) if outcome is not found else found


def amend_in(db: sqlite3.Connection, entry: Entry, details: Details) -> Entry:
    """A pending entry's details changed while it is still under way."""
    if entry.status is not Status.PENDING:
        raise JournalError(f"{entry.kind} {entry.key} is settled; it is not amended")
    return _put(db, replace(entry, details=details))


def settle_keys_in(
    db: sqlite3.Connection,
    kind: str,
    keys: Iterable[str],
    status: Status,
    *,
    now: datetime,
) -> None:
    """Record one outcome for many effects of a kind, keeping their details: a big
    run's invoices at once (`settled`'s rule in one statement: only pending ones)."""
    if status is Status.PENDING:
        raise JournalError(f"{kind}: an outcome cannot be pending")
    db.executemany(
        "UPDATE journal SET status = ?, settled_at = ? "
        "WHERE kind = ? AND key = ? AND status = 'pending'",
        [(status.value, _at(now), kind, key) for key in keys],
    )


def record_done_in(
    db: sqlite3.Connection, intent: Intent, *, run_id: str, now: datetime
) -> Entry:
    """An effect carried out, with these details: a pending entry is settled done;
    one not intended before (its intent and outcome are one write, as when the state
    is all the effect there is) is recorded done at once."""
    found = entry_in(db, intent.kind, intent.key)
    if found is None or found.status is not Status.PENDING:
        found = reopen_in(db, intent, run_id=run_id, now=now)
    return settle_in(db, found, Status.DONE, intent.details, now=now)


def entries_in(
    db: sqlite3.Connection,
    *,
    kind: str | None = None,
    status: Status | None = None,
    keys: Collection[str] | None = None,
    run_id: str | None = None,
    of_drawn: bool = False,
) -> list[Entry]:
    """The entries that match, in the order they were first recorded; `of_drawn`:
    only those keyed by the number of an invoice the state holds (not withdrawn)."""
    where, values = ["1"], list[str]()
    if of_drawn:
        where.append("key IN (SELECT number FROM invoices)")
    for column, value in (
        ("kind", kind),
        ("status", status.value if status is not None else None),
        ("run_id", run_id),
    ):
        if value is not None:
            where.append(f"{column} = ?")
            values.append(value)
    found = [
        _entry(row)
        for row in db.execute(
            f"SELECT {_COLUMNS} FROM journal WHERE {' AND '.join(where)} "
            "ORDER BY rowid",
            values,
        )
    ]
    if keys is not None:
        wanted = set(keys)
        found = [e for e in found if e.key in wanted]
    return found


def entries_keyed_under_in(
    db: sqlite3.Connection, kind: str, prefix: str
) -> list[Entry]:
    """The entries of a kind whose key starts with `prefix` (every email of an
    invoice: `INV-2026-0007.`), in the order they were first recorded. Found through
    the (kind, key) index: a key range, since keys compare as UTF-8 bytes and so in
    code point order. `prefix` ends in an ASCII character (ValueError otherwise)."""
    if not prefix or not prefix[-1].isascii():
        raise ValueError(f"{prefix!r}: a key prefix ends in an ASCII character")
    below = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return [
        _entry(row)
        for row in db.execute(
            f"SELECT {_COLUMNS} FROM journal WHERE kind = ? AND key >= ? AND key < ? "
            "ORDER BY rowid",
            (kind, prefix, below),
        )
    ]


class Journal(Database):
    """The journal's part of the state database (`StateDB`)."""

    def intend(self, intent: Intent, *, run_id: str, now: datetime) -> Entry:
        """Record an effect before carrying it out; an effect already recorded is
        returned as it stands, for the caller to act on (`what_to_do`)."""
        with self.transaction() as db:
            return intend_in(db, intent, run_id=run_id, now=now)

    def reopen(self, intent: Intent, *, run_id: str, now: datetime) -> Entry:
        """Record an effect as intended again (a failed one redone, a changed one
        made anew); never one whose outcome is unknown."""
        with self.transaction() as db:
            return reopen_in(db, intent, run_id=run_id, now=now)

    def settle(
        self,
        entry: Entry,
        status: Status,
        details: Details | None = None,
        *,
        now: datetime,
    ) -> Entry:
        """Record an effect's outcome: done, failed, or unknown."""
        with self.transaction() as db:
            return settle_in(db, entry, status, details, now=now)

    def entry(self, kind: str, key: str) -> Entry | None:
        return entry_in(self.db, kind, key)

    def entries(
        self,
        *,
        kind: str | None = None,
        status: Status | None = None,
        keys: Iterable[str] | None = None,
        run_id: str | None = None,
    ) -> list[Entry]:
        """The journal's entries that match, in the order first recorded."""
        return entries_in(
            self.db,
            kind=kind,
            status=status,
            keys=set(keys) if keys is not None else None,
            run_id=run_id,
        )

    def entries_keyed_under(self, kind: str, prefix: str) -> list[Entry]:
        """The entries of a kind whose key starts with `prefix`, in the order first
        recorded (`entries_keyed_under_in`)."""
        return entries_keyed_under_in(self.db, kind, prefix)
