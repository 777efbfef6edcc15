"""The text of bank files: amounts in every notation banks write read back to the
same Decimal, dates read only one way, encodings told apart (hypothesis)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from sheetbill.bankfiles.text import (
    date_format_of,
    decimal_comma_in,
    decode,
    looks_like_refund,
    parse_amount,
)
from sheetbill.errors import BankFileError

PATH = Path("statement.csv")

amounts = st.decimals(
    min_value=Decimal("-999999999.99"),
    max_value=Decimal("999999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


def grouped(whole: str, separator: str) -> str:
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return separator.join([whole, *groups])


def written(amount: Decimal, *, german: bool, thousands: str, sign: str) -> str:
    """`amount` as a German (1.234,56) or English (1,234.56) bank writes it."""
    whole, _, fraction = f"{abs(amount):.2f}".partition(".")
    body = grouped(whole, thousands) + ("," if german else ".") + fraction
    if amount >= 0:
        return {"S/H": f"{body} H", "CR/DR": f"{body} CR"}.get(sign, body)
    return {
        "-": f"-{body}",
        "trailing -": f"{body}-",
        "S/H": f"{body} S",
        "CR/DR": f"{body} DR",
        "brackets": f"({body})",
    }[sign]


@given(
    amounts,
    st.booleans(),
    st.sampled_from(["", "thousands"]),
    st.sampled_from(["-", "trailing -", "S/H", "CR/DR", "brackets"]),
)
@example(Decimal("1234.56"), True, "thousands", "-")
@example(Decimal("-0.05"), False, "", "brackets")
def test_amount_in_german_or_english_notation_reads_back_equal(
    amount, german, thousands, sign
):
    separator = ("." if german else ",") if thousands else ""
    text = written(amount, german=german, thousands=separator, sign=sign)
    assert parse_amount(text, decimal_comma=german) == amount
    # Two decimals always say which notation it is.
    assert decimal_comma_in([text]) is german


@given(amounts, st.sampled_from([" ", "\u00a0", "'"]))
def test_amount_with_space_or_apostrophe_thousands_reads_back(amount, separator):
    """French (1 234,56, also with a non-breaking space) and Swiss (1'234.56)."""
    french = written(amount, german=True, thousands=separator, sign="-")
    swiss = written(amount, german=False, thousands=separator, sign="-")
    assert parse_amount(french, decimal_comma=True) == amount
    assert parse_amount(swiss, decimal_comma=False) == amount


@pytest.mark.parametrize(
    "text",
    ["1,19", "1,2345.00", "12.50.3", "--5", "-5-", "(5", "5 S S", "-5 S", "abc", ""],
)
def test_amount_refuses_what_is_not_one_amount(text):
    assert parse_amount(text, decimal_comma=False) is None


def test_amount_with_currency_before_or_after():
    assert parse_amount("EUR 1.190,00", decimal_comma=True) == Decimal("1190.00")
    assert parse_amount("1 190,00 €", decimal_comma=True) == Decimal("1190.00")
    assert parse_amount("-£45.00", decimal_comma=False) == Decimal("-45.00")
    assert parse_amount("1190.00 USD", decimal_comma=False) == Decimal("1190.00")


def test_decimal_comma_undecided_by_whole_thousands():
    assert decimal_comma_in(["1.000", "12", "-7"]) is None
    assert decimal_comma_in(["1.000.000"]) is True
    assert decimal_comma_in(["1,000,000"]) is False
    assert decimal_comma_in(["1,5", "2.5"]) is None  # both: the layout decides


days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))


@given(st.lists(days, min_size=1, max_size=30))
def test_day_first_dates_read_back_when_one_tells_or_are_refused(dates):
    """Dates written DD/MM/YYYY read back equal when a day above 12 tells the
    order, or when every date reads the same both ways; else they are refused
    (never read the other way round)."""
    cells = [(i + 2, d.strftime("%d/%m/%Y")) for i, d in enumerate(dates)]
    formats = ("%m/%d/%Y", "%d/%m/%Y")
    tells = any(d.day > 12 for d in dates) or all(d.day == d.month for d in dates)
    if not tells:
        with pytest.raises(BankFileError, match="can be read as"):
            date_format_of(cells, formats, column="Date", path=PATH)
        return
    chosen = date_format_of(cells, formats, column="Date", path=PATH)
    from sheetbill.bankfiles.text import parse_date

    assert [parse_date(text, chosen) for _, text in cells] == dates


letters = st.text(alphabet="abcxyz äöüßÄÖÜé;,0123456789", max_size=40)


@given(st.lists(letters, min_size=1, max_size=8), st.sampled_from(["utf-8", "cp1252"]))
def test_decode_reads_a_file_in_one_encoding_back(lines, encoding):
    text = "\n".join(lines)
    assert decode(text.encode(encoding), path=PATH) == text


def test_decode_reads_utf16_with_its_bom():
    data = "\ufeffDatum;Betrag\n01.03.2026;1,00\n".encode("utf-16-le")
    assert decode(data, path=PATH) == "Datum;Betrag\n01.03.2026;1,00\n"


def test_decode_line_ends():
    assert decode(b"a\r\nb\rc\n", path=PATH) == "a\nb\nc\n"


@pytest.mark.parametrize(
    "text",
    [
        "RUECKLASTSCHRIFT",
        "Rücklastschrift MREF 4711",
        "Rückbuchung",
        "Retoure INV-1",
        "CHARGEBACK",
        "Refund for order 7",
        "REMBOURSEMENT",
        "Devolución recibo",
        "Storno Überweisung",
    ],
)
def test_refund_words(text):
    assert looks_like_refund(text)


@pytest.mark.parametrize("text", ["Miete März", "Gehalt", "INV-2026-0007", "Rent"])
def test_not_refund_words(text):
    assert not looks_like_refund(text)
