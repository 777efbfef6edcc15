"""Quantities as billed: hours to the Settings' increment, any quantity to at most
five decimals, so a printed quantity times its printed unit price is its amount.

Pure; shared by validation (which warns about a quantity it would round) and
invoicing (which bills it rounded).
"""

from __future__ import annotations

import functools
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from sheetbill.domain.model import HoursRounding, Settings
from sheetbill.domain.money import Rounding

_DECIMAL_ROUNDING = {
    HoursRounding.NEAREST: ROUND_HALF_UP,
    HoursRounding.UP: ROUND_CEILING,
    HoursRounding.DOWN: ROUND_FLOOR,
}


def round_hours(hours: Decimal, settings: Settings) -> Decimal:
    """Hours to the Settings' increment (e.g. 0.25), nearest, up or down."""
    return _rounded_hours(
        hours, settings.hours_increment, _DECIMAL_ROUNDING[settings.hours_rounding]
    )


@functools.lru_cache(maxsize=4096)
def _rounded_hours(hours: Decimal, step: Decimal, mode: str) -> Decimal:
    # Remembered: a time log repeats the same few durations (0.5, 1, 1.5 ...).
    return ((hours / step).to_integral_value(rounding=mode) * step).normalize()


QUANTITY_DECIMALS = 5
_QUANTITY_STEP = Decimal(1).scaleb(-QUANTITY_DECIMALS)


def billed_quantity(quantity: Decimal, rounding: Rounding) -> Decimal:
    """A line's quantity as it is billed and printed: at most 5 decimals.

    Hours at the increment, pieces as typed and days at the default 8 hours per day
    and 0.25 h increment (multiples of 1/32 day) all fit 5 decimals exactly; a longer
    quantity (days at 7.5 hours per day, hours at a 1/60 increment, an order quantity
    from a formula) is rounded to 5 decimals by the Settings' Rounding (half-up unless
    half-even), and the line amount is this quantity times the unit price. Trailing
    zeros are dropped. Rule: docs/decisions.md, "Quantities and the document locale".
    """
    return quantity.quantize(_QUANTITY_STEP, rounding=rounding.decimal_mode).normalize()
