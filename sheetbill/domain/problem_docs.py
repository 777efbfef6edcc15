"""docs/problems.md made from the problem-code registry (`make problems`)."""

from __future__ import annotations

from sheetbill.domain.problem_codes import ProblemCode


def problems_markdown() -> str:
    """docs/problems.md: every code by area, with its meaning and fix."""
    lines = [
        "# Problem codes",
        "",
        "Every problem `sheetbill check --json` and `sheetbill run --json` report "
        "carries",
        'one of these codes (`"code"`), stable across releases; the Exceptions tab '
        "shows",
        "the message and the fix for the cell. Generated from",
        "`sheetbill/domain/problem_codes.py` by `make problems`: do not edit by hand.",
    ]
    area = ""
    for code in ProblemCode:
        if code.area != area:
            area = code.area
            lines += ["", f"## {area}", "", "| Code | Meaning | Fix |", "|---|---|---|"]
        cells = (f"`{code.value}`", code.meaning, code.fix)
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"
