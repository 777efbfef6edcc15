"""The demo workbook: a small design and software agency, generated from a fixed seed.

This is the one source of `sheet_templates/demo.xlsx` (a test keeps the committed copy
in sync): 12 customers in EUR, USD and JPY (one reads Factur-X, a public buyer
XRechnung), tax exclusive and inclusive, rates per customer, project and person, three
months of time logs, orders, recurring plans (hosting monthly, a quarterly support
plan, a retainer with included hours, a paused yearly plan) and a few deliberately
wrong rows that show up in the Exceptions tab. For sending (`make demo` plays it,
`usecases/demo_cycle.py`): invoices go out automatically, reminders at -3, +1, +7,
+14 and +30 days from the due date, every customer has an email on the .example
domain but one typed wrongly, the bakery opted out of reminders, and the approval
threshold (one per currency) holds one invoice of August and one of October. For
payments (the months' statements are in `sheet_templates/payments`): Brightline's
group pays under its own name and account, both on Brightline's row; the Payments
tab holds one sample row (`make demo` empties it: its payments come from the
statements). Regenerate with
`python -m sheetbill.usecases.demo PATH`.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sheetbill.domain.mail import SendInvoices
from sheetbill.domain.model import ApprovalThreshold, LineGrouping, Settings, TaxMode
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
    TabSchema,
)
from sheetbill.domain.sheet import CellValue, CellWrite, WorkbookChanges
from sheetbill.usecases.init import settings_writes
from sheetbill.workbook.excel import ExcelWorkbook

# The day `make demo` runs as (--as-of): the first working day after the logged months.
DEMO_AS_OF = date(2026, 11, 2)
FIRST_DAY = date(2026, 8, 3)
LAST_DAY = date(2026, 10, 30)
D = Decimal

DEMO_SETTINGS = replace(
    Settings(),
    company_name="Northwind Studio GmbH",
    company_address="Torstraße 140",
    company_postcode="10119",
    company_city="Berlin",
    company_country="DE",
    company_tax_id="DE298765431",
    contact_name="Accounts",
    contact_phone="+49 30 5557 1400",
    contact_email="invoices@northwind.example",
    iban="DE89370400440532013000",
    bic="COBADEFFXXX",
    default_currency="EUR",
    default_tax_rate=D(19),
    tax_mode=TaxMode.EXCLUSIVE,
    terms_days=14,
    # Per month billed, Acme's August (EUR 11,513.25) and Hudson & Pike's October
    # (USD 8,918.75) wait for approval: `make demo` approves the first and leaves
    # the second waiting.
    approval_threshold=ApprovalThreshold(
        (Money(D(11500), "EUR"), Money(D(8800), "USD"), Money(D(1500000), "JPY"))
    ),
    approvers=("Maria Lopez",),
    billing_owner="billing@northwind.example",
    reminder_schedule=(-3, 1, 7, 14, 30),
    send_invoices=SendInvoices.AUTOMATICALLY,
    locale="de_DE",
    timezone="Europe/Berlin",
    line_grouping=LineGrouping.PROJECT_ACTIVITY,
)

Row = Mapping[str, CellValue]

CUSTOMER_ROWS: list[Row] = [
    {
        "Customer ID": "C001",
        "Name": "Acme Robotics GmbH",
        "Email": "ap@acme-robotics.example",
        "Street": "Hafenstraße 3",
        "Postcode": "20457",
        "City": "Hamburg",
        "Country": "DE",
        "Currency": "EUR",
        "Tax ID": "DE811234567",
        "Terms Days": D(30),
        "Language": "de",
        "Owner": "anna@northwind.example",
    },
    {
        "Customer ID": "C002",
        "Name": "Brightline Media AG",
        "Email": "invoices@brightline.example",
        "CC": "cfo@brightline.example",
        "Street": "Karlstraße 12",
        "Postcode": "80333",
        "City": "München",
        "Country": "DE",
        "Currency": "EUR",
        "Tax ID": "DE812345678",
        "Language": "de",
        # Its group's treasury pays from another account and name, not always
        # naming the invoice: `make demo` matches such a payment by payer and amount.
        "Payer Names": "Brightline Holding GmbH",
        "IBAN": "DE98 7005 0000 0002 0244 89",
    },
    {
        "Customer ID": "C003",
        "Name": "Fjord Analytics AS",
        "Email": "faktura@fjord.example",
        "Street": "Storgata 1",
        "Postcode": "0155",
        "City": "Oslo",
        "Country": "NO",
        "Currency": "EUR",
        "Tax ID": "NO923456789MVA",
        "Tax Rate": D(0),
        # The invoice prints why no VAT is charged (outside the EU: not subject).
        "Tax Category": "outside scope",
        "Language": "en",
        "Notes": "Outside the EU: no German VAT, Fjord accounts for it in Norway",
    },
    {
        "Customer ID": "C004",
        "Name": "Hudson & Pike LLC",
        "Email": "ap@hudsonpike.example",
        "Street": "200 Park Ave",
        "Postcode": "10166",
        "City": "New York, NY",
        "Country": "US",
        "Currency": "USD",
        "Tax Rate": D(0),
        "Terms Days": D(30),
        "Language": "en",
    },
    {
        "Customer ID": "C005",
        "Name": "Golden Gate Outdoor Inc.",
        "Email": "billing@ggoutdoor.example",
        "Street": "1 Market St",
        "Postcode": "94105",
        "City": "San Francisco, CA",
        "Country": "US",
        "Currency": "USD",
        "Tax Rate": D(0),
        "Language": "en",
    },
    {
        "Customer ID": "C006",
        "Name": "Sakura Design K.K.",
        "Email": "keiri@sakura.example",
        "Street": "1-1 Marunouchi, Chiyoda-ku",
        "Postcode": "100-0005",
        "City": "Tokyo",
        "Country": "JP",
        "Currency": "JPY",
        "Tax Rate": D(10),
        "Language": "en",
    },
    {
        "Customer ID": "C007",
        "Name": "Café Lumière SARL",
        "Email": "compta@lumiere.example",
        "Street": "8 rue de Rivoli",
        "Postcode": "75004",
        "City": "Paris",
        "Country": "FR",
        "Currency": "EUR",
        "Tax ID": "FR40123456789",
        "Tax Rate": D(20),
        "Tax Mode": "inclusive",
        "Language": "fr",
        "E-Invoice": "factur-x",
        "Notes": "Prices agreed including VAT; reads Factur-X (data inside the PDF)",
    },
    {
        "Customer ID": "C008",
        "Name": "Bäckerei Schulz",
        "Email": "schulz@baeckerei.example",
        "Street": "Bergmannstraße 5",
        "Postcode": "10961",
        "City": "Berlin",
        "Country": "DE",
        "Currency": "EUR",
        "Tax Mode": "inclusive",
        "Language": "de",
        "Reminders": "off",
    },
    {
        "Customer ID": "C009",
        "Name": "Tokyo Ramen Lab",
        "Email": "info@ramenlab.example",
        "Street": "2-3 Shibuya",
        "Postcode": "150-0002",
        "City": "Tokyo",
        "Country": "JP",
        "Currency": "JPY",
        "Tax Rate": D(10),
        "Language": "en",
    },
    {
        "Customer ID": "C010",
        "Name": "Old Partner Ltd",
        "Email": "accounts@oldpartner.example",
        "Country": "GB",
        "Currency": "EUR",
        "Status": "inactive",
        "Notes": "Contract ended in June",
    },
    {
        "Customer ID": "C011",
        "Name": "Estudio Sol S.L.",
        "Email": "facturas at estudiosol",
        "Street": "Calle Mayor 5",
        "Postcode": "28013",
        "City": "Madrid",
        "Country": "ES",
        "Currency": "EUR",
        "Tax Rate": D(21),
        "Language": "es",
        "Notes": "Email typed wrongly on purpose: shows as an exception",
    },
    {
        "Customer ID": "C012",
        "Name": "Bezirksamt Pankow von Berlin",
        "Email": "rechnungseingang@ba-pankow.example",
        "Street": "Breite Straße 24-26",
        "Postcode": "13187",
        "City": "Berlin",
        "Country": "DE",
        "Currency": "EUR",
        "Language": "de",
        "E-Invoice": "xrechnung",
        "Buyer Reference": "11000000-54321-27",
        "Terms Days": D(30),
        "Notes": "Public buyer: XRechnung with its Leitweg-ID as Buyer Reference",
    },
]

RATE_ROWS: list[Row] = [
    {"Activity": "Development", "Rate": D(95), "Unit": "hour"},
    {"Activity": "Design", "Rate": D(85), "Unit": "hour"},
    {"Activity": "Consulting", "Rate": D(120), "Unit": "hour"},
    {"Activity": "Project Management", "Rate": D(75), "Unit": "hour"},
    {"Activity": "Copywriting", "Rate": D(70), "Unit": "hour"},
    {"Person": "Ben Okafor", "Activity": "Development", "Rate": D(110), "Unit": "hour"},
    {
        "Customer ID": "C001",
        "Project": "Warehouse App",
        "Activity": "Development",
        "Rate": D(90),
        "Unit": "hour",
    },
    {
        "Customer ID": "C001",
        "Activity": "Design",
        "Rate": D(80),
        "Unit": "hour",
        "Valid To": date(2026, 8, 31),
    },
    {
        "Customer ID": "C001",
        "Activity": "Design",
        "Rate": D(88),
        "Unit": "hour",
        "Valid From": date(2026, 9, 1),
    },
    {"Customer ID": "C003", "Activity": "Consulting", "Rate": D(900), "Unit": "day"},
    {
        "Customer ID": "C004",
        "Activity": "Development",
        "Rate": D(130),
        "Unit": "hour",
        "Currency": "USD",
    },
    {
        "Customer ID": "C004",
        "Activity": "Design",
        "Rate": D(115),
        "Unit": "hour",
        "Currency": "USD",
    },
    {
        "Customer ID": "C004",
        "Activity": "Project Management",
        "Rate": D(95),
        "Unit": "hour",
        "Currency": "USD",
    },
    {
        "Customer ID": "C005",
        "Activity": "Design",
        "Rate": D(110),
        "Unit": "hour",
        "Currency": "USD",
    },
    {
        "Customer ID": "C005",
        "Activity": "Development",
        "Rate": D(125),
        "Unit": "hour",
        "Currency": "USD",
    },
    {
        "Customer ID": "C006",
        "Activity": "Design",
        "Rate": D(14000),
        "Unit": "hour",
        "Currency": "JPY",
    },
    {
        "Customer ID": "C006",
        "Activity": "Development",
        "Rate": D(16500),
        "Unit": "hour",
        "Currency": "JPY",
    },
    {"Customer ID": "C009", "Rate": D(12500), "Unit": "hour", "Currency": "JPY"},
    {"Customer ID": "C007", "Rate": D(96), "Unit": "hour", "Project": "Menu Redesign"},
    {"Customer ID": "C008", "Activity": "Photography", "Rate": D(60), "Unit": "hour"},
    # Deliberate tie with the row above: same specificity, overlapping dates.
    {"Customer ID": "C008", "Activity": "Photography", "Rate": D(65), "Unit": "hour"},
]

# (customer, project, activity, people, weight): who works on what, and how often.
WORK: list[tuple[str, str, str, tuple[str, ...], int]] = [
    ("C001", "Warehouse App", "Development", ("Ben Okafor", "David Kim"), 9),
    ("C001", "Warehouse App", "Design", ("Anna Becker",), 3),
    ("C001", "Warehouse App", "Project Management", ("Chloé Martin",), 2),
    ("C002", "Autumn Campaign", "Design", ("Anna Becker",), 4),
    ("C002", "Autumn Campaign", "Copywriting", ("Eva Novak",), 4),
    ("C002", "Website Relaunch", "Development", ("David Kim",), 3),
    ("C003", "Data Platform", "Consulting", ("Chloé Martin",), 2),
    ("C004", "Investor Portal", "Development", ("Ben Okafor",), 4),
    ("C004", "Investor Portal", "Design", ("Anna Becker",), 2),
    ("C004", "Investor Portal", "Project Management", ("Chloé Martin",), 1),
    ("C005", "Spring Catalogue", "Design", ("Anna Becker",), 2),
    ("C006", "Brand Book", "Design", ("Anna Becker",), 2),
    ("C006", "Brand Book", "Development", ("David Kim",), 1),
    ("C007", "Menu Redesign", "Design", ("Anna Becker",), 1),
    ("C007", "Menu Redesign", "Copywriting", ("Eva Novak",), 1),
    ("C009", "Online Shop", "Development", ("David Kim",), 2),
    ("C011", "Brand Refresh", "Copywriting", ("Eva Novak",), 1),
    ("INTERNAL", "Studio", "Training", ("Ben Okafor", "Eva Novak", "David Kim"), 2),
]
DESCRIPTIONS = {
    "Development": [
        "Implemented {x}",
        "Fixed bugs in {x}",
        "Code review of {x}",
        "Deployed {x} to staging",
    ],
    "Design": ["Drafted layouts for {x}", "Refined {x} mock-ups", "Icon set for {x}"],
    "Project Management": [
        "Weekly call about {x}",
        "Planning for {x}",
        "Status report {x}",
    ],
    "Copywriting": ["Wrote copy for {x}", "Edited {x} texts"],
    "Consulting": ["Workshop on {x}", "Architecture review of {x}"],
    "Training": ["Internal training: {x}"],
}
TOPICS = [
    "the login page",
    "the dashboard",
    "the checkout",
    "the newsletter",
    "the product pages",
    "the search",
    "the reports",
    "the mobile views",
]


def _workdays(first: date, last: date) -> list[date]:
    days, day = [], first
    while day <= last:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


# Billed once and wrong on purpose: each becomes a row in the Exceptions tab.
TIME_LOG_MISTAKES: list[Row] = [
    {
        "Date": date(2026, 9, 14),
        "Person": "Anna Becker",
        "Customer ID": "C099",
        "Project": "Unknown",
        "Activity": "Design",
        "Hours": D(3),
        "Description": "Customer ID typed wrongly",
        "Billable": "yes",
        "Approved": "yes",
    },
    {
        "Date": date(2026, 9, 15),
        "Person": "Ben Okafor",
        "Customer ID": "C001",
        "Project": "Warehouse App",
        "Activity": "Development",
        "Hours": D(-2),
        "Description": "Negative hours",
        "Billable": "yes",
        "Approved": "yes",
    },
    {
        "Date": "31.02.2026",
        "Person": "David Kim",
        "Customer ID": "C002",
        "Project": "Website Relaunch",
        "Activity": "Development",
        "Hours": D(4),
        "Description": "A date that does not exist",
        "Billable": "yes",
        "Approved": "yes",
    },
    {
        "Date": date(2026, 10, 6),
        "Person": "Eva Novak",
        "Customer ID": "C002",
        "Project": "Autumn Campaign",
        "Activity": "Copywriting",
        "Hours": D(30),
        "Description": "30 hours in one day",
        "Billable": "yes",
        "Approved": "yes",
    },
    {
        "Date": date(2026, 10, 7),
        "Customer ID": "C004",
        "Project": "Investor Portal",
        "Activity": "Development",
        "Hours": D(5),
        "Description": "Who did this?",
        "Billable": "yes",
        "Approved": "yes",
    },
    {
        "Date": date(2026, 10, 8),
        "Person": "Chloé Martin",
        "Customer ID": "C010",
        "Project": "Wrap-up",
        "Activity": "Consulting",
        "Hours": D(2),
        "Description": "Customer is inactive",
        "Billable": "yes",
        "Approved": "yes",
    },
    {
        "Date": date(2026, 10, 9),
        "Person": "Eva Novak",
        "Customer ID": "C005",
        "Project": "Spring Catalogue",
        "Activity": "Copywriting",
        "Hours": D(3),
        "Description": "Only a EUR rate exists for copywriting",
        "Billable": "yes",
        "Approved": "yes",
    },
    {
        "Date": date(2026, 10, 12),
        "Person": "Anna Becker",
        "Customer ID": "C008",
        "Project": "Shop Photos",
        "Activity": "Photography",
        "Hours": D(4),
        "Description": "Two equally specific rates",
        "Billable": "yes",
        "Approved": "yes",
    },
]


def time_log_rows(rng: random.Random) -> list[Row]:
    rows: list[Row] = []
    weights = [w for *_, w in WORK]
    for day in _workdays(FIRST_DAY, LAST_DAY):
        for _ in range(rng.choice((7, 8, 9, 10))):
            customer, project, activity, people, _w = rng.choices(WORK, weights)[0]
            person = rng.choice(people)
            hours = D(rng.choice((2, 3, 4, 5, 6, 8, 10, 12, 14, 16))) / 4
            if rng.random() < 0.08:  # odd minutes show the rounding increment at work
                hours += D(rng.choice((5, 10, 20))) / 60
                hours = hours.quantize(D("0.01"))
            topic = rng.choice(TOPICS)
            row: dict[str, CellValue] = {
                "Date": day,
                "Person": person,
                "Customer ID": customer,
                "Project": project,
                "Activity": activity,
                "Description": rng.choice(DESCRIPTIONS[activity]).format(x=topic),
                "Billable": "no" if customer == "INTERNAL" else "yes",
                "Approved": "no"
                if day > date(2026, 10, 27) and rng.random() < 0.5
                else "yes",
            }
            if rng.random() < 0.05:
                row["Start"], row["End"] = (
                    "09:00",
                    f"{9 + int(hours)}:{int(hours % 1 * 60):02d}",
                )
            else:
                row["Hours"] = hours
            if activity != "Training" and day.day in (28, 29, 30, 31):
                row["Work Complete"] = day
            rows.append(row)
    rows.extend(TIME_LOG_MISTAKES)
    rows.sort(
        key=lambda r: r["Date"] if isinstance(r["Date"], date) else date(2026, 9, 1)
    )
    # The public buyer's workshops, typed in later (after the random rows, so that
    # they leave those as they were).
    rows += [
        {
            "Date": day,
            "Person": "Chloé Martin",
            "Customer ID": "C012",
            "Project": "Bürgerportal",
            "Activity": "Consulting",
            "Hours": D(hours),
            "Description": "Workshop on the appointment booking",
            "Billable": "yes",
            "Approved": "yes",
        }
        for day, hours in ((date(2026, 10, 13), 6), (date(2026, 10, 20), 4))
    ]
    rows += RETAINER_ROWS
    return rows


# Acme's maintenance, drawn down against its retainer (plan P-001: 10 hours a
# month, up to 5 unused carried over): August uses 7 (3 carried over), September
# 15.5 of 13 (2.5 extra, at the Development rate), October 7.5 of 10 (2.5 carried
# over into November). Typed after the others, so that they leave those as they were.
RETAINER_ROWS: list[Row] = [
    {
        "Date": day,
        "Person": "David Kim",
        "Customer ID": "C001",
        "Project": "Maintenance",
        "Activity": "Development",
        "Hours": D(hours),
        "Description": what,
        "Billable": "yes",
        "Approved": "yes",
    }
    for day, hours, what in (
        (date(2026, 8, 5), "2.5", "Security updates of the servers"),
        (date(2026, 8, 12), "1.5", "Backup restore test"),
        (date(2026, 8, 19), "2", "Fixed the label printer driver"),
        (date(2026, 8, 26), "1", "Renewed the TLS certificates"),
        (date(2026, 9, 2), "3", "Security updates of the servers"),
        (date(2026, 9, 9), "4", "Database upgrade"),
        (date(2026, 9, 16), "2.5", "Fixed the night export"),
        (date(2026, 9, 23), "4.5", "Scanner outage at the warehouse"),
        (date(2026, 9, 30), "1.5", "Backup restore test"),
        (date(2026, 10, 7), "2", "Security updates of the servers"),
        (date(2026, 10, 14), "3.5", "Moved the logs to new storage"),
        (date(2026, 10, 21), "1.25", "Fixed the label printer driver"),
        (date(2026, 10, 28), "0.75", "Renewed the TLS certificates"),
    )
]


# Bought for a customer once, some of them wrong on purpose.
ONE_OFF_ORDER_ROWS: list[Row] = [
    {
        "Date": date(2026, 8, 20),
        "Customer ID": "C002",
        "Item": "Stock photos",
        "Quantity": D(12),
        "Unit Price": D("14.90"),
        "Description": "Campaign images",
    },
    {
        "Date": date(2026, 8, 27),
        "Customer ID": "C008",
        "Item": "Photo prints",
        "Quantity": D(20),
        "Unit Price": D("12.50"),
        "Description": "Shop window prints, A3",
    },
    {
        "Date": date(2026, 9, 3),
        "Customer ID": "C002",
        "Item": "Print run",
        "Quantity": D(1),
        "Unit Price": "1.234,50",
        "Description": "Flyers, price typed as text in the German way",
    },
    {
        "Date": date(2026, 9, 10),
        "Customer ID": "C006",
        "Item": "Font licence",
        "Quantity": D(3),
        "Unit Price": D(18000),
    },
    {
        "Date": date(2026, 9, 24),
        "Customer ID": "C007",
        "Item": "Menu printing",
        "Quantity": D(200),
        "Unit Price": D("1.85"),
        "Description": "Price incl. VAT",
    },
    {
        "Date": date(2026, 10, 2),
        "Customer ID": "C003",
        "Item": "Cloud credits",
        "Quantity": D(1),
        "Unit Price": D(250),
        "Tax Rate": D(0),
    },
    {
        "Date": date(2026, 10, 15),
        "Customer ID": "C009",
        "Item": "Domain",
        "Quantity": D(1),
        "Unit Price": D(2400),
        "Description": "ramenlab.example, 1 year",
    },
    {
        "Date": date(2026, 10, 16),
        "Customer ID": "C005",
        "Item": "Photo shoot",
        "Quantity": D(1),
        "Description": "No price and no rate: an exception",
    },
    {
        "Date": date(2026, 10, 20),
        "Customer ID": "C002",
        "Item": "Banner ads",
        "Quantity": D(0),
        "Unit Price": D(300),
        "Description": "Quantity 0 by mistake",
    },
    {
        "Date": date(2026, 10, 21),
        "Customer ID": "C012",
        "Item": "Printed brochures",
        "Quantity": D(500),
        "Unit Price": D("0.84"),
        "Description": "Bürgerportal flyer, A5",
    },
]


def order_rows() -> list[Row]:
    """The Orders tab's rows. Hosting, once typed in as an order each month, is
    billed by the plans P-004 and P-005 now (so never twice)."""
    return list(ONE_OFF_ORDER_ROWS)


# The plans (`make demo` plays them): the first run, on 2026-09-01, catches up one
# invoice per period since July, in period order; then each month's on the 1st.
# Auto Send: the retainer waits for review, the support plan goes by itself, hosting
# as Send Invoices says (automatically). Tokyo Ramen's paused plan skips 2026-10-15.
RECURRING_ROWS: list[Row] = [
    {
        "Plan ID": "P-001",
        "Customer ID": "C001",
        "Description": "Maintenance retainer",
        "Quantity": D(1),
        "Unit Price": D(900),
        "Frequency": "monthly",
        "Day": D(1),
        "Start": date(2026, 8, 1),
        # Billed once the month is over (the hours are known then), and left for
        # a person to look over before it goes.
        "Billing": "in arrears",
        "Included Hours": D(10),
        "Project": "Maintenance",
        "Max Rollover Hours": D(5),
        "Auto Send": "no",
        "Active": "yes",
    },
    {
        "Plan ID": "P-002",
        "Customer ID": "C004",
        "Description": "Support plan",
        "Quantity": D(1),
        "Unit Price": D(800),
        "Frequency": "quarterly",
        "Day": D(1),
        "Start": date(2026, 7, 1),
        "Billing": "in advance",
        "Auto Send": "yes",
        "Active": "yes",
    },
    {
        "Plan ID": "P-003",
        "Customer ID": "C009",
        "Description": "Shop hosting",
        "Quantity": D(1),
        "Unit Price": D(9800),
        "Frequency": "yearly",
        "Day": D(15),
        "Start": date(2026, 10, 15),
        "Auto Send": "no",
        "Active": "no",
    },
    {
        "Plan ID": "P-004",
        "Customer ID": "C001",
        "Description": "Warehouse App hosting",
        "Quantity": D(1),
        "Unit Price": D(49),
        "Frequency": "monthly",
        "Day": D(1),
        "Start": date(2026, 8, 1),
        "Active": "yes",
    },
    {
        "Plan ID": "P-005",
        "Customer ID": "C004",
        "Description": "Portal + staging hosting",
        "Quantity": D(2),
        "Unit Price": D(59),
        "Frequency": "monthly",
        "Day": D(1),
        "Start": date(2026, 8, 1),
        "Active": "yes",
    },
]
PAYMENT_ROWS: list[Row] = [
    {
        "Date": date(2026, 10, 30),
        "Amount": D("4800.00"),
        "Currency": "EUR",
        "Payer": "Acme Robotics GmbH",
        "Reference": "Advance payment",
        "Method": "bank transfer",
    },
]


def _writes(schema: TabSchema, rows: Sequence[Row]) -> tuple[CellWrite, ...]:
    positions = {c.name: i for i, c in enumerate(schema.columns)}
    return tuple(
        CellWrite(number, positions[column], value)
        for number, row in enumerate(rows, start=2)
        for column, value in row.items()
        if value is not None
    )


def demo_changes() -> WorkbookChanges:
    """The demo's rows as writes into a workbook made by `sheetbill init`."""
    rng = random.Random(2026)  # noqa: S311 (demo data, not security)
    return WorkbookChanges(
        writes={
            SETTINGS.name: settings_writes(DEMO_SETTINGS),
            CUSTOMERS.name: _writes(CUSTOMERS, CUSTOMER_ROWS),
            RATES.name: _writes(RATES, RATE_ROWS),
            TIME_LOG.name: _writes(TIME_LOG, time_log_rows(rng)),
            ORDERS.name: _writes(ORDERS, order_rows()),
            RECURRING.name: _writes(RECURRING, RECURRING_ROWS),
            PAYMENTS.name: _writes(PAYMENTS, PAYMENT_ROWS),
        }
    )


def write_demo(path: Path) -> None:
    """Create the demo workbook at `path` (replacing any file there)."""
    path.unlink(missing_ok=True)
    ExcelWorkbook.create_new(path, [schema.spec() for schema in ALL_TABS])
    book = ExcelWorkbook(path, backups=0)
    book.apply(demo_changes(), expected_version=book.read().version)


if __name__ == "__main__":
    write_demo(Path(sys.argv[1] if len(sys.argv) > 1 else "sheet_templates/demo.xlsx"))
