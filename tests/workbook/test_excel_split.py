"""Big worksheets are parsed in pieces on two threads; what is read stays the same."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from paths import DEMO
from xlsx_testing import FEATURES, HOSTILE, big_workbook, rewrite_zip, zip_text

from sheetbill.domain.sheet import Table
from sheetbill.errors import WorkbookError
from sheetbill.workbook import excel_reader
from sheetbill.workbook.excel_reader import read_tables
from sheetbill.workbook.xlsx_split import split_sheet

WHOLE = 1 << 40  # a split_above no sheet reaches
EVERY = 0  # a split_above every sheet reaches

SHEET = (
    b'<?xml version="1.0"?><worksheet xmlns="m"><dimension ref="A1:B4"/>'
    b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
    b'<row r="2"><c r="A2"><v>2</v></c></row>'
    b'<row r="3" spans="1:2"><c r="A3"><v>3</v></c></row>'
    b'<row r="4"><c r="A4"><v>4</v></c></row></sheetData>'
    b'<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells></worksheet>'
)


def _read(path: Path, split_above: int) -> tuple[dict[str, Table], tuple[str, ...]]:
    return read_tables(path.read_bytes(), path, split_above=split_above)


def _rows_of(xml: bytes) -> list[bytes]:
    return re.findall(rb"<row .*?</row>", xml)


def test_split_sheet_cuts_between_rows_and_keeps_what_surrounds_them() -> None:
    parts = split_sheet(SHEET, 3)
    assert parts is not None and len(parts) == 3
    pieces = [b"".join(piece) for piece in parts]
    head = SHEET[: SHEET.index(b"<sheetData>") + len(b"<sheetData>")]
    tail = SHEET[SHEET.index(b"</sheetData>") :]
    for piece in pieces:
        assert piece.startswith(head) and piece.endswith(tail)
    assert list(itertools.chain(*map(_rows_of, pieces))) == _rows_of(SHEET)


@pytest.mark.parametrize(
    "hiding",
    [b"<!-- <row r='9'> -->", b"<![CDATA[<row>]]>", b"<?pi <row ?>", b"<sheetData>"],
    ids=["comment", "cdata", "processing instruction", "second sheetData"],
)
def test_split_sheet_refuses_sheet_data_where_a_row_tag_could_hide(
    hiding: bytes,
) -> None:
    sheet = SHEET.replace(b'<row r="3"', hiding + b'<row r="3"')
    assert split_sheet(sheet, 2) is None


@pytest.mark.parametrize(
    "sheet",
    [
        SHEET.replace(b"<sheetData>", b"<x:sheetData>"),
        b'<worksheet xmlns="m"><sheetData/></worksheet>',
        b'<worksheet xmlns="m"><sheetData><row r="1"/></sheetData></worksheet>',
        SHEET.replace(b"<row r=", b"<rowx r="),
    ],
    ids=["prefixed", "empty", "one row", "no row tag"],
)
def test_split_sheet_leaves_whole_what_it_cannot_cut(sheet: bytes) -> None:
    assert split_sheet(sheet, 4) is None


CORPUS = [
    *sorted(
        p for f in (FEATURES, HOSTILE) for p in f.iterdir() if p.suffix[:4] == ".xls"
    ),
    DEMO,
]


@pytest.mark.parametrize("source", CORPUS, ids=lambda p: p.name)
def test_reading_in_pieces_gives_what_a_whole_read_gives(source: Path) -> None:
    """Every worksheet of every corpus, demo and starter file cut into pieces: the
    same tables (or the same refusal) as parsing each sheet whole."""
    assert _outcome(source, EVERY) == _outcome(source, WHOLE)


def _outcome(source: Path, split_above: int) -> object:
    try:
        return _read(source, split_above)
    except WorkbookError as exc:
        return str(exc)


def test_a_big_sheet_is_parsed_in_pieces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.xlsx"
    big_workbook(path, 3_000)
    parsed: list[object] = []
    parse_piece = excel_reader._parse_piece

    def counted(*args: object) -> object:
        parsed.append(args[-1])
        return parse_piece(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(excel_reader, "_parse_piece", counted)
    tables, _ = _read(path, split_above=len(zip_text(path, "xl/worksheets/sheet1.xml")))
    assert len(parsed) == 4
    assert tables["Time Log"].rows[-1].cells[11] == "R003001"
    monkeypatch.undo()
    assert _read(path, WHOLE) == (tables, ("Time Log",))


def _reordered(path: Path) -> None:
    """Rows 2-11 moved to the end of the sheet data: legal, calamine places cells by
    address, but the pieces' row ranges then overlap."""
    sheet = zip_text(path, "xl/worksheets/sheet1.xml")
    rows = re.findall(r'<row r="(?:[2-9]|1[01])".*?</row>', sheet)
    for row in rows:
        sheet = sheet.replace(row, "")
    sheet = sheet.replace("</sheetData>", "".join(rows) + "</sheetData>")
    rewrite_zip(path, {"xl/worksheets/sheet1.xml": sheet.encode()})


def test_rows_out_of_order_read_as_in_a_whole_read(tmp_path: Path) -> None:
    path = tmp_path / "big.xlsx"
    big_workbook(path, 400)
    _reordered(path)
    whole = _read(path, WHOLE)
    assert [r.number for r in whole[0]["Time Log"].rows[:3]] == [2, 3, 4]
    assert _read(path, EVERY) == whole


def test_error_cells_far_down_show_their_text_when_read_in_pieces(
    tmp_path: Path,
) -> None:
    path = tmp_path / "big.xlsx"
    big_workbook(path, 400)
    sheet = zip_text(path, "xl/worksheets/sheet1.xml")
    for number in (3, 250, 401):
        sheet = re.sub(
            f'<c r="D{number}"><v>[^<]*</v></c>',
            f'<c r="D{number}" t="e"><v>#N/A</v></c>',
            sheet,
        )
    rewrite_zip(path, {"xl/worksheets/sheet1.xml": sheet.encode()})
    tables, _ = _read(path, EVERY)
    rows = {r.number: r for r in tables["Time Log"].rows}
    assert [rows[n].cells[3] for n in (3, 250, 401)] == ["#N/A"] * 3
    assert (tables, _) == _read(path, WHOLE)


def test_a_piece_that_fails_is_read_again_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.xlsx"
    big_workbook(path, 400)

    def failing(*args: object) -> object:
        raise ValueError("calamine could not parse this piece")

    monkeypatch.setattr(excel_reader, "_parse_piece", failing)
    split = _read(path, EVERY)
    monkeypatch.undo()
    assert split == _read(path, WHOLE)


def test_rows_and_cells_without_addresses_read_as_in_a_whole_read(
    tmp_path: Path,
) -> None:
    """Cells placed by position (no r="..."): every piece would count its rows from
    the top again, so the pieces overlap and the sheet is parsed whole."""
    path = tmp_path / "big.xlsx"
    big_workbook(path, 400)
    sheet = zip_text(path, "xl/worksheets/sheet1.xml")
    sheet = re.sub(r' r="[A-Z]*[0-9]+"', "", sheet)
    rewrite_zip(path, {"xl/worksheets/sheet1.xml": sheet.encode()})
    whole = _read(path, WHOLE)
    assert whole[0]["Time Log"].rows[-1].number == 401
    assert _read(path, EVERY) == whole
