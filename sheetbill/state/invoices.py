"""The invoices a workbook's state has drawn: counters, invoice records (stored as
JSON, `invoice_to_json`), the rows each billed, and numbers withdrawn.

Crash safety: before the workbook is written, the invoices and their Row IDs are
recorded in one transaction (numbers drawn for good), each with its `invoice.write`
effect intended in the journal; after the write the effects are settled done. A run
killed in between leaves them pending: the rerun completes them with the same
numbers, or rebuilds or withdraws them (`planning.recovery`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sheetbill.domain.journal import (
    INVOICE_STATUS,
    INVOICE_WRITE,
    Decision,
    Intent,
    Status,
    invoice_written,
    number_withdrawn,
    what_to_do,
)
from sheetbill.domain.model import (
    BilledRow,
    Counters,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    SourceRow,
    TaxBreakdown,
    TaxCategory,
    TaxMode,
)
from sheetbill.domain.recurring import PeriodRecord
from sheetbill.errors import StateError
from sheetbill.state.journal import (
    Journal,
    entries_in,
    entry_in,
    intend_in,
    record_done_in,
    reopen_in,
    settle_in,
    settle_keys_in,
)
from sheetbill.state.recurring import forget_periods_of_in, record_periods_in

ROW_ID_SERIES = "#row-id"
# An invoice.write's "send": made while Send Invoices said automatically.
AUTO = "automatically"


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
        # Absent from invoices recorded before invoices carried their period.
        service_period=(
            (date.fromisoformat(period[0]), date.fromisoformat(period[1]))
            if (period := raw.get("service_period"))
            else None
        ),
    )


class InvoiceRecords(Journal):
    """The invoices' part of the state database (`StateDB`)."""

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
        """Invoices a stopped run drew and may not have written: the journal has
        their writes pending, for this run to complete (`planning.recovery`)."""
        stopped = self.entries(kind=INVOICE_WRITE, status=Status.PENDING)
        return self.invoices(
            [e.key for e in stopped if what_to_do(e) is Decision.COMPLETE]
        )

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

    def emailed_by_itself(self) -> set[str]:
        """The invoices made while Send Invoices said automatically: only these go
        without a person's `send` (an older one never goes by itself)."""
        return {
            number
            for (number,) in self.db.execute(
                "SELECT key FROM journal WHERE kind = ? "
                "AND json_extract(details, '$.send') = ?",
                (INVOICE_WRITE, AUTO),
            )
        }

    def all_invoices(self) -> list[Invoice]:
        """Every drawn invoice the state holds (any status), in number order."""
        return [
            invoice_from_json(body)
            for (body,) in self.db.execute("SELECT body FROM invoices ORDER BY number")
        ]

    def invoice_numbers(self) -> list[str]:
        return [
            n for (n,) in self.db.execute("SELECT number FROM invoices ORDER BY rowid")
        ]

    def issue_dates(self) -> dict[str, date]:
        """Each drawn invoice's issue date, by number."""
        return {
            number: date.fromisoformat(day)
            for number, day in self.db.execute(
                "SELECT number, issue_date FROM invoices"
            )
        }

    def withdrawn_numbers(self) -> list[str]:
        if not self.has_table("withdrawn"):  # read-only, before its migration ran
            return []
        return [n for (n,) in self.db.execute("SELECT number FROM withdrawn")]

    def is_empty(self) -> bool:
        """Nothing drawn yet: no counter, no invoice, no withdrawn number."""
        return not any(
            self.db.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone()
            for table in ("counters", "invoices", "withdrawn")
        )

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
        sends_itself: bool | Collection[str] = False,
        periods: Sequence[PeriodRecord] = (),
    ) -> None:
        """Draw the numbers and Row IDs for good, before anything is written.

        `expected` is what the plan was made from; under the run lock it cannot have
        moved, and if it did, nothing is recorded. `replaces` are pending invoices
        that were never written: their rows are released and their numbers taken by
        `invoices` (rebuilt from the rows as they are now); `withdrawn` numbers
        (with the reason) are never used again. `people`: the Person of each billed
        Time Log row, by Row ID; `awaiting`: the numbers that await approval (the
        others need none), kept with who created them; `sends_itself`: Send
        Invoices said automatically when they were made (`emailed_by_itself`), for
        all of them or the numbers given; `periods`: the recurring plans' periods
        these invoices bill, recorded with them.
        """
        with self.transaction() as db:
            if self.counters() != expected:
                raise StateError(
                    "the counters moved while planning; run again", path=self.path
                )
            for number in (*replaces, *(withdrawn or {})):
                db.execute("DELETE FROM billed_rows WHERE invoice_no = ?", (number,))
            forget_periods_of_in(db, [*replaces, *(withdrawn or {})])
            for number, reason in (withdrawn or {}).items():
                self._withdraw(db, number, reason, run_id=run_id, now=now)
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
            retaken = set(replaces)
            for invoice in invoices:
                # A rebuilt invoice keeps its row (its PDF record points at it).
                write = entry_in(db, INVOICE_WRITE, invoice.number)
                if write is not None and write.status is not Status.PENDING:
                    continue  # written: a number is never drawn twice
                db.execute(
                    "INSERT INTO invoices (number, customer_id, currency, total,"
                    " issue_date, body, run_id, created_at)"
                    " VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(number) DO "
                    "UPDATE SET customer_id = excluded.customer_id, "
                    "currency = excluded.currency, total = excluded.total, "
                    "issue_date = excluded.issue_date, body = excluded.body, "
                    "run_id = excluded.run_id, created_at = excluded.created_at",
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
                intend = reopen_in if invoice.number in retaken else intend_in
                intent = invoice_written(invoice)
                if (
                    sends_itself
                    if isinstance(sends_itself, bool)
                    else invoice.number in sends_itself
                ):
                    intent = replace(intent, details={**intent.details, "send": AUTO})
                intend(db, intent, run_id=run_id, now=now)
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
            record_periods_in(db, periods, run_id=run_id, now=now)

    @staticmethod
    def _withdraw(
        db: sqlite3.Connection, number: str, reason: str, *, run_id: str, now: datetime
    ) -> None:
        """A never-written number given up for good: its invoice and records go (its
        documents' entries stay, of no invoice), its write is settled failed, and
        the withdrawal itself is journalled."""
        for table in ("approvals", "service_periods"):
            db.execute(f"DELETE FROM {table} WHERE number = ?", (number,))
        write = entry_in(db, INVOICE_WRITE, number)
        if write is None or write.status is Status.PENDING:
            db.execute("DELETE FROM invoices WHERE number = ?", (number,))
        if write is not None:
            details = {**write.details, "withdrawn": reason}
            settle_in(db, write, Status.FAILED, details, now=now)
        db.execute(
            "INSERT INTO withdrawn VALUES (?, ?, ?, ?)",
            (number, now.isoformat(timespec="seconds"), run_id, reason),
        )
        record_done_in(db, number_withdrawn(number, reason), run_id=run_id, now=now)

    def mark_written(
        self, numbers: Sequence[str], *, run_id: str, now: datetime
    ) -> None:
        """The workbook now shows these invoices: their writes are done."""
        with self.transaction() as db:
            settle_keys_in(db, INVOICE_WRITE, numbers, Status.DONE, now=now)

    def shown_statuses(self) -> dict[str, str]:
        """The Status each invoice's row was last written with, by number."""
        return {
            e.key: e.details["status"]
            for e in entries_in(self.db, kind=INVOICE_STATUS)
            if e.status is Status.DONE
        }

    def record_shown_statuses(
        self, statuses: Mapping[str, str], *, run_id: str, now: datetime
    ) -> None:
        """The workbook now shows these Statuses (number -> Status)."""
        if not statuses:
            return
        with self.transaction() as db:
            for number, status in statuses.items():
                intent = Intent(INVOICE_STATUS, number, {"status": status})
                record_done_in(db, intent, run_id=run_id, now=now)

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
        recurring: Sequence[PeriodRecord] = (),
    ) -> None:
        """Fill an empty state database with what its workbook shows, as written,
        and the service period of each invoice that billed time; `people` is the
        Person of each billed Time Log row (by Row ID), `approvals` each invoice's
        approval ("not needed", "awaiting approval" or "approved") as its Status
        showed; `recurring`: the plans' periods billed on those invoices."""
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
                " issue_date, body, run_id, created_at) VALUES (?,?,?,?,?,?,?,?)",
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
                    )
                    for i in invoices
                ],
            )
            for invoice in invoices:  # the workbook shows them: written
                record_done_in(db, invoice_written(invoice), run_id=run_id, now=now)
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
            record_periods_in(db, recurring, run_id=run_id, now=now)
