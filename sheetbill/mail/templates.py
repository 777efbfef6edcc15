"""The words of every email: jinja2 templates in the customer's language, a user's own
folder first, file by file, then sheetbill's built-in ones (sheet_templates/email).

Templates run in jinja2's immutable sandbox with every name required (a typo is an
error naming the file and line, never an empty gap in a letter to a customer). HTML
is escaped, plain text and subjects are not; a subject is always one line. The file
layout, the lookup order and the names a template may use are in
sheet_templates/email/README.md.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency
from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateNotFound,
    TemplateSyntaxError,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment
from stdnum import iban as iban_number

from sheetbill.domain.money import Money
from sheetbill.errors import RenderError

BUILT_IN = Path(__file__).resolve().parents[2] / "sheet_templates" / "email"
# Every email is written in one of these when its own language has no templates.
FALLBACK_LANGUAGE = "en"
# The three files of a template, by the part of the email each gives.
PARTS = (("subject", ".subject"), ("text", ".txt"), ("html", ".html"))
README = "sheet_templates/email/README.md"

_TEMPLATE_NAME = re.compile(r"[a-z][a-z0-9-]*")
_LANGUAGE = re.compile(r"[a-z]{2,3}")
# Characters that end a header line or are no text: CR, LF, TAB and the other C0/C1
# controls (category Cc), and the Unicode line and paragraph separators.
_LINE_BREAKING = frozenset(("Cc", "Zl", "Zp"))


@dataclass(frozen=True, slots=True)
class RenderedText:
    """An email's words: `subject` is one line; `html` is a whole HTML document."""

    subject: str
    text: str
    html: str


class EmailTemplateError(RenderError):
    """An email template is missing or broken, or uses a name its context lacks:
    every email it writes fails alike, whatever the invoice holds. `path` is the
    file (or the folders searched), `template` the name that was asked for."""

    def __init__(self, message: str, *, path: Path | str | None, template: str) -> None:
        super().__init__(" ".join(message.split()), path=path)
        self.template = template


class EmailTemplates:
    """The email templates of one configuration: `user_folder` (sheetbill.toml
    `[mail] templates`, None for none) searched before `built_in`, file by file.

    Raises EmailTemplateError when `user_folder` is given but is not a folder.
    """

    def __init__(self, user_folder: Path | None, *, built_in: Path = BUILT_IN) -> None:
        if user_folder is not None and not user_folder.is_dir():
            raise EmailTemplateError(
                "the email templates folder is missing or not a folder (sheetbill.toml "
                "[mail] templates)",
                path=user_folder,
                template="",
            )
        self.folders: tuple[Path, ...] = tuple(
            folder.resolve() for folder in (user_folder, built_in) if folder is not None
        )
        self._environments: dict[str, ImmutableSandboxedEnvironment] = {}

    def language(self, language: str) -> str:
        """The language an email to a customer of `language` is written in: its own
        (`de`, also for `de_AT` or `de-CH`) when a folder holds a `<language>/`
        subfolder of templates, else English."""
        code = language.strip().lower().replace("-", "_").split("_")[0]
        if _LANGUAGE.fullmatch(code) and any((f / code).is_dir() for f in self.folders):
            return code
        return FALLBACK_LANGUAGE

    def render(
        self,
        template: str,
        language: str,
        context: Mapping[str, Any],
        *,
        stage: int | None = None,
    ) -> RenderedText:
        """The email's subject, plain text and HTML from `template` (`invoice`,
        `reminder-firm`...) in `language` (see `language`), given `context` (its
        names: sheet_templates/email/README.md).

        With a `stage` (days from the due date), the stage's own template
        (`reminder+7`) is tried before `template`, file by file. Raises
        EmailTemplateError naming the file (and line) when a file is missing, cannot
        be parsed, uses a name the context lacks, or tries what the sandbox forbids.
        """
        if not _TEMPLATE_NAME.fullmatch(template):
            raise ValueError(f"not an email template name: {template!r}")
        written_in = self.language(language)
        environment = self._environment(written_in)
        names = [template] if stage is None else [f"reminder{stage:+d}", template]
        values = {**context, "language": written_in}
        words = {
            part: self._render_part(
                environment, written_in, [name + suffix for name in names], values
            )
            for part, suffix in PARTS
        }
        subject = one_line(words["subject"])
        if not subject:
            raise EmailTemplateError(
                f"{written_in}/{template}.subject gives an empty subject",
                path=self._search_path(written_in),
                template=template,
            )
        return RenderedText(
            subject=subject, text=words["text"].strip("\n") + "\n", html=words["html"]
        )

    def _render_part(
        self,
        environment: ImmutableSandboxedEnvironment,
        language: str,
        candidates: Sequence[str],
        context: Mapping[str, Any],
    ) -> str:
        wanted = f"{language}/{' or '.join(candidates)}"
        try:
            found = environment.select_template(list(candidates))
        except TemplateNotFound as exc:
            raise EmailTemplateError(
                f"no email template {wanted} (searched in this order)",
                path=self._search_path(language),
                template=candidates[-1],
            ) from exc
        except TemplateSyntaxError as exc:
            raise EmailTemplateError(
                f"{self._shown(exc.filename) or wanted} line {exc.lineno}: "
                f"{exc.message}",
                path=exc.filename,
                template=candidates[-1],
            ) from exc
        except Exception as exc:  # an unreadable file: not UTF-8, no permission
            raise EmailTemplateError(
                f"{wanted} cannot be read: {type(exc).__name__}: {exc}",
                path=self._search_path(language),
                template=candidates[-1],
            ) from exc
        return self._filled(found, context, template=candidates[-1])

    def _filled(
        self, found: Template, context: Mapping[str, Any], *, template: str
    ) -> str:
        try:
            return found.render(context)
        except TemplateSyntaxError as exc:  # in a file it includes or extends
            raise EmailTemplateError(
                f"{self._shown(exc.filename) or exc.name} line {exc.lineno}: "
                f"{exc.message}",
                path=exc.filename,
                template=template,
            ) from exc
        except Exception as exc:  # anything a template expression raised
            where = self._template_line(sys.exc_info()[2]) or (found.filename, None)
            line = "" if where[1] is None else f" line {where[1]}"
            raise EmailTemplateError(
                f"{self._shown(where[0]) or found.name}{line}: "
                f"{type(exc).__name__}: {exc} (the names an email template may use "
                f"are in {README})",
                path=where[0],
                template=template,
            ) from exc

    def _environment(self, language: str) -> ImmutableSandboxedEnvironment:
        """One sandbox per language: `{% include "_payment.txt" %}` finds the file
        of the email's own language, a name found in no language folder is looked
        for at the folders' top (the shared `_layout.html`)."""
        if language not in self._environments:
            loaders: list[BaseLoader] = [
                FileSystemLoader(folder / language) for folder in self.folders
            ]
            loaders += [FileSystemLoader(folder) for folder in self.folders]
            environment = ImmutableSandboxedEnvironment(
                loader=ChoiceLoader(loaders),
                autoescape=_is_html,
                undefined=StrictUndefined,
                trim_blocks=True,
                lstrip_blocks=True,
                keep_trailing_newline=True,
            )
            environment.filters.update(
                money=_money_in(language), date=_date_in(language), iban=_iban
            )
            self._environments[language] = environment
        return self._environments[language]

    def _search_path(self, language: str) -> str:
        folders = [folder / language for folder in self.folders] + list(self.folders)
        return ", ".join(str(folder) for folder in folders)

    def _shown(self, filename: str | None) -> str | None:
        """A template file as `de/invoice.txt`, relative to the folder holding it."""
        if filename is None:
            return None
        path = Path(filename).resolve()
        for folder in self.folders:
            if path.is_relative_to(folder):
                return path.relative_to(folder).as_posix()
        return filename

    def _template_line(self, tb: TracebackType | None) -> tuple[str, int] | None:
        """The innermost traceback frame that is a template file (jinja2 maps its
        line to the template's)."""
        found = None
        while tb is not None:
            filename = tb.tb_frame.f_code.co_filename
            path = Path(filename).resolve()
            if any(path.is_relative_to(folder) for folder in self.folders):
                found = (filename, tb.tb_lineno)
            tb = tb.tb_next
        return found


def one_line(text: str) -> str:
    """`text` as one header line: every line break, tab and control character becomes
    a space, runs of spaces one, none at either end. No-break spaces are kept (French
    puts one before a colon; babel puts them inside amounts)."""
    spaced = "".join(
        " " if unicodedata.category(c) in _LINE_BREAKING else c for c in text
    )
    return re.sub(" {2,}", " ", spaced).strip(" ")


def _is_html(name: str | None) -> bool:
    return name is not None and name.endswith(".html")


def _money_in(locale: str) -> Any:
    def money(value: Money | Decimal | int, currency: str | None = None) -> str:
        """An amount as the language writes it (`1.190,00 €` in German): a Money, or
        a number with its currency (`amount|money("EUR")`)."""
        if isinstance(value, Money):
            return format_currency(
                value.amount, currency or value.currency, locale=locale
            )
        if (
            isinstance(value, Decimal | int)
            and not isinstance(value, bool)
            and currency
        ):
            return format_currency(value, currency, locale=locale)
        raise TypeError(
            f"money needs an amount with its currency (a Money, or a number and "
            f'money("EUR")), not {type(value).__name__} {value!r}'
        )

    return money


def _date_in(locale: str) -> Any:
    def long_date(value: date | None) -> str:
        """A date written out as the language does (`15. Juli 2026`); None: empty."""
        if value is None:
            return ""
        if not isinstance(value, date):
            raise TypeError(f"date needs a date, not {type(value).__name__} {value!r}")
        day = value.date() if isinstance(value, datetime) else value
        return str(format_date(day, "long", locale=locale))

    return long_date


def _iban(value: str) -> str:
    """An IBAN in groups of four, as banks print it (`DE89 3704 0044 ...`)."""
    return str(iban_number.format(value))
