"""A person's age as the packs' rules read it (premium bands, account credit rates, the settlement engine's age)."""

from __future__ import annotations

from datetime import date


def age_on(birth_date: date, day: date) -> int:
    """Completed years of age on ``day`` (a birthday on 29 Feb is reached on 1 Mar)."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - before_birthday
