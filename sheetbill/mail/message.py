"""An `OutgoingEmail` as the bytes a mail server or an .eml file gets (RFC 5322 with
MIME): one Message-ID, ours, so a rerun's email is recognisably the same email.

Built with the standard library's `email` package rather than yagmail's composer:
yagmail reads "contents" that look like file paths from disk, and makes a Message-ID
of its own from the sender, recipients and subject (two reminders with the same
subject would share one).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.errors import NonASCIILocalPartDefect
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime

from sheetbill.domain.mail import Attachment, OutgoingEmail

# Line breaks a header value must not hold: CR and LF (a header injection), and the
# other breaks `str.splitlines` knows, which some mail programs also break lines at.
_LINE_BREAK = re.compile(r"[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029\x00]")
# RFC 5322 section 3.6.4: `<id-left@id-right>`, no space or bracket inside.
_MESSAGE_ID = re.compile(r"<[^<>@\s]+@[^<>@\s]+>")


class _Policy(EmailPolicy):
    """The standard policy, except that the Message-ID is never folded: a long one
    would otherwise start on a continuation line, and a reader comparing the
    header's text with ours would see a leading space."""

    def fold(self, name: str, value: str) -> str:
        if name.lower() == "message-id":
            return f"{name}: {str(value).strip()}{self.linesep}"
        folded: str = super().fold(name, value)
        return folded

    def fold_binary(self, name: str, value: str) -> bytes:
        if name.lower() == "message-id":
            return self.fold(name, value).encode("utf-8" if self.utf8 else "ascii")
        return super().fold_binary(name, value)


# Bodies as 7-bit (quoted-printable or base64 where needed): every server takes
# them, whether or not it speaks 8BITMIME. CRLF line ends, as SMTP sends them.
_SEVEN_BIT = _Policy(linesep="\r\n", cte_type="7bit")
# An address with a non-ASCII local part (RFC 6531) travels only as UTF-8.
_UTF8 = _Policy(linesep="\r\n", utf8=True)


@dataclass(frozen=True, slots=True)
class Envelope:
    """Who an email is from and to on the SMTP envelope (MAIL FROM, RCPT TO)."""

    sender: str
    recipients: tuple[str, ...]
    # The server must be told (SMTPUTF8) that addresses are UTF-8.
    is_utf8: bool = False


def compose(
    email: OutgoingEmail, *, now: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> EmailMessage:
    """The email as a MIME message: multipart/alternative text and HTML, images
    shown in the HTML (`cid:`) beside it as multipart/related, files attached.

    Headers: From, To, Cc (when any), Reply-To (when set), Subject, Date (`now`,
    written in the local time zone), and exactly one Message-ID: `message_id`.
    Raises ValueError when a header value or attachment name holds a line break (a
    header injection: validation should have stopped it earlier), when an address
    is not one address, or when the Message-ID is not `<left@right>`.
    """
    check_headers(email)
    message = EmailMessage(policy=_UTF8 if needs_utf8(email) else _SEVEN_BIT)
    message["From"] = _address(email.sender, "From")
    message["To"] = _addresses(email.to, "To")
    if email.cc:
        message["Cc"] = _addresses(email.cc, "Cc")
    if email.reply_to:
        message["Reply-To"] = _address(email.reply_to, "Reply-To")
    message["Subject"] = email.subject
    message["Date"] = format_datetime(now().astimezone())
    message["Message-ID"] = email.message_id
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    html = next(p for p in message.iter_parts() if p.get_content_subtype() == "html")
    for image in (a for a in email.attachments if a.content_id):
        maintype, subtype = _content_type(image)
        html.add_related(image.data, maintype, subtype, cid=f"<{image.content_id}>")
    for file in (a for a in email.attachments if not a.content_id):
        maintype, subtype = _content_type(file)
        message.add_attachment(file.data, maintype, subtype, filename=file.filename)
    return message


def as_bytes(message: EmailMessage) -> bytes:
    """The message as sent and filed: CRLF line ends, header lines folded."""
    return message.as_bytes()


def envelope(email: OutgoingEmail) -> Envelope:
    """The envelope: the From address and every To and Cc address, each once."""
    sender = _address(email.sender, "From").addr_spec
    recipients = tuple(
        dict.fromkeys(_address(a, "To/Cc").addr_spec for a in (*email.to, *email.cc))
    )
    return Envelope(sender, recipients, is_utf8=needs_utf8(email))


def check_headers(email: OutgoingEmail) -> None:
    """Raise ValueError naming the header whose value holds a line break; also when
    the Message-ID is not `<left@right>` or there is no To address."""
    fields: Iterable[tuple[str, str]] = (
        ("From", email.sender),
        *(("To", a) for a in email.to),
        *(("Cc", a) for a in email.cc),
        ("Reply-To", email.reply_to),
        ("Subject", email.subject),
        ("Message-ID", email.message_id),
        *(("attachment name", a.filename) for a in email.attachments),
        *(("attachment content id", a.content_id or "") for a in email.attachments),
        *(("attachment type", a.content_type) for a in email.attachments),
    )
    for name, value in fields:
        if _LINE_BREAK.search(value):
            raise ValueError(
                f"the {name} of email {email.message_id!r} holds a line "
                "break; refused (it would inject a header)"
            )
    if not _MESSAGE_ID.fullmatch(email.message_id):
        raise ValueError(f"{email.message_id!r} is not a Message-ID <left@right>")
    if not email.to:
        raise ValueError(f"email {email.message_id!r} has no To address")


def needs_utf8(email: OutgoingEmail) -> bool:
    """True when an address's local part is not ASCII (RFC 6531 SMTPUTF8)."""
    return any(
        not _address(a, "address").username.isascii()
        for a in (email.sender, *email.to, *email.cc, email.reply_to)
        if a
    )


def _addresses(texts: Iterable[str], header: str) -> tuple[Address, ...]:
    return tuple(_address(text, header) for text in texts)


def _address(text: str, header: str) -> Address:
    """One address, `Name <local@domain>` or `local@domain`, as the header registry
    reads it; a list, a group or text with defects is refused."""
    address = _parsed_address(text)
    if address is None:
        raise ValueError(f"{header} {text!r} is not one email address")
    return address


@functools.lru_cache(maxsize=4096)
def _parsed_address(text: str) -> Address | None:
    # Cached: the header registry's parser is slow, and the sender, Reply-To and
    # a customer's addresses recur in every email of a run.
    parsed = policy.default.header_factory("To", text)
    addresses: tuple[Address, ...] = parsed.addresses
    # A non-ASCII local part is no defect here: it goes as SMTPUTF8 (RFC 6531).
    defects = [d for d in parsed.defects if not isinstance(d, NonASCIILocalPartDefect)]
    if len(addresses) != 1 or defects or not addresses[0].domain:
        return None
    address = addresses[0]
    if address.domain.isascii():
        return address
    # An international domain name travels as its ASCII form (RFC 5890), which
    # every server takes; only a non-ASCII local part needs SMTPUTF8.
    try:
        domain = address.domain.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    return Address(address.display_name, address.username, domain)


def _content_type(attachment: Attachment) -> tuple[str, str]:
    maintype, _, subtype = attachment.content_type.partition("/")
    if not maintype or not subtype:
        raise ValueError(
            f"attachment {attachment.filename!r} has no type/subtype "
            f"({attachment.content_type!r})"
        )
    return maintype, subtype
