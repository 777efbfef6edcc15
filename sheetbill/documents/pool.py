"""Many PDFs at once: skip unchanged ones by content hash, render the rest in a pool.

The hash covers the invoice data, every template file and the libraries' versions.
Given the files a state wrote (`owned`), a file that is not one of them is never
replaced: its document comes back with `foreign` set instead."""

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
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import NamedTuple

from sheetbill.documents.context import InvoiceDocument
from sheetbill.documents.files import (
    ForeignFileError,
    file_sha256,
    pdf_path,
    xml_path,
)
from sheetbill.documents.render import (
    DEFAULT_TEMPLATES,
    TemplateError,
    render_invoice_pdf,
    write_invoice_files,
)
from sheetbill.errors import RenderError, SheetbillError

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
    # The error is the template's (the same for every document), not this invoice's.
    is_template_error: bool = False
    # A file this state did not write, found at one of the document's paths and
    # left as it was; the document was not written.
    foreign: Path | None = None
    # Each file written now (its name) and the sha256 of its bytes.
    files: Mapping[str, str] = field(default_factory=dict)


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
# sorts a tab, which must not make every PDF render again; which settings could not
# be read is no part of a document either, nor where the logo file is (its sha256 is).
UNPRINTED = frozenset({"row", "sources", "unreadable", "location"})


def _printed(value: object) -> object:
    if isinstance(value, dict):
        if value.keys() == _MONEY_KEYS:
            # Money as a (currency, amount) pair, the shape amounts had when the
            # hashes in older state databases were taken.
            return [value["currency"], value["amount"]]
        return {k: _printed(v) for k, v in value.items() if k not in UNPRINTED}
    if isinstance(value, list | tuple):
        return [_printed(v) for v in value]
    return value


_MONEY_KEYS = {"amount", "currency"}


def _hashed(document: InvoiceDocument) -> object:
    """The document as its hash sees it: printed fields only, in the shape hashes
    have always had, so an upgrade does not make every PDF render again. The
    invoice's own service period is left out: the document's `service_period` is
    the one printed."""
    data = dataclasses.asdict(document)
    data["invoice"].pop("service_period", None)
    return _printed(data)


def content_hash(
    document: InvoiceDocument,
    *,
    templates: Path = DEFAULT_TEMPLATES,
    digest: str | None = None,
) -> str:
    """What the document's files depend on; equal hashes mean identical files.

    Pass `digest` (from `template_digest`) when hashing many documents at once.
    """
    data = json.dumps(_hashed(document), sort_keys=True, default=str)
    parts = (
        LAYOUT_VERSION,
        _library_versions(),
        digest or template_digest(templates),
        data,
    )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


# A document, its templates, the output folder, and the files there that are this
# state's own (name -> sha256), or None when any file may be replaced.
Job = tuple[InvoiceDocument, Path, Path, dict[str, str] | None]


class Outcome(NamedTuple):
    """What a worker did with one job."""

    error: str | None = None
    foreign: Path | None = None
    files: dict[str, str] = {}  # noqa: RUF012 - a NamedTuple default, never mutated
    is_template_error: bool = False


def _render_one(job: Job) -> Outcome:
    """Runs in a worker: renders and writes one document, or says why not.

    Whatever goes wrong with one document is its outcome, and the others are made;
    only a document that cannot be written (a full disk) ends the batch."""
    document, templates, out_dir, ours = job
    try:
        if ours is None:
            render_invoice_pdf(document, templates=templates, out_dir=out_dir)
            return Outcome()
        files = write_invoice_files(
            document, templates=templates, out_dir=out_dir, ours=ours
        )
    except TemplateError as exc:
        return Outcome(error=str(exc), is_template_error=True)
    except RenderError as exc:
        return Outcome(error=str(exc))
    except ForeignFileError as exc:
        return Outcome(foreign=exc.path)
    except SheetbillError:
        raise
    except Exception as exc:  # a value nothing foresaw: this document fails alone
        return Outcome(error=f"{type(exc).__name__}: {exc}")
    return Outcome(files=files)


def _render_all(jobs: Sequence[Job]) -> list[Outcome]:
    return [_render_one(job) for job in jobs]


def _ready() -> None:
    """A job that does nothing: submitting one per worker makes the pool start them."""


def _render_pooled(jobs: Sequence[Job], workers: int) -> list[Outcome]:
    """Workers take jobs from the back while this process takes them from the front.

    A worker comes from a fork server that imports WeasyPrint first (about 2 s when
    a run starts it), and starting a worker waits for that. So a thread starts the
    workers while this process, which has WeasyPrint loaded already, renders from the
    front: the first PDFs appear at once and no core idles. Once the workers are up,
    the thread hands them every job not yet taken, in reverse, so the ones at the
    front stay queued longest and this process can still cancel and render them.
    """
    outcomes: list[Outcome] = [Outcome()] * len(jobs)
    # forkserver, not fork: the parent may hold threads and WeasyPrint's native
    # state, unsafe to copy. The fork server starts clean, imports the renderer and
    # prints a sample once (warmup), and forks workers from that, instead of each
    # worker importing it (2 s each) and loading fonts for its first PDF.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__, "sheetbill.documents.warmup"])
    lock = threading.Lock()
    stopping = threading.Event()
    futures: dict[int, Future[Outcome]] = {}
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
                    outcomes[mine] = _render_one(jobs[mine])
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
                outcomes[i] = future.result()
    except BrokenProcessPool as exc:
        raise RenderError(f"a PDF worker process died: {exc}") from exc
    return outcomes


def document_paths(document: InvoiceDocument, out_dir: Path) -> list[Path]:
    """The files a document is written to: its PDF, and an XRechnung's XML."""
    number = document.invoice.number
    if document.e_invoice == "xrechnung":
        return [pdf_path(number, out_dir), xml_path(number, out_dir)]
    return [pdf_path(number, out_dir)]


def _is_current(
    document: InvoiceDocument,
    out_dir: Path,
    known: str | None,
    now: str,
    owned: Mapping[str, str] | None,
) -> bool:
    """Its files are there with this content hash (and are this state's own)."""
    if known != now:
        return False
    if owned is None:
        return all(path.is_file() for path in document_paths(document, out_dir))
    return all(
        path.name in owned and file_sha256(path) == owned[path.name]
        for path in document_paths(document, out_dir)
    )


def render_many(
    documents: Sequence[InvoiceDocument],
    *,
    templates: Path = DEFAULT_TEMPLATES,
    out_dir: Path,
    previous: Mapping[str, str] | None = None,
    workers: int = DEFAULT_WORKERS,
    owned: Mapping[str, str] | None = None,
) -> list[RenderResult]:
    """Render what changed since `previous` (number -> content hash), in a process pool.

    With `owned` (file name -> sha256 of the file this state wrote there), a file at
    a document's path is replaced only when it is that file; other documents come
    back with `foreign` naming the file left alone, and nothing of theirs written.

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
        if not _is_current(doc, out_dir, known.get(doc.invoice.number), now, owned)
    ]
    jobs: list[Job] = [
        (documents[i], templates, out_dir, _own_files(documents[i], out_dir, owned))
        for i in todo
    ]
    workers = max(1, min(workers, os.cpu_count() or 1, len(jobs) - 1))
    outcomes = _render_all(jobs) if workers == 1 else _render_pooled(jobs, workers)
    done = dict(zip(todo, outcomes, strict=True))
    results = []
    for i, (doc, now) in enumerate(zip(documents, hashes, strict=True)):
        number = doc.invoice.number
        xml = xml_path(number, out_dir) if doc.e_invoice == "xrechnung" else None
        outcome = done.get(i)
        results.append(
            RenderResult(
                number=number,
                pdf=pdf_path(number, out_dir),
                content_hash=now,
                is_rendered=(
                    outcome is not None
                    and outcome.error is None
                    and outcome.foreign is None
                ),
                xml=xml,
                error=outcome.error if outcome else None,
                is_template_error=outcome.is_template_error if outcome else False,
                foreign=outcome.foreign if outcome else None,
                files=outcome.files if outcome else {},
            )
        )
    return results


def _own_files(
    document: InvoiceDocument, out_dir: Path, owned: Mapping[str, str] | None
) -> dict[str, str] | None:
    """The part of `owned` a job needs: only its own files go to the worker."""
    if owned is None:
        return None
    return {
        path.name: owned[path.name]
        for path in document_paths(document, out_dir)
        if path.name in owned
    }
