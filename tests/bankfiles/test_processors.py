"""Stripe and PayPal exports (issue 15, point 1): gross, fee and net kept apart,
refunds naming the charge they give back, payouts as lines of their own, only
completed PayPal lines and paid Stripe charges booked."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from sheetbill.bankfiles.base import read_head
from sheetbill.bankfiles.csv_bank import BankCsv
from sheetbill.bankfiles.processors import PayPal, Stripe
from sheetbill.domain.payments import Transaction, TransactionKind
from sheetbill.errors import BankFileError

DATA = Path(__file__).resolve().parents[1] / "data" / "payments"
PAYMENT, REFUND, PAYOUT, FEE, OTHER = (
    TransactionKind.PAYMENT,
    TransactionKind.REFUND,
    TransactionKind.PAYOUT,
    TransactionKind.FEE,
    TransactionKind.OTHER,
)
D = Decimal


def money(tx: Transaction) -> tuple[object, ...]:
    return (tx.kind, tx.amount, tx.fee, tx.net, tx.payout, tx.transaction_id)


def test_stripe_balance_history_keeps_gross_fee_and_net_apart():
    """Each charge: the gross settles the invoice, the fee and net are kept, and
    the payout that carried it is named. The refund names the charge (its Source)
    and the chargeback names the disputed charge; the payout's amount is the sum of
    the nets of the lines it carried."""
    path = DATA / "stripe-balance.csv"
    assert Stripe().identify(read_head(path), path)
    statement = Stripe().extract(path)
    assert statement.format == "stripe" and statement.skipped == ()
    assert [money(t) for t in statement.transactions] == [
        (PAYMENT, D("1190.00"), D("34.81"), D("1155.19"), "po_9Z", "ch_1A"),
        (PAYMENT, D("250.00"), D("7.50"), D("242.50"), "po_9Z", "ch_1B"),
        (REFUND, D("-50.00"), D("0.00"), D("-50.00"), "po_9Z", "txn_1C"),
        (REFUND, D("-119.00"), D("15.00"), D("-134.00"), "po_9Z", "txn_1D"),
        (FEE, D("-2.00"), D("0.00"), D("-2.00"), "po_9Z", "txn_1F"),
        (PAYOUT, D("-1211.69"), D("0.00"), D("-1211.69"), "po_9Z", "po_9Z"),
    ]
    charge, _, refund, chargeback, _, payout = statement.transactions
    assert charge.reference == "Payment for INV-2026-0007"  # metadata not repeated
    assert charge.booked == date(2026, 3, 2) and charge.currency == "EUR"
    assert charge.method == "Stripe" and charge.line == 2
    assert refund.reference == "ch_1B REFUND FOR CHARGE (Subscription March)"
    assert "ch_1E" in chargeback.reference
    carried = [t for t in statement.transactions if t.kind is not PAYOUT]
    assert sum((t.net or D(0)) for t in carried) == -payout.amount


def test_stripe_payments_export_skips_failed_and_uncaptured_charges():
    """The payments export: a paid charge, a partly refunded one (its refund a
    line of its own, naming the charge, dated with it: the export has no refund
    date); a failed and an uncaptured charge moved no money."""
    statement = Stripe().extract(DATA / "stripe-payments.csv")
    assert statement.skipped == ("2 failed or uncaptured charges",)
    assert [money(t) for t in statement.transactions] == [
        (PAYMENT, D("1190.00"), D("34.81"), D("1155.19"), "", "ch_3P1"),
        (PAYMENT, D("250.00"), D("7.50"), D("242.50"), "", "ch_3P3"),
        (REFUND, D("-50.00"), None, None, "", "ch_3P3/refund"),
    ]
    paid, partly, refund = statement.transactions
    assert (paid.payer, paid.reference) == ("ACME GmbH", "Invoice INV-2026-0007")
    assert refund.reference == "ch_3P3 Invoice INV-2026-0012"
    assert refund.booked == partly.booked and refund.line == partly.line == 4


def test_stripe_report_api_columns(tmp_path):
    """The balance change report (Reports → Balance) names its columns as the API
    does; reporting categories stand for the dashboard's types."""
    path = tmp_path / "report.csv"
    path.write_text(
        "balance_transaction_id,created_utc,currency,gross,fee,net,"
        "reporting_category,source_id,charge_id,description,automatic_payout_id,"
        "customer_name\n"
        "txn_1,2026-03-02 09:15:00,eur,119.00,3.82,115.18,charge,ch_1,ch_1,"
        "INV-2026-0021,po_1,ACME GmbH\n"
        "txn_2,2026-03-03 09:15:00,eur,-119.00,0.00,-119.00,refund,re_2,ch_1,"
        "REFUND FOR CHARGE (INV-2026-0021),po_1,ACME GmbH\n"
    )
    charge, refund = Stripe().extract(path).transactions
    assert money(charge) == (
        PAYMENT,
        D("119.00"),
        D("3.82"),
        D("115.18"),
        "po_1",
        "ch_1",
    )
    assert (refund.kind, refund.reference) == (
        REFUND,
        "ch_1 REFUND FOR CHARGE (INV-2026-0021)",
    )


def test_stripe_decimal_commas_from_a_european_locale(tmp_path):
    path = tmp_path / "balance.csv"
    path.write_text(
        "id,Type,Source,Amount,Fee,Net,Currency,Created (UTC),Description\n"
        'txn_1,charge,ch_1,"1190,00","34,81","1155,19",eur,2026-03-02 09:15,x\n'
    )
    (charge,) = Stripe().extract(path).transactions
    assert (charge.amount, charge.fee, charge.net) == (
        D("1190.00"),
        D("34.81"),
        D("1155.19"),
    )


def test_paypal_activity_download_english():
    """Only completed lines moving the balance are booked (a pending payment and a
    memo line are counted as left out). The payment's Invoice Number goes into the
    reference; PayPal's fee (written negative) is kept positive; the refund names
    the payment it gives back; the withdrawal to the bank is a payout; a hold is
    no customer's money; a chargeback fee is a fee."""
    path = DATA / "paypal-activity.csv"
    assert PayPal().identify(read_head(path), path)
    assert not Stripe().identify(read_head(path), path)
    statement = PayPal().extract(path)
    assert statement.format == "paypal"
    assert statement.skipped == ("2 lines not completed or not moving the balance",)
    assert [money(t) for t in statement.transactions] == [
        (PAYMENT, D("1190.00"), D("41.80"), D("1148.20"), "", "8AB12345CD678901E"),
        (REFUND, D("-100.00"), D("-3.20"), D("-96.80"), "", "1KL12345MN678901P"),
        (OTHER, D("-500.00"), D("0.00"), D("-500.00"), "", "2QR12345ST678901U"),
        (
            PAYOUT,
            D("-548.20"),
            D("0.00"),
            D("-548.20"),
            "3VW12345XY678901Z",
            "3VW12345XY678901Z",
        ),
        (FEE, D("-20.00"), D("0.00"), D("-20.00"), "", "4AB12345CD678901F"),
    ]
    payment, refund = statement.transactions[:2]
    assert payment.booked == date(2026, 3, 2)  # 03/13/2026 says month first
    assert (payment.payer, payment.currency, payment.method) == (
        "ACME Inc.",
        "USD",
        "PayPal",
    )
    assert payment.reference == "INV-2026-0007 Consulting March"
    assert refund.reference == "8AB12345CD678901E INV-2026-0007"


def test_paypal_activity_download_german_decimal_commas():
    statement = PayPal().extract(DATA / "paypal-de.csv")
    assert statement.skipped == ("1 line not completed or not moving the balance",)
    assert [money(t) for t in statement.transactions] == [
        (PAYMENT, D("1190.00"), D("34.81"), D("1155.19"), "", "6MN12345PQ678901R"),
        (REFUND, D("-190.00"), D("-5.56"), D("-184.44"), "", "7ST12345UV678901W"),
        (
            PAYOUT,
            D("-970.75"),
            D("0.00"),
            D("-970.75"),
            "8XY12345ZA678901B",
            "8XY12345ZA678901B",
        ),
    ]
    assert statement.transactions[0].booked == date(2026, 3, 2)


def test_paypal_german_whole_amounts_default_to_the_decimal_comma(tmp_path):
    """`1.190` in the German download is 1190 (no amount says otherwise)."""
    path = tmp_path / "paypal.csv"
    path.write_text(
        '"Datum","Name","Typ","Status","Währung","Brutto","Gebühr","Netto",'
        '"Transaktionscode"\n'
        '"02.03.2026","ACME","Zahlung","Abgeschlossen","EUR","1.190","0","1.190","T1"\n'
    )
    (tx,) = PayPal().extract(path).transactions
    assert tx.amount == D("1190")


def test_processor_exports_are_not_taken_for_bank_csvs():
    for name in ("stripe-balance.csv", "stripe-payments.csv", "paypal-activity.csv"):
        path = DATA / name
        assert not BankCsv().identify(read_head(path), path), name


def test_bank_csvs_are_not_taken_for_processor_exports():
    for path in DATA.glob("*.csv"):
        if path.name.startswith(("stripe", "paypal")):
            continue
        head = read_head(path)
        assert not Stripe().identify(head, path) and not PayPal().identify(head, path)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (
            "id,Type,Source,Amount,Fee,Net,Currency,Created (UTC)\n"
            "txn_1,charge,ch_1,ten,0.59,9.41,eur,2026-03-02 09:15\n",
            "line 2, column 'Amount': 'ten' is not an amount",
        ),
        (
            "id,Type,Source,Amount,Fee,Net,Currency,Created (UTC)\n"
            "txn_1,charge,ch_1,10.00,0.59,9.41,eur,yesterday\n",
            "line 2, column 'Created (UTC)': 'yesterday' is not a date",
        ),
        (
            "id,Type,Source,Amount,Fee,Net,Currency,Created (UTC)\n"
            "txn_1,charge,ch_1,10.00,0.59,9.41,euros,2026-03-02 09:15\n",
            "line 2, column 'Currency': 'euros' is not a currency code",
        ),
        (
            "id,Type,Source,Amount,Fee,Net,Currency,Created (UTC)\n"
            "txn_1,charge,ch_1,10.00,0.59\n",
            "line 2 has fewer cells than the header names (8)",
        ),
    ],
)
def test_stripe_bad_line_names_its_line_and_column(tmp_path, text, says):
    path = tmp_path / "balance.csv"
    path.write_text(text)
    with pytest.raises(BankFileError) as raised:
        Stripe().extract(path)
    assert raised.value.message.startswith(says)
    assert "\n" not in str(raised.value)


def test_processor_refuses_a_file_of_another_kind(tmp_path):
    path = tmp_path / "bank.csv"
    path.write_text("Date,Description,Amount\n2026-03-02,x,1.00\n")
    with pytest.raises(BankFileError) as raised:
        PayPal().extract(path)
    assert raised.value.message.startswith(
        "is not a PayPal activity download: its first line lacks the columns"
    )
