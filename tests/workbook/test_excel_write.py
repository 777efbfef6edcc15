"""Writing cells: values, styles, order of rows and cells, formulas, new tabs, and
packages laid out in unusual ways."""

from __future__ import annotations

import re
import shutil
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from xlsx_testing import (
    FEATURES,
    PEOPLE,
    new_book,
    rewrite_zip,
    zip_bytes,
    zip_names,
    zip_text,
)

from sheetbill.domain.sheet import (
    CellValue,
    CellWrite,
    ColumnFormat,
    ColumnSpec,
    TabSpec,
    WorkbookChanges,
)
from sheetbill.errors import WorkbookError, WorkbookWriteError
from sheetbill.workbook.excel import ExcelWorkbook
from sheetbill.workbook.xlsx_package import MAIN_NS
from sheetbill.workbook.xlsx_sheet import SheetEditor

SHEET = "xl/worksheets/sheet1.xml"


def _write(
    path: Path, tab: str, *cells: tuple[int, int, CellValue], **kw: object
) -> None:
    book = ExcelWorkbook(path, backups=0)
    writes = {tab: tuple(CellWrite(r, c, v) for r, c, v in cells)}
    changes = WorkbookChanges(writes=writes, **kw)  # type: ignore[arg-type]
    book.apply(changes, expected_version=book.read().version)


def _cells(path: Path, tab: str) -> dict[tuple[int, int], CellValue]:
    table = ExcelWorkbook(path).read().tables[tab]
    found = {(table.header_row, c): h for c, h in enumerate(table.headers) if h}
    for row in table.rows:
        for column, value in enumerate(row.cells):
            if value is not None:
                found[(row.number, column)] = value
    return found


def _copy(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copyfile(FEATURES / name, target)
    return target


def test_excel_write_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    """Text starting with = + - @ is stored as an inline string, never as <f>."""
    book_path = new_book(tmp_path)
    texts = ["=1+1", "+49 30 1234", "-5", "@home", '=HYPERLINK("http://x")']
    _write(book_path, "People", *((2 + i, 0, t) for i, t in enumerate(texts)))
    sheet = zip_text(book_path, SHEET)
    assert "<f>" not in sheet and "<f " not in sheet
    cells = _cells(book_path, "People")
    assert [cells[(2 + i, 0)] for i in range(len(texts))] == texts


def test_excel_write_control_characters_round_trip(tmp_path: Path) -> None:
    """Characters XML cannot hold go as _xHHHH_ escapes; text that looks like an
    escape is itself escaped; both read back unchanged."""
    book_path = new_book(tmp_path)
    texts = [
        "a\x01b\x1fc",
        "tab\tline\nreturn\r",
        "_x0041_ literal",
        "\x00",
    ]
    _write(book_path, "People", *((2 + i, 0, t) for i, t in enumerate(texts)))
    cells = _cells(book_path, "People")
    assert [cells[(2 + i, 0)] for i in range(len(texts))] == texts


def test_excel_write_non_characters_become_replacement(tmp_path: Path) -> None:
    """U+FFFE, U+FFFF and lone surrogates cannot be stored: they become U+FFFD."""
    book_path = new_book(tmp_path)
    _write(book_path, "People", (2, 0, "a\ufffe\uffffb\ud800"))
    assert _cells(book_path, "People")[(2, 0)] == "a\ufffd\ufffdb\ufffd"


def test_excel_write_dates_honour_the_1904_system(tmp_path: Path) -> None:
    """A workbook in the 1904 date system gets serials counted from 1904-01-01."""
    book_path = new_book(tmp_path)
    workbook = zip_text(book_path, "xl/workbook.xml")
    workbook = workbook.replace("<bookViews>", '<workbookPr date1904="1"/><bookViews>')
    rewrite_zip(book_path, {"xl/workbook.xml": workbook.encode()})
    _write(book_path, "People", (2, 1, date(1904, 1, 2)), (3, 1, date(2026, 1, 5)))
    serials = re.findall(
        r'<c r="B[23]"[^>]*><v>([0-9]+)</v>', zip_text(book_path, SHEET)
    )
    assert serials == ["1", str((date(2026, 1, 5) - date(1904, 1, 1)).days)]
    cells = _cells(book_path, "People")
    assert cells[(2, 1)] == date(1904, 1, 2)
    assert cells[(3, 1)] == date(2026, 1, 5)


def test_excel_write_dates_in_the_1900_system(tmp_path: Path) -> None:
    """Serials match Excel, including its phantom 29 February 1900."""
    book_path = new_book(tmp_path)
    _write(
        book_path,
        "People",
        (2, 1, date(1900, 1, 1)),
        (3, 1, date(1900, 3, 1)),
        (4, 1, datetime(2026, 1, 5, 12, 0)),
    )
    sheet = zip_text(book_path, SHEET)
    serials = re.findall(r'<c r="B[234]"[^>]*><v>([0-9.]+)</v>', sheet)
    assert serials == ["1", "61", "46027.5"]


def test_excel_write_over_formula_drops_calc_chain(tmp_path: Path) -> None:
    """A written cell loses its formula; the calculation chain that listed it goes
    (Excel rebuilds it), with its relationship and content type."""
    path = _copy("sample.xlsx", tmp_path)
    _write(path, "Sheet1", (10, 1, Decimal("7")))
    assert "xl/calcChain.xml" not in zip_names(path)
    assert "calcChain" not in zip_text(path, "xl/_rels/workbook.xml.rels")
    assert "calcChain" not in zip_text(path, "[Content_Types].xml")
    assert "<f>" not in zip_text(path, SHEET)
    assert _cells(path, "Sheet1")[(10, 1)] == Decimal(7)


def test_excel_write_refuses_the_first_cell_of_a_shared_formula(tmp_path: Path) -> None:
    """Other cells copy a shared formula from its first cell: overwriting that one
    would break them, so the write is refused and nothing changes."""
    path = _copy("shared_formulas.xlsx", tmp_path)
    before = path.read_bytes()
    with pytest.raises(WorkbookWriteError, match="Label!A2"):
        _write(path, "Label", (2, 0, "x"))
    assert path.read_bytes() == before
    _write(path, "Label", (3, 0, "x"))
    assert _cells(path, "Label")[(3, 0)] == "x"


def test_excel_write_keeps_rows_and_cells_in_order(tmp_path: Path) -> None:
    """Rows and cells land at their sorted places, whatever the order of writes."""
    book_path = new_book(tmp_path)
    _write(book_path, "People", (5, 3, "e"), (3, 0, "c"), (5, 0, "d"))
    _write(
        book_path, "People", (4, 2, Decimal(4)), (3, 1, date(2026, 1, 1)), (2, 2, "b")
    )
    sheet = zip_text(book_path, SHEET)
    rows = [int(r) for r in re.findall(r'<row r="([0-9]+)"', sheet)]
    assert rows == sorted(rows) == [1, 2, 3, 4, 5]
    refs = re.findall(r'<c r="([A-Z]+)3"', sheet)
    assert refs == ["A", "B"]
    assert '<dimension ref="A1:D5"/>' in sheet


def test_excel_write_none_clears_a_cell(tmp_path: Path) -> None:
    """A cleared cell loses its value; it stays only to keep a style."""
    book_path = new_book(tmp_path)
    _write(book_path, "People", (2, 5, "x"), (2, 2, Decimal(5)))
    _write(book_path, "People", (2, 5, None), (2, 2, None))
    assert _cells(book_path, "People") == _cells(book_path, "People") | {}
    assert not {(2, 5), (2, 2)} & set(_cells(book_path, "People"))
    sheet = zip_text(book_path, SHEET)
    assert 'r="F2"' not in sheet
    assert '<c r="C2" s="4"/>' in sheet  # the money column's style stays


def test_excel_write_new_cells_take_the_look_of_their_column(tmp_path: Path) -> None:
    """A new row copies the style of the cell above in each column; a date written
    where the style shows no date gets a date format on top of that style."""
    path = _copy("sample.xlsx", tmp_path)
    _write(path, "rich test", (7, 3, "new"), (7, 1, date(2026, 1, 2)))
    sheet = zip_text(path, "xl/worksheets/sheet2.xml")
    assert '<c r="D7" s="1"' in sheet  # as D6 above it
    date_style = re.search(r'<c r="B7" s="([0-9]+)"', sheet)
    assert date_style is not None and date_style.group(1) != "0"
    assert _cells(path, "rich test")[(7, 1)] == date(2026, 1, 2)


def test_excel_write_formats_apply_to_unstyled_cells(tmp_path: Path) -> None:
    """`formats` gives the look of columns of tabs made by sheetbill before."""
    book_path = new_book(tmp_path)
    styles_before = zip_text(book_path, "xl/styles.xml")
    _write(
        book_path,
        "People",
        (2, 5, Decimal("12.50")),
        formats={"People": {5: ColumnFormat.MONEY}},
    )
    sheet = zip_text(book_path, SHEET)
    style = re.search(r'<c r="F2" s="([0-9]+)"', sheet)
    assert style is not None
    xfs = re.findall(r"<xf [^>]*>", styles_before.split("<cellXfs")[1])
    assert 'numFmtId="4"' in xfs[int(style.group(1))]


def test_excel_write_repeated_runs_do_not_grow_styles(tmp_path: Path) -> None:
    book_path = new_book(tmp_path)
    _write(
        book_path, "People", (2, 1, date(2026, 1, 1)), (2, 6, datetime(2026, 1, 1, 8))
    )
    first = zip_bytes(book_path, "xl/styles.xml")
    _write(
        book_path, "People", (3, 1, date(2026, 1, 1)), (3, 6, datetime(2026, 1, 1, 8))
    )
    assert zip_bytes(book_path, "xl/styles.xml") == first


def test_excel_write_cells_placed_by_position(tmp_path: Path) -> None:
    """Cells without an address (allowed by the format) keep their places when a
    cell is inserted among them."""
    book_path = new_book(tmp_path)
    sheet = zip_text(book_path, SHEET).replace(
        "</sheetData>",
        '<row r="2"><c t="inlineStr"><is><t>a</t></is></c>'
        '<c r="C2" t="inlineStr"><is><t>c</t></is></c><c><v>4</v></c></row>'
        "</sheetData>",
    )
    rewrite_zip(book_path, {SHEET: sheet.encode()})
    _write(book_path, "People", (2, 1, "b"))
    cells = _cells(book_path, "People")
    assert [cells[(2, c)] for c in range(4)] == ["a", "b", "c", Decimal(4)]


def test_excel_write_into_a_missing_tab_is_refused(tmp_path: Path) -> None:
    book_path = new_book(tmp_path)
    with pytest.raises(WorkbookWriteError, match="no tab 'Nope'"):
        _write(book_path, "Nope", (2, 0, "x"))


@pytest.mark.parametrize(
    "name",
    ["People", "people", "", "a" * 32, "a/b", "x[1]", "'quoted'", "History", "a\x01"],
)
def test_excel_new_tab_with_a_bad_name_is_refused(tmp_path: Path, name: str) -> None:
    book_path = new_book(tmp_path)
    book = ExcelWorkbook(book_path)
    before = book_path.read_bytes()
    spec = TabSpec(name, (ColumnSpec("A"),))
    with pytest.raises(WorkbookWriteError, match="tab"):
        book.apply(
            WorkbookChanges(new_tabs=(spec,)), expected_version=book.read().version
        )
    assert book_path.read_bytes() == before


def test_excel_new_tab_has_frozen_bold_header_and_dropdowns(tmp_path: Path) -> None:
    book_path = new_book(tmp_path)
    sheet = zip_text(book_path, SHEET)
    assert (
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        in (sheet)
    )
    assert '<formula1>"a,b"</formula1>' in sheet
    assert 'sqref="D2:D1048576"' in sheet
    order = [
        sheet.index(f"<{name}")
        for name in (
            "dimension",
            "sheetViews",
            "cols",
            "sheetData",
            "dataValidations",
            "pageMargins",
        )
    ]
    assert order == sorted(order)
    styles = zip_text(book_path, "xl/styles.xml")
    header_style = int(re.findall(r'<c r="A1" s="([0-9]+)"', sheet)[0])
    xf = re.findall(r"<xf [^>]*>", styles.split("<cellXfs")[1])[header_style]
    font = int(re.findall(r'fontId="([0-9]+)"', xf)[0])
    assert "<b/>" in re.findall(r"<font>.*?</font>", styles)[font]


def test_excel_write_strict_workbook_uses_strict_names(tmp_path: Path) -> None:
    path = _copy("SampleSS.strict.xlsx", tmp_path)
    book = ExcelWorkbook(path, backups=0)
    changes = WorkbookChanges(
        new_tabs=(PEOPLE,), writes={"People": (CellWrite(2, 0, "x"),)}
    )
    book.apply(changes, expected_version=book.read().version)
    new_part = zip_names(path)[-1]
    assert 'xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"' in zip_text(
        path, new_part
    )
    rels = zip_text(path, "xl/_rels/workbook.xml.rels")
    assert "http://purl.oclc.org/ooxml/officeDocument/relationships/worksheet" in rels
    assert _cells(path, "People")[(2, 0)] == "x"


def test_excel_write_workbook_without_styles_part(tmp_path: Path) -> None:
    """A package without styles.xml gets one (with its relationship and content
    type) when a written date needs a format."""
    book_path = new_book(tmp_path)
    rels = zip_text(book_path, "xl/_rels/workbook.xml.rels")
    rels = re.sub(r'<Relationship [^>]*styles"[^>]*/>', "", rels)
    types = re.sub(
        r'<Override [^>]*styles\.xml"[^>]*/>',
        "",
        zip_text(book_path, "[Content_Types].xml"),
    )
    rewrite_zip(
        book_path,
        {
            "xl/styles.xml": None,
            "xl/_rels/workbook.xml.rels": rels.encode(),
            "[Content_Types].xml": types.encode(),
        },
    )
    _write(book_path, "People", (2, 1, date(2026, 5, 1)))
    assert "xl/styles.xml" in zip_names(book_path)
    assert "styles" in zip_text(book_path, "xl/_rels/workbook.xml.rels")
    assert _cells(book_path, "People")[(2, 1)] == date(2026, 5, 1)


def test_excel_write_finds_a_workbook_part_with_another_name(tmp_path: Path) -> None:
    """The main part is found through _rels/.rels, and targets may be absolute."""
    book_path = new_book(tmp_path)
    rels = zip_text(book_path, "xl/_rels/workbook.xml.rels")
    rels = rels.replace('Target="worksheets/', 'Target="/xl/worksheets/')
    rewrite_zip(
        book_path,
        {
            "xl/workbook.xml": None,
            "xl/_rels/workbook.xml.rels": None,
            "xl/book.xml": zip_bytes(book_path, "xl/workbook.xml"),
            "xl/_rels/book.xml.rels": rels.encode(),
            "_rels/.rels": zip_text(book_path, "_rels/.rels")
            .replace("xl/workbook.xml", "/xl/book.xml")
            .encode(),
            "[Content_Types].xml": zip_text(book_path, "[Content_Types].xml")
            .replace("/xl/workbook.xml", "/xl/book.xml")
            .encode(),
        },
    )
    book = ExcelWorkbook(book_path, backups=0)
    spec = TabSpec("Second", (ColumnSpec("X"),))
    changes = WorkbookChanges(
        new_tabs=(spec,), writes={"Second": (CellWrite(2, 0, "y"),)}
    )
    book.apply(changes, expected_version=book.read().version)
    assert "xl/worksheets/sheet2.xml" in zip_names(book_path)
    assert _cells(book_path, "Second")[(2, 0)] == "y"


def test_excel_write_number_below_a_date_stays_a_number(tmp_path: Path) -> None:
    """A new cell takes the look of the cell above, but a number never inherits a
    date format: what sheetbill writes must read back as itself next run."""
    book_path = new_book(tmp_path)
    _write(book_path, "People", (2, 6, date(2026, 1, 1)), (3, 6, Decimal("12.5")))
    _write(book_path, "People", (3, 1, Decimal(3)))
    cells = _cells(book_path, "People")
    assert cells[(2, 6)] == date(2026, 1, 1)
    assert cells[(3, 6)] == Decimal("12.5")
    assert cells[(3, 1)] == Decimal(3)


def test_excel_write_into_a_latin1_sheet_part(tmp_path: Path) -> None:
    """calamine reads sheets in UTF-8 only, so reading refuses another encoding in
    plain words; the sheet writer itself turns such a part into UTF-8 as a whole, so
    its own text and the written text both survive."""
    book_path = new_book(tmp_path)
    sheet = zip_text(book_path, SHEET).replace("Name", "Nämé")
    sheet = sheet.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
    latin = sheet.encode("latin-1")
    rewrite_zip(book_path, {SHEET: latin})
    with pytest.raises(WorkbookError, match="text encoding 'iso-8859-1'"):
        ExcelWorkbook(book_path).read()
    editor = SheetEditor(latin, tab="People", main_ns=MAIN_NS, date1904=False)
    written = editor.write([CellWrite(2, 0, "Müller € 1")], lambda *_: None)
    text = written.decode("utf-8")
    assert 'encoding="UTF-8"' in text
    assert "Nämé" in text and "Müller € 1" in text


@pytest.mark.parametrize("choices", [("a,b", "c"), ("a\x02",), ("x" * 300,)])
def test_excel_new_tab_with_impossible_dropdown_is_refused(
    tmp_path: Path, choices: tuple[str, ...]
) -> None:
    """An inline dropdown list cannot hold commas, control characters or more than
    255 characters: refused before anything is written."""
    book_path = new_book(tmp_path)
    book = ExcelWorkbook(book_path)
    before = book_path.read_bytes()
    spec = TabSpec("Other", (ColumnSpec("Status", choices=choices),))
    with pytest.raises(WorkbookWriteError, match="dropdown"):
        book.apply(
            WorkbookChanges(new_tabs=(spec,)), expected_version=book.read().version
        )
    assert book_path.read_bytes() == before
