"""Invoice documents (an adapter): PDFs from templates, payment QR codes, e-invoices.

Entry points: `InvoiceDocument`, `render_invoice_pdf`, `render_many`, `content_hash`.
They load on first use, so a run that renders nothing (a dry run, `documents = false`)
does not pay for importing WeasyPrint (a second or more on a small machine).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sheetbill.documents.context import InvoiceDocument
    from sheetbill.documents.einvoice import cii_xml, write_xrechnung_xml
    from sheetbill.documents.files import pdf_path
    from sheetbill.documents.pool import RenderResult, content_hash, render_many
    from sheetbill.documents.render import (
        DEFAULT_TEMPLATES,
        render_html,
        render_invoice_pdf,
        render_pdf_bytes,
    )

_MODULE_OF = {
    "DEFAULT_TEMPLATES": "render",
    "InvoiceDocument": "context",
    "RenderResult": "pool",
    "cii_xml": "einvoice",
    "content_hash": "pool",
    "pdf_path": "files",
    "render_html": "render",
    "render_invoice_pdf": "render",
    "render_many": "pool",
    "render_pdf_bytes": "render",
    "write_xrechnung_xml": "einvoice",
}

__all__ = [
    "DEFAULT_TEMPLATES",
    "InvoiceDocument",
    "RenderResult",
    "cii_xml",
    "content_hash",
    "pdf_path",
    "render_html",
    "render_invoice_pdf",
    "render_many",
    "render_pdf_bytes",
    "write_xrechnung_xml",
]


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
