"""The CLI on a Google Sheet: `init --google` and `run gsheets://<id>` on the server."""

from __future__ import annotations

from test_google_backend import billing_tabs

from sheetbill.cli import main


def write_config(tmp_path, server, source=""):
    path = tmp_path / "sheetbill.toml"
    path.write_text(
        f'source = "{source}"\nsheets_api_url = "{server.url}"\n'
        "google_max_attempts = 2\n"
    )
    return path


def test_init_google_adds_missing_tabs_and_columns_only(
    sheets_server, tmp_path, capsys
):
    sheet_id = sheets_server.create_spreadsheet(
        "Shop", {"Customers": [["Customer ID", "Name", "My Notes"]], "Mine": [["keep"]]}
    )
    config = write_config(tmp_path, sheets_server)
    assert main(["init", "--google", sheet_id, "--config", str(config)]) == 0
    book = sheets_server.book(sheet_id)
    titles = [s.title for s in book.sheets]
    assert titles[:2] == ["Customers", "Mine"] and "Invoices" in titles
    assert sheets_server.values(sheet_id, "Mine") == [["keep"]]
    headers = sheets_server.values(sheet_id, "Customers")[0]
    assert headers[:4] == ["Customer ID", "Name", "My Notes", "Email"]
    assert "Added to Google Sheet 'Shop'" in capsys.readouterr().out
    assert main(["init", "--google", sheet_id, "--config", str(config)]) == 0
    assert "already has every sheetbill tab" in capsys.readouterr().out


def test_run_bills_a_google_sheet_named_in_the_config(sheets_server, tmp_path, capsys):
    sheet_id = sheets_server.create_spreadsheet("Shop", billing_tabs(2))
    config = write_config(tmp_path, sheets_server, f"gsheets://{sheet_id}")
    code = main(["run", "--config", str(config), "--as-of", "2026-11-02", "--json"])
    assert code in (0, 1), capsys.readouterr()
    invoices = sheets_server.values(sheet_id, "Invoices")
    assert [row[0] for row in invoices[1:]] == ["INV-2026-0001", "INV-2026-0002"]
    assert (tmp_path / f"gsheets-{sheet_id}.sheetbill.sqlite").exists()


def test_run_reports_an_unreachable_sheet_in_one_line(sheets_server, tmp_path, capsys):
    config = write_config(tmp_path, sheets_server, "gsheets://1NoSuchSheetAtAll0000")
    assert main(["check", "--config", str(config), "--as-of", "2026-11-02"]) == 2
    err = capsys.readouterr().err
    assert "no such Google Sheet" in err and len(err.strip().splitlines()) == 1
