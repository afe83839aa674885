"""The pydantic types for business years, dates and periods in request models (``Business*``, ``Count``), built
on the plain checks of :mod:`medfund_shared.year_range` (import those from there).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, StrictInt

from medfund_shared.year_range import Day, in_range, refusal


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
