"""Re-locating planned writes in a Google Sheet that people edit while sheetbill runs.

A plan addresses cells by the sheet rows it read. Right before writing, the tabs are
read again and every target row is found where it is now: by its key (Row ID, or the
invoice number on output tabs) when the sheet has it, else by its content as read
(rows being billed now have no Row ID yet). New rows go below the current last row. A
target that is gone, edited, or no longer tells apart from a copy stops the write:
the run reads and plans again, so no row ever receives another row's value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sheetbill.domain.schema import normalize_header
from sheetbill.domain.sheet import CellValue, CellWrite, Table, column_letters
from sheetbill.errors import WorkbookChangedError

# Columns whose values identify a row (the first one that finds exactly one row wins).
KEY_HEADERS = ("row id", "invoice no")


def check_headers(tab: str, before: Table, now: Table, *, name: str) -> None:
    """Refuse to write when a person renamed, moved or added a header meanwhile."""
    old, new = _trimmed(before.headers), _trimmed(now.headers)
    if old == new and (before.header_row == now.header_row or old):
        return
    changes = [
        f"column {column_letters(i)}: {a!r} → {b!r}"
        for i, (a, b) in enumerate(
            zip(old + ("",) * len(new), new + ("",) * len(old), strict=False)
        )
        if a != b
    ][:3]
    raise WorkbookChangedError(
        f"the headers of the tab {tab!r} changed while sheetbill ran "
        f"({'; '.join(changes) or 'the header row moved'}); nothing was written",
        path=name,
    )


def relocate(
    tab: str, writes: Sequence[CellWrite], before: Table, now: Table, *, name: str
) -> list[CellWrite]:
    """The writes moved to where their rows are now."""
    check_headers(tab, before, now, name=name)
    keys = {w.row: w.row_key for w in writes if w.row_key}
    old_rows = {r.number: r for r in before.rows}
    old_twins = _by_cells(before)
    new_twins = _by_cells(now)
    key_index = _key_index(now)
    # Keys a person's rows showed when read (a number typed by hand): a new row may
    # share one; only a row that appeared since means someone else wrote it.
    known_keys = [{k: len(v) for k, v in index.items()} for index in _key_index(before)]
    moved: dict[int, int] = {}
    for row in sorted({w.row for w in writes}):
        key = keys.get(row)
        if row == before.header_row:
            moved[row] = now.header_row
        elif row > before.last_row:
            if key and any(
                len(index.get(key, ())) > known.get(key, 0)
                for index, known in zip(key_index, known_keys, strict=False)
            ):
                raise _changed(name, tab, f"a row for {key} is already there")
            moved[row] = now.last_row + (row - before.last_row)
        elif row in old_rows:
            moved[row] = _find(
                name,
                tab,
                old_rows[row].cells,
                row,
                key,
                key_index,
                old_twins,
                new_twins,
            )
        else:
            raise _changed(name, tab, f"row {row} was blank when read")
    if len(set(moved.values())) != len(moved):
        raise _changed(name, tab, "two planned rows now fall on one row")
    return [w._replace(row=moved[w.row]) for w in writes]


def _find(
    name: str,
    tab: str,
    cells: tuple[CellValue, ...],
    row: int,
    key: str | None,
    key_index: list[dict[str, list[int]]],
    old_twins: dict[tuple[CellValue, ...], list[int]],
    new_twins: dict[tuple[CellValue, ...], list[int]],
) -> int:
    if key:
        for index in key_index:
            found = index.get(key, [])
            if len(found) == 1:
                return found[0]
    before = old_twins[cells]
    now = new_twins.get(cells, [])
    if not now:
        raise _changed(name, tab, f"row {row} was edited, moved away or deleted")
    if len(now) != len(before):
        # A copy of the row appeared or one of identical rows went: which one is
        # "ours" cannot be told, so re-plan rather than guess.
        raise _changed(name, tab, f"row {row} now has {len(now)} identical copies")
    return now[before.index(row)]


def _by_cells(table: Table) -> dict[tuple[CellValue, ...], list[int]]:
    index: dict[tuple[CellValue, ...], list[int]] = defaultdict(list)
    for sheet_row in table.rows:
        index[sheet_row.cells].append(sheet_row.number)
    return index


def _key_index(table: Table) -> list[dict[str, list[int]]]:
    positions = [
        i
        for wanted in KEY_HEADERS
        for i, h in enumerate(table.headers)
        if normalize_header(h) == wanted
    ]
    indexes = []
    for position in positions:
        index: dict[str, list[int]] = defaultdict(list)
        for sheet_row in table.rows:
            value = sheet_row.get(position)
            if isinstance(value, str) and value.strip():
                index[value.strip()].append(sheet_row.number)
        indexes.append(index)
    return indexes


def _changed(name: str, tab: str, detail: str) -> WorkbookChangedError:
    return WorkbookChangedError(
        f"the tab {tab!r} changed while sheetbill ran ({detail}); nothing was written",
        path=name,
    )


def _trimmed(headers: tuple[str, ...]) -> tuple[str, ...]:
    end = len(headers)
    while end and not headers[end - 1]:
        end -= 1
    return headers[:end]
