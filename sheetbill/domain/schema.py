"""The tabs and columns of a sheetbill workbook (DESIGN.md); how headers are matched.

One place names every tab and column: reading, validation, `sheetbill init` and the
demo workbook all take them from here. Headers match case- and space-insensitively, and
through aliases (built in, plus those from config).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Final

from sheetbill.domain.sheet import ColumnFormat, ColumnSpec, TabSpec


class Owner(Enum):
    """Who fills a column: humans or sheetbill. sheetbill never writes a HUMAN cell."""

    HUMAN = "human"  # typed by people; sheetbill only reads it
    SHEETBILL = "sheetbill"  # written by sheetbill, marked (S) or on an output tab


@dataclass(frozen=True, slots=True)
class Column:
    """A column sheetbill knows: its header, aliases, owner, format and dropdown."""

    name: str
    owner: Owner = Owner.HUMAN
    format: ColumnFormat = ColumnFormat.TEXT
    width: float = 14.0
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    required: bool = False

    def spec(self) -> ColumnSpec:
        return ColumnSpec(
            header=self.name, format=self.format, width=self.width, choices=self.choices
        )


@dataclass(frozen=True, slots=True)
class TabSchema:
    """A tab sheetbill knows: name, aliases, columns, and whether sheetbill owns it."""

    name: str
    columns: tuple[Column, ...]
    is_output: bool = False
    aliases: tuple[str, ...] = ()

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    def spec(self) -> TabSpec:
        return TabSpec(name=self.name, columns=tuple(c.spec() for c in self.columns))


YES_NO = ("yes", "no")
# The Tax Category dropdown (`tax_category.CATEGORY_NAMES`, in that order).
TAX_CATEGORY_CHOICES = (
    "standard",
    "zero rated",
    "exempt",
    "reverse charge",
    "intra-community supply",
    "export",
    "outside scope",
)
S = Owner.SHEETBILL
D, DT, M, N, INT = (
    ColumnFormat.DATE,
    ColumnFormat.DATETIME,
    ColumnFormat.MONEY,
    ColumnFormat.NUMBER,
    ColumnFormat.INTEGER,
)


# The headers of the tabs sheetbill writes, as constants: the output tabs' schemas below
# are built from them, and writeback and the output-tab readers name columns only
# through them, so a header is spelled in one place.
class BilledColumns:
    """sheetbill's (S) columns on a billed Time Log or Orders row."""

    INVOICE_NO: Final = "Invoice No"
    ROW_ID: Final = "Row ID"


class InvoiceColumns:
    """The Invoices tab's headers: sheetbill's, then those people fill (Approve on)."""

    INVOICE_NO: Final = "Invoice No"
    KIND: Final = "Kind"
    ISSUE_DATE: Final = "Issue Date"
    DUE_DATE: Final = "Due Date"
    CUSTOMER_ID: Final = "Customer ID"
    CUSTOMER: Final = "Customer"
    CURRENCY: Final = "Currency"
    NET: Final = "Net"
    TAX: Final = "Tax"
    TOTAL: Final = "Total"
    PAID: Final = "Paid"
    BALANCE: Final = "Balance"
    STATUS: Final = "Status"
    PDF: Final = "PDF"
    SENT_AT: Final = "Sent At"
    REMINDER_STAGE: Final = "Reminder Stage"
    LAST_REMINDER: Final = "Last Reminder"
    WORK_COMPLETE: Final = "Work Complete"
    CREATED_BY: Final = "Created By"
    SEND: Final = "Send"
    APPROVE: Final = "Approve"
    HOLD: Final = "Hold"
    VOID: Final = "Void"
    VOID_REASON: Final = "Void Reason"
    NOTE: Final = "Note"


class InvoiceLineColumns:
    """The Invoice Lines tab's headers."""

    INVOICE_NO: Final = "Invoice No"
    LINE: Final = "Line"
    SOURCE: Final = "Source"
    DESCRIPTION: Final = "Description"
    QUANTITY: Final = "Quantity"
    UNIT: Final = "Unit"
    UNIT_PRICE: Final = "Unit Price"
    TAX_RATE: Final = "Tax Rate"
    NET: Final = "Net"
    TAX: Final = "Tax"
    TOTAL: Final = "Total"


class ExceptionColumns:
    """The Exceptions tab's headers: all sheetbill's but Status, which people set."""

    OPENED: Final = "Opened"
    SEVERITY: Final = "Severity"
    TAB: Final = "Tab"
    ROW: Final = "Row"
    COLUMN: Final = "Column"
    VALUE: Final = "Value"
    PROBLEM: Final = "Problem"
    FIX: Final = "Fix"
    OWNER: Final = "Owner"
    STATUS: Final = "Status"
    CLOSED: Final = "Closed"
    ROW_KEY: Final = "Row Key"


class PaymentColumns:
    """The Payments tab's headers: those people fill (or `payments import` appends),
    then sheetbill's (S) ones."""

    DATE: Final = "Date"
    AMOUNT: Final = "Amount"
    CURRENCY: Final = "Currency"
    PAYER: Final = "Payer"
    PAYER_ACCOUNT: Final = "Payer Account"
    REFERENCE: Final = "Reference"
    METHOD: Final = "Method"
    INVOICE_NO: Final = "Invoice No"
    FEE: Final = "Fee"
    PAYOUT: Final = "Payout"
    TRANSACTION_ID: Final = "Transaction ID"
    MATCHED_INVOICE: Final = "Matched Invoice"
    STATUS: Final = "Status"
    MATCH_NOTE: Final = "Match Note"
    RECEIPT_SENT: Final = "Receipt Sent"
    ROW_ID: Final = "Row ID"


class RecurringColumns:
    """The Recurring tab's headers: those people fill, then sheetbill's (S) ones."""

    PLAN_ID: Final = "Plan ID"
    CUSTOMER_ID: Final = "Customer ID"
    DESCRIPTION: Final = "Description"
    QUANTITY: Final = "Quantity"
    UNIT_PRICE: Final = "Unit Price"
    FREQUENCY: Final = "Frequency"
    INTERVAL: Final = "Interval"
    DAY: Final = "Day"
    START: Final = "Start"
    END: Final = "End"
    COUNT: Final = "Count"
    BILLING: Final = "Billing"
    INCLUDED_HOURS: Final = "Included Hours"
    PROJECT: Final = "Project"
    MAX_ROLLOVER_HOURS: Final = "Max Rollover Hours"
    AUTO_SEND: Final = "Auto Send"
    ACTIVE: Final = "Active"
    NEXT_DATE: Final = "Next Date"
    LAST_INVOICE: Final = "Last Invoice"


class LogColumns:
    """The Log tab's headers."""

    TIME: Final = "Time"
    TIME_ZONE: Final = "Time Zone"
    RUN_ID: Final = "Run ID"
    ACTION: Final = "Action"
    INVOICE: Final = "Invoice"
    DETAIL: Final = "Detail"


SETTINGS = TabSchema(
    "Settings",
    (
        Column("Key", width=28, required=True, aliases=("setting", "name")),
        Column("Value", width=44),
        Column("Help", width=60, aliases=("notes", "description")),
    ),
)
CUSTOMERS = TabSchema(
    "Customers",
    (
        Column("Customer ID", required=True, aliases=("customer", "client id", "id")),
        Column("Name", width=28, required=True, aliases=("customer name", "company")),
        Column("Email", width=28, aliases=("e-mail", "mail")),
        Column("CC", width=20),
        # Street and house number; workbooks made before Postcode and City had
        # columns call it Address and may hold the whole address there.
        Column("Street", width=30, aliases=("address", "street address")),
        Column("Postcode", width=10, aliases=("postal code", "zip", "zip code", "plz")),
        Column("City", width=16, aliases=("town",)),
        Column("Country", width=10),
        Column("Currency", width=10),
        Column("Tax ID", aliases=("vat id", "vat number", "tax number")),
        Column("Tax Rate", format=N, width=10, aliases=("vat rate", "vat")),
        # Not in DESIGN.md's list: lets one customer be billed tax-inclusive while the
        # Settings say exclusive (blank = the Settings' Tax Mode).
        Column("Tax Mode", width=11, choices=("exclusive", "inclusive")),
        # Not in DESIGN.md's list: why the customer's lines are taxed as they are
        # (reverse charge, exempt ...); blank = decided from the rate and countries.
        Column(
            "Tax Category",
            width=18,
            choices=TAX_CATEGORY_CHOICES,
            aliases=("vat category", "tax treatment"),
        ),
        Column("Terms Days", format=INT, width=10, aliases=("payment terms",)),
        Column("Language", width=10, choices=("en", "de", "fr", "es")),
        Column("Reminders", width=10, choices=("on", "off")),
        Column("E-Invoice", width=12, choices=("none", "factur-x", "xrechnung")),
        Column("Buyer Reference", width=18),
        # Printed on every invoice of the customer (reverse charge, why no tax is
        # charged); carried into e-invoices as a note and the VAT exemption reason.
        Column(
            "Invoice Note",
            width=36,
            aliases=("note on invoice", "exemption reason", "tax exemption reason"),
        ),
        # Other names the customer pays under (a parent company, an owner's own
        # account), separated by ";": payments from them are the customer's.
        Column(
            "Payer Names",
            width=24,
            aliases=("pays as", "also pays as", "payer name"),
        ),
        # The accounts it pays from, separated by ";".
        Column("IBAN", width=28, aliases=("ibans", "bank account")),
        Column("Owner", width=24),
        Column("Status", width=10, choices=("active", "inactive")),
        Column("Notes", width=30),
    ),
    aliases=("clients",),
)
RATES = TabSchema(
    "Rates",
    (
        Column("Customer ID", aliases=("customer", "client id")),
        Column("Project"),
        Column("Person"),
        Column("Activity"),
        Column("Rate", format=M, required=True, aliases=("price", "hourly rate")),
        Column("Unit", width=8, choices=("hour", "day", "item")),
        Column("Currency", width=10),
        Column("Valid From", format=D, width=12),
        Column("Valid To", format=D, width=12),
    ),
)
TIME_LOG = TabSchema(
    "Time Log",
    (
        Column("Date", format=D, width=12, required=True),
        Column("Person", required=True, aliases=("employee", "who")),
        Column("Customer ID", required=True, aliases=("customer", "client id")),
        Column("Project"),
        Column("Activity", aliases=("task",)),
        Column("Hours", format=N, width=8, aliases=("duration",)),
        Column("Start", format=ColumnFormat.TEXT, width=8),
        Column("End", format=ColumnFormat.TEXT, width=8),
        Column("Description", width=36),
        Column("Billable", width=9, choices=YES_NO),
        Column("Approved", width=9, choices=YES_NO),
        Column("Work Complete", format=D, width=13),
        Column(
            BilledColumns.INVOICE_NO,
            owner=S,
            width=15,
            aliases=("invoice", "invoice number"),
        ),
        Column(BilledColumns.ROW_ID, owner=S, width=12),
    ),
    aliases=("timelog", "time", "timesheet", "time sheet"),
)
ORDERS = TabSchema(
    "Orders",
    (
        Column("Date", format=D, width=12, required=True),
        Column("Customer ID", required=True, aliases=("customer", "client id")),
        Column("Item", width=20, required=True),
        Column("Quantity", format=N, width=9, required=True, aliases=("qty",)),
        Column("Unit Price", format=M, width=12, aliases=("price",)),
        Column("Tax Rate", format=N, width=9, aliases=("vat rate",)),
        Column("Description", width=36),
        Column(
            BilledColumns.INVOICE_NO,
            owner=S,
            width=15,
            aliases=("invoice", "invoice number"),
        ),
        Column(BilledColumns.ROW_ID, owner=S, width=12),
        # Not in DESIGN.md's list: the order's own VAT category (goods sent to an EU
        # business, an exempt item); blank = the customer's. Last, so that
        # older Orders tabs and their rows keep their places.
        Column(
            "Tax Category",
            width=18,
            choices=TAX_CATEGORY_CHOICES,
            aliases=("vat category", "tax treatment"),
        ),
    ),
)
R = RecurringColumns
RECURRING = TabSchema(
    "Recurring",
    (
        Column(R.PLAN_ID, required=True, aliases=("plan",)),
        Column(R.CUSTOMER_ID, required=True, aliases=("customer",)),
        Column(R.DESCRIPTION, width=30),
        Column(R.QUANTITY, format=N, width=9, aliases=("qty",)),
        Column(R.UNIT_PRICE, format=M, width=12, aliases=("price",)),
        Column(
            R.FREQUENCY,
            width=11,
            choices=("weekly", "monthly", "quarterly", "yearly"),
        ),
        # Every N weeks, months, quarters or years (blank: 1).
        Column(R.INTERVAL, format=INT, width=9, aliases=("every",)),
        # A day of the month (1-31, or "last"); weekly: 1 (Monday) to 7 (Sunday).
        Column(R.DAY, width=6),
        Column(R.START, format=D, width=12, aliases=("start date",)),
        Column(R.END, format=D, width=12, aliases=("end date",)),
        # At most this many periods.
        Column(R.COUNT, format=INT, width=8, aliases=("periods",)),
        Column(R.BILLING, width=11, choices=("in advance", "in arrears")),
        Column(R.INCLUDED_HOURS, format=N, width=10),
        # Not in DESIGN.md's list: a retainer's project (blank: all the customer's
        # time rows) and how many unused hours carry to the next period.
        Column(R.PROJECT, width=18),
        Column(R.MAX_ROLLOVER_HOURS, format=N, width=10, aliases=("rollover hours",)),
        Column(R.AUTO_SEND, width=9, choices=YES_NO),
        Column(R.ACTIVE, width=8, choices=YES_NO),
        Column(R.NEXT_DATE, owner=S, format=D, width=12),
        Column(R.LAST_INVOICE, owner=S, width=15),
    ),
    aliases=("recurring plans", "plans", "subscriptions"),
)
PAYMENTS = TabSchema(
    "Payments",
    (
        Column(
            PaymentColumns.DATE,
            format=D,
            width=12,
            required=True,
            aliases=("booking date", "paid on"),
        ),
        Column(PaymentColumns.AMOUNT, format=M, width=12, required=True),
        Column(PaymentColumns.CURRENCY, width=10),
        Column(PaymentColumns.PAYER, width=24, aliases=("payer name", "counterparty")),
        # The payer's IBAN or account number, as the bank names it.
        Column(PaymentColumns.PAYER_ACCOUNT, width=24, aliases=("iban",)),
        Column(
            PaymentColumns.REFERENCE,
            width=28,
            aliases=("remittance information", "purpose", "memo"),
        ),
        Column(PaymentColumns.METHOD, width=12, aliases=("payment method",)),
        # The invoice (or invoices, comma separated) a person says it pays: it wins
        # over every matching rule.
        Column(
            PaymentColumns.INVOICE_NO, width=15, aliases=("invoice", "invoice number")
        ),
        # A processor's fee on the payment (Stripe, PayPal); the invoice is settled
        # by the Amount, the fee recorded for the books.
        Column(PaymentColumns.FEE, format=M, width=10),
        # The processor's payout that carried the payment to the bank.
        Column(PaymentColumns.PAYOUT, width=16),
        Column(PaymentColumns.TRANSACTION_ID, width=18, aliases=("transaction",)),
        Column(PaymentColumns.MATCHED_INVOICE, owner=S, width=15),
        Column(PaymentColumns.STATUS, owner=S, width=12),
        # Why it matched (the rule and the text it matched), or why it did not.
        Column(PaymentColumns.MATCH_NOTE, owner=S, width=48),
        Column(PaymentColumns.RECEIPT_SENT, owner=S, format=DT, width=16),
        Column(PaymentColumns.ROW_ID, owner=S, width=12),
    ),
)
INVOICE_STATUSES = (
    "draft",
    "awaiting approval",
    "approved",
    "sent",
    "partially paid",
    "paid",
    "overdue",
    "on hold",
    "void",
    "needs review",
)
# The Send dropdown: `sheetbill.domain.mail.SendWord`, blank left out.
SEND_WORDS = ("send", "sent", "resend")
INVOICES = TabSchema(
    "Invoices",
    (
        Column(InvoiceColumns.INVOICE_NO, owner=S, width=15),
        Column(InvoiceColumns.KIND, owner=S, width=11),
        Column(InvoiceColumns.ISSUE_DATE, owner=S, format=D, width=12),
        Column(InvoiceColumns.DUE_DATE, owner=S, format=D, width=12),
        Column(InvoiceColumns.CUSTOMER_ID, owner=S, width=12),
        Column(InvoiceColumns.CUSTOMER, owner=S, width=28),
        Column(InvoiceColumns.CURRENCY, owner=S, width=9),
        Column(InvoiceColumns.NET, owner=S, format=M, width=12),
        Column(InvoiceColumns.TAX, owner=S, format=M, width=12),
        Column(InvoiceColumns.TOTAL, owner=S, format=M, width=12),
        # sheetbill's by DESIGN.md (matched payments will fill it); until then a
        # person types what was paid so far: sheetbill writes 0 on a new row (the
        # cell then carries the currency's format) and never writes it again.
        Column(InvoiceColumns.PAID, owner=S, format=M, width=12),
        Column(InvoiceColumns.BALANCE, owner=S, format=M, width=12),
        Column(InvoiceColumns.STATUS, owner=S, width=16, choices=INVOICE_STATUSES),
        Column(InvoiceColumns.PDF, owner=S, width=24),
        Column(InvoiceColumns.SENT_AT, owner=S, format=DT, width=16),
        Column(InvoiceColumns.REMINDER_STAGE, owner=S, width=10),
        Column(InvoiceColumns.LAST_REMINDER, owner=S, format=D, width=12),
        Column(InvoiceColumns.WORK_COMPLETE, owner=S, format=D, width=13),
        Column(InvoiceColumns.CREATED_BY, owner=S, width=14),
        # What a person tells sheetbill about emailing the invoice (`SendWord`).
        Column(InvoiceColumns.SEND, width=9, choices=SEND_WORDS),
        Column(InvoiceColumns.APPROVE, width=14),
        Column(InvoiceColumns.HOLD, width=8, choices=YES_NO),
        Column(InvoiceColumns.VOID, width=8, choices=YES_NO),
        Column(InvoiceColumns.VOID_REASON, width=24),
        Column(InvoiceColumns.NOTE, width=30),
    ),
    is_output=True,
)
INVOICE_LINES = TabSchema(
    "Invoice Lines",
    (
        Column(InvoiceLineColumns.INVOICE_NO, owner=S, width=15),
        Column(InvoiceLineColumns.LINE, owner=S, format=INT, width=6),
        Column(InvoiceLineColumns.SOURCE, owner=S, width=30),
        Column(InvoiceLineColumns.DESCRIPTION, owner=S, width=40),
        Column(InvoiceLineColumns.QUANTITY, owner=S, format=N, width=9),
        Column(InvoiceLineColumns.UNIT, owner=S, width=7),
        Column(InvoiceLineColumns.UNIT_PRICE, owner=S, format=M, width=12),
        Column(InvoiceLineColumns.TAX_RATE, owner=S, format=N, width=9),
        Column(InvoiceLineColumns.NET, owner=S, format=M, width=12),
        Column(InvoiceLineColumns.TAX, owner=S, format=M, width=12),
        Column(InvoiceLineColumns.TOTAL, owner=S, format=M, width=12),
    ),
    is_output=True,
)
EXCEPTION_STATUSES = ("open", "in progress", "ignored", "done")
EXCEPTIONS = TabSchema(
    "Exceptions",
    (
        Column(ExceptionColumns.OPENED, owner=S, format=D, width=12),
        Column(ExceptionColumns.SEVERITY, owner=S, width=9),
        Column(ExceptionColumns.TAB, owner=S, width=12),
        Column(ExceptionColumns.ROW, owner=S, format=INT, width=6),
        Column(ExceptionColumns.COLUMN, owner=S, width=14),
        Column(ExceptionColumns.VALUE, owner=S, width=18),
        # Wrapped: a long message is read whole, not cut at the next column.
        Column(
            ExceptionColumns.PROBLEM,
            owner=S,
            format=ColumnFormat.WRAPPED_TEXT,
            width=48,
        ),
        Column(
            ExceptionColumns.FIX, owner=S, format=ColumnFormat.WRAPPED_TEXT, width=48
        ),
        Column(ExceptionColumns.OWNER, owner=S, width=24),
        Column(ExceptionColumns.STATUS, width=12, choices=EXCEPTION_STATUSES),
        # Not in DESIGN.md's list: where sheetbill records that the problem is gone, so
        # that the human-owned Status is never overwritten (docs/decisions.md).
        Column(ExceptionColumns.CLOSED, owner=S, format=D, width=12),
        # Not in DESIGN.md's list either: which row the problem is on, beyond its
        # number, so that an ignored problem never stands for another row's.
        Column(ExceptionColumns.ROW_KEY, owner=S, width=12),
    ),
    is_output=True,
)
LOG = TabSchema(
    "Log",
    (
        # The shop's wall-clock time (Settings Timezone); the zone and offset beside
        # it, since a cell holds no zone (docs/decisions.md).
        Column(LogColumns.TIME, owner=S, format=DT, width=17),
        Column(LogColumns.TIME_ZONE, owner=S, width=28),
        Column(LogColumns.RUN_ID, owner=S, width=14),
        Column(LogColumns.ACTION, owner=S, width=18),
        Column(LogColumns.INVOICE, owner=S, width=15),
        Column(LogColumns.DETAIL, owner=S, width=60),
    ),
    is_output=True,
)
DASHBOARD = TabSchema(
    "Dashboard",
    (
        Column("Month", owner=S, width=10),
        Column("Metric", owner=S, width=36),
        Column("Value", owner=S, format=N, width=14),
    ),
    is_output=True,
)

INPUT_TABS = (SETTINGS, CUSTOMERS, RATES, TIME_LOG, ORDERS, RECURRING, PAYMENTS)
OUTPUT_TABS = (INVOICES, INVOICE_LINES, EXCEPTIONS, LOG, DASHBOARD)
ALL_TABS = INPUT_TABS + OUTPUT_TABS


def normalize_header(text: str) -> str:
    """Fold a header for matching: case, spaces, underscores and dots do not count."""
    return re.sub(r"[\s_.\-]+", " ", text).strip().casefold()


@dataclass(frozen=True, slots=True)
class ColumnMap:
    """Where each known column of one tab stands (0-based), as found in its headers."""

    tab: str
    positions: Mapping[str, int]
    # Canonical names of known columns the tab does not have.
    missing: tuple[str, ...]
    # Known columns whose header appears twice; the first wins.
    duplicated: tuple[str, ...]

    def has(self, name: str) -> bool:
        return name in self.positions


def match_tab(
    schema: TabSchema, tab_names: Sequence[str], extra_aliases: Sequence[str] = ()
) -> str | None:
    """The workbook tab that is this schema's tab, by name or alias, or None."""
    wanted = {
        normalize_header(n) for n in (schema.name, *schema.aliases, *extra_aliases)
    }
    for name in tab_names:
        if normalize_header(name) in wanted:
            return name
    return None


def map_columns(
    schema: TabSchema,
    tab: str,
    headers: Sequence[str],
    extra_aliases: Mapping[str, Sequence[str]] | None = None,
) -> ColumnMap:
    """Locate the schema's columns among a tab's headers, in any order."""
    extra_aliases = extra_aliases or {}
    by_text: dict[str, list[int]] = {}
    for index, header in enumerate(headers):
        if header:
            by_text.setdefault(normalize_header(header), []).append(index)
    positions: dict[str, int] = {}
    duplicated: list[str] = []
    claimed: set[int] = set()
    # Exact names first, so an alias never steals a column that is named properly.
    for column in schema.columns:
        found = by_text.get(normalize_header(column.name), [])
        if found:
            positions[column.name] = found[0]
            claimed.add(found[0])
            if len(found) > 1:
                duplicated.append(column.name)
    for column in schema.columns:
        if column.name in positions:
            continue
        names = (*column.aliases, *extra_aliases.get(column.name, ()))
        for alias in names:
            free = [
                i for i in by_text.get(normalize_header(alias), []) if i not in claimed
            ]
            if free:
                positions[column.name] = free[0]
                claimed.add(free[0])
                break
    missing = tuple(c.name for c in schema.columns if c.name not in positions)
    return ColumnMap(
        tab=tab, positions=positions, missing=missing, duplicated=tuple(duplicated)
    )
