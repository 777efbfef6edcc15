"""`sheetbill init`: a starter workbook, or the missing tabs and columns of one.

An existing workbook only gains what it lacks: new tabs with their headers, dropdowns
and formats, headers of missing columns to the right of the used ones, and the Settings
rows a message may ask for, below the last row of its Settings tab. Nothing else in it
is touched.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from sheetbill.domain.model import Settings
from sheetbill.domain.schema import ALL_TABS, SETTINGS
from sheetbill.domain.sheet import (
    BookSnapshot,
    CellWrite,
    Table,
    TabSpec,
    WorkbookChanges,
)
from sheetbill.errors import ConfigError
from sheetbill.ports import Workbook
from sheetbill.tabs.seller import ROWS_ASKED_FOR
from sheetbill.tabs.settings import FILL_IN, HELP, KEYS, key_row, settings_rows
from sheetbill.tabs.validation import locate_tabs
from sheetbill.workbook.excel import ExcelWorkbook
from sheetbill.writeback.writer import first_free_column


@dataclass(frozen=True, slots=True)
class InitResult:
    path: Path
    is_new: bool
    tabs_added: tuple[str, ...]
    columns_added: tuple[tuple[str, str], ...]
    # Keys of the rows added to an existing Settings tab, for the user to fill in.
    settings_added: tuple[str, ...] = ()


def settings_writes(
    settings: Settings, *, first_row: int = 2, empty: frozenset[str] = frozenset()
) -> tuple[CellWrite, ...]:
    """The Settings tab's Key/Value/Help rows for a new workbook; the keys of the
    fields in `empty` get no Value."""
    cells = []
    for offset, (key, value, help_text) in enumerate(settings_rows(settings)):
        row = first_row + offset
        cells += [CellWrite(row, 0, key), CellWrite(row, 2, help_text)]
        if value and KEYS[key] not in empty:
            cells.append(CellWrite(row, 1, value))
    return tuple(cells)


def starter_settings() -> tuple[CellWrite, ...]:
    """The starter's Settings rows: defaults, and empty Values for what only the
    user can know (Default Tax Rate), so that no invoice is made with a guess."""
    return settings_writes(Settings(), empty=FILL_IN)


def plan_init(snapshot: BookSnapshot) -> tuple[WorkbookChanges, InitResult]:
    """The tabs and header cells an existing workbook lacks (pure)."""
    layouts = locate_tabs(snapshot, {})
    new_tabs: list[TabSpec] = []
    writes: dict[str, tuple[CellWrite, ...]] = {}
    added: list[tuple[str, str]] = []
    appended: dict[str, int] = {}
    settings_added: tuple[str, ...] = ()
    for schema in ALL_TABS:
        layout = layouts.get(schema.name)
        if layout is None:
            if schema.name in snapshot.tab_names:
                continue  # an empty tab of that name: leave it to the person
            new_tabs.append(schema.spec())
            if schema is SETTINGS:
                writes[schema.name] = starter_settings()
            continue
        # Right of every header and of a person's notes under a blank one: a column
        # added above them would read them as its values.
        free = first_free_column(layout.table.headers, layout.table.rows)
        cells = []
        positions = dict(layout.columns.positions)
        for name in layout.columns.missing:
            cells.append(CellWrite(layout.table.header_row, free, name))
            added.append((layout.tab, name))
            positions[name] = free
            free += 1
        if schema is SETTINGS and "Key" in positions:
            keys = missing_settings_rows(layout.table)
            cells += _settings_rows(keys, positions, layout.table.last_row + 1)
            settings_added = keys
            if keys:
                appended[layout.tab] = layout.table.last_row + 1
        if cells:
            writes[layout.tab] = tuple(cells)
    changes = WorkbookChanges(tuple(new_tabs), writes, appended_from=appended)
    result = InitResult(
        Path(),
        False,
        tuple(t.name for t in new_tabs),
        tuple(added),
        settings_added,
    )
    return changes, result


# Settings rows `init` adds to a Settings tab that lacks them: those a message asks to
# add (the seller's, Default Tax Rate), all with an empty Value for the user to fill.
SETTINGS_ROWS_ADDED = (*ROWS_ASKED_FOR, "Default Tax Rate")


def missing_settings_rows(table: Table) -> tuple[str, ...]:
    """The keys of SETTINGS_ROWS_ADDED no row of the Settings tab has (an old
    Company Address row is read as Company Street: no Company Street row beside it)."""
    has = {key for key in KEYS if key_row(table, KEYS[key]) is not None}
    return tuple(key for key in SETTINGS_ROWS_ADDED if key not in has)


def _settings_rows(
    keys: tuple[str, ...], positions: dict[str, int], first_row: int
) -> list[CellWrite]:
    """Key (and Help) cells of new Settings rows from `first_row` down; no Value."""
    key_column = positions["Key"]
    cells = []
    for row, key in enumerate(keys, start=first_row):
        cells.append(CellWrite(row, key_column, key))
        if HELP.get(key) and "Help" in positions:
            cells.append(CellWrite(row, positions["Help"], HELP[key]))
    return cells


# What `init` makes or completes: Excel workbooks, with macros or without.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def init_workbook(path: Path, *, backups: int = 10) -> InitResult:
    """Create a starter workbook at `path`, or complete the one that is there.

    Raises ConfigError, having written nothing, when the name does not end in .xlsx
    or .xlsm: a workbook saved under another name (shop.csv, shop.xls, shop) is one
    Excel would refuse to open, or open as something it is not.
    """
    if path.suffix.lower() not in WORKBOOK_SUFFIXES:
        raise ConfigError(
            "sheetbill makes Excel workbooks, named .xlsx (or .xlsm); nothing was "
            f"written. Give it a name such as {path.stem or 'shop'}.xlsx",
            path=path,
        )
    if not path.exists():
        ExcelWorkbook.create_new(path, [schema.spec() for schema in ALL_TABS])
        book = ExcelWorkbook(path, backups=0)
        snapshot = book.read()
        book.apply(
            WorkbookChanges(writes={SETTINGS.name: starter_settings()}),
            expected_version=snapshot.version,
        )
        return InitResult(path, True, tuple(s.name for s in ALL_TABS), ())
    return replace(complete_workbook(ExcelWorkbook(path, backups=backups)), path=path)


def complete_workbook(workbook: Workbook) -> InitResult:
    """Add the tabs, headers, dropdowns, formats and Settings rows an existing
    workbook lacks (`sheetbill init --google` on a Google Sheet); the result's path
    is the workbook's name."""
    snapshot = workbook.read()
    changes, planned = plan_init(snapshot)
    if not changes.is_empty:
        workbook.apply(changes, expected_version=snapshot.version)
    return replace(planned, path=Path(workbook.name))
