"""The Recurring tab: each row a plan that bills one invoice per period.

Pure. A row with an error bills nothing until it is fixed, every problem on its
cell: an invoice billed at a wrong price or for a wrong period cannot be taken back,
while a plan that waits loses nothing (its missed periods are billed once it reads).
Two rows with one Plan ID look like a copied row: neither bills, so no period is
billed twice. Next Date and Last Invoice are sheetbill's cells, read only so that
the planner can notice a person's edit; they never decide what is billed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import TypeVar

from sheetbill.domain.cells import (
    MAX_CELL_TEXT,
    CellValueError,
    formula_problem,
    is_blank,
    parse_date,
    parse_hours_number,
    parse_number,
    parse_text,
    parse_yes_no,
    refuse_error_value,
)
from sheetbill.domain.model import Customer, Problem, Settings, Severity, TimeEntry
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.quantities import QUANTITY_DECIMALS
from sheetbill.domain.recurring import LAST_DAY, Billing, Frequency, Plan, schedule
from sheetbill.domain.schema import Owner, RecurringColumns
from sheetbill.domain.sheet import CellValue, SheetRow
from sheetbill.tabs.billable import check_amount
from sheetbill.tabs.headers import missing_required
from sheetbill.tabs.rows import RowReader, TabLayout, locale_parser, money_parser

C = RecurringColumns
T = TypeVar("T")

# The Frequency cell's words (case and spaces aside): the dropdown's four, and
# "annually" for yearly, as people write it.
FREQUENCIES = {
    **{f.value: f for f in Frequency},
    "annually": Frequency.YEARLY,
    "annual": Frequency.YEARLY,
}
BILLINGS = {
    **{b.value: b for b in Billing},
    "advance": Billing.IN_ADVANCE,
    "arrears": Billing.IN_ARREARS,
}
# A weekly plan's Day may name the weekday (ISO: Monday is 1).
WEEKDAYS = {
    name: number
    for number, day in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        start=1,
    )
    for name in (day, day[:3])
}
LAST_WORD = "last"
_EXAMPLE_DAY = "2026-11-01"


def plan_key(plan_id: str) -> str:
    """A Plan ID as plans are told apart: trimmed, case-folded ("p-001 " is P-001)."""
    return plan_id.strip().casefold()


def is_of_project(project: str, entry: TimeEntry) -> bool:
    """Whether a retainer whose Project is `project` draws down this time row:
    any project when blank, else the same one, trimmed and case-folded."""
    wanted = project.strip().casefold()
    return not wanted or entry.project.strip().casefold() == wanted


def read_recurring(
    layout: TabLayout | None,
    settings: Settings,
    customers: Mapping[str, Customer],
) -> tuple[tuple[Plan, ...], tuple[Problem, ...]]:
    """The plans of the Recurring tab in sheet order, and the problems of every row.

    A row with an error (each field's rule: `docs/problems.md`, "recurring") is left
    out; so is every row whose Plan ID another row has too (trimmed, case-folded:
    RECURRING_DUPLICATE_PLAN_ID on each). Blank rows (no cell a person fills) are
    skipped. Numbers and dates are read in the Settings' locale. No tab, or one
    without Plan ID or Customer ID (`column_problems` says so): no plans.
    """
    if layout is None or missing_required(layout):
        return (), ()
    readers = [
        (read, read.text(C.PLAN_ID))
        for read in (RowReader(layout, row, settings) for row in _filled_rows(layout))
    ]
    rows_of: dict[str, list[int]] = {}
    for read, plan_id in readers:
        if plan_id:
            rows_of.setdefault(plan_key(plan_id), []).append(read.row.number)
    plans: list[Plan] = []
    problems: list[Problem] = []
    for read, plan_id in readers:
        others = [r for r in rows_of.get(plan_key(plan_id), ()) if r != read.row.number]
        _check_plan_id(read, plan_id, others)
        plan = _plan(read, plan_id, settings, customers)
        if plan is not None and read.ok:
            _never_bills(read, plan)
            plans.append(plan)
        problems.extend(read.problems)
    return tuple(plans), tuple(problems)


def _never_bills(read: RowReader, plan: Plan) -> None:
    """A warning on End when the plan's first period would start after it."""
    if plan.end is None:
        return
    first = next(schedule(replace(plan, end=None, count=None)), None)
    if first is None or first.start <= plan.end:
        return
    read.fail(
        C.END,
        f"The plan's first period would start on {first.start.isoformat()}, after "
        f"its End {plan.end.isoformat()}: it has no period and never bills.",
        "Check Start, Day and End (End is the last day a period may start on).",
        code=ProblemCode.RECURRING_NEVER_BILLS,
        severity=Severity.WARNING,
    )


def plan_keys_shown(layout: TabLayout | None) -> frozenset[str]:
    """The Plan IDs (`plan_key`) of every Recurring row, those with errors too: a
    plan whose row has an error is held, not removed."""
    if layout is None or not layout.columns.has(C.PLAN_ID):
        return frozenset()
    at = layout.columns.positions[C.PLAN_ID]
    return frozenset(
        plan_key(parse_text(raw))
        for row in layout.table.rows
        if not is_blank(raw := row.get(at)) and formula_problem(raw) is None
    )


@dataclass(frozen=True, slots=True)
class RetainerHold:
    """A retainer that bills nothing this run (its row has an error, or its plan is
    held): the Time Log rows it would draw down wait rather than be billed as
    ordinary time, which its invoice would then bill again as included hours."""

    row: int
    customer_id: str
    # Only this project's rows ("": any), compared trimmed and case-folded.
    project: str
    # Only rows dated on or after it (None: any).
    start: date | None

    @classmethod
    def of(cls, plan: Plan) -> RetainerHold:
        return cls(plan.row, plan.customer_id, plan.project, plan.start)

    def keeps(self, entry: TimeEntry) -> bool:
        """Whether the retainer would draw this row down."""
        return (
            entry.customer_id == self.customer_id
            and (self.start is None or entry.day >= self.start)
            and is_of_project(self.project, entry)
        )


def held_retainers(
    layout: TabLayout | None,
    settings: Settings,
    plans: Sequence[Plan],
) -> tuple[RetainerHold, ...]:
    """The Recurring rows that did not read as plans but show a retainer (Included
    Hours filled) of a Customer ID, not paused (Active not no): read as far as they
    can be (Project; Start when it is a date, else none)."""
    if layout is None or missing_required(layout):
        return ()
    read_rows = {p.row for p in plans}
    found = []
    for row in _filled_rows(layout):
        if row.number in read_rows:
            continue
        read = RowReader(layout, row, settings)
        customer_id = _lenient_text(read.raw(C.CUSTOMER_ID)).strip()
        if (
            not customer_id
            or is_blank(read.raw(C.INCLUDED_HOURS))
            or _lenient(read.raw(C.ACTIVE), parse_yes_no) is False
        ):
            continue
        project = _lenient_text(read.raw(C.PROJECT))
        start = _lenient_date(read.raw(C.START), settings)
        found.append(RetainerHold(row.number, customer_id, project.strip(), start))
    return tuple(found)


def _lenient(value: CellValue, parse: Callable[[CellValue], T]) -> T | None:
    if is_blank(value):
        return None
    try:
        return parse(value)
    except CellValueError:
        return None


def _filled_rows(layout: TabLayout) -> list[SheetRow]:
    """The rows with something in a cell a person fills (sheetbill's own aside)."""
    filled = [
        layout.columns.positions[c.name]
        for c in layout.schema.columns
        if c.owner is Owner.HUMAN and c.name in layout.columns.positions
    ]
    return [
        row
        for row in layout.table.rows
        if not all(is_blank(row.get(i)) for i in filled)
    ]


def _check_plan_id(read: RowReader, plan_id: str, others: Sequence[int]) -> None:
    if not plan_id and formula_problem(read.raw(C.PLAN_ID)) is None:
        read.fail(
            C.PLAN_ID,
            "Plan ID is empty; a plan bills nothing without its ID.",
            "Give the plan an ID no other row has, such as P-004, and keep it: "
            "sheetbill knows which periods were billed by it.",
            code=ProblemCode.RECURRING_NO_PLAN_ID,
        )
    elif others:
        rows = " and ".join(str(r) for r in others)
        read.fail(
            C.PLAN_ID,
            f"Plan ID {plan_id} is also on row{'s' if len(others) > 1 else ''} "
            f"{rows}: a copied row? None of them bills, so no period is billed "
            "twice.",
            "Give each plan its own Plan ID, or delete the copy.",
            code=ProblemCode.RECURRING_DUPLICATE_PLAN_ID,
        )


def _plan(
    read: RowReader,
    plan_id: str,
    settings: Settings,
    customers: Mapping[str, Customer],
) -> Plan | None:
    """The row as a plan, or None when a cell it needs cannot be read (the problems
    are on `read`)."""
    is_active = _field(read, C.ACTIVE, _yes_no(ProblemCode.RECURRING_BAD_ACTIVE))
    auto_send = _field(read, C.AUTO_SEND, _yes_no(ProblemCode.RECURRING_BAD_AUTO_SEND))
    customer = _customer(read, customers, is_active=is_active is not False)
    schedule = _schedule(read, settings)
    price = _price(read, settings, customer)
    retainer = _retainer(read, settings)
    billing = _billing(read, is_retainer=not is_blank(read.raw(C.INCLUDED_HOURS)))
    description = _description(read)
    project = read.text(C.PROJECT)
    if customer is None or schedule is None or price is None or billing is None:
        return None
    if not read.ok:
        return None
    frequency, interval, day, start, end, count = schedule
    included, rollover = retainer
    return Plan(
        row=read.row.number,
        plan_id=plan_id,
        customer_id=customer.customer_id,
        description=description,
        quantity=price[0],
        unit_price=price[1],
        frequency=frequency,
        interval=interval,
        day=day,
        start=start,
        end=end,
        count=count,
        billing=billing,
        included_hours=included,
        project=project,
        max_rollover_hours=rollover,
        auto_send=auto_send,
        is_active=is_active is not False,
        next_date_shown=_lenient_date(read.raw(C.NEXT_DATE), settings),
        last_invoice_shown=_lenient_text(read.raw(C.LAST_INVOICE)),
    )


# Room on an invoice line for ", " and the period's name ("Nov 15, 2026 - Dec 14,
# 2026" and its translations are under 40 characters).
_PERIOD_ROOM = 100


def _description(read: RowReader) -> str:
    """The Description, short enough that a line made of it and the period's name
    fits a cell (Google Sheets holds 50,000 characters in a cell, Excel 32,767)."""
    description = read.text(C.DESCRIPTION)
    if MAX_CELL_TEXT - _PERIOD_ROOM < len(description) <= MAX_CELL_TEXT:
        read.fail(
            C.DESCRIPTION,
            f"Description has {len(description):,} characters; with the period's "
            "name added, its invoice line would not fit a cell of the Invoices tab "
            f"({MAX_CELL_TEXT:,} characters).",
            f"Shorten it to {MAX_CELL_TEXT - _PERIOD_ROOM:,} characters or fewer.",
            code=ProblemCode.RECURRING_DESCRIPTION_TOO_LONG,
        )
    return description


def _customer(
    read: RowReader, customers: Mapping[str, Customer], *, is_active: bool
) -> Customer | None:
    """The plan's customer, whose currency its Unit Price is in (None when the ID
    names none, with the problem). An inactive customer is an error on an active
    plan only: a paused one bills nothing either way."""
    customer_id = read.required_text(C.CUSTOMER_ID)
    read.customer_id = customer_id or None
    if not customer_id:
        return None
    customer = customers.get(customer_id)
    if customer is None:
        read.fail(
            C.CUSTOMER_ID,
            f"No customer has the ID {customer_id}.",
            "Use an ID from the Customers tab, or add the customer there.",
            code=ProblemCode.ROW_UNKNOWN_CUSTOMER,
        )
    elif not customer.is_active and is_active:
        read.fail(
            C.CUSTOMER_ID,
            f"Customer {customer_id} is marked inactive, and the plan is active.",
            "Set the customer's Status to active, or set the plan's Active to no "
            "(its periods are then skipped, never billed).",
            code=ProblemCode.ROW_INACTIVE_CUSTOMER,
        )
    return customer


Schedule = tuple[Frequency, int, int | None, date, date | None, int | None]


def _schedule(read: RowReader, settings: Settings) -> Schedule | None:
    """Frequency, Interval, Day, Start, End and Count; None when one is wrong."""
    frequency = _field(
        read,
        C.FREQUENCY,
        parse_frequency,
        required=ProblemCode.RECURRING_BAD_FREQUENCY,
        empty_fix="Choose weekly, monthly, quarterly or yearly.",
    )
    number = locale_parser(parse_number, settings)
    interval = _field(
        read,
        C.INTERVAL,
        _whole(number, ProblemCode.RECURRING_BAD_INTERVAL, "or leave it blank for 1"),
    )
    day = _field(read, C.DAY, _day_parser(number, frequency))
    dated = locale_parser(parse_date, settings)
    start = _field(
        read,
        C.START,
        _coded(dated, ProblemCode.RECURRING_BAD_START),
        required=ProblemCode.RECURRING_BAD_START,
        empty_fix="Type the day the plan's first period starts, such as "
        f"{_EXAMPLE_DAY}.",
    )
    end = _field(read, C.END, _coded(dated, ProblemCode.RECURRING_BAD_END))
    if start is not None and end is not None and end < start:
        read.fail(
            C.END,
            f"End {end.isoformat()} is before Start {start.isoformat()}.",
            "Type the last day a period may start on (on or after Start), or clear "
            "End for a plan without end.",
            code=ProblemCode.RECURRING_BAD_END,
        )
    count = _field(
        read,
        C.COUNT,
        _whole(
            number, ProblemCode.RECURRING_BAD_COUNT, "or leave it blank for no limit"
        ),
    )
    if frequency is None or start is None:
        return None
    return frequency, interval or 1, day, start, end, count


def _price(
    read: RowReader, settings: Settings, customer: Customer | None
) -> tuple[Decimal, Decimal] | None:
    """Quantity (blank: 1) and Unit Price, in the customer's currency."""
    quantity = _field(
        read, C.QUANTITY, _quantity(locale_parser(parse_number, settings))
    )
    currency = customer.currency if customer else settings.default_currency
    whose = (
        f"customer {customer.customer_id} is billed in {currency}"
        if customer
        else f"the Default Currency is {currency}"
    )
    unit_price = _field(
        read,
        C.UNIT_PRICE,
        _at_least_zero(
            money_parser(settings, currency, whose),
            ProblemCode.RECURRING_BAD_UNIT_PRICE,
            "type the price of one period's item, such as 1500.00",
        ),
        required=ProblemCode.RECURRING_BAD_UNIT_PRICE,
        empty_fix="Type the price of one period's item in "
        f"{currency}, such as 1500.00.",
    )
    if unit_price is None:
        return None
    quantity = Decimal(1) if quantity is None else quantity
    check_amount(read, C.QUANTITY, quantity, unit_price)
    return quantity, unit_price


def _retainer(read: RowReader, settings: Settings) -> tuple[Decimal | None, Decimal]:
    """Included Hours (None: not a retainer) and Max Rollover Hours (blank: 0)."""
    hours = locale_parser(parse_hours_number, settings)
    included = _field(
        read,
        C.INCLUDED_HOURS,
        _at_least_zero(
            hours,
            ProblemCode.RECURRING_BAD_INCLUDED_HOURS,
            "type the hours each period includes, such as 10",
        ),
    )
    rollover = _field(
        read,
        C.MAX_ROLLOVER_HOURS,
        _at_least_zero(
            hours,
            ProblemCode.RECURRING_BAD_ROLLOVER_HOURS,
            "type how many unused hours may carry to the next period, such as 5",
        ),
    )
    if rollover and is_blank(read.raw(C.INCLUDED_HOURS)):
        read.fail(
            C.MAX_ROLLOVER_HOURS,
            "Max Rollover Hours is set but Included Hours is empty: is this a "
            "retainer whose hours were left out?",
            "Fill in Included Hours (the hours each period includes), or clear Max "
            "Rollover Hours.",
            code=ProblemCode.RECURRING_ROLLOVER_WITHOUT_HOURS,
        )
    return included, rollover or Decimal(0)


def _billing(read: RowReader, *, is_retainer: bool) -> Billing | None:
    """Billing; blank: in advance, but in arrears for a retainer, whose hours are
    only known once its period is over (which also makes in advance an error)."""
    billing = _field(read, C.BILLING, parse_billing)
    if billing is None:
        if is_blank(read.raw(C.BILLING)):
            return Billing.IN_ARREARS if is_retainer else Billing.IN_ADVANCE
        return None
    if billing is Billing.IN_ADVANCE and is_retainer:
        read.fail(
            C.BILLING,
            "Billing is in advance, but the plan is a retainer (it has Included "
            "Hours), whose hours are only known once its period is over.",
            "Set Billing to in arrears (or clear it), or clear Included Hours if the "
            "plan includes no hours.",
            code=ProblemCode.RECURRING_RETAINER_IN_ADVANCE,
        )
        return None
    return billing


def _field(
    read: RowReader,
    column: str,
    parse: Callable[[CellValue], T],
    *,
    required: ProblemCode | None = None,
    empty_fix: str = "",
) -> T | None:
    """The cell read by `parse` (None when blank or wrong, with the problem); an
    empty cell is the problem `required` when it is given."""
    value = read.parsed(column, parse)
    if value is None and required is not None and is_blank(read.raw(column)):
        read.fail(column, f"{column} is empty.", empty_fix, code=required)
    return value


def _coded(
    parse: Callable[[CellValue], T], code: ProblemCode
) -> Callable[[CellValue], T]:
    """`parse` telling an unreadable value as `code` (a failed formula stays one)."""

    def parse_as(value: CellValue) -> T:
        try:
            return parse(value)
        except CellValueError as exc:
            if exc.code is not ProblemCode.CELL_UNREADABLE:
                raise
            raise CellValueError(exc.problem, exc.fix, code=code) from exc

    return parse_as


# The most an Interval or Count may be: 10,000 weeks is about 190 years.
_MOST = 10_000


def _whole(
    number: Callable[[CellValue], Decimal], code: ProblemCode, blank: str
) -> Callable[[CellValue], int]:
    """A whole number of 1 or more (2.0 is 2)."""
    read_number = _coded(number, code)

    def whole(value: CellValue) -> int:
        found = read_number(value)
        if found < 1 or found != found.to_integral_value():
            raise CellValueError(
                "is not a whole number of 1 or more",
                f"type a whole number such as 2, {blank}",
                code=code,
            )
        if found > _MOST:
            # A schedule that far apart never bills (dateutil stops at year 9999),
            # and larger numbers overflow its date arithmetic.
            raise CellValueError(
                f"is more than {_MOST:,}",
                f"type a whole number up to {_MOST:,}, {blank}",
                code=code,
            )
        return int(found)

    return whole


def _at_least_zero(
    parse: Callable[[CellValue], Decimal], code: ProblemCode, fix: str
) -> Callable[[CellValue], Decimal]:
    read_number = _coded(parse, code)

    def at_least_zero(value: CellValue) -> Decimal:
        found = read_number(value)
        if found < 0:
            raise CellValueError("is below 0", fix, code=code)
        return found

    return at_least_zero


def _quantity(number: Callable[[CellValue], Decimal]) -> Callable[[CellValue], Decimal]:
    """Above 0, with no more decimals than a line bills (none rounded unseen)."""
    code = ProblemCode.RECURRING_BAD_QUANTITY
    read_number = _coded(number, code)

    def quantity(value: CellValue) -> Decimal:
        found = read_number(value)
        if found <= 0:
            raise CellValueError(
                "is not above 0",
                "type how many of the item each period bills, or leave it blank for 1",
                code=code,
            )
        if found != round(found, QUANTITY_DECIMALS):
            raise CellValueError(
                f"has more than {QUANTITY_DECIMALS} decimals",
                f"round it to {QUANTITY_DECIMALS} decimals at most",
                code=code,
            )
        return found

    return quantity


def _yes_no(code: ProblemCode) -> Callable[[CellValue], bool]:
    return _coded(parse_yes_no, code)


def parse_frequency(value: CellValue) -> Frequency:
    """weekly, monthly, quarterly or yearly (or annually), any case and spacing."""
    refuse_error_value(value)
    found = FREQUENCIES.get(_words(value))
    if found is None:
        raise CellValueError(
            "is not weekly, monthly, quarterly or yearly",
            "choose one of them (for every 2 months: monthly with Interval 2)",
            code=ProblemCode.RECURRING_BAD_FREQUENCY,
        )
    return found


def parse_billing(value: CellValue) -> Billing:
    """in advance or in arrears, any case and spacing."""
    refuse_error_value(value)
    found = BILLINGS.get(_words(value))
    if found is None:
        raise CellValueError(
            "is neither in advance nor in arrears",
            "choose in advance (billed on a period's first day) or in arrears "
            "(after its last day), or clear it",
            code=ProblemCode.RECURRING_BAD_BILLING,
        )
    return found


def _words(value: CellValue) -> str:
    return (
        " ".join(parse_text(value).casefold().split()) if isinstance(value, str) else ""
    )


def _day_parser(
    number: Callable[[CellValue], Decimal], frequency: Frequency | None
) -> Callable[[CellValue], int]:
    """The Day cell of a plan of `frequency` (None when its Frequency cannot be
    read: any day some frequency has)."""

    def day(value: CellValue) -> int:
        refuse_error_value(value)
        found = _day_named(value, number, frequency)
        if frequency is Frequency.WEEKLY:
            fits = found is not None and 1 <= found <= 7
        else:
            fits = found is not None and (1 <= found <= 31 or found == LAST_DAY)
        if found is None or not fits:
            raise _bad_day(frequency)
        return found

    return day


def _day_named(
    value: CellValue,
    number: Callable[[CellValue], Decimal],
    frequency: Frequency | None,
) -> int | None:
    """The day a cell names: a whole number (-1 is the last), `last` (LAST_DAY), or
    a weekday's name when the plan is weekly (or of a Frequency not read)."""
    words = _words(value)
    if words == LAST_WORD:
        return LAST_DAY
    if words in WEEKDAYS:
        return WEEKDAYS[words] if frequency in (Frequency.WEEKLY, None) else None
    if isinstance(value, bool):
        return None
    try:
        found = number(value)
    except CellValueError:
        return None
    return int(found) if found == found.to_integral_value() else None


def _bad_day(frequency: Frequency | None) -> CellValueError:
    if frequency is Frequency.WEEKLY:
        return CellValueError(
            "is not a weekday",
            "type 1 (Monday) to 7 (Sunday) or the day's name, or leave it blank for "
            "the Start's weekday",
            code=ProblemCode.RECURRING_BAD_DAY,
        )
    return CellValueError(
        "is not a day of the month",
        "type 1 to 31 (29 to 31 fall on a shorter month's last day) or last, or "
        "leave it blank for the Start's day",
        code=ProblemCode.RECURRING_BAD_DAY,
    )


def _lenient_date(value: CellValue, settings: Settings) -> date | None:
    """A date as shown (sheetbill's Next Date; a held retainer's Start): a date, or
    None for anything else."""
    return _lenient(value, locale_parser(parse_date, settings))


def _lenient_text(value: CellValue) -> str:
    """sheetbill's Last Invoice as shown ("" for a failed formula)."""
    return "" if formula_problem(value) is not None else parse_text(value)
