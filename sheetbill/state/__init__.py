"""The state database: what a workbook's runs have done, kept beside it in SQLite.

`StateDB` is one object over the whole file; each concept has its own module:
`database` (the file, run lock, migrations, transactions), `journal` (every side
effect, intended before and settled after), `invoices` (numbers drawn, invoices and
billed rows), `documents` (PDFs, their files and uploads), `mail` (every email sent
or skipped), `payments` and `recurring` (each plan's periods decided) and
`approvals`.
"""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path

from sheetbill.errors import StateError
from sheetbill.state.database import run_lock
from sheetbill.state.documents import DocumentRecords
from sheetbill.state.invoices import InvoiceRecords
from sheetbill.state.mail import MailRecords
from sheetbill.state.payments import PaymentRecords
from sheetbill.state.recurring import RecurringRecords


class StateDB(
    InvoiceRecords, DocumentRecords, MailRecords, PaymentRecords, RecurringRecords
):
    """One workbook's state database; as a context manager it holds the run lock,
    unless the caller holds it already (`is_locked=True`)."""


def forget_if_empty(path: Path) -> None:
    """Remove a state database that holds nothing drawn (made by a run refused before
    it drew anything), with its -wal and -shm files; call it holding the run lock."""
    with suppress(StateError, OSError):
        with StateDB(path, is_locked=True) as state:
            if not state.is_empty():
                return
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


__all__ = ["StateDB", "forget_if_empty", "run_lock"]
