"""`max_per_minute`: the SMTP session never hands a server more emails in any
minute than the limit, waiting (on an injected clock here) rather than failing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mail_helpers import emails

from sheetbill.domain.mail import Delivery
from sheetbill.mail.smtp import PACING_WINDOW_SECONDS, Pacing, Security, SmtpMailer


class FakeClock:
    """A monotonic clock that moves only when slept on or told to."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@settings(max_examples=300)
@given(
    per_minute=st.integers(min_value=1, max_value=12),
    gaps=st.lists(st.floats(min_value=0, max_value=90), max_size=60),
)
def test_pacing_never_hands_over_more_than_the_limit_in_any_minute(per_minute, gaps):
    clock = FakeClock()
    pacing = Pacing(per_minute, clock=clock, sleep=clock.sleep)
    handed = []
    for gap in gaps:
        clock.now += gap  # the time composing and sending took
        pacing.wait()
        handed.append(clock.now)
    for i, start in enumerate(handed):
        in_window = [t for t in handed[i:] if t < start + PACING_WINDOW_SECONDS]
        assert len(in_window) <= per_minute


@given(gaps=st.lists(st.floats(min_value=0, max_value=90), max_size=40))
def test_pacing_waits_only_when_the_limit_would_be_passed(gaps):
    """Waiting is the least that keeps the limit: no sleep while the last
    `per_minute` emails span a minute or more."""
    clock = FakeClock()
    pacing = Pacing(3, clock=clock, sleep=clock.sleep)
    handed: list[float] = []
    for gap in gaps:
        clock.now += gap
        before = clock.now
        pacing.wait()
        if len(handed) >= 3 and handed[-3] + PACING_WINDOW_SECONDS > before:
            assert clock.now == pytest.approx(handed[-3] + PACING_WINDOW_SECONDS)
        else:
            assert clock.now == before
        handed.append(clock.now)


def test_pacing_zero_means_no_limit():
    clock = FakeClock()
    pacing = Pacing(0, clock=clock, sleep=clock.sleep)
    for _ in range(1000):
        pacing.wait()
    assert clock.slept == []


def test_smtp_session_paces_its_emails(mail_server):
    """Five emails at two a minute: the third waits for the first's minute to end,
    the fifth for the third's; all go over the one connection."""
    clock = FakeClock()
    mailer = SmtpMailer(
        host=mail_server.host,
        port=mail_server.port,
        security=Security.NONE,
        max_per_minute=2,
        clock=clock,
        sleep=clock.sleep,
    )
    with mailer.session() as session:
        results = [session.send(e) for e in emails(5)]
    assert {r.delivery for r in results} == {Delivery.ACCEPTED}
    assert clock.slept == [60.0, 60.0]
    assert mail_server.connections == 1
