"""OFX statements (1.x SGML, 2.x XML) read with ofxtools: bank and credit card
lines, their dates as written, currencies, kinds, and the refusals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statement_files import OFX_1, OFX_2, ofx_2, ofx_line, write

from sheetbill.bankfiles.ofx import Ofx
from sheetbill.domain.payments import Transaction, TransactionKind
from sheetbill.errors import BankFileError


def read(path: Path) -> tuple[Transaction, ...]:
    return Ofx().extract(path).transactions


def test_ofx_1_sample_reads_every_line_in_its_declared_charset() -> None:
    """OFX 1 (SGML, CHARSET 1252): the name's umlauts come through; a posting at
    midnight in CET stays on its day; the transaction's id is its account's and
    its FITID (OFX makes a FITID unique only within an account)."""
    statement = Ofx().extract(OFX_1)
    first, refund, outgoing = statement.transactions
    assert statement.format == "ofx"
    assert first == Transaction(
        booked=date(2026, 1, 15),
        amount=Decimal("1190.00"),
        currency="EUR",
        payer="Bäckerei Müller",
        reference="RE: INV-2026-0007/ACME",
        method="bank transfer",
        transaction_id="0000202051/OFX-2026-0115-001",
        kind=TransactionKind.PAYMENT,
        line=1,
    )
    assert (refund.amount, refund.kind) == (Decimal("-250.00"), TransactionKind.REFUND)
    assert (outgoing.amount, outgoing.kind) == (
        Decimal("-89.00"),
        TransactionKind.OTHER,
    )


def test_ofx_2_sample_reads_entities_names_and_chargebacks() -> None:
    """OFX 2 (XML): `&amp;` is read as "&", a line without MEMO takes its NAME as
    the remittance text, a direct debit named a chargeback is a REFUND."""
    payment, chargeback = read(OFX_2)
    assert (payment.payer, payment.currency, payment.booked) == (
        "HUDSON & PIKE LTD",
        "USD",
        date(2026, 1, 15),
    )
    assert payment.reference == "INV 2026 0008 and INV-2026-0009"
    assert chargeback.reference == "CARD PROCESSOR CHARGEBACK"
    assert (chargeback.kind, chargeback.method) == (
        TransactionKind.REFUND,
        "direct debit",
    )


def test_ofx_credit_card_statement_is_read(tmp_path: Path) -> None:
    lines = ofx_line(amount="-30.00", name="Refund INV-7", trntype="DEBIT", memo="")
    path = write(tmp_path / "card.ofx", ofx_2(lines, statement="CCSTMTRS"))
    (line,) = read(path)
    assert (line.amount, line.kind) == (Decimal("-30.00"), TransactionKind.REFUND)


def test_ofx_line_currency_and_recipient_account(tmp_path: Path) -> None:
    """A CURRENCY aggregate on the line names the currency its amount is in; a
    BANKACCTTO names the recipient's account."""
    in_usd = ofx_line(
        after_memo="<CURRENCY><CURRATE>0.92</CURRATE><CURSYM>USD</CURSYM></CURRENCY>"
    )
    to_account = ofx_line(
        amount="-89.00",
        fitid="F-2",
        trntype="DEBIT",
        after_name="<BANKACCTTO><BANKID>20041010</BANKID>"
        "<ACCTID>fr14 2004 1010</ACCTID><ACCTTYPE>CHECKING</ACCTTYPE></BANKACCTTO>",
    )
    first, second = read(write(tmp_path / "s.ofx", ofx_2(in_usd + to_account)))
    assert (first.currency, second.currency) == ("USD", "EUR")
    assert second.payer_account == "FR1420041010"


def test_ofx_decimal_comma_amount(tmp_path: Path) -> None:
    """Some European banks write TRNAMT with a decimal comma (ofxtools reads it)."""
    (line,) = read(write(tmp_path / "s.ofx", ofx_2(ofx_line(amount="1190,50"))))
    assert line.amount == Decimal("1190.50")


def test_ofx_lines_of_every_statement_in_file_order(tmp_path: Path) -> None:
    """Two accounts in one download: both statements' lines, numbered through."""
    first = ofx_2(ofx_line(fitid="A") + ofx_line(fitid="B"))
    second = ofx_2(ofx_line(fitid="C"), currency="USD")
    response = second[second.index("<STMTTRNRS>") : second.index("</BANKMSGSRSV1>")]
    both = first.replace("</BANKMSGSRSV1>", response + "</BANKMSGSRSV1>")
    lines = read(write(tmp_path / "s.ofx", both))
    assert [(t.transaction_id.split("/")[-1], t.currency, t.line) for t in lines] == [
        ("A", "EUR", 1),
        ("B", "EUR", 2),
        ("C", "USD", 3),
    ]


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("OFXHEADER:100\r\nDATA:OFXSGML\r\n\r\n<OFX></OFX>", "is not a readable OFX"),
        (ofx_2(ofx_line()).replace("<MEMO>", "stray <MEMO>"), "not a readable OFX"),
        (ofx_2(ofx_line()).replace("</STMTTRN>", "</STMTTRN></X>"), "not a readable"),
        (ofx_2(ofx_line())[:-300], "ends before its closing </OFX>"),
        (
            ofx_2(ofx_line(fitid="A") + ofx_line(fitid="B")).replace(
                "</STMTTRN>", "", 1
            ),
            "has a transaction after line 1 inside another",
        ),
        (ofx_2(ofx_line(amount="1.190,00")), "transaction 1 cannot be read"),
        (ofx_2(ofx_line(amount="")), "transaction 1 cannot be read"),
        (ofx_2(ofx_line(posted="2026-01-15")), "transaction 1 cannot be read"),
        (ofx_2(ofx_line(), currency="EURO"), "currency (CURDEF) is 'EURO'"),
        (
            ofx_2(ofx_line()).split("<BANKMSGSRSV1>")[0] + "</OFX>",
            "without a bank or credit card statement",
        ),
    ],
)
def test_ofx_malformed_refused_in_one_line(
    content: str, says: str, tmp_path: Path
) -> None:
    path = write(tmp_path / "bad.ofx", content)
    with pytest.raises(BankFileError) as raised:
        read(path)
    message = str(raised.value)
    assert says in message
    assert "\n" not in message and len(message) < 400
    assert raised.value.path == path


def test_ofx_error_quoting_the_file_is_cut_short(tmp_path: Path) -> None:
    """ofxtools puts the whole file into some errors; the message keeps a line."""
    body = ofx_2(ofx_line()).replace("<MEMO>", "stray text <MEMO>")
    with pytest.raises(BankFileError) as raised:
        read(write(tmp_path / "bad.ofx", body * 50))
    assert len(str(raised.value)) < 400


@settings(max_examples=40, deadline=None)
@given(
    amount=st.decimals(
        min_value=Decimal("-99999999.99"), max_value=Decimal("99999999.99"), places=2
    )
)
def test_ofx_amount_is_exactly_the_text(
    amount: Decimal, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Property: TRNAMT comes out as the Decimal written, never through a float;
    the sign decides PAYMENT (in) and OTHER (out, no refund words)."""
    folder = tmp_path_factory.mktemp("ofx")
    (line,) = read(write(folder / "s.ofx", ofx_2(ofx_line(amount=str(amount)))))
    assert line.amount == amount and str(line.amount) == str(amount)
    expected = TransactionKind.PAYMENT if amount > 0 else TransactionKind.OTHER
    assert line.kind is expected


def test_the_same_fitid_in_two_accounts_is_two_transactions(tmp_path: Path) -> None:
    """Two accounts' statements may use one FITID for different payments: neither
    is taken for the other when both are imported."""
    text = OFX_1.read_bytes()
    other = tmp_path / "other.ofx"
    other.write_bytes(text.replace(b"0000202051", b"0000999999"))
    (mine,) = [t for t in read(OFX_1) if t.line == 1]
    (theirs,) = [t for t in read(other) if t.line == 1]
    assert mine.transaction_id != theirs.transaction_id
