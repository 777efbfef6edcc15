"""The local state database (SQLite): counters, issued invoices, billed rows, the log.

Crash safety lives here: before the workbook is written, the invoices and their Row IDs
are recorded as *pending* in one transaction (numbers drawn for good); after the write
they are marked *written*. A run killed in between finds them pending and completes the
write with the same numbers. A file lock keeps two runs apart.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from filelock import FileLock, Timeout

from sheetbill.domain.model import (
    Invoice,
    InvoiceKind,
    InvoiceLine,
    SourceRow,
    TaxBreakdown,
    TaxCategory,
    TaxMode,
)
from sheetbill.errors import RunInProgressError, StateError, StateUnreadableError
from sheetbill.planning.invoices import Counters
from sheetbill.state.migrations import MIGRATIONS
from sheetbill.tabs.billable import BilledRow

ROW_ID_SERIES = "#row-id"
# sqlite's primary result codes (sqlite3.Error.sqlite_errorcode & 0xFF).
_SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_NOTADB = 10, 11, 13, 26


@dataclass(frozen=True, slots=True)
class Upload:
    """An invoice's PDF as stored elsewhere (a Drive file) and the link to it."""

    # The document's content hash when uploaded: a new hash means upload again.
    content_hash: str
    file_id: str
    link: str


class FileRecord(NamedTuple):
    """A file a run wrote into the PDF folder: its bytes' sha256, and its size and
    modification time then (while both are unchanged, it need not be read again)."""

    sha256: str
    size: int
    mtime_ns: int


# (invoice number, file name, what was written) of one file in the PDF folder.
WrittenFile = tuple[str, str, FileRecord]


def invoice_to_json(invoice: Invoice) -> str:
    def default(value: object) -> object:
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, date | datetime):
            return value.isoformat()
        if isinstance(value, TaxMode | InvoiceKind | TaxCategory):
            return value.value
        raise TypeError(type(value))

    data = asdict(invoice)
    for line in data["lines"]:
        # asdict keeps NamedTuples as tuples; stored as objects, as they always were.
        line["sources"] = [source._asdict() for source in line["sources"]]
    return json.dumps(data, default=default, sort_keys=True)


def invoice_from_json(text: str) -> Invoice:
    raw: dict[str, Any] = json.loads(text)
    lines = tuple(
        InvoiceLine(
            line=li["line"],
            description=li["description"],
            quantity=Decimal(li["quantity"]),
            unit=li["unit"],
            unit_price=Decimal(li["unit_price"]),
            tax_rate=Decimal(li["tax_rate"]),
            net=Decimal(li["net"]),
            tax=Decimal(li["tax"]),
            total=Decimal(li["total"]),
            sources=tuple(SourceRow(**s) for s in li["sources"]),
            # Absent from invoices recorded before lines carried a category.
            tax_category=TaxCategory(li["tax_category"])
            if li.get("tax_category")
            else None,
        )
        for li in raw["lines"]
    )
    return Invoice(
        number=raw["number"],
        kind=InvoiceKind(raw["kind"]),
        customer_id=raw["customer_id"],
        customer_name=raw["customer_name"],
        currency=raw["currency"],
        issue_date=date.fromisoformat(raw["issue_date"]),
        due_date=date.fromisoformat(raw["due_date"]),
        tax_mode=TaxMode(raw["tax_mode"]),
        lines=lines,
        net=Decimal(raw["net"]),
        tax=Decimal(raw["tax"]),
        total=Decimal(raw["total"]),
        breakdown=tuple(
            TaxBreakdown(Decimal(b["rate"]), Decimal(b["net"]), Decimal(b["tax"]))
            for b in raw["breakdown"]
        ),
        work_complete=(
            date.fromisoformat(raw["work_complete"]) if raw["work_complete"] else None
        ),
        created_by=raw["created_by"],
    )


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


def forget_if_empty(path: Path) -> None:
    """Remove a state database that holds nothing drawn (made by a run refused before
    it drew anything), with its journal files; call it holding the run lock."""
    with suppress(StateError, OSError):
        with StateDB(path, is_locked=True) as state:
            if not state.is_empty():
                return
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


class StateDB:
    """One workbook's state database; as a context manager it holds the run lock,
    unless the caller holds it already (`is_locked=True`)."""

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
    def for_reading(cls, path: Path) -> Iterator[StateDB]:
        """The state database opened read-only, without the run lock: for `check`,
        which writes nothing (not even a lock file) and never waits for a run. A
        running run's last committed state is what it sees (SQLite's WAL readers)."""
        state = cls(path, is_locked=True)
        uri = path.resolve().as_uri()
        # In a folder it may not write, SQLite cannot make a reader's -shm file; the
        # file is then read as it is on disk (`immutable`: every run's last commit
        # is checkpointed into it when the run closes it).
        for options in ("mode=ro", "mode=ro&immutable=1"):
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
            yield state
        except sqlite3.Error as exc:
            raise state._error(exc) from exc
        finally:
            state.close()

    def __enter__(self) -> StateDB:
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

    # -- reading ---------------------------------------------------------------------

    def counters(self) -> Counters:
        rows = dict(self.db.execute("SELECT series, last FROM counters"))
        return Counters(
            last_sequence={k: v for k, v in rows.items() if k != ROW_ID_SERIES},
            last_row_id=rows.get(ROW_ID_SERIES, 0),
        )

    def billed_rows(self) -> dict[str, BilledRow]:
        return {
            row_id: BilledRow(row_id, tab, invoice_no, fingerprint)
            for row_id, tab, invoice_no, fingerprint in self.db.execute(
                "SELECT row_id, tab, invoice_no, fingerprint FROM billed_rows"
            )
        }

    def pending_invoices(self) -> list[Invoice]:
        return [
            invoice_from_json(body)
            for (body,) in self.db.execute(
                "SELECT body FROM invoices WHERE status = 'pending' ORDER BY number"
            )
        ]

    def invoices(self, numbers: Sequence[str]) -> list[Invoice]:
        """The stored invoices of these numbers (any status), in number order."""
        found = []
        for number in sorted(numbers):
            row = self.db.execute(
                "SELECT body FROM invoices WHERE number = ?", (number,)
            ).fetchone()
            if row is not None:
                found.append(invoice_from_json(row[0]))
        return found

    def document_hashes(self) -> dict[str, str]:
        """Content hash of each invoice's PDF as last rendered."""
        return dict(self.db.execute("SELECT number, content_hash FROM documents"))

    def document_paths(self) -> dict[str, str]:
        """Where each invoice's PDF was last written, by invoice number."""
        return dict(self.db.execute("SELECT number, path FROM documents"))

    def document_files(self) -> dict[str, FileRecord]:
        """Each file written into the PDF folder, by file name."""
        return {
            name: FileRecord(sha, size, mtime_ns)
            for name, sha, size, mtime_ns in self.db.execute(
                "SELECT name, sha256, size, mtime_ns FROM document_files"
            )
        }

    def files_of(self, numbers: Iterable[str]) -> dict[str, FileRecord]:
        """The files written for these invoices, by file name."""
        wanted = set(numbers)
        return {
            name: FileRecord(sha, size, mtime_ns)
            for number, name, sha, size, mtime_ns in self.db.execute(
                "SELECT number, name, sha256, size, mtime_ns FROM document_files"
            )
            if number in wanted
        }

    def file_intents(self) -> dict[str, str]:
        """Files a run meant to write and did not record as written: name -> number."""
        return dict(self.db.execute("SELECT name, number FROM document_intents"))

    def record_file_intents(
        self, intents: Sequence[tuple[str, str]], *, now: datetime
    ) -> None:
        """(file name, invoice number) of files about to be written, before they are."""
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO document_intents VALUES (?, ?, ?) ON CONFLICT(name) DO "
                "UPDATE SET number = excluded.number",
                [
                    (n, number, now.isoformat(timespec="seconds"))
                    for n, number in intents
                ],
            )

    def clear_file_intents(self, names: Iterable[str]) -> None:
        with self.transaction() as db:
            db.executemany(
                "DELETE FROM document_intents WHERE name = ?", [(n,) for n in names]
            )

    def record_document_files(
        self, files: Sequence[WrittenFile], *, now: datetime
    ) -> None:
        """Files found to be this state's own: ones written before their sha256
        was recorded (by an older sheetbill)."""
        with self.transaction() as db:
            self._insert_files(db, files, now)

    @staticmethod
    def _insert_files(
        db: sqlite3.Connection, files: Sequence[WrittenFile], now: datetime
    ) -> None:
        db.executemany(
            "INSERT INTO document_files (number, name, sha256, size, mtime_ns, "
            "written_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET "
            "number = excluded.number, sha256 = excluded.sha256, "
            "size = excluded.size, mtime_ns = excluded.mtime_ns, "
            "written_at = excluded.written_at",
            [
                (
                    n,
                    name,
                    f.sha256,
                    f.size,
                    f.mtime_ns,
                    now.isoformat(timespec="seconds"),
                )
                for n, name, f in files
            ],
        )

    def document_periods(self) -> dict[str, tuple[date, date]]:
        """The service period each invoice's PDF showed, where it had one (else the
        one `state rebuild` found in the workbook)."""
        return {
            number: (date.fromisoformat(start), date.fromisoformat(end))
            for number, start, end in self.db.execute(
                "SELECT number, period_start, period_end FROM service_periods "
                "UNION ALL SELECT number, period_start, period_end FROM documents "
                "WHERE period_start IS NOT NULL AND period_end IS NOT NULL"
            )
        }

    def record_documents(
        self,
        rendered: Sequence[tuple[str, str, str]],
        *,
        run_id: str,
        now: datetime,
        periods: Mapping[str, tuple[date, date] | None] | None = None,
        files: Sequence[WrittenFile] = (),
    ) -> None:
        """(number, content hash, path) of PDFs just written to disk, the service
        period each shows, and every file written."""
        with self.transaction() as db:
            self._insert_files(db, files, now)
            for number, content_hash, path in rendered:
                period = (periods or {}).get(number)
                start, end = (p.isoformat() for p in period) if period else (None, None)
                db.execute(
                    "INSERT INTO documents (number, content_hash, path, rendered_at,"
                    " period_start, period_end) VALUES (?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT(number) DO UPDATE SET "
                    "content_hash = excluded.content_hash, path = excluded.path, "
                    "rendered_at = excluded.rendered_at, "
                    "period_start = excluded.period_start, "
                    "period_end = excluded.period_end",
                    (
                        number,
                        content_hash,
                        path,
                        now.isoformat(timespec="seconds"),
                        start,
                        end,
                    ),
                )
                self._event(db, now, run_id, "pdf rendered", number, path)

    def uploads(self) -> dict[str, Upload]:
        """Each invoice's PDF as last uploaded (to Drive), by invoice number."""
        return {
            number: Upload(content_hash, file_id, link)
            for number, content_hash, file_id, link in self.db.execute(
                "SELECT number, content_hash, file_id, link FROM uploads"
            )
        }

    def record_upload(
        self, number: str, upload: Upload, *, run_id: str, now: datetime
    ) -> None:
        """One PDF just uploaded; recorded at once, so a crash later in the run does
        not upload it a second time."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO uploads VALUES (?, ?, ?, ?, ?) ON CONFLICT(number) DO "
                "UPDATE SET content_hash = excluded.content_hash, "
                "file_id = excluded.file_id, link = excluded.link, "
                "uploaded_at = excluded.uploaded_at",
                (
                    number,
                    upload.content_hash,
                    upload.file_id,
                    upload.link,
                    now.isoformat(timespec="seconds"),
                ),
            )
            self._event(db, now, run_id, "pdf uploaded", number, upload.link)

    def withdrawn_numbers(self) -> list[str]:
        if not self._has_table("withdrawn"):  # read-only, before its migration ran
            return []
        return [n for (n,) in self.db.execute("SELECT number FROM withdrawn")]

    def has_tables(self) -> bool:
        """Whether the database holds sheetbill's tables (a new or emptied file
        opened read-only does not)."""
        return self._has_table("counters")

    def _has_table(self, name: str) -> bool:
        return bool(
            self.db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
            ).fetchone()
        )

    def issue_dates(self) -> dict[str, date]:
        """Each drawn invoice's issue date, by number."""
        return {
            number: date.fromisoformat(day)
            for number, day in self.db.execute(
                "SELECT number, issue_date FROM invoices"
            )
        }

    def is_empty(self) -> bool:
        """Nothing drawn yet: no counter, no invoice, no withdrawn number."""
        return not any(
            self.db.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone()
            for table in ("counters", "invoices", "withdrawn")
        )

    def load_rebuilt(
        self,
        invoices: Sequence[Invoice],
        billed_rows: Sequence[tuple[str, str, str, str]],
        counters: Counters,
        *,
        run_id: str,
        now: datetime,
        periods: Mapping[str, tuple[date, date]] | None = None,
        people: Mapping[str, str] | None = None,
        approvals: Mapping[str, str] | None = None,
    ) -> None:
        """Fill an empty state database with what its workbook shows, as written,
        and the service period of each invoice that billed time; `people` is the
        Person of each billed Time Log row (by Row ID), `approvals` each invoice's
        approval ("not needed", "awaiting approval" or "approved") as its Status
        showed."""
        at = now.isoformat(timespec="seconds")
        with self.transaction() as db:
            if not self.is_empty():
                raise StateError(
                    "the state database is not empty; nothing was rebuilt",
                    path=self.path,
                )
            db.executemany(
                "INSERT INTO counters VALUES (?, ?)",
                [
                    *counters.last_sequence.items(),
                    (ROW_ID_SERIES, counters.last_row_id),
                ],
            )
            db.executemany(
                "INSERT INTO invoices (number, customer_id, currency, total,"
                " issue_date, status, body, run_id, created_at, written_at)"
                " VALUES (?,?,?,?,?,'written',?,?,?,?)",
                [
                    (
                        i.number,
                        i.customer_id,
                        i.currency,
                        str(i.total),
                        i.issue_date.isoformat(),
                        invoice_to_json(i),
                        run_id,
                        at,
                        at,
                    )
                    for i in invoices
                ],
            )
            db.executemany(
                "INSERT INTO billed_rows (row_id, tab, invoice_no, fingerprint, "
                "person) VALUES (?, ?, ?, ?, ?)",
                [(*row, (people or {}).get(row[0])) for row in billed_rows],
            )
            db.executemany(
                "INSERT INTO approvals (number, status, created_by, run_id, "
                "shown_at) VALUES (?, ?, ?, ?, ?)",
                [
                    (i.number, (approvals or {})[i.number], i.created_by, run_id, at)
                    for i in invoices
                    if i.number in (approvals or {})
                ],
            )
            db.executemany(
                "INSERT INTO service_periods VALUES (?, ?, ?)",
                [
                    (n, start.isoformat(), end.isoformat())
                    for n, (start, end) in (periods or {}).items()
                ],
            )
            self._event(
                db,
                now,
                run_id,
                "state rebuilt",
                None,
                f"{len(invoices)} invoices, {len(billed_rows)} billed rows from the "
                "workbook",
            )

    def invoice_numbers(self) -> list[str]:
        return [
            n for (n,) in self.db.execute("SELECT number FROM invoices ORDER BY rowid")
        ]

    # -- writing ---------------------------------------------------------------------

    def record_pending(
        self,
        invoices: Sequence[Invoice],
        *,
        after: Counters,
        expected: Counters,
        run_id: str,
        now: datetime,
        replaces: Sequence[str] = (),
        withdrawn: Mapping[str, str] | None = None,
        people: Mapping[str, str] | None = None,
        awaiting: Collection[str] = (),
    ) -> None:
        """Draw the numbers and Row IDs for good, before anything is written.

        `expected` is what the plan was made from; under the run lock it cannot have
        moved, and if it did, nothing is recorded. `replaces` are pending invoices
        that were never written: their rows are released and their numbers taken by
        `invoices` (rebuilt from the rows as they are now); `withdrawn` numbers
        (with the reason) are never used again. `people`: the Person of each billed
        Time Log row, by Row ID; `awaiting`: the numbers that await approval (the
        others need none), kept with who created them.
        """
        with self.transaction() as db:
            if self.counters() != expected:
                raise StateError(
                    "the counters moved while planning; run again", path=self.path
                )
            for number in (*replaces, *(withdrawn or {})):
                db.execute("DELETE FROM billed_rows WHERE invoice_no = ?", (number,))
            for number, reason in (withdrawn or {}).items():
                for table in (
                    "approvals",
                    "uploads",
                    "documents",
                    "document_files",
                    "service_periods",
                ):
                    db.execute(f"DELETE FROM {table} WHERE number = ?", (number,))
                db.execute(
                    "DELETE FROM invoices WHERE number = ? AND status = 'pending'",
                    (number,),
                )
                db.execute(
                    "INSERT INTO withdrawn VALUES (?, ?, ?, ?)",
                    (number, now.isoformat(timespec="seconds"), run_id, reason),
                )
                self._event(db, now, run_id, "number withdrawn", number, reason)
            for name, last in after.last_sequence.items():
                db.execute(
                    "INSERT INTO counters VALUES (?, ?) ON CONFLICT(series) DO UPDATE "
                    "SET last = excluded.last WHERE excluded.last > counters.last",
                    (name, last),
                )
            db.execute(
                "INSERT INTO counters VALUES (?, ?) ON CONFLICT(series) DO UPDATE "
                "SET last = excluded.last WHERE excluded.last > counters.last",
                (ROW_ID_SERIES, after.last_row_id),
            )
            for invoice in invoices:
                # A rebuilt invoice keeps its row (its PDF record points at it).
                db.execute(
                    "INSERT INTO invoices (number, customer_id, currency, total,"
                    " issue_date, status, body, run_id, created_at)"
                    " VALUES (?,?,?,?,?,'pending',?,?,?) ON CONFLICT(number) DO "
                    "UPDATE SET customer_id = excluded.customer_id, "
                    "currency = excluded.currency, total = excluded.total, "
                    "issue_date = excluded.issue_date, body = excluded.body, "
                    "run_id = excluded.run_id, created_at = excluded.created_at "
                    "WHERE invoices.status = 'pending'",
                    (
                        invoice.number,
                        invoice.customer_id,
                        invoice.currency,
                        str(invoice.total),
                        invoice.issue_date.isoformat(),
                        invoice_to_json(invoice),
                        run_id,
                        now.isoformat(timespec="seconds"),
                    ),
                )
                db.executemany(
                    "INSERT INTO billed_rows (row_id, tab, invoice_no, fingerprint,"
                    " person) VALUES (?, ?, ?, ?, ?)",
                    [
                        (
                            s.row_id,
                            s.tab,
                            invoice.number,
                            s.fingerprint,
                            (people or {}).get(s.row_id),
                        )
                        for s in invoice.sources
                    ],
                )
                db.execute(
                    "INSERT INTO approvals (number, status, created_by, run_id) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT(number) DO UPDATE SET "
                    "status = excluded.status, created_by = excluded.created_by, "
                    "run_id = excluded.run_id",
                    (
                        invoice.number,
                        "awaiting approval"
                        if invoice.number in awaiting
                        else "not needed",
                        invoice.created_by,
                        run_id,
                    ),
                )
                self._event(
                    db,
                    now,
                    run_id,
                    "invoice drawn",
                    invoice.number,
                    f"{invoice.customer_id} {invoice.total} {invoice.currency}",
                )

    def mark_written(
        self, numbers: Sequence[str], *, run_id: str, now: datetime
    ) -> None:
        with self.transaction() as db:
            for number in numbers:
                db.execute(
                    "UPDATE invoices SET status = 'written', written_at = ? "
                    "WHERE number = ? AND status = 'pending'",
                    (now.isoformat(timespec="seconds"), number),
                )
                self._event(db, now, run_id, "invoice written", number, "")

    @staticmethod
    def _event(
        db: sqlite3.Connection,
        now: datetime,
        run_id: str,
        action: str,
        invoice: str | None,
        detail: str,
    ) -> None:
        db.execute(
            "INSERT INTO events (at, run_id, action, invoice, detail)"
            " VALUES (?,?,?,?,?)",
            (now.isoformat(timespec="seconds"), run_id, action, invoice, detail),
        )

    def snapshot(self) -> bytes:
        """Every row of every table, for tests that prove a dry run changed nothing."""
        return "\n".join(self.db.iterdump()).encode()
