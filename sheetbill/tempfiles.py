"""Temp files a killed run left behind: found by sheetbill's own name patterns only."""

from __future__ import annotations

import contextlib
import os
import re
import stat
from pathlib import Path

# A temp file is left over only if it is this much older than the run: another
# process may be writing its own in the same folder right now (for milliseconds).
MARGIN_SECONDS = 60.0


def remove_stale_files(
    folder: Path, pattern: re.Pattern[str], *, older_than: float
) -> None:
    """Delete files in `folder` whose whole name matches `pattern` and that were
    last changed a margin before `older_than` (the run's start, a time.time()): the
    temp files of a killed run. Nothing else is touched; failures are ignored."""
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
            if (
                stat.S_ISREG(info.st_mode)
                and info.st_mtime < older_than - MARGIN_SECONDS
            ):
                path.unlink()
