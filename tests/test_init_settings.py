"""`sheetbill init` on an existing workbook adds the Settings rows a message may ask
for (Company Name, Company Street, Company Postcode, Company City, Company Country,
Company Tax ID, IBAN, Default Tax Rate), below the user's rows, with no Value; it never
moves or changes the user's rows. An old "Company Address" row is read as Company
Street, so no Company Street row is added beside it."""

from __future__ import annotations

import json
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from readback import calamine_rows, zip_parts

from sheetbill.cli import main
from sheetbill.testing import MemoryWorkbook
from sheetbill.usecases.init import SETTINGS_ROWS_ADDED, plan_init

from helpers import snapshot, write_xlsx

D = Decimal
USER_ROWS = [
    ["Company Name", "Mine Ltd"],
    ["Locale", "en_GB"],
    ["Company Address", "1 Main St, Springfield"],
    ["IBAN", "DE89 3704 0044 0532 0130 00"],
    ["Default Tax Rate", D(19)],
    ["Company Tax ID", "DE123456789"],
    ["Timezone", "Europe/Dublin"],
]


@settings(max_examples=80, deadline=None)
@given(
    rows=st.lists(st.sampled_from(USER_ROWS), unique_by=lambda r: r[0], max_size=7),
    help_column=st.booleans(),
    blank_rows=st.integers(0, 2),
)
def test_init_adds_each_missing_row_once_below_the_users_rows(
    rows, help_column, blank_rows
):
    headers = ["Key", "Value", *(["Help"] if help_column else [])]
    typed = [*rows, *[[None, None]] * blank_rows]
    before = snapshot({"Settings": (headers, typed)})
    changes, result = plan_init(before)
    workbook = MemoryWorkbook(before)
    workbook.apply(changes, expected_version=before.version)
    after = workbook.read().tables["Settings"]
    kept = [list(r.cells[:2]) for r in after.rows[: len(rows)]]
    assert kept == [list(r) for r in rows]  # the user's rows, where they were
    new_rows = after.rows[len(rows) :]
    added = [r.get(0) for r in new_rows]
    # An old Company Address row is the Company Street row (read as it).
    have = {"Company Street" if r[0] == "Company Address" else r[0] for r in rows}
    assert added == [k for k in SETTINGS_ROWS_ADDED if k not in have]
    assert list(result.settings_added) == added
    assert all(r.get(1) is None for r in new_rows)
    # Below the last row used (a blank row typed in included), one after the other.
    first = before.tables["Settings"].last_row + 1
    assert [r.number for r in new_rows] == list(range(first, first + len(added)))
    again, second = plan_init(workbook.read())
    assert second.settings_added == () and "Settings" not in again.writes


def test_init_completes_an_old_settings_tab_and_check_then_asks_to_fill_in(
    tmp_path, capsys
):
    book = write_xlsx(
        tmp_path / "old.xlsx",
        {
            "Settings": [
                ["Key", "Value"],
                ["Company", "Mine Ltd"],
                ["Locale", "en_GB"],
            ],
            "Customers": [["Customer ID", "Name"], ["C1", "Alpha"]],
            "Notes": [["anything"]],
        },
    )
    before = zip_parts(book)
    assert main(["init", str(book), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["settings_added"] == [
        "Company Street",
        "Company Postcode",
        "Company City",
        "Company Country",
        "Company Tax ID",
        "IBAN",
        "Default Tax Rate",
    ]
    rows = calamine_rows(book, "Settings")
    assert rows[0] == ["Key", "Value", "Help"]
    assert [r[:2] for r in rows[1:3]] == [["Company", "Mine Ltd"], ["Locale", "en_GB"]]
    assert [r[:2] for r in rows[3:]] == [
        ["Company Street", ""],
        ["Company Postcode", ""],
        ["Company City", ""],
        ["Company Country", ""],
        ["Company Tax ID", ""],
        ["IBAN", ""],
        ["Default Tax Rate", ""],
    ]
    assert rows[9][2].startswith("percent")  # the Help of Default Tax Rate
    notes = "xl/worksheets/sheet3.xml"
    assert zip_parts(book)[notes] == before[notes]

    assert main(["check", str(book), "--json", "--as-of", "2026-11-03"]) == 1
    found = json.loads(capsys.readouterr().out)["exceptions"]
    on_settings = {p["row"]: p for p in found if p["tab"] == "Settings"}
    assert {4, 9, 10} <= set(on_settings)  # Company Street, IBAN, Default Tax Rate
    for row in (4, 9, 10):
        assert on_settings[row]["fix"].startswith("Fill in its Value")
    assert main(["init", str(book)]) == 0
    assert "already has every sheetbill tab and column" in capsys.readouterr().out


def test_init_google_adds_the_missing_settings_rows_too(
    sheets_server, tmp_path, capsys
):
    sheet_id = sheets_server.create_spreadsheet(
        "Shop", {"Settings": [["Key", "Value"], ["Company Name", "Mine Ltd"]]}
    )
    config = tmp_path / "sheetbill.toml"
    config.write_text(f'sheets_api_url = "{sheets_server.url}"\n')
    assert main(["init", "--google", sheet_id, "--config", str(config)]) == 0
    assert "for you to fill in: Company Street" in capsys.readouterr().out
    rows = sheets_server.values(sheet_id, "Settings")
    assert [r[0] for r in rows] == [
        "Key",
        "Company Name",
        "Company Street",
        "Company Postcode",
        "Company City",
        "Company Country",
        "Company Tax ID",
        "IBAN",
        "Default Tax Rate",
    ]
    assert rows[1][:2] == ["Company Name", "Mine Ltd"]
