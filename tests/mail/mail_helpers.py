"""Emails for the mail adapter's tests: an invoice email with a PDF and a QR code."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sheetbill.domain.mail import Attachment, OutgoingEmail, message_id

DOMAIN = "northwind.example"
SENDER = "Northwind Billing <billing@northwind.example>"
# A PDF's first bytes and some more: what matters is that the bytes come back.
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def an_email(key: str = "INV-2026-0007.invoice", **changes: Any) -> OutgoingEmail:
    """An invoice email as the use case hands it over; `changes` replace fields."""
    email = OutgoingEmail(
        message_id=message_id(key, DOMAIN),
        sender=SENDER,
        to=("Hans Müller <hans@kunde.example>",),
        cc=("buchhaltung@kunde.example",),
        reply_to="accounts@northwind.example",
        subject=f"Rechnung {key.split('.')[0]} über 1.190,00 €",
        text="Guten Tag,\nanbei die Rechnung.\n",
        html='<p>Guten Tag,</p><p>anbei die Rechnung.</p><img src="cid:payment-qr">',
        attachments=(
            Attachment("INV-2026-0007.pdf", "application/pdf", PDF),
            Attachment("qr.png", "image/png", PNG, content_id="payment-qr"),
        ),
    )
    return replace(email, **changes)


def emails(count: int) -> list[OutgoingEmail]:
    return [an_email(f"INV-2026-{n:04d}.invoice") for n in range(1, count + 1)]
