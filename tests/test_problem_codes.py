"""Every problem carries a stable code from one registry: kebab-case under its tab or
area, one per kind, each used, each documented in docs/problems.md, and printed by
`check --json` and `run --json` so scripts key on it rather than on message words."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from paths import ROOT

from sheetbill.cli import main
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.problem_docs import problems_markdown
from sheetbill.tabs.settings import KEYS, SETTING_CODES
from sheetbill.tabs.validation import validate_book

from helpers import (
    CUSTOMER_HEADERS,
    SETTINGS_ROWS,
    TIME_HEADERS,
    small_book,
    time_row,
    write_xlsx,
)

D = Decimal
AS_OF = date(2026, 11, 3)
PACKAGE = ROOT / "sheetbill"
CODE_SHAPE = re.compile(r"[a-z]+(-[a-z]+)*\.[a-z0-9]+(-[a-z0-9]+)*")


def test_problems_doc_is_the_registry_as_generated():
    """docs/problems.md is made from the registry; a code added or reworded without
    regenerating it fails here."""
    doc = ROOT / "docs" / "problems.md"
    assert doc.read_text(encoding="utf-8") == problems_markdown(), (
        "docs/problems.md is out of date: regenerate it with `make problems`"
    )


def test_problems_doc_lists_every_code_with_its_meaning_and_fix():
    doc = problems_markdown()
    for code in ProblemCode:
        assert f"| `{code.value}` | {code.meaning} | {code.fix} |" in doc


def test_every_code_is_kebab_case_under_its_tab_or_area():
    bad = [c.value for c in ProblemCode if not CODE_SHAPE.fullmatch(c.value)]
    assert bad == []


def test_no_two_kinds_of_problem_share_a_code():
    """An alias (two names, one code) would merge two kinds; `unique` refuses it at
    import, and this says so if that guard is ever dropped."""
    assert len(ProblemCode.__members__) == len({c.value for c in ProblemCode})


def test_every_code_says_what_it_means_and_how_to_fix_it():
    for code in ProblemCode:
        assert code.meaning.endswith(".") and code.fix.endswith("."), code.value
        assert code.meaning != code.fix, code.value


def test_each_area_is_listed_together():
    """The registry keeps a tab's or area's codes next to each other, so the doc has
    one section per area."""
    areas = [c.area for c in ProblemCode]
    sections = [a for i, a in enumerate(areas) if i == 0 or areas[i - 1] != a]
    assert len(sections) == len(set(sections))


def _sources() -> str:
    return "\n".join(
        path.read_text(encoding="utf-8")
        for path in sorted(PACKAGE.rglob("*.py"))
        # The registry and the texts it takes its members from.
        if path.name
        not in ("problem_codes.py", "payment_problems.py", "recurring_problems.py")
    )


def test_every_registered_code_is_used_and_every_used_code_registered():
    """A code in the doc is one sheetbill reports; a name the package refers to is
    in the registry (mypy says so too: `Problem.code` is a ProblemCode)."""
    used = set(re.findall(r"ProblemCode\.([A-Z][A-Z0-9_]*)", _sources()))
    assert used - set(ProblemCode.__members__) == set()
    assert set(ProblemCode.__members__) - used == set()


def test_no_code_is_spelled_as_a_string_in_the_package():
    """Codes are named through the registry, never typed as text ("time-log.no-rate"),
    so a typo cannot make a new code."""
    sources = _sources()
    spelled = [c.value for c in ProblemCode if f'"{c.value}"' in sources]
    assert spelled == []


def test_every_setting_has_a_code_for_its_bad_value():
    assert set(SETTING_CODES) == set(KEYS.values())
    assert len(set(SETTING_CODES.values())) == len(SETTING_CODES)


def test_validation_gives_each_problem_the_code_of_its_kind():
    day = date(2026, 11, 2)
    book = small_book(
        customers=[
            ["C1", "Alpha GmbH", "a@alpha.example", "EUR", D(19)],
            ["C1", "Alpha again", "a@alpha.example", "EUR", D(19)],
            ["C2", "Beta", "b@beta.example", "EURO", D(19)],
        ],
        time_rows=[
            time_row(day, "Ann", "C1", None),  # neither Hours nor Start and End
            time_row(day, "Ann", "C9", D(1)),  # no such customer
            time_row(day, "Ann", "C1", "lots"),  # not a number
            time_row(date(2026, 12, 1), "Ann", "C1", D(1)),  # in the future
            time_row(day, "", "C1", D(1)),  # no Person
            time_row(day, "Ann", "C1", "#N/A"),  # a failed formula
        ],
        rates=[[None, None, None, None, D(100), "hour", None]],
        settings=[*SETTINGS_ROWS, ["Number Pattern", "INV-{yyyy}"]],
    )
    data = validate_book(book, today=AS_OF, billed={})
    found = {(p.tab, p.row, p.column): p.code for p in data.problems}
    assert found == {
        ("Settings", len(SETTINGS_ROWS) + 2, "Value"): (
            ProblemCode.SETTINGS_BAD_NUMBER_PATTERN
        ),
        ("Customers", 3, "Customer ID"): ProblemCode.CUSTOMERS_DUPLICATE_ID,
        ("Customers", 4, "Currency"): ProblemCode.CUSTOMERS_BAD_CURRENCY,
        ("Time Log", 2, "Hours"): ProblemCode.TIME_LOG_NO_HOURS,
        ("Time Log", 3, "Customer ID"): ProblemCode.ROW_UNKNOWN_CUSTOMER,
        ("Time Log", 4, "Hours"): ProblemCode.CELL_UNREADABLE,
        ("Time Log", 5, "Date"): ProblemCode.ROW_FUTURE_DATE,
        ("Time Log", 6, "Person"): ProblemCode.CELL_EMPTY,
        ("Time Log", 7, "Hours"): ProblemCode.CELL_FORMULA_FAILED,
    }


def test_a_failed_formula_in_a_cell_read_twice_is_one_problem():
    """A Rates row's Currency is read for the Rate's parser and again for the row:
    the second reading adds no second problem. Repeats are told apart by code and
    column, not by message words."""
    rates = [[None, None, None, None, D(100), "hour", "#REF!"]]
    data = validate_book(small_book(rates=rates), today=AS_OF, billed={})
    currency = [p for p in data.problems if p.column == "Currency"]
    assert [(p.tab, p.code) for p in currency] == [
        ("Rates", ProblemCode.CELL_FORMULA_FAILED)
    ]


def _broken_book(tmp_path: Path) -> Path:
    return write_xlsx(
        tmp_path / "shop.xlsx",
        {
            "Settings": [["Key", "Value"], *SETTINGS_ROWS],
            "Customers": [CUSTOMER_HEADERS, ["C1", "Alpha GmbH", None, "EUR", 19]],
            "Time Log": [
                TIME_HEADERS,
                time_row(date(2026, 11, 2), "Ann", "C9", D(1)),
            ],
        },
    )


@pytest.mark.parametrize("command", ["check", "run"])
def test_json_output_gives_every_problem_its_code(tmp_path, capsys, command):
    book = _broken_book(tmp_path)
    capsys.readouterr()
    main([command, str(book), "--json", "--as-of", AS_OF.isoformat()])
    problems = json.loads(capsys.readouterr().out)["exceptions"]
    codes = {p["code"] for p in problems}
    assert ProblemCode.ROW_UNKNOWN_CUSTOMER.value in codes
    assert codes <= {c.value for c in ProblemCode}
    (unknown,) = [p for p in problems if p["column"] == "Customer ID"]
    assert unknown["code"] == "row.unknown-customer"
