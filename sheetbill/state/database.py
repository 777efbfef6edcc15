"""The state database file: its connection, the run lock, the schema's migrations and
transactions that turn sqlite's errors into one line a person can act on.

What is kept in it has a module each: the journal of side effects (`journal`), the
invoices drawn and rows billed (`invoices`), the documents' files and uploads
(`documents`), approvals (`approvals`); `StateDB` (the package) is all of them.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

from filelock import FileLock, Timeout

from sheetbill.errors import RunInProgressError, StateError, StateUnreadableError
from sheetbill.state.migrations import MIGRATIONS

# sqlite's primary result codes (sqlite3.Error.sqlite_errorcode & 0xFF).
_SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_NOTADB = 10, 11, 13, 26


@contextmanager
def run_lock(path: Path, *, timeout: float) -> Iterator[None]:
    """The lock of one workbook's runs (a file beside its state database).

    Held from before the workbook is read until the run's last write, so that a
    run plans only from what the run before it wrote.
    """
    lock = FileLock(str(path) + ".lock", timeout=timeout)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except Timeout as exc:
        raise RunInProgressError(
            "another sheetbill run is working on this workbook; wait for it to "
            "finish and run again",
            path=path,
        ) from exc
    except OSError as exc:
        raise StateError(
            f"cannot write the state database's lock file in "
            f"{os.path.abspath(path.parent)} "
            f"({exc.strerror}); make that folder writable, then run again",
            path=path,
        ) from exc
    try:
        yield
    finally:
        lock.release()


class Database:
    """One workbook's state database file: its connection, run lock, schema and
    transactions. As a context manager it holds the run lock, unless the caller holds
    it already (`is_locked=True`)."""

    def __init__(
        self, path: Path, *, lock_timeout: float = 10.0, is_locked: bool = False
    ) -> None:
        self.path = path
        self.lock_timeout = lock_timeout
        self.is_locked = is_locked
        self._held = ExitStack()
        self._db: sqlite3.Connection | None = None

    @classmethod
    @contextmanager
    def for_reading(cls, path: Path, *, untouched: bool = False) -> Iterator[Self]:
        """The state database opened read-only, without the run lock: for `check`,
        which writes nothing (not even a lock file) and never waits for a run. A
        running run's last committed state is what it sees (SQLite's WAL readers).
        `untouched`: not even SQLite's -shm file is touched (the file as it is on
        disk: a running run's latest commits may not be in it yet)."""
        state = cls(path, is_locked=True)
        uri = path.resolve().as_uri()
        # In a folder it may not write, SQLite cannot make a reader's -shm file; the
        # file is then read as it is on disk (`immutable`: every run's last commit
        # is checkpointed into it when the run closes it).
        choices = ("mode=ro", "mode=ro&immutable=1")
        for options in choices[1:] if untouched else choices:
            state.close()
            try:
                state._db = sqlite3.connect(
                    f"{uri}?{options}", uri=True, isolation_level=None
                )
                state._db.execute("SELECT count(*) FROM sqlite_master").fetchone()
                break
            except sqlite3.OperationalError as exc:
                error = exc
            except sqlite3.Error as exc:
                state.close()
                raise state._error(exc) from exc
        else:
            state.close()
            raise state._error(error) from error
        try:
            if state.has_tables() and state._is_behind():
                # A state database an older sheetbill left is read as this one sees
                # it: migrated in memory, the file left as it is (a check or a dry
                # run changes nothing, and the older sheetbill can still read it).
                memory = sqlite3.connect(":memory:", isolation_level=None)
                state.db.backup(memory)
                state.close()
                state._db = memory
                state._migrate()
            yield state
        except sqlite3.Error as exc:
            raise state._error(exc) from exc
        finally:
            state.close()

    def __enter__(self) -> Self:
        if not self.is_locked:
            self._held.enter_context(run_lock(self.path, timeout=self.lock_timeout))
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.Error as exc:
            self.close()
            raise self._error(exc) from exc
        except StateError:
            self.close()
            raise
        return self

    def _error(self, exc: sqlite3.Error) -> StateError:
        """One line for what sqlite said: a database it cannot read (exit 2), or
        one it cannot write (disk full, read-only file or folder: exit 3)."""
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
            return StateUnreadableError(
                f"the state database cannot be read ({exc}); restore it from a "
                "backup, or rebuild it from the workbook (sheetbill state rebuild; "
                "the unreadable file is kept beside it)",
                path=self.path,
            )
        if code == _SQLITE_FULL:
            reason = "the disk is full; free some space"
        elif code == _SQLITE_IOERR:
            reason = "disk I/O error, most often a full disk; free some space"
        else:
            reason = (
                f"{exc}; make it, its -wal and -shm files beside it, and its folder "
                "writable"
            )
        return StateError(
            f"cannot write the state database ({reason}), then run again",
            path=self.path,
        )

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        self._held.close()

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise StateError("the state database is not open", path=self.path)
        return self._db

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT; sqlite's errors (disk full, read-only) become
        a StateError, and the transaction is rolled back."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        try:
            yield self.db
            self.db.execute("COMMIT")
        except BaseException as exc:
            if self.db.in_transaction:
                with suppress(sqlite3.Error):
                    self.db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise self._error(exc) from exc
            raise

    def _migrate(self) -> None:
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        done = {v for (v,) in self.db.execute("SELECT version FROM schema_migrations")}
        for version, script in enumerate(MIGRATIONS, start=1):
            if version in done:
                continue
            with self.transaction() as db:
                for statement in filter(str.strip, script.split(";")):
                    db.execute(statement)
                db.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?)",
                    (version, datetime.now(UTC).isoformat(timespec="seconds")),
                )

    def _is_behind(self) -> bool:
        """Whether migrations of this sheetbill's are missing from the database."""
        if not self.has_table("schema_migrations"):
            return True
        (latest,) = self.db.execute(
            "SELECT max(version) FROM schema_migrations"
        ).fetchone()
        return int(latest or 0) < len(MIGRATIONS)

    def has_tables(self) -> bool:
        """Whether the database holds sheetbill's tables (a new or emptied file
        opened read-only does not)."""
        return self.has_table("counters")

    def has_table(self, name: str) -> bool:
        return bool(
            self.db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
            ).fetchone()
        )

    def snapshot(self) -> bytes:
        """Every row of every table, for tests that prove a dry run changed nothing."""
        return "\n".join(self.db.iterdump()).encode()
