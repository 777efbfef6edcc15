"""Text no font can print is an exception naming its cell, found before planning.

Pure: the fonts' characters are given as ranges here; the real fonts are read in
tests/documents/test_fonts.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st
from lxml import etree

from sheetbill.domain.characters import (
    PrintableCharacters,
    Refusal,
    in_font_around,
    refusal,
)
from sheetbill.domain.model import Counters, LineGrouping, Severity
from sheetbill.planning.invoices import plan_invoices
from sheetbill.tabs.printable import (
    behind_a_failed_document,
    describe,
    find_unprintable,
)
from sheetbill.tabs.settings import setting_rows
from sheetbill.tabs.validation import BookData, validate_book

from helpers import SETTINGS_ROWS, small_book, time_row

D = Decimal
TODAY = date(2026, 11, 2)
# Latin only: enough for the small books here, and without the emoji below.
LATIN = PrintableCharacters.from_ranges([(0x20, 0x7E), (0xA0, 0x24F), (0x2013, 0x2014)])
UNICORN = "🦄"


def book_data(**kwargs: object) -> BookData:
    return validate_book(small_book(**kwargs), today=TODAY, billed={})  # type: ignore[arg-type]


def customers(name: str = "Alpha GmbH") -> list[list[object]]:
    return [
        ["C1", name, "a@alpha.example", "EUR", None],
        ["C2", "Beta Inc", "b@beta.example", "USD", D(0)],
    ]


def test_printable_characters_missing_lists_each_character_once():
    assert LATIN.missing(f"Caf\u00e9 {UNICORN} {UNICORN} \ue000") == [UNICORN, "\ue000"]
    assert LATIN.missing("plain ASCII text, with punctuation & more") == []


def test_printable_characters_missing_ignores_what_is_drawn_as_nothing():
    """Spaces, line breaks, joiners, variation selectors, bidi marks, soft hyphens."""
    assert LATIN.missing("a b\n\tc\r\u200d\ufe0f\u200f\u00ad\u2060\u200bd") == []


def test_printable_characters_missing_finds_control_characters():
    assert LATIN.missing("bell\x07") == ["\x07"]


def test_describe_names_code_points_and_counts_the_rest():
    assert describe([UNICORN]) == "'🦄' (U+1F984 UNICORN FACE)"
    assert describe(["\ue000"]) == "(U+E000 a private-use character)"
    assert describe(["\x07"]) == "(U+0007 a control character)"
    assert describe(["\ufffe"]) == "(U+FFFE a noncharacter)"
    assert describe(["\u0378"]) == "(U+0378 a character without a name)"
    assert describe(list("🦄🚀🍣👍")).endswith("and 1 more")


def test_find_unprintable_names_the_customer_cell_and_leaves_the_customer_out():
    data = book_data(customers=customers(f"Alpha {UNICORN} GmbH"))
    found = find_unprintable(data, LATIN)
    [problem] = found.problems
    assert (problem.tab, problem.row, problem.column) == ("Customers", 2, "Name")
    assert problem.value == f"Alpha {UNICORN} GmbH"
    assert "U+1F984 UNICORN FACE" in problem.problem
    assert "empty box" in problem.problem and "rows are billed" in problem.problem
    assert problem.severity is Severity.ERROR and problem.customer_id == "C1"
    assert found.customers == {"C1"} and not found.stops_invoicing


def test_find_unprintable_settings_company_name_stops_invoicing_and_names_its_row():
    rows = [["Company Name", f"Test {UNICORN} Shop"], *SETTINGS_ROWS[1:]]
    data = book_data(settings=rows)
    found = find_unprintable(
        data, LATIN, setting_rows=setting_rows(data.layouts["Settings"].table)
    )
    [problem] = found.problems
    assert (problem.tab, problem.row, problem.column) == ("Settings", 2, "Value")
    assert (
        "'Company Name'" in problem.problem and "no invoice is made" in problem.problem
    )
    assert found.stops_invoicing


def test_find_unprintable_orders_item_and_description_name_their_row():
    order = [TODAY, "C1", f"Mug {UNICORN}", D(1), D(5), None, "\ue000 print"]
    data = book_data(customers=customers(), order_rows=[order])
    found = find_unprintable(data, LATIN)
    assert [(p.tab, p.row, p.column) for p in found.problems] == [
        ("Orders", 2, "Item"),
        ("Orders", 2, "Description"),
    ]
    assert found.rows == {("Orders", 2)}


def _time_book(grouping: LineGrouping, **text: str) -> BookData:
    data = book_data(
        customers=customers(),
        time_rows=[time_row(date(2026, 10, 1), "Ann", "C1", D(2), **text)],  # type: ignore[arg-type]
    )
    return replace(data, settings=replace(data.settings, line_grouping=grouping))


def test_find_unprintable_time_log_checks_only_what_the_line_grouping_prints():
    by_activity = _time_book(
        LineGrouping.PROJECT_ACTIVITY, description=f"not printed {UNICORN}"
    )
    assert find_unprintable(by_activity, LATIN).problems == ()
    per_entry = _time_book(LineGrouping.ENTRY, description=f"printed {UNICORN}")
    [problem] = find_unprintable(per_entry, LATIN).problems
    assert (problem.tab, problem.row, problem.column) == ("Time Log", 2, "Description")
    assert "The row is not billed" in problem.problem


texts = st.sampled_from(["", "Web", "Dev", "Ann", f"x{UNICORN}", f"{UNICORN}y"])


@settings(max_examples=200)
@given(
    grouping=st.sampled_from(list(LineGrouping)),
    project=texts,
    activity=texts,
    description=texts,
    person=texts.filter(bool),
)
def test_find_unprintable_flags_a_time_row_exactly_when_its_line_would_show_it(
    grouping: LineGrouping, project: str, activity: str, description: str, person: str
):
    """Tied to the planner: what a line shows is what is checked, no more, no less."""
    data = book_data(
        customers=customers(),
        time_rows=[
            time_row(
                date(2026, 10, 1),
                person,
                "C1",
                D(2),
                project=project,
                activity=activity,
                description=description,
            )
        ],
    )
    data = replace(data, settings=replace(data.settings, line_grouping=grouping))
    [entry] = data.time_entries
    [invoice], _ = plan_invoices(
        customers=data.customers,
        entries=[entry],
        orders=[],
        settings=data.settings,
        today=TODAY,
        counters=Counters({}, 0),
    )
    [line] = invoice.lines
    is_shown = UNICORN in line.description
    assert bool(find_unprintable(data, LATIN).rows) == is_shown


# Every code point a font could map, so that only the rule itself refuses anything.
EVERY_GLYPH = PrintableCharacters.from_ranges([(0, 0x10FFFF)])
# Found by a hostile tester: printed as empty boxes, vanished, or broke the e-invoice.
BROKE_A_DOCUMENT = [
    "\x00",
    "\x1c",
    "\x1f",
    "\x7f",
    "\x85",
    "\u2028",
    "\u2029",
    "\u070f",
    "\U000110bd",
    "\U00013430",
    "\u202e",
    "\u2066",
    "\ufffe",
    "\ud800",
]


def is_xml_char(code: int) -> bool:
    """XML 1.0 (fifth edition) production [2] Char, as the standard writes it."""
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def lxml_takes(char: str) -> bool:
    try:
        etree.Element("a").text = f"a{char}b"
    except ValueError:
        return False
    return True


every_code_point = st.characters(exclude_categories=()) | st.sampled_from(
    BROKE_A_DOCUMENT
)


@settings(max_examples=1000)
@given(char=every_code_point, drawn=st.booleans())
def test_refusal_lets_into_a_document_only_what_xml_holds(char: str, drawn: bool):
    """Whatever the fonts map, nothing the rule lets through breaks the e-invoice:
    every such character is an XML 1.0 Char, and lxml takes it into a text."""
    if refusal(char, lambda _: drawn) is None:
        assert is_xml_char(ord(char)) and lxml_takes(char)
    if not lxml_takes(char) or not is_xml_char(ord(char)):
        assert refusal(char, lambda _: drawn) is Refusal.CONTROL


@settings(max_examples=1000)
@given(char=every_code_point)
@example("\u070f")
@example("\u180e")
@example("\u180f")
@example("\u2062")
@example("\u2065")
@example("\u206f")
def test_refusal_wants_a_glyph_for_all_but_white_space_and_a_few_invisibles(
    char: str,
):
    """Without a glyph, only space, tab, line breaks and the characters the shaper
    draws as nothing (joiners, variation selectors, direction marks, soft hyphen,
    invisible operators) may reach a document; any other format character is
    refused."""
    allowed = refusal(char, lambda _: False) is None
    invisible = char in (
        "\u00ad\u034f\u061c\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"
        "\u2061\u2062\u2063\u2064\u206a\u206b\u206c\u206d\u206e\u206f"
    )
    selector = 0xFE00 <= ord(char) <= 0xFE0F or 0xE0100 <= ord(char) <= 0xE01EF
    mongolian = 0x180B <= ord(char) <= 0x180D
    assert allowed == (char in " \t\n\r" or invisible or selector or mongolian)


def test_printable_characters_refuse_controls_and_direction_overrides_a_font_maps():
    """Noto Sans maps U+0000 (it vanished from the PDF), DejaVu U+000D: a glyph is
    no reason to let a control or a direction override in."""
    found = EVERY_GLYPH.missing("".join(BROKE_A_DOCUMENT[:7]) + "\u202e\u2066ok\r\n\t")
    assert found == [*BROKE_A_DOCUMENT[:7], "\u202e", "\u2066"]


def test_find_unprintable_says_a_control_character_cannot_be_seen_and_to_retype():
    data = book_data(customers=customers("Us\x1fName"))
    [problem] = find_unprintable(data, EVERY_GLYPH).problems
    assert (problem.tab, problem.row, problem.column) == ("Customers", 2, "Name")
    assert "(U+001F a control character), which cannot be seen" in problem.problem
    assert "no e-invoice can carry" in problem.problem
    assert problem.fix.startswith("Type the text of the cell again")


def test_find_unprintable_names_each_kind_of_character_with_its_own_reason():
    data = book_data(customers=customers(f"A\u202eB{UNICORN}\x1fC"))
    [problem] = find_unprintable(data, LATIN).problems
    assert "(U+202E RIGHT-TO-LEFT OVERRIDE), a text-direction control" in (
        problem.problem
    )
    assert f"'{UNICORN}' (U+1F984 UNICORN FACE), which no font" in problem.problem
    assert "(U+001F a control character), which cannot be seen" in problem.problem
    assert "remove the direction control" in problem.fix.lower()


def test_find_unprintable_checks_the_email_an_e_invoice_carries():
    """The buyer's email is not printed but goes into the e-invoice XML."""
    rows = customers()
    rows[0] = ["C1", "Alpha GmbH", "a@alpha\x1f.example", "EUR", None]
    rows[1] = ["C2", "Beta Inc", "b@beta\x1f.example", "USD", D(0)]
    data = book_data(customers=rows)
    alpha = replace(data.customers["C1"], e_invoice="factur-x")
    data = replace(data, customers={**data.customers, "C1": alpha})
    found = find_unprintable(data, EVERY_GLYPH)
    assert [(p.row, p.column, p.customer_id) for p in found.problems] == [
        (2, "Email", "C1")
    ]
    assert found.customers == {"C1"}


def test_behind_a_failed_document_names_the_cells_of_the_invoice_that_broke_it():
    """For a document that failed: any text of its customer or the Settings, printed
    or not, and its own rows' printed cells, holding a control character."""
    order = [TODAY, "C1", "Mug\x0bXL", D(1), D(5), None, None]
    data = book_data(customers=customers(), order_rows=[order])
    alpha = replace(data.customers["C1"], owner="Ann\x1f")
    data = replace(
        data,
        customers={**data.customers, "C1": alpha},
        settings=replace(data.settings, company_tax_id="DE\x00123"),
    )
    [invoice], _ = plan_invoices(
        customers=data.customers,
        entries=[],
        orders=data.orders,
        settings=data.settings,
        today=TODAY,
        counters=Counters({}, 0),
    )
    found = behind_a_failed_document(
        data, invoice, setting_rows=setting_rows(data.layouts["Settings"].table)
    )
    # The Company Tax ID row, below the header (where the test settings put it).
    tax_id_row = 2 + [r[0] for r in SETTINGS_ROWS].index("Company Tax ID")
    assert [(p.tab, p.row, p.column, p.value) for p in found] == [
        ("Settings", tax_id_row, "Value", "DE\x00123"),
        ("Customers", 2, "Owner", "Ann\x1f"),
        ("Orders", 2, "Item", "Mug\x0bXL"),
    ]
    assert all(invoice.number in p.problem for p in found)
    assert all(f"made on the next run, as {invoice.number}" in p.problem for p in found)


# Two fonts' worth: DejaVu-like Latin with the typographic spaces, and a CJK font
# with the ideographic space but not the thin ones; both have the plain spaces.
TWO_FONTS = PrintableCharacters.from_ranges(
    [
        *((0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x36F), (0x2000, 0x200A)),
        *((0xFFF9, 0xFFFB), (0x2E80, 0x2E80), (0x3000, 0x3000)),
    ],
    in_every_font=[(0x20, 0x20), (0xA0, 0xA0)],
)
RADICAL = "\u2e80"  # CJK RADICAL REPEAT: only the CJK font has it
VS1 = "\ufe00"


def test_in_font_around_finds_spaces_before_a_variation_selector_and_shown_formats():
    """What the shaper draws in the font of the text around it where a missing glyph
    is a box: a space followed by a variation selector (through combining marks),
    and a format character it neither hides nor gives a font of its own."""
    assert in_font_around(f"{RADICAL}\u2004{VS1}") == {"\u2004"}
    assert in_font_around("a\u3000\u0301\U000e0100b") == {"\u3000"}
    assert in_font_around("a\u2009\ufe0f \ufff9b") == {"\u2009", "\ufff9"}
    # Drawn as a plain space where a font lacks it, or hidden, or given a font.
    assert in_font_around(f"a\u2004b \u3000{RADICAL}\u2062\u200d") == set()
    assert in_font_around(f"a\u2004x{VS1} \u0600\u0661 \u1680{VS1}") == set()


def test_printable_characters_refuse_a_space_before_a_selector_only_some_fonts_have():
    """The falsifying example of test_fonts: U+2004 then VS1 after a CJK radical drew
    a box, as Noto Sans CJK (the radical's font) has no U+2004."""
    assert TWO_FONTS.missing(f"{RADICAL}\u2004{VS1}") == ["\u2004"]
    assert TWO_FONTS.missing(f"a\u3000\u0301{VS1}") == ["\u3000"]
    assert TWO_FONTS.missing("Note \ufff9a\ufffab\ufffb") == [
        "\ufff9",
        "\ufffa",
        "\ufffb",
    ]
    assert TWO_FONTS.missing(f"{RADICAL}\u00a0{VS1} a {VS1}") == []


def test_printable_characters_decide_a_space_where_it_stands_each_time():
    """A space that printed well in one cell is looked at again in the next: it is
    never remembered as printable."""
    assert TWO_FONTS.missing(f"{RADICAL}\u2004{RADICAL}") == []
    assert TWO_FONTS.missing(f"{RADICAL}\u2004{VS1}") == ["\u2004"]
    assert TWO_FONTS.missing(f"{RADICAL}\u2004{RADICAL}") == []


def test_find_unprintable_says_a_space_before_a_selector_is_drawn_in_the_font_around():
    data = book_data(customers=customers(f"Alpha{RADICAL}\u2004{VS1} {UNICORN}"))
    [problem] = find_unprintable(data, TWO_FONTS).problems
    assert (problem.tab, problem.row, problem.column) == ("Customers", 2, "Name")
    assert (
        "(U+2004 THREE-PER-EM SPACE), which the PDF draws in the font of the text "
        "around it (as it does a space followed by an invisible variation selector"
    ) in problem.problem
    assert "not every font sheetbill prints with can draw it" in problem.problem
    assert f"'{UNICORN}' (U+1F984 UNICORN FACE), which no font" in problem.problem
    assert problem.fix.startswith("Type the text around the space again")
    assert "remove the character or write it in words" in problem.fix


def test_find_unprintable_names_a_plans_description_and_holds_its_row():
    from sheetbill.domain.recurring import Billing, Frequency, Plan

    data = book_data(customers=customers())
    plan = Plan(
        row=5,
        plan_id="P-001",
        customer_id="C1",
        description=f"Hosting {UNICORN}",
        quantity=D(1),
        unit_price=D(10),
        frequency=Frequency.MONTHLY,
        interval=1,
        day=1,
        start=TODAY,
        end=None,
        count=None,
        billing=Billing.IN_ADVANCE,
    )
    found = find_unprintable(replace(data, plans=(plan,)), LATIN)
    [problem] = found.problems
    assert (problem.tab, problem.row, problem.column) == ("Recurring", 5, "Description")
    assert ("Recurring", 5) in found.rows and not found.customers
