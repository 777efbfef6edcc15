"""One locale per document: its labels, numbers and dates speak the same language,
so an English invoice to a Norwegian customer never prints `4,156 days` for 4.156."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel import Locale
from babel.languages import get_official_languages
from babel.localedata import locale_identifiers
from babel.numbers import format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st
from printed_numbers import html_lines, read_number

from sheetbill.documents import DEFAULT_TEMPLATES, InvoiceDocument, render_html
from sheetbill.documents.context import template_context
from sheetbill.documents.labels import LANGUAGES, labels_for
from sheetbill.domain.model import Customer, Settings

from document_helpers import build_invoice

D = Decimal
COUNTRIES = sorted(t for t in Locale("en").territories if t.isalpha())
LOCALES = sorted(locale_identifiers())
INVOICE = build_invoice([("Consulting", "4.156", "day", "100", "0")])


def document(language: str, country: str, settings_locale: str) -> InvoiceDocument:
    customer = Customer(
        row=2, customer_id="C1", name="Fjord AS", language=language, country=country
    )
    return InvoiceDocument(
        invoice=INVOICE,
        settings=Settings(company_name="Northwind", locale=settings_locale),
        customer=customer,
    )


def assert_one_locale(doc: InvoiceDocument) -> Locale:
    context = template_context(doc, DEFAULT_TEMPLATES)
    language = context["lang"]
    locale = Locale.parse(context["locale"])
    assert locale.language == language, (context["locale"], language)
    assert context["t"] == labels_for(language)
    if locale.territory:  # a region only where the label language is spoken
        assert language in get_official_languages(locale.territory, de_facto=True)
    return locale


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_label_language_prints_its_own_numbers_to_every_country(language):
    for country in COUNTRIES:
        for settings_locale in ("en_US", "nb_NO", "de_DE", f"{language}_{country}"):
            assert_one_locale(document(language, country, settings_locale))
    # To a country that speaks none of the label languages, in the language's own
    # locale: `4.156 days`, `4,156 Tage`.
    doc = document(language, "NO", "nb_NO")
    (line,) = html_lines(render_html(doc))
    unit = labels_for(language)["unit_day"]
    assert line.quantity == f"{format_decimal(D('4.156'), locale=language)} {unit}"
    assert read_number(line.quantity, language, unit=f" {unit}") == D("4.156")


@pytest.mark.parametrize(
    ("language", "country", "settings_locale"),
    [
        ("en", "NO", "nb_NO"),  # English asked for, Norwegian customer and shop
        ("nb", "NO", "nb_NO"),  # no Norwegian labels: the invoice is English
        ("", "NO", "nb_NO"),  # the Settings' Locale has no labels either
        ("en", "DE", "de_DE"),  # en_DE would print 4,156
        ("en-NO", "", "en_US"),  # a region typed with the language
    ],
)
def test_an_english_invoice_to_a_norwegian_customer_prints_english_numbers(
    language, country, settings_locale
):
    doc = document(language, country, settings_locale)
    assert assert_one_locale(doc).language == "en"
    page = render_html(doc)
    (line,) = html_lines(page)
    assert line.quantity == "4.156 days"
    assert "Invoice" in page and "€415.60" in page and "4,156" not in page


def test_a_region_where_the_language_is_spoken_keeps_its_formats():
    assert str(assert_one_locale(document("de", "AT", "en_US"))) == "de_AT"
    assert str(assert_one_locale(document("de", "CH", "en_US"))) == "de_CH"
    assert str(assert_one_locale(document("en", "GB", "de_DE"))) == "en_GB"
    assert str(assert_one_locale(document("", "NO", "en_GB"))) == "en_GB"
    assert str(assert_one_locale(document("es", "", "es_MX"))) == "es_MX"


@settings(max_examples=300, deadline=None)
@given(
    language=st.one_of(
        st.sampled_from([*sorted(LANGUAGES), "nb", "sv", "pt", "ja", "zz", ""]),
        st.sampled_from(LOCALES),
    ),
    country=st.one_of(st.sampled_from(COUNTRIES), st.sampled_from(["", "Germany"])),
    settings_locale=st.sampled_from(LOCALES),
)
def test_any_language_country_and_settings_locale_give_one_locale(
    language, country, settings_locale
):
    assert_one_locale(document(language, country, settings_locale))
