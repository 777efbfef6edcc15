"""Any cell value in any column of any input tab ends as an Exceptions row or a
one-line error, never a traceback; and what a run plans always fits in a cell.

Each example is a valid workbook (written as raw XML, so error cells, `1e400` as a
number and serials far outside the calendar stand in it exactly) with a few cells
replaced by hostile values; `check` and a full `run` go over it in-process.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from raw_xlsx import (
    CLOCK,
    DATE,
    DATETIME,
    DURATION,
    LONG_DURATION,
    PERCENT,
    TEXT,
    RawCell,
    number,
    text,
    write_xlsx,
)

from sheetbill.config import Config
from sheetbill.domain.cells import (
    ERROR_VALUES,
    CellValueError,
    clipped,
    parse_date,
    parse_hours,
    parse_number,
    parse_percent,
    parse_time_of_day,
    parse_yes_no,
    show,
)
from sheetbill.domain.model import Problem
from sheetbill.domain.schema import CUSTOMERS, ORDERS, RATES, TIME_LOG
from sheetbill.errors import SheetbillError, WorkbookError
from sheetbill.state import StateDB
from sheetbill.usecases.check import check_workbook
from sheetbill.usecases.run import run_billing
from sheetbill.workbook.excel import ExcelWorkbook
from sheetbill.workbook.excel_reader import _read_sheet, plain_far_numbers

AS_OF = date(2026, 11, 2)
EXCEL_CELL_LIMIT = 32767
# What sheetbill writes into Exceptions or Log is clipped well below a cell's limit.
WRITTEN_TEXT_LIMIT = 1100


def _serial(day: date) -> int:
    return (day - date(1899, 12, 30)).days


SERIAL = _serial(date(2026, 10, 1))
SETTINGS_ROWS = [
    ("Company Name", text("Test Shop")),
    ("Default Currency", text("EUR")),
    ("Default Tax Rate", number(19)),
    ("Payment Terms Days", number(14)),
    ("Hours Increment", number(0.25)),
    ("Hours Per Day", number(8)),
    ("Max Hours Per Entry", number(24)),
    ("Approval Threshold", text("10000; 12000 USD")),
    ("Number Pattern", text("INV-{yyyy}-{seq:04}")),
    ("Rounding", text("half-up")),
    ("Locale", text("en_US")),
    ("Company Tax ID", text("DE123456789")),
    ("Company Address", text("Teststraße 1, 10115 Berlin, Germany")),
    ("IBAN", text("DE89 3704 0044 0532 0130 00")),
]


def _row(columns: Sequence[str], **cells: RawCell) -> list[RawCell | None]:
    by_key = {
        name.replace(" ", "_").replace("-", "_").lower(): name for name in columns
    }
    row: list[RawCell | None] = [None] * len(columns)
    for key, cell in cells.items():
        row[list(columns).index(by_key[key])] = cell
    return row


def base_grids() -> dict[str, list[list[RawCell | None]]]:
    """A workbook that bills cleanly: two customers, hour, day and item rates."""
    cust = [c.name for c in CUSTOMERS.columns]
    rate = [c.name for c in RATES.columns]
    log = [c.name for c in TIME_LOG.columns]
    order = [c.name for c in ORDERS.columns]
    day = number(SERIAL, DATE)
    return {
        "Settings": [
            [text("Key"), text("Value")],
            *[[text(key), value] for key, value in SETTINGS_ROWS],
        ],
        "Customers": [
            [text(c) for c in cust],
            _row(
                cust,
                customer_id=text("C1"),
                name=text("Alpha GmbH"),
                email=text("a@alpha.example"),
                currency=text("EUR"),
                tax_rate=number(19),
                terms_days=number(30),
            ),
            _row(
                cust,
                customer_id=text("C2"),
                name=text("Beta Inc"),
                currency=text("USD"),
                tax_rate=number(0),
                invoice_note=text("Export of services: not taxable in Germany"),
            ),
        ],
        "Rates": [
            [text(c) for c in rate],
            _row(rate, rate=number(100), unit=text("hour")),
            _row(
                rate,
                customer_id=text("C2"),
                rate=number(150),
                unit=text("hour"),
                currency=text("USD"),
                valid_from=number(SERIAL - 100, DATE),
            ),
            _row(rate, project=text("Days"), rate=number(800), unit=text("day")),
            _row(rate, activity=text("Widget"), rate=number(12.5), unit=text("item")),
        ],
        "Time Log": [
            [text(c) for c in log],
            _row(
                log,
                date=day,
                person=text("Ann"),
                customer_id=text("C1"),
                project=text("Web"),
                activity=text("Dev"),
                hours=number(1.5),
                description=text("Work"),
                billable=text("yes"),
                approved=text("yes"),
            ),
            _row(
                log,
                date=day,
                person=text("Bob"),
                customer_id=text("C2"),
                project=text("Days"),
                start=number(0.375, CLOCK),
                end=number(0.5, CLOCK),
                billable=RawCell("b", "1"),
                approved=text("yes"),
                work_complete=day,
            ),
            _row(
                log,
                date=day,
                person=text("Cy"),
                customer_id=text("C1"),
                project=text("Days"),
                hours=number(0.125, DURATION),
                billable=text("yes"),
                approved=text("yes"),
            ),
        ],
        "Orders": [
            [text(c) for c in order],
            _row(
                order,
                date=day,
                customer_id=text("C1"),
                item=text("Widget"),
                quantity=number(3),
            ),
            _row(
                order,
                date=day,
                customer_id=text("C2"),
                item=text("Setup"),
                quantity=number(1),
                unit_price=number(99.99),
                tax_rate=text("7%"),
            ),
        ],
    }


ERRORS = ("#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!")
NUMBER_TEXTS = (
    "1e400",
    "1E-400",
    "-1e400",
    "1e999999999",
    "1E-999999999",
    "NaN",
    "nan",
    "-NaN",
    "sNaN",
    "Infinity",
    "-Infinity",
    "inf",
    "1E+308",
    "4.9e-324",
    "1.7976931348623157e308",
    "123456789012345678901234567890",
    "0.000000000000000000000000000001",
    "-0",
    "1,5e3",
    "12:99",
    "999:59",
    "25:00",
    "-1:30",
)
SERIALS = (
    -1e15,
    -2958466,
    -1,
    -0.5,
    0,
    0.5,
    1,
    59,
    60,
    61,
    2958465,
    2958465.99999,
    2958466,
    1e7,
    1e15,
    1e300,
)
ISO_DATES = (
    "0000-01-01T00:00:00",
    "0000-01-01",
    "10000-01-01T00:00:00",
    "9999-12-31T23:59:59",
    "-0001-01-01",
    "2026-02-30",
    "P1D",
    "nonsense",
)
_characters = st.characters(blacklist_categories=("Cs",))
texts = st.one_of(
    st.text(_characters, max_size=20),
    st.sampled_from(NUMBER_TEXTS),
    st.sampled_from(("", " ", "\t", "\n", "yes", "no", "C1", "EUR", "hour", "day")),
    # A text just within a cell's limit is test_an_invoice_text_at_the_cell_limit...
    st.sampled_from((32768, 40000)).map(lambda n: "x" * n),
    st.sampled_from((40000,)).map(lambda n: "9" * n),
)
number_texts = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(NUMBER_TEXTS[:17]),
    st.integers(-(10**30), 10**30).map(str),
)
styles = st.sampled_from((0, DATE, DATETIME, CLOCK, DURATION, LONG_DURATION, TEXT))
cells = st.one_of(
    texts.map(text),
    st.builds(lambda v, s: RawCell("n", v, s), number_texts, styles),
    st.builds(
        lambda v, s: RawCell("n", repr(v), s),
        st.sampled_from(SERIALS),
        st.sampled_from((DATE, DATETIME, CLOCK, DURATION, LONG_DURATION, PERCENT)),
    ),
    st.sampled_from(("0", "1")).map(lambda v: RawCell("b", v)),
    st.sampled_from(ERRORS).map(lambda v: RawCell("e", v)),
    st.sampled_from(ISO_DATES).map(lambda v: RawCell("d", v)),
    texts.map(lambda v: RawCell("str", v)),
)


@st.composite
def workbooks(draw: st.DrawFn) -> dict[str, list[list[RawCell | None]]]:
    grids = base_grids()
    for _ in range(draw(st.integers(1, 8))):
        tab = draw(st.sampled_from(sorted(grids)))
        grid = grids[tab]
        width = len(grid[0])
        row = draw(st.integers(1, len(grid)))
        if row == len(grid):
            grid.append([None] * width)
        column = draw(st.integers(0, width - 1))
        if tab == "Settings":
            column = 1
        grid[row][column] = draw(cells)
    return grids


def _problem_is_placed(problem: Problem, tabs: Sequence[str]) -> None:
    assert problem.tab in tabs, problem
    if problem.row is not None:
        assert problem.row >= 1 and problem.column, problem


def _written_texts_fit(changes_writes: dict[str, tuple[object, ...]]) -> None:
    for tab, writes in changes_writes.items():
        for cell in writes:
            value = cell.value  # type: ignore[attr-defined]
            if isinstance(value, str):
                assert len(value) <= EXCEL_CELL_LIMIT, (tab, len(value))
                if tab in ("Exceptions", "Log"):
                    assert len(value) <= WRITTEN_TEXT_LIMIT, (tab, value[:80])


def check_and_run(path: Path) -> None:
    """check, then run twice: no error but SheetbillError, and consistent results."""
    config = Config(documents=False, backups=0, lock_timeout=1.0)
    state = path.with_name("book.sheetbill.sqlite")
    book = ExcelWorkbook(path, backups=0)
    tabs = ("Settings", "Customers", "Rates", "Time Log", "Orders")
    try:
        checked = check_workbook(book, config, as_of=AS_OF, state_path=state)
    except SheetbillError:
        return  # an unreadable workbook: one line, exit 2
    for problem in checked.problems:
        _problem_is_placed(problem, tabs)
    first = run_billing(book, config, state_path=state, as_of=AS_OF, is_dry_run=False)
    for problem in first.problems:
        _problem_is_placed(problem, tabs)
    _written_texts_fit(dict(first.changes.writes))
    second = run_billing(book, config, state_path=state, as_of=AS_OF, is_dry_run=False)
    assert second.invoices == ()
    assert second.exceptions_opened == 0, [  # the same problems match their rows
        (tab, rows[:3], [str(c.value)[:120] for c in rows])
        for tab, rows in second.changes.writes.items()
        if tab == "Exceptions"
    ]
    with StateDB(state) as db:
        assert db.pending_invoices() == []
        numbers = set(db.invoice_numbers())
    table = book.read().tables["Invoices"] if first.invoices else None
    assert numbers == {i.number for i in first.invoices}
    if table is not None:
        listed = {str(r.cells[0]) for r in table.rows}
        assert listed == numbers


@settings(
    max_examples=int(os.environ.get("SHEETBILL_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(workbooks())
def test_any_cell_value_is_a_problem_or_one_line_never_a_traceback(
    grids: dict[str, list[list[RawCell | None]]],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "book.xlsx"
        write_xlsx(path, grids)
        check_and_run(path)


def test_the_base_workbook_bills_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    write_xlsx(path, base_grids())
    config = Config(documents=False, backups=0)
    result = run_billing(
        ExcelWorkbook(path, backups=0),
        config,
        state_path=tmp_path / "state.sqlite",
        as_of=AS_OF,
        is_dry_run=False,
    )
    assert result.problems == () and len(result.invoices) == 2


FIXED = {
    "nan-quantity": ("Orders", 1, "Quantity", RawCell("inlineStr", "NaN")),
    "huge-exponent-rate": ("Rates", 1, "Rate", RawCell("n", "1e400")),
    "before-1900-date": ("Time Log", 1, "Work Complete", text("1899-12-31")),
    "far-duration": ("Time Log", 1, "Hours", RawCell("n", "-1e15", LONG_DURATION)),
    "negative-clock": ("Time Log", 2, "Start", RawCell("n", "-0.5", CLOCK)),
    "year-0-date": ("Time Log", 1, "Date", RawCell("d", "0000-01-01T00:00:00")),
    "long-name": ("Customers", 1, "Name", RawCell("inlineStr", "N" * 40000)),
}


def _fixed_book(folder: Path, case: str) -> Path:
    tab, row, column, cell = FIXED[case]
    grids = base_grids()
    grids[tab][row][[text_of(h) for h in grids[tab][0]].index(column)] = cell
    path = folder / "book.xlsx"
    write_xlsx(path, grids)
    return path


def _exception_places(path: Path) -> set[tuple[object, object]]:
    exceptions = ExcelWorkbook(path, backups=0).read().tables["Exceptions"]
    headers = exceptions.headers
    return {
        (r.get(headers.index("Tab")), r.get(headers.index("Column")))
        for r in exceptions.rows
    }


@pytest.mark.parametrize("case", sorted(FIXED))
def test_a_hostile_cell_becomes_an_exception_row_on_its_cell(
    tmp_path: Path, case: str
) -> None:
    path = _fixed_book(tmp_path, case)
    check_and_run(path)
    tab, _, column, _ = FIXED[case]
    assert (tab, column) in _exception_places(path)


@pytest.mark.parametrize("case", ["far-duration", "long-name"])
def test_cli_turns_a_hostile_cell_into_an_exception_row(
    tmp_path: Path, case: str
) -> None:
    """As a user runs it: exit 1 (done, with exceptions), no traceback."""
    path = _fixed_book(tmp_path, case)
    for command in ("check", "run"):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "sheetbill",
                command,
                str(path),
                "--as-of",
                "2026-11-02",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "COLUMNS": "200"},
            cwd=tmp_path,
        )
        assert done.returncode == 1, (command, done.stderr[-2000:])
        assert not done.stderr.strip(), done.stderr[-2000:]
    tab, _, column, _ = FIXED[case]
    assert (tab, column) in _exception_places(path)


def test_an_invoice_text_at_the_cell_limit_is_never_planned(tmp_path: Path) -> None:
    """A Description of exactly 32,767 characters is a valid input cell, but the
    invoice line made of it ("Widget: " + it) is longer than any cell."""
    grids = base_grids()
    headers = [text_of(h) for h in grids["Orders"][0]]
    grids["Orders"][1][headers.index("Description")] = text("x" * EXCEL_CELL_LIMIT)
    path = tmp_path / "book.xlsx"
    write_xlsx(path, grids)
    check_and_run(path)


def test_far_numbers_lose_their_date_format_for_calamine_only() -> None:
    """A number no date or duration can be (negative, NaN/INF, 10 million or more)
    loses its style in calamine's copy: it would read as midnight, or make calamine
    raise or panic. Dates, text and formulas' other cells stay as they are."""
    kept = (
        b'<c r="A2" s="1"><v>46000</v></c>'
        b'<c r="B2" s="4"><v>0.5</v></c>'
        b'<c r="C2" s="1" t="s"><v>12345678</v></c>'
        b'<c r="D2"><v>-5</v></c>'
    )
    far = (
        b'<c r="E2" s="4"><v>-1E+15</v></c>'
        b'<c r="F2" s="1" t="n"><f>A1*1</f><v>-0.5</v></c>'
        b'<c r="G2" s="5"><v>NaN</v></c>'
        b'<c r="H2" s="5"><v>12345678</v></c>'
    )
    plain = (
        b'<c r="E2"><v>-1E+15</v></c>'
        b'<c r="F2" t="n"><f>A1*1</f><v>-0.5</v></c>'
        b'<c r="G2"><v>NaN</v></c>'
        b'<c r="H2"><v>12345678</v></c>'
    )
    assert plain_far_numbers(kept) is kept
    assert plain_far_numbers(kept + far) == kept + plain


LINE_TOO_LARGE = {
    # Each number is in range, their product is not.
    "quantity x price": (
        {
            ("Orders", 2, "Quantity"): "999999999999999",
            ("Orders", 2, "Unit Price"): "999999999999999",
        },
        "Quantity",
    ),
    # Bob's row bills by the day: 3 hours / 1e-15 hours a day.
    "hours / hours per day": ({("Settings", 6, "Value"): "0.000000000000001"}, "Hours"),
}


@pytest.mark.parametrize("case", sorted(LINE_TOO_LARGE))
def test_a_line_too_large_to_round_is_a_problem_on_its_row(
    tmp_path: Path, case: str
) -> None:
    """Past what rounding to cents can do: an error on the row, not
    decimal.InvalidOperation in the middle of planning."""
    cells, column = LINE_TOO_LARGE[case]
    grids = base_grids()
    for (tab, row, name), value in cells.items():
        grids[tab][row][[text_of(h) for h in grids[tab][0]].index(name)] = number(value)
    path = tmp_path / "book.xlsx"
    write_xlsx(path, grids)
    check_and_run(path)
    result = check_workbook(
        ExcelWorkbook(path, backups=0), Config(), as_of=AS_OF, state_path=None
    )
    assert any(
        p.column == column and "too large for one invoice line" in p.problem
        for p in result.problems
    ), result.problems


@given(
    st.decimals(allow_nan=True, allow_infinity=True)
    | st.builds(
        lambda digits, exponent: Decimal(f"{digits}E{exponent}"),
        st.integers(-(10**40), 10**40),
        st.integers(-999_999_999, 999_999_999),
    )
)
@settings(max_examples=200, deadline=None)
def test_show_any_number_is_short_and_never_raises(value: Decimal) -> None:
    shown = show(value)
    assert 0 < len(shown) < 60


@pytest.mark.parametrize(
    "text", ["1e999999999", "-1E+9999999999", "1E-999999999", "NaN", "-sNaN", "inf"]
)
def test_parse_number_refuses_what_cannot_be_computed_with(text: str) -> None:
    with pytest.raises(CellValueError):
        parse_number(text, locale="en_US")
    with pytest.raises(CellValueError):
        parse_number(Decimal(text), locale="de_DE")


def test_clipped_keeps_short_text_and_notes_the_length_of_long() -> None:
    assert clipped("abc", 3) == "abc"
    assert clipped("x" * 40_000, 200) == "x" * 200 + "… (40,000 characters)"


class PanicException(BaseException):
    """Stands in for pyo3's PanicException, which cannot be imported."""


class _Book:
    def __init__(self, error: BaseException) -> None:
        self.error = error

    def get_sheet_by_name(self, tab: str) -> None:
        raise self.error


def test_a_calamine_panic_is_a_workbook_error_naming_the_tab() -> None:
    with pytest.raises(WorkbookError, match="'Time Log'"):
        _read_sheet(_Book(PanicException("out of bounds")), "Time Log", Path("b"), {})  # type: ignore[arg-type]
    with pytest.raises(KeyboardInterrupt):
        _read_sheet(_Book(KeyboardInterrupt()), "Time Log", Path("b"), {})  # type: ignore[arg-type]


def text_of(cell: RawCell | None) -> str:
    return "" if cell is None else cell.text


@pytest.mark.parametrize("error", sorted(ERROR_VALUES))
@pytest.mark.parametrize(
    "parse",
    [
        lambda v: parse_number(v, locale="en_US"),
        lambda v: parse_percent(v, locale="de_DE"),
        lambda v: parse_hours(v, locale="en_US"),
        lambda v: parse_date(v, locale="en_US"),
        parse_yes_no,
        parse_time_of_day,
    ],
)
def test_an_error_value_is_never_read_as_a_number_date_or_blank(parse, error):
    """`#DIV/0!` once read as 0 (the text around a number was stripped): a tax rate
    of a failed formula billed 0 % VAT without a word."""
    with pytest.raises(CellValueError, match=f"holds the error {re.escape(error)}"):
        parse(f" {error} ")


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="#/!?:()[]{}<>=_-T", min_size=1, max_size=4),
    st.integers(0, 999),
)
def test_text_around_a_number_is_never_guessed_away(noise, number):
    """Only currency signs, a percent sign or one short word may stand around a
    number; anything else makes the cell 'not a number', never the number inside."""
    text = f"{noise}{number}{noise}"
    try:
        read = parse_number(text, locale="en_US")
    except CellValueError:
        return
    # Only a word (a currency code or unit, e.g. "EUR 5", "5 h") may pass.
    assert noise.isalpha() and len(noise) <= 3 and read == number


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("Default Tax Rate", "#DIV/0!"),
        ("Default Tax Rate", "nineteen"),
        ("Tax Mode", "#N/A"),
        ("Hours Increment", "#REF!"),
        ("Rounding", "sometimes"),
    ],
)
def test_an_unreadable_invoice_setting_stops_invoicing_never_bills_a_default(
    tmp_path: Path, key: str, value: str
) -> None:
    """A Default Tax Rate of #DIV/0! once billed 0 % VAT with only an exception row:
    a setting that changes what an invoice adds up to must be read, or no invoice
    is made (the exception says so); the next run after the fix bills as usual."""
    from sheetbill.testing import MemoryWorkbook

    from helpers import small_book, time_row

    workbook = MemoryWorkbook(
        small_book(time_rows=[time_row(AS_OF, "Ann", "C1", Decimal(2))])
    )
    settings = workbook.cells["Settings"]
    row = max(r for r, _ in settings) + 1
    settings[(row, 0)], settings[(row, 1)] = key, value
    config = Config(documents=False)
    state = tmp_path / "state.sqlite"
    blocked = run_billing(
        workbook, config, state_path=state, as_of=AS_OF, is_dry_run=False
    )
    assert blocked.invoices == ()
    (problem,) = [p for p in blocked.problems if p.tab == "Settings"]
    assert problem.row == row and "no invoice is made" in problem.fix
    # The fix: the wrong row goes (a Default Tax Rate row left empty stops invoicing
    # too, rather than billing 0 %).
    del settings[(row, 0)], settings[(row, 1)]
    fixed = run_billing(
        workbook, config, state_path=state, as_of=AS_OF, is_dry_run=False
    )
    assert [i.number for i in fixed.invoices] == ["INV-2026-0001"]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (
            Decimal("-5.832852589066592119700231559493E-30"),
            "-5.832852589066592119700231559493E-30",
        ),
        (Decimal("0.000012"), "0.000012"),
        (Decimal("123456789012345678901234567890"), "123456789012345678901234567890"),
    ],
)
def test_show_writes_a_number_out_plainly_only_while_it_stays_short(
    value: Decimal, shown: str
) -> None:
    """Found by hypothesis: 31 significant digits at 1E-30 wrote out in 63
    characters."""
    assert show(value) == shown
