"""The workbook's styles part: finding or appending the number formats, bold font and
cell formats (`xf`) sheetbill needs.

Append only: cells point at fonts, formats and xfs by index, so nothing is ever
reordered or removed; an entry equal to one we need is reused, so repeated runs do not
grow the part.
"""

from __future__ import annotations

import re
from copy import deepcopy

from lxml import etree

from sheetbill.domain.sheet import ColumnFormat

DATE_CODE = "yyyy-mm-dd"
DATETIME_CODE = "yyyy-mm-dd hh:mm"
TIME_FORMAT_ID = 21  # built-in h:mm:ss
# Built-in ids are language-independent where the code is; dates get our own codes.
_FORMAT_IDS = {
    ColumnFormat.TEXT: 49,  # @
    ColumnFormat.WRAPPED_TEXT: 49,  # @, and wrapped (`with_wrap`)
    ColumnFormat.MONEY: 4,  # #,##0.00
    ColumnFormat.NUMBER: 0,  # General
    ColumnFormat.INTEGER: 1,  # 0
}
_FORMAT_CODES = {ColumnFormat.DATE: DATE_CODE, ColumnFormat.DATETIME: DATETIME_CODE}
# Money with 0 and 2 decimals has built-in, language-independent ids (#,##0 and
# #,##0.00); other counts get a code of our own. A money cell showing one of these,
# or General, is shown with its currency's decimals; a format a person chose is kept.
_MONEY_IDS = {0: 3, 2: 4}
_MONEY_CODE = re.compile(r"#,##0(\.0+)?")
_BUILTIN_DATE_IDS = frozenset(
    [*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59), *range(71, 82)]
)
_NOT_DATE_PARTS = re.compile(r'"[^"]*"|\\.|_.|\*.|\[(?![hms]+\])[^\]]*\]')
# Children of styleSheet in schema order, to put a missing list at the right place.
_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs")

EMPTY_STYLES = (
    "<styleSheet xmlns='{ns}'>"
    "<fonts count='1'><font><sz val='11'/><name val='Calibri'/><family val='2'/></font>"
    "</fonts>"
    "<fills count='2'><fill><patternFill patternType='none'/></fill>"
    "<fill><patternFill patternType='gray125'/></fill></fills>"
    "<borders count='1'><border/></borders>"
    "<cellStyleXfs count='1'><xf numFmtId='0' fontId='0' fillId='0' borderId='0'/>"
    "</cellStyleXfs>"
    "<cellXfs count='1'><xf numFmtId='0' fontId='0' fillId='0' borderId='0' xfId='0'/>"
    "</cellXfs>"
    "<cellStyles count='1'><cellStyle name='Normal' xfId='0' builtinId='0'/>"
    "</cellStyles></styleSheet>"
)


def is_date_code(code: str) -> bool:
    """Whether a number format code shows a date or time (y m d h s outside quotes,
    escapes and [colour]/[$-locale] brackets)."""
    stripped = _NOT_DATE_PARTS.sub("", code).lower().replace("general", "")
    return any(char in stripped for char in "ymdhs")


class StyleBook:
    """The styles part as an element tree, with the lookups and appends we need."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.ns = etree.QName(root).namespace or ""
        self.changed = False
        self._formats: dict[int, str] = {}
        # Asked per written cell: answers kept per style id until the part changes.
        self._xf_cache: list[etree._Element] | None = None
        self._date_styles: dict[int, bool] = {}
        for node in self._list("numFmts", create=False):
            fmt_id = _int(node.get("numFmtId"), -1)
            self._formats[fmt_id] = node.get("formatCode", "")

    def _q(self, name: str) -> str:
        return f"{{{self.ns}}}{name}" if self.ns else name

    def _list(self, name: str, *, create: bool) -> list[etree._Element]:
        parent = self._parent(name, create=create)
        return [] if parent is None else list(parent.iterchildren(self._q_child(name)))

    def _q_child(self, name: str) -> str:
        child = {"numFmts": "numFmt", "fonts": "font", "fills": "fill"}.get(name, "xf")
        return self._q("border" if name == "borders" else child)

    def _parent(self, name: str, *, create: bool) -> etree._Element | None:
        node = self.root.find(self._q(name))
        if node is not None or not create:
            return node
        node = etree.Element(self._q(name))
        position = _ORDER.index(name)
        later = {self._q(n) for n in _ORDER[position + 1 :]}
        for index, child in enumerate(self.root):
            if child.tag in later:
                self.root.insert(index, node)
                break
        else:
            self.root.append(node)
        self.changed = True
        return node

    def _append(self, name: str, element: etree._Element) -> int:
        parent = self._parent(name, create=True)
        assert parent is not None
        parent.append(element)
        count = len(list(parent.iterchildren(self._q_child(name))))
        parent.set("count", str(count))
        self.changed = True
        self._xf_cache = None
        self._date_styles.clear()
        return count - 1

    # Number formats -------------------------------------------------------------------

    def format_id(self, code: str) -> int:
        """The id of a custom number format with `code`, appended when missing."""
        for fmt_id, existing in self._formats.items():
            if existing == code and fmt_id >= 164:
                return fmt_id
        fmt_id = max([163, *self._formats]) + 1
        node = etree.Element(self._q("numFmt"))
        node.set("numFmtId", str(fmt_id))
        node.set("formatCode", code)
        self._append("numFmts", node)
        self._formats[fmt_id] = code
        return fmt_id

    def money_format_id(self, decimals: int) -> int:
        """The id of `#,##0` with `decimals` decimals (built in for 0 and 2)."""
        if decimals in _MONEY_IDS:
            return _MONEY_IDS[decimals]
        return self.format_id("#,##0." + "0" * decimals)

    def is_plain_money_format(self, fmt_id: int) -> bool:
        """General, or `#,##0` with some decimals: what sheetbill's money columns
        show, rather than a format a person chose (a currency sign, colours)."""
        if fmt_id == 0 or fmt_id in _MONEY_IDS.values():
            return True
        code = self._formats.get(fmt_id)
        return code is not None and fmt_id >= 164 and bool(_MONEY_CODE.fullmatch(code))

    def is_date_format(self, fmt_id: int) -> bool:
        if fmt_id in self._formats:
            return is_date_code(self._formats[fmt_id])
        return fmt_id in _BUILTIN_DATE_IDS

    # Cell formats ---------------------------------------------------------------------

    def _xfs(self) -> list[etree._Element]:
        if self._xf_cache is None:
            self._xf_cache = self._list("cellXfs", create=False)
        return self._xf_cache

    def is_date_style(self, index: int | None) -> bool:
        if index is None:
            return False
        known = self._date_styles.get(index)
        if known is None:
            xfs = self._xfs()
            known = 0 <= index < len(xfs) and self.is_date_format(
                _int(xfs[index].get("numFmtId"), 0)
            )
            self._date_styles[index] = known
        return known

    def number_format_of(self, index: int | None) -> int:
        xfs = self._xfs()
        if index is None or not 0 <= index < len(xfs):
            return 0
        return _int(xfs[index].get("numFmtId"), 0)

    def style_for(self, fmt: ColumnFormat, *, bold: bool = False) -> int:
        """An xf showing `fmt` in the default font (bold for headers)."""
        fmt_id = _FORMAT_IDS.get(fmt)
        if fmt_id is None:
            fmt_id = self.format_id(_FORMAT_CODES[fmt])
        xf = etree.Element(self._q("xf"))
        for name, value in (
            ("numFmtId", fmt_id),
            ("fontId", self._bold_font() if bold else 0),
            ("fillId", 0),
            ("borderId", 0),
            ("xfId", 0),
        ):
            xf.set(name, str(value))
        if fmt_id:
            xf.set("applyNumberFormat", "1")
        if bold:
            xf.set("applyFont", "1")
        if fmt is ColumnFormat.WRAPPED_TEXT:
            self._wrap(xf)
        return self._find_or_append_xf(xf)

    def is_wrapped_style(self, index: int | None) -> bool:
        xfs = self._xfs()
        if index is None or not 0 <= index < len(xfs):
            return False
        alignment = xfs[index].find(self._q("alignment"))
        return alignment is not None and alignment.get("wrapText") in ("1", "true")

    def with_wrap(self, index: int | None) -> int:
        """The style `index` (or the default) with its text wrapped at the column's
        width; its font, fill, border and number format stay."""
        xfs = self._xfs()
        if index is not None and 0 <= index < len(xfs):
            xf = deepcopy(xfs[index])
            xf.tail = None
        else:
            xf = etree.Element(self._q("xf"))
            for name in ("numFmtId", "fontId", "fillId", "borderId", "xfId"):
                xf.set(name, "0")
        self._wrap(xf)
        return self._find_or_append_xf(xf)

    def _wrap(self, xf: etree._Element) -> None:
        alignment = xf.find(self._q("alignment"))
        if alignment is None:
            # The first child of an xf, before <protection> (schema order).
            alignment = etree.Element(self._q("alignment"))
            xf.insert(0, alignment)
        alignment.set("wrapText", "1")
        xf.set("applyAlignment", "1")

    def with_number_format(self, index: int | None, *, fmt_id: int) -> int:
        """The style `index` (or the default) showing number format `fmt_id` instead."""
        xfs = self._xfs()
        if index is not None and 0 <= index < len(xfs):
            xf = deepcopy(xfs[index])
            xf.tail = None
        else:
            xf = etree.Element(self._q("xf"))
            for name in ("fontId", "fillId", "borderId", "xfId"):
                xf.set(name, "0")
        xf.set("numFmtId", str(fmt_id))
        xf.set("applyNumberFormat", "1")
        return self._find_or_append_xf(xf)

    def date_format_id(self, kind: str) -> int:
        """The number format for a value of `kind` ("date", "datetime" or "time")."""
        if kind == "time":
            return TIME_FORMAT_ID
        return self.format_id(DATETIME_CODE if kind == "datetime" else DATE_CODE)

    def _find_or_append_xf(self, xf: etree._Element) -> int:
        if not self._xfs():
            default = etree.Element(self._q("xf"))
            for name in ("numFmtId", "fontId", "fillId", "borderId", "xfId"):
                default.set(name, "0")
            self._append("cellXfs", default)
        wanted = _key(xf)
        for index, existing in enumerate(self._xfs()):
            if _key(existing) == wanted:
                return index
        return self._append("cellXfs", xf)

    def _bold_font(self) -> int:
        fonts = self._list("fonts", create=True)
        if fonts:
            bold = deepcopy(fonts[0])
            bold.tail = None
            for node in bold.findall(self._q("b")):
                bold.remove(node)
        else:
            bold = etree.Element(self._q("font"))
        bold.insert(0, etree.Element(self._q("b")))
        wanted = _key(bold)
        for index, existing in enumerate(fonts):
            if _key(existing) == wanted:
                return index
        return self._append("fonts", bold)


_Key = tuple[str, tuple[tuple[str, str], ...], str, tuple["_Key", ...]]


def _key(element: etree._Element) -> _Key:
    """A comparable form of an element, whatever prefixes its namespaces have."""
    return (
        str(element.tag),
        tuple(sorted((str(k), str(v)) for k, v in element.attrib.items())),
        (element.text or "").strip(),
        tuple(_key(child) for child in element if isinstance(child.tag, str)),
    )


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default
