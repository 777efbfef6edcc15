"""What may stand beside a number in a cell: the row's currency, a unit of hours or of
days, a percent sign. Any other word ("1.5k", "2 Mio", "3 days" in Hours, "12 USD" on
a euro invoice) makes the cell a problem, never a number read on a guess.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from babel import Locale, UnknownLocaleError

from sheetbill.domain.money import is_currency

# Words for hours and minutes in the languages invoices are written in (en, de, fr, es).
HOUR_WORDS = frozenset(
    {"h", "hr", "hrs", "hour", "hours", "std", "stunde", "stunden"}
    | {"heure", "heures", "hora", "horas"}
)
# Minutes are converted (45 min is 0.75 hours). "m" is not among them: it is also
# months and metres.
MINUTE_WORDS = frozenset(
    {"min", "mins", "minute", "minutes", "minuten", "minuto", "minutos"}
)
DAY_WORDS = frozenset(
    {"d", "day", "days", "tag", "tage", "jour", "jours", "día", "días", "dia", "dias"}
)


@dataclass(frozen=True, slots=True)
class NumberWords:
    """The words (casefolded) that may stand beside the number in one kind of cell,
    and what the problem of a cell with another word says."""

    allowed: frozenset[str]
    # What may stand there, for the message: "only EUR or €".
    which: str
    fix: str
    # A money cell's currency, and in whose words: "customer C1 is billed in EUR".
    currency: str = ""
    billed: str = ""
    locale: str = ""

    def refusal(self, word: str) -> tuple[str, str]:
        """The problem and the fix for a cell with `word` beside its number."""
        other = currency_named(word, self.locale) if self.currency else None
        if other is not None and other != self.currency:
            return (
                f"is an amount in {other}, but {self.billed}",
                f"type the amount in {self.currency} (sheetbill never converts "
                "currencies)",
            )
        return f"has '{word}' beside the number; {self.which}", self.fix


PLAIN = NumberWords(
    frozenset(),
    "only a number may stand there",
    "type the number alone, such as 3 or 2.5",
)
PERCENT = NumberWords(
    frozenset({"%"}),
    "only a percent sign may stand there",
    "type the rate in percent, such as 19 or 19 %",
)
HOURS = NumberWords(
    HOUR_WORDS | MINUTE_WORDS,
    "only hours (h, hours) or minutes (min) may stand there",
    "type the hours as a number such as 1.5, as h:mm such as 1:30, or minutes such "
    "as 45 min",
)
DAYS = NumberWords(
    DAY_WORDS,
    "only days may stand there",
    "type a whole number of days, such as 30",
)


@functools.cache
def money_words(currency: str, locale: str, billed: str) -> NumberWords:
    """What may stand beside an amount in `currency`: its ISO code and its sign (as
    the Locale writes it, or as English does unless the Locale writes another
    currency so). `billed` says whose currency it is ("customer C1 is billed in EUR").
    """
    signs = currency_signs(currency, locale)
    names = [currency, *sorted(signs - {currency})]
    shown = " or ".join([", ".join(names[:-1]), names[-1]] if names[1:] else names)
    return NumberWords(
        frozenset(s.casefold() for s in signs | {currency}),
        f"only {shown} may stand there",
        f"type the amount as a number, such as 1234.50 (or {currency} 1234.50)",
        currency=currency,
        billed=billed,
        locale=locale,
    )


def currency_signs(currency: str, locale: str) -> frozenset[str]:
    """The signs that write `currency` unambiguously in `locale`: its own sign there
    ($ in en_US, US$ in en_GB), and its English sign unless the Locale writes another
    currency with it ($ is the Canadian dollar in en_CA)."""
    signs = set()
    own = _symbols(locale)
    if currency in own:
        signs.add(own[currency])
    english = _symbols("en").get(currency)
    if english and not any(
        sign == english and code != currency for code, sign in own.items()
    ):
        signs.add(english)
    return frozenset(signs)


def currency_named(word: str, locale: str) -> str | None:
    """The currency a word names: an ISO code, or a sign only one currency has in the
    Locale (or else in English). None for any other word."""
    if is_currency(word.upper()):
        return word.upper()
    folded = word.casefold()
    for where in (locale, "en"):
        codes = [c for c, s in _symbols(where).items() if s.casefold() == folded]
        if len(codes) == 1:
            return codes[0]
    return None


@functools.cache
def _symbols(locale: str) -> dict[str, str]:
    """Currency code -> the sign the locale writes it with (signs only, not codes)."""
    try:
        known = Locale.parse(locale.replace("-", "_")).currency_symbols
    except (UnknownLocaleError, ValueError, TypeError):
        return {}
    return {code: sign for code, sign in known.items() if sign and sign != code}
