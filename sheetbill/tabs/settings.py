"""The Settings tab: key/value rows typed into a `Settings`, each bad value a Problem.

Keys match like headers (case and spaces do not count). A bad or missing value keeps its
safe default and becomes a row in Exceptions, so the rest of the run goes on.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from babel import Locale, UnknownLocaleError

from sheetbill.domain.cells import (
    MAX_TERMS_DAYS,
    TOO_LONG_FIX,
    TOO_LONG_PROBLEM,
    CellValueError,
    is_too_long,
    parse_hours_number,
    parse_number,
    parse_percent,
    parse_text,
    refuse_error_value,
    show,
)
from sheetbill.domain.countries import country_code
from sheetbill.domain.mail import SendInvoices
from sheetbill.domain.model import (
    ApprovalThreshold,
    HoursRounding,
    LineGrouping,
    Problem,
    Settings,
    Severity,
    TaxMode,
)
from sheetbill.domain.money import Money, Rounding, is_currency
from sheetbill.domain.number_words import DAYS, money_words
from sheetbill.domain.numbering import NumberPattern, PatternError
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.schema import SETTINGS, map_columns, normalize_header
from sheetbill.domain.sheet import CellValue, Table
from sheetbill.tabs.email_addresses import email_problem

# Settings key (as shown in the starter workbook) -> Settings field.
KEYS: dict[str, str] = {
    "Company Name": "company_name",
    "Company Street": "company_address",
    "Company Postcode": "company_postcode",
    "Company City": "company_city",
    "Company Country": "company_country",
    "Company Tax ID": "company_tax_id",
    "Contact Name": "contact_name",
    "Contact Phone": "contact_phone",
    "Contact Email": "contact_email",
    "IBAN": "iban",
    "BIC": "bic",
    "Logo Path": "logo_path",
    "Default Currency": "default_currency",
    "Default Tax Rate": "default_tax_rate",
    "Tax Mode": "tax_mode",
    "Payment Terms Days": "terms_days",
    "Number Pattern": "number_pattern",
    "Credit Note Pattern": "credit_note_pattern",
    "Approval Threshold": "approval_threshold",
    "Approvers": "approvers",
    "Billing Owner": "billing_owner",
    "Reminder Schedule": "reminder_schedule",
    "Send Invoices": "send_invoices",
    "Locale": "locale",
    "Timezone": "timezone",
    "Rounding": "rounding",
    "Hours Increment": "hours_increment",
    "Hours Rounding": "hours_rounding",
    "Hours Per Day": "hours_per_day",
    "Line Grouping": "line_grouping",
    "Max Hours Per Entry": "max_hours_per_entry",
}
# The code of a bad Value, by Settings field: one per setting, as each is its own fix.
SETTING_CODES: dict[str, ProblemCode] = {
    "company_name": ProblemCode.SETTINGS_BAD_COMPANY_NAME,
    "company_address": ProblemCode.SETTINGS_BAD_COMPANY_STREET,
    "company_postcode": ProblemCode.SETTINGS_BAD_COMPANY_POSTCODE,
    "company_city": ProblemCode.SETTINGS_BAD_COMPANY_CITY,
    "company_country": ProblemCode.SETTINGS_BAD_COMPANY_COUNTRY,
    "company_tax_id": ProblemCode.SETTINGS_BAD_COMPANY_TAX_ID,
    "contact_name": ProblemCode.SETTINGS_BAD_CONTACT_NAME,
    "contact_phone": ProblemCode.SETTINGS_BAD_CONTACT_PHONE,
    "contact_email": ProblemCode.SETTINGS_BAD_CONTACT_EMAIL,
    "iban": ProblemCode.SETTINGS_BAD_IBAN,
    "bic": ProblemCode.SETTINGS_BAD_BIC,
    "logo_path": ProblemCode.SETTINGS_BAD_LOGO_PATH,
    "default_currency": ProblemCode.SETTINGS_BAD_DEFAULT_CURRENCY,
    "default_tax_rate": ProblemCode.SETTINGS_BAD_DEFAULT_TAX_RATE,
    "tax_mode": ProblemCode.SETTINGS_BAD_TAX_MODE,
    "terms_days": ProblemCode.SETTINGS_BAD_PAYMENT_TERMS_DAYS,
    "number_pattern": ProblemCode.SETTINGS_BAD_NUMBER_PATTERN,
    "credit_note_pattern": ProblemCode.SETTINGS_BAD_CREDIT_NOTE_PATTERN,
    "approval_threshold": ProblemCode.SETTINGS_BAD_APPROVAL_THRESHOLD,
    "approvers": ProblemCode.SETTINGS_BAD_APPROVERS,
    "billing_owner": ProblemCode.SETTINGS_BAD_BILLING_OWNER,
    "reminder_schedule": ProblemCode.SETTINGS_BAD_REMINDER_SCHEDULE,
    "send_invoices": ProblemCode.SETTINGS_BAD_SEND_INVOICES,
    "locale": ProblemCode.SETTINGS_BAD_LOCALE,
    "timezone": ProblemCode.SETTINGS_BAD_TIMEZONE,
    "rounding": ProblemCode.SETTINGS_BAD_ROUNDING,
    "hours_increment": ProblemCode.SETTINGS_BAD_HOURS_INCREMENT,
    "hours_rounding": ProblemCode.SETTINGS_BAD_HOURS_ROUNDING,
    "hours_per_day": ProblemCode.SETTINGS_BAD_HOURS_PER_DAY,
    "line_grouping": ProblemCode.SETTINGS_BAD_LINE_GROUPING,
    "max_hours_per_entry": ProblemCode.SETTINGS_BAD_MAX_HOURS_PER_ENTRY,
}
KEY_ALIASES = {
    # Before postcode and city had rows of their own, the whole address was here.
    "company address": "Company Street",
    "address": "Company Street",
    "street": "Company Street",
    "company zip": "Company Postcode",
    "company postal code": "Company Postcode",
    "postcode": "Company Postcode",
    "city": "Company City",
    "country": "Company Country",
    "company phone": "Contact Phone",
    "phone": "Contact Phone",
    "company email": "Contact Email",
    "tax id": "Company Tax ID",
    "company": "Company Name",
    "currency": "Default Currency",
    "tax rate": "Default Tax Rate",
    "terms days": "Payment Terms Days",
    "payment terms": "Payment Terms Days",
}
HELP: dict[str, str] = {
    "Company Street": "street and house number; postcode and city have rows of "
    "their own",
    "Company Country": "two-letter code, e.g. DE",
    "Contact Name": "a person or desk customers can reach, e.g. Accounts; "
    "XRechnung requires it",
    "Contact Phone": "XRechnung requires it, e.g. +49 30 1234567",
    "Contact Email": "the address customers write to about invoices",
    "Number Pattern": "{yyyy} {yy} {mm} and one {seq:04}; numbers never repeat",
    "Tax Mode": "exclusive (prices are net) or inclusive (prices include tax)",
    "Rounding": "half-up or half-even: how amounts round to cents, per line",
    "Hours Increment": "bill hours in steps of this size, e.g. 0.25",
    "Hours Rounding": "nearest, up or down to the increment",
    "Line Grouping": "project+activity, entry, person or day",
    "Reminder Schedule": "days from the due date, e.g. -3, +1, +7, +14, +30",
    "Send Invoices": "after review: an invoice is emailed once you write send in "
    "Invoices > Send; automatically: each invoice made from then on goes out in the "
    "run that makes it (older ones only when you write send)",
    "Approval Threshold": "invoices with a total at or above it wait for an "
    "approver; one amount per currency, e.g. 25000 EUR; 30000 USD (a bare number is "
    "in the Default Currency; other currencies always wait); empty: none wait",
    "Approvers": "who may approve, separated by commas: they write their name in "
    "Invoices > Approve; not on their own work or invoices they created",
    "Default Tax Rate": "percent, e.g. 19, for customers and orders without their "
    "own; 0 if you charge no tax",
}

# Settings whose row, when present with an empty Value, stops invoicing until filled
# in: an empty tax rate must not silently bill 0 % (the starter workbook leaves it
# empty for the user to fill).
FILL_IN = frozenset({"default_tax_rate"})


def _enum_parser(enum: Any) -> Callable[[CellValue, str], object]:
    def parse(value: CellValue, locale: str) -> object:
        text = parse_text(value).casefold()
        for member in enum:
            if text == member.value:
                return member
        choices = ", ".join(m.value for m in enum)
        raise CellValueError("is not one of the choices", f"write one of: {choices}")

    return parse


def _send_invoices(value: CellValue, locale: str) -> object:
    """`automatically` or `after review`; case, hyphens and spaces do not count."""
    folded = " ".join(parse_text(value).replace("-", " ").replace("_", " ").split())
    for member in SendInvoices:
        if folded.casefold() == member.value:
            return member
    raise CellValueError(
        "is not one of the choices", "write automatically or after review"
    )


def _text(value: CellValue, locale: str) -> object:
    return parse_text(value)


def _currency(value: CellValue, locale: str) -> object:
    code = parse_text(value).upper()
    if not is_currency(code):
        raise CellValueError("is not a currency code", "write an ISO code such as EUR")
    return code


def _whole(value: CellValue, locale: str) -> object:
    number = parse_number(value, locale=locale, words=DAYS)
    if number != number.to_integral_value() or number < 0:
        raise CellValueError("is not a whole number of days", "write e.g. 30")
    if number > MAX_TERMS_DAYS:
        raise CellValueError(
            f"is more than {MAX_TERMS_DAYS} days (ten years)", "write e.g. 30"
        )
    return int(number)


def _positive(value: CellValue, locale: str) -> object:
    number = parse_hours_number(value, locale=locale)
    if number <= 0:
        raise CellValueError(
            "must be more than 0", "write a positive number, e.g. 0.25"
        )
    return number


def _threshold(value: CellValue, locale: str, *, currency: str) -> object:
    """`ApprovalThreshold` from "25000 EUR; 30000 USD" (entries apart by ";" or line
    breaks, the code before or after the amount); a bare amount, or a number cell,
    is in `currency` (the Default Currency). Commas cannot part entries: they group
    thousands (25,000)."""
    if not isinstance(value, str):
        return ApprovalThreshold(
            (Money(_not_negative(parse_number(value, locale=locale)), currency),)
        )
    amounts: dict[str, Decimal] = {}
    for entry in re.split(r"[;\n]", value):
        if not entry.strip():
            continue
        parts = re.fullmatch(
            r"\s*(?:([A-Za-z]{3})\s*)?(.*?)(?:\s*([A-Za-z]{3}))?\s*", entry
        )
        assert parts is not None  # the pattern matches any text
        before, number, after = parts.groups()
        if not (before or after) and re.search(r"[^\d\s.,'+-]", number):
            # A sign rather than a code: only the Default Currency's own ("5000 €").
            if currency in amounts:
                raise CellValueError(
                    f"has two amounts in {currency}", f"keep one amount in {currency}"
                )
            amounts[currency] = _not_negative(_money(number, locale, currency))
            continue
        if (before and after) or re.search(r"[^\d\s.,'+-]", number) or not number:
            raise CellValueError(
                f"has '{entry.strip()}', which is not an amount and a currency code",
                "write one amount per currency with its ISO code, apart by ';', "
                "e.g. 25000 EUR; 30000 USD",
            )
        code = (before or after or currency).upper()
        if not is_currency(code):
            raise CellValueError(
                f"has '{entry.strip()}': {code} is not a currency code",
                "write an ISO code such as EUR, USD or JPY after the amount",
            )
        if code in amounts:
            raise CellValueError(
                f"has two amounts in {code}"
                + (
                    " (a bare number is in the Default Currency)"
                    if code == currency
                    else ""
                ),
                f"keep one amount in {code}",
            )
        amounts[code] = _not_negative(parse_number(number, locale=locale))
    return ApprovalThreshold(tuple(Money(a, code) for code, a in amounts.items()))


def _not_negative(amount: Decimal) -> Decimal:
    if amount < 0:
        raise CellValueError("is negative", "write the amount as 0 or more")
    return amount


def _amount(value: CellValue, locale: str, currency: str = "EUR") -> object:
    return _money(value, locale, currency)


def _money(value: CellValue, locale: str, currency: str) -> Decimal:
    """An amount in the Default Currency: its code or sign may stand beside it."""
    billed = f"the Default Currency is {currency}"
    return parse_number(
        value, locale=locale, words=money_words(currency, locale, billed)
    )


def _percent(value: CellValue, locale: str) -> object:
    return parse_percent(value, locale=locale)


def _pattern(value: CellValue, locale: str) -> object:
    text = parse_text(value)
    try:
        NumberPattern(text)
    except PatternError as exc:
        raise CellValueError(str(exc), "e.g. INV-{yyyy}-{seq:04}") from exc
    return text


def _country(value: CellValue, locale: str) -> object:
    code = country_code(parse_text(value))
    if code is None:
        raise CellValueError(
            "is not a country sheetbill knows", "write the two-letter code, e.g. DE"
        )
    return code


def _phone(value: CellValue, locale: str) -> object:
    text = parse_text(value)
    # XRechnung BR-DE-27: a telephone number holds at least three digits.
    if sum(c.isdigit() for c in text) < 3:
        raise CellValueError("is not a telephone number", "write e.g. +49 30 1234567")
    return text


def _email(value: CellValue, locale: str) -> object:
    text = parse_text(value)
    if (why := email_problem(text)) is not None:
        raise CellValueError(
            f"is not one valid email address ({why})",
            "write one address such as billing@example.com",
        )
    return text


def _names(value: CellValue, locale: str) -> object:
    return tuple(n.strip() for n in re.split(r"[,;\n]", parse_text(value)) if n.strip())


def _schedule(value: CellValue, locale: str) -> object:
    parts = [p.strip() for p in re.split(r"[,;]", parse_text(value)) if p.strip()]
    if not all(re.fullmatch(r"[+-]?\d{1,3}", p) for p in parts):
        raise CellValueError("is not a list of days", "write e.g. -3, +1, +7, +14, +30")
    return tuple(sorted(int(p) for p in parts))


def _locale(value: CellValue, locale: str) -> object:
    text = parse_text(value).replace("-", "_")
    try:
        Locale.parse(text)
    except (UnknownLocaleError, ValueError) as exc:
        raise CellValueError(
            "is not a known locale", "write e.g. en_US or de_DE"
        ) from exc
    return text


def _timezone(value: CellValue, locale: str) -> object:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    text = parse_text(value)
    try:
        ZoneInfo(text)
    # A region alone ("America") names a folder of the zone database: OSError.
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise CellValueError("is not a time zone", "write e.g. Europe/Berlin") from exc
    return text


PARSERS: dict[str, Callable[[CellValue, str], object]] = {
    "company_country": _country,
    "contact_phone": _phone,
    "contact_email": _email,
    "default_currency": _currency,
    "default_tax_rate": _percent,
    "tax_mode": _enum_parser(TaxMode),
    "terms_days": _whole,
    "number_pattern": _pattern,
    "credit_note_pattern": _pattern,
    "approvers": _names,
    "reminder_schedule": _schedule,
    "send_invoices": _send_invoices,
    "locale": _locale,
    "timezone": _timezone,
    "rounding": _enum_parser(Rounding),
    "hours_increment": _positive,
    "hours_rounding": _enum_parser(HoursRounding),
    "hours_per_day": _positive,
    "line_grouping": _enum_parser(LineGrouping),
    "max_hours_per_entry": _positive,
}


def _field_for(key: str) -> str | None:
    wanted = normalize_header(key)
    for name, field in KEYS.items():
        if normalize_header(name) == wanted:
            return field
    alias = KEY_ALIASES.get(wanted)
    return KEYS[alias] if alias else None


def setting_rows(table: Table | None) -> dict[str, int]:
    """The sheet row of each setting in the Settings tab, by field name."""
    if table is None:
        return {}
    columns = map_columns(SETTINGS, table.tab, table.headers)
    key_col = columns.positions.get("Key", 0)
    rows: dict[str, int] = {}
    for row in table.rows:
        field = _field_for(parse_text(row.get(key_col)))
        if field is not None:
            rows[field] = row.number
    return rows


def read_settings(table: Table | None) -> tuple[Settings, list[Problem]]:
    """Settings from the Settings tab; defaults where a key is missing or wrong."""
    settings = Settings()
    problems: list[Problem] = []
    if table is None:
        problems.append(
            Problem(
                code=ProblemCode.SETTINGS_NO_TAB,
                tab="Settings",
                row=None,
                column="",
                value="",
                problem="The workbook has no Settings tab.",
                fix="Run 'sheetbill init' on the workbook to add it, then fill it in. "
                "Until then no invoice is made.",
            )
        )
        # Nothing to bill from: no company, no tax rate.
        return replace(settings, unreadable=INVOICE_SETTINGS), problems
    columns = map_columns(SETTINGS, table.tab, table.headers)
    key_col = columns.positions.get("Key", 0)
    value_col = columns.positions.get("Value", key_col + 1)
    values: dict[str, tuple[int, CellValue]] = {}
    for row in table.rows:
        key = parse_text(row.get(key_col))
        if not key:
            continue
        field = _field_for(key)
        if field is None:
            problems.append(
                Problem(
                    code=ProblemCode.SETTINGS_UNKNOWN_KEY,
                    tab=table.tab,
                    row=row.number,
                    column="Key",
                    value=key,
                    problem="is not a setting sheetbill knows.",
                    fix="Check the spelling; the known keys are in the starter "
                    "workbook.",
                    severity=Severity.WARNING,
                )
            )
            continue
        values[field] = (row.number, row.get(value_col))
    # Locale first: numbers in the other settings are read in it; then the Default
    # Currency, the one of a bare Approval Threshold.
    ordered = sorted(values, key=lambda f: (f != "locale", f != "default_currency"))
    changes: dict[str, object] = {}
    empty: set[str] = set()
    for field in ordered:
        row_number, raw = values[field]
        if parse_text(raw) == "":
            if field in FILL_IN:
                empty.add(field)
                problems.append(_empty_problem(table.tab, row_number, field))
            continue
        parser = PARSERS.get(field, _text)
        if field == "approval_threshold":
            parser = functools.partial(
                _threshold,
                currency=str(
                    changes.get("default_currency", settings.default_currency)
                ),
            )
        try:
            refuse_error_value(raw)
            if is_too_long(raw):
                raise CellValueError(TOO_LONG_PROBLEM, TOO_LONG_FIX)
            locale = str(changes.get("locale", settings.locale))
            if parser is _amount:
                currency = changes.get("default_currency", settings.default_currency)
                parser = functools.partial(_amount, currency=str(currency))
            changes[field] = parser(raw, locale)
        except CellValueError as exc:
            key = next(k for k, f in KEYS.items() if f == field)
            problems.append(
                Problem(
                    code=SETTING_CODES[field],
                    tab=table.tab,
                    row=row_number,
                    column="Value",
                    value=show(raw),
                    problem=f"The setting '{key}' {exc.problem}.",
                    fix=f"Fix the value: {exc.fix}. "
                    + (
                        "Until then no invoice is made."
                        if field in INVOICE_SETTINGS
                        else _default_used(getattr(settings, field))
                    ),
                    severity=Severity.ERROR
                    if field in INVOICE_SETTINGS
                    else Severity.WARNING,
                )
            )
    unreadable = empty | frozenset(
        field
        for field, (_, raw) in values.items()
        if parse_text(raw) != "" and field not in changes
    )
    settings = replace(settings, **changes, unreadable=unreadable)  # type: ignore[arg-type]
    # The seller's details an invoice needs are checked in sheetbill/seller.py.
    return settings, problems


def _default_used(default: object) -> str:
    shown = show_default(default)
    if not shown:
        return "Until then it is taken as empty."
    return f"Until then the default '{shown}' is used."


def _empty_problem(tab: str, row: int, field: str) -> Problem:
    key = next(k for k, f in KEYS.items() if f == field)
    return Problem(
        code=ProblemCode.SETTINGS_REQUIRED_VALUE_EMPTY,
        tab=tab,
        row=row,
        column="Value",
        value="",
        problem=f"The setting '{key}' is empty.",
        fix=f"Fill in its Value ({HELP[key]}). Until then no invoice is made.",
    )


def key_row(table: Table | None, field: str) -> int | None:
    """The Settings row whose Key names `field` (a Settings field name), if any."""
    if table is None:
        return None
    columns = map_columns(SETTINGS, table.tab, table.headers)
    key_col = columns.positions.get("Key", 0)
    for row in table.rows:
        if _field_for(parse_text(row.get(key_col))) == field:
            return row.number
    return None


# Settings that change what an invoice says or adds up to: while one of them cannot
# be read, no invoice is made, rather than one made with a default in its place.
INVOICE_SETTINGS = frozenset(
    {
        # Printed on every invoice: never left out for a cell that cannot be read.
        # (Company Country and the contact are checked values: a wrong one is a
        # warning, left out; a profile that needs them holds its customers.)
        "company_name",
        "company_address",
        "company_postcode",
        "company_city",
        "company_tax_id",
        "iban",
        "bic",
        "default_currency",
        "default_tax_rate",
        "tax_mode",
        "terms_days",
        "number_pattern",
        "rounding",
        "hours_increment",
        "hours_rounding",
        "hours_per_day",
        "line_grouping",
        "max_hours_per_entry",
        "approval_threshold",
        "locale",
    }
)


def show_default(value: object) -> str:
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(getattr(value, "value", value))


def settings_rows(settings: Settings) -> list[tuple[str, str, str]]:
    """(Key, Value, Help) rows describing `settings`, for starter and demo workbooks."""
    rows = []
    for key, field in KEYS.items():
        value = getattr(settings, field)
        if field == "reminder_schedule":
            text = ", ".join(f"{d:+d}" for d in value)
        elif value is None:
            text = ""
        else:
            text = show_default(value)
        rows.append((key, text, HELP.get(key, "")))
    return rows


def setting_row(table: Table | None, field: str) -> int | None:
    """The sheet row of the setting `read_settings` stores in `field` (the last row
    with its key, as there), so a problem with its value can point at the cell."""
    if table is None:
        return None
    columns = map_columns(SETTINGS, table.tab, table.headers)
    key_col = columns.positions.get("Key", 0)
    found = None
    for row in table.rows:
        if _field_for(parse_text(row.get(key_col))) == field:
            found = row.number
    return found
