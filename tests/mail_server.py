"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, on a free port, in this
process, told per test how to answer each email (`Fault`), recording what it got.

    def test_something(mail_server):
        mail_server.faults = [Fault.PERMANENT]      # the first email: 550
        mailer = SmtpMailer(host=mail_server.host, port=mail_server.port,
                            security=Security.NONE)
        ...
        assert mail_server.received[0].message["Message-ID"] == ...

`mail_server_factory(tls=..., implicit_tls=..., passwords=...)` starts one with
STARTTLS, TLS from the first byte, or AUTH; `closed_port` is a port where nothing
listens (connection refused). The certificate is a throwaway CA's (`TestCA`), which
a client trusts through `TestCA.client_context()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import email
import email.policy
import socket
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

HOST = "127.0.0.1"


class Fault(Enum):
    """How the server answers one email (one MAIL FROM .. DATA transaction)."""

    ACCEPT = "250 after the data"
    PERMANENT = "550 after the data"
    TEMPORARY = "451 after the data"
    # The connection closed at RCPT TO, before the DATA command.
    DROP_BEFORE_DATA = "connection closed before DATA"
    # The data read in full, then the connection closed without an answer.
    DROP_AFTER_DATA = "connection closed after the data"
    # The data read in full, then no answer ever (the client times out).
    NO_ANSWER = "no answer after the data"


@dataclass(frozen=True)
class Received:
    """One email the server took (answered 250), or read before failing on purpose."""

    sender: str
    recipients: tuple[str, ...]
    data: bytes
    # The client's address and port: one per connection.
    peer: str
    is_tls: bool
    # The user logged in as, or None.
    user: str | None
    fault: Fault
    mail_options: tuple[str, ...] = ()

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.data, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class MailServer:
    """What a test tells the server and what it got."""

    host: str
    port: int
    # Used up one per email, in order; then every email is ACCEPTed.
    faults: list[Fault] = field(default_factory=list)
    # RCPT TO answered with this reply instead of 250 (e.g. "550 5.1.1 no such user").
    refuse_recipients: dict[str, str] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    # Every email whose data the server read, whatever it answered.
    read: list[Received] = field(default_factory=list)
    # Every MAIL FROM, whatever came of it (the emails that reached the server).
    attempts: int = 0
    peers: list[str] = field(default_factory=list)

    @property
    def connections(self) -> int:
        """Connections that began at least one email."""
        return len(set(self.peers))

    def messages(self) -> list[EmailMessage]:
        return [r.message for r in self.received]


class _Handler:
    def __init__(self, server: MailServer) -> None:
        self.server = server
        self.silence = asyncio.Event()  # never set: what NO_ANSWER waits for

    async def handle_MAIL(
        self,
        smtp: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        options: list[str],
    ) -> str:
        self.server.attempts += 1
        self.server.peers.append(str(session.peer))
        fault = self.server.faults.pop(0) if self.server.faults else Fault.ACCEPT
        session.sheetbill_fault = fault  # type: ignore[attr-defined]
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self,
        smtp: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        options: list[str],
    ) -> str:
        if session.sheetbill_fault is Fault.DROP_BEFORE_DATA:  # type: ignore[attr-defined]
            assert smtp.transport is not None
            smtp.transport.abort()
            return "250 OK"  # never written: the connection is gone
        if address in self.server.refuse_recipients:
            return self.server.refuse_recipients[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(
        self, smtp: SMTP, session: Session, envelope: Envelope
    ) -> str:
        fault: Fault = session.sheetbill_fault  # type: ignore[attr-defined]
        assert isinstance(envelope.content, bytes)
        got = Received(
            sender=str(envelope.mail_from),
            recipients=tuple(envelope.rcpt_tos),
            data=envelope.content,
            peer=str(session.peer),
            is_tls=_is_tls(smtp),
            user=_user(session),
            fault=fault,
            mail_options=tuple(envelope.mail_options),
        )
        self.server.read.append(got)
        if fault is Fault.PERMANENT:
            return "550 5.7.1 Message refused by policy"
        if fault is Fault.TEMPORARY:
            return "451 4.3.0 Try again later"
        if fault is Fault.DROP_AFTER_DATA:
            assert smtp.transport is not None
            smtp.transport.abort()
            return "250 OK"  # never written
        if fault is Fault.NO_ANSWER:
            await self.silence.wait()
        self.server.received.append(got)
        return "250 2.0.0 Ok: queued as TEST"


def _is_tls(smtp: SMTP) -> bool:
    """Whether the email came over TLS (STARTTLS or from the first byte)."""
    assert smtp.transport is not None
    return smtp.transport.get_extra_info("ssl_object") is not None


def _user(session: Session) -> str | None:
    if not session.authenticated:
        return None
    data = session.auth_data
    return data.login.decode() if isinstance(data, LoginPassword) else str(data)


def free_port() -> int:
    """A port nothing listens on now (aiosmtpd cannot take port 0)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def running_server(
    *,
    tls: ssl.SSLContext | None = None,
    implicit_tls: ssl.SSLContext | None = None,
    passwords: dict[str, str] | None = None,
) -> Iterator[MailServer]:
    """An aiosmtpd server for the `with` block. `tls`: STARTTLS offered with that
    certificate; `implicit_tls`: TLS from the first byte; `passwords`: AUTH
    PLAIN/LOGIN offered (over plain text too) for these users."""
    server = MailServer(HOST, free_port())
    handler = _Handler(server)
    options: dict[str, Any] = {
        "server_hostname": "mail.test",
        "ready_timeout": 10.0,
        "data_size_limit": None,
        "auth_require_tls": False,
    }
    if tls is not None:
        options["tls_context"] = tls
    if implicit_tls is not None:
        options["ssl_context"] = implicit_tls
    if passwords is not None:
        options["authenticator"] = _authenticator(passwords)
    controller = Controller(handler, hostname=HOST, port=server.port, **options)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


def _authenticator(
    passwords: dict[str, str],
) -> Callable[[SMTP, Session, Envelope, str, Any], AuthResult]:
    def authenticate(
        smtp: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user, password = data.login.decode(), data.password.decode()
        # handled=False: aiosmtpd answers a failure with 535 itself.
        return AuthResult(
            success=passwords.get(user) == password, handled=False, auth_data=data
        )

    return authenticate


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    """A plain SMTP server (no TLS, no AUTH) on 127.0.0.1."""
    with running_server() as server:
        yield server


@pytest.fixture
def mail_server_factory() -> Iterator[Callable[..., MailServer]]:
    """Starts servers with options (`running_server`'s); all stop after the test."""
    with contextlib.ExitStack() as stack:
        yield lambda **options: stack.enter_context(running_server(**options))


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port on 127.0.0.1 that refuses connections: bound (so no other test takes
    it) but not listening."""
    with socket.socket() as holder:
        holder.bind((HOST, 0))
        yield int(holder.getsockname()[1])


class TestCA:
    """A throwaway certificate authority and a server certificate it signed for
    127.0.0.1 and localhost."""

    __test__ = False  # not a test class

    def __init__(self, folder: Path) -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        now = dt.datetime.now(dt.UTC)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sheetbill CA")])
        ca = (
            x509.CertificateBuilder()
            .subject_name(ca_name)
            .issuer_name(ca_name)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False
            )
            .sign(ca_key, hashes.SHA256())
        )
        key = ec.generate_private_key(ec.SECP256R1())
        names = [x509.DNSName("localhost"), x509.IPAddress(_ip(HOST))]
        cert = (
            x509.CertificateBuilder()
            .subject_name(
                x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
            )
            .issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(names), False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                False,
            )
            .sign(ca_key, hashes.SHA256())
        )
        pem = serialization.Encoding.PEM
        self.ca_file = folder / "ca.pem"
        self.ca_file.write_bytes(ca.public_bytes(pem))
        self.cert_file = folder / "server.pem"
        self.cert_file.write_bytes(cert.public_bytes(pem))
        self.key_file = folder / "server.key"
        self.key_file.write_bytes(
            key.private_bytes(
                pem,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context

    def client_context(self) -> ssl.SSLContext:
        """What a client that trusts this CA (and no other) verifies with."""
        return ssl.create_default_context(cafile=str(self.ca_file))


def _ip(text: str) -> Any:
    import ipaddress

    return ipaddress.ip_address(text)


@pytest.fixture
def certificate_authority(tmp_path: Path) -> TestCA:
    folder = tmp_path / "ca"
    folder.mkdir()
    return TestCA(folder)
