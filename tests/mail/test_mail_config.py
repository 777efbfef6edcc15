"""`[mail]` in sheetbill.toml: every key checked with a message naming it; the SMTP
password only from its environment variable or a file its owner alone may read;
`wiring.mailer` turning the table into the outbox or the SMTP server."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from reliability.small_demo import write_small_demo
from sending_run_helpers import mail_toml

from sheetbill.config import MAIL_KEYS, MailConfig, load_config
from sheetbill.domain.mail import ReceiptMode
from sheetbill.errors import ConfigError
from sheetbill.mail.outbox import OutboxMailer
from sheetbill.mail.smtp import Security, SmtpMailer, read_password
from sheetbill.wiring import mailer

ROOT = Path(__file__).resolve().parents[2]
SECRET = "correct horse battery staple"


def config_with(tmp_path, mail: str):
    path = tmp_path / "sheetbill.toml"
    path.write_text("[mail]\n" + textwrap.dedent(mail))
    return load_config(path)


def test_mail_defaults_to_the_outbox_beside_the_workbook(tmp_path):
    path = tmp_path / "sheetbill.toml"
    path.write_text("backups = 1\n")
    mail = load_config(path).mail
    assert mail == MailConfig()
    assert mail.transport == "outbox" and mail.outbox == Path("outbox")
    assert mail.receipts is ReceiptMode.PAID
    assert (mail.max_per_run, mail.max_per_minute) == (200, 30)


def test_mail_reads_every_key_of_the_issue_example(tmp_path):
    mail = config_with(
        tmp_path,
        """
        transport = "smtp"
        outbox = "mail/outbox"
        from = "Northwind Billing <billing@northwind.example>"
        reply_to = "accounts@northwind.example"
        host = "smtp.example.com"
        port = 2587
        security = "starttls"
        user = "billing@northwind.example"
        password_env = "SHEETBILL_SMTP_PASSWORD"
        timeout = 20
        max_per_run = 50
        max_per_minute = 10
        receipts = "each payment"
        templates = "my-emails"
        """,
    ).mail
    assert mail == MailConfig(
        transport="smtp",
        outbox=Path("mail/outbox"),
        sender="Northwind Billing <billing@northwind.example>",
        reply_to="accounts@northwind.example",
        host="smtp.example.com",
        port=2587,
        security="starttls",
        user="billing@northwind.example",
        password_env="SHEETBILL_SMTP_PASSWORD",
        timeout=20.0,
        max_per_run=50,
        max_per_minute=10,
        receipts=ReceiptMode.EACH_PAYMENT,
        templates=tmp_path / "my-emails",
    )


@pytest.mark.parametrize(
    ("security", "port"), [("starttls", 587), ("ssl", 465), ("none", 25)]
)
def test_mail_port_defaults_to_the_one_its_security_is_served_on(
    tmp_path, security, port
):
    mail = config_with(tmp_path, f'security = "{security}"\n').mail
    assert mail.port == port


def test_mail_password_file_is_relative_to_the_config(tmp_path):
    mail = config_with(
        tmp_path, 'user = "u@northwind.example"\npassword_file = "smtp.secret"\n'
    ).mail
    assert mail.password_file == tmp_path / "smtp.secret"


@pytest.mark.parametrize(
    ("table", "says"),
    [
        ('transport = "sendmail"', r"'mail\.transport' must be one of \"outbox\""),
        ('transport = "smtp"', r"'mail\.host' is needed"),
        ('host = "smtp example.com"', r"'mail\.host' must be a host name"),
        ("port = 0", r"'mail\.port' must be a whole number, from 1 to 65535"),
        ('port = "587"', r"'mail\.port' must be a whole number"),
        ('security = "tls"', r"'mail\.security' must be one of"),
        ('from = "billing"', r"'mail\.from' must be one email address"),
        ('from = "a@x.example, b@x.example"', r"'mail\.from' must be one email"),
        ('reply_to = "accounts@"', r"'mail\.reply_to' must be one email address"),
        ("reply_to = 7", r"'mail\.reply_to' must be a text"),
        ('from = "a@x.example\\nBcc: b@x.example"', r"'mail\.from' must be one line"),
        ('outbox = ""', r"'mail\.outbox' must be a folder path"),
        ('user = "u@x.example"', r"'mail\.user' is set, so a password is needed"),
        ('password_env = "PW"', r"'mail\.password_env' is set but 'mail\.user'"),
        (
            'user = "u"\npassword_env = "PW"\npassword_file = "f"',
            r"one of 'mail\.password_env' and 'mail\.password_file', not both",
        ),
        (
            'user = "u"\npassword_env = "hunter2 is my password"',
            r"'mail\.password_env' must be the name of an environment variable",
        ),
        ("timeout = 0", r"'mail\.timeout' must be a number of seconds"),
        ("max_per_run = -1", r"'mail\.max_per_run' must be a whole number, 0 or"),
        ("max_per_minute = 2.5", r"'mail\.max_per_minute' must be a whole number"),
        ('receipts = "always"', r"'mail\.receipts' must be one of \"paid\""),
        ("templates = 3", r"'mail\.templates' must be a text"),
        ('sender = "x@y.example"', r"unknown key 'mail\.sender'"),
    ],
)
def test_mail_a_wrong_key_is_refused_with_its_name(tmp_path, table, says):
    with pytest.raises(ConfigError, match=says) as raised:
        config_with(tmp_path, table + "\n")
    assert raised.value.path == tmp_path / "sheetbill.toml"


def test_mail_must_be_a_table(tmp_path):
    path = tmp_path / "sheetbill.toml"
    path.write_text('mail = "smtp"\n')
    with pytest.raises(ConfigError, match=r"'mail' must be a table"):
        load_config(path)


# -- the password ------------------------------------------------------------------


def secret_file(tmp_path, mode: int, text: str = SECRET + "\n") -> Path:
    path = tmp_path / "smtp.secret"
    path.write_text(text)
    path.chmod(mode)
    return path


@pytest.mark.parametrize("mode", [0o600, 0o400])
def test_password_file_the_owner_alone_may_read_is_read(tmp_path, mode):
    password = read_password(env=None, file=secret_file(tmp_path, mode))
    assert password.reveal() == SECRET  # the line break written after it dropped


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o666, 0o700 | 0o004])
def test_password_file_others_may_read_is_refused(tmp_path, mode):
    path = secret_file(tmp_path, mode)
    with pytest.raises(ConfigError, match=r"may be read by others") as raised:
        read_password(env=None, file=path)
    assert f"chmod 600 {path}" in str(raised.value)
    assert SECRET not in str(raised.value)


def test_password_file_through_a_link_or_missing_is_refused(tmp_path):
    real = secret_file(tmp_path, 0o600)
    link = tmp_path / "link.secret"
    link.symlink_to(real)
    with pytest.raises(ConfigError, match=r"'mail\.password_file' cannot be read"):
        read_password(env=None, file=link)
    with pytest.raises(ConfigError, match=r"'mail\.password_file' cannot be read"):
        read_password(env=None, file=tmp_path / "absent.secret")


def test_password_file_empty_is_refused(tmp_path):
    with pytest.raises(ConfigError, match=r"'mail\.password_file' is empty"):
        read_password(env=None, file=secret_file(tmp_path, 0o600, "\n"))


def test_password_env_is_read_from_that_variable_alone(tmp_path):
    password = read_password(env="SB_PW", file=None, environ={"SB_PW": SECRET})
    assert password.reveal() == SECRET
    assert SECRET not in repr(password) and SECRET not in str(password)
    with pytest.raises(ConfigError, match=r"SB_PW, which is not set"):
        read_password(env="SB_PW", file=None, environ={"OTHER": SECRET})


# -- wiring ------------------------------------------------------------------------


def test_wiring_gives_the_outbox_relative_to_the_workbooks_folder(tmp_path):
    config = config_with(tmp_path, 'outbox = "sent mail"\n')
    books = tmp_path / "books"
    made = mailer(config, books)
    assert isinstance(made, OutboxMailer)
    assert made.folder == books / "sent mail"


def test_wiring_gives_the_smtp_server_logged_in_with_the_password(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("SHEETBILL_TEST_PW", SECRET)
    config = config_with(
        tmp_path,
        """
        transport = "smtp"
        host = "smtp.example.com"
        security = "ssl"
        user = "billing@northwind.example"
        password_env = "SHEETBILL_TEST_PW"
        timeout = 5
        max_per_minute = 12
        """,
    )
    made = mailer(config, tmp_path)
    assert isinstance(made, SmtpMailer)
    assert (made.host, made.port, made.security) == (
        "smtp.example.com",
        465,
        Security.SSL,
    )
    assert (made.timeout, made.max_per_minute) == (5.0, 12)
    assert made.login is not None and made.login.password.reveal() == SECRET
    assert made.name == "SMTP server smtp.example.com:465"
    assert SECRET not in repr(made)


def test_wiring_refuses_a_password_file_others_may_read(tmp_path):
    secret_file(tmp_path, 0o644)
    config = config_with(
        tmp_path,
        'transport = "smtp"\nhost = "h.example"\nuser = "u"\n'
        'password_file = "smtp.secret"\n',
    )
    with pytest.raises(ConfigError, match=r"may be read by others"):
        mailer(config, tmp_path)


def test_wiring_without_user_logs_in_as_no_one(tmp_path):
    config = config_with(tmp_path, 'transport = "smtp"\nhost = "relay.example"\n')
    made = mailer(config, tmp_path)
    assert isinstance(made, SmtpMailer) and made.login is None


SENDS_ONE = """
import sys
from pathlib import Path
sys.path.insert(0, {tests!r})
sys.path.insert(0, {mail_tests!r})
from mail_helpers import an_email
from sheetbill.config import load_config
from sheetbill.wiring import mailer
made = mailer(load_config(Path({config!r})), Path({folder!r}))
with made.session() as session:
    print(session.send(an_email()).delivery.value)
"""


def test_a_run_with_stdin_closed_and_no_terminal_logs_in_and_sends(
    tmp_path, mail_server_factory
):
    """As from cron: no terminal to prompt on and stdin closed. A prompt or a
    keyring lookup would hang or fail; the email goes."""
    server = mail_server_factory(passwords={"billing@northwind.example": SECRET})
    config = tmp_path / "sheetbill.toml"
    config.write_text(
        textwrap.dedent(f"""\
        [mail]
        transport = "smtp"
        host = "{server.host}"
        port = {server.port}
        security = "none"
        user = "billing@northwind.example"
        password_env = "SHEETBILL_TEST_PW"
        timeout = 10
        """)
    )
    script = SENDS_ONE.format(
        tests=str(ROOT / "tests"),
        mail_tests=str(ROOT / "tests" / "mail"),
        config=str(config),
        folder=str(tmp_path),
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        start_new_session=True,  # no controlling terminal: /dev/tty cannot open
        env={**os.environ, "SHEETBILL_TEST_PW": SECRET},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "accepted"
    assert "Password" not in done.stdout + done.stderr
    assert SECRET not in done.stdout + done.stderr
    assert server.received[0].user == "billing@northwind.example"


def test_every_mail_key_is_documented_in_the_example_config():
    """config/sheetbill.toml shows each key of [mail] (set or commented out), and
    loads as it is."""
    example = ROOT / "config" / "sheetbill.toml"
    text = example.read_text()
    table = text[text.index("\n[mail]\n") :]
    for key in MAIL_KEYS:
        assert re.search(rf"^(# )?{key} = ", table, re.MULTILINE), key
    assert load_config(example).mail == MailConfig()


def test_password_file_not_in_utf8_is_refused_naming_the_key_and_file(tmp_path):
    """Never its content: not in the message, and no decode error (which holds the
    file's bytes) kept behind it."""
    path = tmp_path / "smtp.secret"
    path.write_bytes("Passwört-9\n".encode("latin-1"))
    path.chmod(0o600)
    with pytest.raises(ConfigError) as raised:
        read_password(env=None, file=path)
    error = raised.value
    assert "'mail.password_file' is not UTF-8 text" in str(error)
    assert error.path == path and str(path) in str(error)
    assert "Passw" not in str(error) and "0xf6" not in str(error)
    assert error.__context__ is None and error.__cause__ is None


def test_a_run_with_a_password_file_not_in_utf8_stops_with_exit_2(tmp_path):
    """As a user runs it: one line naming the key and the file, exit 2, no
    traceback, nothing of the file's content."""
    book = tmp_path / "book.xlsx"
    write_small_demo(book)
    secret = tmp_path / "smtp.secret"
    secret.write_bytes("Passwört-9\n".encode("latin-1"))
    secret.chmod(0o600)
    mail_toml(
        tmp_path, book, 25, user="billing@northwind.example", password_file=secret.name
    )
    done = subprocess.run(
        [sys.executable, "-m", "sheetbill", "run", str(book), "--as-of", "2026-11-02"],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "'mail.password_file' is not UTF-8 text" in done.stderr
    assert str(secret) in done.stderr
    assert "Passw" not in done.stdout + done.stderr
