"""`sheetbill.mail.outbox`: each email one .eml file in a private folder, whole or
not at all, named by its Message-ID, read back with the standard library."""

from __future__ import annotations

import email
import email.policy
import os
import stat
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mail_helpers import PDF, an_email, emails

from sheetbill.domain.mail import Delivery, message_id
from sheetbill.mail import outbox
from sheetbill.mail.outbox import OutboxMailer, eml_name

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def read_eml(path):
    with path.open("rb") as file:
        return email.message_from_binary_file(file, policy=email.policy.default)


def test_outbox_files_each_email_as_an_eml_the_stdlib_reads_back(tmp_path):
    folder = tmp_path / "books" / "outbox"
    mailer = OutboxMailer(folder, now=lambda: NOW)
    with mailer.session() as session:
        results = [session.send(e) for e in emails(3)]
    assert {r.delivery for r in results} == {Delivery.ACCEPTED}
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "INV-2026-0001.invoice@northwind.example.eml",
        "INV-2026-0002.invoice@northwind.example.eml",
        "INV-2026-0003.invoice@northwind.example.eml",
    ]
    message = read_eml(folder / names[0])
    assert message["Message-ID"] == "<INV-2026-0001.invoice@northwind.example>"
    assert message["To"] == "Hans Müller <hans@kunde.example>"
    assert message["Date"].datetime == NOW
    pdf = next(message.iter_attachments())
    assert pdf.get_content() == PDF
    assert results[0].detail == f"filed as {folder / names[0]}"


def test_outbox_makes_its_folder_for_the_owner_alone(tmp_path):
    """The emails hold customers' names and amounts: folder 0700, files 0600."""
    folder = tmp_path / "outbox"
    with OutboxMailer(folder).session() as session:
        assert not folder.exists()  # nothing filed, nothing made
        session.send(an_email())
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    (eml,) = folder.iterdir()
    assert stat.S_IMODE(eml.stat().st_mode) == 0o600


def test_outbox_leaves_an_existing_folder_as_it_is(tmp_path):
    folder = tmp_path / "outbox"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    with OutboxMailer(folder).session() as session:
        session.send(an_email())
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755


def test_outbox_keeps_an_email_filed_before_and_writes_no_second_one(tmp_path):
    """A rerun after a crash between filing and recording: the file is there, so
    the email counts as filed, once."""
    folder = tmp_path / "outbox"
    with OutboxMailer(folder, now=lambda: NOW).session() as session:
        session.send(an_email())
    (eml,) = folder.iterdir()
    before = eml.read_bytes()
    with OutboxMailer(folder).session() as session:
        again = session.send(an_email(subject="changed"))
    assert again.delivery is Delivery.ACCEPTED
    assert again.detail.startswith("already in the outbox")
    assert [p.name for p in folder.iterdir()] == [eml.name]
    assert eml.read_bytes() == before


def test_outbox_a_folder_it_cannot_write_defers_and_leaves_nothing(tmp_path):
    blocker = tmp_path / "outbox"
    blocker.write_text("a file where the folder should be")
    with OutboxMailer(blocker / "inner").session() as session:
        result = session.send(an_email())
    assert result.delivery is Delivery.DEFERRED
    assert result.detail.startswith(f"not filed in {blocker / 'inner'}")


def test_outbox_a_failed_write_leaves_no_temp_file(tmp_path, monkeypatch):
    """The disk fills up while the email is written: deferred, and no half file
    (under either name) is left."""
    folder = tmp_path / "outbox"

    def full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(outbox.os, "fsync", full)
    with OutboxMailer(folder).session() as session:
        result = session.send(an_email())
    assert result.delivery is Delivery.DEFERRED
    assert "No space left on device" in result.detail
    assert list(folder.iterdir()) == []


def test_outbox_removes_the_temp_files_a_killed_run_left(tmp_path):
    folder = tmp_path / "outbox"
    folder.mkdir()
    stale = folder / ".INV-1.invoice@northwind.example.eml.abcd1234.sheetbill-tmp"
    fresh = folder / ".INV-2.invoice@northwind.example.eml.efgh5678.sheetbill-tmp"
    mine = folder / "notes.txt"
    for path in (stale, fresh, mine):
        path.write_bytes(b"x")
    hour_ago = time.time() - 3600
    os.utime(stale, (hour_ago, hour_ago))
    with OutboxMailer(folder).session():
        pass
    assert sorted(p.name for p in folder.iterdir()) == sorted([fresh.name, mine.name])


def test_outbox_refuses_an_email_with_a_line_break_in_a_header(tmp_path):
    folder = tmp_path / "outbox"
    with OutboxMailer(folder).session() as session:
        result = session.send(an_email(subject="Invoice\nBcc: x@elsewhere.example"))
    assert result.delivery is Delivery.REFUSED
    assert not folder.exists()


def test_eml_name_of_an_invoice_number_with_slashes_stays_in_the_folder():
    assert eml_name(message_id("INV/2026/0001.invoice", "n.example")) == (
        "INV=2F2026=2F0001.invoice@n.example.eml"
    )


@given(st.text(min_size=1), st.text(min_size=1))
def test_eml_names_of_two_keys_differ_and_are_plain_file_names(first, second):
    """Any key gives a name that is one file in the folder (no slash, not hidden,
    not too long), and two keys never share one."""
    a = eml_name(message_id(first, "northwind.example"))
    b = eml_name(message_id(second, "northwind.example"))
    assert "/" not in a and not a.startswith(".") and len(a.encode()) <= 255
    assert (a == b) == (first == second)


def test_outbox_names_itself_for_messages(tmp_path):
    assert OutboxMailer(tmp_path / "o").name == f"outbox folder {tmp_path / 'o'}"


@pytest.mark.parametrize("count", [1, 20])
def test_outbox_files_are_whole_messages(tmp_path, count):
    """Every file parses without a defect and ends where the message ends."""
    folder = tmp_path / "outbox"
    with OutboxMailer(folder).session() as session:
        for e in emails(count):
            session.send(e)
    for path in folder.iterdir():
        message = read_eml(path)
        assert not message.defects
        assert path.read_bytes().rstrip().endswith(b"--")


def test_outbox_an_email_appears_under_its_name_only_whole(tmp_path, monkeypatch):
    """Until the rename, the email is under a temp name only, complete and on disk:
    a run killed at any moment leaves the whole .eml or none (and a temp file
    the next session removes)."""
    folder = tmp_path / "outbox"
    seen = []
    real_replace = os.replace

    def replace(source, target):
        seen.append(
            (Path(target).exists(), Path(source).name, Path(source).read_bytes())
        )
        real_replace(source, target)

    monkeypatch.setattr(outbox.os, "replace", replace)
    with OutboxMailer(folder).session() as session:
        session.send(an_email())
    ((target_existed, temp_name, data),) = seen
    assert not target_existed
    assert temp_name.startswith(".INV-2026-0007.invoice@northwind.example.eml.")
    assert temp_name.endswith(".sheetbill-tmp")
    (eml,) = folder.iterdir()
    assert eml.read_bytes() == data
