"""Writing cells into one worksheet part by splicing its bytes.

Only the rows that receive cells and the `<dimension ref>` are rewritten; every other
byte of the part stays as it was, so data validations, conditional formats, extLst,
merged cells, hyperlinks and anything newer than this code are kept. New rows, and
cells right of a row's last cell (a run's usual writes), are spliced in as the bytes
lxml would write; other rows are parsed (lxml), edited and written again, so a big sheet
costs a scan rather than a parse. Rows and cells stay in address order. A written cell
keeps its style; its formula, if any, goes.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Mapping, Sequence
from functools import partial

from lxml import etree

from sheetbill.domain.sheet import CellValue, CellWrite, column_letters
from sheetbill.errors import WorkbookWriteError
from sheetbill.workbook.xlsx_cells import cell_ref, cell_xml, parse_ref, set_value
from sheetbill.workbook.xlsx_package import parse_xml
from sheetbill.workbook.xlsx_rows import (
    Block,
    RowEnd,
    RowIndex,
    RowWrites,
    Spliced,
    WrittenRow,
    as_utf8,
    blocks,
    end_of_tag,
    find_root_tag,
    index_rows,
    row_end,
    tail_rows,
    widened_spans,
)

# (column, style of the existing cell or None, style a new cell inherits or None, value)
# -> the style the cell gets (None: no style attribute).
StyleResolver = Callable[[int, int | None, int | None, CellValue], int | None]

# Where a new cell's style comes from: the style of the cell above in a column.
StyleAbove = Callable[[int], int | None]

_REF_ATTR = re.compile(rb"""(\sref\s*=\s*)(["'])([^"']*)(["'])""")
_DROPPED_ATTRS = ("t", "cm", "vm")


class SheetEditor:
    """One worksheet part, ready to take cell writes."""

    def __init__(
        self,
        data: bytes,
        *,
        tab: str,
        main_ns: str,
        date1904: bool,
        is_fast: bool = True,
    ) -> None:
        """`is_fast=False` writes every row through lxml (tests compare the two)."""
        self.tab = tab
        self.is_fast = is_fast
        self.ns = main_ns
        self.date1904 = date1904
        self.formulas_removed = False
        self.data = data = as_utf8(data)
        self._root_start, self._root_end = find_root_tag(data, tab)
        root_tag = data[self._root_start : self._root_end]
        qname = re.match(rb"<([\w.:-]+)", root_tag)
        assert qname is not None
        self._root_qname = qname.group(1)
        self._prefix = self._root_qname.rpartition(b":")[0]
        self._prefix = self._prefix + b":" if self._prefix else b""
        # The sheet's own namespace (strict or transitional) names what we add.
        root = self._parse_fragment(b"")
        self.ns = etree.QName(root).namespace or main_ns
        self._locate_sheet_data()
        # The byte-level path writes cells without a prefix and looks for such cells
        # only: the sheet's namespace must be the default one, and have no prefix.
        self._is_plain_ns = (
            not self._prefix
            and root.nsmap.get(None) == self.ns
            and list(root.nsmap.values()).count(self.ns) == 1
            and b"xmlns" not in self._sd_tag
        )
        self._column_styles = self._read_column_styles()
        self._column_style_of: dict[int, int | None] = {}
        # The row written last, which the next row's new cells may take styles from.
        self._last: tuple[int, etree._Element | WrittenRow] | None = None
        self._above_cache: dict[int, etree._Element | None] = {}
        self._rows = RowIndex()  # the rows found (all, or only the last)
        # Row heights (points) the rows being written need at least (`write`).
        self._heights: Mapping[int, float] = {}

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
        tag_end = end_of_tag(self.data, match.start())
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

    def column_widths(self) -> dict[int, float]:
        """Widths (in characters) the sheet's `<cols>` give, by 0-based column."""
        head = self.data[self._root_end : self._sd_start]
        cols = self._prefix + b"cols"
        match = re.search(
            b"<" + re.escape(cols) + rb"[\s>].*?</" + re.escape(cols) + b">", head, re.S
        )
        if match is None:
            return {}
        widths: dict[int, float] = {}
        for col in self._parse_fragment(match.group(0)).iter(f"{{{self.ns}}}col"):
            try:
                width = float(col.get("width") or "")
            except ValueError:
                continue
            low, high = _int(col.get("min")), _int(col.get("max"))
            for column in range(max(low, 1) - 1, min(high, low + 255)):
                widths[column] = width
        return widths

    def _parse_fragment(self, fragment: bytes) -> etree._Element:
        wrapped = (
            self.data[self._root_start : self._root_end]
            + fragment
            + b"</"
            + self._root_qname
            + b">"
        )
        return parse_xml(wrapped, self.tab)

    # What was there

    def rows_with_values(self, numbers: list[int]) -> set[int]:
        """Which of the rows `numbers` (ascending) held a value, a formula or text in
        the part as it was; all of them when its rows cannot be read at the byte level
        (comments or CDATA among them), which is the answer that changes nothing."""
        if not numbers:
            return set()
        if not self._plain:
            return set(numbers)
        start, end = self._content_start, self._content_end
        if tail_rows(self.data, start, end, self._prefix, numbers[0]) is not None:
            return set()  # every row of the part lies above them
        rows = index_rows(self.data, start, end, self._prefix, self.tab)
        low = bisect.bisect_left(rows.numbers, numbers[0])
        high = bisect.bisect_right(rows.numbers, numbers[-1])
        if low == high:
            return set()
        block = self._parse_block(self.data[rows[low].start : rows[high - 1].end])
        wanted = set(numbers)
        found = set()
        number = rows.numbers[low - 1] if low > 0 else 0
        for row in block.iterchildren(f"{{{self.ns}}}row"):
            given = row.get("r")
            number = int(given) if given and given.isdigit() else number + 1
            if number in wanted and _holds_value(row, self.ns):
                found.add(number)
        return found

    def merged_refs(self) -> list[str]:
        """The `ref` of every merged cell range of the sheet."""
        tag = re.compile(
            b"<" + re.escape(self._prefix + b"mergeCell") + rb"(?=[\s/>])[^>]*>"
        )
        found = []
        for match in tag.finditer(self.data, self._content_end):
            ref = _REF_ATTR.search(match.group(0))
            if ref is not None:
                found.append(ref.group(3).decode("ascii", "replace"))
        return found

    # Writing

    def write(
        self,
        writes: Sequence[CellWrite],
        resolve: StyleResolver,
        *,
        blank_from: int | None = None,
        row_heights: Mapping[int, float] | None = None,
    ) -> bytes:
        """The part's new bytes with `writes` done (the last write to a cell wins).

        Rows from `blank_from` down are rows the plan appends: one of them that holds
        a value or formula is refused, never written over. A row in `row_heights` is
        made at least that tall (points), unless a person fixed its height.
        """
        self._heights = row_heights or {}
        by_row = RowWrites(writes, tab=self.tab)
        if not by_row:
            return self.data
        targets = list(by_row.rows)
        if blank_from is not None:
            self._refuse_filled([t for t in targets if t >= blank_from])
        out = Spliced(self.data)
        out.replace(*self._dimension_splice(by_row.corners))  # in the head
        if not self._plain:
            # Comments or CDATA among the rows: parse them all as one block.
            out.replace(*self._block_all(by_row, resolve))
        else:
            rows = tail_rows(
                self.data,
                self._content_start,
                self._content_end,
                self._prefix,
                targets[0],
            )
            if rows is None:
                rows = index_rows(
                    self.data,
                    self._content_start,
                    self._content_end,
                    self._prefix,
                    self.tab,
                )
            self._rows = rows
            self._write_rows(out, targets, by_row, resolve)
        return out.result()

    def _refuse_filled(self, targets: list[int]) -> None:
        """Refuse rows to append that are not blank. The plan saw them blank, and the
        file is the one it read, so the reader missed something: a formula whose
        result was never saved (calamine reads it as empty) is the known case."""
        if not targets:
            return
        start, end = self._content_start, self._content_end
        if self._plain:
            last = tail_rows(self.data, start, end, self._prefix, targets[0])
            if last is not None:
                return  # the last row of the part is above every row to append
            rows = index_rows(self.data, start, end, self._prefix, self.tab)
            wanted = set(targets)
            spans = [
                (rows[i].start, rows[i].end)
                for i in range(len(rows))
                if rows.numbers[i] in wanted
            ]
        else:
            spans = [(start, end)]
        wanted_rows = set(targets)
        for first, stop in spans:
            block = self._parse_block(self.data[first:stop])
            number = 0
            for row in block.iterchildren(f"{{{self.ns}}}row"):
                found = row.get("r")
                number = int(found) if found and found.isdigit() else number + 1
                if number not in wanted_rows:
                    continue
                for column, cell in self._cells_of(row, number):
                    kind = _content_of(cell, self.ns)
                    if kind:
                        raise WorkbookWriteError(
                            f"cannot add rows to the tab {self.tab!r}: cell "
                            f"{cell_ref(number, column)} holds {kind} that sheetbill "
                            "read as blank. Open the workbook in Excel or LibreOffice "
                            "and save it (that saves formula results), or move that "
                            "cell, then run again; nothing was written"
                        )

    def _write_rows(
        self,
        out: Spliced,
        targets: list[int],
        by_row: RowWrites,
        resolve: StyleResolver,
    ) -> None:
        """New rows, and cells right of a row's last cell, as bytes; runs of other
        rows through lxml. In row order: a new cell may take its style from above,
        and `out` takes its replacements in order."""
        rows = self._rows
        numbers = rows.numbers
        is_fast = self.is_fast and self._is_plain_ns
        slow: list[int] = []
        for position, target in enumerate(targets):
            values = by_row.at(position)
            index = bisect.bisect_left(numbers, target)
            end: RowEnd | None = None
            if not is_fast:
                slow.append(target)
                continue
            if index < len(numbers) and numbers[index] == target:
                end = row_end(self.data, rows[index])
                if (
                    end is None
                    or end.last_column >= min(values)
                    or target in self._heights
                ):
                    slow.append(target)
                    continue
            if slow:
                for block in blocks(rows, slow):
                    out.replace(*self._run_block(block, by_row, resolve))
                slow = []
            if end is None:
                at = rows[index].start if index < len(rows) else self._content_end
                out.replace(at, at, self._new_row(target, values, resolve))
            else:
                self._append_cells(out, target, values, end, resolve)
        for block in blocks(rows, slow):
            out.replace(*self._run_block(block, by_row, resolve))

    def _new_cells(
        self,
        number: int,
        values: Mapping[int, CellValue],
        last_column: int,
        resolve: StyleResolver,
    ) -> tuple[bytes, list[int]]:
        """The bytes of new cells right of `last_column`, as lxml would write them,
        and their columns."""
        styles: dict[int, int | None] = {}
        cells = []
        above = self._last[1] if self._last and self._last[0] == number - 1 else None
        suffix = str(number)
        for column in sorted(values):
            value = values[column]
            if value is None:
                continue
            inherited = self._column_style(column)
            if inherited is None:
                # Consecutive new rows: the style just given to the cell above.
                if isinstance(above, WrittenRow) and column in above.styles:
                    inherited = above.styles[column]
                else:
                    inherited = self._style_at(number - 1, column)
            style = styles[column] = resolve(column, None, inherited, value)
            ref = column_letters(column) + suffix
            cells.append(cell_xml(ref, style, value, date1904=self.date1904))
        self._last = (number, WrittenRow(styles, last_column))
        return "".join(cells).encode("utf-8"), list(styles)

    def _new_row(
        self, number: int, values: Mapping[int, CellValue], resolve: StyleResolver
    ) -> bytes:
        cells, _ = self._new_cells(number, values, -1, resolve)
        height = self._heights.get(number)
        tag = b'<row r="%d"' % number
        if height is not None:
            tag += b' ht="%s"' % _points(height)
        if not cells:
            return tag + b"/>"
        return b"%s>%s</row>" % (tag, cells)

    def _append_cells(
        self,
        out: Spliced,
        number: int,
        values: Mapping[int, CellValue],
        end: RowEnd,
        resolve: StyleResolver,
    ) -> None:
        cells, columns = self._new_cells(number, values, end.last_column, resolve)
        if not cells:
            return
        if end.spans is not None:
            spans = self.data[end.spans[0] : end.spans[1]]
            out.replace(end.spans[0], end.spans[1], widened_spans(spans, columns))
        if end.stop > end.insert:  # an empty <row .../> opens
            cells = b">" + cells + b"</row>"
        out.replace(end.insert, end.stop, cells)

    def _block_all(
        self, by_row: Mapping[int, Mapping[int, CellValue]], resolve: StyleResolver
    ) -> tuple[int, int, bytes]:
        start, end = self._content_start, self._content_end
        sheet_data = self._parse_block(self.data[start:end])
        self._edit_block(sheet_data, 0, sorted(by_row), by_row, resolve)
        return start, end, self._serialize_block(sheet_data)

    def _run_block(
        self,
        block: Block,
        by_row: Mapping[int, Mapping[int, CellValue]],
        resolve: StyleResolver,
    ) -> tuple[int, int, bytes]:
        rows = self._rows
        if block.stop > block.first:
            start, end = rows[block.first].start, rows[block.stop - 1].end
        elif block.first < len(rows):
            start = end = rows[block.first].start
        else:
            start = end = self._content_end
        previous = rows[block.first - 1].number if block.first > 0 else 0
        sheet_data = self._parse_block(self.data[start:end])
        self._edit_block(sheet_data, previous, block.targets, by_row, resolve)
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
                above: StyleAbove = partial(
                    self._style_in, existing[index - 1][1], target - 1
                )
            else:
                above = partial(self._style_at, target - 1)
            self._write_row(row, target, by_row[target], above, resolve)
            self._last = (target, row)

    def _style_at(self, number: int, column: int) -> int | None:
        """The style of the cell at row `number`, `column` as written so far (None:
        no such cell, or no style)."""
        if number < 1:
            return None
        if self._last is not None and self._last[0] == number:
            last = self._last[1]
            if not isinstance(last, WrittenRow):
                return self._style_in(last, number, column)
            if column in last.styles:
                return last.styles[column]
            if column > last.last_column:
                return None
        row = self._original_row(number)
        return None if row is None else self._style_in(row, number, column)

    def _original_row(self, number: int) -> etree._Element | None:
        """Row `number` as it is in the part (parsed), or None when there is none."""
        if number in self._above_cache:
            return self._above_cache[number]
        found: etree._Element | None = None
        rows = self._rows
        if rows:
            index = bisect.bisect_left(rows.numbers, number)
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
        above: StyleAbove,
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
                if inherited is None:
                    inherited = above(column)
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
        height = self._heights.get(number)
        if height is not None and row.get("customHeight") not in ("1", "true"):
            _at_least(row, height)

    def _all_right_of_last(self, row: etree._Element, number: int, column: int) -> bool:
        last = next(row.iterchildren(f"{{{self.ns}}}c", reversed=True), None)
        if last is None:
            return True
        parsed = parse_ref(last.get("r") or "")
        return parsed is not None and parsed[0] == number and parsed[1] < column

    def _style_in(self, above: etree._Element, number: int, column: int) -> int | None:
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
        if column in self._column_style_of:
            return self._column_style_of[column]
        found = None
        for low, high, style in self._column_styles:
            if low <= column <= high:
                found = style
                break
        self._column_style_of[column] = found
        return found

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
        self, written: list[tuple[int, int]]
    ) -> tuple[int, int, bytes]:
        """The `<dimension ref>` widened to the cells given a value (`written`: the
        corners of their range, or [])."""
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


def _holds_value(row: etree._Element, ns: str) -> bool:
    """Whether a row has a cell with a formula, inline text or a non-empty value."""
    return any(_content_of(cell, ns) for cell in row.iterchildren(f"{{{ns}}}c"))


def _content_of(cell: etree._Element, ns: str) -> str:
    """What a cell holds, for a message ("a formula", "a value"), or "" if blank."""
    formula = cell.find(f"{{{ns}}}f")
    if formula is not None:
        return "a formula"
    value = cell.find(f"{{{ns}}}v")
    if value is not None and (value.text or "").strip():
        return "a value"
    inline = cell.find(f"{{{ns}}}is")
    if inline is not None and any(str(t).strip() for t in inline.itertext()):
        return "a value"
    return ""


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
    row.set("spans", widened_spans(spans.encode("utf-8"), columns).decode("ascii"))


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


def _at_least(row: etree._Element, height: float) -> None:
    """The row made `height` points tall, unless it is taller already."""
    try:
        tall = float(row.get("ht") or 0)
    except ValueError:
        tall = 0.0
    if height > tall:
        row.set("ht", _points(height).decode())


def _points(height: float) -> bytes:
    return repr(round(float(height), 2)).removesuffix(".0").encode()


def _int(text: str | None) -> int:
    try:
        return int(text or 0)
    except ValueError:
        return 0
