"""Making each invoice's PDF during a run, and the link written into its PDF cell.

A use-case helper of `run` (its documents step): renders what changed, uploads it
when an uploader is given (Drive), records hashes and uploads, and turns failures
into Exceptions rows.

A workbook writes only into a PDF folder that is its own (the folder's marker names
its state database) and replaces only files it recorded writing there, byte for byte:
two workbooks in one folder, or a copy beside the original, never touch each other's
documents. What is in the way is an Exceptions row, left as it is.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sheetbill.config import STATE_SUFFIX, Config
from sheetbill.domain.model import Invoice, Problem, Severity
from sheetbill.domain.numbering import is_valid_invoice_number
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.wording import counted
from sheetbill.errors import DeliveryError, DocumentWriteError
from sheetbill.ports import PdfUploader
from sheetbill.state import StateDB
from sheetbill.state.documents import FileRecord, Upload, WrittenFile
from sheetbill.tabs.settings import setting_row
from sheetbill.tabs.validation import BookData

if TYPE_CHECKING:
    from sheetbill.documents import InvoiceDocument, RenderResult
    from sheetbill.documents.logo import Logo


@dataclass(frozen=True, slots=True)
class Published:
    # Invoice number -> what its PDF cell says.
    links: Mapping[str, str]
    problems: tuple[Problem, ...]
    rendered: int


def pdf_link(pdf: Path, *, workbook_folder: Path | None, prefix: str) -> str:
    """`prefix` + file name when a prefix is set, else the path relative to the
    workbook's folder (so the link still works when both are moved together)."""
    if prefix:
        return prefix + pdf.name
    if workbook_folder is not None:
        return Path(os.path.relpath(pdf, workbook_folder)).as_posix()
    return pdf.as_posix()


def predicted_links(
    invoices: Sequence[Invoice],
    *,
    folder: Path,
    workbook_folder: Path | None,
    prefix: str,
) -> dict[str, str]:
    """The links a run would write, for a dry run (nothing is rendered)."""
    from sheetbill.documents.files import pdf_path

    return {
        i.number: pdf_link(
            pdf_path(i.number, folder), workbook_folder=workbook_folder, prefix=prefix
        )
        for i in invoices
        if is_valid_invoice_number(i.number)
    }


def company_logo(
    data: BookData, config: Config, *, workbook_folder: Path | None
) -> tuple[Logo | None, tuple[Problem, ...]]:
    """The Settings' logo for the PDFs, or the problem on its Settings row saying why
    it cannot be printed (the PDFs are then made without a logo). Nothing is checked
    when no PDFs are made (`documents = false`)."""
    from sheetbill.documents.logo import logo_folder, logo_problem

    if not config.documents:
        return None, ()
    layout = data.layouts.get("Settings")
    table = layout.table if layout is not None else None
    logo, problem = logo_problem(
        data.settings.logo_path,
        folder=logo_folder(workbook_folder, config.path),
        tab=table.tab if table is not None else "Settings",
        row=setting_row(table, "logo_path"),
    )
    return logo, (problem,) if problem is not None else ()


def publish(
    state: StateDB,
    data: BookData,
    invoices: Sequence[Invoice],
    config: Config,
    *,
    folder: Path,
    workbook_folder: Path | None,
    run_id: str,
    now: datetime,
    progress: Callable[[str], None],
    uploader: PdfUploader | None = None,
    drafts: AbstractSet[str] = frozenset(),
    logo: Logo | None = None,
) -> Published:
    """Render the PDFs these invoices (and any missing ones) need; links for all.

    With an `uploader`, the links are those of the uploaded files instead, and every
    PDF whose content hash differs from its last upload is uploaded (again). The
    documents of the numbers in `drafts` (not yet approved) carry a DRAFT mark. `logo`
    is the checked Settings logo (`company_logo`), printed on every PDF made now.
    """
    job = _Publishing(state, data, config, folder, workbook_folder, run_id, now)
    problems: list[Problem] = []
    found = _what_to_make(job, invoices, problems)
    documents, periods = _documents(job, found.wanted, problems, logo, drafts)
    links: dict[str, str] = {}
    rendered = 0
    if documents:
        progress(f"Making {counted(len(documents), 'PDF')}")
        links, rendered = _render(job, documents, found, periods, problems)
    if uploader is not None:
        links, failed = _upload(
            state, uploader, folder=folder, run_id=run_id, now=now, progress=progress
        )
        problems.extend(failed)
    return Published(links, tuple(problems), rendered)


@dataclass(frozen=True, slots=True)
class _Publishing:
    """What making one run's documents works with."""

    state: StateDB
    data: BookData
    config: Config
    folder: Path
    workbook_folder: Path | None
    run_id: str
    now: datetime

    def link(self, pdf: Path) -> str:
        return pdf_link(
            pdf,
            workbook_folder=self.workbook_folder,
            prefix=self.config.pdf_link_prefix,
        )


@dataclass(frozen=True, slots=True)
class _ToMake:
    # Invoice number -> the invoice whose documents are made now.
    wanted: Mapping[str, Invoice]
    # Number -> content hash of each PDF made before.
    made: Mapping[str, str]
    # The files in the folder this state wrote, by name.
    records: Mapping[str, FileRecord]
    # Numbers whose PDF is there as this state wrote it.
    intact: AbstractSet[str]


def _what_to_make(
    job: _Publishing, invoices: Sequence[Invoice], problems: list[Problem]
) -> _ToMake:
    """These invoices, and every drawn one whose PDF is not there as it was made."""
    from sheetbill.documents.files import folder_owner, pdf_path

    state, folder = job.state, job.folder
    wanted = {i.number: i for i in invoices}
    numbers = state.invoice_numbers()
    if wanted or numbers:
        _prepare(folder)
    other = folder_owner(folder, state.path) if wanted or numbers else None
    if other is not None:
        problems.append(_taken_folder(folder, other, state.path, job.workbook_folder))
        wanted = {}
        numbers = []
    made = state.document_hashes()
    records = _own_files(state, folder, job.run_id, job.now) if numbers else {}
    intact = {
        number
        for number in numbers
        if number in made and _is_intact(pdf_path(number, folder), records)
    }
    # Never made (a broken template, a file in the way), gone or replaced since.
    missing = [n for n in numbers if n not in wanted and n not in intact]
    wanted.update({i.number: i for i in state.invoices(missing)})
    return _ToMake(wanted, made, records, intact)


def _documents(
    job: _Publishing,
    wanted: Mapping[str, Invoice],
    problems: list[Problem],
    logo: Logo | None,
    drafts: AbstractSet[str],
) -> tuple[list[InvoiceDocument], dict[str, tuple[date, date] | None]]:
    """The document of each invoice whose customer is a valid row, and the service
    period each shows."""
    from sheetbill.documents import InvoiceDocument

    documents = []
    recorded_periods = job.state.document_periods()
    periods: dict[str, tuple[date, date] | None] = {}
    for invoice in wanted.values():
        customer = job.data.customers.get(invoice.customer_id)
        if customer is None:
            problems.append(_no_customer(invoice))
            continue
        # An invoice recorded before invoices kept their period has the one its
        # PDF showed.
        period = invoice.service_period or recorded_periods.get(invoice.number)
        periods[invoice.number] = period
        documents.append(
            InvoiceDocument(
                invoice,
                job.data.settings,
                customer,
                period,
                logo=logo,
                is_draft=invoice.number in drafts,
            )
        )
    return documents, periods


def _no_customer(invoice: Invoice) -> Problem:
    return Problem(
        code=ProblemCode.PDF_CUSTOMER_INVALID,
        tab="Invoices",
        row=None,
        column="PDF",
        value=invoice.number,
        problem=f"The PDF of {invoice.number} was not made: customer "
        f"{invoice.customer_id} is not a valid row of Customers now.",
        fix="Fix the customer's row; the PDF is made on the next run.",
        severity=Severity.ERROR,
        customer_id=invoice.customer_id,
    )


def _render(
    job: _Publishing,
    documents: Sequence[InvoiceDocument],
    found: _ToMake,
    periods: Mapping[str, tuple[date, date] | None],
    problems: list[Problem],
) -> tuple[dict[str, str], int]:
    """Make the documents (recorded as intended first): the links of every PDF
    there as this state made it, and how many were rendered now."""
    from sheetbill.documents import DEFAULT_TEMPLATES, pdf_path, render_many

    state, folder, data = job.state, job.folder, job.data
    owned = {name: record.sha256 for name, record in found.records.items()}
    owned.update(_left_by_a_stopped_run(state, folder, owned))
    intended = _intend(state, documents, folder, owned, job.run_id, job.now)
    results = render_many(
        documents,
        templates=job.config.templates or DEFAULT_TEMPLATES,
        out_dir=folder,
        previous=found.made,
        owned=owned,
    )
    links = {number: job.link(pdf_path(number, folder)) for number in found.intact}
    done: list[tuple[str, str, str]] = []
    files: list[WrittenFile] = []
    not_made: list[str] = []
    for result in results:
        if result.foreign is not None:
            links.pop(result.number, None)
            problems.append(
                _foreign_file(result.number, result.foreign, job.workbook_folder)
            )
            not_made.append(result.number)
            continue
        if result.error is not None:
            problems.extend(_not_made(result, found.wanted[result.number], data))
            not_made.append(result.number)
            continue
        links[result.number] = job.link(result.pdf)
        if result.is_rendered:
            done.append((result.number, result.content_hash, str(result.pdf)))
            files.extend(
                (result.number, name, _record(folder / name, sha))
                for name, sha in result.files.items()
            )
    if done:
        state.record_documents(
            done, run_id=job.run_id, now=job.now, periods=periods, files=files
        )
    state.clear_file_intents(intended, now=job.now, failed=not_made)
    return links, len(done)


def _not_made(result: RenderResult, invoice: Invoice, data: BookData) -> list[Problem]:
    """Why a document was not made, as Exceptions rows: the template's fault, or the
    cells behind this invoice that hold what no document may, or else the error."""
    from sheetbill.tabs.printable import behind_a_failed_document
    from sheetbill.tabs.settings import setting_rows

    number = result.number
    if result.is_template_error:
        return [
            Problem(
                code=ProblemCode.PDF_TEMPLATE_FAILED,
                tab="Invoices",
                row=None,
                column="PDF",
                value=number,
                problem=f"The PDF of {number} could not be made: {result.error}",
                fix="Fix the template named in the message (or remove "
                "'templates' from sheetbill.toml to use the built-in one); "
                "the PDF is made on the next run.",
            )
        ]
    layout = data.layouts.get("Settings")
    cells = behind_a_failed_document(
        data, invoice, setting_rows=setting_rows(layout.table if layout else None)
    )
    return cells or [
        Problem(
            code=ProblemCode.PDF_NOT_MADE,
            tab="Invoices",
            row=None,
            column="PDF",
            value=number,
            problem=f"The PDF of {number} could not be made: {result.error}. The other "
            "invoices were made.",
            fix=f"Look for unusual text in the cells of {number}'s customer and rows "
            "(the message may name it), fix it, and run again: the PDF is made then, "
            f"as {number}. If it keeps failing, send this message to whoever looks "
            "after sheetbill.",
            severity=Severity.ERROR,
            customer_id=invoice.customer_id,
        )
    ]


def claim_documents(
    state: StateDB, invoices: Sequence[Invoice], config: Config, *, now: datetime
) -> int:
    """After `state rebuild`: the PDFs (and XML) of the rebuilt invoices found in the
    PDF folder become this state's own, so they are kept and linked, not reported
    as another's. Only in a folder that is this workbook's (its marker names this
    state database, or nobody's): a copy's rebuild never claims the original's."""
    from sheetbill.documents.files import (
        NOT_A_FILE,
        file_sha256,
        folder_owner,
        pdf_path,
        xml_path,
    )

    folder = config.pdf_folder_for(state.path)
    if not folder.is_dir() or folder_owner(folder, state.path) is not None:
        return 0
    rendered: list[tuple[str, str, str]] = []
    files: list[WrittenFile] = []
    for invoice in invoices:
        pdf = pdf_path(invoice.number, folder)
        for path in (pdf, xml_path(invoice.number, folder)):
            digest = file_sha256(path)
            if digest is not None and digest != NOT_A_FILE:
                files.append((invoice.number, path.name, _record(path, digest)))
                if path == pdf:
                    # No content hash: the PDF is kept as it is, made again only
                    # if it goes missing.
                    rendered.append((invoice.number, "", str(pdf)))
    if rendered:
        state.record_documents(
            rendered,
            run_id=now.strftime("rebuild-%Y%m%d-%H%M%S"),
            now=now,
            periods=state.document_periods(),
            files=files,
        )
    return len(rendered)


def _left_by_a_stopped_run(
    state: StateDB, folder: Path, owned: Mapping[str, str]
) -> dict[str, str]:
    """Files a run recorded it would write and was stopped before it recorded them
    written: its own (nothing else was at those paths when it said so), by name."""
    from sheetbill.documents.files import NOT_A_FILE, file_sha256

    found = {}
    for name in state.file_intents():
        digest = file_sha256(folder / name)
        if name not in owned and digest is not None and digest != NOT_A_FILE:
            found[name] = digest
    return found


def _intend(
    state: StateDB,
    documents: Sequence[InvoiceDocument],
    folder: Path,
    owned: Mapping[str, str],
    run_id: str,
    now: datetime,
) -> list[str]:
    """Record, before rendering, each file this run may write: only paths that are
    free or hold this state's own file (anything else is left alone and reported)."""
    from sheetbill.documents.pool import document_paths

    intents = [
        (path.name, document.invoice.number)
        for document in documents
        for path in document_paths(document, folder)
        if path.name in owned or not os.path.lexists(path)
    ]
    state.record_file_intents(intents, run_id=run_id, now=now)
    return [name for name, _ in intents]


def own_files_of(
    state: StateDB, numbers: Iterable[str]
) -> dict[str, FileRecord | None]:
    """The files this state wrote for these invoices, by name; None for one a
    stopped run meant to write (recorded before writing, never recorded written)."""
    wanted = set(numbers)
    found: dict[str, FileRecord | None] = {
        name: None for name, number in state.file_intents().items() if number in wanted
    }
    found.update(state.files_of(wanted))
    return found


def remove_own_files(
    state: StateDB,
    folder: Path,
    files: Mapping[str, FileRecord | None],
    *,
    now: datetime,
) -> None:
    """Delete these files of this state's (a withdrawn number's PDF, which must not
    pass for an invoice), each only while it is still the file written there."""
    import contextlib

    from sheetbill.documents.files import NOT_A_FILE, file_sha256

    for name, record in files.items():
        path = folder / name
        if record is not None and not _is_intact(path, {name: record}):
            continue
        if record is None and file_sha256(path) in (None, NOT_A_FILE):
            continue
        with contextlib.suppress(OSError):
            path.unlink()
    removed = {n for name, n in state.file_intents().items() if name in files}
    state.clear_file_intents(files, now=now, failed=removed)


def _prepare(folder: Path) -> None:
    """The PDF folder exists, without the temp files a killed run left there."""
    from sheetbill.documents.files import remove_stale_temp_files

    started = time.time()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DocumentWriteError(
            f"cannot make the PDF folder {folder} ({exc.strerror})"
        ) from exc
    # No run of this workbook is writing there (the state lock): older is left over.
    remove_stale_temp_files(folder, older_than=started)


def _record(path: Path, sha256: str) -> FileRecord:
    info = path.lstat()
    return FileRecord(sha256, info.st_size, info.st_mtime_ns)


def _is_intact(path: Path, records: Mapping[str, FileRecord]) -> bool:
    """The file at `path` is the one this state wrote there (read again only when
    its size or modification time changed)."""
    from sheetbill.documents.files import file_sha256

    record = records.get(path.name)
    if record is None:
        return False
    try:
        info = path.lstat()
    except FileNotFoundError:
        return False
    if not stat.S_ISREG(info.st_mode):
        return False
    if (info.st_size, info.st_mtime_ns) == (record.size, record.mtime_ns):
        return True
    return file_sha256(path) == record.sha256


def _own_files(
    state: StateDB, folder: Path, run_id: str, now: datetime
) -> dict[str, FileRecord]:
    """The files in `folder` this state wrote, by file name.

    PDFs written before sheetbill recorded each file's sha256 are taken as written,
    once, where their recorded path is this folder's and a file (no link) is there:
    nothing but this state wrote at its recorded paths before then.
    """
    from sheetbill.documents.files import NOT_A_FILE, file_sha256, pdf_path, xml_path

    owned = state.document_files()
    adopted: list[WrittenFile] = []
    for number, path in state.document_paths().items():
        target = pdf_path(number, folder)
        if target.name in owned or Path(path).resolve() != target.resolve():
            continue
        for found in (target, xml_path(number, folder)):
            digest = file_sha256(found)
            if digest is not None and digest != NOT_A_FILE:
                adopted.append((number, found.name, _record(found, digest)))
                owned[found.name] = adopted[-1][2]
    if adopted:
        state.record_document_files(adopted, run_id=run_id, now=now)
    return owned


def _shown(path: Path, workbook_folder: Path | None) -> str:
    return pdf_link(path, workbook_folder=workbook_folder, prefix="")


def _taken_folder(
    folder: Path, other: Path, own: Path, workbook_folder: Path | None
) -> Problem:
    shown = _shown(folder, workbook_folder).rstrip("/") + "/"
    return Problem(
        code=ProblemCode.PDF_FOLDER_TAKEN,
        tab="Invoices",
        row=None,
        column="PDF",
        value=shown,
        problem=f"No PDF was made: the folder {shown} holds the PDFs of another "
        f"workbook, {other.name.removesuffix(STATE_SUFFIX)} (its state file is "
        f"{other.name}), and a workbook never writes into another's folder.",
        fix="Give this workbook a folder of its own (move it, with its state file "
        f"{own.name}, into another folder), or set "
        'pdf_folder = "invoices/{workbook}" in sheetbill.toml so that each '
        "workbook gets its own; the PDFs are made on the next run.",
    )


def _foreign_file(number: str, path: Path, workbook_folder: Path | None) -> Problem:
    return Problem(
        code=ProblemCode.PDF_FOREIGN_FILE,
        tab="Invoices",
        row=None,
        column="PDF",
        value=number,
        problem=f"The PDF of {number} was not made: {_shown(path, workbook_folder)} "
        "already exists and is not a file this workbook made (another workbook's "
        "document, or a file put there by hand), so it was left as it is.",
        fix="Move that file elsewhere if it does not belong there, or give this "
        'workbook its own PDF folder (pdf_folder = "invoices/{workbook}" in '
        "sheetbill.toml); the PDF is made on the next run.",
    )


def _upload(
    state: StateDB,
    uploader: PdfUploader,
    *,
    folder: Path,
    run_id: str,
    now: datetime,
    progress: Callable[[str], None],
) -> tuple[dict[str, str], list[Problem]]:
    """Upload every PDF not uploaded with its current content hash; all links.

    Runs even when nothing was rendered, so an upload that failed last time is
    retried; a PDF re-rendered with an unchanged hash is not uploaded again.
    """
    from sheetbill.documents.files import pdf_path

    uploads = state.uploads()
    again = state.uploads_to_redo()
    links = {n: u.link for n, u in uploads.items()}
    todo = [
        (number, content_hash)
        for number, content_hash in state.document_hashes().items()
        if number not in uploads
        or number in again
        or uploads[number].content_hash != content_hash
    ]
    # A PDF that could not be made is reported by the renderer; nothing to upload.
    # Nor is a file at its path that this state did not write.
    owned = state.document_files()
    todo = [(n, h) for n, h in todo if _is_intact(pdf_path(n, folder), owned)]
    if todo:
        progress(f"Uploading {counted(len(todo), 'PDF')} to Drive")
    problems: list[Problem] = []
    for number, content_hash in todo:
        known = uploads.get(number)
        state.record_upload_intent(number, content_hash, run_id=run_id, now=now)
        try:
            stored = uploader.upload(
                pdf_path(number, folder),
                file_id=known.file_id if known is not None else None,
            )
        except DeliveryError as exc:
            state.record_upload_failed(number, exc.message, now=now)
            problems.append(_not_uploaded(number, exc.message))
            continue
        upload = Upload(content_hash, stored.file_id, stored.link)
        state.record_upload(number, upload, run_id=run_id, now=now)
        links[number] = stored.link
    return links, problems


def _not_uploaded(number: str, reason: str) -> Problem:
    return Problem(
        code=ProblemCode.PDF_UPLOAD_FAILED,
        tab="Invoices",
        row=None,
        column="PDF",
        value=number,
        problem=f"The PDF of {number} could not be uploaded to Drive: {reason}",
        fix="Check 'pdf_drive_folder' and that the Google account may add "
        "files to that folder; the upload is tried again on the next run.",
    )
