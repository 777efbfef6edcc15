"""The mail adapter: emails composed (`message`) and handed to a transport — an
outbox folder of .eml files (`outbox`) or an SMTP server through yagmail (`smtp`) —
with their words from jinja2 templates (`templates`),
each behind the `Mailer` port of `sheetbill.ports`."""
