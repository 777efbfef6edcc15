"""A state database from before the journal (issue 13) keeps working: its migration
turns the rows of the tables it replaces (invoices pending or written, documents and
their files, files a stopped run meant to write, uploads, approvals shown or not,
withdrawn numbers) into journal entries, and a run then does what it would have done
had the journal always been there."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from cli_runs import copy_case, state_of
from old_state import JOURNAL, as_before_journal, old_schema

from sheetbill.config import Config
from sheetbill.domain.journal import (
    INVOICE_APPROVE,
    INVOICE_WRITE,
    NUMBER_WITHDRAW,
    PDF_UPLOAD,
    PDF_WRITE,
    Status,
    invoice_written,
    log_line,
)
from sheetbill.domain.model import (
    Invoice,
    InvoiceKind,
    InvoiceLine,
    SourceRow,
    TaxBreakdown,
    TaxMode,
)
from sheetbill.state import StateDB
from sheetbill.state.documents import FileRecord, Upload
from sheetbill.state.invoices import invoice_to_json
from sheetbill.usecases.run import run_billing
from sheetbill.workbook.excel import ExcelWorkbook

D = Decimal
AT = "2026-11-02T08:00:00+00:00"


def _invoice(number: str, customer: str, row_id: str) -> Invoice:
    line = InvoiceLine(
        1,
        "Work",
        D(2),
        "hour",
        D(90),
        D(19),
        D(180),
        D("34.20"),
        D("214.20"),
        (SourceRow("Time Log", 2, row_id, "ab12"),),
    )
    return Invoice(
        number=number,
        kind=InvoiceKind.INVOICE,
        customer_id=customer,
        customer_name=customer,
        currency="EUR",
        issue_date=date(2026, 11, 2),
        due_date=date(2026, 11, 16),
        tax_mode=TaxMode.EXCLUSIVE,
        lines=(line,),
        net=D(180),
        tax=D("34.20"),
        total=D("214.20"),
        breakdown=(TaxBreakdown(D(19), D(180), D("34.20")),),
        work_complete=None,
    )


WRITTEN = _invoice("INV-2026-0001", "C1", "T-000001")
PENDING = _invoice("INV-2026-0002", "C2", "T-000002")


def _old_rows(db: sqlite3.Connection) -> None:
    """What an older sheetbill recorded: 0001 written, its PDF and XML made and the
    PDF uploaded, its approval taken but not yet shown; 0002 drawn by a run stopped
    while writing its PDF; 0003 withdrawn."""
    for invoice, status in ((WRITTEN, "written"), (PENDING, "pending")):
        db.execute(
            "INSERT INTO invoices (number, customer_id, currency, total, issue_date,"
            " status, body, run_id, created_at, written_at)"
            " VALUES (?, ?, 'EUR', ?, '2026-11-02', ?, ?, 'r1', ?, ?)",
            (
                invoice.number,
                invoice.customer_id,
                str(invoice.total),
                status,
                invoice_to_json(invoice),
                AT,
                AT if status == "written" else None,
            ),
        )
        source = invoice.sources[0]
        db.execute(
            "INSERT INTO billed_rows VALUES (?, 'Time Log', ?, 'ab12', 'Ann')",
            (source.row_id, invoice.number),
        )
    db.executescript(
        f"""
        INSERT INTO counters VALUES ('INV-2026', 3), ('#row-id', 2);
        INSERT INTO documents VALUES ('INV-2026-0001', 'h1', '/pdfs/INV-2026-0001.pdf',
            '{AT}', '2026-10-01', '2026-10-31');
        INSERT INTO document_files VALUES
            ('INV-2026-0001.pdf', 'INV-2026-0001', 's1', 10, 111, '{AT}'),
            ('INV-2026-0001.xml', 'INV-2026-0001', 's2', 20, 222, '{AT}');
        INSERT INTO document_intents VALUES ('INV-2026-0002.pdf', 'INV-2026-0002',
            '{AT}');
        INSERT INTO uploads VALUES ('INV-2026-0001', 'h1', 'f1', 'https://l/1', '{AT}');
        INSERT INTO approvals (number, status, created_by, approved_by, approved_at,
            run_id, shown_at) VALUES
            ('INV-2026-0001', 'approved', 'Tom', 'Maria', '{AT}', 'r2', NULL),
            ('INV-2026-0002', 'not needed', 'sheetbill', NULL, NULL, 'r1', NULL);
        INSERT INTO withdrawn VALUES ('INV-2026-0003', '{AT}', 'r1', 'no rows left');
        INSERT INTO events (at, run_id, action, invoice, detail)
            VALUES ('{AT}', 'r1', 'invoice drawn', 'INV-2026-0001', 'C1');
        """
    )


def test_the_journal_migration_keeps_every_record_of_an_older_state(tmp_path):
    path = tmp_path / "shop.sheetbill.sqlite"
    old_schema(path)
    with sqlite3.connect(path) as db:
        _old_rows(db)
    db.close()
    with StateDB(path) as state:
        assert state.pending_invoices() == [PENDING]
        assert state.invoice_numbers() == [WRITTEN.number, PENDING.number]
        assert state.withdrawn_numbers() == ["INV-2026-0003"]
        assert state.document_hashes() == {WRITTEN.number: "h1"}
        assert state.document_paths() == {WRITTEN.number: "/pdfs/INV-2026-0001.pdf"}
        assert state.document_periods() == {
            WRITTEN.number: (date(2026, 10, 1), date(2026, 10, 31))
        }
        assert state.document_files() == {
            "INV-2026-0001.pdf": FileRecord("s1", 10, 111),
            "INV-2026-0001.xml": FileRecord("s2", 20, 222),
        }
        assert state.file_intents() == {"INV-2026-0002.pdf": PENDING.number}
        assert state.uploads() == {WRITTEN.number: Upload("h1", "f1", "https://l/1")}
        assert state.uploads_to_redo() == set()
        entries = {(e.kind, e.key): e for e in state.entries()}
        tables = {n for (n,) in state.db.execute("SELECT name FROM sqlite_master")}
        (version,) = state.db.execute("SELECT max(version) FROM schema_migrations")
    assert version == (JOURNAL,)
    statuses = {k: e.status for k, e in entries.items()}
    assert statuses == {
        (INVOICE_WRITE, WRITTEN.number): Status.DONE,
        (INVOICE_WRITE, PENDING.number): Status.PENDING,
        (PDF_WRITE, WRITTEN.number): Status.DONE,
        (PDF_WRITE, PENDING.number): Status.PENDING,
        (PDF_UPLOAD, WRITTEN.number): Status.DONE,
        (INVOICE_APPROVE, WRITTEN.number): Status.PENDING,
        (NUMBER_WITHDRAW, "INV-2026-0003"): Status.DONE,
    }
    # What the Log showed of each, it would show again from the converted entry.
    for invoice in (WRITTEN, PENDING):
        entry = entries[(INVOICE_WRITE, invoice.number)]
        assert entry.intent == invoice_written(invoice)
    assert log_line(entries[(INVOICE_APPROVE, WRITTEN.number)].intent) == (
        "invoice approved",
        WRITTEN.number,
        "approved by Maria; created by Tom",
    )
    assert log_line(entries[(NUMBER_WITHDRAW, "INV-2026-0003")].intent) == (
        "number withdrawn",
        "INV-2026-0003",
        "no rows left",
    )
    assert entries[(INVOICE_WRITE, WRITTEN.number)].settled_at == datetime(
        2026, 11, 2, 8, tzinfo=UTC
    )
    assert "events" in tables
    assert not tables & {"documents", "document_files", "document_intents", "uploads"}


def _run(book):
    return run_billing(
        ExcelWorkbook(book),
        Config(),
        state_path=state_of(book),
        as_of=date(2026, 11, 3),
        is_dry_run=False,
    )


def _recorded(state: StateDB) -> dict[str, object]:
    """Everything a run reads from the state, and each entry but for when and by
    which run it was recorded."""
    return {
        "pending": state.pending_invoices(),
        "numbers": state.invoice_numbers(),
        "counters": state.counters(),
        "billed": state.billed_rows(),
        "hashes": state.document_hashes(),
        "paths": state.document_paths(),
        "files": state.document_files(),
        "intents": state.file_intents(),
        "periods": state.document_periods(),
        "uploads": state.uploads(),
        "entries": sorted(
            (e.kind, e.key, e.status.value, repr(sorted(e.details.items())))
            for e in state.entries()
        ),
    }


def test_a_run_on_a_state_from_before_the_journal_changes_nothing(tmp_path):
    """The state of a finished run, as an older sheetbill kept it: converted, it
    holds exactly the entries the journal would have, and a run makes no PDF again
    and writes nothing."""
    book = copy_case("two-runs-at-once", "16_numbering.xlsx", tmp_path / "shop")
    first = _run(book)
    assert first.invoices and first.pdfs_rendered == len(first.invoices)
    with StateDB(state_of(book)) as state:
        before = _recorded(state)
    pdfs = {
        p.name: (p.read_bytes(), p.stat().st_mtime_ns)
        for p in book.parent.glob("invoices/*")
    }
    saved = book.read_bytes()
    as_before_journal(state_of(book))
    with sqlite3.connect(state_of(book)) as db:
        (documents,) = db.execute("SELECT count(*) FROM documents").fetchone()
    db.close()
    assert documents == len(first.invoices)
    again = _run(book)
    assert (again.invoices, again.pdfs_rendered, again.is_written) == ((), 0, False)
    with StateDB(state_of(book)) as state:
        assert _recorded(state) == before
    assert {
        p.name: (p.read_bytes(), p.stat().st_mtime_ns)
        for p in book.parent.glob("invoices/*")
    } == pdfs
    assert book.read_bytes() == saved


def test_a_stopped_run_recorded_before_the_journal_is_completed_after_it(
    tmp_path, monkeypatch
):
    """A run killed after writing its PDFs, before recording them or writing the
    workbook, under an older sheetbill: its pending invoices and the files it meant
    to write become pending entries, and the rerun completes them with the same
    numbers, replacing its own files (none reported as another's)."""
    book = copy_case("two-runs-at-once", "16_numbering.xlsx", tmp_path / "shop")

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(StateDB, "record_documents", killed)
        with pytest.raises(KeyboardInterrupt):
            _run(book)
    with StateDB(state_of(book)) as state:
        drawn = [i.number for i in state.pending_invoices()]
        intents = state.file_intents()
    as_before_journal(state_of(book))
    with sqlite3.connect(state_of(book)) as db:
        old = db.execute("SELECT number FROM invoices WHERE status = 'pending'")
        assert [n for (n,) in old] == drawn
        assert dict(db.execute("SELECT name, number FROM document_intents")) == intents
    db.close()
    assert len(drawn) == 5 and len(intents) == 5
    result = _run(book)
    assert [i.number for i in result.invoices] == drawn
    assert not [p for p in result.problems if p.column == "PDF"]
    assert result.pdfs_rendered == 5
    with StateDB(state_of(book)) as state:
        assert state.pending_invoices() == [] and state.file_intents() == {}
        writes = state.entries(kind=INVOICE_WRITE)
        assert {(e.key, e.status) for e in writes} == {(n, Status.DONE) for n in drawn}


def test_a_dry_run_or_check_on_a_state_from_before_the_journal_leaves_it_as_it_is(
    tmp_path,
):
    """An older state database is read migrated in memory: a dry run and a check
    see what a run would and change not a byte of the file (the older sheetbill
    can still read it); the next real run migrates it."""
    from sheetbill.usecases.check import check_workbook

    book = copy_case("two-runs-at-once", "16_numbering.xlsx", tmp_path / "shop")
    first = _run(book)
    assert first.invoices
    as_before_journal(state_of(book))
    kept = state_of(book).read_bytes()
    dry = run_billing(
        ExcelWorkbook(book),
        Config(),
        state_path=state_of(book),
        as_of=date(2026, 11, 3),
        is_dry_run=True,
    )
    checked = check_workbook(
        ExcelWorkbook(book),
        Config(),
        as_of=date(2026, 11, 3),
        state_path=state_of(book),
    )
    assert (dry.invoices, dry.pdfs_rendered, dry.changes.is_empty) == ((), 0, True)
    assert not [p for p in checked.problems if p.code.startswith("state.")]
    assert state_of(book).read_bytes() == kept
    again = _run(book)
    assert (again.invoices, again.pdfs_rendered, again.is_written) == ((), 0, False)
