"""`make demo`: the demo shop's last three months, played day by day into a folder
(default demo-out/); the story is `sheetbill.usecases.demo_cycle`."""

from __future__ import annotations

import sys
from pathlib import Path

from sheetbill import wiring
from sheetbill.errors import SheetbillError
from sheetbill.usecases.demo_cycle import closing_lines, play


def main() -> int:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "demo-out")
    try:
        play(folder, mailer=wiring.mailer)
    except SheetbillError as exc:
        print(f"sheetbill: {exc}", file=sys.stderr)
        return exc.exit_code
    print()
    for line in closing_lines(folder):
        print(line)
    return 0


# Guarded: the PDF workers' start method imports this file again.
if __name__ == "__main__":
    raise SystemExit(main())
