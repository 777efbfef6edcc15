"""Countries as people type them (DE, Germany, Deutschland) and as e-invoices code them.

Pure. ISO 3166-1 alpha-2 codes and their names come from the CLDR data Babel ships;
names are recognised in the languages invoices are printed in.
"""

from __future__ import annotations

import functools
import re

from babel import Locale, UnknownLocaleError

from sheetbill.domain.model import Customer, Settings, Severity
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.tabs.rows import RowReader

# CLDR territories with two letters that are not ISO 3166-1 countries: continents,
# the EU, the UN, private-use and unknown codes, and islands without a code of their
# own. Kosovo (XK, user-assigned) is kept: EN 16931 writes it as 1A.
_NOT_COUNTRIES = frozenset(
    {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"}
)
# Northern Ireland's code for goods under the Windsor Framework (EN 16931 knows it).
_EXTRA = {"XI": "Northern Ireland"}
# ISO codes the EN 16931 country code list (BR-CL-14, code list of 2016) lacks.
_NOT_IN_EN16931 = frozenset({"SS"})
# Languages whose country names are recognised: those of the invoice labels.
_LANGUAGES = ("en", "de", "fr", "es")
# Everyday names CLDR does not list.
_ALIASES = {
    "usa": "US",
    "u.s.": "US",
    "u.s.a.": "US",
    "america": "US",
    "uk": "GB",
    "u.k.": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "holland": "NL",
    "czech republic": "CZ",
    "deutschland": "DE",
    "schweiz": "CH",
    "suisse": "CH",
    "österreich": "AT",
}
# VAT identification numbers start with the member state's code, except Greece (EL)
# and Northern Ireland (XI, a UK VAT number used for goods).
_VAT_PREFIXES = {"EL": "GR"}


@functools.cache
def _codes() -> frozenset[str]:
    territories = Locale("en").territories
    codes = {
        c for c in territories if isinstance(c, str) and len(c) == 2 and c.isalpha()
    } - _NOT_COUNTRIES
    return frozenset(codes | _EXTRA.keys())


@functools.cache
def _names() -> dict[str, str]:
    names: dict[str, str] = {}
    for language in _LANGUAGES:
        for code, name in Locale(language).territories.items():
            if isinstance(code, str) and code in _codes():
                names.setdefault(_key(name), code)
    names.update({_key(name): code for code, name in _EXTRA.items()})
    names.update(_ALIASES)
    return names


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().casefold())


def country_code(text: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of `text` (a code in any case, or a country's
    name in English, German, French or Spanish), or None when it names none."""
    key = _key(text)
    if len(key) == 2 and key.upper() in _codes():
        return key.upper()
    return _names().get(key)


def is_country_code(code: str) -> bool:
    """Whether `code` is one of the two-letter codes `country_code` gives."""
    return code in _codes()


def is_e_invoice_country(code: str) -> bool:
    """Whether an EN 16931 e-invoice can name the country (South Sudan it cannot)."""
    return is_country_code(code) and code not in _NOT_IN_EN16931


def country_codes() -> frozenset[str]:
    """Every code `country_code` can give."""
    return _codes()


def country_of_vat_id(tax_id: str) -> str | None:
    """The country a VAT identification number's prefix names (EL is Greece, GR),
    or None when it starts with no country code (a national tax number)."""
    prefix = tax_id.strip()[:2].upper()
    code = _VAT_PREFIXES.get(prefix, prefix)
    return code if is_country_code(code) else None


def vat_id_as_written(tax_id: str) -> str:
    """A VAT identification number as EN 16931 wants it (BT-31, BT-48; BR-CO-9: it
    starts with the country's code in capitals): without spaces, dots or dashes, in
    capitals, e.g. "fr 40.123-456.789" -> "FR40123456789"."""
    return re.sub(r"[\s.\-]", "", tax_id).upper()


def country_name(code: str, language: str) -> str:
    """The country's name in `language` (en, de, fr, es), e.g. DE -> Deutschland."""
    if code in _EXTRA:
        return _EXTRA[code]
    try:
        return str(Locale.parse(language).territories.get(code, code))
    except (ValueError, TypeError, LookupError):
        return str(Locale("en").territories.get(code, code))


def read_country(read: RowReader) -> str:
    """The Country cell as an ISO code; a name sheetbill does not know is a warning
    and stays as typed (e-invoices then ask for a code, see `e_invoices`)."""
    text = read.text("Country")
    if not text:
        return ""
    code = country_code(text)
    if code is None:
        read.fail(
            "Country",
            f"Country '{text}' is not a country sheetbill knows.",
            "Write the two-letter country code, e.g. DE, FR or US.",
            severity=Severity.WARNING,
            code=ProblemCode.CUSTOMERS_UNKNOWN_COUNTRY,
        )
        return text
    return code


def seller_country(settings: Settings) -> str:
    """The seller's country: Company Country, else the prefix of a Company Tax ID
    that is a VAT number, else the region of the Settings Locale; "" if none."""
    found = country_code(settings.company_country) or country_of_vat_id(
        settings.company_tax_id
    )
    if found:
        return found
    try:
        return Locale.parse(settings.locale).territory or ""
    except (UnknownLocaleError, ValueError, TypeError):
        return ""


def buyer_country(customer: Customer) -> str:
    """The customer's country: its Country cell, else the prefix of a Tax ID that
    is a VAT number; "" if neither says."""
    return country_code(customer.country) or country_of_vat_id(customer.tax_id) or ""
