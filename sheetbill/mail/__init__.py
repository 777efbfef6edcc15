"""The mail adapter: emails worded from jinja2 templates (`templates`), composed
(`message`) and handed to a transport — an outbox folder of .eml files (`outbox`) or
an SMTP server through yagmail (`smtp`), each behind the `Mailer` port of
`sheetbill.ports`."""
