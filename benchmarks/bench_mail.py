"""Mail benchmark (issue 14): 1,000 invoice emails with a 30 KB PDF each to a local
aiosmtpd server, over one connection vs a new connection per email.

The server asks what a mail provider asks on port 587: STARTTLS, then a login. A
new connection per email is what `yagmail.SMTP.send` does by default; it is timed
twice: with sheetbill's own composer (only the connections differ) and as yagmail
itself sends (its composer too). Loopback has no network delay: over a network
each new connection costs some seven round trips more (connect, EHLO, STARTTLS, the
TLS handshake, EHLO, AUTH, QUIT). The server runs in a process of its own, so its
work is not counted as ours. SHEETBILL_BENCH_EMAILS sets the count (CI).
"""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import yagmail

from sheetbill.domain.mail import Attachment, Delivery, OutgoingEmail, message_id
from sheetbill.mail.message import as_bytes, compose
from sheetbill.mail.smtp import Login, Password, Security, SmtpMailer
from tests.mail_server import TestCA

EMAILS = int(os.environ.get("SHEETBILL_BENCH_EMAILS", "1000"))
PDF_BYTES = 30 * 1024
# yagmail as is also prettifies each HTML body (premailer): a sample gives its rate.
YAGMAIL_SAMPLE = min(EMAILS, 200)
HOST = "127.0.0.1"
USER = "billing@bench.example"
PASSWORD = "bench-password"  # a throwaway server's; nothing real

# The server: STARTTLS and a login required; counts what it took, stops when its
# stdin closes, then prints the count.
SERVER = """
import logging, ssl, sys
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

host, port, cert, key, password = sys.argv[1:]
logging.getLogger("mail.log").setLevel(logging.ERROR)
tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
tls.load_cert_chain(cert, key)

class Count:
    taken = 0

    async def handle_DATA(self, server, session, envelope):
        Count.taken += 1
        return "250 2.0.0 Ok"

def login(server, session, envelope, mechanism, data):
    ok = data.password.decode() == password
    return AuthResult(success=ok, handled=False)

controller = Controller(
    Count(), hostname=host, port=int(port), server_hostname="bench.test",
    data_size_limit=None, tls_context=tls, require_starttls=True,
    auth_required=True, authenticator=login)
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
print(Count.taken, flush=True)
"""


def invoice_emails(count: int) -> list[OutgoingEmail]:
    """Invoice emails as the use case makes them: text, HTML and a PDF. The PDF's
    bytes are random (a PDF's compressed streams do not compress further)."""
    pdf = b"%PDF-1.7\n" + random.Random(14).randbytes(PDF_BYTES - 9)
    return [
        OutgoingEmail(
            message_id=message_id(f"INV-2026-{n:05d}.invoice", "bench.example"),
            sender="Bench Studio Billing <billing@bench.example>",
            to=(f"Customer {n} <c{n}@customer.example>",),
            cc=(f"accounts{n}@customer.example",),
            reply_to="accounts@bench.example",
            subject=f"Invoice INV-2026-{n:05d} for EUR 1,190.00, due 2 December 2026",
            text=_TEXT.format(n=n),
            html=_HTML.format(n=n),
            attachments=(Attachment(f"INV-2026-{n:05d}.pdf", "application/pdf", pdf),),
        )
        for n in range(1, count + 1)
    ]


_TEXT = (
    "Dear Customer {n},\n\nplease find attached invoice INV-2026-{n:05d} over "
    "EUR 1,190.00, due on 2 December 2026.\n\nPlease pay to IBAN DE89 3704 0044 "
    "0532 0130 00, reference INV-2026-{n:05d}.\n\nKind regards\nBench Studio\n"
)
_HTML = (
    "<html><body><p>Dear Customer {n},</p><p>please find attached invoice "
    "<b>INV-2026-{n:05d}</b> over <b>EUR 1,190.00</b>, due on 2 December 2026."
    "</p><p>Please pay to IBAN DE89 3704 0044 0532 0130 00, reference "
    "INV-2026-{n:05d}.</p><p>Kind regards<br>Bench Studio</p></body></html>"
)


@contextmanager
def local_server(ca: TestCA) -> Iterator[tuple[int, Callable[[], int]]]:
    """An aiosmtpd server in a process of its own: its port, and a function that
    stops it and says how many emails it took."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port = int(probe.getsockname()[1])
    arguments = [HOST, str(port), str(ca.cert_file), str(ca.key_file), PASSWORD]
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, *arguments],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdin is not None
    assert server.stdout is not None
    try:
        if server.stdout.readline().strip() != "ready":
            raise RuntimeError("the benchmark's SMTP server did not start")

        def stop() -> int:
            assert server.stdin is not None
            assert server.stdout is not None
            server.stdin.close()
            return int(server.stdout.readline())

        yield port, stop
    finally:
        if server.poll() is None:
            server.kill()
        server.wait()


def sheetbill_mailer(port: int, ca: TestCA) -> SmtpMailer:
    return SmtpMailer(
        host=HOST,
        port=port,
        security=Security.STARTTLS,
        login=Login(USER, Password(PASSWORD)),
        tls=ca.client_context(),
    )


def one_connection(mailer: SmtpMailer, emails: list[OutgoingEmail]) -> float:
    """Seconds for sheetbill to send them all in one session (one connection)."""
    start = time.perf_counter()
    with mailer.session() as session:
        results = [session.send(e) for e in emails]
    seconds = time.perf_counter() - start
    _all_accepted(results)
    return seconds


def connection_each(mailer: SmtpMailer, emails: list[OutgoingEmail]) -> float:
    """Seconds to send them with a new connection (STARTTLS, login) for each."""
    start = time.perf_counter()
    results = []
    for email in emails:
        with mailer.session() as session:
            results.append(session.send(email))
    seconds = time.perf_counter() - start
    _all_accepted(results)
    return seconds


def yagmail_send(port: int, emails: list[OutgoingEmail], folder: Path) -> float:
    """Seconds for `yagmail.SMTP.send` as documented: contents and a PDF path; it
    composes (HTML prettified) and connects anew for every email. (Its STARTTLS
    checks no certificate, so the test CA needs no trusting.)"""
    pdf = folder / "invoice.pdf"
    pdf.write_bytes(emails[0].attachments[0].data)
    yag = yagmail.SMTP(
        USER,
        password=PASSWORD,
        host=HOST,
        port=port,
        smtp_ssl=False,
        smtp_starttls=True,
        soft_email_validation=False,
    )
    yag.set_logging(None)
    start = time.perf_counter()
    with warnings.catch_warnings():
        # Each send leaves the previous connection to the garbage collector.
        warnings.simplefilter("ignore", ResourceWarning)
        for email in emails:
            sent = yag.send(
                to=list(email.to),
                cc=list(email.cc),
                subject=email.subject,
                contents=[email.text, email.html],
                attachments=[str(pdf)],
                message_id=email.message_id,
            )
            if sent is False:
                raise RuntimeError("yagmail did not send an email")
        seconds = time.perf_counter() - start
        yag.close()
    return seconds


def peak_memory(mailer: SmtpMailer, emails: list[OutgoingEmail]) -> float:
    """Python's peak allocation (MB) while sending them all in one session."""
    tracemalloc.start()
    try:
        one_connection(mailer, emails)
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def _all_accepted(results: list[object]) -> None:
    delivered = [getattr(r, "delivery", None) for r in results]
    if set(delivered) != {Delivery.ACCEPTED}:
        raise RuntimeError(f"not every email was accepted: {set(delivered)}")


def main() -> list[tuple[str, str, str, str]]:
    emails = invoice_emails(EMAILS)
    tenth = emails[: max(EMAILS // 10, 1)]
    size = len(as_bytes(compose(emails[0]))) / 1024
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        ca = TestCA(folder)
        with local_server(ca) as (port, stop):
            mailer = sheetbill_mailer(port, ca)
            # Warm up: imports, the first connection, the composer's caches.
            one_connection(mailer, emails[:20])
            ours = one_connection(mailer, emails)
            each = connection_each(mailer, emails)
            theirs = yagmail_send(port, emails[:YAGMAIL_SAMPLE], folder)
            peak_tenth = peak_memory(mailer, tenth)
            peak = peak_memory(mailer, emails)
            taken = stop()
    expected = 20 + 3 * EMAILS + YAGMAIL_SAMPLE + len(tenth)
    if taken != expected:
        raise RuntimeError(f"the server took {taken} emails, not {expected}")
    ours_rate, each_rate = EMAILS / ours, EMAILS / each
    yagmail_rate = YAGMAIL_SAMPLE / theirs
    count = f"{EMAILS:,} invoice emails ({size:.0f} KB each with a 30 KB PDF)"
    return [
        (
            f"send {count}, STARTTLS + login",
            f"{ours_rate:,.0f} emails/s over one connection ({ours:.1f} s)",
            f"{each_rate:,.0f} emails/s, a new connection per email ({each:.1f} s)",
            f"{ours_rate / each_rate:.1f}x faster (loopback: no network delay)",
        ),
        (
            "the same, against yagmail.SMTP.send as is",
            f"{ours_rate:,.0f} emails/s",
            f"yagmail.SMTP.send {yagmail_rate:,.0f} emails/s "
            f"(sample of {YAGMAIL_SAMPLE}; its own composer)",
            f"{ours_rate / yagmail_rate:.1f}x",
        ),
        (
            f"peak Python memory sending {EMAILS:,} emails",
            f"{peak:.1f} MB",
            f"{len(tenth):,} emails: {peak_tenth:.1f} MB",
            "flat: one email at a time"
            if peak < 1.5 * peak_tenth + 0.5
            else "grows with the count",
        ),
    ]


if __name__ == "__main__":
    for row in main():
        print(" | ".join(row))
