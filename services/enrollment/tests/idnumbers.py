"""Valid resident ID numbers for tests, built with the real check character."""

from __future__ import annotations

from datetime import date

from medfund_enrollment.domain.certno import check_character


def make_certno(brdy: date, serial: int = 1, male: bool = True, region: str = "500240") -> str:
    """``region`` + birth date + a two-digit serial + the gender digit + the check character."""
    gender_digit = (2 * (serial % 5) + (1 if male else 0)) % 10
    first17 = f"{region}{brdy:%Y%m%d}{serial % 100:02d}{gender_digit}"
    return first17 + check_character(first17)
