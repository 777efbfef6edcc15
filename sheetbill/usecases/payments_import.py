"""`sheetbill payments import FILE`: a bank statement or processor export appended to
the Payments tab, each transaction once (a stub: the lead builds it)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sheetbill.config import Config
from sheetbill.domain.payments import Match, Transaction
from sheetbill.ports import Workbook


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did (or, in a dry run, would do)."""

    file: str
    # The importer's name ("csv:de", "stripe", ...).
    format: str
    workbook: str
    is_dry_run: bool
    # The transactions appended (in a dry run: that would be), in file order.
    added: tuple[Transaction, ...] = ()
    # Transactions already in the workbook (or imported before), left out.
    already: int = 0
    # Lines not imported and why, in a person's words.
    left_out: tuple[str, ...] = ()
    # What matching will make of each added transaction, in the same order.
    matches: tuple[Match, ...] = ()
    # Invoice number -> its Status once the matches are applied (those changed).
    statuses: Mapping[str, str] = field(default_factory=dict)


def import_payments(
    workbook: Workbook,
    config: Config,
    path: Path,
    *,
    state_path: Path,
    format: str | None = None,
    is_dry_run: bool = False,
    now: Callable[[], datetime] | None = None,
) -> ImportResult:
    """Append the file's new transactions to the Payments tab. Raises BankFileError
    (the file), WorkbookError / WorkbookWriteError (the workbook)."""
    raise NotImplementedError("payments import is being built")
