"""The Time Log tab: hours worked, priced by the Rates, as the time entries to bill.

Pure. A row is billed once it is Billable and Approved, has a customer, a date that
has come, hours and exactly one rate; otherwise it waits, with its problems.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from sheetbill.domain.cells import (
    hours_of_serial,
    is_blank,
    parse_date,
    parse_hours,
    parse_time_of_day,
    show,
    time_of_day_of_serial,
)
from sheetbill.domain.model import (
    BilledRow,
    Customer,
    Problem,
    RateRule,
    Settings,
    TimeEntry,
    new_source_row,
    new_time_entry,
)
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.quantities import round_hours
from sheetbill.domain.rates import RateBook, SetAsideRate, explain_no_rate
from sheetbill.domain.sheet import CellValue
from sheetbill.domain.waiting import WaitReason
from sheetbill.tabs.billable import (
    BillableRows,
    BillableTab,
    check_amount,
    check_not_future,
    customer_for,
)
from sheetbill.tabs.headers import missing_required
from sheetbill.tabs.rates import rate_currency
from sheetbill.tabs.rows import RowReader, TabLayout, locale_parser, yes_no

T = TypeVar("T")


def read_time_log(
    layout: TabLayout | None,
    settings: Settings,
    customers: Mapping[str, Customer],
    rates: Sequence[RateRule],
    set_aside: Sequence[SetAsideRate],
    *,
    today: date,
    billed: Mapping[str, BilledRow],
) -> tuple[BillableRows[TimeEntry], tuple[Problem, ...]]:
    """The time entries to bill, the rows left waiting, and the problems; `billed`
    is the state's rows by Row ID, `set_aside` the Rates rows with an error."""
    if layout is None or missing_required(layout):
        return BillableRows(), ()
    tab: BillableTab[TimeEntry] = BillableTab(
        layout, settings, billed=billed, today=today
    )
    day = locale_parser(parse_date, settings)
    hours_number = locale_parser(parse_hours, settings)
    rate_book = RateBook(rates)
    for read, row_id, print_ in tab.to_bill(_unready):
        worked_on = read.parsed("Date", day, required=True)
        person = read.required_text("Person")
        customer = customer_for(read, customers)
        hours = _hours(read, settings, hours_number)
        work_complete = read.parsed("Work Complete", day)
        check_not_future(read, worked_on, today, "row")
        project, activity = read.text("Project"), read.text("Activity")
        rate = None
        if customer is not None and worked_on is not None and read.ok:
            rate = _rate(
                read,
                settings,
                rate_book,
                set_aside,
                customer=customer,
                project=project,
                person=person,
                activity=activity,
                on=worked_on,
            )
        if rate is not None and hours is not None and read.ok:
            quantity = round_hours(hours, settings)
            if rate.unit == "day":
                quantity /= settings.hours_per_day
            check_amount(read, "Hours", quantity, rate.rate)
        description = read.text("Description")
        if (
            read.ok
            and customer
            and worked_on
            and hours is not None
            and rate is not None
        ):
            entry = new_time_entry(
                source=new_source_row("Time Log", read.row.number, row_id, print_),
                day=worked_on,
                person=person,
                customer_id=customer.customer_id,
                project=project,
                activity=activity,
                hours=hours,
                description=description,
                work_complete=work_complete,
                rate=rate,
            )
            tab.keep(read, entry)
        else:
            tab.hold(read, customer, worked_on)
    return tab.found()


def _unready(read: RowReader) -> WaitReason | None:
    """Billable and Approved: a row is billed only when both say yes."""
    billable = read.parsed("Billable", yes_no)
    approved = read.parsed("Approved", yes_no)
    if billable and approved:
        return None
    return WaitReason.NOT_APPROVED if billable else WaitReason.NOT_BILLABLE


def _rate(
    read: RowReader,
    settings: Settings,
    rate_book: RateBook,
    set_aside: Sequence[SetAsideRate],
    *,
    customer: Customer,
    project: str,
    person: str,
    activity: str,
    on: date,
) -> RateRule | None:
    """The one rate that applies to the entry, or None and the problem why not."""
    match = rate_book.find(
        customer_id=customer.customer_id,
        project=project,
        person=person,
        activity=activity,
        on=on,
    )
    rate = match.rate
    if match.ties:
        rows = ", ".join(str(r.row) for r in match.ties)
        read.fail(
            "Customer ID",
            f"Rates rows {rows} are equally specific for this entry.",
            "Make one of them more specific (Project, Person, Activity) or "
            "give them dates that do not overlap.",
            value=customer.customer_id,
            code=ProblemCode.TIME_LOG_TIED_RATES,
        )
        return rate
    if rate is not None and rate_currency(rate, settings) not in (
        "",
        customer.currency,
    ):
        read.fail(
            "Customer ID",
            f"The rate that applies (Rates row {rate.row}) is in "
            f"{rate_currency(rate, settings)}, but customer "
            f"{customer.customer_id} is billed in {customer.currency}.",
            f"Add a {customer.currency} rate for this customer and activity.",
            value=customer.customer_id,
            code=ProblemCode.TIME_LOG_RATE_CURRENCY_DIFFERS,
        )
        return None
    if rate is None:
        why = explain_no_rate(
            rate_book.rules,
            customer_id=customer.customer_id,
            project=project,
            person=person,
            activity=activity,
            on=on,
            set_aside=set_aside,
        )
        read.fail(why.column, why.problem, why.fix, code=ProblemCode.TIME_LOG_NO_RATE)
    return rate


_ZERO = Decimal(0)


def _hours(
    read: RowReader, settings: Settings, number: Callable[[CellValue], Decimal]
) -> Decimal | None:
    """The row's hours, from Hours or else Start and End; `number` reads Hours.

    A cell the sheet shows as a time or duration but hands over as a number of days
    (Google Sheets) is read as that time, as the Excel reader's time cells are.
    """
    hours = read.parsed("Hours", _by_format(read, "Hours", number, hours_of_serial))
    if hours is None and not is_blank(read.raw("Hours")):
        return None  # unreadable: already reported
    if hours is None and not is_blank(read.raw("Start")):
        clock = time_of_day_of_serial
        start = read.parsed(
            "Start", _by_format(read, "Start", parse_time_of_day, clock)
        )
        end = read.parsed(
            "End", _by_format(read, "End", parse_time_of_day, clock), required=True
        )
        if start is None or end is None:
            return None
        span = datetime.combine(date.min, end) - datetime.combine(date.min, start)
        if span < timedelta(0):
            span += timedelta(days=1)  # work past midnight
        hours = Decimal(int(span.total_seconds())) / 3600
    if hours is None:
        read.fail(
            "Hours",
            "Hours is empty.",
            "Fill in Hours, or Start and End.",
            code=ProblemCode.TIME_LOG_NO_HOURS,
        )
        return None
    if hours <= _ZERO:
        read.fail(
            "Hours",
            "Hours must be more than 0.",
            "Write the hours worked, e.g. 1.5.",
            code=ProblemCode.TIME_LOG_HOURS_NOT_POSITIVE,
        )
        return None
    if hours > settings.max_hours_per_entry:
        read.fail(
            "Hours",
            f"{show(hours)} hours in one entry is more than "
            f"{show(settings.max_hours_per_entry)}.",
            "Check the number; split long work into one row per day.",
            code=ProblemCode.TIME_LOG_TOO_MANY_HOURS,
        )
        return None
    return hours


def _by_format(
    read: RowReader,
    column: str,
    plain: Callable[[CellValue], T],
    shown_as: Callable[..., T],
) -> Callable[[CellValue], T]:
    """`plain`, or `shown_as` for a cell whose number the sheet shows as a date,
    time or duration (see `RowReader.serial_format`)."""
    kind = read.serial_format(column)
    return plain if kind is None else functools.partial(shown_as, kind=kind)
