"""`sheetbill.mail.smtp`: every outcome of handing an email to a real SMTP server
(aiosmtpd on 127.0.0.1, told to fail in each way), one connection per session."""

from __future__ import annotations

import builtins
import getpass
import logging
import smtplib
import socket

import pytest
import yagmail.password
from mail_helpers import an_email, emails
from mail_server import Fault

from sheetbill.domain.mail import Delivery
from sheetbill.mail.smtp import Login, Password, Security, SmtpMailer

PASSWORD = "s3cret-Pa55word!"


def plain(server, **options):
    """A mailer for a plain test server (no TLS)."""
    return SmtpMailer(
        host=server.host, port=server.port, security=Security.NONE, **options
    )


def send_all(mailer, batch):
    with mailer.session() as session:
        return [session.send(e) for e in batch]


def test_smtp_sends_a_runs_emails_over_one_connection(mail_server):
    batch = emails(5)
    with plain(mail_server).session() as session:
        results = [session.send(e) for e in batch]
        assert session.connections == 1
    assert [r.delivery for r in results] == [Delivery.ACCEPTED] * 5
    assert mail_server.connections == 1
    got = mail_server.received
    assert [r.message["Message-ID"] for r in got] == [e.message_id for e in batch]
    assert got[0].sender == "billing@northwind.example"
    assert got[0].recipients == ("hans@kunde.example", "buchhaltung@kunde.example")
    assert results[0].detail == "250 2.0.0 Ok: queued as TEST"


def test_smtp_sends_exactly_one_message_id_header_equal_to_ours(mail_server):
    """yagmail's own composer would add its Message-ID (a hash of from, to and
    subject); the email the server gets has ours alone."""
    email = an_email("INV-2026-0007.reminder.+7")
    send_all(plain(mail_server), [email])
    message = mail_server.received[0].message
    assert message.get_all("Message-ID") == [
        "<INV-2026-0007.reminder.+7@northwind.example>"
    ]
    assert message.get_body(("plain",)).get_content().startswith("Guten Tag")
    pdf = next(message.iter_attachments())
    assert pdf.get_filename() == "INV-2026-0007.pdf"


def test_smtp_sends_without_waiting_for_acknowledgements(mail_server):
    """TCP_NODELAY on the connection: without it a connection kept open for many
    emails stalls each email's TLS records on the server's delayed ACKs."""
    with plain(mail_server).session() as session:
        session.send(an_email())
        sock = session._client.smtp.sock
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def test_smtp_opens_no_connection_when_a_session_sends_nothing(mail_server):
    with plain(mail_server).session() as session:
        pass
    assert session.connections == 0


def test_smtp_a_5xx_is_refused_and_the_next_email_goes_on(mail_server):
    mail_server.faults = [Fault.PERMANENT]
    first, second = send_all(plain(mail_server), emails(2))
    assert first.delivery is Delivery.REFUSED
    assert "550 5.7.1 Message refused by policy" in first.detail
    assert second.delivery is Delivery.ACCEPTED
    assert mail_server.connections == 1


def test_smtp_a_4xx_is_deferred_and_the_next_email_goes_on(mail_server):
    mail_server.faults = [Fault.TEMPORARY]
    first, second = send_all(plain(mail_server), emails(2))
    assert first.delivery is Delivery.DEFERRED
    assert "451 4.3.0" in first.detail
    assert second.delivery is Delivery.ACCEPTED


def test_smtp_a_refused_connection_defers_every_email_and_is_tried_once(closed_port):
    mailer = SmtpMailer(host="127.0.0.1", port=closed_port, security=Security.NONE)
    with mailer.session() as session:
        results = [session.send(e) for e in emails(3)]
        assert session.connections == 1
    assert {r.delivery for r in results} == {Delivery.DEFERRED}
    assert f"could not connect to SMTP server 127.0.0.1:{closed_port}" in (
        results[0].detail
    )
    assert "Connection refused" in results[0].detail


def test_smtp_a_connection_lost_before_data_defers_and_the_next_reconnects(
    mail_server,
):
    """Nothing was handed over yet: deferred (tried on the next run), and the
    session's next email opens a new connection."""
    mail_server.faults = [Fault.DROP_BEFORE_DATA]
    first, second = send_all(plain(mail_server), emails(2))
    assert first.delivery is Delivery.DEFERRED
    assert first.detail.startswith("not sent:")
    assert second.delivery is Delivery.ACCEPTED
    assert mail_server.connections == 2
    assert mail_server.read == mail_server.received  # the first never got to DATA


def test_smtp_a_connection_lost_after_data_is_unknown_and_stops_the_session(
    mail_server,
):
    """The server read the email and went away: it may have arrived, so it is
    unknown (needs review), and the rest are deferred without being tried."""
    mail_server.faults = [Fault.DROP_AFTER_DATA]
    results = send_all(plain(mail_server), emails(3))
    assert [r.delivery for r in results] == [
        Delivery.UNKNOWN,
        Delivery.DEFERRED,
        Delivery.DEFERRED,
    ]
    assert "may or may not have arrived" in results[0].detail
    assert results[1].detail.startswith("not tried:")
    assert len(mail_server.read) == 1 and mail_server.attempts == 1


def test_smtp_no_answer_after_data_is_unknown(mail_server):
    """The server took the data and never answered: after `timeout` the email is
    unknown, never deferred (a retry could send it twice)."""
    mail_server.faults = [Fault.NO_ANSWER]
    results = send_all(plain(mail_server, timeout=1), emails(2))
    assert [r.delivery for r in results] == [Delivery.UNKNOWN, Delivery.DEFERRED]
    assert "timed out" in results[0].detail


def test_smtp_a_false_from_the_library_is_unknown_never_sent(mail_server, monkeypatch):
    """yagmail's way of saying it gave up may have followed a delivery: an answer
    other than smtplib's dict of refusals counts as unknown."""
    monkeypatch.setattr(smtplib.SMTP, "sendmail", lambda *args, **kwargs: False)
    (result,) = send_all(plain(mail_server), [an_email()])
    assert result.delivery is Delivery.UNKNOWN


def test_smtp_a_recipient_refused_while_others_take_it_is_accepted(mail_server):
    mail_server.refuse_recipients = {
        "buchhaltung@kunde.example": "550 5.1.1 no such mailbox"
    }
    (result,) = send_all(plain(mail_server), [an_email()])
    assert result.delivery is Delivery.ACCEPTED
    assert result.refused == ("buchhaltung@kunde.example",)
    assert "buchhaltung@kunde.example refused: 550 5.1.1 no such mailbox" in (
        result.detail
    )
    assert mail_server.received[0].recipients == ("hans@kunde.example",)


@pytest.mark.parametrize(
    ("cc_reply", "expected"),
    [
        ("550 5.1.1 no such mailbox", Delivery.REFUSED),
        ("450 4.2.1 busy", Delivery.DEFERRED),
    ],
)
def test_smtp_every_recipient_refused_is_refused_or_deferred_by_the_code(
    mail_server, cc_reply, expected
):
    """All refused: 5xx for all is for good; any 4xx may pass on the next run."""
    mail_server.refuse_recipients = {
        "hans@kunde.example": "550 5.1.1 no such mailbox",
        "buchhaltung@kunde.example": cc_reply,
    }
    first, second = send_all(
        plain(mail_server), [an_email(), an_email("INV-2.invoice", cc=())]
    )
    assert first.delivery is expected
    assert "hans@kunde.example: 550 5.1.1" in first.detail
    assert second.delivery is Delivery.REFUSED  # to hans alone
    assert mail_server.received == []


def test_smtp_an_email_with_a_line_break_in_a_header_is_refused_unsent(mail_server):
    bad = an_email("INV-1.invoice", subject="Invoice\r\nBcc: all@elsewhere.example")
    first, second = send_all(plain(mail_server), [bad, an_email("INV-2.invoice")])
    assert first.delivery is Delivery.REFUSED
    assert "line break" in first.detail
    assert second.delivery is Delivery.ACCEPTED
    assert mail_server.attempts == 1


def test_smtp_a_utf8_address_is_sent_with_smtputf8(mail_server):
    send_all(plain(mail_server), [an_email(to=("jürgen@kunde.example",), cc=())])
    got = mail_server.received[0]
    assert got.recipients == ("jürgen@kunde.example",)
    assert "SMTPUTF8" in got.mail_options


# -- login and the password -------------------------------------------------------


def test_smtp_logs_in_with_the_password_given(mail_server_factory):
    server = mail_server_factory(passwords={"billing@northwind.example": PASSWORD})
    login = Login("billing@northwind.example", Password(PASSWORD))
    (result,) = send_all(plain(server, login=login), [an_email()])
    assert result.delivery is Delivery.ACCEPTED
    assert server.received[0].user == "billing@northwind.example"


def test_smtp_a_refused_login_defers_every_email(mail_server_factory):
    server = mail_server_factory(passwords={"billing@northwind.example": PASSWORD})
    login = Login("billing@northwind.example", Password("wrong"))
    results = send_all(plain(server, login=login), emails(2))
    assert {r.delivery for r in results} == {Delivery.DEFERRED}
    assert "535" in results[0].detail
    assert server.attempts == 0


def test_smtp_never_shows_the_password(mail_server_factory, caplog, capsys):
    """Not in a result's words, a repr, a log line or the output; whether the
    login works or not."""
    caplog.set_level(logging.DEBUG)
    server = mail_server_factory(passwords={"billing@northwind.example": PASSWORD})
    seen: list[str] = []
    deliveries = []
    for password in (PASSWORD, PASSWORD + "-wrong"):
        login = Login("billing@northwind.example", Password(password))
        mailer = plain(server, login=login)
        with mailer.session() as session:
            result = session.send(an_email())
            seen += [repr(mailer), repr(session), repr(login), str(login.password)]
            seen += [repr(result), result.detail, str(result)]
            deliveries.append(result.delivery)
    seen += [caplog.text, *capsys.readouterr()]
    assert deliveries == [Delivery.ACCEPTED, Delivery.DEFERRED]
    for text in seen:
        assert PASSWORD not in text


def test_smtp_never_asks_a_keyring_or_a_terminal(mail_server_factory, monkeypatch):
    """yagmail looks in a keyring and then prompts when it has no password; a cron
    run would hang. Here both would fail the test."""

    def asked(*args, **kwargs):
        raise AssertionError("asked for a password")

    class Keyring:
        get_password = staticmethod(asked)

    monkeypatch.setattr(yagmail.password, "keyring", Keyring)
    monkeypatch.setattr(getpass, "getpass", asked)
    monkeypatch.setattr(builtins, "input", asked)
    server = mail_server_factory(passwords={"billing@northwind.example": PASSWORD})
    login = Login("billing@northwind.example", Password(PASSWORD))
    with_login = send_all(plain(server, login=login), [an_email("INV-1.invoice")])
    without = send_all(plain(server), [an_email("INV-2.invoice")])
    assert [r.delivery for r in with_login + without] == [Delivery.ACCEPTED] * 2


# -- TLS ---------------------------------------------------------------------------


def test_smtp_starttls_encrypts_and_verifies_the_server(
    mail_server_factory, certificate_authority
):
    server = mail_server_factory(tls=certificate_authority.server_context())
    mailer = SmtpMailer(
        host=server.host,
        port=server.port,
        security=Security.STARTTLS,
        tls=certificate_authority.client_context(),
    )
    (result,) = send_all(mailer, [an_email()])
    assert result.delivery is Delivery.ACCEPTED
    assert server.received[0].is_tls


def test_smtp_starttls_refuses_a_server_it_cannot_verify(
    mail_server_factory, certificate_authority
):
    """By default the system's trusted certificates decide (smtplib's own default
    would accept any certificate): a self-made one is refused, nothing is sent."""
    server = mail_server_factory(tls=certificate_authority.server_context())
    mailer = SmtpMailer(host=server.host, port=server.port, security=Security.STARTTLS)
    (result,) = send_all(mailer, [an_email()])
    assert result.delivery is Delivery.DEFERRED
    assert "CERTIFICATE_VERIFY_FAILED" in result.detail
    assert server.attempts == 0


def test_smtp_starttls_never_falls_back_to_plain_text(mail_server):
    """A server that offers no STARTTLS gets nothing rather than the email (and a
    login) in clear text."""
    mailer = SmtpMailer(
        host=mail_server.host, port=mail_server.port, security=Security.STARTTLS
    )
    (result,) = send_all(mailer, [an_email()])
    assert result.delivery is Delivery.DEFERRED
    assert "STARTTLS" in result.detail
    assert mail_server.attempts == 0


def test_smtp_ssl_speaks_tls_from_the_first_byte(
    mail_server_factory, certificate_authority
):
    server = mail_server_factory(implicit_tls=certificate_authority.server_context())
    mailer = SmtpMailer(
        host=server.host,
        port=server.port,
        security=Security.SSL,
        tls=certificate_authority.client_context(),
    )
    (result,) = send_all(mailer, [an_email()])
    assert result.delivery is Delivery.ACCEPTED
    assert server.received[0].is_tls


def test_smtp_none_does_not_start_tls_even_when_offered(
    mail_server_factory, certificate_authority
):
    server = mail_server_factory(tls=certificate_authority.server_context())
    (result,) = send_all(plain(server), [an_email()])
    assert result.delivery is Delivery.ACCEPTED
    assert not server.received[0].is_tls
