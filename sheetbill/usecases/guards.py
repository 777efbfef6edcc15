"""Refusals a real run makes before it draws a number: a date out of sequence, a
documents folder it could not write."""

from __future__ import annotations

import tempfile
from pathlib import Path

from sheetbill.domain.model import Settings
from sheetbill.errors import DateError, DocumentsFolderError
from sheetbill.planning.recovery import latest_in_series
from sheetbill.state import StateDB
from sheetbill.usecases.moment import RunMoment


def refuse_dates(
    settings: Settings, state: StateDB, moment: RunMoment, *, allow_future: bool
) -> None:
    """A real run's date goes forward only (EU VAT directive art. 226: numbers in
    sequence; an invoice dated before the one numbered ahead of it breaks that)."""
    today, local_today, zone = moment.today, moment.local_today, moment.zone
    if today > local_today and not allow_future:
        raise DateError(
            f"--as-of {today} is after today ({local_today} in {zone}); a real run "
            "would issue invoices dated in the future. Use --dry-run or check to "
            "look ahead, or add --allow-future if you really mean it"
        )
    last = latest_in_series(state.issue_dates(), settings.number_pattern, today)
    if last is not None and today < last[1]:
        ahead = (
            f" ({last[0]} was dated ahead, with --allow-future: invoices can be made "
            f"from that day on, or now with --as-of {last[1]} --allow-future)"
            if last[1] > local_today
            else f". Run as of {last[1]} or later"
        )
        raise DateError(
            f"this run's date, {today}, is before {last[1]}, the date of {last[0]}; "
            "invoices "
            f"numbered after it may not be dated before it{ahead}"
        )


def check_folder_writable(folder: Path) -> None:
    """Refuse early, before a number is drawn, when PDFs could not be written."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as exc:
        raise DocumentsFolderError(
            f"cannot write PDFs there ({exc.strerror}); nothing was done. Make the "
            "folder writable, or set pdf_folder in sheetbill.toml",
            path=folder,
        ) from exc
