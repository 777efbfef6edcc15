"""PDFs in a run: links, a broken template as an exception, documents switched off."""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import sys

import pytest
from paths import ROOT
from readback import calamine_records

from sheetbill.cli import main
from sheetbill.usecases.publish import pdf_link

AS_OF = "2026-11-02"


def test_pdf_link_is_relative_to_the_workbook_or_uses_the_prefix(tmp_path):
    pdf = tmp_path / "books" / "invoices" / "INV-1.pdf"
    assert pdf_link(pdf, workbook_folder=tmp_path / "books", prefix="") == (
        "invoices/INV-1.pdf"
    )
    assert pdf_link(
        pdf, workbook_folder=tmp_path / "books", prefix="https://files.example/inv/"
    ) == ("https://files.example/inv/INV-1.pdf")


def test_a_broken_template_becomes_an_exception_and_the_pdf_follows_once_fixed(
    demo_book, capsys
):
    templates = demo_book.parent / "my-templates"
    shutil.copytree(ROOT / "sheet_templates" / "invoice", templates)
    good = (templates / "invoice.html").read_text()
    (templates / "invoice.html").write_text("{% if %}\n" + good)
    config = demo_book.parent / "sheetbill.toml"
    config.write_text('templates = "my-templates"\n')
    assert main(["run", str(demo_book), "--as-of", AS_OF]) == 1
    invoices = calamine_records(demo_book, "Invoices")
    assert len(invoices) >= 8 and all(r["PDF"] == "" for r in invoices)
    problems = [
        r for r in calamine_records(demo_book, "Exceptions") if r["Column"] == "PDF"
    ]
    assert problems and "invoice.html" in problems[0]["Problem"]
    (templates / "invoice.html").write_text(good)
    capsys.readouterr()
    assert main(["run", str(demo_book), "--as-of", AS_OF, "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["pdfs_rendered"] == len(invoices)
    invoices = calamine_records(demo_book, "Invoices")
    assert all(r["PDF"].startswith("invoices/") for r in invoices)
    closed = [
        r for r in calamine_records(demo_book, "Exceptions") if r["Column"] == "PDF"
    ]
    assert all(r["Closed"] for r in closed)


def test_documents_off_writes_invoices_without_pdfs(demo_book, capsys):
    (demo_book.parent / "sheetbill.toml").write_text("documents = false\n")
    assert main(["run", str(demo_book), "--as-of", AS_OF]) == 1
    assert not (demo_book.parent / "invoices").exists()
    assert all(r["PDF"] == "" for r in calamine_records(demo_book, "Invoices"))


@pytest.mark.parametrize(
    ("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)]
)
def test_documents_are_as_readable_as_the_users_umask_makes_new_files(
    tmp_path, umask, mode
):
    """A PDF is an ordinary file of its folder: a colleague who may read the folder
    may read the invoices (mkstemp alone would make every one 0600)."""
    script = (
        "import os, sys, pathlib\n"
        "from sheetbill.documents.files import atomic_write\n"
        f"os.umask({umask})\n"
        "atomic_write(pathlib.Path(sys.argv[1]), b'%PDF-1.7')\n"
    )
    target = tmp_path / "INV-2026-0001.pdf"
    subprocess.run([sys.executable, "-c", script, str(target)], check=True)
    assert stat.S_IMODE(target.stat().st_mode) == mode
