"""The text of bank and processor files: bytes decoded the way banks write them,
amounts and dates read from their words, and the words that mark a refund.

Banks export UTF-8 (often with a BOM) or Windows-1252. A file mixing the two was
pasted together from two exports, and reading it either way garbles the names in
it, so it is refused, naming its first line in the other encoding. Amounts go from
their text straight to Decimal, never through float.
"""

from __future__ import annotations

import codecs
import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sheetbill.errors import BankFileError

# Encodings named as a person knows them, for messages.
_SHOWN = {"utf-8": "UTF-8", "cp1252": "Windows-1252"}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# The encoding a profile leaves as it is: detected (UTF-8, else Windows-1252).
AUTO_ENCODING = "utf-8"


def is_auto(encoding: str) -> bool:
    """Whether a profile's encoding leaves it to the file (UTF-8, the default)."""
    return not encoding or codecs.lookup(encoding).name == "utf-8"


def decode(data: bytes, *, path: Path, encoding: str = AUTO_ENCODING) -> str:
    """The file's text, line ends as "\\n". `encoding`: a profile's; UTF-8 (the
    default) means detected: a BOM decides, else UTF-8, else Windows-1252 (Latin-1
    for the five bytes it leaves undefined). Raises BankFileError for NUL bytes (not
    a text file), mixed encodings, or bytes the named encoding cannot read."""
    text = _decoded(data, path=path, encoding=encoding)
    if "\x00" in text:
        raise BankFileError(
            f"line {_line_of(text, text.index(chr(0)))} holds NUL characters: it is "
            "not a text file. Export the statement again as CSV",
            path=path,
        )
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _decoded(data: bytes, *, path: Path, encoding: str) -> str:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return _strict(data[len(bom) :], name, path, mixed=name == "utf-8")
    if not is_auto(encoding):
        return _strict(data, encoding, path, mixed=False)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    _refuse_mixed(data, path)
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _strict(data: bytes, encoding: str, path: Path, *, mixed: bool) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        if mixed:
            _refuse_mixed(data, path)
        line = data[: error.start].count(b"\n") + 1
        shown = _SHOWN.get(codecs.lookup(encoding).name, encoding)
        raise BankFileError(
            f"line {line} is not {shown} text (byte 0x{data[error.start]:02x}): "
            "export the statement again, or name the file's encoding in its "
            "profile's 'encoding'",
            path=path,
        ) from None


def _refuse_mixed(data: bytes, path: Path) -> None:
    """Refuse a file whose non-ASCII lines are not all in one encoding: the first
    such line sets the file's encoding; the first line in the other is named."""
    first: tuple[int, str] | None = None
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            kind = "utf-8"
        except UnicodeDecodeError:
            kind = "cp1252"
        if first is None:
            first = (number, kind)
        elif kind != first[1]:
            raise BankFileError(
                f"line {number} is in {_SHOWN[kind]} but line {first[0]} is in "
                f"{_SHOWN[first[1]]}: the file mixes two encodings. Export the "
                "statement again in one piece, or save it as UTF-8",
                path=path,
            )


def decode_head(head: bytes) -> str:
    """The first bytes of a file as text, for recognising its format: never raises
    (a character cut at the end is dropped; bytes not UTF-8 read as Windows-1252)."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return head[len(bom) :].decode(name, errors="ignore")
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 3:
            text = head.decode("cp1252", errors="replace")
        else:
            text = head[: error.start].decode("utf-8")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


# --- Cells ----------------------------------------------------------------------

_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str) -> str:
    """A cell's text as one line: runs of white space (line breaks in a quoted
    cell) as one space, control characters dropped. A leading `=`, `+`, `-` or
    `@` stays: a cell is text, never a formula."""
    return _SPACES.sub(" ", _CONTROL.sub("", text)).strip()


def joined(texts: Iterable[str]) -> str:
    """Several cells as one text, single spaces between, a repeated cell once."""
    parts: list[str] = []
    for text in texts:
        part = clean(text)
        if part and part not in parts:
            parts.append(part)
    return " ".join(parts)


def header_key(text: str) -> str:
    """A header cell as compared with a column name: case, accents, surrounding and
    doubled spaces, spaces around a slash (banks write both "Auftraggeber/Empfänger"
    and "Auftraggeber / Empfänger") and the kind of apostrophe do not count."""
    decomposed = unicodedata.normalize("NFKD", text.replace("\u2019", "'"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    spaced = _SPACES.sub(" ", plain.replace("\ufeff", "")).strip().casefold()
    return spaced.replace(" / ", "/").replace(" /", "/").replace("/ ", "/")


def account(text: str) -> str:
    """An IBAN or account number as the domain keeps it: no spaces, upper case."""
    return "".join(clean(text).split()).upper()


# --- Amounts --------------------------------------------------------------------

_SYMBOLS = {"€": "EUR", "£": "GBP"}
_CURRENCY_AROUND = re.compile(
    r"^(?:[A-Za-z]{3}\b|[€£$¥])\s*|\s*(?:\b[A-Za-z]{3}|[€£$¥])$"
)
_GROUPS = "[ '\u00a0\u202f]"
_POINT_NUMBER = re.compile(
    rf"(\d{{1,3}}(?:(,|{_GROUPS})\d{{3}})(?:\2\d{{3}})*|\d*)(?:\.(\d+))?"
)
_COMMA_NUMBER = re.compile(
    rf"(\d{{1,3}}(?:(\.|{_GROUPS})\d{{3}})(?:\2\d{{3}})*|\d*)(?:,(\d+))?"
)
_SIGNS = {"-": True, "\u2212": True, "\u2013": True, "+": False}
# Marks after an amount saying which way it went: Soll/Haben (German banks),
# debit/credit (English ones). True: money out.
MARKS = {
    "s": True, "soll": True, "d": True, "dr": True, "debit": True,
    "h": False, "haben": False, "c": False, "cr": False, "credit": False,
}  # fmt: skip


def parse_amount(text: str, *, decimal_comma: bool) -> Decimal | None:
    """The amount a cell states, signed; None when the text is not an amount.

    Reads `1.234,56` (decimal comma; thousands as `.`, space or `'`) or `1,234.56`,
    a sign before or after (`-12,50`, `12,50-`), brackets (`(12.50)`), a mark after
    (`12,50 S`, `12,50 H`, `12.50 CR`, `12.50 DR`), and a currency symbol or ISO
    code before or after. Thousands groups must be whole (`1,19` with a decimal
    point is refused, not read as 119); two signs are refused."""
    body = _CURRENCY_AROUND.sub("", text.replace("\u00a0", " ").strip()).strip()
    mark: bool | None = None
    head, _, word = body.rpartition(" ")
    if head and word.casefold() in MARKS:
        body, mark = head.strip(), MARKS[word.casefold()]
    signs: list[bool] = []
    if body.startswith("(") and body.endswith(")"):
        body = body[1:-1].strip()
        signs.append(True)
    if body[:1] in _SIGNS:
        signs.append(_SIGNS[body[0]])
        body = body[1:].strip()
    if body[-1:] in _SIGNS:
        signs.append(_SIGNS[body[-1]])
        body = body[:-1].strip()
    if len(signs) + (mark is not None) > 1:
        return None
    body = body.strip("€£$¥ ")  # a symbol after the sign: -£45.00
    match = (_COMMA_NUMBER if decimal_comma else _POINT_NUMBER).fullmatch(body)
    if match is None or not (match.group(1) or match.group(3)):
        return None
    whole = re.sub(r"\D", "", match.group(1)) or "0"
    value = Decimal(f"{whole}.{match.group(3)}" if match.group(3) else whole)
    return -value if any(signs) or mark else value


def decimal_comma_in(texts: Iterable[str]) -> bool | None:
    """Whether a column's amounts are written with a decimal comma, by the amounts
    whose separators can only be read one way (`12,50`, `1.234,56`, `0.5`,
    `1.000.000`): True, False, or None when none says (all whole, or `1.234` only)
    or both do."""
    comma = point = False
    for text in texts:
        digits = text.strip()
        last = max(digits.rfind(","), digits.rfind("."))
        if last < 0:
            continue
        separator = digits[last]
        other = "." if separator == "," else ","
        tail = re.match(r"\d*", digits[last + 1 :])
        if other in digits[:last] or len(tail.group(0) if tail else "") != 3:
            decimal = separator
        elif digits.count(separator) > 1:
            decimal = other
        else:
            continue
        comma |= decimal == ","
        point |= decimal == "."
    return comma if comma != point else None


def currency_code(text: str) -> str | None:
    """An ISO 4217 code from a currency cell (`EUR`, `eur`, `€`); "" for a blank
    cell; None when the cell names no currency sheetbill can tell."""
    word = clean(text)
    if not word:
        return ""
    if word in _SYMBOLS:
        return _SYMBOLS[word]
    return word.upper() if re.fullmatch(r"[A-Za-z]{3}", word) else None


def currency_in_header(header: str) -> str:
    """The currency an amount column's header names (`Betrag (EUR)`, `Amount
    (GBP)`, `Umsatz in EUR`, `Betrag (€)`), else ""."""
    found = re.search(r"\(\s*([A-Za-z]{3}|[€£])\s*\)|\bin ([A-Za-z]{3})\b", header)
    if not found:
        return ""
    return currency_code(found.group(1) or found.group(2)) or ""


# --- Dates ----------------------------------------------------------------------

_TIME_AFTER = re.compile(
    r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2}|[A-Z]{3,4})?$"
)


def date_part(text: str) -> str:
    """A date cell without the time of day some exports add (`2026-03-04 10:22`,
    `04-03-2026 10:22:05`, `2026-03-04T10:22:05Z`)."""
    return _TIME_AFTER.sub("", text.strip())


def parse_date(text: str, date_format: str) -> date | None:
    """The day a date cell states in `date_format` (a time after it ignored)."""
    return _parsed_date(date_part(text), date_format)


# A statement repeats its few hundred days over thousands of lines.
@functools.lru_cache(maxsize=4096)
def _parsed_date(text: str, date_format: str) -> date | None:
    try:
        return datetime.strptime(text, date_format).date()  # noqa: DTZ007 (a calendar day, no time of day)
    except ValueError:
        return None


def date_format_of(
    cells: Sequence[tuple[int, str]], formats: Sequence[str], *, column: str, path: Path
) -> str:
    """The one of `formats` that reads every date of a column (`cells`: line and
    text). Several that read them all alike: the first. Several that read one date
    differently (03/04/2026: March or April): BankFileError, as is a date none
    reads. Never guesses."""
    fits = list(formats)
    for line, text in cells:
        still = [f for f in fits if parse_date(text, f) is not None]
        if not still:
            tried = ", ".join(_shown_format(f) for f in formats)
            raise BankFileError(
                f"line {line}, column '{column}': '{clean(text)}' is not a date "
                f"({_date_hint(formats, tried)})",
                path=path,
            )
        fits = still
    for line, text in cells:
        readings = {parse_date(text, f) for f in fits}
        if len(readings) > 1:
            a, b = sorted(d for d in readings if d is not None)[:2]
            raise BankFileError(
                f"line {line}, column '{column}': '{clean(text)}' can be read as "
                f"{a.isoformat()} or {b.isoformat()}, and no date in the file tells "
                "which. Add a [payments.profiles.NAME] table to sheetbill.toml with "
                'its date_format (e.g. "%d/%m/%Y" or "%m/%d/%Y")',
                path=path,
            )
    return fits[0]


def _date_hint(formats: Sequence[str], tried: str) -> str:
    if len(formats) == 1:
        return f"the profile's date_format is {tried}"
    return f"sheetbill reads {tried}"


def _shown_format(date_format: str) -> str:
    for code, shown in (("%d", "DD"), ("%m", "MM"), ("%Y", "YYYY"), ("%y", "YY")):
        date_format = date_format.replace(code, shown)
    return date_format.replace("%b", "Mon")


# --- Words ----------------------------------------------------------------------

# A bank line taking money back from the shop for something it was paid: a returned
# payment, a chargeback, a refund (English, German, French, Spanish words).
_REFUND = re.compile(
    r"r(ü|ue|u)ck(buchung|lastschrift|gabe|zahlung|erstattung|überweisung)|"
    r"retoure|storno|erstattung|chargeback|charge back|refund|reversal|returned|"
    r"rembours|rejet|impay|devoluci[oó]n|retrocesi[oó]n|reembolso",
    re.IGNORECASE,
)
_DIRECT_DEBIT = re.compile(
    r"lastschrift|direct debit|pr[ée]l[èe]vement|\bprlv\b|adeudo|recibo|domiciliaci",
    re.IGNORECASE,
)
_CARD = re.compile(
    r"karte|kartenzahlung|\bcard\b|\bcarte\b|tarjeta|\bpos\b|girocard|visa|mastercard",
    re.IGNORECASE,
)


def looks_like_refund(text: str) -> bool:
    """Whether a line's text says money went back to a customer (Rückbuchung,
    Rücklastschrift, Retoure, chargeback, refund, remboursement, devolución…)."""
    return bool(_REFUND.search(text))


def method_of(text: str) -> str:
    """How a bank line says it was paid: "direct debit", "card" or "bank transfer"."""
    if _DIRECT_DEBIT.search(text):
        return "direct debit"
    if _CARD.search(text):
        return "card"
    return "bank transfer"
