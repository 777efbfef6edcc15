"""Invoice number patterns such as `INV-{yyyy}-{seq:04}`: checking and formatting.

A pattern's text without the sequence part names its series ("INV-2026-"): each series
has its own counter in the state database, so a yearly pattern starts at 1 each year and
a number is never drawn twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

TOKEN = re.compile(r"\{([a-z]+)(?::(0?\d+))?\}")
DATE_TOKENS = {"yyyy": "%Y", "yy": "%y", "mm": "%m"}


class PatternError(ValueError):
    """The pattern cannot make unique numbers; the message says why."""


@dataclass(frozen=True, slots=True)
class NumberPattern:
    text: str

    def __post_init__(self) -> None:
        tokens = [m[1] for m in TOKEN.finditer(self.text)]
        unknown = [t for t in tokens if t != "seq" and t not in DATE_TOKENS]
        if unknown:
            raise PatternError(
                f"has an unknown part {{{unknown[0]}}}; "
                "use {yyyy}, {yy}, {mm} and {seq}"
            )
        if tokens.count("seq") != 1:
            raise PatternError("needs exactly one {seq} (the running number)")
        rest = TOKEN.sub("", self.text)
        if ".." in self.text or self.text.startswith((".", "/")):
            raise PatternError("may not start with '.' or '/' nor contain '..'")
        if re.search(r"[^A-Za-z0-9._/\-]", rest):
            raise PatternError(
                "may hold only letters, digits, '-', '_', '.' and '/' "
                "besides its {parts}"
            )
        # A number becomes a file name (its PDF): it must be one, at any date.
        longest = self.format(date(2999, 12, 31), 10**6)
        if len(longest) > MAX_NUMBER_LENGTH:
            raise PatternError(
                f"makes numbers longer than {MAX_NUMBER_LENGTH} characters "
                f"(such as {longest[:60]}{'…' if len(longest) > 60 else ''})"
            )
        if not is_valid_invoice_number(longest):
            raise PatternError(
                f"makes numbers such as {longest} that cannot name a file; start "
                "it with a letter or digit"
            )

    def series(self, issue_date: date) -> str:
        """The counter's name: the pattern for this date with {seq} left as is."""
        return TOKEN.sub(lambda m: self._date_part(m, issue_date), self.text)

    def format(self, issue_date: date, sequence: int) -> str:
        def part(match: re.Match[str]) -> str:
            if match[1] == "seq":
                width = int(match[2] or 0)
                return str(sequence).zfill(width)
            return self._date_part(match, issue_date)

        return TOKEN.sub(part, self.text)

    def sequence_in(self, number: str) -> tuple[str, int] | None:
        """The series and running number of a number this pattern made, or None.

        `INV-{yyyy}-{seq:04}` reads `INV-2026-0007` as ("INV-2026-{seq:04}", 7): the
        inverse of `format`, used to see which numbers a workbook already shows.
        """
        match = self._reader().fullmatch(number.strip())
        if match is None:
            return None
        series = TOKEN.sub(
            lambda m: m[0] if m[1] == "seq" else match[f"d{m.start()}"], self.text
        )
        return series, int(match["seq"])

    def _reader(self) -> re.Pattern[str]:
        parts: list[str] = []
        last = 0
        for m in TOKEN.finditer(self.text):
            parts.append(re.escape(self.text[last : m.start()]))
            if m[1] == "seq":
                parts.append(r"(?P<seq>\d+)")
            else:
                width = 4 if m[1] == "yyyy" else 2
                parts.append(f"(?P<d{m.start()}>\\d{{{width}}})")
            last = m.end()
        parts.append(re.escape(self.text[last:]))
        return re.compile("".join(parts))

    @staticmethod
    def _date_part(match: re.Match[str], issue_date: date) -> str:
        if match[1] == "seq":
            return match[0]
        return issue_date.strftime(DATE_TOKENS[match[1]])


def next_in_series(series: str, last: int) -> str:
    """The number drawn after `last` in `series` (a `NumberPattern.series`):
    `INV-2026-{seq:04}` after 4 is `INV-2026-0005`."""

    def part(match: re.Match[str]) -> str:
        if match[1] != "seq":
            return match[0]
        return str(last + 1).zfill(int(match[2] or 0))

    return TOKEN.sub(part, series)


MAX_NUMBER_LENGTH = 40
INVOICE_NUMBER = re.compile(
    rf"^[A-Za-z0-9][A-Za-z0-9._/\-]{{0,{MAX_NUMBER_LENGTH - 1}}}$"
)


def is_valid_invoice_number(text: str) -> bool:
    """What a file name may be made of: letters, digits and . _ / - only, no '..'."""
    return bool(INVOICE_NUMBER.match(text)) and ".." not in text
