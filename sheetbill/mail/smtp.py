"""An SMTP server as the `Mailer` port, through yagmail: one connection for a run's
emails, and every outcome told apart so an email is never sent twice.

yagmail only opens and logs in the connection here. Its `send` is not used: it
composes from "contents" that may be read as file paths, opens a new connection per
email, and sends a message again by itself when the connection drops (the server
may already have taken it). The password is always handed to it, so it never looks
in a keyring or asks on a terminal: a cron run must not hang.

What came of an email (`Delivery`) is decided by how far it got (RFC 5321): a
refusal or a lost connection before the DATA command means it was not sent; once
DATA began, a lost connection or a timeout leaves it unknown.
"""

from __future__ import annotations

import contextlib
import os
import re
import smtplib
import socket
import ssl
import stat
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sheetbill.domain.mail import Delivery, OutgoingEmail, SendResult
from sheetbill.errors import ConfigError
from sheetbill.mail.message import as_bytes, compose, envelope

if TYPE_CHECKING:
    import yagmail

# max_per_minute counts the emails handed over in any window this long.
PACING_WINDOW_SECONDS = 60.0


class Security(StrEnum):
    """`[mail] security`: how the connection is encrypted."""

    STARTTLS = "starttls"  # plain connect, then STARTTLS (port 587)
    SSL = "ssl"  # TLS from the first byte (port 465)
    NONE = "none"  # no encryption (a relay on the same machine, port 25)


class Password:
    """A secret that does not show itself: `repr` and `str` give stars, so it
    cannot reach a message, a log line or a traceback's locals by accident."""

    __slots__ = ("_text",)

    def __init__(self, text: str) -> None:
        self._text = text

    def reveal(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return "Password('********')"

    __str__ = __repr__


@dataclass(frozen=True, slots=True)
class Login:
    """SMTP AUTH: a user and the password, always both (never a prompt)."""

    user: str
    password: Password


def read_password(
    *,
    env: str | None,
    file: Path | None,
    environ: Mapping[str, str] = os.environ,
) -> Password:
    """The SMTP password from the environment variable `env` or from `file`, never
    from anywhere else. The file must be a regular file that its owner alone may
    read (mode 0600 or 0400, as ssh requires of a key), in UTF-8; one trailing line
    break is dropped. Raises ConfigError naming the key (`mail.password_env` or
    `mail.password_file`) and the file, never the password."""
    if env is not None:
        text = environ.get(env)
        if not text:
            raise ConfigError(
                f"'mail.password_env' names the environment variable {env}, which is "
                "not set (or empty): set it to the SMTP password for the run"
            )
        return Password(text)
    if file is None:
        raise ConfigError(
            "'mail.user' is set but neither 'mail.password_env' nor "
            "'mail.password_file' says where its password is"
        )
    return Password(_read_secret_file(file))


def _read_secret_file(path: Path) -> str:
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        raise ConfigError(
            f"'mail.password_file' cannot be read: {exc.strerror}", path=path
        ) from exc
    with os.fdopen(handle, "rb") as secret:
        # Asked of the open file, so it cannot be swapped between check and read.
        info = os.fstat(secret.fileno())
        mode = stat.S_IMODE(info.st_mode)
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError("'mail.password_file' is not a regular file", path=path)
        if mode & 0o077:
            raise ConfigError(
                f"'mail.password_file' may be read by others (mode {mode:04o}); "
                f"refused: make it yours alone with chmod 600 {path}",
                path=path,
            )
        data = secret.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None:
        # Raised outside the handler: the decode error holds the file's bytes.
        raise ConfigError(
            "'mail.password_file' is not UTF-8 text: save the password in it as "
            "UTF-8 (a plain text file, one line)",
            path=path,
        )
    text = text.removesuffix("\n").removesuffix("\r")
    if not text:
        raise ConfigError("'mail.password_file' is empty", path=path)
    return text


class Pacing:
    """At most `per_minute` emails handed over in any 60 seconds (0: no limit):
    before one more would exceed it, `wait` sleeps until the oldest of the last
    `per_minute` is a minute old. A provider's limit is kept without the run
    being refused halfway."""

    def __init__(
        self,
        per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._sleep = sleep
        self._handed: deque[float] = deque(maxlen=per_minute or None)

    def wait(self) -> None:
        """Sleep as long as needed, then count one email as handed over now."""
        if not self.per_minute:
            return
        if len(self._handed) == self.per_minute:
            due = self._handed[0] + PACING_WINDOW_SECONDS - self._clock()
            if due > 0:
                self._sleep(due)
        self._handed.append(self._clock())


class SmtpMailer:
    """An SMTP server: one connection per `session`, opened at its first email.

    `tls` is the context STARTTLS and SSL verify the server with (default: the
    system's trusted certificates, host name checked; smtplib's own default
    checks nothing). `clock` and `sleep` drive the pacing, for tests.
    """

    def __init__(
        self,
        *,
        host: str,
        port: int,
        security: Security = Security.STARTTLS,
        login: Login | None = None,
        timeout: float = 60.0,
        max_per_minute: int = 0,
        tls: ssl.SSLContext | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.host = host
        self.port = port
        self.security = security
        self.login = login
        self.timeout = timeout
        self.max_per_minute = max_per_minute
        self.tls = tls
        self._clock = clock
        self._sleep = sleep

    @property
    def name(self) -> str:
        return f"SMTP server {self.host}:{self.port}"

    def __repr__(self) -> str:
        user = self.login.user if self.login else None
        return (
            f"SmtpMailer(host={self.host!r}, port={self.port}, "
            f"security={self.security.value!r}, user={user!r})"
        )

    @contextlib.contextmanager
    def session(self) -> Iterator[SmtpSession]:
        pacing = Pacing(self.max_per_minute, clock=self._clock, sleep=self._sleep)
        session = SmtpSession(self, pacing)
        try:
            yield session
        finally:
            session.close()

    def connect(self) -> yagmail.SMTP:
        """A connected (and logged-in) yagmail client; raises what smtplib, ssl or
        the socket raise."""
        import yagmail

        class Client(yagmail.SMTP):  # type: ignore[misc]
            # yagmail names the connection class; ours tells when DATA began.
            @property
            def connection(self) -> type[smtplib.SMTP]:
                return _WatchedSMTP_SSL if self.ssl else _WatchedSMTP

        extra: dict[str, Any] = {"timeout": self.timeout}
        if self.security is Security.SSL:
            extra["context"] = self._tls_context()
        client = Client(
            self.login.user if self.login else "sheetbill@localhost",
            # Never None: yagmail would look in a keyring, then prompt.
            password=self.login.password.reveal() if self.login else "",
            host=self.host,
            port=self.port,
            smtp_ssl=self.security is Security.SSL,
            smtp_starttls=(
                {"context": self._tls_context()}
                if self.security is Security.STARTTLS
                else False
            ),
            smtp_skip_login=self.login is None,
            soft_email_validation=False,
            **extra,
        )
        client.set_logging(None)
        try:
            client.login()
        except BaseException:
            client.is_closed = True
            _close_quietly(client.smtp)
            raise
        return client

    def _tls_context(self) -> ssl.SSLContext:
        # Made once: loading the system's certificates takes a while.
        if self.tls is None:
            self.tls = ssl.create_default_context()
        return self.tls


class SmtpSession:
    """The run's connection: emails handed over one by one, each outcome told.

    Once an email's outcome is unknown (the server went silent or away after
    DATA), the rest of the session's emails are deferred without being tried: a
    server failing that way tends to fail the next email the same way, and each
    unknown email waits for a person. A connection that cannot be opened (refused,
    TLS or login failing) is not tried again in the session either.
    """

    def __init__(self, mailer: SmtpMailer, pacing: Pacing) -> None:
        self._mailer = mailer
        self._pacing = pacing
        self._client: yagmail.SMTP | None = None
        self._stopped: SendResult | None = None
        # How many connections were opened (tests: one for a run's emails).
        self.connections = 0

    def __repr__(self) -> str:
        return f"SmtpSession({self._mailer!r}, connections={self.connections})"

    def send(self, email: OutgoingEmail) -> SendResult:
        """Hand one email to the server; never raises for what it or the network
        did. An email that cannot be composed (a line break in a header, not one
        address) is REFUSED without reaching the server."""
        try:
            data = as_bytes(compose(email))
            post = envelope(email)
        except ValueError as exc:
            return SendResult(Delivery.REFUSED, f"not sent: {exc}")
        if self._stopped is not None:
            return self._stopped
        if self._client is None:
            try:
                self.connections += 1
                self._client = self._mailer.connect()
            except Exception as exc:  # every failure becomes a result
                self._stopped = SendResult(
                    Delivery.DEFERRED,
                    f"could not connect to {self._mailer.name}: {_words(exc)}",
                )
                return self._stopped
        smtp: _Watched = self._client.smtp
        smtp.has_begun_data = False
        smtp.data_reply = (0, b"")
        options = ["SMTPUTF8", "BODY=8BITMIME"] if post.is_utf8 else []
        self._pacing.wait()
        try:
            refused = smtp.sendmail(post.sender, list(post.recipients), data, options)
        except Exception as exc:  # every failure becomes a result
            result = _failure(exc, has_begun_data=smtp.has_begun_data)
            if result.delivery is Delivery.UNKNOWN:
                self._stopped = SendResult(
                    Delivery.DEFERRED,
                    "not tried: the connection failed during an earlier email of "
                    f"this run ({_words(exc)})",
                )
            if smtp.sock is None or result.delivery is Delivery.UNKNOWN:
                self._drop()
            return result
        if not isinstance(refused, dict):
            # Not what smtplib returns; as yagmail's False: perhaps sent.
            return SendResult(Delivery.UNKNOWN, f"the library answered {refused!r}")
        words = [_reply(*smtp.data_reply)]
        words += [f"{a} refused: {_reply(*r)}" for a, r in refused.items()]
        return SendResult(Delivery.ACCEPTED, "; ".join(words), refused=tuple(refused))

    def close(self) -> None:
        """QUIT, politely when the connection is alive; never raises."""
        client, self._client = self._client, None
        if client is None:
            return
        client.is_closed = True
        try:
            client.smtp.quit()
        except Exception:  # the outcomes are known already
            _close_quietly(client.smtp)

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.is_closed = True
            _close_quietly(client.smtp)


class _WatchedSMTP(smtplib.SMTP):
    """smtplib.SMTP noting when the DATA command began: from then on a lost
    connection may have delivered the email."""

    has_begun_data = False
    # The server's reply to the data: "250 2.0.0 Ok: queued as ..." for the journal.
    data_reply: tuple[int, bytes] = (0, b"")

    def data(self, msg: Any) -> tuple[int, bytes]:
        self.has_begun_data = True
        self.data_reply = super().data(msg)
        return self.data_reply

    def connect(
        self, host: str = "localhost", port: int = 0, source_address: Any = None
    ) -> tuple[int, bytes]:
        reply = super().connect(host, port, source_address)
        _without_delay(self.sock)
        return reply

    def login(
        self, user: str, password: str, *, initial_response_ok: bool = True
    ) -> tuple[int, bytes]:
        return _logged_in(super().login, user, password, initial_response_ok)


class _WatchedSMTP_SSL(_WatchedSMTP, smtplib.SMTP_SSL):
    """The same watch over TLS from the first byte (SMTP_SSL's connection)."""


_Watched = _WatchedSMTP | _WatchedSMTP_SSL


class LoginFailedError(Exception):
    """The SMTP login failed; its text holds nothing of the password."""


def _logged_in(
    login: Callable[..., tuple[int, bytes]],
    user: str,
    password: str,
    initial_response_ok: bool,
) -> tuple[int, bytes]:
    """smtplib's `login`, with every failure but the network's told in words that
    hold nothing of the password: smtplib's own can (a UnicodeEncodeError quotes
    the character it could not encode, and its position, and keeps the whole
    encoded password), and its run reaches the output, the state database and
    the Exceptions and Log tabs."""
    try:
        return login(user, password, initial_response_ok=initial_response_ok)
    except Exception as exc:
        # The network's own words pass (a timeout, a reset or closed connection);
        # smtplib's exceptions are OSErrors too, but may quote the server.
        if isinstance(exc, smtplib.SMTPServerDisconnected) or (
            isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)
        ):
            raise
        failed = LoginFailedError(_login_words(exc, user=user, password=password))
    # Raised outside the handler, so smtplib's exception is not kept as its context.
    raise failed


def _login_words(exc: Exception, *, user: str, password: str) -> str:
    """Why the login failed, naming the user and never the password: the server's
    reply code and enhanced status code (RFC 3463) but not its words, which a
    server may write the credentials it was sent into."""
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error
        if isinstance(text, bytes):
            text = text.decode("ascii", errors="replace")
        status = re.match(r"[245]\.\d{1,3}\.\d{1,3}\b", text.strip())
        code = f"{exc.smtp_code} {status.group()}" if status else str(exc.smtp_code)
        return (
            f"the SMTP server refused the login as {user} (reply {code}): check "
            "'mail.user' and its password"
        )
    if not password.isascii():
        return (
            "the password holds a character that is not ASCII, which the SMTP login "
            "cannot send: give 'mail.user' a password of ASCII characters only"
        )
    if not user.isascii():
        return (
            f"'mail.user' {user} holds a character that is not ASCII, which the SMTP "
            "login cannot send"
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return "the SMTP server offers no login (AUTH): remove 'mail.user'"
    return f"the SMTP login failed ({type(exc).__name__})"


def _without_delay(connection: socket.socket | None) -> None:
    """TCP_NODELAY: an email's data goes out as TLS records, one write each, and
    Nagle's algorithm would hold each until the server acknowledged the last;
    on a connection kept open for many emails, the server's delayed
    acknowledgement then stalls every email by some 40 ms."""
    if connection is not None:
        with contextlib.suppress(OSError):
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _failure(exc: Exception, *, has_begun_data: bool) -> SendResult:
    """What an exception from `sendmail` means for the email (RFC 5321 section
    4.2.1: 4yz transient, 5yz permanent)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = exc.recipients
        words = "; ".join(f"{a}: {_reply(*r)}" for a, r in replies.items())
        if any(400 <= code < 500 for code, _ in replies.values()):
            return SendResult(Delivery.DEFERRED, f"recipients refused for now: {words}")
        return SendResult(Delivery.REFUSED, f"recipients refused: {words}")
    if isinstance(exc, smtplib.SMTPResponseException):
        words = _reply(exc.smtp_code, exc.smtp_error)
        if 400 <= exc.smtp_code < 500:
            return SendResult(Delivery.DEFERRED, f"refused for now: {words}")
        if 500 <= exc.smtp_code < 600:
            return SendResult(Delivery.REFUSED, f"refused: {words}")
    if has_begun_data:
        return SendResult(
            Delivery.UNKNOWN,
            f"the connection failed after the email's data began ({_words(exc)}): "
            "it may or may not have arrived",
        )
    return SendResult(Delivery.DEFERRED, f"not sent: {_words(exc)}")


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return f"{code} {' '.join(text.split())}".strip()


def _words(exc: BaseException) -> str:
    if isinstance(exc, LoginFailedError):
        return str(exc)
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply(exc.smtp_code, exc.smtp_error)
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if text != type(exc).__name__ else text


def _close_quietly(smtp: smtplib.SMTP | None) -> None:
    if smtp is not None:
        with contextlib.suppress(Exception):
            smtp.close()
