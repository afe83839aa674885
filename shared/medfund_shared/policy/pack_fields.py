"""The field types every section of a policy pack uses: exact ratios and multiples, non-negative amounts.

A binary float is refused, so that no parameter is ever rounded on its way in.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

from medfund_shared.money import Money, YuanAmount


def _exact_decimal(value: Any) -> Decimal:
    # pydantic reports ValueError (not TypeError) as a validation error naming the field
    if isinstance(value, float):
        raise ValueError(  # noqa: TRY004
            "ratios must be exact decimals (write 0.65, loaded without floats), not binary floats")
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise ValueError(f"not a ratio: {value!r}")  # noqa: TRY004
    try:
        ratio = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"not a ratio: {value!r} is not a decimal number") from None
    if not ratio.is_finite():
        raise ValueError(f"not a ratio: {value!r} is not a finite decimal number")
    return ratio


def _non_negative(amount: Money) -> Money:
    if amount.fen < 0:
        raise ValueError("amount must not be negative")
    return amount


Ratio = Annotated[Decimal, BeforeValidator(_exact_decimal), Field(ge=0, le=1)]
"""A proportion in [0, 1], e.g. a reimbursement ratio, a contribution rate or a number of points of uplift."""

Multiple = Annotated[Decimal, BeforeValidator(_exact_decimal), Field(gt=0)]
"""A positive multiple of a reference amount, e.g. ``3.00`` for 300% of the average wage."""

Amount = Annotated[YuanAmount, AfterValidator(_non_negative)]
"""A non-negative amount, written in yuan in the pack and held as fen."""
