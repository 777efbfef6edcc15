"""Addresses come from cells of their own: street, postcode, city, country. Nothing is
guessed from a free text; an old workbook's whole address prints as typed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from sheetbill.documents import cii_xml, render_invoice_pdf
from sheetbill.documents.parties import (
    buyer_address,
    printed_addresses,
    seller_address,
)
from sheetbill.domain.countries import country_code, country_codes, country_of_vat_id
from sheetbill.domain.model import Customer, Settings

from document_helpers import CUSTOMER, SETTINGS, document, pdf_text, with_customer

RAM = (
    "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
)


def test_parties_take_street_postcode_city_and_country_from_their_own_cells():
    seller = seller_address(SETTINGS)
    assert (seller.street_lines, seller.postcode, seller.city, seller.country) == (
        ("Hafenstraße 12",),
        "20457",
        "Hamburg",
        "DE",
    )
    buyer = buyer_address(CUSTOMER)
    assert (buyer.postcode, buyer.city) == ("60311", "Frankfurt am Main")


@given(
    street=st.text(
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40
    ),
    postcode=st.from_regex(r"[0-9]{4,5}", fullmatch=True),
    city=st.sampled_from(["Hamburg", "Zürich", "Wien", "Oslo"]),
)
def test_an_old_workbooks_whole_address_is_never_split_into_postcode_and_city(
    street, postcode, city
):
    """Only the Postcode and City cells make a postcode and a city: a street cell
    holding `12345 City` stays lines of the street, as typed."""
    text = f"{street}\n{postcode} {city}"
    old = buyer_address(Customer(1, "C", "n", address=text, country="DE"))
    assert (old.postcode, old.city) == ("", "")
    settings = Settings(company_address=text, company_tax_id="DE1")
    assert seller_address(settings).postcode == ""


def test_the_page_shows_postcode_and_city_the_way_the_country_writes_them():
    us = replace(
        CUSTOMER,
        address="200 Park Ave",
        postcode="10166",
        city="New York, NY",
        country="US",
    )
    uk = replace(CUSTOMER, address="1 High St", postcode="SW1A 1AA", city="London")
    uk = replace(uk, country="GB")
    _, us_lines = printed_addresses(SETTINGS, us, "en")
    assert us_lines == ("200 Park Ave", "New York, NY 10166", "United States")
    _, uk_lines = printed_addresses(SETTINGS, uk, "de")
    assert uk_lines == ("1 High St", "London", "SW1A 1AA", "Vereinigtes Königreich")
    seller, buyer = printed_addresses(SETTINGS, CUSTOMER, "de")
    assert seller == ("Hafenstraße 12", "20457 Hamburg")  # same country: none shown
    assert buyer == ("Kaiserstraße 5", "60311 Frankfurt am Main")


def test_the_pdf_prints_the_structured_address_and_the_date_of_supply(tmp_path):
    abroad = with_customer(
        document(),
        address="8 rue de Rivoli",
        postcode="75004",
        city="Paris",
        country="FR",
        language="fr",
    )
    one_day = replace(abroad, service_period=(date(2026, 10, 5), date(2026, 10, 5)))
    text = pdf_text(render_invoice_pdf(one_day, out_dir=tmp_path))
    assert "8 rue de Rivoli" in text and "75004 Paris" in text
    assert "France" in text and "Allemagne" in text  # both countries, in French
    assert "Date de prestation" in text and "5 oct. 2026" in text
    assert "+49 40 1234567" in text and "invoices@northwind.example" in text


def test_the_e_invoice_carries_the_address_parts_and_the_seller_contact():
    root = etree.fromstring(cii_xml(document(), profile="xrechnung"))

    def text(path: str) -> list[str]:
        return [str(t) for t in root.xpath(f"{path}/text()", namespaces={"ram": RAM})]

    seller = "//ram:SellerTradeParty"
    assert text(f"{seller}/ram:PostalTradeAddress/ram:PostcodeCode") == ["20457"]
    assert text(f"{seller}/ram:PostalTradeAddress/ram:LineOne") == ["Hafenstraße 12"]
    assert text(f"{seller}/ram:PostalTradeAddress/ram:CityName") == ["Hamburg"]
    contact = f"{seller}/ram:DefinedTradeContact"
    assert text(f"{contact}/ram:PersonName") == ["Accounts"]
    assert text(f"{contact}/ram:TelephoneUniversalCommunication/*") == [
        "+49 40 1234567"
    ]
    buyer = "//ram:BuyerTradeParty/ram:PostalTradeAddress"
    assert text(f"{buyer}/ram:CityName") == ["Frankfurt am Main"]
    assert text("//ram:BuyerReference") == ["04011000-12345-03"]


def test_countries_are_read_by_code_or_by_name_in_the_invoice_languages():
    assert [
        country_code(t)
        for t in ("de", "Germany", "Deutschland", " allemagne ", "USA", "Narnia")
    ] == ["DE", "DE", "DE", "DE", "US", None]
    assert country_of_vat_id("EL123456789") == "GR"
    assert country_of_vat_id("12/345/67890") is None
    assert {"EU", "ZZ", "001"}.isdisjoint(country_codes()) and "XI" in country_codes()
