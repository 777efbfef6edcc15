"""Every printed line multiplies out: printed quantity times printed unit price is
the printed amount, to the minor unit, for hour, day and item units, every rounding
setting and currency: read back from the rendered HTML and from the PDF's text."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from paths import SHARED
from printed_numbers import PrintedLine, html_lines, html_totals, pdf_line, read_number

from sheetbill.cli import main
from sheetbill.documents import InvoiceDocument, render_html, render_invoice_pdf
from sheetbill.documents.formatting import customer_locale
from sheetbill.documents.labels import labels_for
from sheetbill.domain.model import (
    Counters,
    Customer,
    HoursRounding,
    Invoice,
    LineGrouping,
    Order,
    RateRule,
    Settings,
    SourceRow,
    TaxMode,
    TimeEntry,
)
from sheetbill.domain.money import Rounding, round_money
from sheetbill.planning.invoices import plan_invoices

from document_helpers import pdf_text
from helpers import CASE_SETTINGS, add_settings_rows

D = Decimal
TODAY = date(2026, 11, 30)
CASE = SHARED / "cases" / "quantity-times-price"
DEFAULTS = Settings(company_name="Pixel & Pine Design Studio Ltd")

# Increments people set: quarter hours, tenths, minutes typed as =1/60 (a float).
INCREMENTS = [D("0.25"), D("0.1"), D("0.5"), D(1), D("0.01"), D(1 / 60)]
HOURS_PER_DAY = [D(8), D("7.5"), D("7.6"), D(6), D(10)]


def scaled(places: int) -> st.SearchStrategy[Decimal]:
    return st.integers(min_value=1, max_value=5 * 10**6).map(
        lambda n: D(n).scaleb(-places)
    )


def prices() -> st.SearchStrategy[Decimal]:
    return st.integers(min_value=0, max_value=3).flatmap(scaled)


def quantities() -> st.SearchStrategy[Decimal]:
    return st.integers(min_value=0, max_value=7).flatmap(
        lambda places: st.integers(min_value=1, max_value=10**5).map(
            lambda n: D(n).scaleb(-places)
        )
    )


@st.composite
def billing(draw: st.DrawFn) -> tuple[Settings, Customer, list[TimeEntry], list[Order]]:
    config = replace(
        DEFAULTS,
        rounding=draw(st.sampled_from(list(Rounding))),
        hours_increment=draw(st.sampled_from(INCREMENTS)),
        hours_rounding=draw(st.sampled_from(list(HoursRounding))),
        hours_per_day=draw(st.sampled_from(HOURS_PER_DAY)),
        line_grouping=draw(st.sampled_from(list(LineGrouping))),
        tax_mode=draw(st.sampled_from(list(TaxMode))),
        default_tax_rate=draw(st.sampled_from([D(0), D(7), D(19), D("5.5")])),
    )
    customer = Customer(
        row=2,
        customer_id="C1",
        name="Acme",
        currency=draw(st.sampled_from(["EUR", "JPY", "KWD"])),
        language=draw(st.sampled_from(["en", "de", "fr", "es", "nb", ""])),
        country=draw(st.sampled_from(["", "DE", "NO", "CH", "MX", "GB", "FR"])),
    )
    rates = [
        RateRule(
            row=n + 2, rate=draw(prices()), unit=draw(st.sampled_from(["hour", "day"]))
        )
        for n in range(3)
    ]
    entries = [
        TimeEntry(
            SourceRow("Time Log", row, "", "fp"),
            date(2026, 11, 1 + row % 28),
            draw(st.sampled_from(["Ann", "Bob"])),
            "C1",
            "Web",
            f"Activity {activity}",
            draw(st.decimals(min_value=D("0.01"), max_value=D(12), places=4)),
            "",
            None,
            rates[activity],
        )
        for row, activity in enumerate(
            draw(st.lists(st.integers(0, 2), max_size=12)), start=2
        )
    ]
    orders = [
        Order(
            SourceRow("Orders", row, "", "fp"),
            date(2026, 11, 3),
            "C1",
            f"Item {row}",
            quantity,
            price,
            None,
            "",
        )
        for row, (quantity, price) in enumerate(
            draw(st.lists(st.tuples(quantities(), prices()), max_size=5)), start=2
        )
    ]
    if not entries and not orders:
        orders.append(
            Order(
                SourceRow("Orders", 2, "", "fp"), TODAY, "C1", "X", D(1), D(1), None, ""
            )
        )
    return config, customer, entries, orders


def planned(
    config: Settings, customer: Customer, entries: list[TimeEntry], orders: list[Order]
) -> Invoice:
    (invoice,), _ = plan_invoices(
        customers={"C1": customer},
        entries=entries,
        orders=orders,
        settings=config,
        today=TODAY,
        counters=Counters({}, 0),
    )
    return invoice


def assert_multiplies_out(
    printed: PrintedLine, *, locale: str, unit: str, currency: str, rounding: Rounding
) -> tuple[Decimal, Decimal, Decimal]:
    quantity = read_number(printed.quantity, locale, unit=f" {unit}")
    price = read_number(printed.unit_price, locale)
    amount = read_number(printed.amount, locale)
    assert round_money(quantity * price, currency, rounding) == amount, printed
    return quantity, price, amount


@settings(max_examples=150, deadline=None)
@given(case=billing())
def test_every_printed_line_multiplies_out_and_the_printed_lines_add_up(case):
    config, customer, entries, orders = case
    invoice = planned(config, customer, entries, orders)
    document = InvoiceDocument(invoice=invoice, settings=config, customer=customer)
    page = render_html(document)
    locale = customer_locale(customer, config)
    labels = labels_for(document.language)
    printed = html_lines(page)
    assert len(printed) == len(invoice.lines)
    amounts = []
    for line, shown in zip(invoice.lines, printed, strict=True):
        quantity, price, amount = assert_multiplies_out(
            shown,
            locale=locale,
            unit=labels[f"unit_{line.unit}"],
            currency=invoice.currency,
            rounding=config.rounding,
        )
        # What is printed is what is billed, and in the Invoice Lines tab.
        assert (quantity, price) == (line.quantity, line.unit_price)
        amounts.append(amount)
    totals = [read_number(t, locale) for t in html_totals(page)]
    net, due = totals[0], totals[-1]
    assert (net, due) == (invoice.net, invoice.total)
    assert sum(amounts) == (due if invoice.tax_mode is TaxMode.INCLUSIVE else net)


def test_a_day_rate_bills_the_days_it_prints():
    """The case: 8 h + 7.5 h at a day rate of 1,234.50 is 1.9375 days, all printed."""
    rate = RateRule(row=2, rate=D("1234.50"), unit="day", activity="Web Development")
    entries = [
        TimeEntry(
            SourceRow("Time Log", row, "", "fp"),
            date(2026, 11, row),
            "Cian",
            "C1",
            "",
            "Web Development",
            hours,
            "",
            None,
            rate,
        )
        for row, hours in ((2, D(8)), (3, D("7.5")))
    ]
    customer = Customer(row=2, customer_id="C1", name="Harbour Coffee Roasters Ltd")
    invoice = planned(DEFAULTS, customer, entries, [])
    document = InvoiceDocument(invoice=invoice, settings=DEFAULTS, customer=customer)
    (shown,) = html_lines(render_html(document))
    assert shown == PrintedLine("1.9375 days", "€1,234.50", "€2,391.84")


ONE_OF_EACH = [
    ("Design workshop", D("15.5"), "day", D("1234.50")),
    ("Hosting", D("2.33335"), "item", D("0.125")),
    ("Support", D("1.75"), "hour", D("88.8")),
]


@settings(max_examples=6, deadline=None)
@given(
    language=st.sampled_from(["en", "de", "fr", "es"]),
    currency=st.sampled_from(["EUR", "JPY", "KWD"]),
    rounding=st.sampled_from(list(Rounding)),
    hours_per_day=st.sampled_from(HOURS_PER_DAY),
)
def test_the_pdf_text_multiplies_out_in_every_language(
    tmp_path_factory, language, currency, rounding, hours_per_day
):
    config = replace(DEFAULTS, rounding=rounding, hours_per_day=hours_per_day)
    customer = Customer(
        row=2, customer_id="C1", name="Acme", currency=currency, language=language
    )
    entries, orders = [], []
    for row, (text, amount, unit, price) in enumerate(ONE_OF_EACH, start=2):
        source = SourceRow("Orders" if unit == "item" else "Time Log", row, "", "fp")
        if unit == "item":
            orders.append(Order(source, TODAY, "C1", text, amount, price, None, ""))
        else:
            rate = RateRule(row=row, rate=price, unit=unit, activity=text)
            entries.append(
                TimeEntry(source, TODAY, "Ann", "C1", "", text, amount, "", None, rate)
            )
    invoice = planned(config, customer, entries, orders)
    document = InvoiceDocument(invoice=invoice, settings=config, customer=customer)
    pdf = render_invoice_pdf(document, out_dir=tmp_path_factory.mktemp("pdf"))
    text = pdf_text(pdf)
    locale = customer_locale(customer, config)
    labels = labels_for(language)
    for text_shown, _amount, unit, _price in ONE_OF_EACH:
        assert_multiplies_out(
            pdf_line(text, text_shown),
            locale=locale,
            unit=labels[f"unit_{unit}"],
            currency=currency,
            rounding=rounding,
        )


def test_the_case_workbook_prints_a_day_line_that_multiplies_out(tmp_path, capsys):
    book = tmp_path / "days.xlsx"
    shutil.copyfile(CASE / "days.xlsx", book)
    book.chmod(0o644)
    # The case has no Company Address, IBAN nor Default Tax Rate: a person adds them.
    add_settings_rows(book, [*CASE_SETTINGS[:2], ("Default Tax Rate", D(0))])
    # Exit 1: billed at 0 %, and its customer has neither a Tax Category nor an
    # Invoice Note saying why (the warning is on Tax Category, its fix names both).
    assert main(["run", str(book), "--as-of", "2026-11-05", "--json"]) == 1
    problems = json.loads(capsys.readouterr().out)["exceptions"]
    assert [p["column"] for p in problems] == ["Tax Category"]
    assert "Invoice Note" in problems[0]["fix"]
    text = pdf_text(tmp_path / "invoices" / "INV-2026-0001.pdf")
    shown = pdf_line(text, "Services – Web Development")
    assert shown == PrintedLine("1.9375 days", "€1,234.50", "€2,391.84")
    assert_multiplies_out(
        shown, locale="en", unit="days", currency="EUR", rounding=Rounding.HALF_UP
    )
