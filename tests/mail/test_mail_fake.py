"""`sheetbill.testing.MemoryMailer`: the Mailer fake use-case tests run against."""

from __future__ import annotations

from mail_helpers import emails

from sheetbill.domain.mail import Delivery, SendResult
from sheetbill.testing import MemoryMailer


def test_memory_mailer_accepts_and_keeps_every_email_in_order():
    mailer = MemoryMailer()
    batch = emails(3)
    with mailer.session() as session:
        assert mailer.open_sessions == 1
        results = [session.send(e) for e in batch]
    assert mailer.open_sessions == 0 and mailer.sessions == 1
    assert mailer.handed == batch == mailer.accepted
    assert {r.delivery for r in results} == {Delivery.ACCEPTED}


def test_memory_mailer_answers_as_told_by_key_message_id_or_in_turn():
    first, second, third, fourth = emails(4)
    mailer = MemoryMailer(default=Delivery.DEFERRED)
    mailer.answers["INV-2026-0001.invoice"] = Delivery.REFUSED
    mailer.answers[second.message_id] = SendResult(Delivery.UNKNOWN, "lost")
    mailer.next_answers = [Delivery.ACCEPTED]
    with mailer.session() as session:
        results = [session.send(e) for e in (first, second, third, fourth)]
    assert results == [
        SendResult(Delivery.REFUSED),
        SendResult(Delivery.UNKNOWN, "lost"),
        SendResult(Delivery.ACCEPTED),
        SendResult(Delivery.DEFERRED),
    ]
    assert mailer.handed == [first, second, third, fourth]
    assert mailer.accepted == [third]
    assert mailer.results == results
