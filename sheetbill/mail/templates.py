"""The words of every email: jinja2 templates in the customer's language, a user's own
folder first, file by file, then sheetbill's built-in ones (sheet_templates/email).

Templates run in jinja2's immutable sandbox with every name required (a typo is an
error naming the file and line, never an empty gap in a letter to a customer). HTML
is escaped, plain text and subjects are not; a subject is always one line. The file
layout, the lookup order and the names a template may use are in
sheet_templates/email/README.md.
"""

from __future__ import annotations

import os
import re
import sys
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
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
    UndefinedError,
)
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment
from stdnum import iban as iban_number

from sheetbill.domain.money import Money
from sheetbill.errors import RenderError

BUILT_IN = Path(__file__).resolve().parents[2] / "sheet_templates" / "email"
# An email is written in this language when its own has no templates.
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
    file at fault (None when none was found: the message names the folders
    searched), `template` the name that was asked for (`invoice`)."""

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
        words: dict[str, str] = {}
        subject_file = ""
        for part, suffix in PARTS:
            found = self._template(
                environment, written_in, [n + suffix for n in names], template
            )
            words[part] = self._filled(found, values, template=template)
            subject_file = subject_file or str(found.filename)
        subject = one_line(words["subject"])
        if not subject:
            raise EmailTemplateError(
                f"email template {self._shown(subject_file)} gives an empty subject",
                path=subject_file,
                template=template,
            )
        return RenderedText(
            subject=subject, text=words["text"].strip("\n") + "\n", html=words["html"]
        )

    def _template(
        self,
        environment: ImmutableSandboxedEnvironment,
        language: str,
        candidates: Sequence[str],
        template: str,
    ) -> Template:
        """The first of `candidates` (file names) found, in the lookup order."""
        wanted = f"{language}/{' or '.join(candidates)}"
        try:
            return environment.select_template(list(candidates))
        except _LinkedOutsideError as exc:
            raise self._refused(exc, template=template) from None
        except TemplateNotFound as exc:
            raise EmailTemplateError(
                f"no email template {wanted} in {self._search_path(language)} "
                "(looked for in this order)",
                path=None,
                template=template,
            ) from exc
        except TemplateSyntaxError as exc:
            raise EmailTemplateError(
                f"email template {self._shown(exc.filename) or wanted} line "
                f"{exc.lineno}: {exc.message}",
                path=exc.filename,
                template=template,
            ) from exc
        except Exception as exc:  # an unreadable file: not UTF-8, no permission
            raise EmailTemplateError(
                f"email template {wanted} cannot be read: {type(exc).__name__}: {exc}",
                path=None,
                template=template,
            ) from exc

    def _filled(
        self, found: Template, context: Mapping[str, Any], *, template: str
    ) -> str:
        try:
            return found.render(context)
        except _LinkedOutsideError as exc:  # a file it includes or extends
            raise self._refused(exc, template=template) from None
        except TemplateSyntaxError as exc:  # in a file it includes or extends
            raise EmailTemplateError(
                f"email template {self._shown(exc.filename) or exc.name} line "
                f"{exc.lineno}: {exc.message}",
                path=exc.filename,
                template=template,
            ) from exc
        except Exception as exc:  # anything a template expression raised
            where = self._template_line(sys.exc_info()[2]) or (found.filename, None)
            line = "" if where[1] is None else f" line {where[1]}"
            raise EmailTemplateError(
                f"email template {self._shown(where[0]) or found.name}{line}: "
                f"{_explained(exc)}",
                path=where[0],
                template=template,
            ) from exc

    def _environment(self, language: str) -> ImmutableSandboxedEnvironment:
        """One sandbox per language: `{% include "_payment.txt" %}` finds the file
        of the email's own language, a name found in no language folder is looked
        for at the folders' top (the shared `_layout.html`)."""
        if language not in self._environments:
            loaders: list[BaseLoader] = [
                _FolderLoader(folder / language, folder=folder)
                for folder in self.folders
            ]
            loaders += [_FolderLoader(folder, folder=folder) for folder in self.folders]
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

    def _refused(
        self, exc: _LinkedOutsideError, *, template: str
    ) -> EmailTemplateError:
        return EmailTemplateError(
            f"email template {exc.path.relative_to(exc.folder).as_posix()} leads to "
            f"{exc.real}, outside its templates folder {exc.folder}: an email "
            "template reads no file outside its folder (a link, of a file or a "
            "folder, may not lead out of it; copy the file in instead)",
            path=exc.path,
            template=template,
        )

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


class _LinkedOutsideError(Exception):
    """A template file whose real path (links followed) is outside its templates
    folder: `path` as asked for, `real` where it leads, `folder` the (resolved)
    templates folder."""

    def __init__(self, path: Path, real: Path, folder: Path) -> None:
        super().__init__(f"{path} leads to {real}, outside {folder}")
        self.path, self.real, self.folder = path, real, folder


class _FolderLoader(FileSystemLoader):
    """jinja2's loader of a folder, refusing a file that a link (of the file or a
    folder on its way) leads out of `folder`, the templates folder (resolved):
    jinja2 follows links, and a link in a user's templates folder would put any
    file the run may read into emails to customers. The README promises that a
    template reads no other file."""

    def __init__(self, searchpath: Path, *, folder: Path) -> None:
        super().__init__(searchpath)
        self.folder = folder

    def get_source(self, environment: Any, template: str) -> Any:
        path = Path(self.searchpath[0], *split_template_path(template))
        if os.path.lexists(path):
            real = path.resolve()
            if not real.is_relative_to(self.folder):
                raise _LinkedOutsideError(path, real, self.folder)
        return super().get_source(environment, template)


def _explained(exc: Exception) -> str:
    """What a template expression did wrong, in a template writer's words."""
    if isinstance(exc, UndefinedError):
        return f"{exc.message} (the names an email template may use: {README})"
    if isinstance(exc, SecurityError):
        return (
            f"{exc} Email templates run in jinja2's sandbox: they read the values "
            f"{README} lists, no attribute starting with _ and no method that "
            "changes a value."
        )
    if isinstance(exc, TemplateNotFound):
        return (
            f"it includes {exc.name}, which is in none of the template folders "
            "(an include names a file in them, like _payment.txt)"
        )
    return f"{type(exc).__name__}: {exc}"


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
        if isinstance(value, Money) and currency in (None, value.currency):
            return _written_amount(value.amount, value.currency, locale)
        if (
            isinstance(value, Decimal | int)
            and not isinstance(value, bool)
            and currency
        ):
            return _written_amount(Decimal(value), currency, locale)
        raise TypeError(
            "money needs an amount with its currency (a Money, or a number and "
            f'money("EUR")), not {type(value).__name__} {value!r}'
            + (f" with {currency!r}" if currency else "")
        )

    return money


# babel's formatting is most of the time an email takes to render, and a run writes
# the same few amounts and dates into many emails.
@lru_cache(maxsize=4096)
def _written_amount(amount: Decimal, currency: str, locale: str) -> str:
    return str(format_currency(amount, currency, locale=locale))


def _date_in(locale: str) -> Any:
    def long_date(value: date | None) -> str:
        """A date written out as the language does (`15. Juli 2026`); None: empty."""
        if value is None:
            return ""
        if not isinstance(value, date):
            raise TypeError(f"date needs a date, not {type(value).__name__} {value!r}")
        return _written_date(
            value.date() if isinstance(value, datetime) else value, locale
        )

    return long_date


@lru_cache(maxsize=4096)
def _written_date(day: date, locale: str) -> str:
    written = str(format_date(day, "long", locale=locale))
    if locale == "fr" and day.day == 1:
        # French writes the first of a month as an ordinal ("1er juillet"), which
        # CLDR's long format leaves out.
        written = re.sub(r"^1(?=\s)", "1er", written)
    return written


def _iban(value: str) -> str:
    """An IBAN in groups of four, as banks print it (`DE89 3704 0044 ...`)."""
    return str(iban_number.format(value))
