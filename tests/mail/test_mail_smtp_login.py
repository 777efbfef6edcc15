"""`sheetbill.mail.smtp`: a failed login is told without anything of the password.
A result's detail reaches the run's output, the state database and the Exceptions
and Log tabs, so smtplib's own words (which quote a character of a non-ASCII
password and its position) and a server's reply (which may repeat what it was
sent) stay in the adapter. Against a real server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import contextlib
import traceback
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from hypothesis import given, settings
from hypothesis import strategies as st
from mail_helpers import an_email
from mail_server import HOST, free_port

from sheetbill.domain.mail import Delivery
from sheetbill.mail.smtp import (
    Login,
    LoginFailedError,
    Password,
    Security,
    SmtpMailer,
)

USER = "billing@northwind.example"
PASSWORD = "s3cret-Pa55word!"
# The password of the break-it report: an é at position 19 of smtplib's AUTH text.
NOT_ASCII = "s3cret-Pa55wordé!"
# What smtplib's UnicodeEncodeError said: none of it may leave the adapter.
SMTPLIB_WORDS = ("\\xe9", "é", "position", "codec", "UnicodeEncodeError")


def mailer_for(port: int, password: str) -> SmtpMailer:
    return SmtpMailer(
        host=HOST,
        port=port,
        security=Security.NONE,
        login=Login(USER, Password(password)),
        timeout=10,
    )


def first_result(mailer: SmtpMailer) -> Any:
    with mailer.session() as session:
        return session.send(an_email())


@contextlib.contextmanager
def echoing_server() -> Iterator[int]:
    """A server that refuses every login repeating the user and password it got."""

    def authenticate(*args: Any) -> AuthResult:
        data = args[-1]
        sent = f"{data.login.decode()}:{data.password.decode()}"
        return AuthResult(
            success=False, handled=False, message=f"535 5.7.8 {sent} is wrong"
        )

    port = free_port()
    controller = Controller(
        object(),
        hostname=HOST,
        port=port,
        server_hostname="mail.test",
        ready_timeout=10.0,
        authenticator=authenticate,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def test_smtp_a_non_ascii_password_is_told_without_any_of_it(mail_server_factory):
    server = mail_server_factory(passwords={USER: NOT_ASCII})
    result = first_result(mailer_for(server.port, NOT_ASCII))
    assert result.delivery is Delivery.DEFERRED
    assert "not ASCII" in result.detail
    assert "password of ASCII characters only" in result.detail
    for words in SMTPLIB_WORDS:
        assert words not in result.detail
    assert server.attempts == 0


def test_smtp_a_failed_login_keeps_no_library_exception_behind_it(mail_server_factory):
    """Not as its cause or context either: a traceback printed of it (a crash
    report, a log at debug level) shows nothing of the password."""
    server = mail_server_factory(passwords={USER: NOT_ASCII})
    with pytest.raises(LoginFailedError) as caught:
        mailer_for(server.port, NOT_ASCII).connect()
    assert caught.value.__cause__ is None and caught.value.__context__ is None
    shown = "".join(traceback.format_exception(caught.value))
    for words in SMTPLIB_WORDS:
        assert words not in shown


def test_smtp_a_refused_login_shows_the_reply_code_not_the_servers_words():
    with echoing_server() as port:
        result = first_result(mailer_for(port, PASSWORD))
    assert result.delivery is Delivery.DEFERRED
    assert f"the SMTP server refused the login as {USER} (reply 535 5.7.8)" in (
        result.detail
    )
    assert PASSWORD not in result.detail and "is wrong" not in result.detail


@settings(max_examples=40, deadline=None)
@given(password=st.text(min_size=1, max_size=40))
def test_smtp_a_failed_logins_words_depend_on_no_character_of_the_password(
    password: str,
) -> None:
    """Whatever the wrong password, the detail is the same as for any other
    wrong password with (or without) a character outside ASCII."""
    from mail_server import running_server

    right = "the-right-one"
    with running_server(passwords={USER: right}) as server:
        sample = "wrong-é" if not password.isascii() else "wrong"
        expected = first_result(mailer_for(server.port, sample)).detail
        if password == right:
            return
        assert first_result(mailer_for(server.port, password)).detail == expected
