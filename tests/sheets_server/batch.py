"""spreadsheets.batchUpdate of the local server: requests sheetbill and gspread send.

All requests of one call are applied to a copy and committed together, as Google does
(one bad request → 400 and nothing changed). Unknown request kinds raise
`NotImplementedError`, which the server answers with 501.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from .document import Mask, parse_mask
from .model import ApiError, Cell, Sheet, Spreadsheet
from .values import write_cell

Handler = Callable[[Spreadsheet, dict[str, Any], int], dict[str, Any]]

SUPPORTED = (
    "addSheet",
    "deleteSheet",
    "updateSheetProperties",
    "updateSpreadsheetProperties",
    "repeatCell",
    "updateCells",
    "setDataValidation",
    "updateDimensionProperties",
    "insertDimension",
    "deleteDimension",
    "appendDimension",
    "autoResizeDimensions",
    "sortRange",
)


def unsupported(body: dict[str, Any]) -> list[str]:
    """Kinds of requests in a batchUpdate body that this server does not implement."""
    kinds = [next(iter(r), "") for r in body.get("requests", []) if isinstance(r, dict)]
    return [k for k in kinds if k not in SUPPORTED]


def batch_update(book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    """Apply every request or none; the reply Google gives."""
    requests = body.get("requests")
    if not isinstance(requests, list) or not requests:
        raise ApiError(400, "Must specify at least one request.")
    missing = unsupported(body)
    if missing:
        raise NotImplementedError(missing[0])
    work = book.fork()
    replies = []
    for index, request in enumerate(requests):
        kind, params = next(iter(request.items()))
        try:
            replies.append(_HANDLERS[kind](work, params, index))
        except (KeyError, TypeError, ValueError) as exc:
            raise ApiError(400, f"Invalid requests[{index}].{kind}: {exc}") from exc
    book.sheets = work.sheets
    book.props = work.props
    book.title = work.title
    book.touch()
    return {"spreadsheetId": book.spreadsheet_id, "replies": replies}


def _add_sheet(book: Spreadsheet, params: dict[str, Any], index: int) -> dict[str, Any]:
    props = params.get("properties", {})
    title = props.get("title") or f"Sheet{len(book.sheets) + 1}"
    if any(s.title.casefold() == title.casefold() for s in book.sheets):
        raise ApiError(
            400,
            f'Invalid requests[{index}].addSheet: A sheet with the name "{title}" '
            "already exists. Please enter another name.",
        )
    grid = props.get("gridProperties", {})
    sheet_id = props.get("sheetId")
    if sheet_id is None:
        sheet_id = book.new_sheet_id()
    sheet = Sheet(
        sheet_id=sheet_id,
        title=title,
        rows=grid.get("rowCount", 1000),
        cols=grid.get("columnCount", 26),
        frozen_rows=grid.get("frozenRowCount", 0),
        frozen_cols=grid.get("frozenColumnCount", 0),
    )
    for key in ("hidden", "tabColor", "tabColorStyle", "rightToLeft"):
        if key in props:
            sheet.props[key] = props[key]
    position = props.get("index", len(book.sheets))
    book.sheets.insert(min(position, len(book.sheets)), sheet)
    return {"addSheet": {"properties": sheet.properties(book.sheets.index(sheet))}}


def _delete_sheet(
    book: Spreadsheet, params: dict[str, Any], index: int
) -> dict[str, Any]:
    sheet = book.by_id(params["sheetId"])
    if len(book.sheets) == 1:
        raise ApiError(
            400,
            f"Invalid requests[{index}].deleteSheet: You can't remove all the sheets "
            "in a document.",
        )
    book.sheets.remove(sheet)
    return {}


def _mask(fields: str) -> list[str]:
    """A field mask as dotted paths: 'a(b,c.d),e' -> ['a.b', 'a.c.d', 'e']."""
    if fields.strip() == "*":
        return ["*"]
    return _paths(parse_mask(fields))


def _paths(tree: Mask, prefix: str = "") -> list[str]:
    paths = []
    for name, sub in tree.items():
        path = f"{prefix}{name}"
        paths += _paths(sub, path + ".") if sub else [path]
    return paths


def clean_colors(value: Any) -> Any:
    """Colors as Google stores them: zero components dropped, *Style mirrors added."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            item = clean_colors(item)
            if item is None:
                continue
            if (key == "rgbColor" or key.endswith("Color")) and isinstance(item, dict):
                # Stored as 8-bit channels (0.5 reads back as 127/255).
                item = {
                    k: int(v * 255) / 255 if 0 < v < 1 else v
                    for k, v in item.items()
                    if v not in (0, None)
                }
                if key.endswith("Color") and key != "rgbColor":
                    out.setdefault(key + "Style", {"rgbColor": dict(item)})
            out[key] = item
        return out
    return value


def _update_sheet_properties(
    book: Spreadsheet, params: dict[str, Any], index: int
) -> dict[str, Any]:
    props = params["properties"]
    sheet = book.by_id(props.get("sheetId", 0))
    fields = _mask(params.get("fields", "*"))
    if fields == ["*"]:
        fields = list(props)
    for name in fields:
        head, _, tail = name.partition(".")
        if head == "title":
            title = props.get("title", "")
            if any(
                s is not sheet and s.title.casefold() == title.casefold()
                for s in book.sheets
            ):
                raise ApiError(
                    400,
                    f"Invalid requests[{index}].updateSheetProperties: A sheet with "
                    f'the name "{title}" already exists. Please enter another name.',
                )
            sheet.title = title
        elif head == "index":
            book.sheets.remove(sheet)
            book.sheets.insert(min(props.get("index", 0), len(book.sheets)), sheet)
        elif head == "gridProperties":
            grid = props.get("gridProperties", {})
            for key in [tail] if tail else list(grid):
                _set_grid(sheet, key, grid.get(key, 0))
        elif head == "hidden" and not props.get("hidden"):
            sheet.props.pop("hidden", None)  # Google omits false
        elif head == "hidden":
            visible = [
                s for s in book.sheets if not s.props.get("hidden") and s is not sheet
            ]
            if not visible:
                raise ApiError(
                    400,
                    f"Invalid requests[{index}].updateSheetProperties: You can't hide "
                    "all the sheets in a document.",
                )
            sheet.props["hidden"] = True
        else:
            value = clean_colors(props).get(head)
            if value in (None, {}, {"rgbColor": {}}) and head.startswith("tabColor"):
                sheet.props.pop("tabColor", None)
                sheet.props.pop("tabColorStyle", None)
            elif value is None:
                sheet.props.pop(head, None)
            else:
                sheet.props[head] = copy.deepcopy(value)
    return {}


def _set_grid(sheet: Sheet, key: str, value: Any) -> None:
    if key == "rowCount":
        sheet.cells = {k: v for k, v in sheet.cells.items() if k[0] < value}
        sheet.rows = value
    elif key == "columnCount":
        sheet.cells = {k: v for k, v in sheet.cells.items() if k[1] < value}
        sheet.cols = value
    elif key == "frozenRowCount":
        sheet.frozen_rows = value or 0
    elif key == "frozenColumnCount":
        sheet.frozen_cols = value or 0
    elif value:
        sheet.grid_extra[key] = value
    else:
        sheet.grid_extra.pop(key, None)  # Google omits false and zero


def _update_spreadsheet_properties(
    book: Spreadsheet, params: dict[str, Any], index: int
) -> dict[str, Any]:
    props = params["properties"]
    for name in _mask(params.get("fields", "*")):
        if name == "title":
            book.title = props["title"]
        elif name in props:
            book.props[name] = props[name]
    return {}


def _grid_range(
    book: Spreadsheet, grid: dict[str, Any]
) -> tuple[Sheet, int, int, int, int]:
    sheet = book.by_id(grid.get("sheetId", 0))
    row0 = grid.get("startRowIndex", 0)
    row1 = grid.get("endRowIndex", sheet.rows)
    col0 = grid.get("startColumnIndex", 0)
    col1 = grid.get("endColumnIndex", sheet.cols)
    if row1 > sheet.rows or col1 > sheet.cols:
        raise ValueError(
            f"Range exceeds grid limits. Max rows: {sheet.rows}, "
            f"max columns: {sheet.cols}"
        )
    return sheet, row0, row1, col0, col1


_MISSING = object()


def _format_plan(fmt: dict[str, Any], fields: list[str]) -> list[tuple[list[str], Any]]:
    """(path under userEnteredFormat, value or _MISSING) pairs, colors cleaned once."""
    clean = clean_colors(copy.deepcopy(fmt))
    plan: list[tuple[list[str], Any]] = []
    for name in fields:
        parts = name.split(".")
        if parts[0] != "userEnteredFormat":
            continue
        source: Any = clean
        for part in parts[1:-1]:
            source = source.get(part, {}) if isinstance(source, dict) else {}
        if len(parts) == 1:
            plan.append(([], clean))
        elif isinstance(source, dict) and parts[-1] in source:
            plan.append((parts[1:], source[parts[-1]]))
            if parts[-1].endswith("Color") and parts[-1] + "Style" in source:
                style = [*parts[1:-1], parts[-1] + "Style"]
                plan.append((style, source[parts[-1] + "Style"]))
        else:
            plan.append((parts[1:], _MISSING))
    return plan


def _copy(value: Any) -> Any:
    """A deep copy of JSON data, much faster than copy.deepcopy for small dicts."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _apply_format(cell: Cell, plan: list[tuple[list[str], Any]]) -> None:
    for path, value in plan:
        if not path:
            cell.fmt = _copy(value)
            continue
        target = cell.fmt
        for part in path[:-1]:
            target = target.setdefault(part, {})
        if value is _MISSING:
            target.pop(path[-1], None)
        elif isinstance(value, dict):
            target[path[-1]] = _copy(value)
        else:
            target[path[-1]] = value


def _repeat_cell(
    book: Spreadsheet, params: dict[str, Any], index: int
) -> dict[str, Any]:
    sheet, row0, row1, col0, col1 = _grid_range(book, params["range"])
    data = params.get("cell", {})
    fields = _mask(params.get("fields", "*"))
    plan = _format_plan(
        data.get("userEnteredFormat", {}),
        ["userEnteredFormat" if f == "*" else f for f in fields],
    )
    for r in range(row0, row1):
        for c in range(col0, col1):
            _set_cell_data(sheet, r, c, data, fields, plan)
    return {}


def _set_cell_data(
    sheet: Sheet,
    r: int,
    c: int,
    data: dict[str, Any],
    fields: list[str],
    plan: list[tuple[list[str], Any]] | None = None,
) -> None:
    cell = sheet.cell(r, c)
    if plan is None:
        plan = _format_plan(
            data.get("userEnteredFormat", {}),
            ["userEnteredFormat" if f == "*" else f for f in fields],
        )
    if plan:
        _apply_format(cell, plan)
    if "userEnteredValue" in fields or "*" in fields:
        entered = data.get("userEnteredValue", {})
        if "formulaValue" in entered:
            write_cell(cell, entered["formulaValue"], user_entered=True)
        elif entered:
            write_cell(cell, next(iter(entered.values())), user_entered=False)
        else:
            cell.value, cell.formula = None, None
    if "note" in fields or "*" in fields:
        cell.note = data.get("note") or None  # "" removes the note
    if "dataValidation" in fields:
        sheet.validations.append(((r, r + 1, c, c + 1), data.get("dataValidation")))
    if cell.is_empty and not cell.fmt and cell.note is None:
        sheet.cells.pop((r, c), None)


def _update_cells(
    book: Spreadsheet, params: dict[str, Any], index: int
) -> dict[str, Any]:
    fields = _mask(params.get("fields", "*"))
    rows = params.get("rows", [])
    if "start" in params:
        start = params["start"]
        sheet = book.by_id(start.get("sheetId", 0))
        row0, col0 = start.get("rowIndex", 0), start.get("columnIndex", 0)
        row1 = row0 + len(rows)
        col1 = col0 + max((len(r.get("values", [])) for r in rows), default=0)
        if row1 > sheet.rows or col1 > sheet.cols:
            raise ValueError(
                f"Range exceeds grid limits. Max rows: {sheet.rows}, "
                f"max columns: {sheet.cols}"
            )
    else:
        sheet, row0, row1, col0, col1 = _grid_range(book, params["range"])
    for r in range(row0, row1):
        line = rows[r - row0].get("values", []) if r - row0 < len(rows) else []
        for c in range(col0, col1):
            data = line[c - col0] if c - col0 < len(line) else {}
            _set_cell_data(sheet, r, c, data, fields)
    return {}


def _set_data_validation(
    book: Spreadsheet, params: dict[str, Any], index: int
) -> dict[str, Any]:
    sheet, row0, row1, col0, col1 = _grid_range(book, params["range"])
    sheet.validations.append(((row0, row1, col0, col1), params.get("rule")))
    return {}


def _dimension(book: Spreadsheet, rng: dict[str, Any]) -> tuple[Sheet, str, int, int]:
    sheet = book.by_id(rng.get("sheetId", 0))
    dimension = rng["dimension"]
    size = sheet.rows if dimension == "ROWS" else sheet.cols
    start = rng.get("startIndex", 0)
    end = rng.get("endIndex", size)
    if start < 0 or end > size or start >= end:
        raise ValueError(f"Invalid dimension range {start}:{end} (size {size})")
    return sheet, dimension, start, end


def _update_dimension_properties(
    book: Spreadsheet, params: dict[str, Any], index: int
) -> dict[str, Any]:
    sheet, dimension, start, end = _dimension(book, params["range"])
    props = params.get("properties", {})
    if dimension == "COLUMNS" and "pixelSize" in props:
        for column in range(start, end):
            sheet.col_widths[column] = props["pixelSize"]
    return {}


def _insert_dimension(
    book: Spreadsheet, params: dict[str, Any], index: int
) -> dict[str, Any]:
    rng = params["range"]
    sheet = book.by_id(rng.get("sheetId", 0))
    start, end = rng["startIndex"], rng["endIndex"]
    if rng["dimension"] == "ROWS":
        sheet.insert_rows(start, end - start)
    else:
        sheet.insert_columns(start, end - start)
    return {}


def _delete_dimension(
    book: Spreadsheet, params: dict[str, Any], index: int
) -> dict[str, Any]:
    sheet, dimension, start, end = _dimension(book, params["range"])
    if dimension == "ROWS":
        sheet.delete_rows(start, end)
    else:
        sheet.delete_columns(start, end)
    return {}


def _append_dimension(
    book: Spreadsheet, params: dict[str, Any], index: int
) -> dict[str, Any]:
    sheet = book.by_id(params.get("sheetId", 0))
    if params["dimension"] == "ROWS":
        sheet.rows += params["length"]
    else:
        sheet.cols += params["length"]
    return {}


def _auto_resize(
    book: Spreadsheet, params: dict[str, Any], index: int
) -> dict[str, Any]:
    return {}  # widths depend on fonts; nothing to compute without a renderer


def _sort_range(
    book: Spreadsheet, params: dict[str, Any], index: int
) -> dict[str, Any]:
    sheet, row0, row1, col0, col1 = _grid_range(book, params["range"])
    specs = [
        (s.get("dimensionIndex", 0), s.get("sortOrder", "ASCENDING") != "DESCENDING")
        for s in params.get("sortSpecs", [])
    ]
    sheet.sort_rows(row0, min(row1, max(row0, sheet.used_rows())), col0, col1, specs)
    return {}


_HANDLERS: dict[str, Handler] = {
    "addSheet": _add_sheet,
    "deleteSheet": _delete_sheet,
    "updateSheetProperties": _update_sheet_properties,
    "updateSpreadsheetProperties": _update_spreadsheet_properties,
    "repeatCell": _repeat_cell,
    "updateCells": _update_cells,
    "setDataValidation": _set_data_validation,
    "updateDimensionProperties": _update_dimension_properties,
    "insertDimension": _insert_dimension,
    "deleteDimension": _delete_dimension,
    "appendDimension": _append_dimension,
    "autoResizeDimensions": _auto_resize,
    "sortRange": _sort_range,
}
