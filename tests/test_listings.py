"""Invoices and problems on a terminal: whatever the screen's width, every number
is printed whole (a customer's name may wrap)."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console

from sheetbill.cli import main
from sheetbill.domain.model import (
    Invoice,
    InvoiceKind,
    InvoiceLine,
    Problem,
    Severity,
    TaxMode,
)
from sheetbill.domain.money import minor_units, quantum
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.wording import amount_text
from sheetbill.views import print_invoices, print_problems

from helpers import (
    CUSTOMER_HEADERS,
    ORDER_HEADERS,
    RATE_HEADERS,
    SETTINGS_ROWS,
    TIME_HEADERS,
    write_xlsx,
)

D = Decimal
WIDTHS = (60, 80, 120)
# An amount as the summary prints it: thousands separated, then the currency code.
# An amount stands after a space or at a line's start: never the digit of an ID ("C1"
# before a customer named "KKK" is no amount).
AMOUNT = re.compile(r"(?<![\w,.])(-?\d{1,3}(?:,\d{3})*(?:\.\d+)?) ([A-Z]{3})\b")
NUMBER = re.compile(r"INV-\d{4}-\d{4,}")


def _invoice(
    number: str, name: str, currency: str, net: Decimal, lines: int
) -> Invoice:
    net = net.quantize(quantum(currency))
    tax = (net * D("0.19")).quantize(quantum(currency))
    line = InvoiceLine(1, "Work", D(1), "item", net, D(19), net, tax, net + tax, ())
    return Invoice(
        number=number,
        kind=InvoiceKind.INVOICE,
        customer_id="C1",
        customer_name=name,
        currency=currency,
        issue_date=date(2026, 11, 5),
        due_date=date(2026, 11, 19),
        tax_mode=TaxMode.EXCLUSIVE,
        lines=(line,) * lines,
        net=net,
        tax=tax,
        total=net + tax,
        breakdown=(),
        work_complete=None,
    )


def _printed(invoices: list[Invoice], width: int) -> str:
    out = io.StringIO()
    console = Console(
        file=out, width=width, soft_wrap=True, highlight=False, color_system=None
    )
    print_invoices(console, f"{len(invoices)} invoices created", invoices)
    return out.getvalue()


NAMES = st.one_of(
    st.text(alphabet="abcdefghij KLMNOP&.,", min_size=0, max_size=90),
    st.just("Alpha Widgets International Trading GmbH & Co. KG"),
    st.just("株式会社ガンマ・インターナショナル・トレーディング"),
    st.just("[bold]Beta[/bold] Ltd"),
)
AMOUNTS = st.decimals(min_value=0, max_value=D(10) ** 13, places=3)
INVOICES = st.lists(
    st.tuples(NAMES, st.sampled_from(["EUR", "JPY", "KWD", "USD"]), AMOUNTS),
    min_size=1,
    max_size=4,
)


@settings(max_examples=60, deadline=None)
@given(invoices=INVOICES, width=st.sampled_from(WIDTHS))
@example(
    invoices=[
        ("Alpha Widgets International Trading GmbH & Co. KG", "EUR", D("2345678.90"))
    ],
    width=80,
)
@example(invoices=[("KKK", "EUR", D(0))], width=60)
def test_print_invoices_never_cuts_a_number_at_any_width(invoices, width):
    """Every invoice number, amount (thousands separated, with its currency, in the
    currency's minor units) and due date is printed whole on one line, no line is
    wider than the screen, and the amounts read back are the invoices' own."""
    made = [
        _invoice(f"INV-2026-{n + 1:04d}", name, currency, net, n + 1)
        for n, (name, currency, net) in enumerate(invoices)
    ]
    text = _printed(made, width)
    lines = text.splitlines()
    assert all(cell_len(line) <= width for line in lines), text
    assert NUMBER.findall(text) == [i.number for i in made], text
    assert text.count("2026-11-19") == len(made)
    read = sorted((D(a.replace(",", "")), c) for a, c in AMOUNT.findall(text))
    wanted = sorted(
        (amount, i.currency) for i in made for amount in (i.net, i.tax, i.total)
    )
    assert read == wanted, text
    for invoice in made:
        for amount in (invoice.net, invoice.tax, invoice.total):
            shown = amount_text(amount, invoice.currency)
            assert any(shown in line for line in lines), (shown, text)
            digits = minor_units(invoice.currency)
            assert ("." in shown) == (digits > 0)
            if digits:
                assert len(shown.split(" ")[0].split(".")[1]) == digits


def test_print_invoices_uses_the_table_when_it_fits():
    """A wide screen gets the table, the customer's name wrapped in its column."""
    invoice = _invoice(
        "INV-2026-0001", "Alpha Widgets International GmbH", "EUR", D(5), 2
    )
    text = _printed([invoice], 120)
    assert "┃ Invoice No" in text and "5.95 EUR" in text


def test_run_summary_on_an_80_column_terminal_shows_every_amount_whole(
    tmp_path, capsys, monkeypatch
):
    """The reported case: a €2,345,678.90 order on an 80-column screen."""
    book = write_xlsx(
        tmp_path / "shop.xlsx",
        {
            "Settings": [["Key", "Value"], *SETTINGS_ROWS],
            "Customers": [
                CUSTOMER_HEADERS,
                ["C1", "Alpha Widgets International Trading GmbH", "a@x.example"],
            ],
            "Rates": [RATE_HEADERS],
            "Time Log": [TIME_HEADERS],
            "Orders": [
                ORDER_HEADERS,
                [date(2026, 11, 3), "C1", "Machine", D(1), D("2345678.90")],
            ],
        },
    )
    monkeypatch.setenv("COLUMNS", "80")
    main(["run", str(book), "--dry-run", "--as-of", "2026-11-05"])
    out = capsys.readouterr().out
    assert "1 invoice would be created" in out
    for whole in (
        "INV-2026-0001",
        "2,345,678.90 EUR",
        "445,678.99 EUR",
        "2,791,357.89 EUR",
        "Alpha Widgets",
    ):
        assert whole in out, out


# Messages as sheetbill writes them: words of at most 12 letters.
PROBLEM_TEXT = st.lists(
    st.text(alphabet="abcdefghijklmn.,", min_size=1, max_size=12),
    min_size=1,
    max_size=25,
).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(min_value=2, max_value=1_048_576),
            st.decimals(min_value=0, max_value=D(10) ** 13, places=2),
            PROBLEM_TEXT,
            PROBLEM_TEXT,
        ),
        min_size=1,
        max_size=3,
    ),
    width=st.sampled_from(WIDTHS),
)
def test_print_problems_never_cuts_a_row_number_or_a_value(rows, width):
    """Problems at any screen width: each row number and number Value is printed
    whole on one line, every word of Problem and Fix is there in order, and no
    line is wider than the screen."""
    problems = [
        Problem(
            code=ProblemCode.CELL_UNREADABLE,
            tab="Orders",
            row=row,
            column="Unit Price",
            value=f"{value:,}",
            problem=text,
            fix=fix,
            severity=Severity.ERROR,
        )
        for row, value, text, fix in rows
    ]
    out = io.StringIO()
    console = Console(
        file=out, width=width, soft_wrap=True, highlight=False, color_system=None
    )
    print_problems(console, problems)
    text = out.getvalue()
    lines = text.splitlines()
    assert all(cell_len(line) <= width for line in lines), text
    words = set(text.replace("│", " ").replace("┃", " ").split())
    for problem in problems:
        assert any(re.search(rf"\b{problem.row}\b", line) for line in lines), text
        assert any(problem.value in line for line in lines), (problem.value, text)
        for message in (problem.problem, problem.fix):
            assert all(w in words for w in message.split()), text
