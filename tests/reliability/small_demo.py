"""A small book made from the demo, for tests that run it many times: the same
tabs, settings, customers, mistakes and features, with the work of fewer customers."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from sheetbill.domain.model import ApprovalThreshold
from sheetbill.domain.money import Money
from sheetbill.domain.schema import (
    ALL_TABS,
    CUSTOMERS,
    ORDERS,
    PAYMENTS,
    RATES,
    RECURRING,
    SETTINGS,
    TIME_LOG,
)
from sheetbill.domain.sheet import WorkbookChanges
from sheetbill.usecases import demo
from sheetbill.usecases.init import settings_writes
from sheetbill.workbook.excel import ExcelWorkbook

# Whose work is billed: EUR by the hour with orders, over the approval threshold and
# with recurring plans (C001: the retainer, hosting; and the demo's paused plan),
# JPY (C006), Factur-X (C007) and a public buyer's XRechnung (C012).
BILLED = ("C001", "C006", "C007", "C012")
# One in this many of a customer's time rows is kept, so that each still has
# several lines, late unapproved rows and a work-complete date.
THINNED = {"C001": 4, "C006": 2, "C007": 2, "INTERNAL": 8}
# Lower than the demo's, so the thinned EUR invoice of C001 still awaits approval.
THRESHOLD = ApprovalThreshold(
    (
        Money(Decimal(6000), "EUR"),
        Money(Decimal(30000), "USD"),
        Money(Decimal(4000000), "JPY"),
    )
)
MISTAKE = "Customer ID typed wrongly"
# C001's retainer (in arrears) bills October, its hosting (in advance) November.
PLAN_STARTS = {"P-001": date(2026, 10, 1), "P-004": date(2026, 11, 1)}


def write_small_demo(path: Path) -> None:
    """The small demo book at `path`; the demo's mistakes (one Exceptions row each)
    are all kept."""
    rng = random.Random(2026)  # the demo's own seed
    seen: dict[str, int] = {}
    time_rows = []
    for row in demo.time_log_rows(rng):
        customer = str(row["Customer ID"])
        if customer not in (*BILLED, "INTERNAL") and not _is_mistake(row):
            continue
        seen[customer] = seen.get(customer, 0) + 1
        if _is_mistake(row) or seen[customer] % THINNED.get(customer, 1) == 0:
            time_rows.append(row)
    orders = [
        r for r in demo.order_rows() if r["Customer ID"] in BILLED or _is_mistake(r)
    ]
    rates = [r for r in demo.RATE_ROWS if r.get("Customer ID") in (None, *BILLED)]
    # A paused plan bills nothing: kept whoever's it is (its period is skipped).
    # The billed plans start late enough to bill one period each as of the tests'
    # day: each invoice is a PDF and an email, so every one more multiplies the
    # crash points and lengthens every run (the demo's catch-up is tested there).
    plans = [
        {**r, "Start": PLAN_STARTS.get(str(r["Plan ID"]), r["Start"])}
        for r in demo.RECURRING_ROWS
        if r["Customer ID"] in BILLED or r.get("Active") == "no"
    ]
    changes = WorkbookChanges(
        writes={
            SETTINGS.name: settings_writes(
                replace(demo.DEMO_SETTINGS, approval_threshold=THRESHOLD)
            ),
            CUSTOMERS.name: demo._writes(CUSTOMERS, demo.CUSTOMER_ROWS),
            RATES.name: demo._writes(RATES, rates),
            TIME_LOG.name: demo._writes(TIME_LOG, time_rows),
            ORDERS.name: demo._writes(ORDERS, orders),
            RECURRING.name: demo._writes(RECURRING, plans),
            PAYMENTS.name: demo._writes(PAYMENTS, demo.PAYMENT_ROWS),
        }
    )
    ExcelWorkbook.create_new(path, [schema.spec() for schema in ALL_TABS])
    book = ExcelWorkbook(path, backups=0)
    book.apply(changes, expected_version=book.read().version)


def _is_mistake(row: demo.Row) -> bool:
    return str(row.get("Description", "")) in _MISTAKES


_MISTAKES = frozenset(
    {
        MISTAKE,
        "Negative hours",
        "A date that does not exist",
        "30 hours in one day",
        "Who did this?",
        "Customer is inactive",
        "Only a EUR rate exists for copywriting",
        "Two equally specific rates",
        "No price and no rate: an exception",
        "Quantity 0 by mistake",
    }
)
