"""Reading the input tabs into the model: every bad cell a Problem, every good row used.

Pure: takes the tables a backend read and what the state database knows of billed rows,
returns typed customers, rates, billable time entries and orders, and the problems. One
bad row never stops the others.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from sheetbill.domain.cells import (
    MAX_NUMBER,
    MAX_TERMS_DAYS,
    hours_of_serial,
    is_blank,
    parse_date,
    parse_hours,
    parse_number,
    parse_percent,
    parse_text,
    parse_time_of_day,
    parse_yes_no,
    show,
    time_of_day_of_serial,
)
from sheetbill.domain.model import (
    Customer,
    Order,
    Problem,
    RateRule,
    Settings,
    Severity,
    SourceRow,
    TaxMode,
    TimeEntry,
    new_source_row,
    new_time_entry,
)
from sheetbill.domain.money import is_currency
from sheetbill.domain.number_words import DAYS
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.rates import (
    RateBook,
    SetAsideRate,
    explain_no_rate,
    find_item_price,
)
from sheetbill.domain.schema import (
    map_columns,
    match_tab,
)
from sheetbill.domain.sheet import BookSnapshot, CellValue
from sheetbill.domain.waiting import (
    WaitingRows,
    WaitingTally,
    WaitReason,
    held,
    unready,
)
from sheetbill.planning.invoices import QUANTITY_DECIMALS, billed_quantity, round_hours
from sheetbill.tabs.countries import read_country
from sheetbill.tabs.email_addresses import read_addresses
from sheetbill.tabs.headers import column_problems, missing_required
from sheetbill.tabs.no_tax_rate import hold_rows_without_tax_rate
from sheetbill.tabs.rate_rows import read_rates
from sheetbill.tabs.rows import (
    RowReader,
    TabLayout,
    TextDates,
    fingerprint,
    fingerprint_cells,
    locale_parser,
    money_parser,
    number_parser,
    yes_no,
)
from sheetbill.tabs.settings import read_settings
from sheetbill.tabs.tax_category import parse_tax_category

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class BilledRow:
    """What the state database remembers of a row it billed."""

    row_id: str
    tab: str
    invoice_no: str
    fingerprint: str


@dataclass(frozen=True, slots=True)
class BookData:
    """The validated content of a workbook."""

    settings: Settings
    customers: Mapping[str, Customer]
    rates: tuple[RateRule, ...]
    time_entries: tuple[TimeEntry, ...]
    orders: tuple[Order, ...]
    problems: tuple[Problem, ...]
    # Known tabs found in the workbook, by schema name ("Time Log"), whatever they
    # are called there.
    layouts: Mapping[str, TabLayout]
    # Rows without Invoice No, by (schema tab, sheet row): their fingerprint, so that a
    # rerun can find the rows of an invoice whose write-back was interrupted.
    open_rows: Mapping[tuple[str, int], str] = field(default_factory=dict)
    # Un-invoiced rows not billed, counted by tab and why.
    waiting: tuple[WaitingRows, ...] = ()


def locate_tabs(
    book: BookSnapshot, aliases: Mapping[str, Mapping[str, Sequence[str]]]
) -> dict[str, TabLayout]:
    """Find each known tab (by name or alias) and its columns (in any order)."""
    from sheetbill.domain.schema import ALL_TABS

    layouts: dict[str, TabLayout] = {}
    for schema in ALL_TABS:
        tab_aliases = aliases.get(schema.name, {})
        name = match_tab(schema, list(book.tables), tab_aliases.get("", ()))
        if name is None:
            continue
        table = book.tables[name]
        columns = map_columns(schema, name, table.headers, tab_aliases)
        layouts[schema.name] = TabLayout(schema, table, columns)
    return layouts


def validate_book(
    book: BookSnapshot,
    *,
    today: date,
    billed: Mapping[str, BilledRow],
    aliases: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
) -> BookData:
    """Validate every input tab of `book`; `billed` is the state's rows by Row ID."""
    layouts = locate_tabs(book, aliases or {})
    settings_layout = layouts.get("Settings")
    settings, problems = read_settings(
        settings_layout.table if settings_layout else None
    )
    for name, layout in layouts.items():
        problems.extend(column_problems(layout, (aliases or {}).get(name, {})))
    customers = _read_customers(layouts.get("Customers"), settings, problems)
    set_aside: list[SetAsideRate] = []
    rates = read_rates(layouts.get("Rates"), settings, customers, problems, set_aside)
    open_rows: dict[tuple[str, int], str] = {}
    waiting = WaitingTally()
    entries = _read_time_log(
        layouts.get("Time Log"),
        settings,
        customers,
        rates,
        set_aside,
        today,
        billed,
        problems,
        open_rows,
        waiting,
    )
    orders = _read_orders(
        layouts.get("Orders"),
        settings,
        customers,
        rates,
        today,
        billed,
        problems,
        open_rows,
        waiting,
    )
    problems.extend(_text_dates(layouts, settings, rates, entries, orders))
    rated = hold_rows_without_tax_rate(layouts, customers, entries, orders)
    problems.extend(rated.problems)
    for tab, row in rated.held:
        waiting.add(tab, row, WaitReason.HAS_PROBLEM)
    return BookData(
        settings,
        customers,
        tuple(rates),
        rated.entries,
        rated.orders,
        tuple(problems),
        layouts,
        open_rows,
        waiting.counted(),
    )


def _text_dates(
    layouts: Mapping[str, TabLayout],
    settings: Settings,
    rates: Sequence[RateRule],
    entries: Sequence[TimeEntry],
    orders: Sequence[Order],
) -> list[Problem]:
    """One warning for the text dates of the rows used (3/11/2026) that name another
    day read the other way round: they were read in the Locale's order."""
    dates = TextDates(settings.locale)
    used = (
        ("Rates", {r.row for r in rates}, ("Valid From", "Valid To")),
        ("Time Log", {e.source.row for e in entries}, ("Date", "Work Complete")),
        ("Orders", {o.source.row for o in orders}, ("Date",)),
    )
    for tab, rows, columns in used:
        layout = layouts.get(tab)
        if layout is None or not rows:
            continue
        found = [
            (c, layout.columns.positions[c]) for c in columns if layout.columns.has(c)
        ]
        for row in layout.table.rows:
            if row.number in rows:
                for column, index in found:
                    dates.note(layout.tab, row.number, column, row.get(index))
    return dates.problems()


def _can_read(layout: TabLayout | None) -> bool:
    return layout is not None and not missing_required(layout)


def _read_customers(
    layout: TabLayout | None, settings: Settings, problems: list[Problem]
) -> dict[str, Customer]:
    customers: dict[str, Customer] = {}
    if layout is None:
        problems.append(
            Problem(
                code=ProblemCode.CUSTOMERS_NO_TAB,
                tab="Customers",
                row=None,
                column="",
                value="",
                problem="The workbook has no Customers tab.",
                fix="Run 'sheetbill init' on the workbook to add it.",
            )
        )
        return customers
    if not _can_read(layout):
        return customers
    number = number_parser(settings, DAYS)
    for row in layout.table.rows:
        read = RowReader(layout, row, settings)
        customer_id = read.required_text("Customer ID")
        read.customer_id = customer_id or None
        name = read.required_text("Name")
        if customer_id in customers:
            read.fail(
                "Customer ID",
                f"Customer ID {customer_id} is used twice (first on row "
                f"{customers[customer_id].row}).",
                "Give each customer its own ID; this row is ignored until then.",
                code=ProblemCode.CUSTOMERS_DUPLICATE_ID,
            )
        currency = read.text("Currency").upper() or settings.default_currency
        if not is_currency(currency):
            read.fail(
                "Currency",
                "Currency is not an ISO 4217 currency code.",
                "Write a code such as EUR, USD or JPY.",
                code=ProblemCode.CUSTOMERS_BAD_CURRENCY,
            )
        email, cc = read_addresses(read)
        tax_rate = read.parsed("Tax Rate", locale_parser(parse_percent, settings))
        terms = read.parsed("Terms Days", number)
        if terms is not None and (terms < 0 or terms != terms.to_integral_value()):
            read.fail(
                "Terms Days",
                "Terms Days is not a whole number of days.",
                "Write e.g. 30.",
                code=ProblemCode.CUSTOMERS_BAD_TERMS_DAYS,
            )
            terms = None
        elif terms is not None and terms > MAX_TERMS_DAYS:
            read.fail(
                "Terms Days",
                f"Terms Days is more than {MAX_TERMS_DAYS} days (ten years).",
                "Write the payment terms in days, e.g. 30.",
                code=ProblemCode.CUSTOMERS_BAD_TERMS_DAYS,
            )
            terms = None
        mode_text = read.text("Tax Mode").casefold()
        tax_mode = None
        if mode_text:
            modes = {m.value: m for m in TaxMode}
            tax_mode = modes.get(mode_text)
            if tax_mode is None:
                read.fail(
                    "Tax Mode",
                    "Tax Mode is not exclusive or inclusive.",
                    "Write exclusive or inclusive, or leave it blank for the Settings.",
                    code=ProblemCode.CUSTOMERS_BAD_TAX_MODE,
                )
        status = read.text("Status").casefold() or "active"
        if status not in ("active", "inactive"):
            read.fail(
                "Status",
                "Status is not active or inactive.",
                "Choose active or inactive.",
                severity=Severity.WARNING,
                code=ProblemCode.CUSTOMERS_BAD_STATUS,
            )
        reminders = read.parsed("Reminders", _on_off)
        tax_category = read.parsed("Tax Category", parse_tax_category)
        # Read before the row is judged: a text too long for any cell is an error.
        detail = {name: read.text(name) for name in _CUSTOMER_DETAILS}
        country = read_country(read)
        if not read.ok:
            problems.extend(read.problems)
            continue
        problems.extend(read.problems)
        customers[customer_id] = Customer(
            row=row.number,
            customer_id=customer_id,
            name=name,
            email=email,
            cc=cc,
            address=detail["Street"],
            postcode=detail["Postcode"],
            city=detail["City"],
            country=country,
            currency=currency,
            tax_id=detail["Tax ID"],
            tax_rate=tax_rate,
            tax_mode=tax_mode,
            terms_days=None if terms is None else int(terms),
            language=detail["Language"].casefold() or "en",
            reminders=True if reminders is None else reminders,
            e_invoice=detail["E-Invoice"].casefold() or "none",
            buyer_reference=detail["Buyer Reference"],
            invoice_note=detail["Invoice Note"],
            owner=detail["Owner"],
            is_active=status != "inactive",
            tax_category=tax_category,
        )
    return customers


_CUSTOMER_DETAILS = (
    "Street",
    "Postcode",
    "City",
    "Tax ID",
    "Language",
    "E-Invoice",
    "Buyer Reference",
    "Invoice Note",
    "Owner",
)


def _on_off(value: CellValue) -> bool:
    text = parse_text(value).casefold()
    if text in ("on", "off"):
        return text == "on"
    return parse_yes_no(value)


def _bill_state(
    read: RowReader,
    billed: Mapping[str, BilledRow],
    print_: str,
    seen_ids: dict[str, int],
) -> tuple[bool, str]:
    """Whether the row is still to bill, and the Row ID it keeps or "" for a new one.

    A row with an Invoice No is done; if sheetbill billed it, it must not have changed.
    A Row ID seen on an earlier row is a copied row: it is not billed until cleared.
    """
    invoice_no = read.text("Invoice No")
    row_id = read.text("Row ID")
    if row_id:
        first = seen_ids.get(row_id)
        if first is not None:
            read.fail(
                "Row ID",
                f"Row ID {row_id} is also on row {first}; this row looks copied.",
                "If this row is new work, clear its Invoice No and Row ID cells.",
                code=ProblemCode.ROW_COPIED,
            )
            return False, row_id
        seen_ids[row_id] = read.row.number
    record = billed.get(row_id) if row_id else None
    if invoice_no:
        if record is not None and record.fingerprint != print_:
            read.fail(
                "Invoice No",
                f"This row was billed on {record.invoice_no} but has been changed "
                "since.",
                f"Undo the change, or correct {record.invoice_no} with a credit note "
                "and "
                "enter the work again as a new row.",
                value=invoice_no,
                code=ProblemCode.ROW_CHANGED_AFTER_BILLING,
            )
        return False, row_id
    if record is not None:
        read.fail(
            "Invoice No",
            f"Invoice No was cleared, but this row was billed on {record.invoice_no}.",
            f"Write {record.invoice_no} back into Invoice No; to bill the row again, "
            "credit the old invoice and add a new row.",
            value="",
            code=ProblemCode.ROW_INVOICE_NO_CLEARED,
        )
        return False, row_id
    return True, ""


def _customer_for(
    read: RowReader, customers: Mapping[str, Customer]
) -> Customer | None:
    customer_id = read.required_text("Customer ID")
    read.customer_id = customer_id or None
    if not customer_id:
        return None
    customer = customers.get(customer_id)
    if customer is None:
        read.fail(
            "Customer ID",
            f"No customer has the ID {customer_id}.",
            "Use an ID from the Customers tab, or add the customer there.",
            code=ProblemCode.ROW_UNKNOWN_CUSTOMER,
        )
    elif not customer.is_active:
        read.fail(
            "Customer ID",
            f"Customer {customer_id} is marked inactive.",
            "Set the customer's Status to active, or set Billable to no.",
            code=ProblemCode.ROW_INACTIVE_CUSTOMER,
        )
    return customer


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


def _read_time_log(
    layout: TabLayout | None,
    settings: Settings,
    customers: Mapping[str, Customer],
    rates: Sequence[RateRule],
    set_aside: Sequence[SetAsideRate],
    today: date,
    billed: Mapping[str, BilledRow],
    problems: list[Problem],
    open_rows: dict[tuple[str, int], str],
    waiting: WaitingTally,
) -> list[TimeEntry]:
    entries: list[TimeEntry] = []
    if layout is None or not _can_read(layout):
        return entries
    day = locale_parser(parse_date, settings)
    hours_number = locale_parser(parse_hours, settings)
    seen_ids: dict[str, int] = {}
    rate_book = RateBook(rates)
    print_cells = fingerprint_cells(layout)
    for row in layout.table.rows:
        read = RowReader(layout, row, settings)
        print_ = fingerprint(print_cells(read.cells))
        billable = read.parsed("Billable", yes_no)
        approved = read.parsed("Approved", yes_no)
        to_bill, row_id = _bill_state(read, billed, print_, seen_ids)
        if not to_bill or not billable or not approved:
            if to_bill:
                waiting.add("Time Log", row.number, unready(read.ok, billable))
            problems.extend(read.problems)
            continue
        open_rows[("Time Log", row.number)] = print_
        worked_on = read.parsed("Date", day, required=True)
        person = read.required_text("Person")
        customer = _customer_for(read, customers)
        hours = _hours(read, settings, hours_number)
        work_complete = read.parsed("Work Complete", day)
        if worked_on is not None and worked_on > today:
            read.fail(
                "Date",
                "Date is in the future.",
                "Check the date; the row is billed once that day has come.",
                code=ProblemCode.ROW_FUTURE_DATE,
            )
        rate = None
        project, activity = read.text("Project"), read.text("Activity")
        if customer is not None and worked_on is not None and read.ok:
            match = rate_book.find(
                customer_id=customer.customer_id,
                project=project,
                person=person,
                activity=activity,
                on=worked_on,
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
            elif rate is not None and rate_currency(rate, settings) not in (
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
                rate = None
            elif rate is None:
                why = explain_no_rate(
                    rates,
                    customer_id=customer.customer_id,
                    project=project,
                    person=person,
                    activity=activity,
                    on=worked_on,
                    set_aside=set_aside,
                )
                read.fail(
                    why.column, why.problem, why.fix, code=ProblemCode.TIME_LOG_NO_RATE
                )
        if rate is not None and hours is not None and read.ok:
            quantity = round_hours(hours, settings)
            if rate.unit == "day":
                quantity /= settings.hours_per_day
            _check_amount(read, "Hours", quantity, rate.rate)
        description = read.text("Description")
        problems.extend(read.problems)
        if (
            read.ok
            and customer
            and worked_on
            and hours is not None
            and rate is not None
        ):
            entries.append(
                new_time_entry(  # fields in order
                    (
                        new_source_row(("Time Log", row.number, row_id, print_)),
                        worked_on,
                        person,
                        customer.customer_id,
                        project,
                        activity,
                        hours,
                        description,
                        work_complete,
                        rate,
                    )
                )
            )
        else:
            waiting.add("Time Log", row.number, held(customer, worked_on, today))
    return entries


def _check_amount(
    read: RowReader, column: str, quantity: Decimal, price: Decimal
) -> None:
    """A row whose quantity times price is beyond what a cell holds exactly is an error:
    past it, rounding to cents fails (and nobody bills it)."""
    if abs(quantity) >= MAX_NUMBER or abs(quantity * price) >= MAX_NUMBER:
        read.fail(
            column,
            f"{column} × price is {show(quantity * price)}, too large for one "
            "invoice line.",
            "Check the quantity and the price (or rate); a line must stay below "
            "1,000,000,000,000,000.",
            code=ProblemCode.ROW_AMOUNT_TOO_LARGE,
        )


def _check_quantity_decimals(
    read: RowReader, quantity: Decimal, settings: Settings
) -> None:
    """An order quantity with more decimals than an invoice bills is a warning: the
    invoice prints and bills it rounded (`invoicing.billed_quantity`)."""
    billed = billed_quantity(quantity, settings.rounding)
    if billed != quantity:
        read.fail(
            "Quantity",
            f"Quantity has more than {QUANTITY_DECIMALS} decimals; the invoice "
            f"prints and bills it as {show(billed)}.",
            f"Type the quantity with at most {QUANTITY_DECIMALS} decimals (or round "
            "it in the cell) if that is not what you meant.",
            severity=Severity.WARNING,
            code=ProblemCode.ORDERS_QUANTITY_DECIMALS,
        )


def rate_currency(rate: RateRule, settings: Settings) -> str:
    """A rate's currency. Blank means the customer's currency on a rate that names a
    customer, and the Settings' default currency on a default rate."""
    if rate.currency:
        return rate.currency
    if rate.customer_id:
        return ""  # the customer's own, whatever it is
    return settings.default_currency


def _read_orders(
    layout: TabLayout | None,
    settings: Settings,
    customers: Mapping[str, Customer],
    rates: Sequence[RateRule],
    today: date,
    billed: Mapping[str, BilledRow],
    problems: list[Problem],
    open_rows: dict[tuple[str, int], str],
    waiting: WaitingTally,
) -> list[Order]:
    orders: list[Order] = []
    if layout is None or not _can_read(layout):
        return orders
    day = locale_parser(parse_date, settings)
    number = locale_parser(parse_number, settings)
    seen_ids: dict[str, int] = {}
    print_cells = fingerprint_cells(layout)
    for row in layout.table.rows:
        read = RowReader(layout, row, settings)
        print_ = fingerprint(print_cells(read.cells))
        to_bill, row_id = _bill_state(read, billed, print_, seen_ids)
        if not to_bill:
            problems.extend(read.problems)
            continue
        open_rows[("Orders", row.number)] = print_
        ordered_on = read.parsed("Date", day, required=True)
        customer = _customer_for(read, customers)
        item = read.required_text("Item")
        quantity = read.parsed("Quantity", number, required=True)
        if quantity is not None and quantity == 0:
            read.fail(
                "Quantity",
                "Quantity is 0.",
                "Write the quantity, or delete the row.",
                code=ProblemCode.ORDERS_ZERO_QUANTITY,
            )
        elif quantity is not None:
            _check_quantity_decimals(read, quantity, settings)
        currency = customer.currency if customer else settings.default_currency
        whose = (
            f"customer {customer.customer_id} is billed in {currency}"
            if customer
            else f"the Default Currency is {currency}"
        )
        unit_price = read.parsed("Unit Price", money_parser(settings, currency, whose))
        tax_rate = read.parsed("Tax Rate", locale_parser(parse_percent, settings))
        tax_category = read.parsed("Tax Category", parse_tax_category)
        if ordered_on is not None and ordered_on > today:
            read.fail(
                "Date",
                "Date is in the future.",
                "Check the date; the order is billed once that day has come.",
                code=ProblemCode.ROW_FUTURE_DATE,
            )
        if unit_price is None and customer and item and ordered_on and read.ok:
            match = find_item_price(
                rates, customer_id=customer.customer_id, item=item, on=ordered_on
            )
            if match.rate is None:
                read.fail(
                    "Unit Price",
                    "Unit Price is empty and no Rates row prices this item.",
                    "Fill in the Unit Price, or add a Rates row with Unit 'item' and "
                    "the item's name in Activity.",
                    code=ProblemCode.ORDERS_NO_PRICE,
                )
            else:
                unit_price = match.rate.rate
        if quantity is not None and unit_price is not None and read.ok:
            _check_amount(read, "Quantity", quantity, unit_price)
        description = read.text("Description")
        problems.extend(read.problems)
        if (
            read.ok
            and customer
            and ordered_on
            and quantity is not None
            and unit_price is not None
        ):
            orders.append(
                Order(
                    source=SourceRow("Orders", row.number, row_id, print_),
                    day=ordered_on,
                    customer_id=customer.customer_id,
                    item=item,
                    quantity=quantity,
                    unit_price=unit_price,
                    tax_rate=tax_rate,
                    description=description,
                    tax_category=tax_category,
                )
            )
        else:
            waiting.add("Orders", row.number, held(customer, ordered_on, today))
    return orders
