"""A raw-XML .xlsx builder for tests: every cell exactly as it stands in the file.

openpyxl (and sheetbill's own writer) refuse or repair what a hostile or odd file can
hold: error cells, NaN or `1e400` as a number, serials far outside the calendar under a
date or duration format, ISO date cells of year 0. This writes them as given.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from sheetbill.domain.sheet import column_letters

# Index into the cellXfs written by `write_xlsx` (what number format the cell has).
GENERAL, DATE, DATETIME, CLOCK, DURATION, LONG_DURATION, TEXT, PERCENT = range(8)
_CELL_XFS = (
    (0, False),  # General
    (14, True),  # m/d/yyyy
    (22, True),  # m/d/yy h:mm
    (20, True),  # h:mm
    (164, True),  # [h]:mm
    (165, True),  # [h]:mm:ss
    (49, True),  # @ (text)
    (10, True),  # 0.00%
)


@dataclass(frozen=True, slots=True)
class RawCell:
    """One cell: `kind` is the OOXML cell type (n number, b boolean, e error, d ISO
    date, str formula text, inlineStr text); `text` goes into <v> (or <t>) as is."""

    kind: str
    text: str
    style: int = GENERAL

    def xml(self, ref: str) -> str:
        style = f' s="{self.style}"' if self.style else ""
        if self.kind == "inlineStr":
            return (
                f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">'
                f"{xml_text(self.text)}</t></is></c>"
            )
        kind = "" if self.kind == "n" else f' t="{self.kind}"'
        return f'<c r="{ref}"{style}{kind}><v>{xml_text(self.text)}</v></c>'


def text(value: str) -> RawCell:
    return RawCell("inlineStr", value)


def number(value: object, style: int = GENERAL) -> RawCell:
    return RawCell("n", str(value), style)


# Characters XML 1.0 cannot hold; OOXML writes them as _xHHHH_.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    value = value.replace("_x", "_x005F_x")
    value = _NOT_XML.sub(lambda m: f"_x{ord(m[0]):04X}_", value)
    return escape(value, {'"': "&quot;"})


Grid = Sequence[Sequence[RawCell | None]]


def write_xlsx(path: Path, sheets: Mapping[str, Grid]) -> None:
    """A workbook with these tabs in order; row 1 of each grid is sheet row 1."""
    names = list(sheets)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(names) + 1)
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f"{overrides}</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats'
        '.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    )
    sheet_list = "".join(
        f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{i}" '
        f'r:id="rId{i}"/>'
        for i, name in enumerate(names, start=1)
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships"><sheets>{sheet_list}</sheets></workbook>'
    )
    relation = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    workbook_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{relation}/worksheet" '
            f'Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(names) + 1)
        )
        + f'<Relationship Id="rId{len(names) + 1}" Type="{relation}/styles" '
        'Target="styles.xml"/></Relationships>'
    )
    xfs = "".join(
        f'<xf numFmtId="{fmt}" fontId="0" fillId="0" borderId="0" xfId="0"'
        f"{' applyNumberFormat=' + chr(34) + '1' + chr(34) if apply else ''}/>"
        for fmt, apply in _CELL_XFS
    )
    styles = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
        'main"><numFmts count="2"><numFmt numFmtId="164" formatCode="[h]:mm"/>'
        '<numFmt numFmtId="165" formatCode="[h]:mm:ss"/></numFmts>'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/>'
        "</border></borders>"
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
        'borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{len(_CELL_XFS)}">{xfs}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
        "</cellStyles></styleSheet>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        archive.writestr("xl/styles.xml", styles)
        for i, name in enumerate(names, start=1):
            archive.writestr(f"xl/worksheets/sheet{i}.xml", _sheet_xml(sheets[name]))


def _sheet_xml(grid: Grid) -> str:
    rows = []
    for number_, cells in enumerate(grid, start=1):
        xml = "".join(
            cell.xml(f"{column_letters(i)}{number_}")
            for i, cell in enumerate(cells)
            if cell is not None
        )
        if xml:
            rows.append(f'<row r="{number_}">{xml}</row>')
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{''.join(rows)}</sheetData></worksheet>"
    )
