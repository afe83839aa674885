"""Reading NHSA input the way real HIS systems send it.

Numbers arrive as JSON strings or numbers (parsed as ``Decimal``, never float), ``""`` means
absent, unknown fields are ignored, and a present but wrong value is refused naming the field.
Times arrive as ``yyyy-MM-dd HH:mm:ss`` or as a serialised DateTime (``2026-12-04T10:30:00``); an amount
written by a Java or C# double (``99.89999999999999``) is read as the two-decimal value it stands for.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from medfund_adjudication.domain.refusal import invalid
from medfund_shared.china_time import CHINA_TIME
from medfund_shared.money import Money, MoneyError, parse_decimal_text
from medfund_shared.text_rules import text_problem
from medfund_shared.year_range import Day, in_range, refusal

DATE_FORMAT = "%Y-%m-%d"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_CANONICAL_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})", re.ASCII)
"""How nearly every time arrives: read without ``strptime``, which costs several times more per call."""
_SERIALISED_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})?", re.ASCII)
"""A DateTime as .NET and Java JSON libraries write it: ISO 8601 with ``T``, optional fraction and offset."""
CENT = Decimal("0.01")
DOUBLE_NOISE_STEPS = 4
"""How many adjacent doubles away from a two-decimal amount's own double a sent number may lie and still stand for
it: a HIS computing in doubles writes ``33.3 * 3`` as ``99.89999999999999``, one double below ``99.90``'s."""
MAX_INTEGER_DIGITS = 15
"""Quantities, prices and counts beyond 10^15 are refused before int() or arithmetic expands them."""


class Fields:
    """Typed access to one NHSA object (``data``, ``mdtrtinfo``, one ``feedetail`` row…) under ``path``."""

    def __init__(self, raw: Any, path: str) -> None:
        if not isinstance(raw, Mapping):
            raise invalid(path, "must be a JSON object")
        self._raw, self._path = raw, path

    def raw(self, name: str) -> Any:
        """The value as sent (for digests and error answers)."""
        return self._raw.get(name)

    def _name(self, name: str) -> str:
        return f"{self._path}.{name}"

    def _value(self, name: str, required: bool) -> Any:
        value = self._raw.get(name)
        if value is None or (isinstance(value, str) and value.strip() == ""):
            if required:
                raise invalid(self._name(name), "is required")
            return None
        return value

    def text(self, name: str, *, required: bool = True, max_length: int = 64) -> str | None:
        value = self._value(name, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
            raise invalid(self._name(name), "must be a string")
        text = str(value).strip()
        if problem := text_problem(text, max_length):
            raise invalid(self._name(name), problem)
        return text

    def choice(self, name: str, options: tuple[str, ...], *, required: bool = True,
               default: str | None = None) -> str | None:
        value = self.text(name, required=required)
        if value is None:
            return default
        if value not in options:
            raise invalid(self._name(name), f"must be one of {', '.join(options)}, got {value!r}")
        return value

    def decimal(self, name: str, *, required: bool = True, positive: bool = False,
                negative: bool = False) -> Decimal | None:
        """A number; ``positive`` asks for > 0, ``negative`` for < 0 (a refund line), otherwise >= 0."""
        value = self._value(name, required)
        if value is None:
            return None
        number = _to_decimal(value, self._name(name))
        if number.adjusted() > MAX_INTEGER_DIGITS:
            raise invalid(self._name(name), f"is out of range, got {str(number)[:20]}")
        if negative:
            if number >= 0:
                raise invalid(self._name(name), f"must be negative on a refund line, got {value}")
        elif number < 0 or (positive and number == 0):
            raise invalid(self._name(name), "must be positive" if positive else "must not be negative")
        return number

    def money(self, name: str, *, required: bool = True, negative: bool = False) -> Money | None:
        """An amount in yuan with at most two decimals (or a binary double standing for one); ``negative``
        asks for < 0 (a refund line), otherwise >= 0."""
        value = self._value(name, required)
        if value is None:
            return None
        number = _cents_of_double(_to_decimal(value, self._name(name)))
        try:
            amount = Money.from_yuan(number)
        except MoneyError as error:
            raise invalid(self._name(name), str(error)) from None
        if negative and amount.fen >= 0:
            raise invalid(self._name(name), f"must be negative on a refund line, got {value}")
        if not negative and amount.fen < 0:
            raise invalid(self._name(name), f"must not be negative, got {value}")
        return amount

    def integer(self, name: str, *, required: bool = True) -> int | None:
        number = self.decimal(name, required=required)
        if number is None:
            return None
        if number.adjusted() > MAX_INTEGER_DIGITS:
            raise invalid(self._name(name), f"is out of range, got {str(number)[:20]}")
        if number != number.to_integral_value():
            raise invalid(self._name(name), "must be a whole number")
        return int(number)

    def date(self, name: str, *, required: bool = True) -> date | None:
        """A business date (in the years of :mod:`medfund_shared.business_range`), written in ASCII digits."""
        value = self.text(name, required=required)
        if value is None:
            return None
        return self._in_range(name, _parse_date(value) if value.isascii() else None, value, "a date yyyy-MM-dd")

    def time(self, name: str, *, required: bool = True) -> datetime | None:
        """A business time (in the years of :mod:`medfund_shared.business_range`), written in ASCII digits."""
        value = self.text(name, required=required)
        if value is None:
            return None
        return self._in_range(name, _parse_time(value) if value.isascii() else None, value,
                              "a time yyyy-MM-dd HH:mm:ss or yyyy-MM-ddTHH:mm:ss")

    def _in_range(self, name: str, day: Day | None, value: str, form: str) -> Day:
        if day is None:
            raise invalid(self._name(name), f"must be {form}, got {value[:40]!r}")
        if not in_range(day.year):
            raise invalid(self._name(name), refusal(value))
        return day

    def flag(self, name: str) -> bool:
        return self.choice(name, ("0", "1"), required=False, default="0") == "1"

    def rows(self, name: str) -> list[Fields]:
        value = self._raw.get(name)
        if value is None or value == "":
            return []
        if isinstance(value, Mapping):
            value = [value]
        if not isinstance(value, list):
            raise invalid(self._name(name), "must be a list")
        return [Fields(row, f"{self._name(name)}[{i}]") for i, row in enumerate(value)]

    def child(self, name: str) -> Fields:
        value = self._raw.get(name)
        if value is None or value == "":
            raise invalid(self._name(name), "is required")
        return Fields(value, self._name(name))


def _parse_date(value: str) -> date | None:
    for layout in (DATE_FORMAT, TIME_FORMAT):
        try:
            return datetime.strptime(value, layout).date()
        except ValueError:
            continue
    if _SERIALISED_TIME.fullmatch(value):
        try:
            return datetime.fromisoformat(value[:19]).date()
        except ValueError:
            return None
    return None


def _parse_time(value: str) -> datetime | None:
    try:
        if canonical := _CANONICAL_TIME.fullmatch(value):
            return datetime(*map(int, canonical.groups()), tzinfo=CHINA_TIME)
        if serialised := _SERIALISED_TIME.fullmatch(value):
            return _serialised_time(value, serialised)
        return datetime.strptime(value, TIME_FORMAT).replace(tzinfo=CHINA_TIME)
    except ValueError:
        return None


def _serialised_time(value: str, match: re.Match) -> datetime:
    """Without an offset the time is Beijing time, as the ``yyyy-MM-dd HH:mm:ss`` form; a fraction is cut to
    microseconds (.NET writes up to seven digits)."""
    fraction, zone = match.group(1) or "", match.group(2) or ""
    parsed = datetime.fromisoformat(value[:19] + fraction[:7] + ("+00:00" if zone == "Z" else zone))
    return parsed.replace(tzinfo=CHINA_TIME) if parsed.tzinfo is None else parsed.astimezone(CHINA_TIME)


def _cents_of_double(number: Decimal) -> Decimal:
    """``number`` itself when it has at most two decimals; else the nearest two-decimal value when the double
    ``number`` denotes is that value's own double or one of its next :data:`DOUBLE_NOISE_STEPS` neighbours
    (``99.89999999999999`` → ``99.90``); else ``number`` unchanged, which the amount's own check refuses
    (``99.899``). Doubles are only compared, never computed with."""
    if number.as_tuple().exponent >= -2:
        return number
    candidate = number.quantize(CENT, rounding=ROUND_HALF_EVEN)
    sent = float(number)
    below = above = float(candidate)
    for _ in range(DOUBLE_NOISE_STEPS + 1):
        if sent in (below, above):
            return candidate
        below, above = math.nextafter(below, -math.inf), math.nextafter(above, math.inf)
    return number


def _to_decimal(value: Any, field: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise invalid(field, "must be a number")
    try:
        number = parse_decimal_text(value.strip()) if isinstance(value, str) else Decimal(value)
    except MoneyError:
        raise invalid(field, f"must be a plain decimal number, got {value[:40]!r}") from None
    if not number.is_finite():
        raise invalid(field, f"must be a number, got {value!r}")
    return number
