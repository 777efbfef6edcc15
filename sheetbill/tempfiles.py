"""Temp files a killed run left behind: found by sheetbill's own name patterns only."""

from __future__ import annotations

import contextlib
import os
import re
import stat
from pathlib import Path


def remove_stale_files(
    folder: Path, pattern: re.Pattern[str], *, older_than: float
) -> None:
    """Delete files in `folder` whose whole name matches `pattern` and that were
    last changed before `older_than` (a time.time()): a killed run's temp files."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if not pattern.fullmatch(name):
            continue
        path = folder / name
        with contextlib.suppress(OSError):
            info = path.lstat()
            if stat.S_ISREG(info.st_mode) and info.st_mtime < older_than:
                path.unlink()
