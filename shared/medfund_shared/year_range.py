"""The one range of business years every entry point accepts, and the plain checks that enforce it (no pydantic).

Insurance years, periods, payment, settlement and enrolment dates outside 1990-2100 are typing
errors or attacks, never business: a year-9999 payment once made the pool list fail. Every service
refuses them at its edge and in its domain through these checks (``check_*``, each naming the field); request
models use the ``Business*`` pydantic types of :mod:`medfund_shared.business_range`, built on them. Birth dates
are not business dates and are not checked here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TypeVar

FIRST_YEAR = 1990
"""The first insurance year of China's basic medical insurance schemes in this platform's scope."""
LAST_YEAR = 2100
Day = TypeVar("Day", date, datetime)


class OutOfRange(ValueError):
    """A year, period or date outside the business range; ``field`` names where it came from."""

    def __init__(self, field: str, value: object) -> None:
        super().__init__(f"{field} {refusal(value)}")
        self.field = field


def refusal(value: object) -> str:
    """What is wrong with ``value`` (the field's name goes before it)."""
    return f"must fall in the years {FIRST_YEAR}-{LAST_YEAR}, got {value}"


def in_range(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


def check_year(year: int, field: str = "year") -> int:
    if not in_range(year):
        raise OutOfRange(field, year)
    return year


def check_date(day: Day, field: str = "date") -> Day:
    """A date or date-time whose year is in range (a date-time is judged by its own calendar year)."""
    if not in_range(day.year):
        raise OutOfRange(field, day.isoformat())
    return day


def check_period(period: str, field: str = "period") -> str:
    """A ``YYYY-MM`` or ``YYYYMM`` period whose year is in range (its form is the caller's to check)."""
    year = period[:4]
    if not (year.isdigit() and in_range(int(year))):
        raise OutOfRange(field, period)
    return period
