"""Batches: unchanged invoices skipped by content hash, the rest rendered in a pool."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from sheetbill.documents import content_hash, render_many
from sheetbill.documents.pool import _hashed, template_digest
from sheetbill.domain.model import ApprovalThreshold
from sheetbill.domain.money import Money

from document_helpers import document, with_customer


def test_content_hash_is_stable_and_follows_data_and_templates(templates: Path):
    doc = document()
    first = content_hash(doc, templates=templates)
    assert first == content_hash(document(), templates=templates)
    assert first != content_hash(replace(doc, notes="Other note"), templates=templates)
    assert first != content_hash(with_customer(doc, name="Acme"), templates=templates)
    (templates / "style.css").write_text("body { color: red }")
    assert first != content_hash(doc, templates=templates)


def test_content_hash_ignores_where_rows_sit_in_the_sheet(templates: Path):
    doc = document()
    moved_line = replace(doc.invoice.lines[0], sources=())
    moved = replace(
        with_customer(doc, row=99),
        invoice=replace(doc.invoice, lines=(moved_line, *doc.invoice.lines[1:])),
    )
    assert content_hash(moved, templates=templates) == content_hash(
        doc, templates=templates
    )


def test_template_digest_notices_a_new_file(templates: Path):
    before = template_digest(templates)
    (templates / "logo.png").write_bytes(b"png")
    assert template_digest(templates) != before


def test_render_many_renders_in_a_pool_then_only_what_changed(out_dir: Path):
    docs = [
        document(number=f"INV-2026-000{n}", notes=f"Invoice {n}") for n in (1, 2, 3)
    ]
    docs[2] = with_customer(docs[2], e_invoice="xrechnung")
    first = render_many(docs, out_dir=out_dir, workers=2)
    assert [r.is_rendered for r in first] == [True, True, True]
    assert [r.error for r in first] == [None, None, None]
    assert all(r.pdf.is_file() for r in first)
    assert first[2].xml is not None and first[2].xml.is_file()
    stamps = [r.pdf.stat().st_mtime_ns for r in first]

    previous = {r.number: r.content_hash for r in first}
    docs[1] = replace(docs[1], notes="Changed")
    second = render_many(docs, out_dir=out_dir, previous=previous, workers=2)
    assert [r.is_rendered for r in second] == [False, True, False]
    assert second[0].pdf.stat().st_mtime_ns == stamps[0]
    assert second[1].content_hash != first[1].content_hash


def test_render_many_renders_again_when_the_pdf_is_gone(out_dir: Path):
    doc = document()
    (result,) = render_many([doc], out_dir=out_dir)
    result.pdf.unlink()
    (again,) = render_many(
        [doc], out_dir=out_dir, previous={doc.invoice.number: result.content_hash}
    )
    assert again.is_rendered and again.pdf.is_file()


def test_render_many_reports_a_broken_template_per_document(
    templates: Path, out_dir: Path
):
    (templates / "invoice.html").write_text("{% extends 'layout.html' %}{% block x %}")
    results = render_many([document()], templates=templates, out_dir=out_dir)
    assert not results[0].is_rendered
    assert results[0].error is not None and "invoice.html line 1" in results[0].error


class _WorkersThatStartLate:
    """A pool whose workers come up only once the caller rendered every PDF itself
    (a fork server slow to start), or never (`is_broken`)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        self.jobs: list[object] = []

    def __enter__(self) -> _WorkersThatStartLate:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def submit(self, fn, *args):
        import threading
        from concurrent.futures import Future

        from sheetbill.documents import pool

        future: Future[None] = Future()
        if fn is not pool._ready:
            self.jobs.append(args)
            return future
        out_dir, count = self.out_dir, self.count

        def come_up() -> None:
            while len(list(out_dir.glob("*.pdf"))) < count:
                threading.Event().wait(0.05)
            future.set_result(None)

        threading.Thread(target=come_up, daemon=True).start()
        return future


def test_render_many_renders_at_once_while_the_workers_start(out_dir, monkeypatch):
    from sheetbill.documents import pool

    docs = [document(number=f"INV-2026-000{n}") for n in (1, 2, 3)]
    late = _WorkersThatStartLate()
    late.out_dir, late.count = out_dir, len(docs)
    monkeypatch.setattr(pool, "ProcessPoolExecutor", lambda *a, **k: late)
    results = render_many(docs, out_dir=out_dir, workers=2)
    assert [r.is_rendered for r in results] == [True, True, True]
    assert late.jobs == []  # nothing was left for the workers


def test_render_many_renders_everything_itself_when_no_worker_starts(
    out_dir, monkeypatch
):
    from concurrent.futures.process import BrokenProcessPool

    from sheetbill.documents import pool

    class NoWorkers(_WorkersThatStartLate):
        def submit(self, fn, *args):
            raise BrokenProcessPool("cannot start a process")

    monkeypatch.setattr(pool, "ProcessPoolExecutor", NoWorkers)
    docs = [document(number=f"INV-2026-000{n}") for n in (1, 2, 3)]
    results = render_many(docs, out_dir=out_dir, workers=2)
    assert [r.error for r in results] == [None, None, None]
    assert all(r.pdf.is_file() for r in results)


def test_the_fork_servers_warm_up_renders_and_leaves_one_thread_to_fork():
    """Workers are forked from a process that rendered a sample: that is only safe
    while rendering starts no threads of its own."""
    import subprocess
    import sys

    script = (
        "import os\n"
        "from sheetbill.documents.warmup import sample_document\n"
        "from sheetbill.documents.render import render_pdf_bytes\n"
        "pdf = render_pdf_bytes(sample_document())\n"
        "print(pdf[:5].decode(), len(os.listdir('/proc/self/task')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.stdout.split() == ["%PDF-", "1"], done.stderr


def test_content_hash_keeps_the_shape_older_state_databases_hashed():
    """A state database keeps each PDF's content hash: a document must hash as it
    did before the Approval Threshold's amounts became Money and before the invoice
    carried its service period (the document's own period is the printed one), or
    an upgrade renders every PDF again for nothing."""
    doc = document([("Design", "2", "hour", "80.00", "19")])
    with_money = replace(
        doc,
        settings=replace(
            doc.settings,
            approval_threshold=ApprovalThreshold((Money(Decimal(25000), "EUR"),)),
        ),
    )
    hashed = _hashed(with_money)
    assert hashed["settings"]["approval_threshold"]["amounts"] == [
        ["EUR", Decimal(25000)]
    ]
    with_period = replace(
        with_money,
        invoice=replace(
            with_money.invoice, service_period=(date(2026, 10, 1), date(2026, 10, 31))
        ),
    )
    assert "service_period" not in hashed["invoice"]
    assert content_hash(with_period) == content_hash(with_money)
