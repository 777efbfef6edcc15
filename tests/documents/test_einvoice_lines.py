"""E-invoice lines multiply out as the PDF's do: BT-129 quantity times BT-146 net
price, rounded to the minor unit, is BT-131 line net amount; prices never negative
(BR-27); the lines sum to BT-106 (BR-CO-10)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from sheetbill.documents import cii_xml
from sheetbill.domain.model import InvoiceKind, TaxMode
from sheetbill.domain.money import Rounding, round_money

from document_helpers import SETTINGS, build_invoice, document

D = Decimal
RAM = (
    "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
)
NS = {"ram": RAM}


def line_figures(xml: bytes) -> list[tuple[Decimal, Decimal, Decimal]]:
    root = etree.fromstring(xml)
    figures = []
    for item in root.iterfind(".//ram:IncludedSupplyChainTradeLineItem", NS):
        quantity = item.findtext(".//ram:BilledQuantity", namespaces=NS)
        price = item.findtext(
            ".//ram:NetPriceProductTradePrice/ram:ChargeAmount", namespaces=NS
        )
        net = item.findtext(".//ram:LineTotalAmount", namespaces=NS)
        figures.append((D(quantity), D(price), D(net)))
    return figures


def header_line_total(xml: bytes) -> Decimal:
    root = etree.fromstring(xml)
    path = ".//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:LineTotalAmount"
    return D(root.findtext(path, namespaces=NS))


def amounts(places: int, low: int, high: int) -> st.SearchStrategy[str]:
    return st.integers(min_value=low, max_value=high).map(
        lambda n: str(D(n).scaleb(-places))
    )


ITEMS = st.lists(
    st.tuples(
        st.integers(0, 5).flatmap(lambda p: amounts(p, 1, 10**8)),  # quantity
        st.sampled_from(["hour", "day", "item"]),
        st.integers(0, 4).flatmap(lambda p: amounts(p, -(10**6), 10**7)),  # price
        st.sampled_from(["0", "7", "19", "20", "5.5"]),
    ).map(lambda t: (f"Line {t}", *t)),
    min_size=1,
    max_size=6,
)


@settings(max_examples=80, deadline=None)
@given(
    items=ITEMS,
    currency=st.sampled_from(["EUR", "JPY", "KWD"]),
    mode=st.sampled_from(list(TaxMode)),
    rounding=st.sampled_from(list(Rounding)),
    credit=st.booleans(),
)
def test_every_e_invoice_line_multiplies_out(items, currency, mode, rounding, credit):
    config = replace(SETTINGS, rounding=rounding)
    invoice = build_invoice(items, currency=currency, tax_mode=mode, settings=config)
    doc = replace(document(), invoice=invoice, settings=config)
    if credit:  # a credit note: every amount of the invoice negated
        invoice = doc.invoice
        lines = tuple(
            replace(
                li, quantity=-li.quantity, net=-li.net, tax=-li.tax, total=-li.total
            )
            for li in invoice.lines
        )
        doc = replace(
            doc,
            invoice=replace(
                invoice,
                kind=InvoiceKind.CREDIT_NOTE,
                lines=lines,
                net=-invoice.net,
                tax=-invoice.tax,
                total=-invoice.total,
            ),
        )
    xml = cii_xml(doc)
    figures = line_figures(xml)
    for quantity, price, net in figures:
        assert price >= 0
        assert round_money(quantity * price, currency, rounding) == net
    assert sum(net for _, _, net in figures) == header_line_total(xml)


def test_a_discount_line_carries_its_sign_in_the_quantity():
    doc = document(
        [
            ("Design", "2", "hour", "100", "19"),
            ("Goodwill discount", "1", "item", "-25.00", "19"),
        ]
    )
    assert line_figures(cii_xml(doc)) == [
        (D(2), D(100), D("200.00")),
        (D(-1), D(25), D("-25.00")),
    ]
