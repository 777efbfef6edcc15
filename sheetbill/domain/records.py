"""Checked fast constructors for the records made once per sheet row or cell.

Such a record (a cell write, a sheet row, a time entry) is a NamedTuple, and a big run
makes hundreds of thousands. Calling the class is slow (a Python `__new__` behind
`type.__call__`); `tuple.__new__(Record, values)` is fast but trusts the values to be
all the fields in order, and a record with a field missing or two fields swapped goes
unnoticed until something reads it. So each such record has one constructor, a plain
function whose parameters are its fields: Python counts the arguments at every call,
mypy checks their types, and `makes` checks it against the record once, at import.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ParamSpec, Protocol, TypeVar

P = ParamSpec("P")
R = TypeVar("R", bound=tuple[Any, ...])


class _NewRecord(Protocol):
    def __call__(self, record: type[R], values: tuple[Any, ...], /) -> R: ...


# `new_record(Record, values)`: the record, without a check; for use in the body of
# a constructor marked with `makes` only.
new_record: _NewRecord = tuple.__new__


def makes(record: type[R]) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Mark a function as `record`'s fast constructor, after checking that its
    parameters are the record's fields in order and that it packs them in that
    order into a `record` (it is called once, here, with a marker per field)."""
    fields: tuple[str, ...] = record._fields  # type: ignore[attr-defined]

    def check(make: Callable[P, R]) -> Callable[P, R]:
        code = make.__code__
        parameters = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
        if parameters != fields:
            raise TypeError(
                f"{make.__name__} takes {parameters}, but {record.__name__} has "
                f"the fields {fields}"
            )
        markers = tuple(_Marker(name) for name in fields)
        call: Callable[..., R] = make
        made = call(**dict(zip(fields, markers, strict=True)))
        if type(made) is not record or tuple(made) != markers:
            raise TypeError(
                f"{make.__name__} makes {made!r}, not a {record.__name__} of its "
                "arguments in order"
            )
        return make

    return check


class _Marker:
    """Stands for one field's value while a constructor is checked."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}>"
