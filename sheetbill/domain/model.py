"""The data model: what the workbook's rows mean once validated, and what we plan.

Pure values only (frozen dataclasses, NamedTuples and Enums); no I/O, no clock, no
library types. A record made once per input row (a time entry) is a NamedTuple: as
immutable, and several times cheaper to create than a frozen dataclass.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import NamedTuple

from sheetbill.domain.mail import SendInvoices
from sheetbill.domain.money import Money, Rounding
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.records import makes, new_record
from sheetbill.domain.recurring import RECURRING_TAB
from sheetbill.domain.recurring import source_text as recurring_source_text


class TaxMode(Enum):
    """Whether the prices typed into the sheet include tax."""

    EXCLUSIVE = "exclusive"  # prices are net; tax is added on top (B2B usual)
    INCLUSIVE = "inclusive"  # prices are gross; tax is the part contained in them


class LineGrouping(Enum):
    """How time entries become invoice lines."""

    PROJECT_ACTIVITY = "project+activity"  # one line per project and activity (default)
    ENTRY = "entry"  # one line per time entry, with its description
    PERSON = "person"  # one line per project and person
    DAY = "day"  # one line per project and day


class HoursRounding(Enum):
    """Which way an entry's hours go to the rounding increment."""

    NEAREST = "nearest"  # 0:07 at 0.25 h -> 0.00, 0:08 -> 0.25 (half up)
    UP = "up"  # every started increment is billed
    DOWN = "down"  # only completed increments are billed


class Severity(Enum):
    """How bad a problem is: whether what it is about was done."""

    # Not done: the row was held (nothing billed from it), invoicing stopped, a PDF
    # or an approval not made.
    ERROR = "error"
    # Done anyway (the row billed, the invoice made), but a person should look at it.
    WARNING = "warning"


class TaxCategory(Enum):
    """The VAT category of an invoice line (EN 16931 BT-151, UNTDID 5305 codes)."""

    STANDARD = "S"  # VAT charged at a rate above 0
    ZERO_RATED = "Z"  # taxable, at a rate of 0 % (e.g. some food or books abroad)
    EXEMPT = "E"  # exempt by law (medical, education, small businesses ...)
    REVERSE_CHARGE = "AE"  # the buyer accounts for the VAT (EU B2B services)
    INTRA_COMMUNITY = "K"  # goods sent to a business in another EU member state
    EXPORT = "G"  # goods exported outside the EU
    OUTSIDE_SCOPE = "O"  # not subject to VAT (e.g. services to a buyer outside the EU)


class InvoiceKind(Enum):
    INVOICE = "invoice"  # a bill to the customer
    CREDIT_NOTE = "credit note"  # cancels (part of) an issued invoice


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """One row of the Exceptions tab: where, what is wrong, and how to fix it."""

    # The kind of problem, for scripts and for code deciding what it stops: never
    # the message's words, which may change.
    code: ProblemCode
    tab: str
    row: int | None
    column: str
    value: str
    problem: str
    fix: str
    severity: Severity = Severity.ERROR
    # The customer the problem concerns, so it reaches that customer's Owner.
    customer_id: str | None = None

    @property
    def key(self) -> tuple[str, str, str, str]:
        """Identity across runs: the same problem in the same place is the same row."""
        return (
            self.tab,
            "" if self.row is None else str(self.row),
            self.column,
            self.problem,
        )


@dataclass(frozen=True, slots=True)
class ApprovalThreshold:
    """Settings' Approval Threshold: per currency, the invoice total from which an
    invoice waits for approval. With no amounts, no invoice waits."""

    # At most one amount per currency, as typed.
    amounts: tuple[Money, ...] = ()

    def amount_in(self, currency: str) -> Money | None:
        return next((a for a in self.amounts if a.currency == currency), None)

    def __str__(self) -> str:
        return "; ".join(f"{a.amount:f} {a.currency}" for a in self.amounts)


@dataclass(frozen=True, slots=True)
class Settings:
    """The Settings tab, typed. Every field has a safe default except the company."""

    company_name: str = ""
    # Street and house number (more lines: building, c/o), without postcode and city.
    company_address: str = ""
    company_postcode: str = ""
    company_city: str = ""
    # An ISO 3166-1 alpha-2 code (the Settings row may name the country in words).
    company_country: str = ""
    company_tax_id: str = ""
    # The seller's contact point, which XRechnung requires (BT-41 to BT-43).
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    iban: str = ""
    bic: str = ""
    logo_path: str = ""
    default_currency: str = "EUR"
    default_tax_rate: Decimal = Decimal(0)
    tax_mode: TaxMode = TaxMode.EXCLUSIVE
    terms_days: int = 30
    number_pattern: str = "INV-{yyyy}-{seq:04}"
    credit_note_pattern: str = "CN-{yyyy}-{seq:04}"
    approval_threshold: ApprovalThreshold = ApprovalThreshold()
    approvers: tuple[str, ...] = ()
    billing_owner: str = ""
    reminder_schedule: tuple[int, ...] = (-3, 1, 7, 14, 30)
    # Without the row, invoices wait for a person's `send` (the safe side: an
    # upgraded workbook never starts emailing by itself).
    send_invoices: SendInvoices = SendInvoices.AFTER_REVIEW
    locale: str = "en_US"
    timezone: str = "UTC"
    rounding: Rounding = Rounding.HALF_UP
    hours_increment: Decimal = Decimal("0.25")
    hours_rounding: HoursRounding = HoursRounding.NEAREST
    hours_per_day: Decimal = Decimal(8)
    line_grouping: LineGrouping = LineGrouping.PROJECT_ACTIVITY
    max_hours_per_entry: Decimal = Decimal(24)
    # Settings whose cell could not be read (their default stands in): by field name.
    unreadable: frozenset[str] = frozenset()


FACTUR_X, XRECHNUNG = "factur-x", "xrechnung"
# What an E-Invoice cell may say, folded: ZUGFeRD is Factur-X under its German name.
_E_INVOICE_PROFILES = {
    "": "none",
    "none": "none",
    "no": "none",
    "factur-x": FACTUR_X,
    "facturx": FACTUR_X,
    "zugferd": FACTUR_X,
    "xrechnung": XRECHNUNG,
}


def e_invoice_profile(text: str) -> str | None:
    """`none`, `factur-x` or `xrechnung` for an E-Invoice cell, or None when the
    cell names no e-invoice sheetbill makes."""
    folded = text.strip().casefold().replace("_", "-").replace(" ", "-")
    return _E_INVOICE_PROFILES.get(folded)


@dataclass(frozen=True, slots=True)
class Customer:
    row: int
    customer_id: str
    name: str
    email: str = ""
    cc: str = ""
    # The Street cell: street and house number (more lines: building, c/o), or, in
    # workbooks made before Postcode and City had columns, the whole address.
    address: str = ""
    postcode: str = ""
    city: str = ""
    # An ISO 3166-1 alpha-2 code when the Country cell names a country, else as typed.
    country: str = ""
    currency: str = "EUR"
    tax_id: str = ""
    tax_rate: Decimal | None = None
    tax_mode: TaxMode | None = None
    terms_days: int | None = None
    language: str = "en"
    reminders: bool = True
    e_invoice: str = "none"
    buyer_reference: str = ""
    # Printed on every invoice: reverse charge, a tax-exemption reason.
    invoice_note: str = ""
    owner: str = ""
    is_active: bool = True
    # The Tax Category cell: why the customer's lines are taxed as they are (None:
    # blank, decided from the rate, the countries and the VAT ID; see tax_category).
    tax_category: TaxCategory | None = None
    # False when no email may go to the customer: its Email or CC is not a valid
    # address, or Name, Email or CC holds a line break (a Customers problem on that
    # cell says so). A blank Email is told apart by `email` itself.
    is_mailable: bool = True
    # Other names the customer pays under (the Payer Names cell, split on ";"), for
    # matching payments to it.
    payer_names: tuple[str, ...] = ()
    # The IBANs it pays from (the IBAN cell): valid ones only, spaces removed, upper
    # case.
    ibans: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RateRule:
    """A Rates row: blank Customer/Project/Person/Activity match anything."""

    row: int
    rate: Decimal
    unit: str = "hour"
    customer_id: str = ""
    project: str = ""
    person: str = ""
    activity: str = ""
    currency: str = ""
    valid_from: date | None = None
    valid_to: date | None = None


class SourceRow(NamedTuple):
    """A billable input row: which tab and sheet row, its Row ID and its fingerprint.

    Made twice per billed row (read, then numbered), hence a NamedTuple; the state
    database stores it as an object with these field names (`state.invoice_to_json`).
    """

    tab: str
    row: int
    row_id: str
    # A digest of the row's billing-relevant cells, to notice edits after invoicing.
    fingerprint: str


class TimeEntry(NamedTuple):
    source: SourceRow
    day: date
    person: str
    customer_id: str
    project: str
    activity: str
    hours: Decimal
    description: str
    work_complete: date | None
    rate: RateRule


@makes(SourceRow)
def new_source_row(tab: str, row: int, row_id: str, fingerprint: str) -> SourceRow:
    """A SourceRow, the fast way (see `sheetbill.domain.records`)."""
    return new_record(SourceRow, (tab, row, row_id, fingerprint))


@makes(TimeEntry)
def new_time_entry(
    source: SourceRow,
    day: date,
    person: str,
    customer_id: str,
    project: str,
    activity: str,
    hours: Decimal,
    description: str,
    work_complete: date | None,
    rate: RateRule,
) -> TimeEntry:
    """A TimeEntry, the fast way (see `sheetbill.domain.records`)."""
    return new_record(
        TimeEntry,
        (
            source,
            day,
            person,
            customer_id,
            project,
            activity,
            hours,
            description,
            work_complete,
            rate,
        ),
    )


@dataclass(frozen=True, slots=True)
class Order:
    source: SourceRow
    day: date
    customer_id: str
    item: str
    quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal | None
    description: str
    # The order's own Tax Category cell; None: blank.
    tax_category: TaxCategory | None = None


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    line: int
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    tax_rate: Decimal
    net: Decimal
    tax: Decimal
    total: Decimal
    sources: tuple[SourceRow, ...]
    # Decided when the invoice was planned; None: a 0 % line nothing explains, or a
    # line recorded before categories were (decided from the customer when printed).
    tax_category: TaxCategory | None = None

    @property
    def source_text(self) -> str:
        """E.g. `Time Log T-000001, T-000003` (en dash) `T-000006; Orders O-000002`;
        a plan's line `Recurring P-001, period 2026-11-01`.

        Three or more consecutive Row IDs are one range, joined by an en dash, so
        that a line of thousands of rows still fits one cell (Excel holds 32,767
        characters).
        """
        tabs: dict[str, list[str]] = {}
        for source in self.sources:
            tabs.setdefault(source.tab, []).append(source.row_id)
        return "; ".join(
            "; ".join(recurring_source_text(i) for i in ids)
            if tab == RECURRING_TAB
            else f"{tab} {_ranges(ids)}"
            for tab, ids in tabs.items()
        )


def _ranges(row_ids: list[str]) -> str:
    runs: list[list[str]] = []
    previous: tuple[str, int] | None = None
    for row_id in row_ids:
        prefix, _, digits = row_id.rpartition("-")
        key = (prefix, int(digits)) if digits.isdigit() else None
        if runs and key and previous and key == (previous[0], previous[1] + 1):
            runs[-1].append(row_id)
        else:
            runs.append([row_id])
        previous = key
    return ", ".join(
        f"{run[0]}–{run[-1]}" if len(run) >= 3 else ", ".join(run) for run in runs
    )


@dataclass(frozen=True, slots=True)
class TaxBreakdown:
    """Net and tax of all lines at one tax rate (for the PDF and e-invoices)."""

    rate: Decimal
    net: Decimal
    tax: Decimal


@dataclass(frozen=True, slots=True)
class Invoice:
    """An invoice as planned: numbered, with lines whose amounts add up exactly."""

    number: str
    kind: InvoiceKind
    customer_id: str
    customer_name: str
    currency: str
    issue_date: date
    due_date: date
    tax_mode: TaxMode
    lines: tuple[InvoiceLine, ...]
    net: Decimal
    tax: Decimal
    total: Decimal
    breakdown: tuple[TaxBreakdown, ...]
    work_complete: date | None
    created_by: str = "sheetbill"
    # The first and last day of the work and orders billed: the date of supply (one
    # day) or the service period printed and put into e-invoices (BT-72-74). Decided
    # where the invoice is made; None when unknown (recorded before invoices kept it).
    service_period: tuple[date, date] | None = None

    @property
    def sources(self) -> tuple[SourceRow, ...]:
        return tuple(s for line in self.lines for s in line.sources)


@dataclass(frozen=True, slots=True)
class BilledRow:
    """What the state database remembers of a row it billed."""

    row_id: str
    tab: str
    invoice_no: str
    fingerprint: str


@dataclass(frozen=True, slots=True)
class Counters:
    """What the state database has drawn so far: invoice numbers per series, Row IDs."""

    last_sequence: Mapping[str, int]
    last_row_id: int
