"""The Settings tab: key/value rows typed into a `Settings`, each bad value a Problem.

Keys match like headers (case and spaces do not count). A bad or missing value keeps its
safe default and becomes a row in Exceptions, so the rest of the run goes on.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from babel import Locale, UnknownLocaleError

from sheetbill.cells import (
    HOURS_EXAMPLE,
    MAX_TERMS_DAYS,
    TOO_LONG_FIX,
    TOO_LONG_PROBLEM,
    CellValueError,
    is_too_long,
    parse_days,
    parse_number,
    parse_percent,
    parse_text,
    refuse_error_value,
    show,
)
from sheetbill.model import (
    HoursRounding,
    LineGrouping,
    Problem,
    Settings,
    Severity,
    TaxMode,
)
from sheetbill.money import Rounding, is_currency
from sheetbill.numbering import NumberPattern, PatternError
from sheetbill.schema import SETTINGS, map_columns, normalize_header
from sheetbill.workbook.base import CellValue, Table

# Settings key (as shown in the starter workbook) -> Settings field.
KEYS: dict[str, str] = {
    "Company Name": "company_name",
    "Company Address": "company_address",
    "Company Tax ID": "company_tax_id",
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
    "Locale": "locale",
    "Timezone": "timezone",
    "Rounding": "rounding",
    "Hours Increment": "hours_increment",
    "Hours Rounding": "hours_rounding",
    "Hours Per Day": "hours_per_day",
    "Line Grouping": "line_grouping",
    "Max Hours Per Entry": "max_hours_per_entry",
}
KEY_ALIASES = {
    "address": "Company Address",
    "tax id": "Company Tax ID",
    "company": "Company Name",
    "currency": "Default Currency",
    "tax rate": "Default Tax Rate",
    "terms days": "Payment Terms Days",
    "payment terms": "Payment Terms Days",
}
HELP: dict[str, str] = {
    "Number Pattern": "{yyyy} {yy} {mm} and one {seq:04}; numbers never repeat",
    "Tax Mode": "exclusive (prices are net) or inclusive (prices include tax)",
    "Rounding": "half-up or half-even: how amounts round to cents, per line",
    "Hours Increment": "bill hours in steps of this size, e.g. 0.25",
    "Hours Rounding": "nearest, up or down to the increment",
    "Line Grouping": "project+activity, entry, person or day",
    "Reminder Schedule": "days from the due date, e.g. -3, +1, +7, +14, +30",
    "Approvers": "names, separated by commas",
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


def _text(value: CellValue, locale: str) -> object:
    return parse_text(value)


def _currency(value: CellValue, locale: str) -> object:
    code = parse_text(value).upper()
    if not is_currency(code):
        raise CellValueError("is not a currency code", "write an ISO code such as EUR")
    return code


def _whole(value: CellValue, locale: str) -> object:
    number = parse_days(value, locale=locale)
    if number != number.to_integral_value() or number < 0:
        raise CellValueError("is not a whole number of days", "write e.g. 30")
    if number > MAX_TERMS_DAYS:
        raise CellValueError(
            f"is more than {MAX_TERMS_DAYS} days (ten years)", "write e.g. 30"
        )
    return int(number)


def _positive(value: CellValue, locale: str) -> object:
    number = parse_number(value, locale=locale, example=HOURS_EXAMPLE)
    if number <= 0:
        raise CellValueError(
            "must be more than 0", "write a positive number, e.g. 0.25"
        )
    return number


def _amount(value: CellValue, locale: str) -> object:
    return parse_number(value, locale=locale)


def _percent(value: CellValue, locale: str) -> object:
    return parse_percent(value, locale=locale)


def _pattern(value: CellValue, locale: str) -> object:
    text = parse_text(value)
    try:
        NumberPattern(text)
    except PatternError as exc:
        raise CellValueError(str(exc), "e.g. INV-{yyyy}-{seq:04}") from exc
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
    "default_currency": _currency,
    "default_tax_rate": _percent,
    "tax_mode": _enum_parser(TaxMode),
    "terms_days": _whole,
    "number_pattern": _pattern,
    "credit_note_pattern": _pattern,
    "approval_threshold": _amount,
    "approvers": _names,
    "reminder_schedule": _schedule,
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
                "Settings",
                None,
                "",
                "",
                "The workbook has no Settings tab.",
                "Run 'sheetbill init' on the workbook to add it, then fill it in.",
            )
        )
        return settings, problems
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
                    table.tab,
                    row.number,
                    "Key",
                    key,
                    "is not a setting sheetbill knows.",
                    "Check the spelling; the known keys are in the starter workbook.",
                    Severity.WARNING,
                )
            )
            continue
        values[field] = (row.number, row.get(value_col))
    # Locale first: numbers in the other settings are read in it.
    ordered = sorted(values, key=lambda f: f != "locale")
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
        try:
            refuse_error_value(raw)
            if is_too_long(raw):
                raise CellValueError(TOO_LONG_PROBLEM, TOO_LONG_FIX)
            changes[field] = parser(raw, str(changes.get("locale", settings.locale)))
        except CellValueError as exc:
            key = next(k for k, f in KEYS.items() if f == field)
            problems.append(
                Problem(
                    table.tab,
                    row_number,
                    "Value",
                    show(raw),
                    f"The setting '{key}' {exc.problem}.",
                    f"Fix the value: {exc.fix}. "
                    + (
                        "Until then no invoice is made."
                        if field in INVOICE_SETTINGS
                        else "Until then the default "
                        f"'{show_default(getattr(settings, field))}' is used."
                    ),
                )
            )
    unreadable = empty | frozenset(
        field
        for field, (_, raw) in values.items()
        if parse_text(raw) != "" and field not in changes
    )
    settings = replace(settings, **changes, unreadable=unreadable)  # type: ignore[arg-type]
    for field, what in REQUIRED_SETTINGS.items():
        if getattr(settings, field) or field in unreadable:
            continue  # set, or its cell's problem is already reported
        problems.append(_empty_setting(table.tab, field, what, values.get(field)))
    return settings, problems


def _empty_problem(tab: str, row: int, field: str) -> Problem:
    key = next(k for k, f in KEYS.items() if f == field)
    return Problem(
        tab,
        row,
        "Value",
        "",
        f"The setting '{key}' is empty.",
        f"Fill in its Value ({HELP[key]}). Until then no invoice is made.",
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


# Settings sheetbill warns about while they are empty: what to fill in.
REQUIRED_SETTINGS = {"company_name": "your company's name"}


def _empty_setting(
    tab: str, field: str, what: str, found: tuple[int, CellValue] | None
) -> Problem:
    """An empty setting: "fill in its Value" on the row that has its Key, or "add a
    row" when no row has it."""
    key = next(k for k, f in KEYS.items() if f == field)
    if found is None:
        return Problem(
            tab,
            None,
            "Value",
            "",
            f"The setting '{key}' is missing: no row has the Key '{key}'.",
            f"Add a row with Key '{key}' and {what} as its Value.",
            Severity.WARNING,
        )
    return Problem(
        tab,
        found[0],
        "Value",
        show(found[1]),
        f"The setting '{key}' is empty.",
        f"Fill in its Value (on this row, beside the Key '{key}') with {what}.",
        Severity.WARNING,
    )


# Settings that change what an invoice says or adds up to: while one of them cannot
# be read, no invoice is made, rather than one made with a default in its place.
INVOICE_SETTINGS = frozenset(
    {
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
