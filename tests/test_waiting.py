"""Nothing skipped in silence: every row a run leaves waiting is counted, with why.

The CLI is run as a user runs it (`check`/`run`, text and `--json`) on real .xlsx
files; the property test proves that every un-invoiced row is either billed or counted
exactly once, whatever its cells say.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from paths import SHARED

from sheetbill.cli import main
from sheetbill.domain.waiting import WaitReason
from sheetbill.tabs.validation import validate_book

from helpers import SETTINGS_ROWS, TIME_HEADERS, small_book, time_row, write_xlsx

D = Decimal
AS_OF = date(2026, 11, 3)


def shop(path: Path) -> Path:
    """One row of each kind a run leaves waiting, and one it bills."""
    day = date(2026, 11, 2)
    return write_xlsx(
        path,
        {
            "Settings": [["Key", "Value"], *SETTINGS_ROWS],
            "Customers": [
                ["Customer ID", "Name", "Email", "Status"],
                ["C1", "Alpha GmbH", "a@alpha.example", "active"],
                ["C2", "Old Partner Ltd", "o@old.example", "inactive"],
            ],
            "Rates": [["Rate", "Unit"], [100, "hour"]],
            "Time Log": [
                TIME_HEADERS,
                time_row(day, "Ann", "C1", 2),  # billed
                time_row(day, "Ann", "C1", 1, approved="no"),  # row 3
                time_row(day, "Ann", "C1", 1, billable="no"),  # row 4
                time_row(date(2026, 11, 20), "Ann", "C1", 1),  # row 5
                time_row(day, "Ann", "C2", 1),  # row 6
                time_row(day, "Ann", "C1", -1),  # row 7
                time_row(day, "Ann", "C1", 1, approved=""),  # row 8
            ],
            "Orders": [
                ["Date", "Customer ID", "Item", "Quantity", "Unit Price"],
                [date(2026, 12, 1), "C1", "Licence", 1, 50],  # row 2
            ],
        },
    )


def test_run_json_counts_rows_left_waiting_per_tab_and_reason(tmp_path, capsys):
    book = shop(tmp_path / "shop.xlsx")
    assert main(["run", str(book), "--as-of", AS_OF.isoformat(), "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert len(result["invoices"]) == 1
    assert result["waiting"] == [
        {"tab": "Time Log", "reason": "not billable", "count": 1, "rows": [4]},
        {"tab": "Time Log", "reason": "not approved", "count": 2, "rows": [3, 8]},
        {"tab": "Time Log", "reason": "customer inactive", "count": 1, "rows": [6]},
        {"tab": "Time Log", "reason": "dated in the future", "count": 1, "rows": [5]},
        {"tab": "Time Log", "reason": "held by an exception", "count": 1, "rows": [7]},
        {"tab": "Orders", "reason": "dated in the future", "count": 1, "rows": [2]},
    ]


def test_run_summary_says_in_plain_words_which_rows_wait_and_why(tmp_path, capsys):
    book = shop(tmp_path / "shop.xlsx")
    main(["run", str(book), "--as-of", AS_OF.isoformat()])
    out = capsys.readouterr().out
    assert "7 rows left waiting, not billed:" in out
    assert (
        "Time Log: 1 not billable (row 4), 2 not approved (rows 3, 8), "
        "1 customer inactive (row 6), 1 dated after 2026-11-03 (row 5), "
        "1 held by an exception (row 7)"
    ) in out
    assert "Orders: 1 dated after 2026-11-03 (row 2)" in out


def test_check_names_the_not_approved_row_of_the_messages_case(tmp_path, capsys):
    """Case messages/no-rate.xlsx: row 3 is not approved and was skipped silently."""
    book = tmp_path / "no-rate.xlsx"
    shutil.copyfile(SHARED / "cases" / "messages" / "no-rate.xlsx", book)
    main(["check", str(book), "--as-of", "2026-11-29", "--json"])
    waiting = json.loads(capsys.readouterr().out)["waiting"]
    assert {"tab": "Time Log", "reason": "not approved", "count": 1, "rows": [3]} in (
        waiting
    )
    main(["check", str(book), "--as-of", "2026-11-29"])
    assert "Time Log: 1 not approved (row 3)" in capsys.readouterr().out


def test_rows_of_stopped_invoicing_are_counted_as_held_until_settings_are_fixed(
    tmp_path, capsys
):
    settings_rows = [r for r in SETTINGS_ROWS if r[0] != "Default Tax Rate"]
    book = write_xlsx(
        tmp_path / "shop.xlsx",
        {
            "Settings": [["Key", "Value"], *settings_rows, ["Default Tax Rate", None]],
            "Customers": [["Customer ID", "Name"], ["C1", "Alpha GmbH"]],
            "Rates": [["Rate"], [100]],
            "Time Log": [TIME_HEADERS, time_row(date(2026, 11, 2), "Ann", "C1", 2)],
        },
    )
    assert main(["run", str(book), "--as-of", AS_OF.isoformat(), "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["invoices"] == []
    assert result["waiting"] == [
        {
            "tab": "Time Log",
            "reason": "held until the Settings are fixed",
            "count": 1,
            "rows": [2],
        }
    ]


YES_NO_CELLS = st.sampled_from(["yes", "no", "", "maybe", None])
HOURS = st.sampled_from([D(1), D("2.5"), D(-1), D(0), None, "x"])
CUSTOMER_IDS = st.sampled_from(["C1", "C2", "C9", ""])


@st.composite
def time_rows(draw: st.DrawFn) -> list[Any]:
    day = AS_OF + timedelta(days=draw(st.integers(-40, 5)))
    row = time_row(
        day,
        draw(st.sampled_from(["Ann", ""])),
        draw(CUSTOMER_IDS),
        draw(HOURS),
        billable=draw(YES_NO_CELLS),
        approved=draw(YES_NO_CELLS),
    )
    if draw(st.booleans()):
        row[-2] = "INV-2026-0001"  # typed by a person: billed elsewhere
    return row


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(time_rows(), min_size=1, max_size=10))
def test_every_uninvoiced_row_is_billed_or_counted_waiting_exactly_once(rows):
    customers = [
        ["C1", "Alpha GmbH", "a@alpha.example", "EUR", None],
        ["C2", "Beta Inc", "b@beta.example", "EUR", D(19)],
    ]
    book = small_book(time_rows=rows, customers=customers)
    data = validate_book(book, today=AS_OF, billed={})
    table = book.tables["Time Log"]
    invoice_no = TIME_HEADERS.index("Invoice No")
    uninvoiced = {
        r.number
        for r in table.rows
        if r.cells[invoice_no] in (None, "")
        and any(c not in (None, "") for c in r.cells)
    }
    billed = [e.source.row for e in data.time_entries]
    counted = [row for group in data.waiting for row in group.rows]
    assert sum(g.count for g in data.waiting) == len(counted)  # under ROWS_NAMED
    assert sorted(billed + counted) == sorted(uninvoiced)
    for group in data.waiting:
        assert group.reason is not WaitReason.INVOICING_STOPPED
