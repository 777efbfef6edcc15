"""Amounts and quantities on the page: each prints in one piece, or, when wider than
its column, broken only after a digit group separator, its currency sign on the line
of its last digits; nothing overlaps.

Read back from where poppler finds each word (`pdf_words`, in drawing order, so the
pieces of a wrapped amount follow each other).
"""

from __future__ import annotations

import itertools
import tempfile
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from babel.numbers import get_group_symbol
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pdf_words import A4, MARGINS, Word, layout_faults, pdf_words

from sheetbill.documents import InvoiceDocument, render_invoice_pdf
from sheetbill.documents.context import template_context
from sheetbill.documents.render import DEFAULT_TEMPLATES

from document_helpers import document, pdf_text, with_customer

D = Decimal
LANGUAGES = [("de", "DE"), ("en", "GB"), ("fr", "FR"), ("es", "ES")]
# From 1.00 to 10,000,000,000,000.00 (10^13), every size about as likely.
AMOUNTS = st.integers(min_value=2, max_value=15).flatmap(
    lambda digits: st.integers(10 ** (digits - 1), 10**digits).map(
        lambda cents: D(cents).scaleb(-2)
    )
)
QUANTITIES = st.integers(min_value=1, max_value=13).flatmap(
    lambda digits: st.integers(10 ** (digits - 1), 10**digits).map(D)
)
# The right edge of the page body: the amount column and the totals end there.
RIGHT_EDGE = A4[0] - MARGINS["right"]
# Amounts up to this fit their column (and the totals) on one line.
ONE_LINE_UP_TO = D("999999999.99")


def _printed(doc: InvoiceDocument) -> list[tuple[str, Decimal]]:
    """Every amount and quantity the document prints, as its text and value."""
    fmt = template_context(doc, DEFAULT_TEMPLATES)["fmt"]
    invoice = doc.invoice
    # The tax is printed per rate (the breakdown), not as one sum.
    texts = [(fmt.money(a), a) for a in (invoice.net, invoice.total)]
    for rate in invoice.breakdown:
        texts += [(fmt.money(rate.net), rate.net), (fmt.money(rate.tax), rate.tax)]
    for line in invoice.lines:
        texts += [
            (fmt.money(line.net), line.net),
            (fmt.unit_price(line.unit_price), line.unit_price),
            (fmt.quantity(line.quantity), line.quantity),
        ]
    return texts


def _occurrences(words: list[Word], text: str) -> list[list[Word]]:
    """Runs of consecutive words that together spell `text` (spaces left out, as
    poppler splits words at them)."""
    wanted = "".join(text.split())
    found = []
    for start in range(len(words)):
        joined = ""
        for end in range(start, len(words)):
            joined += words[end].text
            if joined == wanted:
                found.append(words[start : end + 1])
                break
            if not wanted.startswith(joined):
                break
    return found


def _breaks(text: str, run: list[Word]) -> list[str]:
    """For each line break inside the printed `text`, the character before it."""
    kept = [i for i, char in enumerate(text) if not char.isspace()]
    breaks, position = [], 0
    for before, after in itertools.pairwise(run):
        position += len(before.text)
        if abs(after.top - before.top) > 2 or after.page != before.page:
            breaks.append(text[kept[position] - 1])
    return breaks


def _check_amounts(doc: InvoiceDocument) -> None:
    with tempfile.TemporaryDirectory() as folder:
        words = pdf_words(render_invoice_pdf(doc, out_dir=Path(folder)))
    assert layout_faults(words) == []
    locale = template_context(doc, DEFAULT_TEMPLATES)["locale"]
    group = get_group_symbol(locale)
    for text, value in _printed(doc):
        runs = _occurrences(words, text)
        assert runs, f"{text!r} is not printed whole"
        for run in runs:
            breaks = _breaks(text, run)
            assert all(char == group for char in breaks), (text, breaks, run)
            # The amount column (padded 1.6 mm) and the totals end at the right.
            at_right = run[-1].x1 > RIGHT_EDGE - 6
            if at_right and abs(value) <= ONE_LINE_UP_TO:
                assert breaks == [], (text, run)


@pytest.mark.slow
@pytest.mark.parametrize(("language", "country"), LANGUAGES)
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(price=AMOUNTS, quantity=QUANTITIES)
@example(price=D("999999999.99"), quantity=D(1))
@example(price=D("1530864.18"), quantity=D(1))  # to pay 1.821.728,38 €
@example(price=D("10000000000000.00"), quantity=D(10) ** 13)
@example(price=D("98765.4321"), quantity=D("123456.5"))
def test_render_invoice_pdf_amounts_break_only_between_digit_groups(
    language: str, country: str, price: Decimal, quantity: Decimal
):
    """Every amount, price and quantity reads back whole: in one piece, or broken
    only after a group separator, with its currency sign beside its last digits;
    amounts up to 999,999,999.99 fill one line in the amount column and the totals;
    nothing overlaps or leaves the page."""
    items = [
        ("Lizenz", "1", "item", str(price), "19"),
        ("Consulting", str(quantity), "hour", "0.01", "7"),
    ]
    doc = with_customer(document(items), language=language, country=country)
    _check_amounts(doc)


def test_render_invoice_pdf_prints_a_one_day_service_period_as_one_date(
    out_dir: Path,
):
    """A period that starts and ends on the same day prints that day once."""
    day = date(2026, 11, 3)
    doc = with_customer(document(), language="en", country="GB")
    one_day = replace(doc, service_period=(day, day))
    text = " ".join(pdf_text(render_invoice_pdf(one_day, out_dir=out_dir)).split())
    assert text.count("3 Nov 2026") == 1 and "–" not in text
    longer = replace(doc, service_period=(date(2026, 10, 1), day))
    text = " ".join(pdf_text(render_invoice_pdf(longer, out_dir=out_dir)).split())
    assert "1 Oct 2026 – 3 Nov 2026" in text
