"""China time, the one clock of the business: NHSA times are Beijing time (UTC+8, no daylight saving) and
the business date of a moment is its calendar date in China."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

CHINA_TIME = timezone(timedelta(hours=8), "CST")


def business_date(moment: datetime) -> date:
    """The calendar date in China of an aware moment."""
    return moment.astimezone(CHINA_TIME).date()


def start_of(day: date) -> datetime:
    """A business date as the moment it begins in China (the events' effective time)."""
    return datetime.combine(day, time(0), CHINA_TIME)
