"""An outbox folder as the `Mailer` port: each email one .eml file, for a person (or
their mail program) to send, and for trying sheetbill without a mail server.

A file appears whole or not at all (written under a temp name, flushed to disk,
then renamed), so a killed run never leaves half an email that looks complete. Its
name comes from the Message-ID, so an email filed twice is one file. The folder is
made readable by its owner only: the emails hold customers' names and amounts.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from sheetbill.domain.mail import Delivery, OutgoingEmail, SendResult
from sheetbill.mail.message import as_bytes, compose
from sheetbill.tempfiles import remove_stale_files

EML_SUFFIX = ".eml"
TEMP_SUFFIX = ".sheetbill-tmp"
# `.<name>.eml.<random>.sheetbill-tmp`: a killed run's, removed by a later session.
_STALE_TEMP = re.compile(r"\.[^/]+\.eml\.[a-z0-9_]{8}" + re.escape(TEMP_SUFFIX))
# What a Message-ID's left and right parts may keep in a file name; the rest
# (and "=" itself) is written as =XX, so two ids never share a name.
_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9._@+-]")
# Well below the 255 bytes most file systems allow for a name.
_LONGEST_NAME = 200


class OutboxMailer:
    """A folder of .eml files; made (mode 0700) at the first email filed."""

    def __init__(
        self, folder: Path, *, now: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.folder = folder
        self._now = now

    @property
    def name(self) -> str:
        return f"outbox folder {self.folder}"

    def __repr__(self) -> str:
        return f"OutboxMailer({str(self.folder)!r})"

    @contextlib.contextmanager
    def session(self) -> Iterator[OutboxSession]:
        remove_stale_files(self.folder, _STALE_TEMP, older_than=time.time())
        yield OutboxSession(self.folder, self._now)


class OutboxSession:
    def __init__(self, folder: Path, now: Callable[[], datetime]) -> None:
        self.folder = folder
        self._now = now

    def send(self, email: OutgoingEmail) -> SendResult:
        """File the email as `<Message-ID>.eml`: ACCEPTED once it is on disk (also
        when an earlier run filed it: the file is kept as it is); DEFERRED when the
        folder cannot be written (nothing is left behind); REFUSED when the email
        cannot be composed (a line break in a header)."""
        try:
            data = as_bytes(compose(email, now=self._now))
        except ValueError as exc:
            return SendResult(Delivery.REFUSED, f"not filed: {exc}")
        target = self.folder / eml_name(email.message_id)
        try:
            if target.exists():
                return SendResult(Delivery.ACCEPTED, f"already in the outbox: {target}")
            _make_folder(self.folder)
            _write_new(target, data)
        except OSError as exc:
            return SendResult(
                Delivery.DEFERRED, f"not filed in {self.folder}: {exc.strerror or exc}"
            )
        return SendResult(Delivery.ACCEPTED, f"filed as {target}")


def eml_name(message_id: str) -> str:
    """The file name of an email: its Message-ID without brackets, any character
    a file name should not hold written as =XX, `.eml` added. Names too long for
    a file system keep their start and gain a hash of the whole id."""
    inner = message_id.strip().removeprefix("<").removesuffix(">")
    stem = _UNSAFE_IN_NAME.sub(
        lambda m: "".join(f"={b:02X}" for b in m[0].encode()), inner
    )
    if stem.startswith("."):
        stem = "=2E" + stem[1:]
    if len(stem) > _LONGEST_NAME:
        digest = hashlib.sha256(message_id.encode()).hexdigest()[:16]
        stem = f"{stem[: _LONGEST_NAME - 17]}~{digest}"
    return (stem or "email") + EML_SUFFIX


def _make_folder(folder: Path) -> None:
    if folder.is_dir():
        return
    folder.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        folder.mkdir(mode=0o700)
        # mkdir's mode passes through the umask; the folder is the owner's alone.
        folder.chmod(0o700)


def _write_new(target: Path, data: bytes) -> None:
    """`data` as `target`: written beside it, flushed, renamed, and the rename
    itself flushed (the folder), so a crash leaves the whole file or none."""
    handle, temp = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=TEMP_SUFFIX
    )
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
