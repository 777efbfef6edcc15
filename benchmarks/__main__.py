"""`make bench`: runs every benchmark and prints one table (not part of `make test`)."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = (
    "bench_excel",
    "bench_google",
    "bench_pdf",
    "bench_mail",
    "bench_reminders",
    "bench_payments",
    "bench_recurring",
)


def main() -> int:
    rows: list[tuple[str, ...]] = []
    for name in BENCHMARKS:
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"running {name} ...", file=sys.stderr, flush=True)
        rows.extend(module.main())
    header = ("measure", "sheetbill", "baseline", "ratio / verdict")
    widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(4)]
    line = (
        "| "
        + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
        + " |"
    )
    print(line)
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        cells = (str(c).ljust(w) for c, w in zip(row, widths, strict=True))
        print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
