"""The fast constructors of per-row records: each pins its record's fields in order."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

import pytest

from sheetbill.domain.model import (
    RateRule,
    SourceRow,
    TaxCategory,
    TimeEntry,
    new_source_row,
    new_time_entry,
)
from sheetbill.domain.records import makes, new_record
from sheetbill.domain.sheet import CellWrite, SheetRow, new_cell_write, new_sheet_row
from sheetbill.planning.invoices import PricedItem, new_priced_item

D = Decimal
SOURCE = SourceRow("Time Log", 7, "T-000001", "ab12")

# Per record: its constructor, its fields in order, and a different value per field
# (so that two swapped fields make a different record).
RECORDS: list[
    tuple[type[Any], Callable[..., Any], tuple[str, ...], tuple[Any, ...]]
] = [
    (
        CellWrite,
        new_cell_write,
        ("row", "column", "value", "row_key"),
        (4, 2, D("9.50"), "T-000004"),
    ),
    (SheetRow, new_sheet_row, ("number", "cells"), (3, ("a", D(1), None))),
    (
        SourceRow,
        new_source_row,
        ("tab", "row", "row_id", "fingerprint"),
        ("Orders", 5, "O-000002", "cd34"),
    ),
    (
        TimeEntry,
        new_time_entry,
        (
            "source",
            "day",
            "person",
            "customer_id",
            "project",
            "activity",
            "hours",
            "description",
            "work_complete",
            "rate",
        ),
        (
            SOURCE,
            date(2026, 11, 2),
            "Ada",
            "C1",
            "Web",
            "Dev",
            D("1.5"),
            "Login page",
            date(2026, 11, 3),
            RateRule(row=2, rate=D(90)),
        ),
    ),
    (
        PricedItem,
        new_priced_item,
        (
            "group",
            "description",
            "quantity",
            "unit",
            "unit_price",
            "tax_rate",
            "source",
            "sort_key",
            "tax_category",
        ),
        (
            ("time", "Web", "Dev"),
            "Web – Dev",
            D("1.5"),
            "hour",
            D(90),
            D(19),
            SOURCE,
            (0, date(2026, 11, 2), 7),
            TaxCategory.STANDARD,
        ),
    ),
]
IDS = [record.__name__ for record, *_ in RECORDS]


@pytest.mark.parametrize(("record", "make", "fields", "values"), RECORDS, ids=IDS)
def test_records_fields_are_pinned_in_order(record, make, fields, values):
    """A field added, removed or moved in a record fails here first: its fast
    constructor and every caller of it must follow."""
    assert record._fields == fields


@pytest.mark.parametrize(("record", "make", "fields", "values"), RECORDS, ids=IDS)
def test_records_fast_constructor_makes_what_the_class_makes(
    record, make, fields, values
):
    made = make(*values)
    assert type(made) is record
    assert made == record(*values)
    assert made == make(**dict(zip(fields, values, strict=True)))
    assert [getattr(made, name) for name in fields] == list(values)


@pytest.mark.parametrize(("record", "make", "fields", "values"), RECORDS, ids=IDS)
def test_records_fast_constructor_refuses_a_field_missing_or_extra(
    record, make, fields, values
):
    """What `tuple.__new__` alone lets through: a record one field short or long."""
    with pytest.raises(TypeError):
        make(*values[:-1])
    with pytest.raises(TypeError):
        make(*values, None)


class _Pair(NamedTuple):
    first: int
    second: str


def test_records_makes_refuses_a_constructor_whose_parameters_are_not_the_fields():
    with pytest.raises(TypeError, match=r"_Pair has the fields \('first', 'second'\)"):

        @makes(_Pair)
        def new_pair(second: str, first: int) -> _Pair:
            return new_record(_Pair, (first, second))

    with pytest.raises(TypeError, match="takes"):

        @makes(_Pair)
        def new_short_pair(first: int) -> _Pair:
            return new_record(_Pair, (first, ""))


def test_records_makes_refuses_a_constructor_that_packs_fields_out_of_order():
    with pytest.raises(TypeError, match="not a _Pair of its arguments in order"):

        @makes(_Pair)
        def new_pair(first: int, second: str) -> _Pair:
            return new_record(_Pair, (second, first))


def test_records_makes_refuses_a_constructor_that_makes_another_type():
    with pytest.raises(TypeError, match="not a _Pair"):

        @makes(_Pair)
        def new_pair(first: int, second: str) -> _Pair:
            return (first, second)  # type: ignore[return-value]


def test_records_makes_hands_back_the_constructor_itself():
    """No wrapper: a constructor marked with `makes` costs what it cost before."""

    def new_pair(first: int, second: str) -> _Pair:
        return new_record(_Pair, (first, second))

    assert makes(_Pair)(new_pair) is new_pair
    assert new_pair(1, "a") == _Pair(1, "a")
