"""Reading the input tabs into the model: every bad cell a Problem, every good row used.

Pure: takes the tables a backend read and what the state database knows of billed rows,
returns typed customers, rates, billable time entries, orders, recurring plans and
payments, and the problems. One reader per tab (customers, rates, time_log, orders,
recurring, payments), called here in the order each needs the one before; one bad row
never stops the others.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from sheetbill.domain.model import (
    BilledRow,
    Customer,
    Order,
    Problem,
    RateRule,
    Settings,
    TimeEntry,
)
from sheetbill.domain.recurring import Plan
from sheetbill.domain.schema import ALL_TABS, map_columns, match_tab
from sheetbill.domain.sheet import BookSnapshot
from sheetbill.domain.waiting import WaitingRows, WaitingTally, WaitReason
from sheetbill.tabs.customers import naming_broken_customers, read_customers
from sheetbill.tabs.headers import column_problems
from sheetbill.tabs.no_tax_rate import hold_rows_without_tax_rate
from sheetbill.tabs.orders import read_orders
from sheetbill.tabs.payments import PaymentRow, read_payments
from sheetbill.tabs.rates import read_rates
from sheetbill.tabs.recurring import (
    RetainerHold,
    held_retainers,
    plan_keys_shown,
    read_recurring,
)
from sheetbill.tabs.rows import TabLayout, TextDates
from sheetbill.tabs.settings import read_settings
from sheetbill.tabs.time_log import read_time_log

# The Settings as read, with their problems (read once per reading of a workbook).
SettingsRead = tuple[Settings, tuple[Problem, ...]]


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
    # The Payments rows that read as payments (rows with an error left out).
    payments: tuple[PaymentRow, ...] = ()
    # The Recurring rows that read as plans (rows with an error left out).
    plans: tuple[Plan, ...] = ()
    # The Plan ID (`recurring.plan_key`) of every Recurring row, rows with an error
    # too: such a plan is held until fixed, not removed.
    plan_keys: frozenset[str] = frozenset()
    # The retainers among the Recurring rows with an error: their time rows wait
    # (`planning.recurring.plan_recurring`).
    held_retainers: tuple[RetainerHold, ...] = ()


def locate_tabs(
    book: BookSnapshot, aliases: Mapping[str, Mapping[str, Sequence[str]]]
) -> dict[str, TabLayout]:
    """Find each known tab (by name or alias) and its columns (in any order)."""
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


def read_settings_tab(layouts: Mapping[str, TabLayout]) -> SettingsRead:
    """The Settings tab among the located tabs, read with its problems."""
    layout = layouts.get("Settings")
    settings, problems = read_settings(layout.table if layout else None)
    return settings, tuple(problems)


def validate_book(
    book: BookSnapshot,
    *,
    today: date,
    billed: Mapping[str, BilledRow],
    aliases: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
    settings_read: SettingsRead | None = None,
) -> BookData:
    """Validate every input tab of `book`; `billed` is the state's rows by Row ID;
    `settings_read`: the Settings and their problems when the caller read them
    already (a run reads the Settings tab once)."""
    layouts = locate_tabs(book, aliases or {})
    settings, found = settings_read or read_settings_tab(layouts)
    problems = list(found)
    for name, layout in layouts.items():
        problems.extend(column_problems(layout, (aliases or {}).get(name, {})))
    customers, customer_problems = read_customers(layouts.get("Customers"), settings)
    problems.extend(customer_problems)
    rates, found = read_rates(layouts.get("Rates"), settings, customers)
    problems.extend(found)
    time_log, found = read_time_log(
        layouts.get("Time Log"),
        settings,
        customers,
        rates.rates,
        rates.set_aside,
        today=today,
        billed=billed,
    )
    problems.extend(found)
    orders, found = read_orders(
        layouts.get("Orders"),
        settings,
        customers,
        rates.rates,
        today=today,
        billed=billed,
    )
    problems.extend(found)
    plans, found = read_recurring(layouts.get("Recurring"), settings, customers)
    problems.extend(found)
    payments, found_payments = read_payments(layouts.get("Payments"), settings)
    problems.extend(found_payments)
    problems.extend(
        _text_dates(
            layouts,
            settings,
            rates.rates,
            (time_log.rows, orders.rows, plans),
            payments,
        )
    )
    rated = hold_rows_without_tax_rate(layouts, customers, time_log.rows, orders.rows)
    problems.extend(rated.problems)
    waiting = WaitingTally()
    for tab, row, reason in (*time_log.waiting, *orders.waiting):
        waiting.add(tab, row, reason)
    for tab, row in rated.held:
        waiting.add(tab, row, WaitReason.HAS_PROBLEM)
    return BookData(
        settings,
        customers,
        rates.rates,
        rated.entries,
        rated.orders,
        tuple(naming_broken_customers(problems, customers, customer_problems)),
        layouts,
        {**time_log.open_rows, **orders.open_rows},
        waiting.counted(),
        tuple(payments),
        plans,
        plan_keys_shown(layouts.get("Recurring")),
        held_retainers(layouts.get("Recurring"), settings, plans),
    )


def _text_dates(
    layouts: Mapping[str, TabLayout],
    settings: Settings,
    rates: Sequence[RateRule],
    billed: tuple[Sequence[TimeEntry], Sequence[Order], Sequence[Plan]],
    payments: Sequence[PaymentRow],
) -> list[Problem]:
    """One warning for the text dates of the rows used (3/11/2026) that name another
    day read the other way round: they were read in the Locale's order."""
    dates = TextDates(settings.locale)
    entries, orders, plans = billed
    used = (
        ("Rates", {r.row for r in rates}, ("Valid From", "Valid To")),
        ("Time Log", {e.source.row for e in entries}, ("Date", "Work Complete")),
        ("Orders", {o.source.row for o in orders}, ("Date",)),
        ("Recurring", {p.row for p in plans}, ("Start", "End")),
        ("Payments", {p.row for p in payments}, ("Date",)),
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
