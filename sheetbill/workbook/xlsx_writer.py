"""Carrying out a `WorkbookChanges` on a package, at the zip and XML level.

New tabs get a sheet part, a relationship, a `<sheet>` entry in the workbook part and a
content type; cells are written by `SheetEditor`; styles are appended as needed. Every
other part is copied as it is (raw, not even recompressed). docProps/app.xml is left
alone: its list of sheet titles is informational, Excel and LibreOffice rebuild it and
localised heading names make editing it guesswork. An Excel table that written rows
continue is grown over them (`xlsx_tables`). When a written cell loses a formula,
the calculation chain part is dropped (Excel rebuilds it; a stale one makes Excel
"repair" the file). A written value always reads back as itself: a date gets a date
format if its style has none, a number loses a date format it would inherit.
"""

from __future__ import annotations

import io
import posixpath
import re
import textwrap
import zipfile
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal

from lxml import etree

from sheetbill.domain.sheet import (
    CellValue,
    CellWrite,
    ColumnFormat,
    TabSpec,
    WorkbookChanges,
    column_letters,
    money_decimals,
)
from sheetbill.errors import WorkbookWriteError
from sheetbill.workbook.xlsx_cells import set_value
from sheetbill.workbook.xlsx_package import (
    CONTENT_TYPES_NS,
    CONTENT_TYPES_PART,
    MAIN_NS,
    PKG_REL_NS,
    REL_NS,
    STYLES_TYPE,
    WORKSHEET_TYPE,
    Package,
    relative_target,
    rels_part_of,
    serialize_xml,
)
from sheetbill.workbook.xlsx_sheet import SheetEditor, StyleResolver
from sheetbill.workbook.xlsx_styles import EMPTY_STYLES, StyleBook
from sheetbill.workbook.xlsx_tables import (
    new_bottoms,
    parse_area,
    read_table,
    with_bottom,
    written_columns,
)
from sheetbill.workbook.xlsx_zip import NewMember, write_zip

MAX_TAB_NAME = 31
_BAD_NAME_CHARS = re.compile("[\\[\\]:*?/\\\\\x00-\x1f\ud800-\udfff\ufffe\uffff]")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_VALIDATION_LAST_ROW = 1_048_576
_DATED = frozenset(["date", "datetime", "time"])
_RELS_TYPE = "application/vnd.openxmlformats-package.relationships+xml"
_MAIN_TYPE = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
)
# Excel opens a file named .xlsm only when its workbook part says it may hold macros.
_MACRO_MAIN_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def apply_changes(package: Package, changes: WorkbookChanges) -> bytes:
    """The bytes of the package with `changes` carried out."""
    writer = _PackageWriter(package)
    for spec in changes.new_tabs:
        writer.add_tab(spec)
    for tab, writes in changes.writes.items():
        if writes:
            writer.write_cells(
                tab,
                writes,
                changes.formats.get(tab, {}),
                blank_from=changes.appended_from.get(tab),
            )
    return writer.finish()


def empty_package(*, is_macro_enabled: bool = False) -> bytes:
    """A workbook with no sheets yet: only valid once a tab is added to it; typed as
    macro-enabled for a file named .xlsm (it holds no macros)."""
    main_type = _MACRO_MAIN_TYPE if is_macro_enabled else _MAIN_TYPE
    parts = {
        CONTENT_TYPES_PART: (
            f'<Types xmlns="{CONTENT_TYPES_NS}">'
            f'<Default Extension="rels" ContentType="{_RELS_TYPE}"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            f'ContentType="{main_type}"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" '
            f'Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><bookViews>'
            '<workbookView activeTab="0"/></bookViews><sheets/></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{PKG_REL_NS}"/>',
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, serialize_xml(etree.fromstring(text)))
    return out.getvalue()


class _PackageWriter:
    def __init__(self, package: Package) -> None:
        self.package = package
        self.ns = package.main_ns
        self.replaced: dict[str, bytes] = {}
        self.added: list[NewMember] = []
        self.removed: set[str] = set()
        self.workbook_changed = False
        self.types = package.parse(CONTENT_TYPES_PART)
        self.types_changed = False
        rels = package.member_name(package.workbook_rels_part)
        self.rels = (
            package.parse(rels)
            if rels
            else etree.fromstring(f'<Relationships xmlns="{PKG_REL_NS}"/>')
        )
        self.rels_changed = False
        if package.styles_part and package.member_name(package.styles_part):
            self.styles = StyleBook(package.parse(package.styles_part))
            self.styles_part: str | None = package.styles_part
        else:
            self.styles = StyleBook(etree.fromstring(EMPTY_STYLES.format(ns=self.ns)))
            self.styles_part = None
        self.tabs: dict[str, str | None] = {s.name: s.part for s in package.sheets}
        self.kinds = {s.name: s.kind for s in package.sheets}
        self.sheet_bytes: dict[str, bytes] = {}
        self.new_parts: list[str] = []
        self.formulas_removed = False

    # New tabs

    def add_tab(self, spec: TabSpec) -> None:
        self._check_name(spec.name)
        if not spec.columns:
            raise WorkbookWriteError(
                f"cannot add the tab {spec.name!r} without columns"
            )
        part = self._free_part_name()
        rel_id = self._free_rel_id()
        relation = etree.SubElement(self.rels, f"{{{PKG_REL_NS}}}Relationship")
        relation.set("Id", rel_id)
        relation.set("Type", f"{self.package.rel_ns}/worksheet")
        relation.set("Target", relative_target(self.package.workbook_part, part))
        self.rels_changed = True
        sheets = self._sheets_element()
        ids = [
            int(s.get("sheetId") or 0)
            for s in sheets
            if (s.get("sheetId") or "").isdigit()
        ]
        entry = etree.SubElement(sheets, f"{{{self.ns}}}sheet")
        entry.set("name", spec.name)
        entry.set("sheetId", str(max([0, *ids]) + 1))
        entry.set(f"{{{self.package.rel_ns}}}id", rel_id)
        self.workbook_changed = True
        self._add_override(part, WORKSHEET_TYPE)
        self.tabs[spec.name] = part
        self.kinds[spec.name] = "worksheet"
        self.sheet_bytes[part] = _new_sheet(spec, self.styles, self.ns, self.package)
        self.new_parts.append(part)

    def _check_name(self, name: str) -> None:
        if not name.strip() or len(name) > MAX_TAB_NAME or _BAD_NAME_CHARS.search(name):
            raise WorkbookWriteError(
                f"cannot add a tab named {name!r}: Excel tab names have 1 to 31 "
                "characters and none of [ ] : * ? / \\"
            )
        if name.startswith("'") or name.endswith("'") or name.casefold() == "history":
            raise WorkbookWriteError(
                f"cannot add a tab named {name!r}: Excel refuses it"
            )
        if any(name.casefold() == tab.casefold() for tab in self.tabs):
            raise WorkbookWriteError(
                f"cannot add the tab {name!r}: the workbook already has a tab of that "
                "name"
            )

    def _free_part_name(self) -> str:
        folder = posixpath.join(
            posixpath.dirname(self.package.workbook_part), "worksheets"
        )
        taken = {name.lower() for name in self.package.archive.by_name}
        taken |= {part.lower() for part in self.new_parts}
        number = 1
        while f"{folder}/sheet{number}.xml".lower() in taken:
            number += 1
        return f"{folder}/sheet{number}.xml"

    def _free_rel_id(self) -> str:
        ids = {r.get("Id") or "" for r in self.rels}
        numbers = [int(i[3:]) for i in ids if i.startswith("rId") and i[3:].isdigit()]
        number = max([0, *numbers]) + 1
        while f"rId{number}" in ids:
            number += 1
        return f"rId{number}"

    def _sheets_element(self) -> etree._Element:
        sheets = self.package.workbook.find(f"{{{self.ns}}}sheets")
        if sheets is None:
            sheets = etree.SubElement(self.package.workbook, f"{{{self.ns}}}sheets")
        return sheets

    def _add_override(self, part: str, content_type: str) -> None:
        override = etree.SubElement(self.types, f"{{{CONTENT_TYPES_NS}}}Override")
        override.set("PartName", "/" + part)
        override.set("ContentType", content_type)
        self.types_changed = True

    # Cells

    def write_cells(
        self,
        tab: str,
        writes: tuple[CellWrite, ...],
        formats: Mapping[int, ColumnFormat],
        *,
        blank_from: int | None = None,
    ) -> None:
        name = self._tab_name(tab)
        part = self.tabs[name]
        if part is None or self.kinds.get(name) != "worksheet":
            raise WorkbookWriteError(
                f"cannot write into the tab {tab!r}: not a worksheet"
            )
        data = self.sheet_bytes.get(part)
        if data is None:
            data = self.package.read(part)
        editor = SheetEditor(
            data, tab=name, main_ns=self.ns, date1904=self.package.date1904
        )
        self.sheet_bytes[part] = editor.write(
            writes,
            self._resolver(formats),
            blank_from=blank_from,
            row_heights=_wrapped_heights(writes, formats, editor),
        )
        self.formulas_removed |= editor.formulas_removed
        if part not in self.new_parts:
            self.replaced[self.package.member_name(part) or part] = self.sheet_bytes[
                part
            ]
            self._grow_tables(part, writes, editor)

    def _grow_tables(
        self, part: str, writes: tuple[CellWrite, ...], editor: SheetEditor
    ) -> None:
        """Tables the written rows continue take them in (see xlsx_tables)."""
        names = [
            r.part
            for r in self.package.relationships(part)
            if r.kind == "table" and r.part and self.package.member_name(r.part)
        ]
        if not names:
            return
        tables = [
            table
            for name in names
            if (table := read_table(name, self.package.read(name))) is not None
        ]
        merged = [
            area
            for ref in editor.merged_refs()
            if (area := parse_area(ref)) is not None
        ]
        bottoms = new_bottoms(
            tables, written_columns(writes), editor.rows_with_values, merged
        )
        for table in tables:
            if table.name in bottoms:
                data = with_bottom(table, bottoms[table.name])
                if data is not None:
                    self.replaced[table.name] = data

    def _tab_name(self, tab: str) -> str:
        if tab in self.tabs:
            return tab
        for name in self.tabs:
            if name.casefold() == tab.casefold():
                return name
        raise WorkbookWriteError(
            f"there is no tab {tab!r} in the workbook to write into"
        )

    def _resolver(self, formats: Mapping[int, ColumnFormat]) -> StyleResolver:
        styles = self.styles
        # The answer depends on the value only through its type, and styles are
        # append-only, so it is worked out once per (column, styles, type).
        known: dict[tuple[int, int | None, int | None, type, int], int | None] = {}
        money = {c for c, f in formats.items() if f is ColumnFormat.MONEY}
        wrapped = {c for c, f in formats.items() if f is ColumnFormat.WRAPPED_TEXT}

        def resolve(
            column: int, current: int | None, inherited: int | None, value: CellValue
        ) -> int | None:
            decimals = (
                money_decimals(value)
                if column in money and value.__class__ is Decimal
                else -1
            )
            key = (column, current, inherited, type(value), decimals)
            if key in known:
                return known[key]
            kind = _kind(value)
            style = current if current is not None else inherited
            wanted = formats.get(column)
            if not style and wanted is not None:
                style = styles.style_for(wanted)
            shown = styles.number_format_of(style)
            if decimals >= 0 and styles.is_plain_money_format(shown):
                # An amount shows its currency's minor units (JPY 0, KWD 3).
                fmt_id = styles.money_format_id(decimals)
                if fmt_id != shown:
                    style = styles.with_number_format(style, fmt_id=fmt_id)
            elif column in wrapped and value.__class__ is str:
                if not styles.is_wrapped_style(style):
                    style = styles.with_wrap(style)
            elif kind in _DATED and not styles.is_date_style(style):
                fmt_id = styles.date_format_id(kind)
                style = styles.with_number_format(style, fmt_id=fmt_id)
            elif kind == "number" and styles.is_date_style(style):
                # A number under a date would show, and read back, as a date: it
                # keeps the look but not the date format.
                style = styles.with_number_format(style, fmt_id=0)
            known[key] = style
            return style

        return resolve

    # Finishing

    def finish(self) -> bytes:
        package = self.package
        if self.formulas_removed and package.calc_chain_part:
            self._drop_part(package.calc_chain_part)
        if self.styles.changed:
            styles = serialize_xml(self.styles.root)
            if self.styles_part is not None:
                name = package.member_name(self.styles_part) or self.styles_part
                self.replaced[name] = styles
            else:
                part = posixpath.join(
                    posixpath.dirname(package.workbook_part), "styles.xml"
                )
                relation = etree.SubElement(self.rels, f"{{{PKG_REL_NS}}}Relationship")
                relation.set("Id", self._free_rel_id())
                relation.set("Type", f"{package.rel_ns}/styles")
                relation.set("Target", relative_target(package.workbook_part, part))
                self.rels_changed = True
                self._add_override(part, STYLES_TYPE)
                self.added.append(NewMember(part, styles))
        if self.workbook_changed:
            self.replaced[package.workbook_part] = serialize_xml(package.workbook)
        rels_name = package.member_name(package.workbook_rels_part)
        if self.rels_changed:
            if rels_name:
                self.replaced[rels_name] = serialize_xml(self.rels)
            else:
                rels = rels_part_of(package.workbook_part)
                self.added.append(NewMember(rels, serialize_xml(self.rels)))
        if self.types_changed:
            types_name = package.member_name(CONTENT_TYPES_PART) or CONTENT_TYPES_PART
            self.replaced[types_name] = serialize_xml(self.types)
        for part in self.new_parts:
            self.added.append(NewMember(part, self.sheet_bytes[part]))
        return write_zip(
            package.archive,
            replaced=self.replaced,
            removed=frozenset(self.removed),
            added=self.added,
        )

    def _drop_part(self, part: str) -> None:
        name = self.package.member_name(part)
        if name is None:
            return
        self.removed.add(name)
        for relation in list(self.rels):
            target = relation.get("Target") or ""
            if target and posixpath.basename(target) == posixpath.basename(part):
                self.rels.remove(relation)
                self.rels_changed = True
        for override in list(self.types):
            if (override.get("PartName") or "").lstrip("/").lower() == name.lower():
                self.types.remove(override)
                self.types_changed = True


# A line of wrapped text in the default font (Calibri 11 pt; LibreOffice's Carlito).
_LINE_HEIGHT = 15.0
_MAX_LINES = 27  # 409 points: the tallest row Excel allows


def _wrapped_heights(
    writes: tuple[CellWrite, ...],
    formats: Mapping[int, ColumnFormat],
    editor: SheetEditor,
) -> dict[int, float]:
    """How tall each row needs to be for the wrapped text written into it to show
    whole (LibreOffice does not fit a row's height to wrapped text when it opens a
    file): a line per column width's worth of characters, for rows over one line."""
    wrapped = {c for c, f in formats.items() if f is ColumnFormat.WRAPPED_TEXT}
    texts = [w for w in writes if w.column in wrapped and w.value.__class__ is str]
    if not texts:
        return {}
    widths = editor.column_widths()
    heights: dict[int, float] = {}
    for write in texts:
        width = max(int(widths.get(write.column, 8.43)), 1)
        lines = sum(
            len(textwrap.wrap(part, width)) or 1
            for part in str(write.value).splitlines() or [""]
        )
        if lines > 1:
            height = min(lines, _MAX_LINES) * _LINE_HEIGHT
            heights[write.row] = max(heights.get(write.row, 0.0), height)
    return heights


def _kind(value: CellValue) -> str:
    """What of a value decides its style: "date", "datetime", "time", "number" or
    "other"."""
    if isinstance(value, datetime):
        return "datetime"
    if isinstance(value, time):
        return "time"
    if isinstance(value, date):
        return "date"
    if isinstance(value, Decimal):
        return "number"
    return "other"


def _new_sheet(spec: TabSpec, styles: StyleBook, ns: str, package: Package) -> bytes:
    """A worksheet part: bold frozen header row, widths, formats and dropdowns."""
    q = f"{{{ns}}}".__add__
    root = etree.fromstring(f'<worksheet xmlns="{ns}" xmlns:r="{package.rel_ns}"/>')
    last = column_letters(len(spec.columns) - 1)
    etree.SubElement(root, q("dimension")).set("ref", f"A1:{last}1")
    view = etree.SubElement(etree.SubElement(root, q("sheetViews")), q("sheetView"))
    view.set("workbookViewId", "0")
    pane = etree.SubElement(view, q("pane"))
    for name, value in (
        ("ySplit", "1"),
        ("topLeftCell", "A2"),
        ("activePane", "bottomLeft"),
        ("state", "frozen"),
    ):
        pane.set(name, value)
    selection = etree.SubElement(view, q("selection"))
    for name, value in (("pane", "bottomLeft"), ("activeCell", "A2"), ("sqref", "A2")):
        selection.set(name, value)
    etree.SubElement(root, q("sheetFormatPr")).set("defaultRowHeight", "15")
    cols = etree.SubElement(root, q("cols"))
    header_style = styles.style_for(ColumnFormat.NUMBER, bold=True)
    row = etree.SubElement(etree.SubElement(root, q("sheetData")), q("row"))
    row.set("r", "1")
    validations = []
    for index, column in enumerate(spec.columns):
        col = etree.SubElement(cols, q("col"))
        col.set("min", str(index + 1))
        col.set("max", str(index + 1))
        col.set("width", _width(column.width))
        style = styles.style_for(column.format)
        if style:
            col.set("style", str(style))
        col.set("customWidth", "1")
        cell = etree.SubElement(row, q("c"))
        cell.set("r", f"{column_letters(index)}1")
        cell.set("s", str(header_style))
        set_value(cell, column.header, main_ns=ns, date1904=package.date1904)
        if column.choices:
            validations.append((index, _choices_formula(spec.name, column.choices)))
    if validations:
        box = etree.SubElement(root, q("dataValidations"))
        box.set("count", str(len(validations)))
        for index, formula in validations:
            rule = etree.SubElement(box, q("dataValidation"))
            letter = column_letters(index)
            for name, value in (
                ("type", "list"),
                ("allowBlank", "1"),
                ("showInputMessage", "1"),
                ("showErrorMessage", "1"),
                ("sqref", f"{letter}2:{letter}{_VALIDATION_LAST_ROW}"),
            ):
                rule.set(name, value)
            etree.SubElement(rule, q("formula1")).text = formula
    margins = etree.SubElement(root, q("pageMargins"))
    for name, value in (
        ("left", "0.7"),
        ("right", "0.7"),
        ("top", "0.75"),
        ("bottom", "0.75"),
        ("header", "0.3"),
        ("footer", "0.3"),
    ):
        margins.set(name, value)
    return serialize_xml(root)


def _width(width: float) -> str:
    if not 0 < width <= 255:
        raise WorkbookWriteError(f"a column width of {width} is outside Excel's 0-255")
    return repr(float(width)).removesuffix(".0")


def _choices_formula(tab: str, choices: tuple[str, ...]) -> str:
    if any(_NOT_XML.search(choice) for choice in choices):
        raise WorkbookWriteError(
            f"cannot make a dropdown in the tab {tab!r}: a choice holds a control "
            "character"
        )
    if any("," in choice for choice in choices):
        raise WorkbookWriteError(
            f"cannot make a dropdown in the tab {tab!r}: a choice contains a comma"
        )
    formula = '"' + ",".join(choice.replace('"', '""') for choice in choices) + '"'
    if len(formula) > 257:
        raise WorkbookWriteError(
            f"cannot make a dropdown in the tab {tab!r}: Excel allows 255 characters "
            "of choices"
        )
    return formula
