"""Money as an integer number of fen, with exact yuan at the edges.

Every amount inside the system is a :class:`Money`; yuan appear only when parsing input or
formatting output. Binary floating point is refused everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

FEN_PER_YUAN = 100
_CENT = Decimal("0.01")
MAX_FEN = 10**17
"""Largest magnitude accepted at the edges: a thousand trillion yuan, well inside PostgreSQL's BIGINT."""
_MAX_YUAN = Decimal(MAX_FEN) / FEN_PER_YUAN
_PLAIN_YUAN = re.compile(r"(-?)([0-9]{1,15})(?:\.([0-9]{1,2}))?")
"""What nearly every amount looks like on the wire ("190.00"): parsed with integers, not Decimal.
Fifteen whole digits at most keeps it below ``MAX_FEN``; anything else takes the Decimal path."""
_DECIMAL_TEXT = re.compile(r"-?[0-9]{1,40}(?:\.[0-9]{1,40})?")
"""The only text an amount may be: ASCII digits, an optional minus and point with digits on both sides.
Full-width or Arabic-Indic digits, exponents (``1E+2``), ``.5``, ``380.`` and padding are refused (issue 22);
the length bound keeps a 5,000-digit number from ever reaching Decimal."""


class MoneyError(ValueError):
    """An amount that cannot be represented exactly in fen."""


def round_half_up(value: Decimal | Fraction | int) -> int:
    """Round an exact non-negative or negative quantity of fen half away from zero."""
    return ratio_half_up(*value.as_integer_ratio())


def ratio_half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` (denominator positive) rounded half away from zero, in integers.

    Settlement rounds several amounts each time; integer division is exact and far cheaper than Decimal."""
    whole, rest = divmod(abs(numerator), denominator)
    if 2 * rest >= denominator:
        whole += 1
    return whole if numerator >= 0 else -whole


_SET = object.__setattr__


@dataclass(frozen=True, order=True, slots=True, init=False)
class Money:
    fen: int

    def __init__(self, fen: int) -> None:
        """Written out rather than generated: a settlement builds ~60, and the generated ``__init__`` with a
        ``__post_init__`` check costs twice as much."""
        if type(fen) is not int:  # exactly int: bool and other subclasses are refused; cheap, money is hot
            raise MoneyError(f"fen must be an int, got {type(fen).__name__}")
        _SET(self, "fen", fen)

    @classmethod
    def zero(cls) -> Money:
        return cls(0)

    @classmethod
    def from_yuan(cls, value: str | Decimal | int) -> Money:
        """Parse yuan exactly: ``"12.5"``, ``"12.50"``, ``12``; more than two decimals is an error."""
        if isinstance(value, str):
            if plain := _PLAIN_YUAN.fullmatch(value):
                sign, whole, cents = plain.groups()
                fen = int(whole) * FEN_PER_YUAN + int((cents or "0").ljust(2, "0"))
                return cls(-fen if sign else fen)
            amount = parse_decimal_text(value)
        elif isinstance(value, float):
            raise MoneyError("amounts must not be binary floats; send a string or a decimal")
        elif isinstance(value, (bool, Money)) or not isinstance(value, (int, Decimal)):
            raise MoneyError("not an amount: send decimal yuan such as \"12.50\"")
        else:
            amount = Decimal(value)
        if not amount.is_finite():
            raise MoneyError(f"not an amount: {value!r}")
        if amount.copy_abs() >= _MAX_YUAN:
            raise MoneyError(f"amount out of range: {value!r}")
        if amount != amount.quantize(_CENT):
            raise MoneyError(f"more than two decimals: {value!r}")
        return cls(int(amount * FEN_PER_YUAN))

    def to_decimal(self) -> Decimal:
        return (Decimal(self.fen) / FEN_PER_YUAN).quantize(_CENT)

    def to_yuan(self) -> str:
        """Exact yuan with two decimals, e.g. ``"190.00"`` (in integers: explanations print many amounts)."""
        whole, cents = divmod(abs(self.fen), FEN_PER_YUAN)
        return f"{'-' if self.fen < 0 else ''}{whole}.{cents:02d}"

    def times(self, ratio: Decimal | Fraction) -> Money:
        """This amount times an exact ratio, rounded half-up to a whole fen."""
        numerator, denominator = ratio.as_integer_ratio()
        return Money(ratio_half_up(self.fen * numerator, denominator))

    def __add__(self, other: Money) -> Money:
        return Money(self.fen + other.fen)

    def __sub__(self, other: Money) -> Money:
        return Money(self.fen - other.fen)

    def __neg__(self) -> Money:
        return Money(-self.fen)

    def __bool__(self) -> bool:
        return self.fen != 0

    def __str__(self) -> str:
        return self.to_yuan()


def parse_decimal_text(text: str) -> Decimal:
    """A decimal number written as plain ASCII text (``"12.50"``, ``"-3"``); :class:`MoneyError` otherwise."""
    if not _DECIMAL_TEXT.fullmatch(text):
        raise MoneyError(f"not an amount: {text[:40]!r}; write plain decimal yuan such as \"12.50\"")
    return Decimal(text)


def _parse_money(value: Any) -> Money:
    if isinstance(value, Money):
        return value
    return Money.from_yuan(value)


YuanAmount = Annotated[
    Money,
    BeforeValidator(_parse_money),
    PlainSerializer(lambda money: money.to_yuan(), return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+(\.\d{1,2})?$", "examples": ["190.00"]}),
]
"""A pydantic field type: accepts ``"12.50"``/``12``/Decimal, refuses floats, serialises as ``"12.50"``."""
