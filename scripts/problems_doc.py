"""Writes docs/problems.md, the list of problem codes, from the registry in
sheetbill/domain/problem_codes.py (run by `make problems`; a test keeps them equal)."""

from __future__ import annotations

from pathlib import Path

from sheetbill.domain.problem_docs import problems_markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "problems.md"

if __name__ == "__main__":
    DOC.write_text(problems_markdown(), encoding="utf-8")
    print(f"Wrote {DOC}")
