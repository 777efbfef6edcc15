"""Planning invoices: billable rows grouped per customer and currency into lines.

Pure and deterministic: the same rows, date and counters give the same invoices. Amounts
follow the rounding rule of `money`: each line rounded, tax per rate on the rounded
lines, spread back so lines, net, tax and total always add up exactly. A line's amount
is computed from its quantity as billed and printed (`billed_quantity`), so the printed
quantity times the printed unit price gives the printed amount.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from operator import attrgetter
from typing import NamedTuple

from sheetbill.domain.cells import MAX_CELL_TEXT
from sheetbill.domain.model import (
    Counters,
    Customer,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    LineGrouping,
    Order,
    Problem,
    Settings,
    Severity,
    SourceRow,
    TaxBreakdown,
    TaxCategory,
    TaxMode,
    TimeEntry,
    new_source_row,
)
from sheetbill.domain.money import (
    HUNDRED,
    allocate,
    quantum,
    round_money,
    sum_amounts,
)
from sheetbill.domain.numbering import NumberPattern
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.quantities import billed_quantity, round_hours
from sheetbill.domain.records import makes, new_record
from sheetbill.domain.row_ids import ROW_ID_PREFIX
from sheetbill.domain.tax_category import LineTax, is_outside_scope, line_tax


class PricedItem(NamedTuple):
    """One billable thing before lines are formed: a time entry, an order row, a
    recurring plan's period or part of a retainer's hours."""

    group: tuple[str, ...]
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    tax_rate: Decimal
    # None: a quantity no row is the source of (a retainer's included hours that a
    # row crossing the included amount used: that row is a source of the extra
    # hours' line only).
    source: SourceRow | None
    # Time before orders, then by date and sheet row.
    sort_key: tuple[int, date, int]
    # The line's VAT category (`tax_category.line_tax`); None: 0 % and unexplained.
    tax_category: TaxCategory | None = None


@makes(PricedItem)
def new_priced_item(
    group: tuple[str, ...],
    description: str,
    quantity: Decimal,
    unit: str,
    unit_price: Decimal,
    tax_rate: Decimal,
    source: SourceRow | None,
    sort_key: tuple[int, date, int],
    tax_category: TaxCategory | None,
) -> PricedItem:
    """A PricedItem, the fast way (see `sheetbill.domain.records`): one per entry."""
    return new_record(
        PricedItem,
        (
            group,
            description,
            quantity,
            unit,
            unit_price,
            tax_rate,
            source,
            sort_key,
            tax_category,
        ),
    )


@dataclass(frozen=True, slots=True)
class LineAmounts:
    net: Decimal
    tax: Decimal
    total: Decimal


TimePricer = Callable[[TimeEntry, LineTax, SourceRow], PricedItem]


def _time_pricer(settings: Settings) -> TimePricer:
    """Turns a time entry into its item, at the customer's tax rate. Made once per run,
    so how lines are grouped is decided once, not per entry."""
    hours_per_day = settings.hours_per_day
    grouping = settings.line_grouping
    by = _LINE_GROUPING_BY.get(grouping, "activity")

    def time_item(entry: TimeEntry, tax: LineTax, source: SourceRow) -> PricedItem:
        rate = entry.rate
        quantity = round_hours(entry.hours, settings)
        if rate.unit == "day":
            # Exact here; the line's sum of days is rounded once, in price_lines.
            quantity = quantity / hours_per_day
        if grouping is LineGrouping.ENTRY:
            project = entry.project or "Services"
            headline = f"{project} – {entry.activity}" if entry.activity else project
            detail = f" ({entry.person})" if entry.person else ""
            text = entry.description or headline
            group: tuple[str, ...] = ("time", source.tab, str(source.row))
            description = f"{entry.day.isoformat()} {text}{detail}"
        elif by == "person":
            group, description = _line_of(by, entry.project, entry.person)
        elif by == "day":
            group, description = _line_of(by, entry.project, entry.day.isoformat())
        else:
            group, description = _line_of(by, entry.project, entry.activity)
        return new_priced_item(
            group,
            description,
            quantity,
            rate.unit,
            rate.rate,
            tax.rate,
            source,
            (0, entry.day, source.row),
            tax.category,
        )

    return time_item


_LINE_GROUPING_BY = {LineGrouping.PERSON: "person", LineGrouping.DAY: "day"}


@functools.lru_cache(maxsize=4096)
def _line_of(by: str, project: str, detail: str) -> tuple[tuple[str, ...], str]:
    """The line a time entry joins (group key, description) when lines gather entries
    of a project by activity, person or day. Remembered: thousands of entries share
    a few lines."""
    project = project or "Services"
    if by == "activity":
        headline = f"{project} – {detail}" if detail else project
        return ("time", project.casefold(), detail.casefold()), headline
    return ("time", project.casefold(), detail.casefold()), f"{project} – {detail}"


def _order_item(
    order: Order, customer: Customer, settings: Settings, source: SourceRow
) -> PricedItem:
    description = (
        f"{order.item}: {order.description}" if order.description else order.item
    )
    tax = line_tax(customer, settings, order.tax_rate, order.tax_category)
    return PricedItem(
        group=("order", order.source.tab, str(order.source.row)),
        description=description,
        quantity=order.quantity,
        unit="item",
        unit_price=order.unit_price,
        tax_rate=tax.rate,
        source=source,
        sort_key=(1, order.day, source.row),
        tax_category=tax.category,
    )


def price_lines(
    items: Sequence[PricedItem], *, currency: str, tax_mode: TaxMode, settings: Settings
) -> tuple[list[InvoiceLine], list[TaxBreakdown]]:
    """Group items into lines and compute every amount under the rounding rule."""
    grouped: dict[tuple[object, ...], list[PricedItem]] = {}
    for item in sorted(items, key=attrgetter("sort_key")):
        key = (item.group, item.unit, item.unit_price, item.tax_rate, item.tax_category)
        grouped.setdefault(key, []).append(item)
    drafts = []
    for members in grouped.values():
        first = members[0]
        quantity = billed_quantity(
            sum_amounts(m.quantity for m in members), settings.rounding
        )
        base = round_money(quantity * first.unit_price, currency, settings.rounding)
        sources = tuple(m.source for m in members if m.source is not None)
        drafts.append((first, quantity, base, sources))
    amounts = compute_amounts(
        [(d[0].tax_rate, d[2]) for d in drafts],
        currency=currency,
        tax_mode=tax_mode,
        settings=settings,
    )
    lines = [
        InvoiceLine(
            line=index,
            description=first.description,
            quantity=quantity,
            unit=first.unit,
            unit_price=first.unit_price,
            tax_rate=first.tax_rate,
            net=amount.net,
            tax=amount.tax,
            total=amount.total,
            sources=sources,
            tax_category=first.tax_category,
        )
        for index, ((first, quantity, _base, sources), amount) in enumerate(
            zip(drafts, amounts, strict=True), start=1
        )
    ]
    return lines, breakdown(lines)


def compute_amounts(
    lines: Sequence[tuple[Decimal, Decimal]],
    *,
    currency: str,
    tax_mode: TaxMode,
    settings: Settings,
) -> list[LineAmounts]:
    """Net, tax and total per line from (tax rate %, rounded line amount) pairs.

    Exclusive: the amount is net; each rate's tax is its net sum times the rate,
    rounded. Inclusive: the amount is gross; each rate's tax is gross * r / (100 + r),
    rounded, and net is what is left. Either way the rate's tax is spread over its lines
    in proportion to their amounts, so per-line figures add up to the totals.
    """
    step = quantum(currency)
    result: list[LineAmounts | None] = [None] * len(lines)
    by_rate: dict[Decimal, list[int]] = {}
    for index, (rate, _amount) in enumerate(lines):
        by_rate.setdefault(rate, []).append(index)
    for rate, indexes in by_rate.items():
        amounts = [lines[i][1] for i in indexes]
        subtotal = sum_amounts(amounts)
        if tax_mode is TaxMode.EXCLUSIVE:
            rate_tax = round_money(
                subtotal * rate / HUNDRED, currency, settings.rounding
            )
        else:
            rate_tax = round_money(
                subtotal * rate / (HUNDRED + rate), currency, settings.rounding
            )
        shares = allocate(rate_tax, amounts, step)
        for i, amount, tax in zip(indexes, amounts, shares, strict=True):
            if tax_mode is TaxMode.EXCLUSIVE:
                result[i] = LineAmounts(net=amount, tax=tax, total=amount + tax)
            else:
                result[i] = LineAmounts(net=amount - tax, tax=tax, total=amount)
    return [r for r in result if r is not None]


def breakdown(lines: Iterable[InvoiceLine]) -> list[TaxBreakdown]:
    rates: dict[Decimal, list[InvoiceLine]] = {}
    for line in lines:
        rates.setdefault(line.tax_rate, []).append(line)
    return [
        TaxBreakdown(
            rate=rate,
            net=sum_amounts(li.net for li in members),
            tax=sum_amounts(li.tax for li in members),
        )
        for rate, members in sorted(rates.items())
    ]


_SOURCES_THAT_FIT = 2_000


def oversized_text(invoice: Invoice) -> Problem | None:
    """A Problem when a line of this invoice would write a text longer than a cell
    holds, placed on the first row the line was made from (Excel's limit)."""
    for line in invoice.lines:
        # Under 2,000 rows a Source cell cannot reach the limit (a Row ID and its
        # separator take at most 16 characters), and a big run has 100k of them.
        texts = [("Invoice Lines Description", line.description)]
        if len(line.sources) >= _SOURCES_THAT_FIT:
            texts.append(("Invoice Lines Source", line.source_text))
        for cell, text in texts:
            if len(text) <= MAX_CELL_TEXT or not line.sources:
                continue
            first = line.sources[0]
            column = "Project" if first.tab == "Time Log" else "Description"
            return Problem(
                code=ProblemCode.INVOICES_LINE_TEXT_TOO_LONG,
                tab=first.tab,
                row=first.row,
                column=column,
                value=f"{text[:60]}… ({len(text):,} characters)",
                problem="The invoice line made from this row (and "
                f"{len(line.sources) - 1} more) would need {len(text):,} characters "
                f"in its {cell} cell; a cell holds {MAX_CELL_TEXT:,}. The customer's "
                "rows were not billed.",
                fix="Shorten the text, or bill the rows in smaller groups (Settings "
                "Line Grouping, or mark some rows Approved = no until the next run).",
                severity=Severity.ERROR,
                customer_id=invoice.customer_id,
            )
    return None


def _invoice_key(
    customer: Customer, category: TaxCategory | None
) -> tuple[str, str, bool]:
    return (customer.customer_id, customer.currency, is_outside_scope(category))


def plan_invoices(
    *,
    customers: Mapping[str, Customer],
    entries: Sequence[TimeEntry],
    orders: Sequence[Order],
    settings: Settings,
    today: date,
    counters: Counters,
    reuse: Sequence[str] = (),
    reuse_row_ids: Sequence[int] = (),
) -> tuple[list[Invoice], Counters]:
    """One invoice per customer and currency, numbered in customer order; lines
    outside the scope of VAT go on one of their own (`tax_category.is_outside_scope`).

    `reuse` are invoice numbers, `reuse_row_ids` Row ID numbers, drawn before but
    never written (an interrupted run's): they are taken first, in order, so that
    rebuilding such a run leaves no gap. Also returns the counters after drawing,
    for the state database to record.
    """
    completes: dict[str, date] = {}
    for entry in entries:
        complete = entry.work_complete or entry.day
        if complete > completes.get(entry.customer_id, date.min):
            completes[entry.customer_id] = complete
    items, next_row_id = _priced_items(
        customers, entries, orders, settings, counters.last_row_id, reuse_row_ids
    )
    pattern = NumberPattern(settings.number_pattern)
    series = pattern.series(today)
    sequence = counters.last_sequence.get(series, 0)
    invoices: list[Invoice] = []
    for (customer_id, currency, _), group in sorted(items.items()):
        if len(invoices) < len(reuse):
            number = reuse[len(invoices)]
        else:
            sequence += 1
            number = pattern.format(today, sequence)
        invoices.append(
            build_invoice(
                number,
                customers[customer_id],
                currency,
                group,
                settings=settings,
                today=today,
                work_complete=completes.get(customer_id),
                service_period=_service_period(group),
            )
        )
    after = dict(counters.last_sequence)
    if invoices:
        after[series] = sequence
    return invoices, Counters(after, next_row_id)


def _priced_items(
    customers: Mapping[str, Customer],
    entries: Sequence[TimeEntry],
    orders: Sequence[Order],
    settings: Settings,
    last_row_id: int,
    reuse_row_ids: Sequence[int],
) -> tuple[dict[tuple[str, str, bool], list[PricedItem]], int]:
    """The billed rows priced, with their Row IDs, per invoice (customer, currency
    and whether outside the scope of VAT); and the last Row ID number drawn."""
    # Row IDs go out in sheet order, so a person reading the tab sees them rise.
    billed: list[TimeEntry | Order] = [*entries, *orders]
    billed.sort(key=attrgetter("source.tab", "source.row"))
    next_row_id = last_row_id
    items: dict[tuple[str, str, bool], list[PricedItem]] = {}
    time_item = _time_pricer(settings)
    # Per customer: its tax rate and category and the list its time items go to.
    targets: dict[str, tuple[LineTax, list[PricedItem]]] = {}
    row_ids = iter(sorted(reuse_row_ids))
    for thing in billed:
        row_number = next(row_ids, None)
        if row_number is None:
            next_row_id += 1
            row_number = next_row_id
        target = targets.get(thing.customer_id)
        if target is None:
            customer = customers[thing.customer_id]
            customer_tax = line_tax(customer, settings)
            target = targets[thing.customer_id] = (
                customer_tax,
                items.setdefault(_invoice_key(customer, customer_tax.category), []),
            )
        old = thing.source
        row_id = f"{ROW_ID_PREFIX.get(old.tab, 'R-')}{row_number:06d}"
        source = new_source_row(old.tab, old.row, row_id, old.fingerprint)
        if isinstance(thing, TimeEntry):
            target[1].append(time_item(thing, target[0], source))
        else:
            customer = customers[thing.customer_id]
            item = _order_item(thing, customer, settings, source)
            key = _invoice_key(customer, item.tax_category)
            items.setdefault(key, []).append(item)
    return items, next_row_id


def build_invoice(
    number: str,
    customer: Customer,
    currency: str,
    group: Sequence[PricedItem],
    *,
    settings: Settings,
    today: date,
    work_complete: date | None,
    service_period: tuple[date, date],
) -> Invoice:
    """One invoice of a customer's priced items in one currency, issued `today`, due
    after the customer's (else the Settings') payment terms in days; its lines and
    amounts by `price_lines`. `service_period`: the first and last day supplied
    (BT-73/74): the rows' days for time and orders, the period for a recurring
    plan."""
    tax_mode = customer.tax_mode or settings.tax_mode
    lines, rates = price_lines(
        group, currency=currency, tax_mode=tax_mode, settings=settings
    )
    net = sum_amounts(li.net for li in lines)
    tax = sum_amounts(li.tax for li in lines)
    terms = (
        customer.terms_days if customer.terms_days is not None else settings.terms_days
    )
    return Invoice(
        number=number,
        kind=InvoiceKind.INVOICE,
        customer_id=customer.customer_id,
        customer_name=customer.name,
        currency=currency,
        issue_date=today,
        due_date=today + timedelta(days=terms),
        tax_mode=tax_mode,
        lines=tuple(lines),
        net=net,
        tax=tax,
        total=net + tax,
        breakdown=tuple(rates),
        work_complete=work_complete,
        service_period=service_period,
    )


def _service_period(items: Sequence[PricedItem]) -> tuple[date, date]:
    """The first and last day of the work and orders an invoice bills (each item's
    sort key holds its row's date)."""
    days = [item.sort_key[1] for item in items]
    return min(days), max(days)
