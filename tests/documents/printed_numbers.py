"""Reading printed numbers back: what a customer reads, as the number it stands for.

The lines table of an invoice's HTML (what the template printed) and of its PDF text,
each cell parsed in the document's locale, so tests can multiply what is printed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from babel import Locale
from lxml import html

MINUS_SIGNS = ("-", "\u2212")
# Where an amount may break (after a group separator): invisible, never read.
ZERO_WIDTH_BREAK = "\u200b"


def _read(cell: html.HtmlElement) -> str:
    """A cell's text as a reader sees it: white space as one space, no zero-width
    break opportunities."""
    return " ".join(cell.text_content().replace(ZERO_WIDTH_BREAK, "").split())


def read_number(text: str, locale: str, *, unit: str = "") -> Decimal:
    """The number printed as `text` in `locale` (`1.234,50 €`, `¥1,235`, `2,5 Std.`).

    Currency signs and codes around it are ignored; a unit label after it is cut
    off first, since one may hold the locale's separators (`uds.`).
    """
    if unit:
        assert text.endswith(unit), (text, unit)
        text = text[: -len(unit)]
    symbols = Locale.parse(locale).number_symbols["latn"]
    decimal = symbols["decimal"]
    negative = any(sign in text for sign in MINUS_SIGNS)
    kept = []
    for char in text:
        if char.isdigit():
            kept.append(char)
        elif char == decimal:  # group separators, signs and codes are left out
            kept.append(".")
    digits = "".join(kept).strip(".")
    assert re.fullmatch(r"\d+(\.\d+)?", digits), (text, locale)
    value = Decimal(digits)
    return -value if negative else value


@dataclass(frozen=True, slots=True)
class PrintedLine:
    quantity: str  # with its unit, as in the Qty column
    unit_price: str
    amount: str


def html_lines(page: str) -> list[PrintedLine]:
    """The rows of the lines table in a rendered invoice's HTML, as printed."""
    tree = html.fromstring(page)
    rows = []
    for row in tree.xpath("//table[contains(@class, 'lines')]/tbody/tr"):
        cells = [_read(td) for td in row.xpath("./td")]
        rows.append(PrintedLine(cells[2], cells[3], cells[5]))
    return rows


def html_totals(page: str) -> list[str]:
    """The amounts of the totals table (net, each rate's tax, amount due), in order."""
    tree = html.fromstring(page)
    return [_read(td) for td in tree.xpath("//table[contains(@class, 'totals')]//td")]


def pdf_line(text: str, description: str) -> PrintedLine:
    """The line whose description is `description`, from pdftotext's layout text."""
    (found,) = [row for row in text.splitlines() if f" {description} " in row]
    columns = re.split(r"\s{2,}", found.split(description, 1)[1].strip())
    quantity, price, _rate, amount = columns
    return PrintedLine(quantity, price, amount)
