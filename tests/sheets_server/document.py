"""spreadsheets.get of the local server: the Spreadsheet resource, grid data, masks."""

from __future__ import annotations

import copy
import functools
import json
from typing import Any

from .model import Cell, Sheet, Spreadsheet
from .values import format_value

# What a new Google spreadsheet reports as its defaults (recorded from the real API).
DEFAULT_FORMAT: dict[str, Any] = {
    "backgroundColor": {"red": 1, "green": 1, "blue": 1},
    "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
    "verticalAlignment": "BOTTOM",
    "wrapStrategy": "OVERFLOW_CELL",
    "textFormat": {
        "foregroundColor": {},
        "fontFamily": "arial,sans,sans-serif",
        "fontSize": 10,
        "bold": False,
        "italic": False,
        "strikethrough": False,
        "underline": False,
        "foregroundColorStyle": {"rgbColor": {}},
    },
    "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 1, "blue": 1}},
}
_THEME_COLORS = [
    ("TEXT", {}),
    ("BACKGROUND", {"red": 1, "green": 1, "blue": 1}),
    ("ACCENT1", {"red": 0.25882354, "green": 0.52156866, "blue": 0.95686275}),
    ("ACCENT2", {"red": 0.91764706, "green": 0.2627451, "blue": 0.20784314}),
    ("ACCENT3", {"red": 0.9843137, "green": 0.7372549, "blue": 0.015686275}),
    ("ACCENT4", {"red": 0.20392157, "green": 0.65882355, "blue": 0.3254902}),
    ("ACCENT5", {"red": 1, "green": 0.42745098, "blue": 0.003921569}),
    ("ACCENT6", {"red": 0.27450982, "green": 0.7411765, "blue": 0.7764706}),
    ("LINK", {"red": 0.06666667, "green": 0.33333334, "blue": 0.8}),
]
DEFAULT_COLUMN_WIDTH = 100
DEFAULT_ROW_HEIGHT = 21


def spreadsheet_resource(
    book: Spreadsheet,
    *,
    base_url: str,
    grid: list[tuple[Sheet, tuple[int, int, int, int]]] | None,
    only: list[Sheet] | None,
    cell_fields: frozenset[str] | None = None,
) -> dict[str, Any]:
    """The full resource; `grid` adds data for those ranges, `only` limits sheets,
    `cell_fields` the CellData fields made (all when None; the mask trims the rest)."""
    props: dict[str, Any] = {
        "title": book.title,
        "locale": "en_US",
        "autoRecalc": "ON_CHANGE",
        "timeZone": "Etc/GMT",
        "defaultFormat": copy.deepcopy(DEFAULT_FORMAT),
        "spreadsheetTheme": {
            "primaryFontFamily": "Arial",
            "themeColors": [
                {"colorType": kind, "color": {"rgbColor": dict(rgb)}}
                for kind, rgb in _THEME_COLORS
            ],
        },
    }
    props.update(copy.deepcopy(book.props))
    sheets = []
    for index, sheet in enumerate(book.sheets):
        if only is not None and sheet not in only:
            continue
        entry: dict[str, Any] = {"properties": sheet.properties(index)}
        if grid is not None:
            entry["data"] = [
                grid_data(sheet, bounds, cell_fields)
                for owner, bounds in grid
                if owner is sheet
            ]
        sheets.append(entry)
    return {
        "spreadsheetId": book.spreadsheet_id,
        "properties": props,
        "sheets": sheets,
        "spreadsheetUrl": f"{base_url}/spreadsheets/d/{book.spreadsheet_id}/edit",
    }


def grid_data(
    sheet: Sheet,
    bounds: tuple[int, int, int, int],
    cell_fields: frozenset[str] | None = None,
) -> dict[str, Any]:
    row0, row1, col0, col1 = bounds
    data: dict[str, Any] = {}
    if row0:
        data["startRow"] = row0
    if col0:
        data["startColumn"] = col0
    rows = []
    last_used = min(row1, sheet.last_row_with_anything())
    for r in range(row0, last_used):
        values = [cell_data(sheet, r, c, cell_fields) for c in range(col0, col1)]
        while values and not values[-1]:
            values.pop()
        rows.append({"values": values} if values else {})
    while rows and not rows[-1]:
        rows.pop()
    if rows:
        data["rowData"] = rows
    data["rowMetadata"] = [{"pixelSize": DEFAULT_ROW_HEIGHT} for _ in range(row0, row1)]
    data["columnMetadata"] = [
        {"pixelSize": sheet.col_widths.get(c, DEFAULT_COLUMN_WIDTH)}
        for c in range(col0, col1)
    ]
    return data


def cell_data(
    sheet: Sheet, row: int, col: int, fields: frozenset[str] | None = None
) -> dict[str, Any]:
    cell = sheet.cells.get((row, col))
    if cell is None:
        if fields is not None and "dataValidation" not in fields:
            return {}  # a big masked read: most cells are blank
        cell = Cell()

    def wanted(name: str) -> bool:
        return fields is None or name in fields

    data: dict[str, Any] = {}
    if not cell.is_empty:
        entered = _typed(cell.value)
        if wanted("userEnteredValue"):
            if cell.formula is not None:
                data["userEnteredValue"] = {"formulaValue": cell.formula}
            else:
                data["userEnteredValue"] = entered
        if wanted("effectiveValue"):
            data["effectiveValue"] = entered
        if wanted("formattedValue"):
            data["formattedValue"] = format_value(cell)
    if cell.fmt and wanted("userEnteredFormat"):
        data["userEnteredFormat"] = copy.deepcopy(cell.fmt)
    if (cell.fmt or not cell.is_empty) and wanted("effectiveFormat"):
        data["effectiveFormat"] = effective_format(cell.fmt)
    if cell.note is not None and wanted("note"):
        data["note"] = cell.note
    rule = sheet.validation_at(row, col) if wanted("dataValidation") else None
    if rule:
        data["dataValidation"] = copy.deepcopy(rule)
    return data


def cell_fields_of(mask: Mask) -> frozenset[str] | None:
    """The CellData fields a field mask keeps (None: all of them)."""
    values = mask.get("sheets", {}).get("data", {}).get("rowData", {}).get("values")
    if not mask or values is None or not values:
        return None
    return frozenset(values)


def effective_format(entered: dict[str, Any]) -> dict[str, Any]:
    """The sheet's default format with the cell's own on top (a number format only
    when one was set or detected, as 8:30 typed sets a TIME format). Shared between
    cells with the same format: a resource is only masked and serialised, never
    changed."""
    return _effective(json.dumps(entered, sort_keys=True))


@functools.lru_cache(maxsize=256)
def _effective(entered: str) -> dict[str, Any]:
    merged = _merged(_copy(DEFAULT_FORMAT), json.loads(entered))
    merged.setdefault("hyperlinkDisplayType", "PLAIN_TEXT")
    return merged


def _merged(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = _merged(base[key], value)
        else:
            base[key] = _copy(value)
    return base


def _copy(value: Any) -> Any:
    """A copy of JSON data (copy.deepcopy is slow for thousands of small dicts)."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _typed(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int | float):
        return {"numberValue": value}
    return {"stringValue": value}


# --- field masks ----------------------------------------------------------------------

Mask = dict[str, "Mask"]


def parse_mask(text: str) -> Mask:
    """'sheets(properties(title,sheetId)),namedRanges' as a tree; {} = everything."""
    tree: Mask = {}
    position = _parse_list(text.replace(" ", ""), 0, tree)
    if position != len(text.replace(" ", "")):
        raise ValueError(f"bad field mask {text!r}")
    return tree


def _parse_list(text: str, index: int, into: Mask) -> int:
    while index < len(text):
        start = index
        while index < len(text) and text[index] not in ",()":
            index += 1
        node = into
        for name in text[start:index].replace("/", ".").split("."):
            node = node.setdefault(name, {})
        if index < len(text) and text[index] == "(":
            index = _parse_list(text, index + 1, node)
            index += 1  # the closing parenthesis
        if index < len(text) and text[index] == ",":
            index += 1
            continue
        if index < len(text) and text[index] == ")":
            return index
    return index


def apply_mask(value: Any, mask: Mask) -> Any:
    if not mask or value is None:
        return value
    if isinstance(value, list):
        return [apply_mask(item, mask) for item in value]
    if isinstance(value, dict):
        kept = {k: apply_mask(value[k], sub) for k, sub in mask.items() if k in value}
        if "rowData" in kept:
            _prune_rows(kept)
        return kept
    return value


def _prune_rows(grid: dict[str, Any]) -> None:
    """Google drops cells and rows that a mask left empty, from the end."""
    rows = []
    for row in grid["rowData"]:
        values = list(row.get("values", []))
        while values and not values[-1]:
            values.pop()
        rows.append({"values": values} if values else {})
    while rows and not rows[-1]:
        rows.pop()
    if rows:
        grid["rowData"] = rows
    else:
        del grid["rowData"]
