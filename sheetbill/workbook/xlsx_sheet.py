"""Writing cells into one worksheet part by splicing its bytes.

Only the rows that receive cells and the `<dimension ref>` are parsed (lxml) and written
again; every other byte of the part stays as it was, so data validations, conditional
formats, extLst, merged cells, hyperlinks and anything newer than this code are kept,
and a big sheet costs a scan rather than a parse. Rows and cells stay in address order.
A written cell keeps its style; its formula, if any, goes.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from lxml import etree

from sheetbill.errors import WorkbookWriteError
from sheetbill.workbook.base import CellValue, CellWrite
from sheetbill.workbook.xlsx_cells import (
    MAX_COLUMN,
    MAX_ROW,
    cell_ref,
    column_letters,
    parse_ref,
    set_value,
)
from sheetbill.workbook.xlsx_package import parse_xml

# (column, style of the existing cell or None, style a new cell inherits or None, value)
# -> the style the cell gets (None: no style attribute).
StyleResolver = Callable[[int, int | None, int | None, CellValue], int | None]

_BLOCK_ROWS = 2000  # rows parsed at once: bounds memory on very large writes
_R_ATTR = re.compile(rb"""\sr\s*=\s*["']([0-9]+)["']""")
_REF_ATTR = re.compile(rb"""(\sref\s*=\s*)(["'])([^"']*)(["'])""")
_DROPPED_ATTRS = ("t", "cm", "vm")
_DECLARED = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']([^"']+)["']""")


@dataclass(slots=True)
class _Row:
    number: int
    start: int
    end: int


@dataclass(slots=True)
class _Block:
    first: int  # index of the first existing row replaced (or the insertion point)
    stop: int  # one past the last existing row replaced
    targets: list[int]


class SheetEditor:
    """One worksheet part, ready to take cell writes."""

    def __init__(self, data: bytes, *, tab: str, main_ns: str, date1904: bool) -> None:
        self.tab = tab
        self.ns = main_ns
        self.date1904 = date1904
        self.formulas_removed = False
        self.data = data = _as_utf8(data)
        self._root_start, self._root_end = _root_tag(data, tab)
        root_tag = data[self._root_start : self._root_end]
        qname = re.match(rb"<([\w.:-]+)", root_tag)
        assert qname is not None
        self._root_qname = qname.group(1)
        self._prefix = self._root_qname.rpartition(b":")[0]
        self._prefix = self._prefix + b":" if self._prefix else b""
        # The sheet's own namespace (strict or transitional) names what we add.
        self.ns = etree.QName(self._parse_fragment(b"")).namespace or main_ns
        self._locate_sheet_data()
        self._column_styles = self._read_column_styles()
        self._last: tuple[int, etree._Element] | None = None
        self._above_cache: dict[int, etree._Element | None] = {}
        self._rows: list[_Row] | None = None
        self._numbers: list[int] = []

    # Locating things

    def _locate_sheet_data(self) -> None:
        name = self._prefix + b"sheetData"
        match = re.compile(b"<" + re.escape(name) + rb"(?=[\s/>])").search(
            self.data, self._root_end
        )
        if match is None:
            raise WorkbookWriteError(
                f"the tab {self.tab!r} is damaged (its part has no sheetData); open "
                "and save the file in Excel, then run again"
            )
        tag_end = _tag_end(self.data, match.start())
        if self.data[tag_end - 2 : tag_end] == b"/>":
            opened = self.data[match.start() : tag_end - 2].rstrip() + b">"
            closed = b"</" + name + b">"
            self.data = (
                self.data[: match.start()] + opened + closed + self.data[tag_end:]
            )
            tag_end = match.start() + len(opened)
        close = self.data.find(b"</" + name + b">", tag_end)
        if close < 0:
            raise WorkbookWriteError(f"the tab {self.tab!r} is damaged (sheetData)")
        self._sd_tag = self.data[match.start() : tag_end]
        self._sd_start = match.start()
        self._content_start = tag_end
        self._content_end = close
        self._plain = (
            self.data.find(b"<!--", tag_end, close) < 0
            and self.data.find(b"<![CDATA[", tag_end, close) < 0
        )

    def _read_column_styles(self) -> list[tuple[int, int, int]]:
        head = self.data[self._root_end : self._sd_start]
        cols = self._prefix + b"cols"
        match = re.search(
            b"<" + re.escape(cols) + rb"[\s>].*?</" + re.escape(cols) + b">", head, re.S
        )
        if match is None:
            return []
        root = self._parse_fragment(match.group(0))
        found = []
        for col in root.iter(f"{{{self.ns}}}col"):
            style = col.get("style")
            if style is None or not style.isdigit():
                continue
            low, high = _int(col.get("min")), _int(col.get("max"))
            found.append((low - 1, high - 1, int(style)))
        return found

    def _parse_fragment(self, fragment: bytes) -> etree._Element:
        wrapped = (
            self.data[self._root_start : self._root_end]
            + fragment
            + b"</"
            + self._root_qname
            + b">"
        )
        return parse_xml(wrapped, self.tab)

    def _tail_rows(self, first_target: int) -> list[_Row] | None:
        """Just the last row, when every write goes below it (the usual append), so a
        big sheet needs no index; None when the full index is needed."""
        tag = b"<" + self._prefix + b"row"
        pos = self.data.rfind(tag, self._content_start, self._content_end)
        while pos >= 0 and self.data[pos + len(tag) : pos + len(tag) + 1] not in (
            b" ",
            b"\t",
            b"\r",
            b"\n",
            b"/",
            b">",
        ):
            pos = self.data.rfind(tag, self._content_start, pos)
        if pos < 0:
            return []
        tag_end = self.data.find(b">", pos) + 1
        found = _R_ATTR.search(self.data, pos, tag_end)
        if found is None or int(found.group(1)) >= first_target:
            return None
        if self.data[tag_end - 2 : tag_end] == b"/>":
            end = tag_end
        else:
            end = self.data.find(b"</" + self._prefix + b"row>", tag_end)
            if end < 0:
                return None
            end += len(self._prefix) + 6
        return [_Row(int(found.group(1)), pos, end)]

    def _index(self) -> list[_Row]:
        """Every row's number and byte span, checked to be in increasing order."""
        if self._rows is not None:
            return self._rows
        start_pattern = re.compile(
            b"<" + re.escape(self._prefix + b"row") + rb"(?=[\s/>])[^>]*>"
        )
        close = b"</" + self._prefix + b"row>"
        rows: list[_Row] = []
        pos = self._content_start
        number = 0
        while True:
            match = start_pattern.search(self.data, pos, self._content_end)
            if match is None:
                break
            tag = match.group(0)
            found = _R_ATTR.search(tag)
            number = int(found.group(1)) if found else number + 1
            if tag.endswith(b"/>"):
                end = match.end()
            else:
                end = self.data.find(close, match.end(), self._content_end)
                if end < 0:
                    raise WorkbookWriteError(f"the tab {self.tab!r} is damaged (a row)")
                end += len(close)
            if rows and number <= rows[-1].number:
                raise WorkbookWriteError(
                    f"the rows of the tab {self.tab!r} are out of order in the file; "
                    "open and save it in Excel, then run again"
                )
            rows.append(_Row(number, match.start(), end))
            pos = end
        self._rows = rows
        return rows

    # Writing

    def write(self, writes: Sequence[CellWrite], resolve: StyleResolver) -> bytes:
        """The part's new bytes with `writes` done (the last write to a cell wins)."""
        by_row: dict[int, dict[int, CellValue]] = {}
        for write in writes:
            if not (1 <= write.row <= MAX_ROW and 0 <= write.column < MAX_COLUMN):
                raise WorkbookWriteError(
                    f"cannot write to row {write.row}, column {write.column + 1} of "
                    f"the tab {self.tab!r}: outside an Excel sheet"
                )
            by_row.setdefault(write.row, {})[write.column] = write.value
        if not by_row:
            return self.data
        targets = sorted(by_row)
        splices: list[tuple[int, int, bytes]] = []
        if not self._plain:
            # Comments or CDATA among the rows: parse them all as one block.
            splices.append(self._block_all(by_row, resolve))
        else:
            rows = self._tail_rows(targets[0]) or self._index()
            self._numbers = [row.number for row in rows]
            for block in _blocks(rows, targets):
                splices.append(self._run_block(rows, block, by_row, resolve))
        splices.append(self._dimension_splice(by_row))
        return _splice(self.data, splices)

    def _block_all(
        self, by_row: Mapping[int, Mapping[int, CellValue]], resolve: StyleResolver
    ) -> tuple[int, int, bytes]:
        start, end = self._content_start, self._content_end
        sheet_data = self._parse_block(self.data[start:end])
        self._edit_block(sheet_data, 0, sorted(by_row), by_row, resolve, [])
        return start, end, self._serialize_block(sheet_data)

    def _run_block(
        self,
        rows: list[_Row],
        block: _Block,
        by_row: Mapping[int, Mapping[int, CellValue]],
        resolve: StyleResolver,
    ) -> tuple[int, int, bytes]:
        if block.stop > block.first:
            start, end = rows[block.first].start, rows[block.stop - 1].end
        elif block.first < len(rows):
            start = end = rows[block.first].start
        else:
            start = end = self._content_end
        previous = rows[block.first - 1].number if block.first > 0 else 0
        sheet_data = self._parse_block(self.data[start:end])
        self._edit_block(sheet_data, previous, block.targets, by_row, resolve, rows)
        return start, end, self._serialize_block(sheet_data)

    def _parse_block(self, fragment: bytes) -> etree._Element:
        closing = b"</" + self._prefix + b"sheetData>"
        root = self._parse_fragment(self._sd_tag + fragment + closing)
        sheet_data = root.find(f"{{{self.ns}}}sheetData")
        if sheet_data is None:
            raise WorkbookWriteError(f"the tab {self.tab!r} is damaged (sheetData)")
        return sheet_data

    def _serialize_block(self, sheet_data: etree._Element) -> bytes:
        text: bytes = etree.tostring(sheet_data, encoding="UTF-8", with_tail=False)
        if text.startswith(b"<?xml"):
            text = text[text.index(b"?>") + 2 :].lstrip()
        if text.endswith(b"/>") and text.count(b"<") == 1:
            return b""
        # lxml escapes ">" inside attribute values, so the first ">" ends the tag.
        return text[text.index(b">") + 1 : text.rindex(b"</")]

    def _edit_block(
        self,
        sheet_data: etree._Element,
        previous: int,
        targets: list[int],
        by_row: Mapping[int, Mapping[int, CellValue]],
        resolve: StyleResolver,
        rows: list[_Row],
    ) -> None:
        row_tag = f"{{{self.ns}}}row"
        existing: list[tuple[int, etree._Element]] = []
        number = previous
        for element in sheet_data.iterchildren(row_tag):
            found = element.get("r")
            number = int(found) if found and found.isdigit() else number + 1
            element.set("r", str(number))
            existing.append((number, element))
        numbers = [n for n, _ in existing]
        for target in targets:
            index = bisect.bisect_left(numbers, target)
            if index < len(numbers) and numbers[index] == target:
                row = existing[index][1]
            else:
                row = sheet_data.makeelement(row_tag)
                row.set("r", str(target))
                if index < len(existing):
                    sheet_data.insert(sheet_data.index(existing[index][1]), row)
                else:
                    sheet_data.append(row)
            if index > 0 and numbers[index - 1] == target - 1:
                above: etree._Element | None = existing[index - 1][1]
            else:
                above = self._above(target - 1, rows)
            self._write_row(row, target, by_row[target], above, resolve)
            self._last = (target, row)

    def _above(self, number: int, rows: list[_Row]) -> etree._Element | None:
        if number < 1:
            return None
        if self._last is not None and self._last[0] == number:
            return self._last[1]
        if number in self._above_cache:
            return self._above_cache[number]
        found: etree._Element | None = None
        if rows:
            index = bisect.bisect_left(self._numbers, number)
            if index < len(rows) and rows[index].number == number:
                row = rows[index]
                block = self._parse_block(self.data[row.start : row.end])
                found = block.find(f"{{{self.ns}}}row")
        self._above_cache = {number: found}
        return found

    def _write_row(
        self,
        row: etree._Element,
        number: int,
        values: Mapping[int, CellValue],
        above: etree._Element | None,
        resolve: StyleResolver,
    ) -> None:
        if self._all_right_of_last(row, number, min(values)):
            # Writes only right of the last cell (a new column, a new row): the other
            # cells need no look.
            cells: list[tuple[int, etree._Element]] = []
        else:
            cells = self._cells(row, number)
        columns = [column for column, _ in cells]
        by_column = dict(cells)
        for column in sorted(values):
            value = values[column]
            cell = by_column.get(column)
            if cell is None:
                if value is None:
                    continue
                cell = row.makeelement(f"{{{self.ns}}}c")
                cell.set("r", cell_ref(number, column))
                index = bisect.bisect_left(columns, column)
                if index < len(columns):
                    row.insert(row.index(by_column[columns[index]]), cell)
                else:
                    _append_cell(row, cell, self.ns)
                columns.insert(index, column)
                by_column[column] = cell
                inherited = self._column_style(column)
                if inherited is None and above is not None:
                    inherited = self._style_above(above, number - 1, column)
                style = resolve(column, None, inherited, value)
            else:
                current = cell.get("s")
                style = resolve(
                    column,
                    int(current) if current and current.isdigit() else None,
                    None,
                    value,
                )
            self._clear(cell, number, column)
            if style is None:
                cell.attrib.pop("s", "")
            else:
                cell.set("s", str(style))
            if value is None:
                if "s" not in cell.attrib and len(cell) == 0:
                    row.remove(cell)
                    columns.remove(column)
                    del by_column[column]
                continue
            set_value(cell, value, main_ns=self.ns, date1904=self.date1904)
        _widen_spans(row, columns)

    def _all_right_of_last(self, row: etree._Element, number: int, column: int) -> bool:
        last = next(row.iterchildren(f"{{{self.ns}}}c", reversed=True), None)
        if last is None:
            return True
        parsed = parse_ref(last.get("r") or "")
        return parsed is not None and parsed[0] == number and parsed[1] < column

    def _style_above(
        self, above: etree._Element, number: int, column: int
    ) -> int | None:
        # From the right, since new cells usually go right of the others: cells are in
        # column order, so once one lies left of `column` there is none at it.
        for cell in above.iterchildren(f"{{{self.ns}}}c", reversed=True):
            parsed = parse_ref(cell.get("r") or "")
            if parsed is None or parsed[0] != number:
                return _style_of(self._cells_of(above, number), column)
            if parsed[1] == column:
                style = cell.get("s")
                return int(style) if style and style.isdigit() else None
            if parsed[1] < column:
                return None
        return None

    def _cells(
        self, row: etree._Element, number: int
    ) -> list[tuple[int, etree._Element]]:
        """The row's cells with their columns; cells without an address get one, so
        inserting a cell cannot shift the ones placed by position."""
        found = []
        column = -1
        for cell in row.iterchildren(f"{{{self.ns}}}c"):
            parsed = parse_ref(cell.get("r") or "")
            column = parsed[1] if parsed else column + 1
            if parsed is None or parsed[0] != number:
                cell.set("r", cell_ref(number, column))
            found.append((column, cell))
        return found

    def _cells_of(
        self, row: etree._Element, number: int
    ) -> list[tuple[int, etree._Element]]:
        found = []
        column = -1
        for cell in row.iterchildren(f"{{{self.ns}}}c"):
            parsed = parse_ref(cell.get("r") or "")
            column = parsed[1] if parsed else column + 1
            found.append((column, cell))
        return found

    def _column_style(self, column: int) -> int | None:
        for low, high, style in self._column_styles:
            if low <= column <= high:
                return style
        return None

    def _clear(self, cell: etree._Element, number: int, column: int) -> None:
        for child in list(cell):
            name = etree.QName(child).localname if isinstance(child.tag, str) else ""
            if name == "f":
                kind = child.get("t", "")
                ref = child.get("ref", "")
                if kind in ("shared", "array", "dataTable") and ":" in ref:
                    raise WorkbookWriteError(
                        f"cannot write into {self.tab}!{cell_ref(number, column)}: it "
                        "holds a formula other cells share; move that formula or clear "
                        "the cell in Excel, then run again"
                    )
                self.formulas_removed = True
            if name in ("f", "v", "is"):
                cell.remove(child)
        for name in _DROPPED_ATTRS:
            cell.attrib.pop(name, "")

    def _dimension_splice(
        self, by_row: Mapping[int, Mapping[int, CellValue]]
    ) -> tuple[int, int, bytes]:
        written = [
            (number, column)
            for number, values in by_row.items()
            for column, value in values.items()
            if value is not None
        ]
        head = self.data[self._root_end : self._sd_start]
        tag = re.search(
            b"<" + re.escape(self._prefix + b"dimension") + rb"(?=[\s/>])[^>]*>", head
        )
        if not written or tag is None:
            return self._root_end, self._root_end, b""
        ref = _REF_ATTR.search(tag.group(0))
        if ref is None:
            return self._root_end, self._root_end, b""
        bounds = _bounds(ref.group(3).decode("ascii", "replace"), written)
        start = self._root_end + tag.start() + ref.start(3)
        return start, start + len(ref.group(3)), bounds.encode("ascii")


def _blocks(rows: list[_Row], targets: Iterable[int]) -> list[_Block]:
    numbers = [row.number for row in rows]
    blocks: list[_Block] = []
    current: _Block | None = None
    for target in targets:
        index = bisect.bisect_left(numbers, target)
        exists = index < len(numbers) and numbers[index] == target
        if (
            current is not None
            and index <= current.stop
            and len(current.targets) < _BLOCK_ROWS
        ):
            current.targets.append(target)
            if exists:
                current.stop = index + 1
            continue
        current = _Block(index, index + 1 if exists else index, [target])
        blocks.append(current)
    return blocks


def _splice(data: bytes, splices: list[tuple[int, int, bytes]]) -> bytes:
    pieces = []
    pos = 0
    for start, end, text in sorted(splices, key=lambda s: (s[0], s[1])):
        pieces.append(data[pos:start])
        pieces.append(text)
        pos = end
    pieces.append(data[pos:])
    return b"".join(pieces)


def _append_cell(row: etree._Element, cell: etree._Element, ns: str) -> None:
    last = row[-1] if len(row) else None
    if last is not None and last.tag == f"{{{ns}}}extLst":  # always the last child
        last.addprevious(cell)
    else:
        row.append(cell)


def _style_of(cells: list[tuple[int, etree._Element]], column: int) -> int | None:
    for found, cell in cells:
        if found == column:
            style = cell.get("s")
            return int(style) if style and style.isdigit() else None
    return None


def _widen_spans(row: etree._Element, columns: list[int]) -> None:
    spans = row.get("spans")
    if spans is None or not columns:
        return
    numbers = [int(n) for n in re.findall(r"[0-9]+", spans)]
    low = min([columns[0] + 1, *numbers])
    high = max([columns[-1] + 1, *numbers])
    row.set("spans", f"{low}:{high}")


def _bounds(ref: str, written: list[tuple[int, int]]) -> str:
    rows = [number for number, _ in written]
    columns = [column for _, column in written]
    for corner in ref.split(":"):
        parsed = parse_ref(corner)
        if parsed is not None:
            rows.append(parsed[0])
            columns.append(parsed[1])
    top, bottom = min(rows), max(rows)
    left, right = min(columns), max(columns)
    if (top, left) == (bottom, right):
        return cell_ref(top, left)
    return f"{column_letters(left)}{top}:{column_letters(right)}{bottom}"


def _as_utf8(data: bytes) -> bytes:
    """The part in UTF-8, so spliced rows (always UTF-8) match the rest of it."""
    declared = _DECLARED.match(data)
    if declared is None:
        return data
    encoding = declared.group(1).decode("ascii", "replace").lower()
    if encoding in ("utf-8", "utf8"):
        return data
    try:
        text = data.decode(encoding)
    except (LookupError, UnicodeDecodeError) as exc:
        raise WorkbookWriteError(
            f"a worksheet part uses the text encoding {encoding!r}, which sheetbill "
            "cannot write"
        ) from exc
    start, end = declared.span(1)
    return data[:start] + b"UTF-8" + text[end:].encode("utf-8")


def _root_tag(data: bytes, tab: str) -> tuple[int, int]:
    pos = 0
    while True:
        pos = data.find(b"<", pos)
        if pos < 0:
            raise WorkbookWriteError(f"the tab {tab!r} is damaged (no XML)")
        if data.startswith(b"<?", pos):
            pos = data.find(b"?>", pos) + 2
        elif data.startswith(b"<!--", pos):
            pos = data.find(b"-->", pos) + 3
        else:
            return pos, _tag_end(data, pos)
        if pos < 2:
            raise WorkbookWriteError(f"the tab {tab!r} is damaged (no XML)")


def _tag_end(data: bytes, start: int) -> int:
    """The index just past the `>` closing the tag at `start` (quotes respected)."""
    quote = 0
    for index in range(start, len(data)):
        byte = data[index]
        if quote:
            if byte == quote:
                quote = 0
        elif byte in (0x22, 0x27):
            quote = byte
        elif byte == 0x3E:
            return index + 1
    raise WorkbookWriteError("a worksheet part is damaged (a tag never ends)")


def _int(text: str | None) -> int:
    try:
        return int(text or 0)
    except ValueError:
        return 0
