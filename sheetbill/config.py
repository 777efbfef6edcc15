"""Configuration: a frozen dataclass from `sheetbill.toml`, checked key by key.

Found at `--config`, else `sheetbill.toml` beside the workbook, else in the current
folder, else `config/sheetbill.toml` under the current folder. Relative paths in it
are relative to the file itself. Business settings (company, tax, numbering) live in
the workbook's Settings tab instead, where the office manager can see them; secrets
live in neither.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sheetbill.config_payments import PaymentsConfig, load_payments_config
from sheetbill.domain.mail import ReceiptMode
from sheetbill.errors import ConfigError

CONFIG_NAME = "sheetbill.toml"
STATE_SUFFIX = ".sheetbill.sqlite"
# In `pdf_folder`: the workbook's name, so workbooks sharing one sheetbill.toml each
# get their own folder (`invoices/{workbook}`).
WORKBOOK_PLACEHOLDER = "{workbook}"
GOOGLE_SHEETS_API = "https://sheets.googleapis.com"


@dataclass(frozen=True, slots=True)
class MailConfig:
    """`[mail]`: where emails go and how fast. No secret is held here: only where
    the SMTP password is (`password_env`, `password_file`), read when a mailer is
    made (`sheetbill.wiring.mailer`)."""

    # "outbox" (.eml files in a folder) or "smtp".
    transport: str = "outbox"
    # The outbox folder; relative to the workbook's folder.
    outbox: Path = Path("outbox")
    # The From of every email, `Name <address>` or an address; "" = not set.
    sender: str = ""
    reply_to: str = ""
    host: str = ""
    # Default by security: 587 (starttls), 465 (ssl), 25 (none).
    port: int = 587
    # "starttls", "ssl" or "none".
    security: str = "starttls"
    # SMTP AUTH as this user (with the password); "" = no login.
    user: str = ""
    password_env: str | None = None
    password_file: Path | None = None
    # Seconds to wait for the server at each step.
    timeout: float = 60.0
    # Emails one run sends at most; the rest wait for the next run.
    max_per_run: int = 200
    # Emails handed to the server in any minute at most (0 = no pacing).
    max_per_minute: int = 30
    receipts: ReceiptMode = ReceiptMode.PAID
    # The user's own email templates (a copy of sheet_templates/email to start from).
    templates: Path | None = None


@dataclass(frozen=True, slots=True)
class Config:
    """Where the workbook and state are, and how sheetbill treats them."""

    # The workbook: a path to an .xlsx/.xlsm file.
    source: str = ""
    # The state database; default: `<workbook>.sheetbill.sqlite` beside the workbook.
    state: Path | None = None
    # Timestamped copies kept in `.sheetbill-backups/` beside the workbook (0 = none).
    backups: int = 10
    # Seconds a second run waits for the first before giving up.
    lock_timeout: float = 120.0
    # Extra header names: {tab: {column: [alias, ...]}}; column "" holds tab aliases.
    aliases: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    # The file the config came from (None: built-in defaults).
    path: Path | None = None
    # Google Sheets: the API's base URL (a local test server can stand in for Google).
    sheets_api_url: str = GOOGLE_SHEETS_API
    # A service account's JSON key; else a personal account through OAuth.
    google_service_account: Path | None = None
    # The OAuth client JSON (installed app) used to sign in a personal account.
    google_oauth_client: Path | None = None
    # Where the OAuth sign-in is cached (mode 0600); default under ~/.config/sheetbill.
    google_token: Path | None = None
    # Tries per Google API request (429/5xx/timeouts are retried, then the run stops).
    google_max_attempts: int = 6
    # Seconds to wait for one answer from Google.
    google_timeout: float = 60.0
    # Make a PDF for every invoice (off: invoices are written without documents).
    documents: bool = True
    # Where PDFs go; default: `invoices/` beside the workbook (or the state database).
    # `{workbook}` in it stands for the workbook's name.
    pdf_folder: Path | None = None
    # Written into the PDF column before the file name instead of the folder's path
    # relative to the workbook, e.g. "https://files.example.com/invoices/".
    pdf_link_prefix: str = ""
    # A Google Sheet's PDFs are uploaded to this Drive folder (its id) and the PDF
    # column gets each file's Drive link; "" = no upload.
    pdf_drive_folder: str = ""
    # The invoice templates; default: sheetbill's own (sheet_templates/invoice).
    templates: Path | None = None
    # Where a sheetbill.toml was looked for, in order, so messages can say so.
    searched: tuple[Path, ...] = ()
    # Sending emails: `[mail]`.
    mail: MailConfig = field(default_factory=MailConfig)
    # Importing and matching payments: `[payments]`.
    payments: PaymentsConfig = field(default_factory=PaymentsConfig)

    def workbook_path(self, override: str | None = None) -> Path:
        text = override or self.source
        if not text:
            raise ConfigError(f"no workbook given: {self._where_to_name_one()}")
        path = Path(text).expanduser()
        if not path.is_absolute() and override is None and self.path is not None:
            path = self.path.parent / path
        return path

    def _where_to_name_one(self) -> str:
        if self.path is not None:
            return (
                f"name one on the command line, or set 'source' in {self.path} (the "
                "configuration in use)"
            )
        looked = ", ".join(str(p) for p in self.searched)
        where = f" (looked for {looked}: none there)" if looked else ""
        return (
            f'name one on the command line, or write source = "shop.xlsx" into a '
            f"{CONFIG_NAME}{where}"
        )

    def pdf_folder_for(self, state: Path) -> Path:
        """Where PDFs go: `pdf_folder`, else `invoices/` beside the state database
        (which is beside the workbook unless `state` says otherwise).

        `{workbook}` in `pdf_folder` becomes the state database's name without
        `.sheetbill.sqlite`: the workbook's name (`gsheets-<id>` for a Google Sheet).
        """
        if self.pdf_folder is None:
            return state.parent / "invoices"
        text = str(self.pdf_folder)
        if WORKBOOK_PLACEHOLDER not in text:
            return self.pdf_folder
        name = state.name.removesuffix(STATE_SUFFIX) or state.stem
        return Path(text.replace(WORKBOOK_PLACEHOLDER, name or state.stem))

    def state_path(self, workbook: Path) -> Path:
        if self.state is not None:
            return self.state
        return workbook.with_name(workbook.stem + STATE_SUFFIX)


KNOWN_KEYS = {
    "documents",
    "pdf_folder",
    "pdf_link_prefix",
    "pdf_drive_folder",
    "templates",
    "source",
    "state",
    "backups",
    "lock_timeout",
    "aliases",
    "sheets_api_url",
    "google_service_account",
    "google_oauth_client",
    "google_token",
    "google_max_attempts",
    "google_timeout",
    "mail",
    "payments",
}


def load_config(path: Path) -> Config:
    """Read and check one TOML file; every mistake names its key."""
    try:
        raw: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError("no such configuration file", path=path) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"cannot read the configuration file: {exc}", path=path
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"the configuration is not valid TOML: {exc}", path=path
        ) from exc
    unknown = sorted(set(raw) - KNOWN_KEYS)
    if unknown:
        raise ConfigError(
            f"unknown key '{unknown[0]}'; known keys: {', '.join(sorted(KNOWN_KEYS))}",
            path=path,
        )
    base = path.parent
    source = raw.get("source", "")
    if not isinstance(source, str):
        raise ConfigError("'source' must be a text (a workbook path)", path=path)
    state = raw.get("state")
    if state is not None and not isinstance(state, str):
        raise ConfigError("'state' must be a text (a file path)", path=path)
    backups = raw.get("backups", 10)
    if not isinstance(backups, int) or isinstance(backups, bool) or backups < 0:
        raise ConfigError("'backups' must be a whole number, 0 or more", path=path)
    timeout = raw.get("lock_timeout", 120.0)
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout < 0:
        raise ConfigError("'lock_timeout' must be a number of seconds", path=path)
    api_url = raw.get("sheets_api_url", GOOGLE_SHEETS_API)
    if not isinstance(api_url, str) or not api_url.startswith(("https://", "http://")):
        raise ConfigError(
            "'sheets_api_url' must be a URL such as https://sheets.googleapis.com",
            path=path,
        )
    attempts = raw.get("google_max_attempts", 6)
    if not isinstance(attempts, int) or isinstance(attempts, bool) or attempts < 1:
        raise ConfigError(
            "'google_max_attempts' must be a whole number, 1 or more", path=path
        )
    api_timeout = raw.get("google_timeout", 60.0)
    if (
        not isinstance(api_timeout, int | float)
        or isinstance(api_timeout, bool)
        or api_timeout <= 0
    ):
        raise ConfigError("'google_timeout' must be a number of seconds", path=path)
    documents = raw.get("documents", True)
    if not isinstance(documents, bool):
        raise ConfigError("'documents' must be true or false", path=path)
    prefix = raw.get("pdf_link_prefix", "")
    if not isinstance(prefix, str):
        raise ConfigError("'pdf_link_prefix' must be a text (a URL)", path=path)
    drive_folder = _drive_folder(raw.get("pdf_drive_folder", ""), path)
    pdf_folder = raw.get("pdf_folder")
    if isinstance(pdf_folder, str) and re.search(
        r"[{}]", pdf_folder.replace(WORKBOOK_PLACEHOLDER, "")
    ):
        raise ConfigError(
            "'pdf_folder' may hold {workbook} (the workbook's name) and no other "
            '{...}, e.g. pdf_folder = "invoices/{workbook}"',
            path=path,
        )
    return Config(
        documents=documents,
        pdf_folder=_file_key(raw, "pdf_folder", base, path),
        pdf_link_prefix=prefix,
        pdf_drive_folder=drive_folder,
        templates=_file_key(raw, "templates", base, path),
        source=source,
        state=(base / state) if state else None,
        backups=backups,
        lock_timeout=float(timeout),
        aliases=_aliases(raw.get("aliases", {}), path),
        path=path,
        sheets_api_url=api_url.rstrip("/"),
        google_service_account=_file_key(raw, "google_service_account", base, path),
        google_oauth_client=_file_key(raw, "google_oauth_client", base, path),
        google_token=_file_key(raw, "google_token", base, path),
        google_max_attempts=attempts,
        google_timeout=float(api_timeout),
        mail=load_mail_config(raw.get("mail", {}), base=base, path=path),
        payments=load_payments_config(raw.get("payments", {}), path=path),
    )


MAIL_KEYS = {
    "transport",
    "outbox",
    "from",
    "reply_to",
    "host",
    "port",
    "security",
    "user",
    "password_env",
    "password_file",
    "timeout",
    "max_per_run",
    "max_per_minute",
    "receipts",
    "templates",
}
_TRANSPORTS = ("outbox", "smtp")
# The port each kind of security is usually served on (RFC 8314, RFC 6409).
_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def load_mail_config(raw: object, *, base: Path, path: Path) -> MailConfig:
    """The `[mail]` table, every key checked; a mistake names `mail.<key>`."""
    if not isinstance(raw, dict):
        raise ConfigError(
            "'mail' must be a table: [mail] on a line of its own", path=path
        )
    unknown = sorted(set(raw) - MAIL_KEYS)
    if unknown:
        raise ConfigError(
            f"unknown key 'mail.{unknown[0]}'; known keys of [mail]: "
            f"{', '.join(sorted(MAIL_KEYS))}",
            path=path,
        )
    transport = _choice(raw, "transport", _TRANSPORTS, path)
    security = _choice(raw, "security", tuple(_PORTS), path)
    host = _text(raw, "host", path)
    if transport == "smtp" and not host:
        raise ConfigError(
            "'mail.host' is needed for transport = \"smtp\": the SMTP server's name",
            path=path,
        )
    if any(c.isspace() for c in host):
        raise ConfigError("'mail.host' must be a host name, without spaces", path=path)
    outbox = _text(raw, "outbox", path, default="outbox")
    if not outbox:
        raise ConfigError("'mail.outbox' must be a folder path", path=path)
    user = _text(raw, "user", path)
    password_env, password_file = _password_keys(raw, user, base, path)
    return MailConfig(
        transport=transport,
        outbox=Path(outbox).expanduser(),
        sender=_address(raw, "from", path),
        reply_to=_address(raw, "reply_to", path),
        host=host,
        port=_whole(raw, "port", path, low=1, high=65535, default=_PORTS[security]),
        security=security,
        user=user,
        password_env=password_env,
        password_file=password_file,
        timeout=_seconds(raw, "timeout", path, default=60.0),
        max_per_run=_whole(raw, "max_per_run", path, low=0, default=200),
        max_per_minute=_whole(raw, "max_per_minute", path, low=0, default=30),
        receipts=ReceiptMode(
            _choice(raw, "receipts", tuple(m.value for m in ReceiptMode), path)
        ),
        templates=_file_key(
            {"mail.templates": raw.get("templates")}, "mail.templates", base, path
        ),
    )


def _password_keys(
    raw: Mapping[str, Any], user: str, base: Path, path: Path
) -> tuple[str | None, Path | None]:
    """Where the password is: an environment variable's name or a file (never the
    password itself, which a config file shared or committed would give away)."""
    env = raw.get("password_env")
    file = raw.get("password_file")
    if env is not None and file is not None:
        raise ConfigError(
            "set one of 'mail.password_env' and 'mail.password_file', not both",
            path=path,
        )
    if env is not None and (not isinstance(env, str) or not _ENV_NAME.fullmatch(env)):
        raise ConfigError(
            "'mail.password_env' must be the name of an environment variable, such "
            'as "SHEETBILL_SMTP_PASSWORD" (not the password)',
            path=path,
        )
    if file is not None and (not isinstance(file, str) or not file):
        raise ConfigError(
            "'mail.password_file' must be a text (a file path)", path=path
        )
    if user and env is None and file is None:
        raise ConfigError(
            "'mail.user' is set, so a password is needed: name where it is with "
            "'mail.password_env' or 'mail.password_file'",
            path=path,
        )
    if not user and (env is not None or file is not None):
        key = "password_env" if env is not None else "password_file"
        raise ConfigError(
            f"'mail.{key}' is set but 'mail.user' is not: set the user to log in "
            "as, or remove the password key",
            path=path,
        )
    return env, (base / Path(file).expanduser()) if file is not None else None


def _choice(
    raw: Mapping[str, Any], key: str, allowed: tuple[str, ...], path: Path
) -> str:
    value = raw.get(key, allowed[0])
    if value not in allowed:
        words = ", ".join(f'"{a}"' for a in allowed)
        raise ConfigError(f"'mail.{key}' must be one of {words}", path=path)
    return str(value)


def _text(raw: Mapping[str, Any], key: str, path: Path, *, default: str = "") -> str:
    value = raw.get(key, default)
    if not isinstance(value, str):
        raise ConfigError(f"'mail.{key}' must be a text", path=path)
    if re.search(r"[\r\n]", value):
        raise ConfigError(f"'mail.{key}' must be one line", path=path)
    return value.strip()


def _address(raw: Mapping[str, Any], key: str, path: Path) -> str:
    """An email address, alone or as `Name <address>` (syntax only: no DNS)."""
    text = _text(raw, key, path)
    if not text:
        return ""
    from email.headerregistry import Address
    from email.policy import default

    from email_validator import EmailNotValidError, validate_email

    example = '"Northwind Billing <billing@northwind.example>"'
    try:
        addresses: tuple[Address, ...] = default.header_factory("From", text).addresses
        if len(addresses) != 1:
            raise ValueError("not one address")
        validate_email(addresses[0].addr_spec, check_deliverability=False)
    except (ValueError, IndexError, EmailNotValidError) as exc:
        raise ConfigError(
            f"'mail.{key}' must be one email address, such as {example}: {exc}",
            path=path,
        ) from exc
    return text


def _whole(
    raw: Mapping[str, Any],
    key: str,
    path: Path,
    *,
    low: int,
    default: int,
    high: int | None = None,
) -> int:
    value = raw.get(key, default)
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or value < low
        or (high is not None and value > high)
    ):
        span = f"from {low} to {high}" if high is not None else f"{low} or more"
        raise ConfigError(f"'mail.{key}' must be a whole number, {span}", path=path)
    return value


def _seconds(raw: Mapping[str, Any], key: str, path: Path, *, default: float) -> float:
    value = raw.get(key, default)
    if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
        raise ConfigError(
            f"'mail.{key}' must be a number of seconds, more than 0", path=path
        )
    return float(value)


def _file_key(raw: Mapping[str, Any], key: str, base: Path, path: Path) -> Path | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ConfigError(f"'{key}' must be a text (a file path)", path=path)
    return base / Path(value).expanduser()


def _drive_folder(value: object, path: Path) -> str:
    """A Drive folder id, also taken from the folder's URL as the browser shows it."""
    message = (
        "'pdf_drive_folder' must be a Drive folder id or its URL "
        "(https://drive.google.com/drive/folders/<id>)"
    )
    if not isinstance(value, str):
        raise ConfigError(message, path=path)
    folder = value.strip().split("?")[0].rstrip("/").rpartition("/folders/")
    folder_id = folder[2] if folder[1] else value.strip()
    if folder_id and not re.fullmatch(r"[A-Za-z0-9_-]{10,}", folder_id):
        raise ConfigError(message, path=path)
    return folder_id


def _aliases(raw: object, path: Path) -> dict[str, dict[str, tuple[str, ...]]]:
    message = (
        '\'aliases\' must be tables of lists: [aliases."Time Log"] Hours = ["Time"]'
    )
    if not isinstance(raw, dict):
        raise ConfigError(message, path=path)
    result: dict[str, dict[str, tuple[str, ...]]] = {}
    for tab, columns in raw.items():
        if not isinstance(columns, dict):
            raise ConfigError(message, path=path)
        result[tab] = {}
        for column, names in columns.items():
            if isinstance(names, str):
                names = [names]
            if not isinstance(names, list) or not all(
                isinstance(n, str) for n in names
            ):
                raise ConfigError(f"aliases.{tab}.{column}: {message}", path=path)
            # `tab = [...]` names other names of the tab itself.
            result[tab]["" if column == "tab" else column] = tuple(names)
    return result


def config_places(workbook: str | None, *, cwd: Path) -> tuple[Path, ...]:
    """Where a sheetbill.toml is looked for when --config names none, in order:
    beside the workbook (a path, not a Google Sheet), the current folder, config/."""
    places: list[Path] = []
    if workbook and "://" not in workbook:  # a Google Sheet has no folder
        places.append(Path(workbook).expanduser().resolve().parent / CONFIG_NAME)
    places += [cwd / CONFIG_NAME, cwd / "config" / CONFIG_NAME]
    return tuple(dict.fromkeys(places))


def find_config(explicit: Path | None, workbook: str | None) -> Config:
    """The config for a command: --config, else beside the workbook, else in the
    current folder, else config/ under it; the first file found is the only one read.
    Raises ConfigError naming the file and key of any mistake in it."""
    if explicit is not None:
        return load_config(explicit)
    places = config_places(workbook, cwd=Path.cwd())
    for place in places:
        if place.is_file():
            config = replace(load_config(place), searched=places)
            _refuse_another_workbooks_state(config, workbook)
            return config
    return Config(searched=places)


def _refuse_another_workbooks_state(config: Config, workbook: str | None) -> None:
    """A found config whose `state` belongs to its own `source` must not lend that
    state database to another workbook named on the command line: its invoice numbers
    and billed rows would be mixed with the other workbook's."""
    if not workbook or config.state is None:
        return
    if not config.source:
        # Without `source` the state database would serve every workbook this config
        # is found for: a test copy beside the real workbook would share its numbers.
        raise ConfigError(
            f"it sets state = {config.state} without saying whose it is: add "
            f'source = "{Path(workbook).name}" (the workbook that state database '
            f"belongs to), or name a config for {workbook} with --config",
            path=config.path,
        )
    if "://" in workbook or "://" in config.source:
        same = workbook.strip() == config.source.strip()
    else:
        same = config.workbook_path().resolve() == Path(workbook).expanduser().resolve()
    if not same:
        raise ConfigError(
            f"it sets state = {config.state} for the workbook {config.source}, not "
            f"for {workbook}: run in that workbook's folder, or name a config for "
            f"{workbook} with --config",
            path=config.path,
        )
