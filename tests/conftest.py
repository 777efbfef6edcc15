"""Shared fixtures: paths to the shared corpora, a copy of the demo workbook, the
local Sheets server and the local SMTP server (tests/mail_server.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from google_fixtures import google_book, sheets_server  # noqa: F401 (fixtures)
from mail_server import (  # noqa: F401 (fixtures)
    certificate_authority,
    closed_port,
    mail_server,
    mail_server_factory,
)
from paths import DEMO


@pytest.fixture
def demo_book(tmp_path: Path) -> Path:
    """A private copy of the committed demo workbook."""
    target = tmp_path / "books" / "northwind.xlsx"
    target.parent.mkdir()
    shutil.copyfile(DEMO, target)
    return target
