"""A message that asks for a cell of a column the tab does not have says how to get
the column: `sheetbill init` adds it, or, when a header there only looks like it, the
problem on the header row says what to rename."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from sheetbill.cli import main
from sheetbill.config import Config
from sheetbill.domain.schema import CUSTOMERS, ORDERS, TIME_LOG, Owner
from sheetbill.tabs.validation import validate_book
from sheetbill.testing import MemoryWorkbook
from sheetbill.usecases.check import check_workbook
from sheetbill.usecases.init import plan_init

from helpers import SETTINGS_ROWS, snapshot, write_xlsx

D = Decimal
HUMAN = Owner.HUMAN
AS_OF = date(2026, 11, 3)
INIT = "run 'sheetbill init' on the workbook to add"
NO_NOTE = ["Customer ID", "Name", "Tax Rate"]
WITHOUT_DEFAULT = [r for r in SETTINGS_ROWS if r[0] != "Default Tax Rate"]


def check_json(book: Path, capsys) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    capsys.readouterr()
    main(["check", str(book), "--json", "--as-of", AS_OF.isoformat()])
    return json.loads(capsys.readouterr().out)["exceptions"]


def test_a_zero_rate_customer_without_an_invoice_note_column_is_told_init_adds_it(
    tmp_path, capsys
):
    """The trial: "Fill in Invoice Note…" for a workbook with no such column. Since
    VAT categories, a 0 % customer's reason is a Tax Category or an Invoice Note, and
    the problem is on Tax Category: the tab has neither column."""
    book = write_xlsx(
        tmp_path / "shop.xlsx",
        {
            "Settings": [["Key", "Value"], *SETTINGS_ROWS],
            "Customers": [NO_NOTE, ["C1", "Alpha Ltd", 0]],
        },
    )
    [problem] = check_json(book, capsys)
    assert (problem["tab"], problem["row"], problem["column"]) == (
        "Customers",
        2,
        "Tax Category",
    )
    assert str(problem["fix"]).startswith("Choose the Tax Category")
    assert "Invoice Note" in str(problem["fix"])
    assert str(problem["fix"]).endswith(
        "The Customers tab has no 'Tax Category' or 'Invoice Note' column: run "
        "'sheetbill init' on the workbook to add them."
    )
    assert main(["init", str(book)]) == 0
    [problem] = check_json(book, capsys)
    assert "tab has no" not in str(problem["fix"])  # the column is there now


def test_a_header_that_only_looks_like_the_column_points_at_the_header_row(
    tmp_path, capsys
):
    """`init` would add a second column: the fix is renaming the header. (The tab
    has a Tax Category column, left empty, so Invoice Note is the only one absent.)"""
    book = write_xlsx(
        tmp_path / "shop.xlsx",
        {
            "Settings": [["Key", "Value"], *SETTINGS_ROWS],
            "Customers": [
                [*NO_NOTE, "Tax Category", "Invoice Nte"],
                ["C1", "Alpha Ltd", 0, None, "Export"],
            ],
        },
    )
    found = check_json(book, capsys)
    [header] = [p for p in found if p["row"] == 1]
    assert (header["column"], header["value"]) == ("Invoice Note", "Invoice Nte")
    [cell] = [p for p in found if p["row"] == 2]
    assert "see the problem on its header row (1) first" in str(cell["fix"])
    assert "sheetbill init" not in str(cell["fix"])


def _optional(schema) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.name for c in schema.columns if not c.required]


def _named_columns(text: str, columns: list[str]) -> set[str]:
    return {c for c in columns if re.search(rf"(?<!\w){re.escape(c)}(?!\w)", text)}


@settings(max_examples=40, deadline=None)
@given(
    dropped=st.frozensets(
        st.sampled_from(
            [
                *(("Customers", c) for c in _optional(CUSTOMERS)),
                *(("Time Log", c) for c in _optional(TIME_LOG)),
                *(("Orders", c) for c in _optional(ORDERS)),
            ]
        )
    )
)
def test_every_fix_naming_an_absent_column_says_how_to_get_it(dropped):
    """Problems that name a column (0 % without an Invoice Note, no Tax Rate from
    anywhere, Hours or Start and End empty, Unit Price empty...) on workbooks lacking
    any set of optional columns; after `init`, none says a column is missing."""
    day = date(2026, 11, 2)
    tabs = {
        "Customers": {
            "Customer ID": ["C1", "C2", "C3"],
            "Name": ["Alpha", "Beta", "Gamma"],
            "Tax Rate": [D(0), None, D(19)],
            "Email": ["a@alpha.example", "b@beta.example", "not an address"],
        },
        "Time Log": {
            "Date": [day, day, day],
            "Person": ["Ann", "Ann", "Bob"],
            "Customer ID": ["C1", "C2", "C3"],
            "Hours": [D(1), D(2), None],
            "Billable": ["yes", "yes", "yes"],
            "Approved": ["yes", "yes", "yes"],
        },
        "Orders": {
            "Date": [day, day],
            "Customer ID": ["C3", "C2"],
            "Item": ["Box", "Crate"],
            "Quantity": [D(1), D(2)],
            "Unit Price": [None, D(5)],
        },
    }
    tables = {
        "Settings": (["Key", "Value"], WITHOUT_DEFAULT),
        "Rates": (["Rate", "Unit"], [[D(100), "hour"]]),
    }
    absent: dict[str, set[str]] = {}
    for tab, columns in tabs.items():
        kept = {c: v for c, v in columns.items() if (tab, c) not in dropped}
        rows = [list(values) for values in zip(*kept.values(), strict=True)]
        tables[tab] = (list(kept), rows)
        schema = {"Customers": CUSTOMERS, "Time Log": TIME_LOG, "Orders": ORDERS}[tab]
        absent[tab] = {c.name for c in schema.columns if c.owner is HUMAN} - set(kept)
    book = snapshot(tables)
    config = Config(documents=False)
    checked = check_workbook(MemoryWorkbook(book), config, as_of=AS_OF, state_path=None)
    for problem in checked.problems:
        if problem.row == 1 or problem.tab not in tabs:
            continue
        missing = absent[problem.tab]
        named = _named_columns(problem.fix, sorted(missing))
        if problem.column in missing:
            named.add(problem.column)
        for column in named:
            assert f"'{column}'" in problem.fix and INIT in problem.fix, problem
    workbook = MemoryWorkbook(book)
    changes, _ = plan_init(book)
    workbook.apply(changes, expected_version=book.version)
    again = check_workbook(workbook, config, as_of=AS_OF, state_path=None)
    assert not [p for p in again.problems if "column: " in p.fix]


@settings(max_examples=60, deadline=None)
@given(
    own=st.one_of(st.text(max_size=20), st.decimals(allow_nan=False, places=2)),
    header=st.sampled_from(["My Notes", "Invoice Nte", ""]),
)
def test_a_users_own_column_is_never_read_as_a_column_the_tab_lacks(own, header):
    """A column of the user's own (or one without a header) right of the known ones
    was read as every column the tab lacks: "Currency is not an ISO code" for a
    note, a Tax Rate of 19 from a number beside the name."""
    book = snapshot(
        {
            "Settings": (["Key", "Value"], SETTINGS_ROWS),
            "Customers": (["Customer ID", "Name", header], [["C1", "Alpha", own]]),
        }
    )
    data = validate_book(book, today=AS_OF, billed={})
    assert [p for p in data.problems if p.row == 2] == []
    customer = data.customers["C1"]
    assert (customer.currency, customer.email, customer.tax_rate) == ("EUR", "", None)
    assert (customer.invoice_note, customer.tax_mode, customer.is_active) == (
        "",
        None,
        True,
    )
