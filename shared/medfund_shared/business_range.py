"""The one range of business years every entry point accepts, and the checks that enforce it.

Insurance years, periods, payment, settlement and enrolment dates outside 1990-2100 are typing
errors or attacks, never business: a year-9999 payment once made the pool list fail. Every service
refuses them at its edge through these checks (``check_*`` for hand-written parsers, the ``Business*``
pydantic types for request models), each naming the field. Birth dates are not business dates and
are not checked here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, TypeVar

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, StrictInt

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


def _year(value: int) -> int:
    """Pydantic names the field itself."""
    if not in_range(value):
        raise ValueError(refusal(value))
    return value


def _year_text(value: object) -> object:
    """A year in a URL is its ASCII digits only: not ``2026.0``, ``+2026``, ``2_026`` or padded (pydantic's own
    reading of text as an integer takes all of those)."""
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise ValueError(f"must be a year written in digits such as 2026, got {value!r}")
    return value


def _day(value: Day) -> Day:
    if not in_range(value.year):
        raise ValueError(refusal(value.isoformat()))
    return value


def _period(value: str) -> str:
    year = value[:4]
    if not (year.isdigit() and in_range(int(year))):
        raise ValueError(refusal(value))
    return value


BusinessYear = Annotated[StrictInt, AfterValidator(_year)]
"""A JSON body field holding an insurance year in range: a JSON integer only, so ``2026.0``, ``1e3``, ``"2026"`` and
``true`` get a 422 naming the field like a year out of range (issue 22)."""
BusinessYearParam = Annotated[int, BeforeValidator(_year_text), AfterValidator(_year)]
"""A year in a query string or path, which is text by nature: its ASCII digits, read as the number."""
Count = Annotated[StrictInt, Field(ge=0)]
"""A JSON body field holding a whole count (people, years of contribution): a JSON integer, not negative."""
BusinessDate = Annotated[date, AfterValidator(_day)]
BusinessDateTime = Annotated[AwareDatetime, AfterValidator(_day)]
"""An aware date-time (with its UTC offset) whose year is in range."""
BusinessPeriod = Annotated[str, AfterValidator(_period)]
"""A ``YYYY-MM`` (or ``YYYYMM``) period whose year is in range; give its form with a pattern beside it."""
