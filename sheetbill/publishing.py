"""Making each invoice's PDF during a run, and the link written into its PDF cell.

A use-case helper of `billing`: it decides which invoices need a document (new ones,
those completed from an interrupted run, and any whose file has gone missing), lets
`documents` render what changed, records the content hashes, and turns failures into
Exceptions rows instead of stopping the run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sheetbill.config import Config
from sheetbill.model import Invoice, Problem, Severity
from sheetbill.numbering import is_valid_invoice_number
from sheetbill.state import StateDB
from sheetbill.validation import BookData


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
    from sheetbill.documents import pdf_path

    return {
        i.number: pdf_link(
            pdf_path(i.number, folder), workbook_folder=workbook_folder, prefix=prefix
        )
        for i in invoices
        if is_valid_invoice_number(i.number)
    }


def _service_period(invoice: Invoice, data: BookData) -> tuple[date, date] | None:
    rows = {(s.tab, s.row) for s in invoice.sources}
    days = [e.day for e in data.time_entries if (e.source.tab, e.source.row) in rows]
    return (min(days), max(days)) if days else None


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
) -> Published:
    """Render the PDFs these invoices (and any missing ones) need; links for all."""
    from sheetbill.documents import (
        DEFAULT_TEMPLATES,
        InvoiceDocument,
        pdf_path,
        render_many,
    )

    wanted = {i.number: i for i in invoices}
    for number in state.invoice_numbers():
        if number not in wanted and not pdf_path(number, folder).is_file():
            wanted.update({i.number: i for i in state.invoices([number])})
    problems: list[Problem] = []
    documents = []
    for invoice in wanted.values():
        customer = data.customers.get(invoice.customer_id)
        if customer is None:
            problems.append(
                Problem(
                    "Invoices",
                    None,
                    "PDF",
                    invoice.number,
                    f"The PDF of {invoice.number} was not made: customer "
                    f"{invoice.customer_id} is not a valid row of Customers now.",
                    "Fix the customer's row; the PDF is made on the next run.",
                    Severity.WARNING,
                    invoice.customer_id,
                )
            )
            continue
        period = _service_period(invoice, data)
        documents.append(InvoiceDocument(invoice, data.settings, customer, period))
    if not documents:
        return Published({}, tuple(problems), 0)
    progress(f"Making {len(documents)} PDF(s)")
    folder.mkdir(parents=True, exist_ok=True)
    results = render_many(
        documents,
        templates=config.templates or DEFAULT_TEMPLATES,
        out_dir=folder,
        previous=state.document_hashes(),
    )
    links: dict[str, str] = {
        number: pdf_link(
            pdf_path(number, folder),
            workbook_folder=workbook_folder,
            prefix=config.pdf_link_prefix,
        )
        for number in state.invoice_numbers()
        if pdf_path(number, folder).is_file()
    }
    done: list[tuple[str, str, str]] = []
    for result in results:
        if result.error is not None:
            problems.append(
                Problem(
                    "Invoices",
                    None,
                    "PDF",
                    result.number,
                    f"The PDF of {result.number} could not be made: {result.error}",
                    "Fix the template named in the message (or remove 'templates' from "
                    "sheetbill.toml to use the built-in one); the PDF is made on the "
                    "next run.",
                )
            )
            continue
        link = pdf_link(
            result.pdf, workbook_folder=workbook_folder, prefix=config.pdf_link_prefix
        )
        links[result.number] = link
        if result.is_rendered:
            done.append((result.number, result.content_hash, str(result.pdf)))
    if done:
        state.record_documents(done, run_id=run_id, now=now)
    return Published(links, tuple(problems), len(done))
