"""Invoice PDFs uploaded to a Drive folder (`pdf_drive_folder`), end to end.

The demo book on the local server; requests are counted at the server.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import requests
from test_end_to_end import AS_OF, Book, google_book

from sheetbill.config import Config, load_config
from sheetbill.errors import ConfigError
from sheetbill.wiring import google_sheet
from sheetbill.workbook.google import connection
from sheetbill.workbook.google.client import DRIVE_FILE_SCOPE, SPREADSHEETS_SCOPE
from tests.sheets_server import SheetsServer

UPLOADS = ("drive.upload.create", "drive.upload.update")


def drive_book(tmp_path: Path, server: SheetsServer, folder: str) -> Book:
    book = google_book(tmp_path, server)
    with book.config.open("a") as config:
        config.write(f'pdf_drive_folder = "{folder}"\n')
    return book


def run(book: Book, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    book.run("run", "--as-of", AS_OF, "--json")
    result: dict[str, Any] = json.loads(capsys.readouterr().out)
    return result


def uploads(server: SheetsServer) -> int:
    return sum(server.count(endpoint) for endpoint in UPLOADS)


def test_drive_upload_links_every_invoice_to_its_file_and_uploads_it_once(
    tmp_path, sheets_server, capsys
):
    folder = sheets_server.drive.create_folder()
    book = drive_book(tmp_path, sheets_server, folder)
    first = run(book, capsys)
    invoices = book.records("Invoices")
    files = {f.name: f for f in sheets_server.drive.in_folder(folder)}
    assert first["pdfs_rendered"] == len(invoices) == len(files)
    assert sheets_server.count("drive.upload.create") == len(invoices)
    local = book.state.parent / "invoices"
    for invoice in invoices:
        stored = files[f"{invoice['Invoice No']}.pdf"]
        assert invoice["PDF"] == stored.web_view_link
        assert stored.mime_type == "application/pdf"
        assert stored.content == (local / stored.name).read_bytes()

    sheets_server.reset_log()
    again = run(book, capsys)
    assert again["pdfs_rendered"] == 0 and uploads(sheets_server) == 0
    assert again["changes"]["cell_counts"] == {}

    (local / "INV-2026-0003.pdf").unlink()
    sheets_server.reset_log()
    remade = run(book, capsys)
    assert remade["pdfs_rendered"] == 1 and (local / "INV-2026-0003.pdf").is_file()
    assert uploads(sheets_server) == 0, "same content hash: the Drive file is kept"
    assert len(sheets_server.drive.in_folder(folder)) == len(invoices)


def test_drive_upload_of_changed_content_updates_the_same_file(
    tmp_path, sheets_server, capsys
):
    folder = sheets_server.drive.create_folder()
    book = drive_book(tmp_path, sheets_server, folder)
    run(book, capsys)
    link = book.records("Invoices")[0]["PDF"]
    with sqlite3.connect(book.state) as db:  # as if the PDF had been made anew
        db.execute(
            "UPDATE journal SET details = json_set(details, '$.content_hash', 'old') "
            "WHERE kind = 'pdf.upload' AND key = ?",
            ("INV-2026-0001",),
        )
    sheets_server.reset_log()
    run(book, capsys)
    assert sheets_server.count("drive.upload.update") == 1
    assert sheets_server.count("drive.upload.create") == 0
    assert book.records("Invoices")[0]["PDF"] == link


def test_drive_upload_retries_a_503_then_goes_on(tmp_path, sheets_server, capsys):
    folder = sheets_server.drive.create_folder()
    book = drive_book(tmp_path, sheets_server, folder)
    sheets_server.inject(503, endpoint="drive.upload.create", retry_after="0")
    run(book, capsys)
    invoices = book.records("Invoices")
    assert sheets_server.count("drive.upload.create") == len(invoices) + 1
    assert all(i["PDF"].startswith("https://drive.google.com/") for i in invoices)


def test_drive_upload_failure_is_an_exception_row_and_the_next_run_completes_it(
    tmp_path, sheets_server, capsys
):
    folder = sheets_server.drive.create_folder()
    book = drive_book(tmp_path, sheets_server, folder)
    # google_max_attempts = 2 in the config: both attempts at the first PDF fail.
    sheets_server.inject(503, endpoint="drive.upload.create", times=2, retry_after="0")
    run(book, capsys)
    first = book.records("Invoices")[0]
    assert first["Invoice No"] == "INV-2026-0001" and first["PDF"] is None
    problems = [r for r in book.records("Exceptions") if r["Value"] == "INV-2026-0001"]
    assert len(problems) == 1
    assert "could not be uploaded to Drive" in problems[0]["Problem"]
    assert "503" in problems[0]["Problem"]
    assert (
        len(sheets_server.drive.in_folder(folder)) == len(book.records("Invoices")) - 1
    )

    sheets_server.reset_log()
    run(book, capsys)
    assert sheets_server.count("drive.upload.create") == 1
    assert book.records("Invoices")[0]["PDF"].startswith("https://drive.google.com/")
    again = [r for r in book.records("Exceptions") if r["Value"] == "INV-2026-0001"]
    assert again[0]["Closed"] is not None


def test_drive_upload_to_an_unknown_folder_writes_invoices_with_blank_pdf_cells(
    tmp_path, sheets_server, capsys
):
    book = drive_book(tmp_path, sheets_server, "no-such-folder-0123")
    code = book.run("run", "--as-of", AS_OF)
    out = capsys.readouterr().out
    assert code == 1, out
    invoices = book.records("Invoices")
    assert invoices and all(i["PDF"] is None for i in invoices)
    problems = " ".join(str(r["Problem"]) for r in book.records("Exceptions"))
    assert "no folder 'no-such-folder-0123'" in problems


def test_google_scopes_ask_for_drive_file_only_when_pdfs_go_to_drive(
    monkeypatch, tmp_path
):
    asked: list[tuple[str, ...]] = []

    def credentials(**options: Any) -> None:
        asked.append(options["scopes"])

    monkeypatch.setattr(connection, "load_credentials", credentials)
    key = tmp_path / "sa.json"
    google_sheet("sheet", Config(google_service_account=key))
    google_sheet(
        "sheet", Config(google_service_account=key, pdf_drive_folder="folder-0123456")
    )
    assert asked == [
        (SPREADSHEETS_SCOPE,),
        (SPREADSHEETS_SCOPE, DRIVE_FILE_SCOPE),
    ]


def test_config_pdf_drive_folder_takes_an_id_or_a_folder_url(tmp_path):
    path = tmp_path / "sheetbill.toml"
    url = "https://drive.google.com/drive/folders/1AbC_dEf-123456789?usp=sharing"
    path.write_text(f'pdf_drive_folder = "{url}"\n')
    assert load_config(path).pdf_drive_folder == "1AbC_dEf-123456789"
    path.write_text('pdf_drive_folder = "not a folder!"\n')
    with pytest.raises(ConfigError, match="'pdf_drive_folder'"):
        load_config(path)


def test_drive_folder_on_an_excel_workbook_is_a_config_error(demo_book, capsys):
    config = demo_book.with_name("sheetbill.toml")
    config.write_text('pdf_drive_folder = "folder-0123456"\n')
    from sheetbill.cli import main

    code = main(["run", str(demo_book), "--as-of", AS_OF, "--config", str(config)])
    assert code == 2
    assert "'pdf_drive_folder'" in capsys.readouterr().err


def test_server_upload_answers_like_drive(sheets_server):
    """Multipart create into a folder, update of the same id, get with the link."""
    folder = sheets_server.drive.create_folder()
    boundary = "b0undary"
    url = f"{sheets_server.url}/upload/drive/v3/files"

    def body(metadata: dict[str, Any], content: bytes) -> bytes:
        return (
            (
                f"--{boundary}\r\nContent-Type: application/json\r\n\r\n"
                f"{json.dumps(metadata)}\r\n--{boundary}\r\n"
                "Content-Type: application/pdf\r\n\r\n"
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )

    headers = {"Content-Type": f"multipart/related; boundary={boundary}"}
    params = {"uploadType": "multipart", "fields": "id,webViewLink"}
    meta = {"name": "a.pdf", "mimeType": "application/pdf", "parents": [folder]}
    made = requests.post(
        url, params=params, data=body(meta, b"%PDF-1"), headers=headers, timeout=10
    )
    assert made.status_code == 200 and set(made.json()) == {"id", "webViewLink"}
    file_id = made.json()["id"]
    changed = requests.patch(
        f"{url}/{file_id}",
        params=params,
        data=body({"name": "a.pdf"}, b"%PDF-2"),
        headers=headers,
        timeout=10,
    )
    assert changed.json() == made.json()
    assert sheets_server.drive.in_folder(folder)[0].content == b"%PDF-2"
    got = requests.get(
        f"{sheets_server.url}/drive/v3/files/{file_id}",
        params={"fields": "id,name,webViewLink"},
        timeout=10,
    )
    assert got.json() == {**made.json(), "name": "a.pdf"}
    lost = {**meta, "parents": ["unknown-folder-id"]}
    missing = requests.post(
        url, params=params, data=body(lost, b"%PDF"), headers=headers, timeout=10
    )
    assert missing.status_code == 404
    moved = requests.patch(
        f"{url}/{file_id}",
        params=params,
        data=body(meta, b"%PDF"),
        headers=headers,
        timeout=10,
    )
    assert moved.status_code == 403, "parents cannot be set in an update"
