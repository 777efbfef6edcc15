"""A run is an ordered list of named steps (issue 13): each a pure plan and an apply
over the ports; a dry run goes through the same steps, applying only those that
read, so it predicts the very cells (PDF links too) a real run writes; one moment
per run, from the Settings read once."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

import sheetbill.tabs.settings
from sheetbill.config import Config
from sheetbill.domain.model import Problem, Settings
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.sheet import WorkbookChanges
from sheetbill.testing import MemoryWorkbook
from sheetbill.usecases.moment import RunMoment
from sheetbill.usecases.run import (
    CYCLE,
    GUARDS,
    RUN_STEPS,
    Step,
    run_billing,
    run_steps,
)
from sheetbill.usecases.run_steps import RunPorts, RunValues

from helpers import small_book, time_row

D = Decimal
NOW = datetime(2026, 11, 2, 8, 30, tzinfo=UTC)


def book() -> MemoryWorkbook:
    return MemoryWorkbook(
        small_book(
            time_rows=[
                time_row(date(2026, 10, 1), "Ann", "C1", D(2)),
                time_row(date(2026, 10, 5), "Ann", "C1", D(3)),
                time_row(date(2026, 10, 2), "Bob", "C2", D(1)),
            ]
        )
    )


def test_run_steps_are_named_in_the_order_crash_safety_needs():
    """Numbers are drawn before anything shows them, PDFs made before the workbook
    links them and before emails attach them, emails sent before the workbook
    shows their Sent At, and invoices marked written only after the workbook shows
    them."""
    names = [step.name for step in RUN_STEPS]
    assert names == [
        "refuse dates",
        "check the workbook can be written",
        "read the state",
        "validate",
        "read approvals",
        "find unprintable text",
        "plan invoices",
        "name absent columns",
        "draw numbers",
        "record approvals",
        "find the logo",
        "write documents",
        "settle stopped emails",
        "read emails",
        "read payments",
        "match payments",
        "record payments",
        "plan emails",
        "send emails",
        "plan digest",
        "send digest",
        "plan writeback",
        "write the workbook",
        "record written",
    ]
    assert (*GUARDS, *CYCLE) == RUN_STEPS


def test_run_steps_writing_steps_have_no_plan_that_reads_and_guards_only_apply():
    for step in RUN_STEPS:
        assert step.plan is not None or step.apply is not None, step.name
        if step.is_read_only:
            assert step.plan is None, step.name
    assert all(step.plan is None and not step.is_read_only for step in GUARDS)


def _values() -> RunValues:
    moment = RunMoment.of(NOW, "UTC", as_of=None, token="abcd")
    return RunValues(
        Config(),
        "memory.xlsx",
        Path("invoices"),
        None,
        book().read(),
        Settings(),
        moment,
        now=NOW,
    )


def _problem(text: str) -> Problem:
    return Problem(
        code=ProblemCode.CELL_UNREADABLE,
        tab="Time Log",
        row=2,
        column="Hours",
        value="",
        problem=text,
        fix="fix",
    )


def test_run_steps_a_dry_run_plans_every_step_and_applies_only_those_that_read():
    done: list[str] = []
    said: list[str] = []

    def planned(name: str):  # type: ignore[no-untyped-def]
        def plan(values: RunValues):  # type: ignore[no-untyped-def]
            done.append(f"plan {name}")
            return values, [_problem(f"plan {name}")]

        return plan

    def applied(name: str):  # type: ignore[no-untyped-def]
        def apply(values: RunValues, ports: RunPorts):  # type: ignore[no-untyped-def]
            done.append(f"apply {name}")
            return values, [_problem(f"apply {name}")]

        return apply

    steps = (
        Step("read", apply=applied("read"), is_read_only=True, says="Reading"),
        Step("guard", apply=applied("guard"), says="Guarding"),
        Step("write", plan=planned("write"), apply=applied("write"), says="Writing"),
    )
    ports = RunPorts(book(), None, None, lambda: NOW, said.append)
    dry = run_steps(steps, _values(), ports, is_dry_run=True)
    assert done == ["apply read", "plan write"]
    assert said == ["Reading", "Writing"]  # a step that does nothing says nothing
    assert [p.problem for p in dry.problems] == done
    done.clear()
    real = run_steps(steps, _values(), ports, is_dry_run=False)
    assert done == ["apply read", "apply guard", "plan write", "apply write"]
    assert [p.problem for p in real.problems] == done


def _cells(changes: WorkbookChanges, run_id: str) -> dict[str, list[tuple]]:  # type: ignore[type-arg]
    """Every cell written, the run's own id (random) read as one name."""
    return {
        tab: sorted(
            (c.row, c.column, "RUN" if c.value == run_id else c.value) for c in cells
        )
        for tab, cells in changes.writes.items()
    }


def test_run_steps_a_dry_run_plans_the_very_cells_a_real_run_writes_pdf_links_too(
    tmp_path: Path,
):
    config = Config()
    state = tmp_path / "memory.sheetbill.sqlite"
    kwargs = {"state_path": state, "as_of": date(2026, 11, 2), "now": lambda: NOW}
    dry = run_billing(book(), config, is_dry_run=True, **kwargs)  # type: ignore[arg-type]
    real = run_billing(book(), config, is_dry_run=False, **kwargs)  # type: ignore[arg-type]
    assert real.is_written and real.pdfs_rendered == 2
    assert _cells(dry.changes, dry.run_id) == _cells(real.changes, real.run_id)
    links = [
        c.value
        for c in dry.changes.writes["Invoices"]
        if isinstance(c.value, str) and c.value.endswith(".pdf")
    ]
    assert sorted(links) == sorted(
        (config.pdf_folder_for(state) / f"{i.number}.pdf").as_posix()
        for i in real.invoices
    )


def test_run_steps_a_run_reads_its_settings_once_for_its_moment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The time zone, the run's date, the date it refuses to pass, its id and
    validation all come from one reading of the Settings tab."""
    real = sheetbill.tabs.settings.read_settings
    calls: list[str] = []

    def counted(table):  # type: ignore[no-untyped-def]
        calls.append("read")
        return real(table)

    for module in list(sys.modules.values()):
        name = getattr(module, "__name__", "")
        if name.startswith("sheetbill.") and (
            getattr(module, "read_settings", None) is real
        ):
            monkeypatch.setattr(module, "read_settings", counted)
    result = run_billing(
        book(),
        Config(documents=False),
        state_path=tmp_path / "state.sqlite",
        as_of=None,
        is_dry_run=False,
        now=lambda: NOW,
    )
    assert result.invoices and calls == ["read"]


@pytest.mark.parametrize(
    ("zone", "as_of", "today", "local_today", "run_id"),
    [
        # At 20:30 UTC it is already the next day on Kiritimati (UTC+14).
        ("Pacific/Kiritimati", None, date(2026, 11, 3), date(2026, 11, 3), "20261103"),
        ("UTC", None, date(2026, 11, 2), date(2026, 11, 2), "20261102-203000-abcd"),
        ("UTC", date(2026, 12, 1), date(2026, 12, 1), date(2026, 11, 2), "20261102"),
    ],
)
def test_run_moment_is_the_shops_date_from_one_instant(
    zone: str, as_of: date | None, today: date, local_today: date, run_id: str
):
    moment = RunMoment.of(
        datetime(2026, 11, 2, 20, 30, tzinfo=UTC), zone, as_of=as_of, token="abcd"
    )
    assert (moment.today, moment.local_today) == (today, local_today)
    assert moment.run_id.startswith(run_id) and moment.run_id.endswith("-abcd")
    assert moment.zone == zone


def test_run_moment_today_comes_from_the_runs_clock(tmp_path: Path):
    """Without --as-of, the run's date is its clock's, in the Settings time zone."""
    result = run_billing(
        book(),
        Config(documents=False),
        state_path=tmp_path / "state.sqlite",
        as_of=None,
        is_dry_run=True,
        now=lambda: datetime(2026, 11, 30, 23, 30, tzinfo=UTC),
    )
    assert result.today == date(2026, 11, 30)
    assert result.run_id.startswith("20261130-233000-")
