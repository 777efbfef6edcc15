"""Many PDFs at once: skip unchanged ones by content hash, render the rest in a pool.

The hash covers the invoice data, every template file and the libraries' versions."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import multiprocessing
import os
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from pathlib import Path

from sheetbill.documents.context import InvoiceDocument
from sheetbill.documents.files import pdf_path, xml_path
from sheetbill.documents.render import DEFAULT_TEMPLATES, render_invoice_pdf
from sheetbill.errors import RenderError

# Bump when this package changes what it draws, so every PDF is rendered again.
LAYOUT_VERSION = "1"
LIBRARIES = ("weasyprint", "pydyf", "jinja2", "babel", "segno", "qrbill", "factur-x")
DEFAULT_WORKERS = 2


@dataclass(frozen=True, slots=True)
class RenderResult:
    """One document of a batch: where it is, its hash, and whether it was drawn now."""

    number: str
    pdf: Path
    content_hash: str
    # False when the PDF on disk already had this content hash and was kept.
    is_rendered: bool
    # The XRechnung file written beside the PDF, for customers marked for it.
    xml: Path | None = None
    # Why this document could not be rendered; the others are rendered anyway.
    error: str | None = None


@cache
def _library_versions() -> str:
    return ";".join(f"{name}={version(name)}" for name in LIBRARIES)


def template_digest(templates: Path = DEFAULT_TEMPLATES) -> str:
    """A digest of every file in the template folder (names and bytes)."""
    digest = hashlib.sha256()
    root = templates.resolve()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


# Fields no document shows: sheet row numbers and source rows move when a person
# sorts a tab, which must not make every PDF render again.
UNPRINTED = frozenset({"row", "sources"})


def _printed(value: object) -> object:
    if isinstance(value, dict):
        return {k: _printed(v) for k, v in value.items() if k not in UNPRINTED}
    if isinstance(value, list | tuple):
        return [_printed(v) for v in value]
    return value


def content_hash(
    document: InvoiceDocument,
    *,
    templates: Path = DEFAULT_TEMPLATES,
    digest: str | None = None,
) -> str:
    """What the document's files depend on; equal hashes mean identical files.

    Pass `digest` (from `template_digest`) when hashing many documents at once.
    """
    data = json.dumps(
        _printed(dataclasses.asdict(document)), sort_keys=True, default=str
    )
    parts = (
        LAYOUT_VERSION,
        _library_versions(),
        digest or template_digest(templates),
        data,
    )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _render_one(job: tuple[InvoiceDocument, Path, Path]) -> str | None:
    """Runs in a worker: renders one document, returns the error text if it failed."""
    document, templates, out_dir = job
    try:
        render_invoice_pdf(document, templates=templates, out_dir=out_dir)
    except RenderError as exc:
        return str(exc)
    return None


def _render_all(jobs: Sequence[tuple[InvoiceDocument, Path, Path]]) -> list[str | None]:
    return [_render_one(job) for job in jobs]


def _ready() -> None:
    """A job that does nothing: submitting one per worker makes the pool start them."""


def _render_pooled(
    jobs: Sequence[tuple[InvoiceDocument, Path, Path]], workers: int
) -> list[str | None]:
    """Workers take jobs from the back while this process takes them from the front.

    A worker comes from a fork server that imports WeasyPrint first (about 2 s when
    a run starts it), and starting a worker waits for that. So a thread starts the
    workers while this process, which has WeasyPrint loaded already, renders from the
    front: the first PDFs appear at once and no core idles. Once the workers are up,
    the thread hands them every job not yet taken, in reverse, so the ones at the
    front stay queued longest and this process can still cancel and render them.
    """
    errors: list[str | None] = [None] * len(jobs)
    # forkserver, not fork: the parent may hold threads and WeasyPrint's native
    # state, unsafe to copy. The fork server starts clean, imports the renderer and
    # prints a sample once (warmup), and forks workers from that, instead of each
    # worker importing it (2 s each) and loading fonts for its first PDF.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__, "sheetbill.documents.warmup"])
    lock = threading.Lock()
    stopping = threading.Event()
    futures: dict[int, Future[str | None]] = {}
    taken = 0  # jobs below this index are this process's
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:

            def hand_out() -> None:
                try:
                    for future in [pool.submit(_ready) for _ in range(workers)]:
                        future.result()
                except Exception:  # whatever the reason, no workers to help:
                    return  # so this process renders every job itself
                with lock:
                    if stopping.is_set():
                        return
                    for i in reversed(range(taken, len(jobs))):
                        futures[i] = pool.submit(_render_one, jobs[i])

            handing = threading.Thread(target=hand_out, daemon=True)
            handing.start()
            try:
                while True:
                    with lock:
                        mine = taken
                        if mine == len(jobs):
                            break
                        # Workers run jobs from the back, so once one here has
                        # started, every job after it has too: stop at the first
                        # that cannot be had.
                        queued = futures.pop(mine, None)
                        if queued is not None and not queued.cancel():
                            futures[mine] = queued
                            break
                        taken += 1
                    errors[mine] = _render_one(jobs[mine])
            except BaseException:
                # A PDF that cannot be written (disk full) ends the batch: no job
                # may be handed to a pool that is shutting down.
                with lock:
                    stopping.set()
                    for future in futures.values():
                        future.cancel()
                raise
            handing.join()
            for i, future in futures.items():
                errors[i] = future.result()
    except BrokenProcessPool as exc:
        raise RenderError(f"a PDF worker process died: {exc}") from exc
    return errors


def _is_current(
    document: InvoiceDocument, out_dir: Path, known: str | None, now: str
) -> bool:
    if known != now or not pdf_path(document.invoice.number, out_dir).is_file():
        return False
    return (
        document.e_invoice != "xrechnung"
        or xml_path(document.invoice.number, out_dir).is_file()
    )


def render_many(
    documents: Sequence[InvoiceDocument],
    *,
    templates: Path = DEFAULT_TEMPLATES,
    out_dir: Path,
    previous: Mapping[str, str] | None = None,
    workers: int = DEFAULT_WORKERS,
) -> list[RenderResult]:
    """Render what changed since `previous` (number -> content hash), in a process pool.

    Results come back in the order of `documents`. A document that fails carries its
    error and the rest are rendered; a broken template therefore fails every one of
    them with the same message naming the file and line. As with any process pool,
    the program's main module must be import-safe (`if __name__ == "__main__":`).
    """
    digest = template_digest(templates)
    hashes = [content_hash(d, templates=templates, digest=digest) for d in documents]
    known = previous or {}
    todo = [
        i
        for i, (doc, now) in enumerate(zip(documents, hashes, strict=True))
        if not _is_current(doc, out_dir, known.get(doc.invoice.number), now)
    ]
    jobs = [(documents[i], templates, out_dir) for i in todo]
    workers = max(1, min(workers, os.cpu_count() or 1, len(jobs) - 1))
    errors = _render_all(jobs) if workers == 1 else _render_pooled(jobs, workers)
    failed = dict(zip(todo, errors, strict=True))
    results = []
    for i, (doc, now) in enumerate(zip(documents, hashes, strict=True)):
        number = doc.invoice.number
        xml = xml_path(number, out_dir) if doc.e_invoice == "xrechnung" else None
        results.append(
            RenderResult(
                number=number,
                pdf=pdf_path(number, out_dir),
                content_hash=now,
                is_rendered=i in failed and failed[i] is None,
                xml=xml,
                error=failed.get(i),
            )
        )
    return results
