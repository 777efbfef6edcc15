"""Excel tables (ListObjects) that rows sheetbill appends continue.

A table is a part of its own (`xl/tables/tableN.xml`) whose `ref` says which cells it
covers; Excel does not grow it when a file written elsewhere puts rows below it, so
`=SUM(Tbl[Total])` would miss them. Rows written directly below a table's last row,
into rows that held no value before, in the table's columns, become part of it: its
`ref` and its `<autoFilter ref>` end at the last such row. Only those two attribute
values change; the rest of the part stays byte for byte (and is checked to have).

A table is not grown when it ends in a totals row (the new rows are below the totals,
not below the data), into a row another table or a merged cell takes, nor by columns.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from lxml import etree

from sheetbill.domain.sheet import CellWrite, column_letters
from sheetbill.errors import SheetbillError
from sheetbill.workbook.xlsx_cells import MAX_ROW, parse_ref
from sheetbill.workbook.xlsx_package import parse_xml
from sheetbill.workbook.xlsx_rows import end_of_tag, find_root_tag

_QNAME = re.compile(rb"<([\w.:-]+)")
_ATTR = re.compile(rb"""\s+([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


@dataclass(frozen=True, slots=True)
class Area:
    """A range of cells: 1-based rows, 0-based columns, corners included."""

    top: int
    left: int
    bottom: int
    right: int

    def overlaps(self, other: Area) -> bool:
        return (
            self.top <= other.bottom
            and other.top <= self.bottom
            and self.left <= other.right
            and other.left <= self.right
        )

    def with_bottom(self, bottom: int) -> Area:
        return Area(self.top, self.left, bottom, self.right)

    @property
    def ref(self) -> str:
        return (
            f"{column_letters(self.left)}{self.top}:"
            f"{column_letters(self.right)}{self.bottom}"
        )


def parse_area(ref: str) -> Area | None:
    """ "A1:X2" (or one cell, "B3") as an Area; None when it is not a range."""
    corners = [parse_ref(corner.strip()) for corner in ref.split(":")]
    if not 1 <= len(corners) <= 2 or any(c is None for c in corners):
        return None
    rows = [c[0] for c in corners if c is not None]
    columns = [c[1] for c in corners if c is not None]
    return Area(min(rows), min(columns), max(rows), max(columns))


@dataclass(frozen=True, slots=True)
class TablePart:
    """One table part as found: its zip name, bytes, range and totals row count."""

    name: str
    data: bytes
    area: Area
    totals_rows: int
    filter_area: Area | None


def read_table(name: str, data: bytes) -> TablePart | None:
    """The table in part `name`, or None when it cannot be read (then it is left
    alone: a table sheetbill does not understand is not sheetbill's to change)."""
    try:
        root = parse_xml(data, name)
    except SheetbillError:
        return None
    if etree.QName(root).localname != "table":
        return None
    area = parse_area(root.get("ref") or "")
    if area is None:
        return None
    totals = root.get("totalsRowCount") or "0"
    auto_filter = _auto_filter(root)
    filter_area = None
    if auto_filter is not None:
        filter_area = parse_area(auto_filter.get("ref") or "")
    return TablePart(
        name=name,
        data=data,
        area=area,
        totals_rows=int(totals) if totals.isdigit() else 1,
        filter_area=filter_area,
    )


def written_columns(writes: Iterable[CellWrite]) -> dict[int, list[int]]:
    """The columns given a value, by row (a write of None clears, it adds nothing)."""
    found: dict[int, list[int]] = {}
    for write in writes:
        if write.value is not None:
            found.setdefault(write.row, []).append(write.column)
    return found


def new_bottoms(
    tables: Sequence[TablePart],
    written: Mapping[int, Sequence[int]],
    rows_with_values: Callable[[list[int]], set[int]],
    merged: Sequence[Area],
) -> dict[str, int]:
    """The new last row of each table the written rows continue, by part name.

    `rows_with_values(rows)` says which of `rows` held a value before the write: a row
    that did is the user's, not an appended one, and stops the table there.
    """
    grown: dict[str, int] = {}
    for table in tables:
        if table.totals_rows > 0:
            continue
        area = table.area
        candidates: list[int] = []
        number = area.bottom + 1
        while number <= MAX_ROW and any(
            area.left <= column <= area.right for column in written.get(number, ())
        ):
            candidates.append(number)
            number += 1
        if not candidates:
            continue
        held = rows_with_values(candidates)
        others = [other.area for other in tables if other is not table]
        bottom = area.bottom
        for number in candidates:
            strip = Area(number, area.left, number, area.right)
            if number in held or any(strip.overlaps(o) for o in (*others, *merged)):
                break
            bottom = number
        if bottom > area.bottom:
            grown[table.name] = bottom
    return grown


def with_bottom(table: TablePart, bottom: int) -> bytes | None:
    """The table part's bytes with its range (and its autofilter's, when that ended
    with the data) ending at row `bottom`; None when the part's bytes are too unusual
    to edit in place with certainty."""
    data = table.data
    new_area = table.area.with_bottom(bottom)
    try:
        root_start, root_end = find_root_tag(data, table.name)
    except SheetbillError:
        return None
    qname = _QNAME.match(data, root_start)
    if qname is None:
        return None
    prefix = qname.group(1).rpartition(b":")[0]
    edits = [(_attr_span(data, root_start, root_end, b"ref"), new_area.ref)]
    new_filter = None
    if table.filter_area is not None and table.filter_area.bottom == table.area.bottom:
        new_filter = table.filter_area.with_bottom(bottom)
        name = (prefix + b":" if prefix else b"") + b"autoFilter"
        found = re.compile(b"<" + re.escape(name) + rb"(?=[\s/>])").search(
            data, root_end
        )
        if found is None:
            return None
        try:
            tag_end = end_of_tag(data, found.start())
        except SheetbillError:
            return None
        edits.append((_attr_span(data, found.start(), tag_end, b"ref"), new_filter.ref))
    result = data
    spans = [(span, value) for span, value in edits if span is not None]
    if len(spans) != len(edits):
        return None
    for span, value in sorted(spans, reverse=True):  # from the end: spans stay true
        result = result[: span[0]] + value.encode("ascii") + result[span[1] :]
    if not _only_refs_changed(table, result, new_area, new_filter):
        return None
    return result


def _attr_span(
    data: bytes, start: int, end: int, attribute: bytes
) -> tuple[int, int] | None:
    """The byte span of the value of `attribute` in the start tag at data[start:end]
    (a name without prefix, so `xr:ref` is not `ref`); None when it has none."""
    qname = _QNAME.match(data, start, end)
    pos = qname.end() if qname else end
    while True:
        found = _ATTR.match(data, pos, end)
        if found is None:
            return None
        if found.group(1) == attribute:
            group = 2 if found.group(2) is not None else 3
            return found.span(group)
        pos = found.end()


def _only_refs_changed(
    table: TablePart, result: bytes, area: Area, filter_area: Area | None
) -> bool:
    """Whether `result` is the old part with just the two refs changed, as XML."""
    try:
        old, new = parse_xml(table.data, table.name), parse_xml(result, table.name)
    except SheetbillError:
        return False
    expected = copy.deepcopy(old)
    expected.set("ref", area.ref)
    if filter_area is not None:
        auto_filter = _auto_filter(expected)
        if auto_filter is None:
            return False
        auto_filter.set("ref", filter_area.ref)
    return bool(
        etree.tostring(expected, method="c14n") == etree.tostring(new, method="c14n")
    )


def _auto_filter(root: etree._Element) -> etree._Element | None:
    namespace = etree.QName(root).namespace
    return root.find(f"{{{namespace}}}autoFilter" if namespace else "autoFilter")
