"""Where a config becomes adapters: the workbook a source names (an Excel file or a
Google Sheet), its state database, the Drive folder PDFs go to and where emails go.

The one module that chooses concrete adapters: the CLI asks here and hands them to a
use case, which sees only the ports (`sheetbill.ports`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sheetbill.errors import ConfigError
from sheetbill.workbook.google.source import google_sheet_id

if TYPE_CHECKING:
    from sheetbill.config import Config
    from sheetbill.ports import Mailer, PdfUploader, Workbook
    from sheetbill.workbook.google.backend import GoogleWorkbook

# What sheetbill reads and writes besides Google Sheets.
EXCEL_SUFFIXES = (".xlsx", ".xlsm")


def open_workbook(
    config: Config, override: str | None = None, *, is_interactive: bool | None = None
) -> tuple[Workbook, Path]:
    """The workbook a source names (`gsheets://<id>`, a Google Sheets URL or an
    .xlsx/.xlsm path; `override`, else the config's `source`) and its state
    database."""
    sheet_id = google_sheet_id(override or config.source)
    if sheet_id is not None:
        workbook = google_sheet(sheet_id, config, is_interactive=is_interactive)
        return workbook, sheet_state_path(sheet_id, config)
    from sheetbill.workbook.excel import ExcelWorkbook

    path = _excel_path(config, override)
    return ExcelWorkbook(path, backups=config.backups), config.state_path(path)


def state_path(config: Config, override: str | None = None) -> Path:
    """The state database of the workbook a source names, as `open_workbook` finds
    it, without opening the workbook (or signing in to Google): for `explain`,
    which reads the state alone."""
    sheet_id = google_sheet_id(override or config.source)
    if sheet_id is not None:
        return sheet_state_path(sheet_id, config)
    return config.state_path(_excel_path(config, override))


def _excel_path(config: Config, override: str | None) -> Path:
    path = config.workbook_path(override)
    if path.suffix.lower() not in EXCEL_SUFFIXES:
        raise ConfigError(
            "sheetbill reads .xlsx and .xlsm workbooks and Google Sheets "
            "(gsheets://<id>); save the file in one of those",
            path=path,
        )
    return path


def sheet_to_complete(source: str, config: Config) -> Workbook:
    """The Google Sheet of `sheetbill init --google <id or URL>`, signed in to from
    the terminal if need be."""
    sheet_id = google_sheet_id(source) or google_sheet_id(f"gsheets://{source}")
    if sheet_id is None:
        raise ConfigError(f"{source!r} is not a Google Sheet id or docs.google.com URL")
    return google_sheet(sheet_id, config, is_interactive=True)


def google_sheet(
    sheet_id: str, config: Config, *, is_interactive: bool | None = None
) -> GoogleWorkbook:
    """A Google Sheet with the config's credentials, API URL and retry settings;
    access to Drive is asked for only when PDFs go to a Drive folder."""
    from sheetbill.workbook.google.client import RetryPolicy
    from sheetbill.workbook.google.connection import connect, google_scopes

    return connect(
        sheet_id,
        api_url=config.sheets_api_url,
        service_account=config.google_service_account,
        oauth_client=config.google_oauth_client,
        token_path=config.google_token,
        scopes=google_scopes(uploads_pdfs=_uploads_pdfs(config)),
        policy=RetryPolicy(
            max_attempts=config.google_max_attempts, timeout=config.google_timeout
        ),
        is_interactive=is_interactive,
    )


def sheet_state_path(sheet_id: str, config: Config) -> Path:
    """The state database of a Google Sheet: `state`, else beside the config (or in
    the current folder), named by the sheet's id."""
    if config.state is not None:
        return config.state
    folder = config.path.parent if config.path is not None else Path.cwd()
    return folder / f"gsheets-{sheet_id}.sheetbill.sqlite"


def pdf_uploader(workbook: Workbook, config: Config) -> PdfUploader | None:
    """The Drive folder PDFs go to when `pdf_drive_folder` is set (a Google Sheet's
    only, reached through its session); None when PDFs stay in their folder."""
    if not _uploads_pdfs(config):
        return None
    from sheetbill.workbook.google.backend import GoogleWorkbook
    from sheetbill.workbook.google.drive import DriveFolder

    if not isinstance(workbook, GoogleWorkbook):
        raise ConfigError(
            "'pdf_drive_folder' uploads the PDFs of a Google Sheet, but this workbook "
            "is a file: remove the key (or use 'pdf_link_prefix')",
            path=config.path,
        )
    return DriveFolder(config.pdf_drive_folder, session=workbook.session)


def _uploads_pdfs(config: Config) -> bool:
    return bool(config.documents and config.pdf_drive_folder)


def workbook_folder(workbook: Workbook, config: Config) -> Path:
    """The folder a workbook's own files are beside: an Excel file's folder; for a
    Google Sheet, the config's folder (else the current one), as its state is."""
    path = getattr(workbook, "path", None)
    if isinstance(path, Path):
        return path.parent
    return config.path.parent if config.path is not None else Path.cwd()


def mailer(config: Config, base_folder: Path) -> Mailer:
    """Where emails go, as `[mail]` says: the outbox folder (relative to
    `base_folder`, the workbook's folder) or the SMTP server, logged in with the
    password from `password_env` or `password_file`. Nothing is connected yet.

    Raises ConfigError naming the key when the password cannot be had: its
    variable is unset, or its file is missing, may be read by others or is not
    UTF-8 text."""
    mail = config.mail
    if mail.transport == "outbox":
        from sheetbill.mail.outbox import OutboxMailer

        return OutboxMailer(base_folder / mail.outbox)
    from sheetbill.mail.smtp import Login, Security, SmtpMailer, read_password

    login = None
    if mail.user:
        password = read_password(env=mail.password_env, file=mail.password_file)
        login = Login(mail.user, password)
    return SmtpMailer(
        host=mail.host,
        port=mail.port,
        security=Security(mail.security),
        login=login,
        timeout=mail.timeout,
        max_per_minute=mail.max_per_minute,
    )
