"""Which VAT category and rate a line gets: the Tax Category cells, the rates typed
beside them, and for an unexplained 0 % line the countries and the buyer's VAT ID
(docs/decisions.md, "VAT categories")."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetbill.domain.cells import CellValueError
from sheetbill.domain.countries import seller_country
from sheetbill.domain.model import Customer, Settings, TaxCategory
from sheetbill.domain.tax_category import derived_category, line_tax, parse_tax_category

D = Decimal
T = TaxCategory
SELLER = Settings(company_name="Northwind", company_tax_id="DE123456789")
BUYER = Customer(row=2, customer_id="C1", name="Buyer")


@pytest.mark.parametrize(
    ("typed", "category"),
    [
        ("standard", T.STANDARD),
        ("Reverse Charge", T.REVERSE_CHARGE),
        ("reverse-charge", T.REVERSE_CHARGE),
        ("AE", T.REVERSE_CHARGE),
        ("zero-rated", T.ZERO_RATED),
        ("Intra-Community Supply", T.INTRA_COMMUNITY),
        ("K", T.INTRA_COMMUNITY),
        ("export", T.EXPORT),
        ("outside scope", T.OUTSIDE_SCOPE),
        ("not subject to VAT", T.OUTSIDE_SCOPE),
        ("o", T.OUTSIDE_SCOPE),
        ("exempt", T.EXEMPT),
        ("steuerfrei", T.EXEMPT),
        ("Autoliquidation", T.REVERSE_CHARGE),
        ("exento", T.EXEMPT),
    ],
)
def test_parse_tax_category_reads_names_codes_and_the_invoice_languages(
    typed, category
):
    assert parse_tax_category(typed) is category


@pytest.mark.parametrize("typed", ["19", "VAT", "reverse", "standard rate 19"])
def test_parse_tax_category_refuses_other_text_naming_the_choices(typed):
    with pytest.raises(CellValueError) as caught:
        parse_tax_category(typed)
    assert "reverse charge" in caught.value.fix and "outside scope" in caught.value.fix


@pytest.mark.parametrize(
    ("country", "tax_id", "expected"),
    [
        ("FR", "FR40123456789", T.REVERSE_CHARGE),  # EU business abroad
        ("", "ATU12345678", T.REVERSE_CHARGE),
        ("GR", "EL123456789", T.REVERSE_CHARGE),  # Greece's VAT prefix is EL
        ("FR", "", None),  # EU consumer abroad: not reverse charge
        ("DE", "DE811234567", None),  # at home: exempt or zero rated?
        ("", "", None),  # nothing to tell
        ("US", "", T.OUTSIDE_SCOPE),  # services to a buyer outside the EU
        ("", "NO923456789MVA", T.OUTSIDE_SCOPE),
        ("", "CHE-123.456.789 MWST", T.OUTSIDE_SCOPE),
        ("us", "DE811234567", None),  # a German VAT ID: German VAT may apply
    ],
)
def test_an_unexplained_zero_rate_is_decided_from_countries_and_vat_id(
    country, tax_id, expected
):
    buyer = replace(BUYER, country=country, tax_id=tax_id)
    assert derived_category(buyer, SELLER) is expected


def test_nothing_is_decided_for_a_seller_outside_the_eu():
    swiss = replace(SELLER, company_tax_id="CHE-123.456.789 MWST")
    buyer = replace(BUYER, country="US")
    assert derived_category(buyer, swiss) is None
    assert derived_category(replace(buyer, tax_id="FR40123456789"), swiss) is None


def test_the_sellers_country_is_its_vat_ids_else_the_locales():
    assert seller_country(SELLER) == "DE"
    assert seller_country(replace(SELLER, company_tax_id="EL123")) == "GR"
    local = replace(SELLER, company_tax_id="12/345/67890", locale="fr_FR")
    assert seller_country(local) == "FR"
    assert seller_country(replace(local, locale="xx")) == ""


def test_a_tax_category_that_charges_no_vat_bills_0_percent_instead_of_the_default():
    settings = replace(SELLER, default_tax_rate=D(19))
    reverse = replace(BUYER, tax_category=T.REVERSE_CHARGE, tax_id="FR40123456789")
    assert line_tax(reverse, settings) == (D(0), T.REVERSE_CHARGE)
    # An order's own rate and category win over the customer's.
    assert line_tax(reverse, settings, D(7)) == (D(7), T.STANDARD)
    assert line_tax(reverse, settings, None, T.STANDARD) == (D(19), T.STANDARD)
    assert line_tax(reverse, settings, None, T.EXPORT) == (D(0), T.EXPORT)
    assert line_tax(reverse, settings, D(0)) == (D(0), T.REVERSE_CHARGE)


CATEGORIES = st.sampled_from([None, *TaxCategory])
RATES = st.sampled_from([None, D(0), D(7), D(19)])


@given(
    customer_rate=RATES,
    customer_category=CATEGORIES,
    line_rate=RATES,
    line_category=CATEGORIES,
    default=st.sampled_from([D(0), D(19)]),
    place=st.sampled_from([("", ""), ("FR", "FR1"), ("US", ""), ("DE", "DE1")]),
)
def test_a_line_is_standard_exactly_when_it_charges_vat_unless_its_cells_disagree(
    customer_rate, customer_category, line_rate, line_category, default, place
):
    """The rate and the category never contradict each other, except where the
    cells typed side by side do (Tax Rate 19 beside reverse charge; standard at
    0 %): that is an error that holds the line (tests/test_legal.py)."""
    customer = replace(
        BUYER,
        tax_rate=customer_rate,
        tax_category=customer_category,
        country=place[0],
        tax_id=place[1],
    )
    settings = replace(SELLER, default_tax_rate=default)
    rate, category = line_tax(customer, settings, line_rate, line_category)
    own_category = line_category
    own_rate = line_rate
    if line_rate is None and line_category is None:
        own_category, own_rate = customer_category, customer_rate
    typed_contradiction = (
        own_category not in (None, T.STANDARD) and own_rate is not None and own_rate > 0
    )
    standard_at_zero = own_category is T.STANDARD and rate == 0
    if typed_contradiction or standard_at_zero:
        return
    assert (category is T.STANDARD) == (rate > 0)
    if category is None:
        assert rate == 0 and derived_category(customer, settings) is None
