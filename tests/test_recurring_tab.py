"""The Recurring tab read as plans (tabs/recurring.py) from real workbooks: every
field's rule, each bad field one error on its cell with its own code and the row
left out, copied Plan IDs held, numbers and dates in the Settings' locale, text that
looks like a formula read as text; `sheetbill check` reports a bad plan, and `init`
gives an older tab the new columns without touching a person's cells."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from paths import DEMO
from readback import calamine_records, calamine_rows

from sheetbill.cli import main
from sheetbill.domain.cells import MAX_CELL_TEXT
from sheetbill.domain.model import Settings, Severity
from sheetbill.domain.problem_codes import ProblemCode
from sheetbill.domain.recurring import LAST_DAY, Billing, Frequency, Plan
from sheetbill.domain.schema import RECURRING, RecurringColumns, map_columns
from sheetbill.domain.sheet import CellWrite, WorkbookChanges
from sheetbill.tabs.recurring import plan_key, read_recurring
from sheetbill.tabs.rows import TabLayout
from sheetbill.tabs.validation import BookData, validate_book
from sheetbill.workbook.excel import ExcelWorkbook

from helpers import SETTINGS_ROWS, table, write_xlsx

D = Decimal
C = RecurringColumns
P = ProblemCode
AS_OF = date(2026, 11, 3)
HEADERS = [c.name for c in RECURRING.columns]
CUSTOMERS = [
    ["Customer ID", "Name", "Currency", "Tax Rate", "Status"],
    ["C1", "Alpha GmbH", "EUR", D(19)],
    ["C2", "Beta Inc", "USD", D(0)],
    ["C3", "Gone Ltd", "EUR", D(19), "inactive"],
]
# Headers of a Recurring tab made before issue 16 (the starter workbook's then).
OLD_HEADERS = [
    h
    for h in HEADERS
    if h not in (C.INTERVAL, C.COUNT, C.BILLING, C.PROJECT, C.MAX_ROLLOVER_HOURS)
]


def row(**cells: object) -> list[object]:
    """A Recurring row by column name (Plan_ID style: spaces as _)."""
    by_key = {h.replace(" ", "_").lower(): h for h in HEADERS}
    named = {by_key[k.lower()]: v for k, v in cells.items()}
    return [named.get(h) for h in HEADERS]


GOOD = {
    "plan_id": "P-001",
    "customer_id": "C1",
    "description": "Support",
    "unit_price": D(800),
    "frequency": "monthly",
    "start": date(2026, 9, 1),
}


def good(**changes: object) -> list[object]:
    return row(**(GOOD | changes))


def book(
    path: Path,
    rows: list[list[object]],
    *,
    headers: list[str] = HEADERS,
    settings_rows: list[list[object]] | None = None,
) -> Path:
    """A real .xlsx with Settings, Customers and the Recurring rows."""
    return write_xlsx(
        path,
        {
            "Settings": [["Key", "Value"], *(settings_rows or SETTINGS_ROWS)],
            "Customers": CUSTOMERS,
            "Recurring": [headers, *rows],
        },
    )


def read_back(path: Path) -> BookData:
    return validate_book(ExcelWorkbook(path, backups=0).read(), today=AS_OF, billed={})


def recurring_problems(data: BookData) -> dict[tuple[int | None, str], ProblemCode]:
    return {(p.row, p.column): p.code for p in data.problems if p.tab == "Recurring"}


# --- A plan as written -----------------------------------------------------------


def test_a_row_with_every_cell_reads_as_its_plan(tmp_path):
    path = book(
        tmp_path / "shop.xlsx",
        [
            row(
                plan_id=" P-001 ",
                customer_id="C1",
                description="Retainer",
                quantity=D(2),
                unit_price=D("1500.5"),
                frequency=" Monthly ",
                interval=D(3),
                day="last",
                start=date(2026, 8, 1),
                end=datetime(2027, 7, 31),
                count=D(12),
                billing="In  Arrears",
                included_hours=D("7.5"),
                project="Web",
                max_rollover_hours=D(5),
                auto_send="yes",
                active="yes",
                next_date=date(2026, 12, 1),
                last_invoice="INV-2026-0007",
            )
        ],
    )
    data = read_back(path)
    assert recurring_problems(data) == {}
    assert data.plans == (
        Plan(
            row=2,
            plan_id="P-001",
            customer_id="C1",
            description="Retainer",
            quantity=D(2),
            unit_price=D("1500.5"),
            frequency=Frequency.MONTHLY,
            interval=3,
            day=LAST_DAY,
            start=date(2026, 8, 1),
            end=date(2027, 7, 31),
            count=12,
            billing=Billing.IN_ARREARS,
            included_hours=D("7.5"),
            project="Web",
            max_rollover_hours=D(5),
            auto_send=True,
            is_active=True,
            next_date_shown=date(2026, 12, 1),
            last_invoice_shown="INV-2026-0007",
        ),
    )
    assert data.plan_keys == {"p-001"}


def test_blank_cells_take_their_defaults(tmp_path):
    """Quantity 1, Interval 1, Day the Start's (None), no End or Count, in advance,
    Auto Send as the Settings say (None), Active yes, no rollover; a retainer's
    blank Billing is in arrears."""
    path = book(
        tmp_path / "shop.xlsx",
        [good(), good(plan_id="P-002", included_hours=D(0))],
    )
    data = read_back(path)
    assert recurring_problems(data) == {}
    plain, retainer = data.plans
    assert (plain.quantity, plain.interval, plain.day, plain.end, plain.count) == (
        D(1),
        1,
        None,
        None,
        None,
    )
    assert (plain.billing, plain.auto_send, plain.is_active) == (
        Billing.IN_ADVANCE,
        None,
        True,
    )
    assert (plain.included_hours, plain.max_rollover_hours) == (None, D(0))
    assert not plain.is_retainer
    assert retainer.is_retainer and retainer.billing is Billing.IN_ARREARS


@pytest.mark.parametrize(
    ("frequency", "day", "read_as"),
    [
        ("weekly", D(1), (Frequency.WEEKLY, 1)),
        ("WEEKLY", "Sunday", (Frequency.WEEKLY, 7)),
        ("weekly", "wed", (Frequency.WEEKLY, 3)),
        ("quarterly", D(31), (Frequency.QUARTERLY, 31)),
        ("yearly", "LAST", (Frequency.YEARLY, LAST_DAY)),
        ("annually", "-1", (Frequency.YEARLY, LAST_DAY)),
        ("monthly", "15", (Frequency.MONTHLY, 15)),
        ("monthly", D("15.0"), (Frequency.MONTHLY, 15)),
    ],
)
def test_frequencies_and_days_as_people_write_them(tmp_path, frequency, day, read_as):
    data = read_back(book(tmp_path / "shop.xlsx", [good(frequency=frequency, day=day)]))
    assert recurring_problems(data) == {}
    [plan] = data.plans
    assert (plan.frequency, plan.day) == read_as


def test_numbers_and_dates_are_read_in_the_settings_locale(tmp_path):
    path = book(
        tmp_path / "shop.xlsx",
        [
            good(
                unit_price="1.500,50",
                quantity="1,5",
                start="15.11.2026",
                end="1.3.2027",
                included_hours="7,5 h",
                max_rollover_hours="90 min",
            )
        ],
        settings_rows=[*SETTINGS_ROWS, ["Locale", "de_DE"]],
    )
    data = read_back(path)
    assert recurring_problems(data) == {}
    [plan] = data.plans
    assert (plan.unit_price, plan.quantity) == (D("1500.50"), D("1.5"))
    assert (plan.start, plan.end) == (date(2026, 11, 15), date(2027, 3, 1))
    assert (plan.included_hours, plan.max_rollover_hours) == (D("7.5"), D("1.5"))


def test_a_unit_price_in_the_customers_currency_reads_and_another_is_refused(
    tmp_path,
):
    data = read_back(
        book(
            tmp_path / "shop.xlsx",
            [
                good(customer_id="C2", unit_price="USD 90"),
                good(plan_id="P-002", customer_id="C2", unit_price="90 EUR"),
            ],
        )
    )
    [plan] = data.plans
    assert (plan.plan_id, plan.unit_price) == ("P-001", D(90))
    assert recurring_problems(data) == {(3, C.UNIT_PRICE): P.RECURRING_BAD_UNIT_PRICE}


def test_text_that_looks_like_a_formula_is_read_as_text(tmp_path):
    """Written as text cells (sheetbill's own writer): the plan keeps the very
    texts, and nothing is computed."""
    path = tmp_path / "shop.xlsx"
    write_xlsx(
        path,
        {
            "Settings": [["Key", "Value"], *SETTINGS_ROWS],
            "Customers": CUSTOMERS,
            "Recurring": [HEADERS],
        },
    )
    workbook = ExcelWorkbook(path, backups=0)
    before = workbook.read()
    texts = good(
        plan_id="=1+1",
        description='=HYPERLINK("http://x.example","pay")',
        project="+49 30",
        last_invoice="@SUM(A1)",
    )
    writes = tuple(CellWrite(2, i, v) for i, v in enumerate(texts) if v is not None)
    workbook.apply(
        WorkbookChanges(writes={"Recurring": writes}), expected_version=before.version
    )
    data = read_back(path)
    assert recurring_problems(data) == {}
    [plan] = data.plans
    assert (plan.plan_id, plan.description, plan.project) == (
        "=1+1",
        '=HYPERLINK("http://x.example","pay")',
        "+49 30",
    )
    assert plan.last_invoice_shown == "@SUM(A1)"


def test_the_demo_workbooks_plans_read_without_a_problem():
    data = validate_book(ExcelWorkbook(DEMO, backups=0).read(), today=AS_OF, billed={})
    assert recurring_problems(data) == {}
    assert [(p.plan_id, p.frequency, p.is_retainer) for p in data.plans] == [
        ("P-001", Frequency.MONTHLY, True),
        ("P-002", Frequency.QUARTERLY, False),
        ("P-003", Frequency.YEARLY, False),
        ("P-004", Frequency.MONTHLY, False),
        ("P-005", Frequency.MONTHLY, False),
    ]


# --- Every bad field: one error on its cell, the plan left out --------------------

BAD_FIELDS = [
    # (what the row has, the cell, the code)
    ({"plan_id": None}, C.PLAN_ID, P.RECURRING_NO_PLAN_ID),
    ({"customer_id": None}, C.CUSTOMER_ID, P.CELL_EMPTY),
    ({"customer_id": "C9"}, C.CUSTOMER_ID, P.ROW_UNKNOWN_CUSTOMER),
    ({"customer_id": "C3"}, C.CUSTOMER_ID, P.ROW_INACTIVE_CUSTOMER),
    ({"frequency": None}, C.FREQUENCY, P.RECURRING_BAD_FREQUENCY),
    ({"frequency": "fortnightly"}, C.FREQUENCY, P.RECURRING_BAD_FREQUENCY),
    ({"interval": D(0)}, C.INTERVAL, P.RECURRING_BAD_INTERVAL),
    ({"interval": "1.5"}, C.INTERVAL, P.RECURRING_BAD_INTERVAL),
    ({"interval": "two"}, C.INTERVAL, P.RECURRING_BAD_INTERVAL),
    ({"day": D(32)}, C.DAY, P.RECURRING_BAD_DAY),
    ({"day": "Monday"}, C.DAY, P.RECURRING_BAD_DAY),
    ({"frequency": "weekly", "day": D(8)}, C.DAY, P.RECURRING_BAD_DAY),
    ({"frequency": "weekly", "day": "last"}, C.DAY, P.RECURRING_BAD_DAY),
    ({"start": None}, C.START, P.RECURRING_BAD_START),
    ({"start": "soon"}, C.START, P.RECURRING_BAD_START),
    ({"end": "never"}, C.END, P.RECURRING_BAD_END),
    ({"end": date(2026, 8, 31)}, C.END, P.RECURRING_BAD_END),
    ({"count": D(0)}, C.COUNT, P.RECURRING_BAD_COUNT),
    ({"count": "-3"}, C.COUNT, P.RECURRING_BAD_COUNT),
    ({"billing": "monthly"}, C.BILLING, P.RECURRING_BAD_BILLING),
    (
        {"billing": "in advance", "included_hours": D(10)},
        C.BILLING,
        P.RECURRING_RETAINER_IN_ADVANCE,
    ),
    ({"quantity": D(0)}, C.QUANTITY, P.RECURRING_BAD_QUANTITY),
    ({"quantity": "-1"}, C.QUANTITY, P.RECURRING_BAD_QUANTITY),
    ({"quantity": "0.123456"}, C.QUANTITY, P.RECURRING_BAD_QUANTITY),
    ({"quantity": "a few"}, C.QUANTITY, P.RECURRING_BAD_QUANTITY),
    ({"unit_price": None}, C.UNIT_PRICE, P.RECURRING_BAD_UNIT_PRICE),
    ({"unit_price": "-5"}, C.UNIT_PRICE, P.RECURRING_BAD_UNIT_PRICE),
    ({"unit_price": "cheap"}, C.UNIT_PRICE, P.RECURRING_BAD_UNIT_PRICE),
    ({"quantity": D("1e14"), "unit_price": D(800)}, C.QUANTITY, P.ROW_AMOUNT_TOO_LARGE),
    ({"included_hours": "-2"}, C.INCLUDED_HOURS, P.RECURRING_BAD_INCLUDED_HOURS),
    ({"included_hours": "3 days"}, C.INCLUDED_HOURS, P.RECURRING_BAD_INCLUDED_HOURS),
    (
        {"included_hours": D(10), "max_rollover_hours": "lots"},
        C.MAX_ROLLOVER_HOURS,
        P.RECURRING_BAD_ROLLOVER_HOURS,
    ),
    (
        {"max_rollover_hours": D(5)},
        C.MAX_ROLLOVER_HOURS,
        P.RECURRING_ROLLOVER_WITHOUT_HOURS,
    ),
    ({"auto_send": "maybe"}, C.AUTO_SEND, P.RECURRING_BAD_AUTO_SEND),
    ({"active": "paused"}, C.ACTIVE, P.RECURRING_BAD_ACTIVE),
    ({"description": "#N/A"}, C.DESCRIPTION, P.CELL_FORMULA_FAILED),
    ({"day": "#DIV/0!"}, C.DAY, P.CELL_FORMULA_FAILED),
]


def test_every_bad_field_is_one_error_on_its_cell_and_its_plan_bills_nothing(
    tmp_path,
):
    """One workbook, one bad field per row (row 2 is good): each row gives exactly
    its problem, an error naming the tab, row, column and the value as shown, with
    a fix; only the good row is a plan."""
    rows = [good(plan_id="P-000")] + [
        good(**({"plan_id": f"P-{i:03}"} | cells))
        for i, (cells, _, _) in enumerate(BAD_FIELDS, start=1)
    ]
    data = read_back(book(tmp_path / "shop.xlsx", rows))
    assert [p.plan_id for p in data.plans] == ["P-000"]
    found = [p for p in data.problems if p.tab == "Recurring"]
    assert [(p.row, p.column, p.code) for p in found] == [
        (row_number, column, code)
        for row_number, (_, column, code) in enumerate(BAD_FIELDS, start=3)
    ]
    for problem, (cells, column, _) in zip(found, BAD_FIELDS, strict=True):
        assert problem.severity is Severity.ERROR
        assert problem.problem and problem.fix.endswith(".")
        typed = cells.get(column.replace(" ", "_").lower())
        if isinstance(typed, str) or typed is None:
            assert problem.value == (typed or ""), problem
    # Every row with a problem is still a Plan ID the tab shows.
    assert len(data.plan_keys) == len(rows) - 1  # one row has no Plan ID


def test_an_end_before_start_names_both_dates():
    plans, problems = _read([good(end=date(2026, 8, 31))])
    [problem] = problems
    assert plans == ()
    assert "End 2026-08-31 is before Start 2026-09-01" in problem.problem


def test_an_end_before_the_first_period_is_a_warning_that_the_plan_never_bills():
    """Start 2026-09-15 with Day 1: the first period starts 2026-10-01, after End."""
    plans, problems = _read(
        [
            good(start=date(2026, 9, 15), day=D(1), end=date(2026, 9, 30)),
            good(
                plan_id="P-002",
                start=date(2026, 9, 15),
                day=D(1),
                end=date(2026, 10, 1),
            ),
        ]
    )
    [problem] = problems
    assert (problem.row, problem.column, problem.code) == (
        2,
        "End",
        P.RECURRING_NEVER_BILLS,
    )
    assert problem.severity is Severity.WARNING
    assert "2026-10-01, after its End 2026-09-30" in problem.problem
    assert [p.plan_id for p in plans] == ["P-001", "P-002"]


def test_a_description_too_long_for_an_invoice_line_is_an_error_but_a_long_one_reads():
    longest = MAX_CELL_TEXT - 100
    plans, problems = _read(
        [
            good(description="x" * longest),
            good(plan_id="P-002", description="y" * (longest + 1)),
        ]
    )
    assert [p.plan_id for p in plans] == ["P-001"]
    assert [(p.row, p.column, p.code) for p in problems] == [
        (3, "Description", P.RECURRING_DESCRIPTION_TOO_LONG)
    ]


def test_a_paused_plan_of_an_inactive_customer_is_no_problem():
    """It bills nothing either way; its periods are skipped while paused."""
    plans, problems = _read([good(customer_id="C3", active="no")])
    assert problems == ()
    [plan] = plans
    assert not plan.is_active


def test_next_date_and_last_invoice_are_read_leniently():
    """sheetbill's own cells: whatever a person typed there is no problem."""
    plans, problems = _read(
        [
            good(next_date="soon", last_invoice="#N/A"),
            good(plan_id="P-002", next_date="2026-12-01", last_invoice=D(7)),
        ]
    )
    assert problems == ()
    assert [(p.next_date_shown, p.last_invoice_shown) for p in plans] == [
        (None, ""),
        (date(2026, 12, 1), "7"),
    ]


def test_a_blank_row_and_a_row_with_only_sheetbills_cells_are_skipped():
    plans, problems = _read(
        [good(), row(next_date=date(2026, 12, 1), last_invoice="INV-1"), row()]
    )
    assert problems == () and [p.row for p in plans] == [2]


# --- Copied Plan IDs -------------------------------------------------------------


def test_a_plan_id_on_two_rows_is_an_error_on_each_and_neither_bills(tmp_path):
    """Compared trimmed and case-folded; the message names the other rows."""
    data = read_back(
        book(
            tmp_path / "shop.xlsx",
            [
                good(plan_id="P-001"),
                good(plan_id="P-002"),
                good(plan_id=" p-001"),
                good(plan_id="P-001 ", unit_price="bad"),
            ],
        )
    )
    assert [p.plan_id for p in data.plans] == ["P-002"]
    copies = [p for p in data.problems if p.code is P.RECURRING_DUPLICATE_PLAN_ID]
    assert [(p.row, p.column, p.severity) for p in copies] == [
        (2, C.PLAN_ID, Severity.ERROR),
        (4, C.PLAN_ID, Severity.ERROR),
        (5, C.PLAN_ID, Severity.ERROR),
    ]
    assert "rows 4 and 5" in copies[0].problem
    assert "rows 2 and 5" in copies[1].problem
    assert data.plan_keys == {"p-001", "p-002"}
    assert plan_key("  P-001 ") == "p-001"


# --- Properties ------------------------------------------------------------------

WHOLE_COLUMNS = {C.INTERVAL: "interval", C.COUNT: "count"}


def _layout(rows: list[list[object]], headers: list[str] = HEADERS) -> TabLayout:
    padded = [list(r) + [None] * (len(headers) - len(r)) for r in rows]
    return TabLayout(
        RECURRING,
        table("Recurring", headers, padded),
        map_columns(RECURRING, "Recurring", headers),
    )


def _read(rows: list[list[object]], locale: str = "en_US"):  # type: ignore[no-untyped-def]
    customers = validate_book(
        _snapshot_of_customers(), today=AS_OF, billed={}
    ).customers
    return read_recurring(_layout(rows), Settings(locale=locale), customers)


def _snapshot_of_customers():  # type: ignore[no-untyped-def]
    from helpers import snapshot

    return snapshot(
        {
            "Settings": (["Key", "Value"], SETTINGS_ROWS),
            "Customers": (CUSTOMERS[0], CUSTOMERS[1:]),
        }
    )


cell_texts = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["last", "LAST", "-1", "0", "1", "7", "8", "31", "32", "2.0", "1,5", "1e3"]
    ),
    st.integers(-40, 40).map(str),
    st.sampled_from(["Monday", "sun", "#N/A", "#REF!", "TRUE", "  3 "]),
)


@settings(max_examples=300, deadline=None)
@given(
    text=cell_texts,
    column=st.sampled_from([C.DAY, C.INTERVAL, C.COUNT]),
    frequency=st.sampled_from(["weekly", "monthly", "quarterly", "yearly"]),
    locale=st.sampled_from(["en_US", "de_DE", "fr_FR"]),
)
def test_any_day_interval_or_count_text_reads_or_is_one_problem_on_its_cell(
    text, column, frequency, locale
):
    key = column.replace(" ", "_").lower()
    plans, problems = _read([good(frequency=frequency, **{key: text})], locale)
    assert all(p.column == column for p in problems), problems
    if not text.strip():
        assert problems == () and len(plans) == 1
        return
    if problems:
        [problem] = problems
        assert problem.severity is Severity.ERROR
        assert problem.value == text
        assert plans == ()
        return
    [plan] = plans
    if column == C.DAY:
        assert plan.day is not None
        if frequency == "weekly":
            assert 1 <= plan.day <= 7
        else:
            assert 1 <= plan.day <= 31 or plan.day == LAST_DAY
    else:
        assert getattr(plan, WHOLE_COLUMNS[column]) >= 1


@settings(max_examples=100, deadline=None)
@given(
    ids=st.lists(
        st.sampled_from(["P-1", "p-1", " P-1 ", "P-2", "P-3", "p-3"]),
        min_size=1,
        max_size=6,
    )
)
def test_a_plan_bills_only_when_no_other_row_has_its_id(ids):
    plans, problems = _read([good(plan_id=i) for i in ids])
    keys = [plan_key(i) for i in ids]
    once = {k for k in keys if keys.count(k) == 1}
    assert {plan_key(p.plan_id) for p in plans} == once
    copied = [r for r, k in enumerate(keys, start=2) if k not in once]
    assert [p.row for p in problems] == copied
    assert all(p.code is P.RECURRING_DUPLICATE_PLAN_ID for p in problems)


# --- check and init --------------------------------------------------------------


def check_json(path: Path, capsys) -> tuple[int, dict]:  # type: ignore[no-untyped-def,type-arg]
    capsys.readouterr()
    code = main(["check", str(path), "--json", "--as-of", AS_OF.isoformat()])
    return code, json.loads(capsys.readouterr().out)


def test_check_reports_an_active_monthly_plan_for_an_unknown_customer(tmp_path, capsys):
    """The issue's example: before, `check` said "No problems found"."""
    path = book(tmp_path / "shop.xlsx", [good(customer_id="C9"), good(plan_id="P-2")])
    code, result = check_json(path, capsys)
    assert code == 1
    [problem] = [p for p in result["exceptions"] if p["tab"] == "Recurring"]
    assert (problem["row"], problem["column"], problem["value"], problem["code"]) == (
        2,
        "Customer ID",
        "C9",
        "row.unknown-customer",
    )
    assert result["counts"]["recurring plans"] == 1
    capsys.readouterr()
    main(["check", str(path), "--as-of", AS_OF.isoformat()])
    shown = capsys.readouterr().out
    assert "1 recurring plan" in shown and "No problems found" not in shown


def test_a_problem_on_a_column_the_tab_lacks_says_init_adds_it(tmp_path, capsys):
    """An older tab without Included Hours: the rollover's problem asks for it."""
    headers = [h for h in OLD_HEADERS if h != C.INCLUDED_HOURS]
    headers.append(C.MAX_ROLLOVER_HOURS)
    path = book(
        tmp_path / "shop.xlsx",
        [[dict(zip(HEADERS, good(max_rollover_hours=D(5)))).get(h) for h in headers]],
        headers=headers,
    )
    _, result = check_json(path, capsys)
    [problem] = [p for p in result["exceptions"] if p["tab"] == "Recurring"]
    assert problem["code"] == "recurring.rollover-without-hours"
    assert (
        "The Recurring tab has no 'Included Hours' column: run 'sheetbill init'"
        in (problem["fix"])
    )


def test_an_older_recurring_tab_reads_and_init_adds_the_new_columns(tmp_path):
    """Its columns stay where they are, the new ones go right of every used cell
    (a person's notes under a blank header too); no cell of theirs changes, and
    its plans read the same before and after."""
    old_row = [
        "P-001",
        "C1",
        "Support",
        D(1),
        D(800),
        "monthly",
        D(15),
        date(2026, 9, 1),
        None,
        None,
        "no",
        "yes",
        date(2026, 11, 15),
        "INV-1",
    ]
    assert len(old_row) == len(OLD_HEADERS)
    path = book(
        tmp_path / "shop.xlsx",
        [[*old_row, None, "my note"], [None] * len(OLD_HEADERS) + [None, "another"]],
        headers=OLD_HEADERS,
    )
    before_plans = read_back(path).plans
    assert [p.plan_id for p in before_plans] == ["P-001"]
    before = calamine_rows(path, "Recurring")
    assert main(["init", str(path)]) == 0
    after = calamine_rows(path, "Recurring")
    width = len(OLD_HEADERS) + 2
    assert [r[:width] for r in after] == [r[:width] for r in before]
    assert after[0][width:] == [
        C.INTERVAL,
        C.COUNT,
        C.BILLING,
        C.PROJECT,
        C.MAX_ROLLOVER_HOURS,
    ]
    assert all(c == "" for r in after[1:] for c in r[width:])
    data = read_back(path)
    assert recurring_problems(data) == {}
    assert data.plans == before_plans
    assert main(["init", str(path)]) == 0
    assert calamine_rows(path, "Recurring") == after


def test_a_run_lists_a_bad_plan_on_the_exceptions_tab(tmp_path, capsys):
    path = book(tmp_path / "shop.xlsx", [good(frequency="fortnightly")])
    main(["run", str(path), "--as-of", AS_OF.isoformat()])
    capsys.readouterr()
    listed = [
        r for r in calamine_records(path, "Exceptions") if r["Tab"] == "Recurring"
    ]
    assert [(r["Row"], r["Column"], r["Value"], r["Severity"]) for r in listed] == [
        (2, "Frequency", "fortnightly", "error")
    ]
    assert (
        "Frequency is not weekly, monthly, quarterly or yearly" in listed[0]["Problem"]
    )


def test_a_start_typed_as_a_text_date_either_way_round_is_the_one_warning(tmp_path):
    data = read_back(book(tmp_path / "shop.xlsx", [good(start="3/11/2026")]))
    [plan] = data.plans
    assert plan.start == date(2026, 3, 11)
    [warning] = [p for p in data.problems if p.tab == "Recurring"]
    assert (warning.code, warning.column, warning.severity) == (
        P.CELL_AMBIGUOUS_DATE,
        C.START,
        Severity.WARNING,
    )
