"""Business dates: NHSA times are Beijing time; the date of a time is its Beijing calendar date."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

CHINA_TIME = timezone(timedelta(hours=8), "CST")


def business_date(moment: datetime) -> date:
    return moment.astimezone(CHINA_TIME).date()
