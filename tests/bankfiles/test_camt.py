"""camt.053 statements: every booked entry, batched entries split into their
payments, reversals, every version .001.02 to .001.08, and the refusals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statement_files import CAMT, camt_details, camt_document, camt_entry, write

from sheetbill.bankfiles.camt import Camt053
from sheetbill.domain.payments import Transaction, TransactionKind
from sheetbill.errors import BankFileError

VERSIONS = range(2, 9)


def read(path: Path) -> tuple[Transaction, ...]:
    return Camt053().extract(path).transactions


def test_camt_sample_reads_each_booked_payment_with_its_evidence() -> None:
    statement = Camt053().extract(CAMT)
    first = statement.transactions[0]
    assert statement.format == "camt.053"
    assert first == Transaction(
        booked=date(2026, 1, 15),
        amount=Decimal("1190.00"),
        currency="EUR",
        payer="ACME GmbH",
        payer_account="DE89370400440532013000",
        reference="RE: INV-2026-0007/ACME Danke",
        method="bank transfer",
        transaction_id="2026011500001",
        kind=TransactionKind.PAYMENT,
        line=1,
    )


def test_camt_batched_entry_is_one_payment_per_transaction_detail() -> None:
    """Entry 2 books 1,500.00 for two transfers: each is a payment of its own with
    its amount, payer, IBAN and remittance (Ustrd, or a structured creditor
    reference); the part without a bank reference of its own gets the entry's
    with its place."""
    batch = [t for t in read(CAMT) if t.line == 2]
    assert [(t.amount, t.payer, t.payer_account, t.reference) for t in batch] == [
        (
            Decimal("1000.00"),
            "Hudson & Pike Ltd",
            "GB29NWBK60161331926819",
            "INV-2026-0008",
        ),
        (
            Decimal("500.00"),
            "Bäckerei Müller",
            "DE44500105175407324931",
            "RF18539007547034",
        ),
    ]
    assert [t.transaction_id for t in batch] == ["2026011500002-A", "2026011500002/2"]
    assert {t.kind for t in batch} == {TransactionKind.PAYMENT}


def test_camt_reversal_is_a_refund_naming_the_original_payer() -> None:
    """A returned direct debit (RvslInd, booked as a debit) is money out, a REFUND,
    and names the customer who was debited (the original debtor)."""
    (reversal,) = [t for t in read(CAMT) if t.line == 3]
    assert reversal.amount == Decimal("-250.00")
    assert reversal.kind is TransactionKind.REFUND
    assert (reversal.payer, reversal.payer_account) == (
        "ACME GmbH",
        "DE89370400440532013000",
    )
    assert reversal.reference == "INV-2026-0003"
    assert reversal.method == "direct debit"


def test_camt_outgoing_payment_is_other_naming_the_recipient() -> None:
    (outgoing,) = [t for t in read(CAMT) if t.line == 4]
    assert outgoing.amount == Decimal("-89.00")
    assert outgoing.kind is TransactionKind.OTHER
    assert outgoing.payer == "Office Supplies SARL"
    assert outgoing.payer_account == "FR1420041010050500013M02606"


def test_camt_entry_not_booked_is_left_out_and_counted() -> None:
    statement = Camt053().extract(CAMT)
    assert 5 not in {t.line for t in statement.transactions}
    assert statement.skipped == ("1 entry not booked yet (pending or for information)",)


@pytest.mark.parametrize("version", VERSIONS)
def test_camt_every_version_from_02_to_08_is_read(version: int, tmp_path: Path) -> None:
    """Each version's layout: .001.02's amounts in AmtDtls/TxAmt, the status as
    a code or inside Cd, a party's name directly or inside Pty."""
    batch = camt_entry(
        version,
        amount="300.00",
        details=[
            camt_details(version, amount="100.00", payer="A Ltd", ustrd=["INV-1"]),
            camt_details(version, amount="200.00", payer="B Ltd", ustrd=["INV-2"]),
        ],
    )
    path = write(tmp_path / "s.xml", camt_document([batch], version=version))
    assert [(t.amount, t.payer, t.reference) for t in read(path)] == [
        (Decimal("100.00"), "A Ltd", "INV-1"),
        (Decimal("200.00"), "B Ltd", "INV-2"),
    ]


def test_camt_batch_whose_parts_do_not_add_up_is_one_payment(tmp_path: Path) -> None:
    """The booked amount is what moved: parts adding up to something else are not
    split (the texts are kept, joined)."""
    batch = camt_entry(
        8,
        amount="300.00",
        details=[
            camt_details(8, amount="100.00", ustrd=["INV-1"]),
            camt_details(8, amount="150.00", ustrd=["INV-2"]),
        ],
    )
    (one,) = read(write(tmp_path / "s.xml", camt_document([batch])))
    assert (one.amount, one.reference, one.transaction_id) == (
        Decimal("300.00"),
        "INV-1 INV-2",
        "2026011500001",
    )


def test_camt_batch_without_amounts_is_one_payment(tmp_path: Path) -> None:
    batch = camt_entry(
        8,
        amount="300.00",
        details=[
            camt_details(8, amount=None, payer="A Ltd", ustrd=["INV-1"]),
            camt_details(8, amount=None, payer="B Ltd", ustrd=["INV-2"]),
        ],
    )
    (one,) = read(write(tmp_path / "s.xml", camt_document([batch])))
    assert (one.amount, one.payer, one.reference) == (
        Decimal("300.00"),
        "",
        "INV-1 INV-2",
    )


def test_camt_part_in_another_currency_is_not_split(tmp_path: Path) -> None:
    """A part stating only its instructed amount in another currency cannot be
    one of the entry's amounts."""
    batch = camt_entry(
        8,
        amount="300.00",
        details=[
            camt_details(8, amount="100.00"),
            camt_details(8, amount="200.00", currency="USD"),
        ],
    )
    (one,) = read(write(tmp_path / "s.xml", camt_document([batch])))
    assert one.amount == Decimal("300.00")


def test_camt_entry_without_details_takes_its_additional_information(
    tmp_path: Path,
) -> None:
    entry = camt_entry(8, info="SEPA-GUTSCHRIFT INV-2026-0011 ACME")
    (one,) = read(write(tmp_path / "s.xml", camt_document([entry])))
    assert (one.reference, one.payer, one.transaction_id) == (
        "SEPA-GUTSCHRIFT INV-2026-0011 ACME",
        "",
        "2026011500001",
    )


def test_camt_single_detail_takes_the_booked_amount(tmp_path: Path) -> None:
    """A foreign payment whose bank deducted a fee: the entry's booked 1,185.00
    counts, not the 1,190.00 the payer instructed."""
    entry = camt_entry(8, amount="1185.00", details=[camt_details(8, amount="1190.00")])
    (one,) = read(write(tmp_path / "s.xml", camt_document([entry])))
    assert one.amount == Decimal("1185.00")


def test_camt_booking_date_time_and_value_date(tmp_path: Path) -> None:
    """A booking date-time is read as the day the bank wrote (no zone shift); an
    entry without a booking date takes its value date."""
    timed = camt_entry(8, booked="<DtTm>2026-01-31T23:30:00-05:00</DtTm>")
    undated = camt_entry(8, booked="", reference="R2")
    first, second = read(write(tmp_path / "s.xml", camt_document([timed, undated])))
    assert (first.booked, second.booked) == (date(2026, 1, 31), date(2026, 1, 15))


def test_camt_returned_transfer_without_reversal_mark_is_a_refund(
    tmp_path: Path,
) -> None:
    """Return information (RtrInf) or a return sub-family (RRTN) marks money given
    back even without RvslInd; an outgoing payment without either is OTHER."""
    returned = camt_entry(
        8,
        amount="40.00",
        indicator="DBIT",
        codes=("ICDT", "RRTN"),
        details=[camt_details(8, amount="40.00", indicator="DBIT", party="Cdtr")],
    )
    plain = camt_entry(
        8,
        amount="40.00",
        indicator="DBIT",
        codes=("ICDT", "ESCT"),
        reference="R2",
        details=[camt_details(8, amount="40.00", indicator="DBIT", party="Cdtr")],
    )
    first, second = read(write(tmp_path / "s.xml", camt_document([returned, plain])))
    assert (first.kind, second.kind) == (TransactionKind.REFUND, TransactionKind.OTHER)


def test_camt_statement_currency_when_the_amount_names_none(tmp_path: Path) -> None:
    entry = camt_entry(8, currency="")
    document = camt_document([entry], account_currency="chf")
    (one,) = read(write(tmp_path / "s.xml", document.replace(b' Ccy=""', b"")))
    assert one.currency == "CHF"


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        (camt_entry(8, amount="1.190,00"), "its Amt is '1.190,00', not an amount"),
        (camt_entry(8, amount="-5.00"), "its Amt is '-5.00', not an amount"),
        (camt_entry(8, indicator="CREDIT"), "its CdtDbtInd is 'CREDIT' (CRDT or DBIT"),
        (camt_entry(8, booked="<Dt>15.01.2026</Dt>"), "its BookgDt/Dt is '15.01.2026'"),
    ],
)
def test_camt_unreadable_entry_refused_naming_it(
    entry: str, says: str, tmp_path: Path
) -> None:
    path = write(tmp_path / "s.xml", camt_document([camt_entry(8), entry]))
    with pytest.raises(BankFileError) as raised:
        read(path)
    message = str(raised.value)
    assert "entry 2 cannot be read: " + says in message
    assert "nothing was imported" in message and "\n" not in message
    assert raised.value.path == path


@pytest.mark.parametrize(
    ("message", "container", "says"),
    [
        ("052", "BkToCstmrAcctRpt", "is an account report (camt.052"),
        ("054", "BkToCstmrDbtCdtNtfctn", "is a debit/credit notification (camt.054"),
        ("056", "FIToFIPmtCxlReq", "is an ISO 20022 camt.056 message"),
    ],
)
def test_camt_other_message_types_refused_saying_what_they_are(
    message: str, container: str, says: str, tmp_path: Path
) -> None:
    document = camt_document([camt_entry(8)], message=message, container=container)
    path = write(tmp_path / "other.xml", document)
    assert Camt053().identify(path.read_bytes(), path)
    with pytest.raises(BankFileError, match="not an account statement") as raised:
        read(path)
    assert says in str(raised.value)


@pytest.mark.parametrize("version", [1, 9, 13])
def test_camt_version_outside_02_to_08_refused(version: int, tmp_path: Path) -> None:
    path = write(tmp_path / "s.xml", camt_document([camt_entry(8)], version=version))
    with pytest.raises(BankFileError, match=f"version .001.{version:02d}; sheetbill"):
        read(path)


def test_camt_xml_of_another_kind_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "s.xml", b'<?xml version="1.0"?><invoice>1</invoice>')
    with pytest.raises(BankFileError, match=r"not an ISO 20022 camt\.053 statement"):
        read(path)


amounts = st.decimals(
    min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2
)


@settings(max_examples=40, deadline=None)
@given(parts=st.lists(amounts, min_size=2, max_size=6), credit=st.booleans())
def test_camt_batch_parts_keep_their_exact_amounts(
    parts: list[Decimal], credit: bool, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Property: a batch's parts come out with exactly their amounts (read as
    Decimal from the text, never through a float), signed by the indicator, and
    add up to the booked entry."""
    indicator = "CRDT" if credit else "DBIT"
    total = sum(parts, Decimal(0))
    entry = camt_entry(
        8,
        amount=str(total),
        indicator=indicator,
        details=[
            camt_details(8, amount=str(p), indicator=indicator, ustrd=[f"P{i}"])
            for i, p in enumerate(parts)
        ],
    )
    folder = tmp_path_factory.mktemp("camt")
    read_back = read(write(folder / "s.xml", camt_document([entry])))
    sign = 1 if credit else -1
    assert [t.amount for t in read_back] == [sign * p for p in parts]
    assert [str(t.amount).lstrip("-") for t in read_back] == [str(p) for p in parts]
