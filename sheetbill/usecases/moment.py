"""When a command runs: one reading of the clock and of the Settings time zone.

A run's date, the date it refuses to go past and its id all come from the same
instant and the same Settings, read once: the shop's day can differ from the
machine's (Kiritimati is a day ahead of UTC), and a run that asked twice could
straddle midnight.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sheetbill.config import Config
from sheetbill.domain.model import Settings
from sheetbill.domain.sheet import BookSnapshot
from sheetbill.domain.shoptime import local_time, run_id_for
from sheetbill.tabs.validation import SettingsRead, locate_tabs, read_settings_tab


@dataclass(frozen=True, slots=True)
class RunMoment:
    """The instant a run started and what follows from it in the shop's zone."""

    # In UTC, as the clock gave it.
    started: datetime
    # The Settings time zone (an IANA name), the one of every date and time below.
    zone: str
    # The run's date: `--as-of`, else `local_today`.
    today: date
    # The date in `zone` when the run started: a real run dates nothing after it
    # unless asked to.
    local_today: date
    # The shop's date and time the run started and a random token (the Log's Run ID).
    run_id: str

    @classmethod
    def of(
        cls, started: datetime, zone: str, *, as_of: date | None, token: str = ""
    ) -> RunMoment:
        local_today = local_time(started, zone).date()
        return cls(
            started,
            zone,
            as_of if as_of is not None else local_today,
            local_today,
            run_id_for(started, zone, token),
        )

    def on_run_day(self, moment: datetime) -> datetime:
        """`moment` (UTC) moved to the run's date: a run as of another day acts on
        that day, at the time of day it runs, so what it sends is dated as its
        invoices are (docs/decisions.md, "An email's day is its run's")."""
        return moment + timedelta(days=(self.today - self.local_today).days)


def settings_of(snapshot: BookSnapshot, config: Config) -> SettingsRead:
    """The workbook's Settings and their problems, read once per reading of the
    workbook: the run's moment, validation and every step use this one reading."""
    return read_settings_tab(locate_tabs(snapshot, config.aliases))


def today_for(settings: Settings, as_of: date | None, *, now: datetime) -> date:
    """`--as-of`, else the date `now` in the Settings time zone."""
    if as_of is not None:
        return as_of
    return RunMoment.of(now, settings.timezone, as_of=None).today
