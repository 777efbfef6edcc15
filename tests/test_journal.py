"""The journal of side effects: its rules (pure) and the state database that keeps it.

An effect is recorded as intended before it happens and settled after; a rerun acts
on what it finds: redo what failed (or may be repeated), complete what can be looked
up, and leave to a person what may or may not have happened. The property at the end
runs sequences of runs, each stopped anywhere as a kill would, against a real state
database, and checks that no effect is done twice that must not be, and that an
unknown outcome is never retried by itself.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetbill.domain.journal import (
    INVOICE_APPROVE,
    INVOICE_WRITE,
    NUMBER_WITHDRAW,
    PDF_UPLOAD,
    PDF_WRITE,
    RECOVERY,
    Decision,
    Entry,
    Intent,
    JournalError,
    Recovery,
    Status,
    intended,
    invoice_approved,
    log_line,
    number_withdrawn,
    reopened,
    settled,
    what_to_do,
)
from sheetbill.state import StateDB

NOW = datetime(2026, 11, 2, 8, tzinfo=UTC)
# A kind no rule names: what a stopped attempt did cannot be known (a mail sent).
SEND = "email.send"
KINDS = (INVOICE_WRITE, PDF_WRITE, PDF_UPLOAD, SEND)
# Whether each may be done again after a stopped attempt: only an upload may.
REPEATABLE = {INVOICE_WRITE: False, PDF_WRITE: False, PDF_UPLOAD: True, SEND: False}

entries = st.builds(
    Entry,
    kind=st.sampled_from((*KINDS, INVOICE_APPROVE, NUMBER_WITHDRAW)),
    key=st.text(min_size=1, max_size=8),
    status=st.sampled_from(Status),
    details=st.dictionaries(st.text(max_size=4), st.integers()),
    run_id=st.text(max_size=8),
    intended_at=st.just(NOW),
)


# -- the rules ------------------------------------------------------------------------


@given(entries)
def test_what_to_do_never_retries_an_unknown_outcome(entry):
    decision = what_to_do(entry)
    if entry.status is Status.UNKNOWN:
        assert decision is Decision.LEAVE_FOR_PERSON
    if entry.status is Status.DONE:
        assert decision is Decision.NOTHING
    if entry.status is Status.FAILED:
        assert decision is Decision.REDO


def test_what_to_do_with_a_stopped_attempt_depends_on_its_kind():
    """Pending: a run stopped while at it. Looked up where it can be, done again
    where that is harmless, else left for a person (the default for a new kind)."""
    decisions = {
        kind: what_to_do(intended(Intent(kind, "INV-1"), run_id="r", now=NOW))
        for kind in (*KINDS, INVOICE_APPROVE, NUMBER_WITHDRAW)
    }
    assert decisions == {
        INVOICE_WRITE: Decision.COMPLETE,
        PDF_WRITE: Decision.COMPLETE,
        PDF_UPLOAD: Decision.REDO,
        SEND: Decision.LEAVE_FOR_PERSON,
        INVOICE_APPROVE: Decision.COMPLETE,
        NUMBER_WITHDRAW: Decision.COMPLETE,
    }
    assert SEND not in RECOVERY and RECOVERY[PDF_UPLOAD] is Recovery.REPEAT


@given(entries, st.sampled_from([Status.DONE, Status.FAILED, Status.UNKNOWN]))
def test_settled_changes_only_a_pending_entry(entry, outcome):
    later = NOW + timedelta(minutes=1)
    result = settled(entry, outcome, {"x": 1}, now=later)
    if entry.status is Status.PENDING:
        assert (result.status, result.details, result.settled_at) == (
            outcome,
            {"x": 1},
            later,
        )
    else:
        assert result == entry


def test_an_outcome_is_never_pending():
    entry = intended(Intent(SEND, "INV-1"), run_id="r", now=NOW)
    with pytest.raises(JournalError):
        settled(entry, Status.PENDING, now=NOW)


@given(entries)
def test_reopened_refuses_only_an_unknown_outcome(entry):
    if entry.status is Status.UNKNOWN:
        with pytest.raises(JournalError, match="only a person"):
            reopened(entry, {}, run_id="r2", now=NOW)
    else:
        again = reopened(entry, {"y": 2}, run_id="r2", now=NOW)
        assert (again.status, again.details, again.run_id) == (
            Status.PENDING,
            {"y": 2},
            "r2",
        )
        assert again.settled_at is None


def test_log_line_of_each_effect_the_log_shows():
    created = Intent(
        INVOICE_WRITE,
        "INV-1",
        {"customer_id": "C1", "lines": 1, "total": "1190.00", "currency": "EUR"},
    )
    assert log_line(created) == (
        "invoice created",
        "INV-1",
        "C1: 1 line, total 1,190.00 EUR",
    )
    assert log_line(invoice_approved("INV-1", approver="Ann", creator="Tom")) == (
        "invoice approved",
        "INV-1",
        "approved by Ann; created by Tom",
    )
    assert log_line(number_withdrawn("INV-2", "no rows")) == (
        "number withdrawn",
        "INV-2",
        "no rows",
    )
    assert log_line(Intent(PDF_WRITE, "INV-1")) is None
    assert Decimal(created.details["total"]) == Decimal("1190.00")


# -- the state database's journal ---------------------------------------------------


@pytest.fixture
def state(tmp_path):
    with StateDB(tmp_path / "book.sheetbill.sqlite") as db:
        yield db


def test_intend_returns_the_entry_already_recorded_under_its_key(state):
    first = state.intend(Intent(SEND, "INV-1", {"to": "a"}), run_id="r1", now=NOW)
    again = state.intend(Intent(SEND, "INV-1", {"to": "b"}), run_id="r2", now=NOW)
    assert again == first and again.details == {"to": "a"}
    other = state.intend(Intent(PDF_UPLOAD, "INV-1"), run_id="r2", now=NOW)
    assert [e.kind for e in state.entries()] == [SEND, PDF_UPLOAD]
    assert state.entries(run_id="r2") == [other]


def test_settle_records_the_outcome_once_and_entries_filter_by_status(state):
    entry = state.intend(Intent(SEND, "INV-1"), run_id="r1", now=NOW)
    later = NOW + timedelta(seconds=5)
    done = state.settle(entry, Status.DONE, {"id": "m1"}, now=later)
    assert state.settle(entry, Status.FAILED, now=later) == done
    assert state.entry(SEND, "INV-1") == done
    assert (done.status, done.details, done.settled_at) == (
        Status.DONE,
        {"id": "m1"},
        later,
    )
    assert state.entries(status=Status.PENDING) == []
    assert state.entries(kind=SEND, status=Status.DONE) == [done]


def test_reopen_refuses_an_unknown_outcome_and_changes_nothing(state):
    entry = state.intend(Intent(SEND, "INV-1"), run_id="r1", now=NOW)
    unknown = state.settle(entry, Status.UNKNOWN, now=NOW)
    with pytest.raises(JournalError):
        state.reopen(Intent(SEND, "INV-1"), run_id="r2", now=NOW)
    assert state.entry(SEND, "INV-1") == unknown


# -- sequences of runs, each stopped anywhere ------------------------------------------


class Killed(Exception):
    """The run stopped here, as by kill -9 (every journal write before it stands)."""


@dataclass
class World:
    """What happened outside the state database: how often each effect was done,
    and how often when its journal entry did not say pending (never allowed)."""

    done: Counter[tuple[str, str]] = field(default_factory=Counter)
    unrecorded: int = 0
    # How often each effect had been done when its entry became unknown.
    at_unknown: dict[tuple[str, str], int] = field(default_factory=dict)


@dataclass
class Script:
    """Hypothesis's choices, consumed in order: where a run is killed, and whether
    an effect's attempt fails (an error that says it did not happen)."""

    data: st.DataObject
    is_clean: bool = False  # a run neither killed nor failing

    def kill_here(self) -> bool:
        return not self.is_clean and self.data.draw(st.integers(0, 3)) == 0

    def fails(self) -> bool:
        return not self.is_clean and self.data.draw(st.integers(0, 3)) == 0


def carry_out(state: StateDB, effect: tuple[str, str], world: World, script: Script):
    """One effect by the journal's protocol, as the run's steps do it."""
    kind, key = effect
    entry = state.entry(kind, key)
    decision = Decision.REDO if entry is None else what_to_do(entry)
    if entry is not None and decision is Decision.LEAVE_FOR_PERSON:
        if entry.status is Status.PENDING:
            world.at_unknown[effect] = world.done[effect]
            state.settle(entry, Status.UNKNOWN, now=NOW)
        return
    if entry is not None and decision is Decision.COMPLETE and world.done[effect]:
        state.settle(entry, Status.DONE, now=NOW)  # looked up: it happened
        return
    if decision is Decision.NOTHING:
        return
    entry = state.reopen(Intent(kind, key), run_id="run", now=NOW)
    if script.kill_here():
        raise Killed
    if script.fails():
        if script.kill_here():
            raise Killed
        state.settle(entry, Status.FAILED, now=NOW)
        return
    recorded = state.entry(kind, key)
    if recorded is None or recorded.status is not Status.PENDING:
        world.unrecorded += 1
    world.done[effect] += 1
    if script.kill_here():
        raise Killed
    state.settle(entry, Status.DONE, now=NOW)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """A new state database, migrated once for the module."""
    path = tmp_path_factory.mktemp("new") / "new.sheetbill.sqlite"
    with StateDB(path):
        pass
    return path


effects = st.lists(
    st.tuples(st.sampled_from(KINDS), st.sampled_from(["INV-1", "INV-2"])),
    min_size=1,
    max_size=6,
    unique=True,
)


@settings(max_examples=60, deadline=None)
@given(effects, st.integers(1, 5), st.data())
def test_journal_rules_hold_over_runs_stopped_anywhere(migrated, wanted, runs, data):
    """Runs each carry out the same effects, and each may be killed at any point or
    see attempts fail; then one run where nothing does. Every effect was recorded
    before it happened; one that can be looked up or may not be repeated happened at
    most once; an unknown outcome is never retried; a run that finishes leaves
    nothing pending; after the clean run every effect is done, or unknown."""
    world = World()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "book.sheetbill.sqlite"
        shutil.copyfile(migrated, path)  # faster than migrating it each time
        for number in range(runs + 1):
            script = Script(data, is_clean=number == runs)
            with StateDB(path) as state:
                try:
                    for effect in wanted:
                        carry_out(state, effect, world, script)
                except Killed:
                    continue
                assert not state.entries(status=Status.PENDING)
        with StateDB(path) as state:
            final = {(e.kind, e.key): e for e in state.entries()}
    assert world.unrecorded == 0
    for effect in wanted:
        kind = effect[0]
        if not REPEATABLE[kind]:
            assert world.done[effect] <= 1, effect
        if effect in world.at_unknown:
            assert final[effect].status is Status.UNKNOWN
            assert world.done[effect] == world.at_unknown[effect]
            assert kind == SEND
        if final[effect].status is Status.DONE:
            assert world.done[effect] >= 1
        assert final[effect].status in (Status.DONE, Status.UNKNOWN)
