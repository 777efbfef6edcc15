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
from dataclasses import fields
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


# --- Frozen slots dataclasses ----------------------------------------------------
#
# A frozen dataclass's `__init__` sets each field through `object.__setattr__`;
# setting the slots directly makes the same object in about half the time. A
# constructor marked with `makes_frozen` does that, checked at import: its
# parameters are the fields in order, every slot is a field, the class runs nothing
# after `__init__`, and it sets each field to its argument.

_Setter = Callable[[Any, Any], None]
_Frozen = TypeVar("_Frozen")
_Made = ParamSpec("_Made")
# `new_instance(cls)`: an instance of `cls` with no field set yet; for the
# constructors marked with `makes_frozen` only.
new_instance = object.__new__


def slot_setters(cls: type) -> tuple[_Setter, ...]:
    """The setters of a slots dataclass's fields' slots, in the fields' order."""
    return tuple(getattr(cls, f.name).__set__ for f in fields(cls))


def makes_frozen(
    cls: type[_Frozen],
) -> Callable[[Callable[_Made, _Frozen]], Callable[_Made, _Frozen]]:
    """Mark a function as the fast constructor of the frozen slots dataclass
    `cls`, after checking it against the class (called once, here, with a marker
    per field)."""
    names = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]

    def check(make: Callable[_Made, _Frozen]) -> Callable[_Made, _Frozen]:
        code = make.__code__
        wrong = (
            code.co_varnames[: code.co_argcount] != names
            or tuple(getattr(cls, "__slots__", ())) != names
            or hasattr(cls, "__post_init__")
        )
        if not wrong:
            markers = {name: object() for name in names}
            call: Callable[..., _Frozen] = make
            made = call(**markers)
            wrong = type(made) is not cls or any(
                getattr(made, name, None) is not markers[name] for name in names
            )
        if wrong:
            raise TypeError(f"{make.__name__} does not make a {cls.__name__}")
        return make

    return check
