"""`sheetbill.mail.message`: an OutgoingEmail composed into the bytes a server or an
.eml file gets, read back here with the standard library's own parser."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mail_helpers import DOMAIN, PDF, PNG, an_email

from sheetbill.domain.mail import Attachment, message_id
from sheetbill.mail.message import as_bytes, compose, envelope

# Every line break the composer refuses in a header.
LINE_BREAKS = "\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029\x00"
NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def parsed(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_compose_gives_text_and_html_as_alternatives_with_the_pdf_attached():
    """multipart/mixed: the alternatives first (text, then the HTML with its QR code
    image inline beside it as multipart/related), then the PDF as an attachment."""
    message = parsed(as_bytes(compose(an_email())))
    assert message.get_content_type() == "multipart/mixed"
    body, pdf = message.iter_parts()
    assert body.get_content_type() == "multipart/alternative"
    text, related = body.iter_parts()
    assert text.get_content() == "Guten Tag,\r\nanbei die Rechnung.\r\n"
    assert related.get_content_type() == "multipart/related"
    html, image = related.iter_parts()
    assert 'src="cid:payment-qr"' in html.get_content()
    assert image["Content-ID"] == "<payment-qr>"
    assert image.get_content_type() == "image/png"
    assert image.get_content() == PNG
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_filename() == "INV-2026-0007.pdf"
    assert pdf.get_content_disposition() == "attachment"
    assert pdf.get_content() == PDF


def test_compose_without_attachments_is_just_the_alternatives():
    message = parsed(as_bytes(compose(an_email(attachments=()))))
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]


def test_compose_writes_the_headers_of_the_email():
    message = parsed(as_bytes(compose(an_email(), now=lambda: NOW)))
    assert message["From"] == "Northwind Billing <billing@northwind.example>"
    assert message["To"] == "Hans Müller <hans@kunde.example>"
    assert message["Cc"] == "buchhaltung@kunde.example"
    assert message["Reply-To"] == "accounts@northwind.example"
    assert message["Subject"] == "Rechnung INV-2026-0007 über 1.190,00 €"
    assert message["Date"].datetime == NOW
    assert message["Message-ID"] == "<INV-2026-0007.invoice@northwind.example>"


def test_compose_leaves_out_cc_and_reply_to_when_there_are_none():
    message = parsed(as_bytes(compose(an_email(cc=(), reply_to=""))))
    assert "Cc" not in message and "Reply-To" not in message


def test_compose_keeps_a_display_name_with_a_comma_as_one_address():
    """`formataddr` quotes a name like "Müller, Hans"; it stays one recipient."""
    email_ = an_email(to=('"Müller, Hans" <hans@kunde.example>',), cc=())
    message = parsed(as_bytes(compose(email_)))
    assert [a.addr_spec for a in message["To"].addresses] == ["hans@kunde.example"]
    assert message["To"].addresses[0].display_name == "Müller, Hans"


@settings(max_examples=300, deadline=None)
@given(key=st.text(min_size=1, max_size=120))
def test_compose_writes_exactly_one_message_id_and_it_is_ours(key):
    """Whatever the key, the message has one Message-ID header, on one line, equal
    to the one the journal recorded: a rerun's email is recognisably the same."""
    email_ = an_email(message_id=message_id(key, DOMAIN), attachments=())
    data = as_bytes(compose(email_))
    message = parsed(data)
    assert message.get_all("Message-ID") == [email_.message_id]
    headers = data.split(b"\r\n\r\n", 1)[0].lower()
    assert headers.count(b"\r\nmessage-id:") == 1
    assert f"Message-ID: {email_.message_id}\r\n".encode() in data


@settings(max_examples=300, deadline=None)
@given(
    subject=st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters=LINE_BREAKS)
    )
)
def test_compose_keeps_any_one_line_subject_word_for_word(subject):
    """Any subject without a line break comes back with the same words (header
    folding may change only the white space around them), and the whole message
    is 7-bit: any server takes it, 8BITMIME or not."""
    data = as_bytes(compose(an_email(subject=subject, attachments=())))
    assert data.isascii()
    assert parsed(data)["Subject"].split() == subject.split()


INJECTION = "x\r\nBcc: victim@elsewhere.example"


@pytest.mark.parametrize(
    "changes",
    [
        {"subject": INJECTION},
        {"sender": f"Billing <billing@northwind.example>{INJECTION}"},
        {"to": (f"hans@kunde.example{INJECTION}",)},
        {"cc": ("a@kunde.example", "b@kunde.example\nBcc: x@y.example")},
        {"reply_to": f"accounts@northwind.example{INJECTION}"},
        {"message_id": f"<a@northwind.example>{INJECTION}"},
        {"attachments": (Attachment(f"a.pdf{INJECTION}", "application/pdf", PDF),)},
        {"attachments": (Attachment("a.pdf", "application/pdf\r\nX: y", PDF),)},
        {"attachments": (Attachment("q.png", "image/png", PNG, content_id="q\rX"),)},
    ],
    ids=[
        "subject",
        "from",
        "to",
        "cc",
        "reply-to",
        "message-id",
        "attachment name",
        "attachment type",
        "content id",
    ],
)
def test_compose_refuses_a_line_break_in_any_header(changes):
    with pytest.raises(ValueError, match="line break"):
        compose(an_email(**changes))


@given(
    before=st.text(max_size=10),
    brk=st.sampled_from(LINE_BREAKS),
    after=st.text(max_size=10),
)
def test_compose_refuses_every_kind_of_line_break_in_the_subject(before, brk, after):
    with pytest.raises(ValueError, match="line break"):
        compose(an_email(subject=before + brk + after))


@pytest.mark.parametrize(
    "changes",
    [
        {"to": ("a@kunde.example, b@kunde.example",)},
        {"to": ("not an address",)},
        {"to": ()},
        {"sender": "billing"},
        {"message_id": "INV-1.invoice"},
    ],
    ids=["two in one", "no address", "no To", "sender", "message-id"],
)
def test_compose_refuses_what_is_not_one_address_or_a_message_id(changes):
    with pytest.raises(ValueError, match=r"address|Message-ID"):
        compose(an_email(**changes))


def test_envelope_names_the_bare_addresses_each_once():
    email_ = an_email(
        to=("Hans <hans@kunde.example>", "eva@kunde.example"),
        cc=("hans@kunde.example", "Buchhaltung <bh@kunde.example>"),
    )
    post = envelope(email_)
    assert post.sender == "billing@northwind.example"
    assert post.recipients == (
        "hans@kunde.example",
        "eva@kunde.example",
        "bh@kunde.example",
    )
    assert not post.is_utf8


def test_an_address_with_a_non_ascii_local_part_goes_as_utf8():
    """RFC 6531: such an address cannot be encoded; the message is UTF-8 and the
    server is asked for SMTPUTF8 (`Envelope.is_utf8`)."""
    email_ = an_email(to=("jürgen@kunde.example",), cc=())
    post = envelope(email_)
    assert post.is_utf8 and post.recipients == ("jürgen@kunde.example",)
    data = as_bytes(compose(email_))
    assert "To: jürgen@kunde.example\r\n".encode() in data
    # The stdlib reads 8-bit headers from text (from bytes it escapes them).
    message = email.message_from_string(data.decode(), policy=email.policy.SMTPUTF8)
    assert message["To"].addresses[0].username == "jürgen"


def test_an_international_domain_goes_in_its_ascii_form():
    """IDNA (RFC 5890): every server takes the xn-- form; no SMTPUTF8 needed."""
    email_ = an_email(to=("Hans <hans@müller.example>",), cc=())
    post = envelope(email_)
    assert post.recipients == ("hans@xn--mller-kva.example",)
    assert not post.is_utf8
    data = as_bytes(compose(email_))
    assert data.isascii()
    assert parsed(data)["To"].addresses[0].domain == "xn--mller-kva.example"
