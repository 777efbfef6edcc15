"""The size rules of issue 13: a use case or a planning decision reads in one screen
(no function over 60 lines in usecases/ or planning/), and no module of the package
grows past 800 lines (split before then)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "sheetbill"
MAX_FUNCTION_LINES = 60
MAX_MODULE_LINES = 800


def long_functions(source: str, limit: int) -> list[tuple[str, int]]:
    """(name, lines) of each function or method longer than `limit` lines, counted
    from its first decorator to its last line (nested functions count within theirs
    and on their own)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            assert node.end_lineno is not None
            lines = node.end_lineno - first + 1
            if lines > limit:
                found.append((node.name, lines))
    return found


def test_long_functions_finds_a_function_over_the_limit_and_only_it():
    short = "def short():\n" + "    x = 1\n" * 3
    long = "@decorated\ndef long():\n" + "    x = 1\n" * 5
    assert long_functions(short + long, 5) == [("long", 7)]


def test_no_function_over_60_lines_in_usecases_or_planning():
    too_long = [
        f"{path.relative_to(PACKAGE.parent)}: {name} has {lines} lines"
        for folder in ("usecases", "planning")
        for path in sorted((PACKAGE / folder).rglob("*.py"))
        for name, lines in long_functions(path.read_text(), MAX_FUNCTION_LINES)
    ]
    assert not too_long, too_long


def test_no_module_over_800_lines():
    too_long = [
        f"{path.relative_to(PACKAGE.parent)}: {lines} lines"
        for path in sorted(PACKAGE.rglob("*.py"))
        if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    ]
    assert not too_long, too_long
