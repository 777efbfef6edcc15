"""The Invoices tab read back as input: what people fill on an invoice's row (Paid,
Send, Approve, Hold, Void, Void Reason, Note) and the cells of sheetbill's a run
checks again or writes only where they differ.

Pure, and it changes nothing: approvals, recovery of interrupted runs, sending and
the write-back take these rows instead of reading the tab's cells themselves.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from sheetbill.domain.cells import (
    CellValueError,
    parse_number,
    parse_text,
    parse_yes_no,
    show,
)
from sheetbill.domain.mail import SendWord
from sheetbill.domain.model import Problem, Settings, Severity
from sheetbill.domain.money import is_currency
from sheetbill.domain.number_words import money_words
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.schema import InvoiceColumns
from sheetbill.domain.sheet import CellValue, SheetRow
from sheetbill.tabs.rows import TabLayout

# sheetbill's cells of a row that a run compares with what it would write: the
# invoice's own details, and those sending fills in (written only where they differ).
SHOWN_COLUMNS = (
    InvoiceColumns.DUE_DATE,
    InvoiceColumns.TOTAL,
    InvoiceColumns.CURRENCY,
    InvoiceColumns.PAID,
    InvoiceColumns.BALANCE,
    InvoiceColumns.SENT_AT,
    InvoiceColumns.REMINDER_STAGE,
    InvoiceColumns.LAST_REMINDER,
)


@dataclass(frozen=True, slots=True)
class InvoiceRow:
    """One row of the Invoices tab that shows an invoice number; texts are trimmed,
    "" where the cell is blank or the tab has no such column."""

    # The sheet row (the header is row 1 in a tab made by sheetbill).
    row: int
    number: str
    # None when the tab has no Customer ID column: a pending invoice's row is then
    # recognised by its number alone.
    customer_id: str | None
    # None when the tab has no Status column: no Status is then set back.
    status: str | None
    pdf: str
    approve: str
    # yes: True; no or blank: False; None when the cell says anything else (what it
    # says is in `hold_text`).
    hold: bool | None
    hold_text: str
    # As Hold.
    void: bool | None
    void_text: str
    void_reason: str
    note: str
    # What was paid so far, in the invoice's currency (blank: 0); None when the cell
    # is not an amount of 0 or more (a problem on its cell says so).
    paid: Decimal | None = Decimal(0)
    paid_text: str = ""
    # None when the cell is not a Send word (a problem says so; read as blank).
    send: SendWord | None = SendWord.NONE
    send_text: str = ""
    # The non-blank cells of SHOWN_COLUMNS, as the tab holds them.
    shown: Mapping[str, CellValue] = field(default_factory=dict, hash=False)


def read_invoices(
    layout: TabLayout | None, *, settings: Settings | None = None
) -> tuple[list[InvoiceRow], list[Problem]]:
    """The rows of the Invoices tab that show an invoice number, in sheet order (a
    number on two rows is on both; `own_rows` reports it), and the problems of
    reading them: a Paid that is not an amount (read in the Settings' locale, the
    row's currency beside it allowed), a Send that is not a Send word. Other cells
    people fill that sheetbill cannot read are judged where they matter (a Void that
    is not yes or no, by approvals)."""
    if layout is None or not layout.columns.has(InvoiceColumns.INVOICE_NO):
        return [], []
    positions = layout.columns.positions
    locale = settings.locale if settings is not None else "en_US"

    def cell(row: SheetRow, column: str) -> CellValue:
        at = positions.get(column)
        return None if at is None else row.get(at)

    def text_or_none(row: SheetRow, column: str) -> str | None:
        return parse_text(cell(row, column)) if column in positions else None

    rows: list[InvoiceRow] = []
    problems: list[Problem] = []
    for sheet_row in layout.table.rows:
        number = parse_text(cell(sheet_row, InvoiceColumns.INVOICE_NO))
        if not number:
            continue
        hold = cell(sheet_row, InvoiceColumns.HOLD)
        void = cell(sheet_row, InvoiceColumns.VOID)
        shown = {c: v for c in SHOWN_COLUMNS if (v := cell(sheet_row, c)) is not None}
        paid_cell = cell(sheet_row, InvoiceColumns.PAID)
        send_cell = cell(sheet_row, InvoiceColumns.SEND)
        row = InvoiceRow(
            row=sheet_row.number,
            number=number,
            customer_id=text_or_none(sheet_row, InvoiceColumns.CUSTOMER_ID),
            status=text_or_none(sheet_row, InvoiceColumns.STATUS),
            pdf=parse_text(cell(sheet_row, InvoiceColumns.PDF)),
            approve=parse_text(cell(sheet_row, InvoiceColumns.APPROVE)),
            hold=_yes_no(hold),
            hold_text=parse_text(hold),
            void=_yes_no(void),
            void_text=parse_text(void),
            void_reason=parse_text(cell(sheet_row, InvoiceColumns.VOID_REASON)),
            note=parse_text(cell(sheet_row, InvoiceColumns.NOTE)),
            paid=_paid(paid_cell, shown.get(InvoiceColumns.CURRENCY), locale),
            paid_text=show(paid_cell).strip(),
            send=_send_word(send_cell),
            send_text=parse_text(send_cell),
            shown=shown,
        )
        rows.append(row)
        problems += _row_problems(row, layout.tab, locale)
    return rows, problems


def _yes_no(value: CellValue) -> bool | None:
    try:
        return parse_yes_no(value)
    except CellValueError:
        return None


def _paid(value: CellValue, currency: CellValue, locale: str) -> Decimal | None:
    """The Paid cell as an amount; its currency's code or sign may stand beside it.
    None for a negative amount (a refund is not a payment: it would lower Paid
    below what a receipt thanked for) and for text with an exponent: `1e4` typed
    is no plausible amount (a numeric cell holding 10000 is)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return Decimal(0)
    if isinstance(value, str) and _EXPONENT.search(value):
        return None
    code = parse_text(currency).upper()
    try:
        if is_currency(code):
            words = money_words(code, locale, f"the invoice is in {code}")
            amount = parse_number(value, locale=locale, words=words)
        else:
            amount = parse_number(value, locale=locale)
    except CellValueError:
        return None
    return amount if amount >= 0 else None


# A digit, e or E, then a (signed) digit: how `1e4` or `1.2E+3` is written.
_EXPONENT = re.compile(r"\d\s*[eE]\s*[-+]?\s*\d")


def _send_word(value: CellValue) -> SendWord | None:
    folded = " ".join(parse_text(value).split()).casefold()
    return next((w for w in SendWord if w.value == folded), None)


def _row_problems(row: InvoiceRow, tab: str, locale: str) -> list[Problem]:
    problems = []
    if row.paid is None:
        problems.append(
            Problem(
                code=ProblemCode.INVOICES_BAD_PAID,
                tab=tab,
                row=row.row,
                column=InvoiceColumns.PAID,
                value=row.paid_text,
                problem=f"Paid of {row.number} is not an amount of 0 or more "
                "(a number written with an exponent, e.g. 1e4, is not taken): "
                f"nothing is emailed about {row.number}, and its Status and Balance "
                "stay as they are, until it is.",
                fix="Type what was paid so far as a number, e.g. 1190.00, as your "
                f"locale {locale} writes numbers (blank: nothing paid).",
                customer_id=row.customer_id or None,
            )
        )
    if row.send is None:
        problems.append(
            Problem(
                code=ProblemCode.INVOICES_BAD_SEND,
                tab=tab,
                row=row.row,
                column=InvoiceColumns.SEND,
                value=row.send_text,
                problem=f"Send of {row.number} is not send, sent or resend: it is "
                "read as blank.",
                fix="Choose send (email the invoice), sent (it reached the customer) "
                "or resend (an email that needs review did not arrive: send it once "
                "more), or leave it blank.",
                severity=Severity.WARNING,
                customer_id=row.customer_id or None,
            )
        )
    return problems
