"""Documents of one workbook never replace a file that is not its own record.

Two workbooks in one folder, a copy beside the original, a file put there by hand or
a planted link: what is in a document's way is an Exceptions row and is left as it
was; the workbook's own files are still made again when missing.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from old_state import as_before_journal
from paths import ROOT, SHARED
from python_calamine import CalamineWorkbook
from readback import calamine_records

from sheetbill.cli import main
from sheetbill.config import Config, load_config
from sheetbill.documents.files import (
    FOLDER_MARKER,
    ForeignFileError,
    folder_owner,
    pdf_path,
    sha256,
    write_owned,
)
from sheetbill.domain.numbering import is_valid_invoice_number
from sheetbill.errors import ConfigError
from sheetbill.state import StateDB

from helpers import CASE_SETTINGS, add_settings_rows

CASE = SHARED / "cases" / "two-workbooks-one-folder"
AS_OF = "2026-11-29"
NUMBER = "INV-2026-0001"
FOREIGN = b"%PDF-1.4 a file sheetbill did not make\n"


def cli(folder: Path, *args: str) -> int:
    """The real command line in its own process, run inside `folder`."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "sheetbill", *args, "--as-of", AS_OF],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode


def run(book: Path) -> int:
    return main(["run", str(book), "--as-of", AS_OF])


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (links as their target's text) by relative path."""
    found: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[name] = os.readlink(path).encode()
        elif path.is_file():
            found[name] = path.read_bytes()
    return found


def pdf_cells(book: Path) -> dict[str, str]:
    return {r["Invoice No"]: r["PDF"] for r in calamine_records(book, "Invoices")}


def pdf_problems(book: Path) -> list[dict[str, object]]:
    """Open PDF rows of the Exceptions tab (a book without problems has no tab)."""
    if "Exceptions" not in CalamineWorkbook.from_path(str(book)).sheet_names:
        return []
    return [
        r
        for r in calamine_records(book, "Exceptions")
        if r["Column"] == "PDF" and not r["Closed"]
    ]


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """A private copy of the case folder (two workbooks side by side)."""
    target = tmp_path / "shop"
    shutil.copytree(CASE, target)
    for path in target.iterdir():
        path.chmod(0o644)
        _with_default_tax_rate(path)
    return target


def _with_default_tax_rate(book: Path) -> None:
    """The case's workbooks lack an address (no invoice is made without one), an IBAN
    and a Default Tax Rate (an exception each); these tests want runs without any."""
    add_settings_rows(book, [*CASE_SETTINGS[:2], ("Default Tax Rate", Decimal(19))])


@pytest.mark.parametrize("order", [("shop-a", "shop-b"), ("shop-b", "shop-a")])
def test_cli_two_workbooks_in_one_folder_never_touch_each_others_pdfs(shop, order):
    """Whichever runs first keeps the folder; the other gets an exception naming it,
    a blank PDF cell, and its PDF once it has a folder of its own."""
    first, second = (shop / f"{name}.xlsx" for name in order)
    assert cli(shop, "run", first.name) == 0
    made = tree(shop / "invoices")
    assert cli(shop, "run", second.name) == 1
    assert tree(shop / "invoices") == made
    assert pdf_cells(second) == {NUMBER: ""}
    (problem,) = pdf_problems(second)
    assert problem["Value"] == "invoices/"
    assert f"{first.stem}.sheetbill.sqlite" in str(problem["Problem"])
    assert cli(shop, "run", first.name) == 0
    assert tree(shop / "invoices") == made
    assert pdf_cells(first) == {NUMBER: f"invoices/{NUMBER}.pdf"}

    (shop / "sheetbill.toml").write_text('pdf_folder = "invoices/{workbook}"\n')
    assert cli(shop, "run", second.name) == 0
    assert pdf_cells(second) == {NUMBER: f"invoices/{second.stem}/{NUMBER}.pdf"}
    assert not pdf_problems(second)
    assert {k: v for k, v in tree(shop / "invoices").items() if "/" not in k} == made
    assert cli(shop, "run", first.name) == 0
    assert pdf_cells(first) == {NUMBER: f"invoices/{NUMBER}.pdf"}


@pytest.mark.parametrize("with_state", [False, True])
def test_cli_a_copy_beside_the_workbook_never_touches_its_pdfs(shop, with_state):
    """A test copy (with or without a copy of the state file) writes nothing into
    the original's PDF folder, and the original still runs clean afterwards."""
    original = shop / "shop-a.xlsx"
    assert cli(shop, "run", original.name) == 0
    made = tree(shop / "invoices")
    copy = shop / "shop-a copy.xlsx"
    shutil.copyfile(original, copy)
    if with_state:
        shutil.copyfile(
            shop / "shop-a.sheetbill.sqlite", shop / "shop-a copy.sheetbill.sqlite"
        )
    cli(shop, "run", copy.name)
    assert tree(shop / "invoices") == made
    assert cli(shop, "run", original.name) == 0
    assert tree(shop / "invoices") == made


def test_run_new_invoice_leaves_a_foreign_file_at_its_path_and_says_so(shop):
    book = shop / "shop-a.xlsx"
    (shop / "invoices").mkdir()
    (shop / "invoices" / f"{NUMBER}.pdf").write_bytes(FOREIGN)
    assert run(book) == 1
    assert (shop / "invoices" / f"{NUMBER}.pdf").read_bytes() == FOREIGN
    assert pdf_cells(book) == {NUMBER: ""}
    (problem,) = pdf_problems(book)
    assert problem["Value"] == NUMBER
    assert f"invoices/{NUMBER}.pdf" in str(problem["Problem"])
    assert run(book) == 1  # still in the way: still reported, still not replaced
    assert (shop / "invoices" / f"{NUMBER}.pdf").read_bytes() == FOREIGN
    (shop / "invoices" / f"{NUMBER}.pdf").unlink()  # the user moves it away
    assert run(book) == 0
    assert pdf_cells(book) == {NUMBER: f"invoices/{NUMBER}.pdf"}
    assert not pdf_problems(book)


def test_run_missing_pdf_is_made_again_but_not_over_a_file_put_in_its_place(shop):
    book = shop / "shop-a.xlsx"
    assert run(book) == 0
    pdf = shop / "invoices" / f"{NUMBER}.pdf"
    ours = pdf.read_bytes()
    pdf.unlink()
    assert run(book) == 0
    assert pdf.read_bytes() == ours
    pdf.write_bytes(FOREIGN)  # someone else's file where ours was
    pdf.with_name("keep").write_bytes(b"")
    assert run(book) == 1
    assert pdf.read_bytes() == FOREIGN
    assert [p["Value"] for p in pdf_problems(book)] == [NUMBER]


def test_run_never_follows_or_replaces_a_link_at_a_pdf_path(shop, tmp_path):
    book = shop / "shop-a.xlsx"
    victim = tmp_path / "elsewhere" / "victim.pdf"
    victim.parent.mkdir()
    victim.write_bytes(FOREIGN)
    (shop / "invoices").mkdir()
    link = shop / "invoices" / f"{NUMBER}.pdf"
    link.symlink_to(victim)
    assert run(book) == 1
    assert link.is_symlink() and os.readlink(link) == str(victim)
    assert victim.read_bytes() == FOREIGN
    assert sorted(p.name for p in victim.parent.iterdir()) == ["victim.pdf"]
    link.unlink()
    link.symlink_to(tmp_path / "elsewhere" / "new.pdf")  # a dangling link
    assert run(book) == 1
    assert not (tmp_path / "elsewhere" / "new.pdf").exists()


def test_run_with_a_state_from_before_file_hashes_raises_no_exception(shop):
    """Files written before their sha256 was recorded are taken as this state's
    own (once): a missing one is made again, a present one is recorded."""
    book = shop / "shop-a.xlsx"
    assert run(book) == 0
    state = shop / "shop-a.sheetbill.sqlite"
    as_before_journal(state)
    with sqlite3.connect(state) as db:  # as an older sheetbill left it
        from sheetbill.state.migrations import MIGRATIONS

        (version,) = [
            n
            for n, script in enumerate(MIGRATIONS, start=1)
            if "CREATE TABLE document_files" in script
        ]
        db.execute("DROP TABLE document_files")
        db.execute("DELETE FROM schema_migrations WHERE version = ?", (version,))
    (shop / "invoices" / FOLDER_MARKER).unlink()
    assert run(book) == 0
    with StateDB(state) as db:
        recorded = {name: f.sha256 for name, f in db.document_files().items()}
    pdf = shop / "invoices" / f"{NUMBER}.pdf"
    assert recorded == {pdf.name: sha256(pdf.read_bytes())}
    pdf.unlink()
    assert run(book) == 0
    assert pdf.is_file() and not pdf_problems(book)


def test_render_many_replaces_its_own_pdf_after_a_template_change_never_another(
    tmp_path,
):
    """A re-render (template changed) replaces the file this state wrote; the same
    re-render over a file that is not that one leaves it and reports it."""
    from documents.document_helpers import document

    from sheetbill.documents import DEFAULT_TEMPLATES, render_many

    templates = tmp_path / "templates"
    shutil.copytree(DEFAULT_TEMPLATES, templates)
    out = tmp_path / "pdf"
    doc = document()
    (first,) = render_many([doc], templates=templates, out_dir=out, owned={})
    assert first.is_rendered and first.foreign is None
    assert first.files == {first.pdf.name: sha256(first.pdf.read_bytes())}
    style = templates / "style.css"
    style.write_text(style.read_text() + "\nbody { color: #010101 }\n")
    previous = {doc.invoice.number: first.content_hash}
    (again,) = render_many(
        [doc], templates=templates, out_dir=out, previous=previous, owned=first.files
    )
    assert again.is_rendered and again.pdf.read_bytes() != FOREIGN
    again.pdf.write_bytes(FOREIGN)
    style.write_text(style.read_text() + "\nbody { color: #020202 }\n")
    previous = {doc.invoice.number: again.content_hash}
    (refused,) = render_many(
        [doc], templates=templates, out_dir=out, previous=previous, owned=again.files
    )
    assert not refused.is_rendered and refused.foreign == again.pdf
    assert again.pdf.read_bytes() == FOREIGN


CONTENTS = st.sampled_from(["absent", "ours", "same", "foreign", "link", "folder"])


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(there=CONTENTS, data=st.binary(min_size=1, max_size=64))
def test_write_owned_replaces_only_its_own_file_and_writes_only_the_target(
    tmp_path, there, data
):
    """Whatever is at the path, the writer either writes exactly the target (and
    nothing else in or out of the folder) or leaves everything as it was."""
    root = tmp_path / there / sha256(data)[:12]
    folder, outside = root / "pdf", root / "outside"
    folder.mkdir(parents=True)
    outside.mkdir()
    (outside / "victim").write_bytes(FOREIGN)
    target = folder / "INV-1.pdf"
    ours = sha256(b"what this state wrote")
    if there == "ours":
        target.write_bytes(b"what this state wrote")
    elif there == "same":
        target.write_bytes(data)
    elif there == "foreign":
        target.write_bytes(FOREIGN + data)
    elif there == "link":
        target.symlink_to(outside / "victim")
    elif there == "folder":
        target.mkdir()
    before = tree(root)
    if there in ("foreign", "link", "folder"):
        with pytest.raises(ForeignFileError) as refused:
            write_owned(target, data, ours=ours)
        assert refused.value.path == target
        assert tree(root) == before
    else:
        assert write_owned(target, data, ours=ours) == sha256(data)
        assert not target.is_symlink() and target.read_bytes() == data
        assert tree(root) == {**before, f"pdf/{target.name}": data}


@settings(max_examples=30, deadline=None)
@given(number=st.text(alphabet="AZaz09-_./", min_size=1, max_size=20))
def test_pdf_path_is_always_directly_in_the_folder(number):
    folder = Path("/srv/pdf")
    if is_valid_invoice_number(number):
        assert pdf_path(number, folder).parent == folder


def test_folder_owner_claims_a_free_folder_and_keeps_out_of_anothers(tmp_path):
    a, b = tmp_path / "a.sheetbill.sqlite", tmp_path / "b.sheetbill.sqlite"
    a.write_bytes(b"")
    folder = tmp_path / "invoices"
    assert folder_owner(folder, a) is None
    assert json.loads((folder / FOLDER_MARKER).read_text())["state"] == (
        "../a.sheetbill.sqlite"
    )
    assert folder_owner(folder, a) is None
    assert folder_owner(folder, b) == a.resolve()
    a.unlink()  # the state it named is gone (renamed, moved): taken over
    assert folder_owner(folder, b) is None
    assert folder_owner(folder, b) is None


def test_pdf_folder_for_fills_in_the_workbook_name(tmp_path):
    state = tmp_path / "shop-b.sheetbill.sqlite"
    assert Config().pdf_folder_for(state) == tmp_path / "invoices"
    pattern = Config(pdf_folder=tmp_path / "invoices" / "{workbook}")
    assert pattern.pdf_folder_for(state) == tmp_path / "invoices" / "shop-b"
    config = tmp_path / "sheetbill.toml"
    config.write_text('pdf_folder = "pdf/{workbook}"\n')
    assert load_config(config).pdf_folder_for(state) == tmp_path / "pdf" / "shop-b"
    config.write_text('pdf_folder = "pdf/{customer}"\n')
    with pytest.raises(ConfigError, match="workbook"):
        load_config(config)
