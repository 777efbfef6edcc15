"""The one exception tree of sheetbill: unusable input, failed I/O and bugs.

Bad data in rows is not an exception; it is a `model.Problem` value. These are for the
cases where a run cannot go on, and the CLI turns each into one line and an exit code
(2 unless marked 3):

    SheetbillError
    ├── UsageError                 a command-line mistake
    ├── ConfigError                sheetbill.toml or an option is wrong
    ├── WorkbookError              the workbook cannot be read
    ├── WorkbookWriteError (3)     the workbook cannot be written
    │   ├── WorkbookLockedError    Excel or LibreOffice holds it open
    │   ├── WorkbookChangedError   a person saved it while sheetbill worked
    │   └── WorkbookSaveKeptError  their save is kept as a backup
    ├── StateError (3)             the state database cannot be used or written
    │   ├── StateUnreadableError   it is not a database sqlite can read
    │   ├── RunInProgressError (3) another run holds the lock
    │   ├── StateMissingError      there is none yet (nothing to explain)
    │   └── StateMismatchError     the state is not this workbook's
    ├── DateError                  a run date out of sequence or in the future
    ├── DocumentsFolderError (3)   PDFs could not be written there
    ├── RenderError                a template cannot be rendered
    ├── DocumentWriteError (3)     a document file could not be written
    ├── DeliveryError              an email or a Drive upload did not go through
    └── BankFileError              a bank or processor file cannot be imported
"""

from __future__ import annotations

import shlex
from pathlib import Path


class SheetbillError(Exception):
    """Base of every error sheetbill reports to a user in one line."""

    exit_code = 2

    def __init__(self, message: str, *, path: Path | str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        if self.path is not None:
            return f"{self.path}: {self.message}"
        return self.message


class UsageError(SheetbillError):
    """A command-line mistake."""


class ConfigError(SheetbillError):
    """The configuration file or a command-line option is wrong."""


class WorkbookError(SheetbillError):
    """The workbook cannot be read: missing, corrupt, encrypted or hostile."""


class WorkbookWriteError(SheetbillError):
    """The workbook could not be written (held open, read-only disk, ...)."""

    exit_code = 3


class WorkbookLockedError(WorkbookWriteError):
    """Excel or LibreOffice holds the file open; `holder` names who, when known."""

    def __init__(
        self, message: str, *, path: Path | str | None = None, holder: str | None = None
    ) -> None:
        super().__init__(message, path=path)
        self.holder = holder


class WorkbookChangedError(WorkbookWriteError):
    """The workbook changed on disk after it was read; re-read and re-plan."""


class WorkbookSaveKeptError(WorkbookWriteError):
    """A person saved the workbook while sheetbill replaced it, and their version is
    not the current file: it is kept in the backups (`kept`); run again."""

    def __init__(
        self, message: str, *, path: Path | str | None = None, kept: Path | None = None
    ) -> None:
        super().__init__(message, path=path)
        self.kept = kept


class StateError(SheetbillError):
    """The local state database is unusable, or another run holds it."""

    exit_code = 3


class StateUnreadableError(StateError):
    """The state database is not a database sqlite can read (corrupt, or another
    kind of file): it cannot be used until restored or moved away."""

    exit_code = 2


class StateMissingError(StateError):
    """No state database where the workbook's would be, or an empty one: sheetbill
    has done nothing for this workbook there yet (a command that only reads it)."""

    exit_code = 2


class RunInProgressError(StateError):
    """Another sheetbill run holds the lock of this workbook's state."""


class StateMismatchError(StateError):
    """The workbook shows invoice numbers or Row IDs this state database never drew:
    the state is missing, emptied, or belongs to another copy of the workbook."""

    exit_code = 2

    def __init__(
        self,
        numbers: list[str],
        row_ids: list[str],
        *,
        state_path: Path | None,
        workbook: str,
    ) -> None:
        shown = " and ".join(
            part
            for part in (
                _some("invoice number", numbers),
                _some("Row ID", row_ids),
            )
            if part
        )
        super().__init__(
            f"the workbook shows {shown} that its state database never drew (the "
            "state is missing, empty or another copy's, or numbers were typed by "
            "hand); nothing was done, so no number is issued twice. If this file is "
            "a copy of a workbook you bill from, do not run it (check is safe). "
            "Otherwise put the right state database back, or rebuild it "
            f"from the workbook: sheetbill state rebuild {shlex.quote(workbook)}",
            path=state_path,
        )
        self.marks = [*numbers, *row_ids]


def _some(kind: str, marks: list[str]) -> str:
    if not marks:
        return ""
    if len(marks) == 1:
        return f"{kind} {marks[0]}"
    more = f", … ({len(marks)} in all)" if len(marks) > 3 else ""
    return f"{kind}s {', '.join(marks[:3])}{more}"


class DateError(SheetbillError):
    """The run's date would issue invoices out of date order or in the future."""


class DocumentsFolderError(SheetbillError):
    """The folder PDFs go to cannot be written."""

    exit_code = 3


class RenderError(SheetbillError):
    """A document (PDF) could not be rendered."""


class DocumentWriteError(SheetbillError):
    """A document (PDF, XML) could not be written to disk: disk full, no permission."""

    exit_code = 3


class DeliveryError(SheetbillError):
    """A document could not be delivered: an email, or a PDF uploaded to Drive."""


class BankFileError(SheetbillError):
    """A bank statement or processor export cannot be imported: unknown format,
    unreadable, hostile or too big. Nothing of it is imported."""
