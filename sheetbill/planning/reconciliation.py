"""A month's reconciliation: what came into the bank against what sheetbill matched
to invoices, so that month end shows at once the money still to be explained.

Pure. Works on the Payments rows as read and their sheetbill cells (Status, Matched
Invoice, Match Note); totals are exact sums of the rows' Amounts (Decimal, major
units), per currency, never converted.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from sheetbill.domain.payments import PaymentCells, PaymentStatus
from sheetbill.tabs.payments import PaymentRow


class Part(StrEnum):
    """Which part of the report a row counts in; every row is in exactly one, so the
    parts add up to the bank total."""

    # Accounted for, nothing for a person to do: matched to invoices (partly or in
    # full), a refund applied, a payout whose charges are matched on their own rows,
    # a line with nothing to match (a fee, zero).
    MATCHED = "matched"
    # No invoice found, or not matched yet (a row a run has not seen: Status blank).
    UNMATCHED = "unmatched"
    # Matched to nothing for certain, or to more than is open: a person decides
    # (ambiguous, currency mismatch, over-payment).
    EXCEPTION = "exception"


# The Payments Status of each part; a Status not listed (blank, or a word sheetbill
# does not write) is unmatched: nothing is known to have matched it.
PART_OF_STATUS: Mapping[str, Part] = {
    PaymentStatus.MATCHED: Part.MATCHED,
    PaymentStatus.REFUNDED: Part.MATCHED,
    PaymentStatus.PAYOUT: Part.MATCHED,
    PaymentStatus.IGNORED: Part.MATCHED,
    PaymentStatus.UNMATCHED: Part.UNMATCHED,
    PaymentStatus.AMBIGUOUS: Part.EXCEPTION,
    PaymentStatus.CURRENCY_MISMATCH: Part.EXCEPTION,
    PaymentStatus.OVERPAID: Part.EXCEPTION,
}


def part_of(status: str) -> Part:
    """The report's part of a Payments Status as the row shows it (any case and
    spacing); blank or unknown → unmatched."""
    return PART_OF_STATUS.get(" ".join(status.split()).casefold(), Part.UNMATCHED)


@dataclass(frozen=True, slots=True)
class Tally:
    """How many rows and the sum of their Amounts (signed, major units)."""

    count: int = 0
    total: Decimal = Decimal(0)

    def add(self, amount: Decimal) -> Tally:
        return Tally(self.count + 1, self.total + amount)


@dataclass(frozen=True, slots=True)
class CurrencyTotals:
    """One currency's month: the bank total (every row's Amount) split into the
    three parts, and each Status's own tally (blank Status under "")."""

    currency: str
    bank: Tally
    matched: Tally
    unmatched: Tally
    exceptions: Tally
    by_status: Mapping[str, Tally] = field(default_factory=dict)

    @property
    def difference(self) -> Decimal:
        """Bank total less matched total: the money still to be explained (the
        unmatched and exception rows' sum)."""
        return self.bank.total - self.matched.total


@dataclass(frozen=True, slots=True)
class ReconciledRow:
    """A Payments row a person has to look at, as the report lists it."""

    row: int
    row_id: str
    booked: date
    amount: Decimal
    currency: str
    payer: str
    reference: str
    # The Status as the row shows it ("" when a run has not matched it yet).
    status: str
    matched_invoice: str
    note: str
    part: Part


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """A month of the Payments tab, reconciled.

    `currencies`: one per currency with a row in the month, by code. `open`: the
    month's unmatched and exception rows, by Date then row. `carried`: rows of
    earlier months still unmatched or exceptions, by Date then row."""

    month: tuple[int, int]
    first_day: date
    last_day: date
    currencies: tuple[CurrencyTotals, ...]
    open: tuple[ReconciledRow, ...] = ()
    carried: tuple[ReconciledRow, ...] = ()

    @property
    def open_at_month_end(self) -> int:
        """Rows booked up to the month's last day that are still unmatched or an
        exception: the month-end count the metrics keep."""
        return len(self.open) + len(self.carried)


def month_days(month: tuple[int, int]) -> tuple[date, date]:
    """The first and last day of (year, month). Raises ValueError for a month that
    does not exist (13, 0) or a year out of `date`'s range."""
    year, number = month
    first = date(year, number, 1)
    return first, date(year, number, calendar.monthrange(year, number)[1])


def reconcile(
    rows: Sequence[PaymentRow],
    cells: Mapping[int, PaymentCells],
    *,
    month: tuple[int, int],
) -> Reconciliation:
    """The month's rows by Date (from its first to its last day, both included): per
    currency the bank total, the matched, unmatched and exception tallies (which add
    up to it) and their difference; the rows open at month end. `cells`: sheetbill's
    cells of each row by sheet row (a row without any counts as not matched yet).
    Raises ValueError for a month that does not exist."""
    first, last = month_days(month)
    in_month: list[tuple[PaymentRow, PaymentCells | None]] = []
    carried: list[ReconciledRow] = []
    for line in rows:
        shown = cells.get(line.row)
        if first <= line.booked <= last:
            in_month.append((line, shown))
        elif line.booked < first:
            listed = _listed(line, shown)
            if listed.part is not Part.MATCHED:
                carried.append(listed)
    listed_rows = [_listed(line, shown) for line, shown in in_month]
    return Reconciliation(
        month,
        first,
        last,
        _currency_totals(listed_rows),
        _in_order(r for r in listed_rows if r.part is not Part.MATCHED),
        _in_order(carried),
    )


def _listed(line: PaymentRow, cells: PaymentCells | None) -> ReconciledRow:
    status = cells.status.strip() if cells is not None else ""
    return ReconciledRow(
        line.row,
        line.row_id or (cells.row_id if cells is not None else ""),
        line.booked,
        line.amount,
        line.currency.strip().upper(),
        line.payer,
        line.reference,
        status,
        cells.matched_invoice if cells is not None else "",
        cells.note if cells is not None else "",
        part_of(status),
    )


def _currency_totals(rows: Iterable[ReconciledRow]) -> tuple[CurrencyTotals, ...]:
    tallies: dict[str, dict[str, Tally]] = {}
    statuses: dict[str, dict[str, Tally]] = {}
    for row in rows:
        parts = tallies.setdefault(row.currency, {})
        for name in ("bank", row.part.value):
            parts[name] = parts.get(name, Tally()).add(row.amount)
        by_status = statuses.setdefault(row.currency, {})
        status = " ".join(row.status.split()).casefold()
        by_status[status] = by_status.get(status, Tally()).add(row.amount)
    return tuple(
        CurrencyTotals(
            currency,
            parts["bank"],
            parts.get(Part.MATCHED.value, Tally()),
            parts.get(Part.UNMATCHED.value, Tally()),
            parts.get(Part.EXCEPTION.value, Tally()),
            dict(sorted(statuses[currency].items())),
        )
        for currency, parts in sorted(tallies.items())
    )


def _in_order(rows: Iterable[ReconciledRow]) -> tuple[ReconciledRow, ...]:
    return tuple(sorted(rows, key=lambda r: (r.booked, r.row)))
