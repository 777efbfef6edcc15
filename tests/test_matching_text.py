"""Reading a bank line's words (planning/matching_text.py): invoice numbers however
written but never inside a longer number, processor ids, and payer names without
case, accents, punctuation and legal forms."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetbill.planning.matching_text import NumberFinder, ids_named, payer_key

FINDER = NumberFinder.of(
    ["INV-2026-0007", "INV-2026-0008", "INV-2026-000712", "CN-2026-0001", "1190"]
)


def _found(text: str) -> list[str]:
    return [numbers[0] for _, numbers in FINDER.find(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("inv 2026 0007", ["INV-2026-0007"]),
        ("RE: INV-2026-0007/ACME", ["INV-2026-0007"]),
        ("INV20260007", ["INV-2026-0007"]),
        ("Rechnung1190", ["1190"]),
        (
            "INV-2026-0008, inv-2026-0007 und INV-2026-0008",
            ["INV-2026-0008", "INV-2026-0007"],
        ),
        ("cn 2026 0001", ["CN-2026-0001"]),
        # Longest first: a bank's line break inside the longer number.
        ("INV-2026-0007 12", ["INV-2026-000712"]),
        ("ＩＮＶ－２０２６－０００７", ["INV-2026-0007"]),  # full-width forms
        ("INV-2026-00071", []),
        ("ACMEINV-2026-0007", []),
        ("Betrag 1.190,00", []),
        ("1190,00 EUR", []),
        ("11190", []),
        ("", []),
    ],
)
def test_numbers_found_in_a_reference(text, found):
    assert _found(text) == found


def test_a_number_separated_where_it_has_no_separator_by_a_mark_is_an_amount():
    """`2026.0007` is read as INV 2026-0007 only where the number itself has a
    separator; `1.190` is never 1190."""
    assert _found("INV 2026.0007") == ["INV-2026-0007"]
    assert _found("INV 20.260007") == []


def test_typed_invoice_no_prefers_the_number_as_written():
    finder = NumberFinder.of(["INV-1", "INV1"])
    assert finder.typed("INV1") == ("INV1",)
    assert finder.typed("inv 1") == ("INV-1", "INV1")
    assert finder.typed("INV-2") == ()


@given(
    number=st.from_regex(r"[A-Z]{2,4}-20[0-9]{2}-[0-9]{4}", fullmatch=True),
    separators=st.lists(st.sampled_from(["", " ", "-", "/", "  ", "_"]), min_size=3),
    lower=st.booleans(),
    before=st.sampled_from(["", "RE: ", "Rechnung ", "Invoice no. ", "payment for "]),
    after=st.sampled_from(["", "/ACME", " thanks", ", 1.190,00 EUR", " 2026-03-01"]),
)
def test_a_number_is_found_however_spaced_and_cased_among_noise(
    number, separators, lower, before, after
):
    head, year, sequence = number.split("-")
    written = f"{head}{separators[0]}{year}{separators[1]}{sequence}"
    written = written.lower() if lower else written
    finder = NumberFinder.of([number, "INV-2026-0001"])
    assert [n for _, (n,) in finder.find(before + written + after)] == [number]
    # One more digit makes it another, longer number.
    assert finder.find(before + written + "7" + after) == []


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Refund for ch_3Nabc (order 77)", ["ch_3Nabc"]),
        ("STRIPE PAYOUT po_1A, po_1B.", ["po_1A", "po_1B"]),
        ("xch_3Nabc", []),
        ("CH_3NABC", []),
    ],
)
def test_ids_named_as_words_of_their_own(text, named):
    assert ids_named(text, {"ch_3Nabc", "po_1A", "po_1B"}) == named


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("ACME GmbH", "acme"),
        ("Acme gmbh.", "acme"),
        ("ACME G.m.b.H.", "acme"),
        ("Café Müller S.L.", "cafe muller"),
        ("CAFE MULLER SL", "cafe muller"),
        ("Hudson & Pike LLC", "hudson and pike"),
        ("Foo GmbH & Co. KG", "foo"),
        ("Dupont S.A.S.", "dupont"),
        ("Beta Ltd", "beta"),
        ("Bäckerei Schmidt e.K.", "backerei schmidt"),
        ("Studio AB", "studio"),
        # A legal form alone is the name.
        ("GmbH", "gmbh"),
        ("", ""),
    ],
)
def test_payer_key(name, key):
    assert payer_key(name) == key


def test_one_character_numbers_are_found_too():
    finder = NumberFinder.of(["7", "INV-1"])
    assert [n for _, (n,) in finder.find("inv 1 and 7")] == ["INV-1", "7"]
    assert finder.find("17") == []
