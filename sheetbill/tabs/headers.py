"""The column problems of a tab: known columns it lacks, and the header it has instead.

A header matches a known column exactly or through an alias (`schema.map_columns`). A
header that only looks like one ("Hrs" for Hours, "Quanity" for Quantity) is never read
on a guess: the problem names it and two fixes that work, renaming the header or adding
it as an alias in sheetbill.toml.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from difflib import SequenceMatcher

from sheetbill.domain.model import Problem, Severity
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.schema import Owner, TabSchema, normalize_header
from sheetbill.tabs.rows import TabLayout

# How alike a header and a column name must be to name the header in a message: 1 is
# the same text; one letter typed wrong in a name of four letters or more stays at
# 0.75 or above ("Dste"/"Date" 0.75, "Quanity"/"Quantity" 0.93); "Day"/"Date" is 0.57.
# An abbreviation ("Hrs", "Desc") counts as 0.85.
LIKENESS = 0.75
_ABBREVIATION = 0.85
_CONTAINS_NAME = 0.8


def missing_required(layout: TabLayout) -> list[str]:
    """The columns a tab cannot be read without: its required ones, and on the Time
    Log Hours unless both Start and End stand in for it."""
    columns = layout.columns
    missing = [n for n in columns.missing if layout.schema.column(n).required]
    if layout.schema.name == "Time Log" and not (
        columns.has("Hours") or (columns.has("Start") and columns.has("End"))
    ):
        missing.append("Hours")
    return missing


def column_problems(
    layout: TabLayout, aliases: Mapping[str, Sequence[str]] | None = None
) -> list[Problem]:
    """The tab's missing required columns (errors), its optional columns that are
    missing while a header looks like them (warnings), and duplicated headers.

    `aliases` are the extra header names from sheetbill.toml for this tab.
    """
    schema, tab, header_row = layout.schema, layout.tab, layout.table.header_row
    required = missing_required(layout)
    similar = similar_headers(
        schema, layout.table.headers, layout.columns.positions, aliases or {}
    )
    problems = []
    for name in required:
        found = similar.get(name)
        without = " and no 'Start' and 'End' columns" if name == "Hours" else ""
        instead = f" (found '{found}' instead)" if found else ""
        problems.append(
            Problem(
                code=ProblemCode.HEADERS_MISSING_COLUMN,
                tab=tab,
                row=header_row,
                column=name,
                value=found or "",
                problem=f"The tab has no '{name}' column{without}{instead}, so none "
                "of its rows can be used.",
                fix=_header_fix(schema, name, found),
            )
        )
    # Settings reads Value from the column right of Key when no header says Value.
    optional_checked = not schema.is_output and schema.name != "Settings"
    for name in layout.columns.missing:
        found = similar.get(name)
        if name in required or not found or not optional_checked:
            continue
        problems.append(
            Problem(
                code=ProblemCode.HEADERS_SIMILAR_COLUMN,
                tab=tab,
                row=header_row,
                column=name,
                value=found,
                problem=f"The tab has no '{name}' column (found '{found}' instead), so "
                f"sheetbill reads no {name} from it.",
                fix=_header_fix(schema, name, found),
                severity=Severity.WARNING,
            )
        )
    for name in layout.columns.duplicated:
        problems.append(
            Problem(
                code=ProblemCode.HEADERS_DUPLICATE_COLUMN,
                tab=tab,
                row=header_row,
                column=name,
                value=name,
                problem=f"Two columns are headed '{name}'; sheetbill reads the first "
                "one.",
                fix="Rename or remove the other column.",
                severity=Severity.WARNING,
            )
        )
    return problems


def _header_fix(schema: TabSchema, name: str, found: str | None) -> str:
    if found:
        return (
            f"If the column headed '{found}' holds the {name}, rename its header to "
            f"'{name}', or put the line {alias_line(schema.name, name, found)} at "
            f"the top of {_CONFIG_PLACE}."
        )
    return (
        f"Add a column headed '{name}' (any position). If a column of yours holds "
        f"it under another header, rename that header to '{name}', or put the line "
        f"{alias_line(schema.name, name, 'Your header')} at the top of "
        f"{_CONFIG_PLACE}."
    )


_CONFIG_PLACE = "sheetbill.toml beside the workbook (create the file if there is none)"


def alias_line(tab: str, column: str, header: str) -> str:
    """The one line of TOML that makes `header` an alias of `column` on `tab`."""
    return f"aliases.{_toml_key(tab)}.{_toml_key(column)} = [{json.dumps(header)}]"


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def similar_headers(
    schema: TabSchema,
    headers: Sequence[str],
    positions: Mapping[str, int],
    aliases: Mapping[str, Sequence[str]],
) -> dict[str, str]:
    """For each known column the tab lacks, the header of an unread column that looks
    like its name or one of its aliases (each header named for one column at most,
    the most alike pair first)."""
    read = set(positions.values())
    known = {
        normalize_header(n)
        for c in schema.columns
        for n in (c.name, *c.aliases, *aliases.get(c.name, ()))
    }
    unread = [
        (i, h)
        for i, h in enumerate(headers)
        if h and i not in read and normalize_header(h) not in known
    ]
    pairs = []
    for column in schema.columns:
        if column.name in positions:
            continue
        names = (column.name, *column.aliases, *aliases.get(column.name, ()))
        for index, header in unread:
            score = max(likeness(header, n) for n in names)
            if score >= LIKENESS:
                pairs.append((-score, index, column.name, header))
    found: dict[str, str] = {}
    taken: set[int] = set()
    for _, index, name, header in sorted(pairs):
        if name not in found and index not in taken:
            found[name] = header
            taken.add(index)
    return found


def likeness(header: str, name: str) -> float:
    """How much `header` looks like the column name `name`, from 0 to 1: the share of
    letters in common (a typo), an abbreviation ("Hrs", "Desc", "Cust ID"), or the
    name as a word within the header ("Hours worked", "Rate (EUR)")."""
    h, n = normalize_header(header), normalize_header(name)
    if not h or not n:
        return 0.0
    score = SequenceMatcher(None, h, n).ratio()
    short, full = h.replace(" ", ""), n.replace(" ", "")
    if len(short) >= 3 and short[0] == full[0] and _is_abbreviation(short, full):
        score = max(score, _ABBREVIATION)
    if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", h):
        score = max(score, _CONTAINS_NAME)
    return score


def _is_abbreviation(short: str, full: str) -> bool:
    """`short`'s letters all appear in `full`, in order (hrs in hours)."""
    letters = iter(full)
    return len(short) < len(full) and all(c in letters for c in short)


def with_absent_columns_named(
    problems: Sequence[Problem], layouts: Mapping[str, TabLayout]
) -> list[Problem]:
    """`problems`, each that points at or asks for a column its tab lacks saying how
    to get it: `sheetbill init` adds the column or, when a header there only looks
    like it, the problem on the header row says what to rename.

    Only the columns people fill in on the input tabs: a run adds sheetbill's own.
    Not for the problems on a header row (they are about the columns themselves) nor
    for the Settings tab (its Value is read beside Key, headed or not).
    """
    by_tab = {layout.tab: layout for layout in layouts.values()}
    by_tab.update(layouts)
    on_headers = {(p.tab, p.row, p.column) for p in problems}
    named = []
    for problem in problems:
        layout = by_tab.get(problem.tab)
        if (
            layout is None
            or layout.schema.is_output
            or layout.schema.name == "Settings"
            or problem.row == layout.table.header_row
        ):
            named.append(problem)
            continue
        absent = [
            name
            for name in layout.columns.missing
            if layout.schema.column(name).owner is Owner.HUMAN
            and (
                name == problem.column
                or re.search(rf"(?<!\w){re.escape(name)}(?!\w)", problem.fix)
            )
        ]
        if not absent:
            named.append(problem)
            continue
        row = layout.table.header_row
        renamed = [n for n in absent if (problem.tab, row, n) in on_headers]
        added = [n for n in absent if n not in renamed]
        hints = []
        if added:
            them = "it" if len(added) == 1 else "them"
            hints.append(
                f"The {layout.tab} tab has no {_names(added)} column: run 'sheetbill "
                f"init' on the workbook to add {them}."
            )
        if renamed:
            hints.append(
                f"The {layout.tab} tab has no {_names(renamed)} column: see the "
                f"problem on its header row ({row}) first."
            )
        named.append(replace(problem, fix=" ".join((problem.fix, *hints))))
    return named


def _names(columns: Sequence[str]) -> str:
    quoted = [f"'{c}'" for c in columns]
    return (
        quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
    )
