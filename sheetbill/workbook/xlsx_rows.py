"""A worksheet part at the byte level: its encoding and root tag, where each row lies,
the writes by row, where new cells can go into a row without parsing it, and splicing
new bytes in.

`SheetEditor` writes the two common cases (cells right of a row's last cell, new
rows) with these, as bytes equal to what its lxml path would make; a row with anything
unusual (see `row_end`) goes through lxml instead.
"""

from __future__ import annotations

import bisect
import io
import re
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from sheetbill.domain.sheet import CellValue, CellWrite
from sheetbill.errors import WorkbookWriteError
from sheetbill.workbook.xlsx_cells import MAX_COLUMN, MAX_ROW, column_index

BLOCK_ROWS = 2000  # rows parsed at once by the lxml path: bounds memory
_R_ATTR = re.compile(rb"""\sr\s*=\s*["']([0-9]+)["']""")
_ATTRS = rb"""((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(/?)>"""
_ROW_TAG = re.compile(rb"<row" + _ATTRS)
_CELL_TAG = re.compile(rb"<c" + _ATTRS)
_ATTR = re.compile(rb"""([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_LETTERS = re.compile(rb"[A-Z]{1,3}")
_COLUMNS: dict[bytes, int] = {}  # column letters seen, and their index
# In a row, these make lxml place a new cell elsewhere than before `</row>`, or make
# the row's content something a byte search cannot read safely.
_UNUSUAL = (b"xmlns", b"extLst", b"<?")
_AFTER_NAME = frozenset(b" \t\r\n/>")
_DECLARED = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']([^"']+)["']""")


@dataclass(slots=True)
class Row:
    """One row element of the part: its number and byte span."""

    number: int
    start: int
    end: int
    head_end: int  # just past the start tag


class RowIndex:
    """The rows of a part in file order, in compact arrays (a big sheet has 100,000s);
    `rows[i]` is a `Row`."""

    def __init__(self) -> None:
        self.numbers = array("q")
        self._starts = array("q")
        self._ends = array("q")
        self._head_ends = array("q")

    def add(self, number: int, start: int, end: int, head_end: int) -> None:
        self.numbers.append(number)
        self._starts.append(start)
        self._ends.append(end)
        self._head_ends.append(head_end)

    def __len__(self) -> int:
        return len(self.numbers)

    def __getitem__(self, index: int) -> Row:
        return Row(
            self.numbers[index],
            self._starts[index],
            self._ends[index],
            self._head_ends[index],
        )


class RowWrites(Mapping[int, dict[int, CellValue]]):
    """The writes into one part by row, `writes[row]` being {column: value} (the last
    write to a cell wins); made when asked, not held for 100,000s of rows at once."""

    def __init__(self, writes: Sequence[CellWrite], *, tab: str) -> None:
        self._writes = writes
        self.rows = array("q")
        self._offsets = array("q")
        self.corners: list[tuple[int, int]] = []  # of the cells given a value
        if not self._group(tab):
            # Stable: writes to one cell keep their order, the last one last.
            self._writes = sorted(writes, key=lambda w: (w.row, w.column))
            self._group(tab)

    def _group(self, tab: str) -> bool:
        """Index the writes by row (checking each is inside a sheet); False, with
        nothing indexed, when they are not in (row, column) order."""
        rows, offsets = array("q"), array("q")
        top = left = MAX_ROW
        bottom = right = -1
        row = column = -1
        has_value = False  # whether the last write seen so far gives a value
        for index, write in enumerate(self._writes):
            previous_row, previous_column = row, column
            row, column = write.row, write.column
            if not (1 <= row <= MAX_ROW and 0 <= column < MAX_COLUMN):
                raise _outside(write, tab)
            if row != previous_row or column != previous_column:
                if row < previous_row or (
                    row == previous_row and column < previous_column
                ):
                    for later in self._writes[index:]:
                        if not (
                            1 <= later.row <= MAX_ROW and 0 <= later.column < MAX_COLUMN
                        ):
                            raise _outside(later, tab)
                    return False
                if has_value:  # the previous cell's last write
                    top, bottom = min(top, previous_row), max(bottom, previous_row)
                    left = min(left, previous_column)
                    right = max(right, previous_column)
                if row != previous_row:
                    rows.append(row)
                    offsets.append(index)
            has_value = write.value is not None
        if has_value:
            top, bottom = min(top, row), max(bottom, row)
            left, right = min(left, column), max(right, column)
        offsets.append(len(self._writes))
        self.rows, self._offsets = rows, offsets
        self.corners = [(top, left), (bottom, right)] if bottom >= 0 else []
        return True

    def __getitem__(self, row: int) -> dict[int, CellValue]:
        index = bisect.bisect_left(self.rows, row)
        if index == len(self.rows) or self.rows[index] != row:
            raise KeyError(row)
        return self.at(index)

    def at(self, index: int) -> dict[int, CellValue]:
        """The writes into the `index`th row written (in order of rows)."""
        return {
            write.column: write.value
            for write in self._writes[self._offsets[index] : self._offsets[index + 1]]
        }

    def __iter__(self) -> Iterator[int]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def _outside(write: CellWrite, tab: str) -> WorkbookWriteError:
    return WorkbookWriteError(
        f"cannot write to row {write.row}, column {write.column + 1} of the tab "
        f"{tab!r}: outside an Excel sheet"
    )


@dataclass(slots=True)
class Block:
    """Rows the lxml path parses at once."""

    first: int  # index of the first existing row replaced (or the insertion point)
    stop: int  # one past the last existing row replaced
    targets: list[int]


@dataclass(frozen=True, slots=True)
class RowEnd:
    """Where cells appended to an existing row go, found without parsing it."""

    insert: int  # where the new cells go
    stop: int  # end of the bytes they replace: `/>` of an empty `<row/>`, else insert
    last_column: int  # column of the row's last cell, -1 when it has none
    spans: tuple[int, int] | None  # byte span of the value of `spans`, if any


@dataclass(frozen=True, slots=True)
class WrittenRow:
    """A row written at the byte level: the styles of its new cells, right of
    `last_column` (-1 for a new row); left of it the row is as it was."""

    styles: dict[int, int | None]
    last_column: int


def tail_rows(
    data: bytes, start: int, end: int, prefix: bytes, first_target: int
) -> RowIndex | None:
    """Just the last row, when every write goes below it (the usual append), so a big
    sheet needs no index; None when the full index is needed."""
    tag = b"<" + prefix + b"row"
    pos = data.rfind(tag, start, end)
    while pos >= 0 and data[pos + len(tag) : pos + len(tag) + 1] not in (
        b" ",
        b"\t",
        b"\r",
        b"\n",
        b"/",
        b">",
    ):
        pos = data.rfind(tag, start, pos)
    rows = RowIndex()
    if pos < 0:
        return rows
    tag_end = data.find(b">", pos) + 1
    found = _R_ATTR.search(data, pos, tag_end)
    if found is None or int(found.group(1)) >= first_target:
        return None
    if data[tag_end - 2 : tag_end] == b"/>":
        row_stop = tag_end
    else:
        row_stop = data.find(b"</" + prefix + b"row>", tag_end)
        if row_stop < 0:
            return None
        row_stop += len(prefix) + 6
    rows.add(int(found.group(1)), pos, row_stop, tag_end)
    return rows


def index_rows(data: bytes, start: int, end: int, prefix: bytes, tab: str) -> RowIndex:
    """Every row's number and byte span, checked to be in increasing order."""
    start_pattern = re.compile(b"<" + re.escape(prefix + b"row") + rb"(?=[\s/>])[^>]*>")
    close = b"</" + prefix + b"row>"
    rows = RowIndex()
    pos = start
    number = 0
    while True:
        match = start_pattern.search(data, pos, end)
        if match is None:
            break
        tag = match.group(0)
        found = _R_ATTR.search(tag)
        number = int(found.group(1)) if found else number + 1
        if tag.endswith(b"/>"):
            row_stop = match.end()
        else:
            row_stop = data.find(close, match.end(), end)
            if row_stop < 0:
                raise WorkbookWriteError(f"the tab {tab!r} is damaged (a row)")
            row_stop += len(close)
        if rows.numbers and number <= rows.numbers[-1]:
            raise WorkbookWriteError(
                f"the rows of the tab {tab!r} are out of order in the file; "
                "open and save it in Excel, then run again"
            )
        rows.add(number, match.start(), row_stop, match.end())
        pos = row_stop
    return rows


def blocks(rows: RowIndex, targets: Iterable[int]) -> list[Block]:
    """Targets grouped into blocks of neighbouring rows, each parsed at once."""
    numbers = rows.numbers
    found: list[Block] = []
    current: Block | None = None
    for target in targets:
        index = bisect.bisect_left(numbers, target)
        exists = index < len(numbers) and numbers[index] == target
        if (
            current is not None
            and index <= current.stop
            and len(current.targets) < BLOCK_ROWS
        ):
            current.targets.append(target)
            if exists:
                current.stop = index + 1
            continue
        current = Block(index, index + 1 if exists else index, [target])
        found.append(current)
    return found


def row_end(data: bytes, row: Row) -> RowEnd | None:
    """Where new cells go at the end of `row` (unprefixed), or None when the row is
    unusual: its `r` not plain digits, namespace declarations, extLst or processing
    instructions in it, or a last cell whose address is not a plain one in this row.
    Comments and CDATA are ruled out for the whole sheet beforehand."""
    for unusual in _UNUSUAL:
        if data.find(unusual, row.start, row.end) >= 0:
            return None
    if data[row.end - 2 : row.end] == b"/>":
        return _empty_row_end(data, row)
    close = row.end - 6
    if data[close : row.end] != b"</row>":
        return None
    number = b"%d" % row.number
    head = data[row.start : row.head_end]
    if b"&" in head:  # a character reference: lxml reads it, a byte search would not
        return None
    if b"'" in head:
        is_usual, spans = _spans_of(data, row, number)
        if not is_usual:
            return None
    else:
        # Double quotes only: `<row r="N"` starts the tag and ` spans="` cannot be
        # inside a value. The usual rows of Excel and of openpyxl.
        if not head.startswith(b'<row r="%s"' % number):
            return None
        found = head.find(b' spans="')
        if found < 0:
            spans = None
        else:
            value = row.start + found + 8
            quote = data.find(b'"', value, row.head_end)
            if quote < 0:  # damaged: lxml says so
                return None
            spans = (value, quote)
    last = _last_column(data, row.head_end, close, number)
    if last is None:
        return None
    return RowEnd(close, close, last, spans)


def _empty_row_end(data: bytes, row: Row) -> RowEnd | None:
    tag = _ROW_TAG.match(data, row.start, row.end)
    if tag is None or tag.end() != row.end:
        return None
    is_usual, spans = _spans_of(data, row, b"%d" % row.number)
    if not is_usual:
        return None
    return RowEnd(tag.end(1), row.end, -1, spans)


def _spans_of(
    data: bytes, row: Row, number: bytes
) -> tuple[bool, tuple[int, int] | None]:
    """Whether the row's tag is usual (its `r` is `number`, its `spans` hold no
    character reference), and the byte span of the value of `spans` (None: none)."""
    tag = _ROW_TAG.match(data, row.start, row.end)
    if tag is None:
        return False, None
    found = None
    has_number = False
    for attr in _ATTR.finditer(data, tag.start(1), tag.end(1)):
        group = 2 if attr.group(2) is not None else 3
        if attr.group(1) == b"r":
            has_number = attr.group(group) == number
        elif attr.group(1) == b"spans":
            if b"&" in attr.group(group):
                return False, None
            found = attr.span(group)
    return has_number, found


def _last_column(data: bytes, start: int, end: int, number: bytes) -> int | None:
    """The column of the last cell between `start` and `end` (-1: none), or None when
    its address is missing, unusual or in another row."""
    pos = data.rfind(b"<c", start, end)
    while pos >= 0 and data[pos + 2] not in _AFTER_NAME:
        pos = data.rfind(b"<c", start, pos)
    if pos < 0:
        return -1
    if data.startswith(b'<c r="', pos):
        quote = data.find(b'"', pos + 6, end)
        if quote < 0:
            return None
        ref = data[pos + 6 : quote]
    else:
        ref = _cell_ref(data, pos, end)
    letters = ref.rstrip(b"0123456789")
    if ref[len(letters) :] != number:
        return None
    column = _COLUMNS.get(letters)
    if column is None:
        if _LETTERS.fullmatch(letters) is None:
            return None
        column = _COLUMNS[letters] = column_index(letters.decode("ascii"))
    return column


def _cell_ref(data: bytes, pos: int, end: int) -> bytes:
    """The `r` of the cell tag at `pos` (b"" when it has none)."""
    tag = _CELL_TAG.match(data, pos, end)
    if tag is None:
        return b""
    for attr in _ATTR.finditer(data, tag.start(1), tag.end(1)):
        if attr.group(1) == b"r":
            return attr.group(2) if attr.group(2) is not None else attr.group(3)
    return b""


def widened_spans(spans: bytes, columns: list[int]) -> bytes:
    """A row's `spans` covering `columns` (sorted, 0-based) too, as lxml's path
    writes it."""
    numbers = [int(n) for n in re.findall(rb"[0-9]+", spans)]
    low = min([columns[0] + 1, *numbers])
    high = max([columns[-1] + 1, *numbers])
    return f"{low}:{high}".encode("ascii")


class Spliced:
    """`data` copied into a new buffer with byte ranges replaced, the replacements
    given in order: a big part is copied once, with no list of pieces."""

    def __init__(self, data: bytes) -> None:
        self._view = memoryview(data)
        self._out = io.BytesIO()
        self._pos = 0

    def replace(self, start: int, end: int, text: bytes) -> None:
        if start < self._pos:
            raise ValueError("replacements out of order")
        self._out.write(self._view[self._pos : start])
        self._out.write(text)
        self._pos = end

    def result(self) -> bytes:
        self._out.write(self._view[self._pos :])
        self._view.release()
        return self._out.getvalue()


def as_utf8(data: bytes) -> bytes:
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


def find_root_tag(data: bytes, tab: str) -> tuple[int, int]:
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
            return pos, end_of_tag(data, pos)
        if pos < 2:
            raise WorkbookWriteError(f"the tab {tab!r} is damaged (no XML)")


def end_of_tag(data: bytes, start: int) -> int:
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
