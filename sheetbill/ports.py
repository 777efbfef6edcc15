"""Every interface a use case needs from the world outside the pure core.

A use case (`sheetbill.usecases`) is handed these and never names a concrete adapter;
`sheetbill.wiring` is the one module that turns a config into the adapters behind them
(the Excel file or Google Sheet, the Drive folder). A test passes fakes that satisfy the
same protocols (`sheetbill.testing`).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sheetbill.domain.mail import OutgoingEmail, SendResult
from sheetbill.domain.sheet import BookSnapshot, WorkbookChanges


class Workbook(Protocol):
    """A spreadsheet sheetbill reads from and writes back to."""

    @property
    def name(self) -> str:
        """A human name for messages: a file name or a sheet title."""
        ...

    def read(self) -> BookSnapshot:
        """Read every tab. Raises WorkbookError when the workbook is unreadable."""
        ...

    def check_writable(self) -> None:
        """Raise WorkbookWriteError (or WorkbookLockedError) now when a write would be
        refused, so a run finds out before it draws a number; writes nothing."""
        ...

    def apply(self, changes: WorkbookChanges, *, expected_version: str) -> str:
        """Write the changes atomically and return the new version token.

        Raises WorkbookChangedError, and writes nothing, when the workbook is no longer
        at `expected_version`; WorkbookLockedError when a person holds it open;
        WorkbookWriteError for other failures (nothing half-written).
        """
        ...


@dataclass(frozen=True, slots=True)
class StoredPdf:
    """Where an uploader put a PDF: its file id there and the link people open."""

    file_id: str
    link: str


class PdfUploader(Protocol):
    """Stores PDFs elsewhere (a Drive folder); failures raise DeliveryError."""

    def upload(self, pdf: Path, *, file_id: str | None) -> StoredPdf:
        """Store `pdf`: a new file, or new content for `file_id` when given."""
        ...


class MailSession(Protocol):
    """One connection to a mail transport, open for a run's emails."""

    def send(self, email: OutgoingEmail) -> SendResult:
        """Hand one email over. Never raises for what a server or the network did:
        the result says accepted, refused (5xx), deferred (not sent: 4xx, refused or
        lost connection before the data) or unknown (lost after the data)."""
        ...


class Mailer(Protocol):
    """Where emails go: an outbox folder of .eml files, or an SMTP server."""

    @property
    def name(self) -> str:
        """For messages: "outbox folder <path>" or "SMTP server <host>:<port>"."""
        ...

    def session(self) -> AbstractContextManager[MailSession]:
        """One connection for a run (SMTP: connected and logged in once, lazily at
        the first email). A failure to connect is a DEFERRED result of each send,
        not an exception."""
        ...
