"""The parts of a spreadsheet package and how they point at each other: the main
workbook part (found through `_rels/.rels`), its sheets, styles and relationships, in
transitional or strict OOXML; and the one safe XML parser every part goes through.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from sheetbill.errors import WorkbookError
from sheetbill.workbook.xlsx_zip import ZipArchive, ZipFormatError

PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT_MAIN_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
STRICT_REL_NS = "http://purl.oclc.org/ooxml/officeDocument/relationships"
XML_NS = "http://www.w3.org/XML/1998/namespace"
CONTENT_TYPES_PART = "[Content_Types].xml"
WORKSHEET_TYPE = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
)
STYLES_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"

# Entities are never expanded, no DTD or network is ever fetched; huge_tree because a
# sheet row can legitimately hold very long text.
_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    huge_tree=True,
    remove_blank_text=False,
    load_dtd=False,
    dtd_validation=False,
)


def parse_xml(data: bytes, part: str) -> etree._Element:
    """Parse one part safely; a syntax error becomes a WorkbookError naming the part."""
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise WorkbookError(
            f"this is not a valid Excel file (the part {part} is damaged XML: "
            f"{' '.join(str(exc).split())[:160]})"
        ) from exc
    if root.getroottree().docinfo.internalDTD is not None:
        raise WorkbookError(
            f"this file contains an XML entity declaration (DOCTYPE) in {part}, which "
            "sheetbill refuses for safety"
        )
    return root


def serialize_xml(root: etree._Element) -> bytes:
    """A part as bytes, with the usual declaration Excel writes."""
    body: bytes = etree.tostring(root, encoding="UTF-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n' + body


@dataclass(frozen=True, slots=True)
class Relationship:
    """One relationship of a part; `part` is the target's zip name, None if external."""

    id: str
    type: str
    target: str
    part: str | None

    @property
    def kind(self) -> str:
        """The last segment of the type, e.g. "worksheet" (same in strict OOXML)."""
        return self.type.rstrip("/").rpartition("/")[2]


@dataclass(frozen=True, slots=True)
class SheetEntry:
    """A `<sheet>` of workbook.xml with the part it points at."""

    name: str
    sheet_id: int
    rel_id: str
    part: str | None
    kind: str


def rels_part_of(part: str) -> str:
    """The relationships part of `part` (`xl/_rels/workbook.xml.rels` for the book)."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


class Package:
    """The workbook part and what hangs off it, read from an opened (checked) zip."""

    def __init__(self, archive: ZipArchive, path: Path) -> None:
        self.archive = archive
        self.path = path
        self._names = {name.lower(): name for name in archive.by_name}
        root_rels = self.relationships("")
        main = [r for r in root_rels if r.kind == "officeDocument" and r.part]
        if not main or main[0].part is None:
            raise WorkbookError(
                "this is not an Excel workbook (the zip holds no workbook part)",
                path=path,
            )
        self.workbook_part: str = main[0].part
        self.workbook = self.parse(self.workbook_part)
        self.main_ns = etree.QName(self.workbook).namespace or MAIN_NS
        self.rel_ns = STRICT_REL_NS if self.main_ns == STRICT_MAIN_NS else REL_NS
        self.workbook_rels_part = rels_part_of(self.workbook_part)
        self.workbook_rels = self.relationships(self.workbook_part)
        by_id = {r.id: r for r in self.workbook_rels}
        self.sheets: list[SheetEntry] = []
        for node in self.workbook.iter(f"{{{self.main_ns}}}sheet"):
            rel_id = node.get(f"{{{self.rel_ns}}}id") or node.get(f"{{{REL_NS}}}id")
            rel = by_id.get(rel_id or "")
            self.sheets.append(
                SheetEntry(
                    name=node.get("name", ""),
                    sheet_id=_int(node.get("sheetId")),
                    rel_id=rel_id or "",
                    part=rel.part if rel else None,
                    kind=rel.kind if rel else "",
                )
            )
        self.styles_part = self._first_part("styles")
        self.calc_chain_part = self._first_part("calcChain")
        properties = self.workbook.find(f"{{{self.main_ns}}}workbookPr")
        flag = "" if properties is None else properties.get("date1904", "")
        self.date1904 = flag.strip().lower() in ("1", "true")

    def _first_part(self, kind: str) -> str | None:
        return next((r.part for r in self.workbook_rels if r.kind == kind), None)

    def member_name(self, part: str) -> str | None:
        """The zip name of a part, matched without regard to case as OPC wants."""
        return self._names.get(part.lower())

    def read(self, part: str) -> bytes:
        name = self.member_name(part)
        if name is None:
            raise WorkbookError(
                f"this is not a valid Excel file (the part {part} is missing)",
                path=self.path,
            )
        try:
            return self.archive.read(name)
        except ZipFormatError as exc:
            raise WorkbookError(
                f"this is not a valid Excel file ({exc})", path=self.path
            ) from exc

    def parse(self, part: str) -> etree._Element:
        try:
            return parse_xml(self.read(part), part)
        except WorkbookError as exc:
            exc.path = self.path
            raise

    def relationships(self, source: str) -> list[Relationship]:
        """The relationships of `source` ("" for the package), targets resolved."""
        rels_part = rels_part_of(source) if source else "_rels/.rels"
        if self.member_name(rels_part) is None:
            return []
        root = self.parse(rels_part)
        folder = posixpath.dirname(source)
        found = []
        for node in root.iter(f"{{{PKG_REL_NS}}}Relationship"):
            target = node.get("Target", "")
            external = node.get("TargetMode", "") == "External"
            part = None if external else self._resolve(folder, target)
            found.append(
                Relationship(node.get("Id", ""), node.get("Type", ""), target, part)
            )
        return found

    def _resolve(self, folder: str, target: str) -> str:
        raw = target.split("#", 1)[0]
        joined = raw[1:] if raw.startswith("/") else posixpath.join(folder, raw)
        part = posixpath.normpath(joined).lstrip("/")
        if self.member_name(part) is None and self.member_name(unquote(part)):
            part = unquote(part)
        return self.member_name(part) or part


def relative_target(source: str, part: str) -> str:
    """How a relationship of `source` names `part`."""
    return posixpath.relpath(part, posixpath.dirname(source) or ".")


def _int(text: str | None) -> int:
    try:
        return int(text or 0)
    except ValueError:
        return 0
