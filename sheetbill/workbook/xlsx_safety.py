"""Checks that refuse hostile or broken workbooks before any parser sees them.

Cheapest first: file signature, zip structure, encryption, unpacked size and compression
ratio; then one streaming pass over every part (checksums, no DOCTYPE/ENTITY in an XML
prolog, no outside schema in an XML map) that also gathers what bounds the memory
calamine will use: each sheet's used range (calamine allocates rows x columns) and how
far shared strings expand when copied into every cell that uses them.
"""

from __future__ import annotations

import codecs
import html
import itertools
import re
from array import array
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sheetbill.domain.sheet import UnsavedFormula
from sheetbill.errors import WorkbookError
from sheetbill.workbook.xlsx_zip import ZipArchive, ZipFormatError, ZipMember

MAX_UNPACKED_BYTES = 256 * 2**20
MAX_RATIO = 200  # real sheets compress 5-30x; checked on parts over 1 MB
MAX_PROLOG_BYTES = 64 * 2**10
MAX_SHEET_CELLS = 8_000_000  # calamine holds rows x columns cells of 32 bytes each
MAX_SHARED_STRING_BYTES = 256 * 2**10  # Excel's cell limit is 32,767 characters
MAX_STRING_EXPANSION = 200 * 2**20
EXCEL_MAX_TEXT = 32_767

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_SHEET_ROOTS = {"worksheet", "dialogsheet", "macrosheet"}
_ENCODINGS = {"utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin-1", "cp1252"}
_ENCODINGS |= {"windows-1252", "utf-16", "utf-16le", "utf-16be"}
_OVERLAP = 4096

_DECL = re.compile(r"<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']+)[\"']")
_R_NUMBER = re.compile(rb"\sr\s*=\s*[\"']([0-9]+)[\"']")
# A literal start (' r="') keeps these scans at memory speed.
_LONG_COLUMN = re.compile(rb' r="([A-Z]{2,3})[0-9]')
_BIG_ROW = re.compile(rb' r="[A-Z]{1,3}([0-9]{6,})"')
_TOKEN = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)\b([^>]*)>")
_CELL_REF = re.compile(rb"\sr\s*=\s*[\"']([A-Z]{1,3})([0-9]+)[\"']")
_STRING_CELL = re.compile(rb't="s"[^>]*>\s*<(?:[\w.-]+:)?v>\s*([0-9]+)\s*<')
_VALUE = re.compile(rb"<v>([^<]*)</v>")
_MAX_ERRORS = 100_000
# The end of a formula cell that holds no result: the formula's end (`</f>`, or `/>` of
# a shared formula's `<f .../>`), then no <v> or an empty one, then the cell's end.
# Each starts with two literal bytes, which `re` finds fast (a sheet of formulas with
# results costs a few hundredths of a second per 100,000 rows).
_NS = rb"(?:[\w.-]+:)?"
_NO_RESULT = (
    rb"\s*(?:<"
    + _NS
    + rb"v\s*/>|<"
    + _NS
    + rb"v>\s*</"
    + _NS
    + rb"v>)?\s*</"
    + _NS
    + rb"c>"
)
_FORMULA_END = re.compile(rb"f>" + _NO_RESULT)
_EMPTY_ELEMENT_END = re.compile(rb"/>" + _NO_RESULT)
_FORMULA_TAG = re.compile(rb"<" + _NS + rb"f\b")
_FORMULA_TEXT = re.compile(rb"<" + _NS + rb"f\b[^>]*>([^<]*)</")
_EMPTY_VALUE = re.compile(rb"<" + _NS + rb"v>\s*</")
_FAR_NUMBER = re.compile(rb"<v>(?:-|[0-9]{8}|[0-9.]+[eE]|[nNiI])")
_SI = re.compile(rb"<(?:[\w.-]+:)?si[\s>/]")
_SCHEMA_LOCATION = re.compile(rb"schemaLocation\s*=\s*[\"']([^\"']*)[\"']")
_COUNT_ATTR = re.compile(rb"\s(count|uniqueCount)\s*=\s*[\"']([0-9]+)[\"']")


@dataclass(slots=True)
class SheetScan:
    """What one streaming pass learnt about a sheet part (bounds, not exact figures)."""

    size: int = 0
    long_columns: set[bytes] = field(default_factory=set)
    max_big_row: int = 0
    cells: int = 0
    addressed_cells: int = 0
    string_cells: int = 0
    prefixed: bool = False
    # Cells holding an error value (#REF!, #N/A), or a formula whose result was never
    # saved (an UnsavedFormula): calamine reads them as empty, but they are a person's
    # cells, so the reader shows what they hold instead.
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    # Some number is negative, has 8 digits or more, an exponent, or is NaN/INF: under
    # a date or duration format calamine may misread it, fail or panic (see
    # excel_reader.plain_far_numbers).
    has_far_numbers: bool = False


@dataclass(slots=True)
class StringsScan:
    """Positions of the shared strings, to bound how far each expands."""

    size: int = 0
    starts: array[int] = field(default_factory=lambda: array("q"))
    count: int = 0
    unique_count: int = 0


@dataclass(slots=True)
class PackageScan:
    """The result of the streaming pass over a whole package."""

    sheets: dict[str, SheetScan] = field(default_factory=dict)
    strings: dict[str, StringsScan] = field(default_factory=dict)
    # The unpacked XML of worksheets at least `keep_above` bytes long (see
    # open_checked), so a reader can split them without unpacking them again.
    contents: dict[str, bytes] = field(default_factory=dict)


def open_checked(
    data: bytes, path: Path, *, keep_above: int | None = None
) -> tuple[ZipArchive, PackageScan]:
    """Refuse what is not a safe .xlsx; return the opened zip and the scan results.

    With `keep_above`, worksheets of at least that many bytes unpacked are kept in
    `PackageScan.contents`.
    """
    _check_signature(data, path)
    try:
        archive = ZipArchive(data)
    except ZipFormatError as exc:
        raise _damaged(exc, path) from exc
    _check_members(archive, path)
    scan = PackageScan()
    for member in archive.members:
        try:
            _scan_member(archive, member, scan, path, keep_above)
        except ZipFormatError as exc:
            if str(exc) == "encrypted":
                raise _encrypted(path) from exc
            raise _damaged(exc, path) from exc
    return archive, scan


def check_contents(
    archive: ZipArchive, scan: PackageScan, sheet_tabs: Mapping[str, str], path: Path
) -> None:
    """Refuse sheets whose used range or shared strings would take too much memory.

    `sheet_tabs` maps each worksheet part to its tab name, for the message.
    """
    for part, sheet in scan.sheets.items():
        tab = sheet_tabs.get(part, part)
        rows, columns = _fast_extent(sheet)
        if rows * columns > MAX_SHEET_CELLS:
            rows, columns = _exact_extent(archive, archive.by_name[part], path)
        if rows * columns > MAX_SHEET_CELLS:
            raise WorkbookError(
                f"the tab {tab!r} spans {rows:,} rows x {columns:,} columns, more than "
                f"sheetbill reads ({MAX_SHEET_CELLS:,} cells); delete stray cells far "
                "below or to the right of the data and save again",
                path=path,
            )
    total_sheet_bytes = sum(s.size for s in scan.sheets.values())
    string_cells = sum(s.string_cells for s in scan.sheets.values())
    for strings in scan.strings.values():
        _check_strings(archive, scan, strings, total_sheet_bytes, string_cells, path)


def _check_signature(data: bytes, path: Path) -> None:
    if not data:
        raise WorkbookError("this file is empty, not an Excel workbook", path=path)
    if data.startswith(_OLE2):
        if _ENCRYPTION_INFO in data[:1_048_576] or _ENCRYPTION_INFO in data:
            raise _encrypted(path)
        raise WorkbookError(
            "this is an old-style Excel 97-2003 (.xls) or other Office binary file; "
            "save it as an Excel Workbook (.xlsx) and point sheetbill at that",
            path=path,
        )
    if not data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        head = data[:512]
        kind = "a text or CSV file" if _looks_like_text(head) else "not a zip"
        raise WorkbookError(
            f"this is not an Excel workbook ({kind}); sheetbill reads .xlsx and .xlsm "
            "files",
            path=path,
        )


def _looks_like_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in head


def _damaged(exc: ZipFormatError, path: Path) -> WorkbookError:
    return WorkbookError(f"this is not a valid Excel file ({exc})", path=path)


def _encrypted(path: Path) -> WorkbookError:
    return WorkbookError(
        "this file is password-protected (encrypted); save an unprotected copy and "
        "point sheetbill at it",
        path=path,
    )


def _check_members(archive: ZipArchive, path: Path) -> None:
    names = set(archive.by_name)
    if "mimetype" in names and archive.by_name["mimetype"].size < 200:
        mimetype = archive.read("mimetype")
        if mimetype.startswith(b"application/vnd.oasis.opendocument"):
            raise WorkbookError(
                "this is an OpenDocument file (.ods), not an Excel workbook; save it "
                "as an Excel Workbook (.xlsx) and point sheetbill at that",
                path=path,
            )
    total = 0
    for member in archive.members:
        info = member.info
        if info.flag_bits & 0x01:
            raise _encrypted(path)
        total += info.file_size
        if total > MAX_UNPACKED_BYTES:
            raise WorkbookError(
                f"the file would expand to more than {MAX_UNPACKED_BYTES // 2**20} MB "
                "when unpacked, more than sheetbill reads (a very large workbook or a "
                "zip bomb)",
                path=path,
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 2**20 and ratio > MAX_RATIO:
            raise WorkbookError(
                f"the part {member.name} would expand {ratio:,.0f} times when "
                "unpacked, which sheetbill refuses for safety (a zip bomb?)",
                path=path,
            )
    if "[Content_Types].xml" not in names:
        raise WorkbookError(
            "this is not a valid Excel file (it has no [Content_Types].xml part)",
            path=path,
        )


def _scan_member(
    archive: ZipArchive,
    member: ZipMember,
    scan: PackageScan,
    path: Path,
    keep_above: int | None,
) -> None:
    chunks = archive.chunks(member)
    if not member.name.lower().endswith(_XML_SUFFIXES):
        for _ in chunks:
            pass
        return
    first = next(chunks, b"")
    if not first:
        return
    root, encoding = _check_prolog(first[:MAX_PROLOG_BYTES], member.name, path)
    local = root.rpartition(":")[2]
    if local in _SHEET_ROOTS or local == "sst":
        if encoding not in ("utf-8", "utf8"):
            # calamine reads sheets and shared strings in UTF-8 only.
            raise WorkbookError(
                f"the part {member.name} is stored in the text encoding {encoding!r}, "
                "which sheetbill does not read; open the file in Excel and save it "
                "again",
                path=path,
            )
        if local == "sst":
            scan.strings[member.name] = _scan_strings(_chained(first, chunks))
        elif (
            local == "worksheet"
            and keep_above is not None
            and member.size >= keep_above
        ):
            whole = b"".join(_chained(first, chunks))
            scan.sheets[member.name] = _scan_sheet(iter((whole,)), root)
            scan.contents[member.name] = whole
        else:
            scan.sheets[member.name] = _scan_sheet(_chained(first, chunks), root)
        return
    if local == "MapInfo":
        for buffer, _ in _buffers(_chained(first, chunks)):
            found = _SCHEMA_LOCATION.search(buffer)
            if found:
                where = found.group(1).decode("utf-8", "replace")[:80] or "elsewhere"
                raise WorkbookError(
                    f"this file contains an XML map whose schema points at {where}, "
                    "which sheetbill refuses for safety; remove the XML map and save "
                    "again",
                    path=path,
                )
        return
    for _ in chunks:
        pass


def _chained(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest


def _check_prolog(head: bytes, name: str, path: Path) -> tuple[str, str]:
    """The root element's name and the encoding (as declared, else as sniffed);
    refuses a DOCTYPE or ENTITY."""
    sniffed = _sniff_encoding(head)
    text = codecs.decode(head, sniffed, "replace")
    declared = _DECL.match(text.lstrip("\ufeff"))
    encoding = sniffed
    if declared:
        name_of = encoding = declared.group(1).strip().lower()
        if name_of not in _ENCODINGS:
            raise WorkbookError(
                f"the part {name} uses the text encoding {name_of!r}, which sheetbill "
                "does not read",
                path=path,
            )
    pos = 1 if text.startswith("\ufeff") else 0
    while True:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        if text.startswith("<?", pos):
            end = text.find("?>", pos)
            pos = -1 if end < 0 else end + 2
        elif text.startswith("<!--", pos):
            end = text.find("-->", pos)
            pos = -1 if end < 0 else end + 3
        elif text.startswith("<!", pos):
            raise WorkbookError(
                f"this file contains an XML entity declaration (DOCTYPE) in {name}, "
                "which sheetbill refuses for safety",
                path=path,
            )
        elif text.startswith("<", pos):
            match = re.match(r"<([A-Za-z_][\w.:-]*)", text[pos:])
            if match:
                return match.group(1), encoding
            pos = -1
        else:
            pos = -1
        if pos < 0:
            break
    if len(head) >= MAX_PROLOG_BYTES:
        raise WorkbookError(
            f"the part {name} starts with more than {MAX_PROLOG_BYTES // 1024} KB "
            "before its first element, which sheetbill refuses for safety",
            path=path,
        )
    raise WorkbookError(
        f"this is not a valid Excel file (the part {name} is not XML)", path=path
    )


def _sniff_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(b"<\x00"):
        return "utf-16-le"
    if head.startswith(codecs.BOM_UTF16_BE) or head.startswith(b"\x00<"):
        return "utf-16-be"
    return "utf-8"


def _buffers(chunks: Iterator[bytes]) -> Iterator[tuple[bytes, int]]:
    """Each chunk with the tail of the one before, and the buffer's absolute offset, so
    a pattern cut by a chunk boundary is still found whole."""
    tail = b""
    offset = 0
    for chunk in chunks:
        yield tail + chunk, offset - len(tail)
        offset += len(chunk)
        tail = (tail + chunk)[-_OVERLAP:]


def _scan_sheet(chunks: Iterator[bytes], root: str) -> SheetScan:
    sheet = SheetScan(prefixed=":" in root)
    for buffer, base in _buffers(chunks):
        sheet.size = base + len(buffer)
        sheet.long_columns.update(_LONG_COLUMN.findall(buffer))
        for big in _BIG_ROW.findall(buffer):
            sheet.max_big_row = max(sheet.max_big_row, int(big))
        sheet.cells += _new_count(buffer, base, (b"<c ", b"<c>"))
        sheet.addressed_cells += _new_count(buffer, base, (b'<c r="',))
        sheet.string_cells += _new_count(buffer, base, (b't="s"',))
        if _new_count(buffer, base, (b't="e"',)) and len(sheet.errors) < _MAX_ERRORS:
            _collect_errors(buffer, sheet.errors)
        if (b"<f" in buffer or sheet.prefixed) and len(sheet.errors) < _MAX_ERRORS:
            _collect_unsaved_formulas(buffer, sheet.errors)
        if not sheet.has_far_numbers and _FAR_NUMBER.search(buffer):
            sheet.has_far_numbers = True
    return sheet


def _collect_errors(buffer: bytes, errors: dict[tuple[int, int], str]) -> None:
    pos = buffer.find(b't="e"')
    while pos >= 0 and len(errors) < _MAX_ERRORS:
        start = buffer.rfind(b"<", 0, pos)
        tag_end = buffer.find(b">", pos)
        close = buffer.find(b"</c>", tag_end)
        ref = _CELL_REF.search(buffer, start, tag_end)
        if start >= 0 and tag_end > 0 and close > 0 and ref:
            value = _VALUE.search(buffer, tag_end, close)
            text = value.group(1).decode("utf-8", "replace").strip() if value else ""
            row, column = int(ref.group(2)), _column_number(ref.group(1)) - 1
            errors[(row, column)] = text or "#VALUE!"
        pos = buffer.find(b't="e"', pos + 1)


def _collect_unsaved_formulas(
    buffer: bytes, errors: dict[tuple[int, int], str]
) -> None:
    """Formula cells without a result, as UnsavedFormula("=formula"): a file written
    by a program that does not calculate (Excel and LibreOffice save the result)."""
    ends = [m for m in _FORMULA_END.finditer(buffer) if buffer[m.start() - 1] in b"/:"]
    if b"shared" in buffer:  # `<f t="shared" si="0"/>`: a shared formula's cells
        for match in _EMPTY_ELEMENT_END.finditer(buffer):
            tag = buffer.rfind(b"<", 0, match.start())
            if tag >= 0 and _FORMULA_TAG.match(buffer, tag):
                ends.append(match)
    for match in ends:
        if len(errors) >= _MAX_ERRORS:
            return
        end = match.start()
        start = max(buffer.rfind(b"<c ", 0, end), buffer.rfind(b"<c>", 0, end))
        prefixed = buffer.rfind(b":c ", 0, end)
        if prefixed > start:
            start = buffer.rfind(b"<", 0, prefixed)
        tag_end = buffer.find(b">", start)
        ref = _CELL_REF.search(buffer, start, tag_end) if start >= 0 else None
        if ref is None:
            continue
        kind = _TYPE_ATTR.search(buffer, start, tag_end)
        if (
            kind
            and kind.group(1) == b"str"
            and _EMPTY_VALUE.search(buffer, end, match.end())
        ):
            continue  # a formula whose result is "" (an empty text), saved as such
        formula = _FORMULA_TEXT.search(buffer, tag_end, match.end())
        text = formula.group(1).decode("utf-8", "replace") if formula else ""
        row, column = int(ref.group(2)), _column_number(ref.group(1)) - 1
        shown = html.unescape(text).strip() or "…"
        errors.setdefault((row, column), UnsavedFormula(f"={shown}"))


_TYPE_ATTR = re.compile(rb"\st\s*=\s*[\"']([a-zA-Z]*)[\"']")


def _new_count(buffer: bytes, base: int, needles: tuple[bytes, ...]) -> int:
    # The first _OVERLAP bytes were counted with the previous buffer, if any.
    head = buffer[: min(_OVERLAP, len(buffer))] if base > 0 else b""
    return sum(buffer.count(n) - head.count(n) for n in needles)


def _fast_extent(sheet: SheetScan) -> tuple[int, int]:
    """An upper bound of rows and columns from cheap counts.

    calamine's range spans the cells that hold a value. When every cell starts with its
    address (`<c r="B7"`, as Excel, LibreOffice and the usual libraries write), rows
    below 100,000 and columns below AA need no look; otherwise (cells placed by
    position, a prefixed namespace) the bound is over-large so the exact walk decides.
    """
    if sheet.prefixed or sheet.cells > sheet.addressed_cells:
        return MAX_SHEET_CELLS + 1, 1
    columns = max([26, *(_column_number(c) for c in sheet.long_columns)])
    return sheet.max_big_row or 99_999, columns


def _exact_extent(
    archive: ZipArchive, member: ZipMember, path: Path
) -> tuple[int, int]:
    """Walk every row and cell tag as calamine does: only cells with content count."""
    low_row = low_col = 1 << 40
    high_row = high_col = -1
    row = col = 0
    seen_until = 0
    try:
        for buffer, base in _buffers(archive.chunks(member)):
            for match in _TOKEN.finditer(buffer):
                if base + match.start() < seen_until:
                    continue
                seen_until = base + match.end()
                attrs = match.group(2)
                if match.group(1) == b"row":
                    number = _R_NUMBER.search(attrs)
                    row = int(number.group(1)) if number else row + 1
                    col = 0
                    continue
                ref = _CELL_REF.search(attrs)
                if ref:
                    col = _column_number(ref.group(1))
                    cell_row = int(ref.group(2))
                else:
                    col += 1
                    cell_row = row
                if attrs.rstrip().endswith(b"/"):
                    continue
                low_row, high_row = min(low_row, cell_row), max(high_row, cell_row)
                low_col, high_col = min(low_col, col), max(high_col, col)
    except ZipFormatError as exc:
        raise _damaged(exc, path) from exc
    if high_row < 0:
        return 0, 0
    return high_row - low_row + 1, high_col - low_col + 1


def _column_number(letters: bytes) -> int:
    number = 0
    for byte in letters:
        number = number * 26 + (byte - 64)
    return number


def _scan_strings(chunks: Iterator[bytes]) -> StringsScan:
    strings = StringsScan()
    seen_until = 0
    first = True
    for buffer, base in _buffers(chunks):
        if first:
            root_end = buffer.find(b">", buffer.find(b"sst"))
            for name, value in _COUNT_ATTR.findall(buffer[: max(root_end, 0)]):
                if name == b"count":
                    strings.count = int(value)
                else:
                    strings.unique_count = int(value)
            first = False
        for match in _SI.finditer(buffer):
            start = base + match.start()
            if start < seen_until:
                continue
            seen_until = base + match.end()
            strings.starts.append(start)
        strings.size = base + len(buffer)
    return strings


def _check_strings(
    archive: ZipArchive,
    scan: PackageScan,
    strings: StringsScan,
    total_sheet_bytes: int,
    string_cells: int,
    path: Path,
) -> None:
    if strings.unique_count > strings.size or strings.count > max(
        total_sheet_bytes, strings.size
    ):
        claimed = max(strings.count, strings.unique_count)
        raise WorkbookError(
            "this is not a valid Excel file (its shared-strings table claims "
            f"{claimed:,} entries, far more than it holds)",
            path=path,
        )
    sizes = _string_sizes(strings)
    longest = max(sizes, default=0)
    if longest > MAX_SHARED_STRING_BYTES:
        raise WorkbookError(
            "this file holds a text far longer than Excel allows in a cell "
            f"({EXCEL_MAX_TEXT:,} characters), which sheetbill refuses for safety",
            path=path,
        )
    if string_cells * longest <= MAX_STRING_EXPANSION:
        return
    expanded = 0
    for part in scan.sheets:
        for buffer, _ in _buffers(archive.chunks(archive.by_name[part])):
            for index in _STRING_CELL.findall(buffer):
                position = int(index)
                if position < len(sizes):
                    expanded += sizes[position]
    if expanded > MAX_STRING_EXPANSION:
        raise WorkbookError(
            "this file's texts would take more than "
            f"{MAX_STRING_EXPANSION // 2**20} MB in memory (long texts repeated in "
            "many cells), which sheetbill refuses for safety",
            path=path,
        )


def _string_sizes(strings: StringsScan) -> array[int]:
    starts = strings.starts
    sizes = array("q", (b - a for a, b in itertools.pairwise(starts)))
    if starts:
        sizes.append(strings.size - starts[-1])
    return sizes
