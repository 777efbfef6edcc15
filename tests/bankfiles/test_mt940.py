"""MT940 statements read with the mt940 library: multi-line :86: fields, German
structured sub-fields, RC/RD reversals, the currency of :60F:, and the refusals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statement_files import MT940, field_86, mt940_statement, write

from sheetbill.bankfiles.mt940 import Mt940
from sheetbill.domain.payments import Transaction, TransactionKind
from sheetbill.errors import BankFileError


def read(path: Path) -> tuple[Transaction, ...]:
    return Mt940().extract(path).transactions


def test_mt940_sample_german_structured_field_over_several_lines() -> None:
    """The first :86: runs over four lines of 65 characters, cut mid-word and
    mid-IBAN: ?20..?22 give the SEPA remittance (after SVWZ+), ?31 the IBAN,
    ?32/?33 the name cut at 27 characters; the booking date 0102 after a value
    date of 31 December is in the next year; `//` gives the bank's id."""
    statement = Mt940().extract(MT940)
    assert statement.format == "mt940"
    assert statement.transactions[0] == Transaction(
        booked=date(2026, 1, 2),
        amount=Decimal("1190.00"),
        currency="EUR",
        payer="ACME Gesellschaft fuer Werkzeuge mbH",
        payer_account="DE89370400440532013000",
        reference="RE: INV-2026-0007/ACME Danke fuer die Lieferung",
        method="bank transfer",
        transaction_id="2601020001",
        kind=TransactionKind.PAYMENT,
        line=5,
    )


def test_mt940_reversal_of_a_credit_is_a_refund() -> None:
    """`RC` (a credit reversed: a returned direct debit) is money out, a REFUND;
    the Latin-1 name is read."""
    refund = read(MT940)[1]
    assert (refund.amount, refund.kind, refund.method) == (
        Decimal("-250.00"),
        TransactionKind.REFUND,
        "direct debit",
    )
    assert (refund.payer, refund.reference) == (
        "ACME GmbH Köln",
        "INV-2026-0003 Abo Januar",
    )


def test_mt940_free_text_field_over_two_lines() -> None:
    """An unstructured :86: is the remittance text, its lines joined by a space;
    no bank reference → no id (the content key applies)."""
    _, _, outgoing, payment = read(MT940)
    assert (outgoing.reference, outgoing.kind, outgoing.transaction_id) == (
        "Office Supplies SARL Order 4711",
        TransactionKind.OTHER,
        "",
    )
    assert payment.reference == "HUDSON AND PIKE LTD INV 2026 0008 and INV-2026-0009"
    assert payment.amount == Decimal("2380.50")


def test_mt940_reversal_of_a_debit_is_money_in(tmp_path: Path) -> None:
    text = mt940_statement(
        ":61:2601150115RDR40,00NTRFNONREF//X1", ":86:Rueckbuchung Lastschrift"
    )
    (line,) = read(write(tmp_path / "s.sta", text))
    assert (line.amount, line.kind) == (Decimal("40.00"), TransactionKind.PAYMENT)


def test_mt940_refund_words_on_an_outgoing_line(tmp_path: Path) -> None:
    text = mt940_statement(
        ":61:2601150115DR40,00NTRFNONREF",
        *field_86("177?00SEPA-UEBERWEISUNG?20SVWZ+Erstattung Retoure INV-7?32ACME"),
        ":61:2601150115DR50,00NTRFNONREF",
        ":86:Miete Januar",
    )
    refund, rent = read(write(tmp_path / "s.sta", text))
    assert (refund.kind, refund.reference) == (
        TransactionKind.REFUND,
        "Erstattung Retoure INV-7",
    )
    assert rent.kind is TransactionKind.OTHER


def test_mt940_structured_purpose_without_sepa_keywords(tmp_path: Path) -> None:
    """Sub-fields shorter than 27 characters ended where the bank ended them (a
    space between); ?60..?63 continue the purpose."""
    text = mt940_statement(
        ":61:2601150115CR10,00NTRFNONREF",
        *field_86("051?00GUTSCHRIFT?20INV-2026-0012?21Kunde 4711?60Danke?32Meier"),
    )
    (line,) = read(write(tmp_path / "s.sta", text))
    assert (line.reference, line.payer) == ("INV-2026-0012 Kunde 4711 Danke", "Meier")


def test_mt940_swift_envelope_and_two_statements(tmp_path: Path) -> None:
    """A file as SWIFT sends it ({1:…}{4: … -}) with two statements, each in the
    currency of its own opening balance."""
    euros = mt940_statement(":61:2601150115CR10,00NTRFNONREF", ":86:INV-1")
    dollars = mt940_statement(
        ":61:2601160116CR20,00NTRFNONREF",
        ":86:INV-2",
        opening=":60F:C260101USD0,00",
        reference="2",
    )
    text = "{1:F01BANKDEFFAXXX0000000000}{2:O940BANKDEFFXXXX}{4:\r\n" + euros + dollars
    first, second = read(write(tmp_path / "s.sta", text + "-}\r\n"))
    assert (first.currency, first.amount, second.currency, second.amount) == (
        "EUR",
        Decimal("10.00"),
        "USD",
        Decimal("20.00"),
    )


def test_mt940_blank_lines_are_nothing(tmp_path: Path) -> None:
    """Some exports put blank lines between fields or statements."""
    text = mt940_statement(
        ":61:2601150115CR10,00NTRFNONREF//B1", "", "", ":86:INV-1", "", "INV-2", ""
    )
    (line,) = read(write(tmp_path / "s.sta", "\r\n" + text + "\r\n\r\n"))
    assert (line.reference, line.transaction_id, line.line) == ("INV-1 INV-2", "B1", 6)


def test_mt940_utf8_file(tmp_path: Path) -> None:
    text = mt940_statement(":61:2601150115CR10,00NTRFNONREF", ":86:Zahlung Müller")
    (line,) = read(write(tmp_path / "s.sta", text.encode("utf-8")))
    assert line.reference == "Zahlung Müller"


@pytest.mark.parametrize(
    ("lines", "says"),
    [
        (
            [":61:2601150115XR10,00NTRF"],
            "line 5: the :61: field ':61:2601150115XR10,00NTRF'",
        ),
        (
            [":61:2601150115CR10,00NTRF", "more", "and more"],
            "line 5: the :61: field runs over",
        ),
        ([":61:2613450115CR10,00NTRFNONREF"], "is not a readable MT940 statement"),
    ],
)
def test_mt940_malformed_refused_naming_the_line(
    lines: list[str], says: str, tmp_path: Path
) -> None:
    path = write(tmp_path / "bad.sta", mt940_statement(*lines))
    with pytest.raises(BankFileError) as raised:
        read(path)
    message = str(raised.value)
    assert says in message and "\n" not in message
    assert raised.value.path == path


def test_mt940_unreadable_balance_refused(tmp_path: Path) -> None:
    text = mt940_statement(":61:2601150115CR10,00NTRFNONREF", opening=":60F:C2601EUR")
    with pytest.raises(BankFileError, match="not a readable MT940 statement"):
        read(write(tmp_path / "bad.sta", text))


def test_mt940_details_before_any_transaction_refused(tmp_path: Path) -> None:
    text = mt940_statement(":86:INV-1", ":61:2601150115CR10,00NTRFNONREF")
    with pytest.raises(BankFileError, match="not a readable MT940 statement"):
        read(write(tmp_path / "bad.sta", text))


@settings(max_examples=40, deadline=None)
@given(
    amount=st.decimals(
        min_value=Decimal("0.01"), max_value=Decimal("999999999.99"), places=2
    ),
    mark=st.sampled_from(["C", "D", "RC", "RD"]),
)
def test_mt940_amount_is_exactly_the_text_signed_by_its_mark(
    amount: Decimal, mark: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Property: the amount (decimal comma) comes out exactly, negative for D and
    RC, positive for C and RD; RC is a REFUND, D (no refund words) OTHER."""
    written = str(amount).replace(".", ",")
    text = mt940_statement(f":61:2601150115{mark}R{written}NTRFNONREF", ":86:Zahlung")
    folder = tmp_path_factory.mktemp("mt940")
    (line,) = read(write(folder / "s.sta", text))
    signed = -amount if mark in ("D", "RC") else amount
    assert line.amount == signed
    kinds = {"C": "payment", "RD": "payment", "RC": "refund", "D": "other"}
    assert line.kind.value == kinds[mark]
