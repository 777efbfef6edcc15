"""Times shown to people: the shop's wall-clock time (Settings Timezone), zone named.

Pure: the instant is passed in. A spreadsheet cell holds no time zone, so a time is
written as the shop's local time beside a label naming the zone and its offset.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Zulu", "Etc/Zulu"})


def _aware(instant: datetime) -> datetime:
    # sheetbill's clock gives UTC; a naive instant is read as UTC, never as the
    # machine's own zone (a server's zone says nothing about the shop's).
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)


def local_time(instant: datetime, zone: str) -> datetime:
    """`instant` as the wall-clock time in `zone` (an IANA name such as
    "Europe/Berlin"), to the second and without tzinfo, for a date-time cell.

    Raises ZoneInfoNotFoundError for an unknown zone (Settings checks it first).
    """
    local = _aware(instant).astimezone(ZoneInfo(zone))
    return local.replace(microsecond=0, tzinfo=None)


def utc_offset_text(offset: timedelta) -> str:
    """`+14:00`, `-11:00`, `+05:45`; seconds only where a zone's history has them."""
    sign = "-" if offset < timedelta(0) else "+"
    seconds = abs(int(offset.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{sign}{hours:02d}:{minutes:02d}"
    return f"{text}:{seconds:02d}" if seconds else text


def zone_label(instant: datetime, zone: str) -> str:
    """How a person reads the zone of `local_time(instant, zone)`:
    `Pacific/Kiritimati (UTC+14:00)`, or `UTC`. The offset tells apart the two
    02:30 of a night when the clocks go back."""
    if zone in UTC_NAMES:
        return "UTC"
    offset = _aware(instant).astimezone(ZoneInfo(zone)).utcoffset() or timedelta(0)
    return f"{zone} (UTC{utc_offset_text(offset)})"


def run_id_for(instant: datetime, zone: str, token: str) -> str:
    """A run's id: the shop's date and time it started, then a random `token`
    (e.g. `20261130-071102-24cd`), so it reads like the Log's Time beside it."""
    return local_time(instant, zone).strftime("%Y%m%d-%H%M%S-") + token
