"""A CSV export read into records that know their line in the file: pandas reads
it (every cell as text), and each record keeps the line it starts on, so a message
can name it.

Banks put title lines (account, period, balance) above the header; the header is
found by what its cells say, and everything above it is left out. A record with
more cells than the header, a quote never closed, or a short record between full
ones is refused naming its line; short records after the last full one are handed
back marked, for the reader to tell a closing balance from a cut-off transaction.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pandas

from sheetbill.bankfiles.text import header_key
from sheetbill.errors import BankFileError

# Delimiters banks use, in the order tried on a header line.
DELIMITERS = (";", ",", "\t", "|")
# Title lines a header may follow.
MAX_TITLE_LINES = 30

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Record:
    """One record of the file: its first line (1-based) and its cells, as many as
    the header has (missing ones ""). `short`: the record had fewer cells than the
    header names (only after the last full record; see `read_table`)."""

    line: int
    cells: tuple[str, ...]
    short: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    header: tuple[str, ...]
    # The header's line (1-based).
    header_line: int
    records: tuple[Record, ...]


@dataclass(frozen=True, slots=True)
class Header:
    """Where a header line is (0-based index), its delimiter and cells, and what
    the caller made of it."""

    index: int
    delimiter: str
    cells: tuple[str, ...]


# The most columns a header line of a bank or processor export may have (PayPal's
# activity download, the widest known, has about 41).
MAX_COLUMNS = 500


def lines_of(text: str) -> list[str]:
    """The physical lines of a decoded text (line ends already "\\n")."""
    return text.split("\n")


def header_cells(line: str, delimiter: str) -> tuple[str, ...]:
    """A header line's cells, stripped (a bank's `"Buchungstag";"Valuta"` or
    ` Date, Type` alike)."""
    try:
        cells = next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return ()
    return tuple(c.replace("\ufeff", "").strip() for c in cells)


def find_header(
    lines: Sequence[str],
    accept: Callable[[tuple[str, ...]], tuple[int, T] | None],
    *,
    delimiter: str = "",
    index: int | None = None,
) -> tuple[Header, T] | None:
    """The first line (of the first MAX_TITLE_LINES, or exactly line `index`) whose
    cells `accept` takes, with the delimiter that splits it best. `accept` returns
    a score (higher: more columns recognised) and its reading, or None."""
    places = [index] if index is not None else range(min(len(lines), MAX_TITLE_LINES))
    for place in places:
        if place >= len(lines):
            return None
        line = lines[place]
        best: tuple[int, Header, T] | None = None
        for candidate in [delimiter] if delimiter else DELIMITERS:
            if candidate not in line:
                continue
            cells = header_cells(line, candidate)
            if len(cells) > MAX_COLUMNS:
                # No bank writes that many columns; reading them by name would
                # take minutes (a hostile one-line file).
                continue
            taken = accept(cells)
            if taken is not None and (best is None or taken[0] > best[0]):
                best = (taken[0], Header(place, candidate, cells), taken[1])
        if best is not None:
            return best[1], best[2]
    return None


def read_table(lines: Sequence[str], header: Header, *, path: Path) -> Table:
    """The records below `header` (pandas, every cell text). Blank records are left
    out. Raises BankFileError naming the line of a record with more cells than the
    header, of a quote never closed, or of a short record followed by full ones."""
    body = "\n".join(lines[header.index :])
    try:
        frame = pandas.read_csv(
            io.StringIO(body),
            sep=header.delimiter,
            header=None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            engine="python",
            quotechar='"',
            index_col=False,
        )
    except (pandas.errors.ParserError, csv.Error, ValueError) as error:
        raise _malformed(body, header, str(error), path) from None
    rows: list[list[object]] = frame.to_numpy().tolist()
    width = len(header.cells)
    needed = max((i + 1 for i, c in enumerate(header.cells) if c), default=width)
    first = header.index + 1
    records: list[Record] = []
    line = first
    short_at: int | None = None
    for row in rows[1:]:
        line += 1
        cells = [c if isinstance(c, str) else None for c in row]
        present = max((i + 1 for i, c in enumerate(cells) if c is not None), default=0)
        texts = tuple(c or "" for c in cells)
        start = line
        line += sum(t.count("\n") for t in texts)
        if not any(t.strip() for t in texts):
            continue
        short = present < needed
        if short_at is not None and not short:
            raise BankFileError(
                f"line {short_at} has fewer cells than the header on line "
                f"{first} names ({width}): the file is cut or malformed. Export "
                "it again",
                path=path,
            )
        if short and short_at is None:
            short_at = start
        records.append(Record(start, texts + ("",) * (width - len(texts)), short))
    return Table(tuple(header.cells), first, tuple(records))


def _malformed(body: str, header: Header, error: str, path: Path) -> BankFileError:
    """What is wrong with a file pandas refused, with its line: found again by
    the csv module, which counts lines."""
    width = len(header.cells)
    reader = csv.reader(io.StringIO(body), delimiter=header.delimiter)
    start = last = header.index + 1
    try:
        for row in reader:
            if len(row) > width:
                return BankFileError(
                    f"line {start} has {len(row)} cells but the header on line "
                    f"{header.index + 1} names {width}: the file is malformed (a "
                    f"'{_shown(header.delimiter)}' inside a cell that is not "
                    "quoted?). Export it again",
                    path=path,
                )
            last = start
            start = header.index + reader.line_num + 1
    except csv.Error:
        pass
    else:
        if "end of data" in error or "EOF" in error:
            return BankFileError(
                f'line {last} opens a quoted cell (") that is never closed: the '
                "file is cut or malformed. Export it again",
                path=path,
            )
    return BankFileError(f"cannot be read as CSV ({error}). Export it again", path=path)


def _shown(delimiter: str) -> str:
    return "tab" if delimiter == "\t" else delimiter


def column_index(header: Sequence[str], names: Sequence[str]) -> int | None:
    """The first of `names` (in their order) the header holds, by `header_key`."""
    keys = [header_key(c) for c in header]
    for name in names:
        key = header_key(name)
        if key and key in keys:
            return keys.index(key)
    return None
