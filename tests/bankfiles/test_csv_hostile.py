"""Hostile and broken bank CSVs (issue 15, point 5): each is refused with one line
naming the file, the line (and column) and what to do — a BankFileError, exit 2,
never a traceback and never part of a file. Cells that look like formulas stay
text."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from sheetbill.bankfiles.base import MAX_BYTES, read_head
from sheetbill.bankfiles.csv_bank import BankCsv
from sheetbill.bankfiles.processors import PayPal, Stripe
from sheetbill.errors import BankFileError


def write(tmp_path: Path, data: str | bytes, name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def refused(path: Path, importer: object | None = None) -> str:
    """The one line the import stops with."""
    reader = importer if importer is not None else BankCsv()
    with pytest.raises(BankFileError) as raised:
        reader.extract(path)  # type: ignore[attr-defined]
    error = raised.value
    assert error.exit_code == 2 and error.path == path
    text = str(error)
    assert "\n" not in text and text.startswith(f"{path}: ")
    return error.message


# --- Size ---------------------------------------------------------------------


@pytest.mark.parametrize("size", [MAX_BYTES + 1, 2 * 1024**3])
@pytest.mark.parametrize("importer", [BankCsv(), Stripe(), PayPal()])
def test_hostile_file_over_the_limit_is_refused_before_it_is_read(
    tmp_path, monkeypatch, size, importer
):
    """A sparse file claiming 2 GB (and one a byte over 50 MB) is refused from its
    size: reading it would fail the test."""
    path = tmp_path / "huge.csv"
    with path.open("wb") as file:
        file.truncate(size)
    assert path.stat().st_blocks * 512 < size  # sparse: nothing written

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was read")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    monkeypatch.setattr(Path, "open", no_reading)
    message = refused(path, importer)
    assert "sheetbill reads bank and processor files of up to 50.0 MB" in message
    assert "Export a shorter period" in message
    with pytest.raises(BankFileError):
        read_head(path)


# --- Malformed ----------------------------------------------------------------

GERMAN = "Buchungstag;Verwendungszweck;Betrag;Währung\n"


def test_hostile_row_with_more_cells_than_the_header_names_its_line(tmp_path):
    path = write(
        tmp_path,
        GERMAN
        + "01.03.2026;a;1,00;EUR\n01.03.2026;b;2;00;EUR\n01.03.2026;c;3,00;EUR\n",
    )
    assert refused(path).startswith(
        "line 3 has 5 cells but the header on line 1 names 4: the file is malformed"
    )


def test_hostile_short_row_between_full_ones_names_its_line(tmp_path):
    """A short line between transactions is not a closing balance to leave out,
    whatever it holds."""
    path = write(
        tmp_path,
        GERMAN + "01.03.2026;a;1,00;EUR\nZwischensumme;1,00\n01.03.2026;c;3,00;EUR\n",
    )
    assert refused(path).startswith(
        "line 3 has fewer cells than the header on line 1 names (4): the file is cut"
    )


def test_hostile_last_row_cut_short_is_refused_not_dropped(tmp_path):
    """A cut-off transaction at the end is not a closing balance: refused (a
    `Kontostand` line there is left out; see the Deutsche Bank sample)."""
    path = write(tmp_path, GERMAN + "01.03.2026;a;1,00;EUR\n02.03.2026;b;2,00\n")
    assert refused(path).startswith("line 3 has fewer cells than the header")


def test_hostile_quote_never_closed_names_the_line_it_opens_on(tmp_path):
    path = write(
        tmp_path,
        GERMAN
        + '01.03.2026;a;1,00;EUR\n02.03.2026;"b;2,00;EUR\n03.03.2026;c;3,00;EUR\n',
    )
    assert refused(path).startswith(
        'line 3 opens a quoted cell (") that is never closed'
    )


def test_hostile_quote_never_closed_in_a_stripe_export(tmp_path):
    path = write(
        tmp_path,
        "id,Type,Source,Amount,Fee,Net,Currency,Created (UTC),Description\n"
        'txn_1,charge,ch_1,10.00,0.59,9.41,eur,2026-03-02 09:15,"Invoice\n',
    )
    assert refused(path, Stripe()).startswith("line 2 opens a quoted cell")


# --- Encodings ------------------------------------------------------------------


def test_hostile_mixed_encodings_name_the_first_line_in_the_other(tmp_path):
    """UTF-8 on lines 1 and 2 (the header's Währung), Windows-1252 on line 3:
    refused, naming both."""
    data = (
        GERMAN.encode()
        + "01.03.2026;Müller;1,00;EUR\n".encode()
        + "02.03.2026;Gärtner;2,00;EUR\n".encode("cp1252")
    )
    message = refused(write(tmp_path, data))
    assert message.startswith(
        "line 3 is in Windows-1252 but line 1 is in UTF-8: the file mixes two encodings"
    )


def test_hostile_mixed_encodings_the_other_way_round(tmp_path):
    data = (
        "Buchungstag;Verwendungszweck;Betrag;Währung\n".encode("cp1252")
        + "01.03.2026;Müller;1,00;EUR\n".encode()
    )
    assert refused(write(tmp_path, data)).startswith(
        "line 2 is in UTF-8 but line 1 is in Windows-1252"
    )


def test_hostile_bom_then_windows_1252_is_refused(tmp_path):
    data = (
        b"\xef\xbb\xbf"
        + GERMAN.encode()
        + "01.03.2026;Gärtner;2,00;EUR\n".encode("cp1252")
    )
    assert refused(write(tmp_path, data)).startswith("line 2 is in Windows-1252")


def test_hostile_nul_bytes_are_not_a_text_file(tmp_path):
    data = GERMAN.encode() + b"01.03.2026;a\x00b;1,00;EUR\n"
    assert refused(write(tmp_path, data)).startswith(
        "line 2 holds NUL characters: it is not a text file"
    )


def test_hostile_windows_1252_alone_reads(tmp_path):
    data = (GERMAN + "01.03.2026;Gärtner Straße;2,00;EUR\n").encode("cp1252")
    (tx,) = BankCsv().extract(write(tmp_path, data)).transactions
    assert tx.reference == "Gärtner Straße"


# --- Cells ----------------------------------------------------------------------


def test_hostile_formula_like_cells_stay_text(tmp_path):
    """Cells starting with = + - @ are kept as the text they are (never evaluated,
    never dropped); ids keep their leading zeros; `1e5` is not a number. Only the
    amount column is read as a number."""
    path = write(
        tmp_path,
        "Transaction ID,Date,Description,Payer,IBAN,Amount,Currency\n"
        '00123,2026-03-02,"=HYPERLINK(""http://evil.example"",""INV-2026-0007"")",'
        "+49 30 1234567,@SUM(A1:A9),-12.50,EUR\n"
        "1e5,2026-03-03,-INV-2026-0008,=1+1,,+20.00,EUR\n",
    )
    first, second = BankCsv().extract(path).transactions
    assert first.transaction_id == "00123"
    assert first.reference == '=HYPERLINK("http://evil.example","INV-2026-0007")'
    assert first.payer == "+49 30 1234567"
    assert first.payer_account == "@SUM(A1:A9)"
    assert first.amount == Decimal("-12.50")
    assert (second.transaction_id, second.reference, second.payer) == (
        "1e5",
        "-INV-2026-0008",
        "=1+1",
    )
    assert second.amount == Decimal("20.00")


@pytest.mark.parametrize(
    ("row", "says"),
    [
        (
            "01.03.2026;a;12,3x;EUR",
            "line 3, column 'Betrag': '12,3x' is not an amount like 1.234,56",
        ),
        (
            "31.02.2026;a;1,00;EUR",
            "line 3, column 'Buchungstag': '31.02.2026' is not a date (sheetbill "
            "reads DD.MM.YYYY",
        ),
        (
            ";a;1,00;EUR",
            "line 3, column 'Buchungstag': the line has an amount but no date",
        ),
        (
            "01.03.2026;a;;EUR",
            "line 3, column 'Betrag': the line has a date but no amount",
        ),
        (
            "01.03.2026;a;1,00;Euro",
            "line 3, column 'Währung': 'Euro' is not a currency code such as EUR",
        ),
    ],
)
def test_hostile_bad_cell_names_its_line_and_column(tmp_path, row, says):
    path = write(tmp_path, GERMAN + "01.03.2026;ok;1,00;EUR\n" + row + "\n")
    assert refused(path).startswith(says)


def test_hostile_bad_soll_haben_mark(tmp_path):
    path = write(
        tmp_path,
        "Buchungstag;Verwendungszweck;Umsatz;Soll/Haben\n01.03.2026;a;1,00;X\n",
    )
    assert refused(path) == (
        "line 2, column 'Soll/Haben': 'X' is neither S (Soll, money out) nor H "
        "(Haben, money in)"
    )


def test_hostile_dates_that_read_two_ways_are_refused_not_guessed(tmp_path):
    """Every date with a day of 12 or less: 03/04/2026 is March or April. sheetbill
    does not pick one."""
    path = write(
        tmp_path,
        "Date,Description,Amount\n03/04/2026,a,1.00\n05/04/2026,b,2.00\n",
    )
    message = refused(path)
    assert message.startswith(
        "line 2, column 'Date': '03/04/2026' can be read as 2026-03-04 or 2026-04-03"
    )
    assert "date_format" in message


def test_hostile_unknown_layout_says_how_to_describe_it(tmp_path):
    path = write(tmp_path, "Tag;Text;Summe\n01.03.2026;a;1,00\n")
    assert not BankCsv().identify(read_head(path), path)
    assert refused(path).startswith(
        "is not a bank CSV sheetbill knows: no header line among its first lines "
        "names a date and an amount column. Add a [payments.profiles.NAME] table"
    )


def test_hostile_empty_file(tmp_path):
    path = write(tmp_path, b"")
    assert refused(path).startswith("is not a bank CSV sheetbill knows")


def test_hostile_a_directory_is_not_a_file(tmp_path):
    folder = tmp_path / "export.csv"
    folder.mkdir()
    assert refused(folder) == "is not a file"


def test_hostile_binary_file_named_csv(tmp_path):
    path = write(tmp_path, bytes(range(256)) * 64)
    with pytest.raises(BankFileError) as raised:
        BankCsv().extract(path)
    assert "\n" not in str(raised.value)


def test_hostile_missing_file(tmp_path):
    assert refused(tmp_path / "gone.csv") == "there is no such file"


def test_hostile_title_lines_do_not_stand_in_for_a_header(tmp_path):
    """A title line naming "Datum" and "Betrag" above the real header would be a
    header too; the first line that names a date and an amount wins, and the
    title lines above it are never read as rows."""
    path = write(
        tmp_path,
        "Kontoauszug;Girokonto\nZeitraum;01.03.2026 - 31.03.2026\n\n" + GERMAN
        + "01.03.2026;a;1,00;EUR\n",
    )  # fmt: skip
    (tx,) = BankCsv().extract(path).transactions
    assert tx.line == 5


def test_hostile_identify_never_raises(tmp_path):
    for data in (b"", b"\x00\x01\x02", b"\xff" * 10, "Ä".encode() * 3 + b"\xc3"):
        path = write(tmp_path, data)
        assert BankCsv().identify(data, path) is False
        assert Stripe().identify(data, path) is False
        assert PayPal().identify(data, path) is False


def test_hostile_many_lines_import_whole(tmp_path):
    """A busy account's months (5,000 lines) read every line."""
    rows = "".join(
        f"{1 + i % 28:02d}.03.2026;INV-2026-{i:05d};{i},{i % 100:02d};EUR\n"
        for i in range(5_000)
    )
    statement = BankCsv().extract(write(tmp_path, GERMAN + rows))
    assert len(statement.transactions) == 5_000
    assert statement.transactions[-1].line == 5_001
    assert statement.transactions[-1].amount == Decimal("4999.99")


def test_hostile_size_check_uses_the_real_size_not_the_name(tmp_path):
    path = tmp_path / "small.csv"
    path.write_bytes(b"x" * 10)
    os.truncate(path, MAX_BYTES)
    # Exactly the limit is read (and refused for what it holds, not its size).
    assert refused(path).startswith("line 1 holds NUL characters")
