"""Invoice documents (an adapter): PDFs from templates, payment QR codes, e-invoices.

Entry points: `InvoiceDocument`, `render_invoice_pdf`, `render_many`, `content_hash`."""

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
