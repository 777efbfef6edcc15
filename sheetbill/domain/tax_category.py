"""The VAT category of each invoice line: standard, zero rated, exempt, reverse charge,
intra-community supply, export, or outside the scope of VAT.

Pure. Decided from what the sheet says: an order's Tax Rate and Tax Category, then
the customer's, then the Settings' Default Tax Rate; a 0 % line that nothing explains
is judged from the seller's and buyer's countries and the buyer's VAT ID. The rules
and their sources (VAT directive 2006/112/EC, EN 16931) are in docs/decisions.md,
"VAT categories".
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from sheetbill.domain.cells import CellValueError, parse_text, refuse_error_value
from sheetbill.domain.countries import buyer_country, country_of_vat_id, seller_country
from sheetbill.domain.model import Customer, Settings, TaxCategory
from sheetbill.domain.sheet import CellValue

# The member states of the EU VAT area (VAT directive art. 5), by ISO 3166 code.
_EU_CODES = (
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK"
)
EU_MEMBER_STATES = frozenset(_EU_CODES.split())
# Greek VAT IDs start with EL although the ISO country is GR.
# What the Tax Category column shows and accepts (its dropdown), per category.
CATEGORY_NAMES = {
    TaxCategory.STANDARD: "standard",
    TaxCategory.ZERO_RATED: "zero rated",
    TaxCategory.EXEMPT: "exempt",
    TaxCategory.REVERSE_CHARGE: "reverse charge",
    TaxCategory.INTRA_COMMUNITY: "intra-community supply",
    TaxCategory.EXPORT: "export",
    TaxCategory.OUTSIDE_SCOPE: "outside scope",
}
# Other ways people write them, compared without case, spaces, hyphens and dots;
# the UNTDID 5305 codes (S, Z, E, AE, K, G, O) are accepted too.
_ALSO = {
    "standardrate": TaxCategory.STANDARD,
    "standardrated": TaxCategory.STANDARD,
    "zerorate": TaxCategory.ZERO_RATED,
    "exemptfromvat": TaxCategory.EXEMPT,
    "vatexempt": TaxCategory.EXEMPT,
    "reversecharged": TaxCategory.REVERSE_CHARGE,
    "intracommunity": TaxCategory.INTRA_COMMUNITY,
    "intracommunitysupply": TaxCategory.INTRA_COMMUNITY,
    "ic": TaxCategory.INTRA_COMMUNITY,
    "exportoutsidetheeu": TaxCategory.EXPORT,
    "outsidethescope": TaxCategory.OUTSIDE_SCOPE,
    "outsidescopeofvat": TaxCategory.OUTSIDE_SCOPE,
    "notsubjecttovat": TaxCategory.OUTSIDE_SCOPE,
    # The words of the languages invoices print in (German, French, Spanish).
    "steuerfrei": TaxCategory.EXEMPT,
    "nullsatz": TaxCategory.ZERO_RATED,
    "innergemeinschaftlichelieferung": TaxCategory.INTRA_COMMUNITY,
    "ausfuhr": TaxCategory.EXPORT,
    "ausfuhrlieferung": TaxCategory.EXPORT,
    "nichtsteuerbar": TaxCategory.OUTSIDE_SCOPE,
    "exonéré": TaxCategory.EXEMPT,
    "autoliquidation": TaxCategory.REVERSE_CHARGE,
    "livraisonintracommunautaire": TaxCategory.INTRA_COMMUNITY,
    "exportation": TaxCategory.EXPORT,
    "horschampdapplication": TaxCategory.OUTSIDE_SCOPE,
    "exento": TaxCategory.EXEMPT,
    "inversióndelsujetopasivo": TaxCategory.REVERSE_CHARGE,
    "entregaintracomunitaria": TaxCategory.INTRA_COMMUNITY,
    "exportación": TaxCategory.EXPORT,
    "nosujeto": TaxCategory.OUTSIDE_SCOPE,
}
CHOICES_TEXT = ", ".join(CATEGORY_NAMES.values())
_ZERO = Decimal(0)


def _key(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


_BY_KEY = {
    **{_key(name): category for category, name in CATEGORY_NAMES.items()},
    **{_key(category.value): category for category in TaxCategory},
    **_ALSO,
}


def parse_tax_category(value: CellValue) -> TaxCategory:
    """A Tax Category cell: one of CATEGORY_NAMES or a UNTDID 5305 code, in any case.

    Raises CellValueError naming the choices, or the error a formula gave."""
    refuse_error_value(value)
    category = _BY_KEY.get(_key(parse_text(value)))
    if category is None:
        raise CellValueError(
            "is not a VAT category sheetbill knows",
            f"choose one of: {CHOICES_TEXT}; or leave it blank to let the tax rate "
            "and the customer's country decide",
        )
    return category


class LineTax(NamedTuple):
    """A line's tax rate (%) and VAT category (None: 0 % and nothing says why)."""

    rate: Decimal
    category: TaxCategory | None


def line_tax(
    customer: Customer,
    settings: Settings,
    rate: Decimal | None = None,
    category: TaxCategory | None = None,
) -> LineTax:
    """The rate and category of a line of `customer`, given the line's own cells.

    Rate: the line's own; 0 when the line's category charges no VAT; the customer's
    Tax Rate; 0 when the customer's category charges no VAT; the Default Tax Rate.
    (A line marked standard takes the customer's rate only when it is above 0.)
    Category: the line's own; standard above 0 %; the customer's; else the one the
    countries decide (`derived_category`), or None.
    """
    if rate is None:
        rate = _rate_without_own(customer, settings, category)
    if category is None:
        if rate > _ZERO:
            category = TaxCategory.STANDARD
        elif customer.tax_category not in (None, TaxCategory.STANDARD):
            category = customer.tax_category
        else:
            category = derived_category(customer, settings)
    return LineTax(rate, category)


def _rate_without_own(
    customer: Customer, settings: Settings, category: TaxCategory | None
) -> Decimal:
    if category is not None and category is not TaxCategory.STANDARD:
        return _ZERO
    own = customer.tax_rate
    if category is TaxCategory.STANDARD:
        return own if own is not None and own > _ZERO else settings.default_tax_rate
    if own is not None:
        return own
    if customer.tax_category not in (None, TaxCategory.STANDARD):
        return _ZERO
    return settings.default_tax_rate


def derived_category(customer: Customer, settings: Settings) -> TaxCategory | None:
    """The category of a 0 % line that no Tax Category explains, if the data decide.

    Reverse charge when the buyer's VAT ID is of another EU member state than the
    seller's (VAT directive art. 44 and 196); outside the scope when the buyer is
    outside the EU and has no EU VAT ID (art. 44: the place of supply of a service to
    a business is where the buyer is). Both assume services, as sheetbill's time
    lines are; goods need the Tax Category (intra-community supply, export). Else
    None: a domestic 0 % line may be exempt or zero rated, which only the user knows.
    """
    seller = seller_country(settings)
    if seller not in EU_MEMBER_STATES:
        return None
    vat_country = country_of_vat_id(customer.tax_id) or ""
    if vat_country in EU_MEMBER_STATES:
        return TaxCategory.REVERSE_CHARGE if vat_country != seller else None
    buyer = buyer_country(customer)
    if buyer and buyer not in EU_MEMBER_STATES:
        return TaxCategory.OUTSIDE_SCOPE
    return None


def is_outside_scope(category: TaxCategory | None) -> bool:
    """Lines outside the scope of VAT go on an invoice of their own: EN 16931 allows
    no other VAT category beside them (BR-O-11, BR-O-12)."""
    return category is TaxCategory.OUTSIDE_SCOPE


def why_undecided(customer: Customer, settings: Settings) -> str:
    """Why `derived_category` finds no category for the customer's 0 % lines."""
    seller = seller_country(settings)
    if not seller:
        return "your Company Tax ID and Locale name no country"
    if seller not in EU_MEMBER_STATES:
        return f"your country ({seller}) is not in the EU"
    vat_country = country_of_vat_id(customer.tax_id) or ""
    buyer = buyer_country(customer)
    if vat_country == seller:
        return f"its VAT ID is of your own country ({seller})"
    if buyer == seller:
        return f"it is in your own country ({seller})"
    if buyer in EU_MEMBER_STATES:
        return (
            f"it is in another EU country ({buyer}) but has no VAT ID, so it is "
            "not reverse charge"
        )
    return "its Country is empty and its Tax ID names no country"
