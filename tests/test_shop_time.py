"""Times shown to people are the shop's (issue 11, point 10): the Log's Time, the run
id and the summary in the Settings Timezone, the zone named beside them."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from paths import SHARED
from readback import calamine_records

from sheetbill.config import Config
from sheetbill.domain.shoptime import local_time, run_id_for, zone_label
from sheetbill.testing import MemoryWorkbook
from sheetbill.usecases.check import check_workbook
from sheetbill.usecases.run import run_billing

from helpers import small_book, time_row

D = Decimal
_LABEL = re.compile(
    r"^(?P<zone>\S+) \(UTC(?P<sign>[+-])(?P<h>\d\d):(?P<m>\d\d)(?::(?P<s>\d\d))?\)$"
)


def label_offset(label: str) -> tuple[str, timedelta]:
    """The zone and offset a Time Zone cell names (`UTC` alone is UTC)."""
    if label == "UTC":
        return "UTC", timedelta(0)
    match = _LABEL.match(label)
    assert match, label
    offset = timedelta(
        hours=int(match["h"]), minutes=int(match["m"]), seconds=int(match["s"] or 0)
    )
    return match["zone"], -offset if match["sign"] == "-" else offset


# Instants of sheetbill's lifetime, and every zone the zone database knows.
INSTANTS = st.datetimes(
    min_value=datetime(1970, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.just(UTC),
)


@given(instant=INSTANTS, zone=st.timezone_keys())
@example(datetime(2026, 11, 29, 17, 11, tzinfo=UTC), "Pacific/Kiritimati")  # +14
@example(datetime(2026, 11, 29, 9, 30, tzinfo=UTC), "Pacific/Pago_Pago")  # -11
@example(datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "Europe/Berlin")  # 02:30 CEST
@example(datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "Europe/Berlin")  # 02:30 CET
@example(datetime(2026, 3, 8, 7, 0, tzinfo=UTC), "America/New_York")  # 03:00 EDT
@example(datetime(2026, 4, 5, 15, 45, tzinfo=UTC), "Australia/Lord_Howe")  # +10:30
@example(datetime(2026, 6, 1, 12, 0, tzinfo=UTC), "Asia/Kathmandu")  # +05:45
def test_a_shown_time_and_its_zone_label_give_back_the_instant(instant, zone):
    """Property: the wall-clock time written plus the offset its label names is the
    instant, to the second; the label names the zone; the date is the shop's date;
    the run id starts with that wall-clock time."""
    shown = local_time(instant, zone)
    named, offset = label_offset(zone_label(instant, zone))
    assert shown.tzinfo is None and shown.microsecond == 0
    assert named in (zone, "UTC")
    assert shown - offset == instant.replace(microsecond=0, tzinfo=None)
    assert shown.date() == instant.astimezone(ZoneInfo(zone)).date()
    assert run_id_for(instant, zone, "abcd") == shown.strftime("%Y%m%d-%H%M%S-abcd")


def test_a_naive_instant_is_taken_as_utc_not_as_the_machines_zone():
    naive = datetime(2026, 11, 29, 17, 11, 2, 999)
    assert local_time(naive, "Pacific/Kiritimati") == datetime(2026, 11, 30, 7, 11, 2)
    assert zone_label(naive, "Etc/UTC") == "UTC"


def shop(zone: str) -> MemoryWorkbook:
    workbook = MemoryWorkbook(
        small_book(time_rows=[time_row(date(2026, 3, 2), "Ann", "C1", D(2))])
    )
    settings = workbook.cells["Settings"]
    row = max(r for r, _ in settings) + 1
    settings[(row, 0)], settings[(row, 1)] = "Timezone", zone
    return workbook


@pytest.mark.parametrize(
    ("zone", "now", "shown", "label"),
    [
        (
            "Pacific/Kiritimati",
            datetime(2026, 11, 29, 17, 11, 2, tzinfo=UTC),
            datetime(2026, 11, 30, 7, 11, 2),
            "Pacific/Kiritimati (UTC+14:00)",
        ),
        (
            "Pacific/Pago_Pago",
            datetime(2026, 11, 29, 9, 30, tzinfo=UTC),
            datetime(2026, 11, 28, 22, 30),
            "Pacific/Pago_Pago (UTC-11:00)",
        ),
        (  # the first 02:30 of the night Berlin's clocks go back
            "Europe/Berlin",
            datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
            datetime(2026, 10, 25, 2, 30),
            "Europe/Berlin (UTC+02:00)",
        ),
        (  # and the second
            "Europe/Berlin",
            datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
            datetime(2026, 10, 25, 2, 30),
            "Europe/Berlin (UTC+01:00)",
        ),
        (  # New York's clocks jump from 02:00 to 03:00
            "America/New_York",
            datetime(2026, 3, 8, 7, 0, tzinfo=UTC),
            datetime(2026, 3, 8, 3, 0),
            "America/New_York (UTC-04:00)",
        ),
        ("UTC", datetime(2026, 3, 8, 7, 0, tzinfo=UTC), datetime(2026, 3, 8, 7), "UTC"),
    ],
)
def test_the_log_shows_the_shops_time_and_names_its_zone(
    tmp_path, zone, now, shown, label
):
    result = run_billing(
        (workbook := shop(zone)),
        Config(documents=False),
        state_path=tmp_path / "state.sqlite",
        as_of=shown.date(),
        is_dry_run=False,
        now=lambda: now,
    )
    assert result.invoices and result.time_zone == zone
    assert result.run_id.startswith(shown.strftime("%Y%m%d-%H%M%S-"))
    log = workbook.read().tables["Log"]
    row = dict(zip(log.headers, log.rows[0].cells, strict=False))
    assert row["Time"] == shown and row["Time Zone"] == label
    assert row["Run ID"] == result.run_id


def test_check_names_the_shops_zone(tmp_path):
    result = check_workbook(
        shop("Pacific/Kiritimati"), Config(), as_of=None, state_path=None
    )
    assert result.time_zone == "Pacific/Kiritimati"
    assert result.today == datetime.now(ZoneInfo("Pacific/Kiritimati")).date()


def test_a_region_alone_as_time_zone_is_an_exception_not_a_file_error(tmp_path):
    """ "America" names a folder of the zone database, not a zone."""
    result = check_workbook(shop("America"), Config(), as_of=None, state_path=None)
    assert result.time_zone == "UTC"
    assert any(
        p.tab == "Settings" and "time zone" in p.problem and p.value == "America"
        for p in result.problems
    ), result.problems


def test_case_log_time_zone_the_log_row_is_kiritimati_time_and_says_so(tmp_path):
    """Case log-time-zone: run without --as-of on a machine in UTC. The Log row
    showed the previous day's UTC time and nothing said UTC."""
    folder = tmp_path / "shop"
    folder.mkdir()
    name = "15_tz_Pacific_Kiritimati_on_UTC.xlsx"
    book = folder / name
    shutil.copyfile(SHARED / "cases" / "log-time-zone" / name, book)
    book.chmod(0o644)
    (folder / "sheetbill.toml").write_text("documents = false\n")
    before = datetime.now(UTC).replace(microsecond=0)
    done = subprocess.run(
        [sys.executable, "-m", "sheetbill", "run", name],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "TZ": "UTC"},
    )
    after = datetime.now(UTC)
    assert done.returncode in (0, 1), done.stderr
    zone = ZoneInfo("Pacific/Kiritimati")
    today = before.astimezone(zone).date()
    assert f"as of {today} in Pacific/Kiritimati" in done.stdout
    (log,) = calamine_records(book, "Log")
    assert log["Time Zone"] == "Pacific/Kiritimati (UTC+14:00)"
    instant = log["Time"].replace(tzinfo=zone).astimezone(UTC)
    assert before <= instant <= after
    assert log["Time"].date() == today
    started = datetime.strptime(str(log["Run ID"])[:15], "%Y%m%d-%H%M%S")
    assert before <= started.replace(tzinfo=zone).astimezone(UTC) <= instant
    invoice = calamine_records(book, "Invoices")[0]
    assert invoice["Issue Date"] == log["Time"].date()
