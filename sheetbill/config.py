"""Configuration: a frozen dataclass from `sheetbill.toml`, checked key by key.

Found at `--config`, else `sheetbill.toml` beside the workbook, else
`config/sheetbill.toml` under the working directory. Relative paths in it are relative
to the file itself. Business settings (company, tax, numbering) live in the workbook's
Settings tab instead, where the office manager can see them; secrets live in neither.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sheetbill.errors import ConfigError

CONFIG_NAME = "sheetbill.toml"


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
    lock_timeout: float = 10.0
    # Extra header names: {tab: {column: [alias, ...]}}; column "" holds tab aliases.
    aliases: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    # The file the config came from (None: built-in defaults).
    path: Path | None = None

    def workbook_path(self, override: str | None = None) -> Path:
        text = override or self.source
        if not text:
            raise ConfigError(
                "no workbook given: name one on the command line or set 'source' in "
                f"{CONFIG_NAME}"
            )
        path = Path(text).expanduser()
        if not path.is_absolute() and override is None and self.path is not None:
            path = self.path.parent / path
        return path

    def state_path(self, workbook: Path) -> Path:
        if self.state is not None:
            return self.state
        return workbook.with_name(workbook.stem + ".sheetbill.sqlite")


KNOWN_KEYS = {"source", "state", "backups", "lock_timeout", "aliases"}


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
    timeout = raw.get("lock_timeout", 10.0)
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout < 0:
        raise ConfigError("'lock_timeout' must be a number of seconds", path=path)
    return Config(
        source=source,
        state=(base / state) if state else None,
        backups=backups,
        lock_timeout=float(timeout),
        aliases=_aliases(raw.get("aliases", {}), path),
        path=path,
    )


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


def find_config(explicit: Path | None, workbook: str | None) -> Config:
    """The config for a command: --config, else beside the workbook, else config/."""
    if explicit is not None:
        return load_config(explicit)
    if workbook:
        beside = Path(workbook).expanduser().resolve().parent / CONFIG_NAME
        if beside.is_file():
            return load_config(beside)
    fallback = Path("config") / CONFIG_NAME
    if fallback.is_file():
        return load_config(fallback.resolve())
    return Config()
