"""The one exception tree of sheetbill: unusable input, failed I/O and bugs.

Bad data in rows is not an exception; it is a `model.Problem` value. These are for the
cases where a run cannot go on, and the CLI turns each into one line and an exit code.
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


class RunInProgressError(StateError):
    """Another sheetbill run holds the lock of this workbook's state."""


class StateMismatchError(StateError):
    """The workbook shows invoice numbers or Row IDs this state database never drew:
    the state is missing, emptied, or belongs to another copy of the workbook."""

    exit_code = 2

    def __init__(
        self, marks: list[str], *, state_path: Path | None, workbook: str
    ) -> None:
        shown = ", ".join(marks[:4]) + (
            f" and {len(marks) - 4} more" if len(marks) > 4 else ""
        )
        super().__init__(
            f"the workbook shows {shown}, which its state database never drew (the "
            "state is missing, empty or another copy's, or these were typed by hand); "
            "nothing was done, so no number is issued twice. Put the right state "
            "database back, or rebuild it from the workbook: sheetbill state rebuild "
            f"{shlex.quote(workbook)}",
            path=state_path,
        )
        self.marks = marks


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
