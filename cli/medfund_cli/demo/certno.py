"""Resident identity numbers (GB 11643-1999) for generated people: region, birth date, sequence, check."""

from __future__ import annotations

from datetime import date

from medfund_shared.id_numbers import FEMALE, MALE, check_character, with_check_character

__all__ = ["FEMALE", "MALE", "CertnoIssuer", "check_character", "is_valid", "make_certno"]
SEQUENCES_PER_DAY = 500
"""Three-digit sequence numbers per birth date and gender (odd for men, even for women)."""


def is_valid(certno: str) -> bool:
    """18 characters, a real birth date and a matching check character."""
    if len(certno) != 18 or not certno[:17].isdigit() or check_character(certno[:17]) != certno[17]:
        return False
    try:
        date(int(certno[6:10]), int(certno[10:12]), int(certno[12:14]))
    except ValueError:
        return False
    return True


def make_certno(region: str, birth: date, gend: str, serial: int) -> str:
    """The ``serial``-th number (0-based) of a region, birth date and gender."""
    if not 0 <= serial < SEQUENCES_PER_DAY:
        raise ValueError(f"serial {serial} out of range for one birth date")
    sequence = 2 * serial + (1 if gend == MALE else 2)
    return with_check_character(f"{region}{birth:%Y%m%d}{sequence:03d}")


class CertnoIssuer:
    """Hands out distinct, valid numbers: one sequence counter per (region, birth date, gender)."""

    def __init__(self) -> None:
        self._next: dict[tuple[str, date, str], int] = {}

    def issue(self, region: str, birth: date, gend: str) -> str:
        key = (region, birth, gend)
        serial = self._next.get(key, 0)
        self._next[key] = serial + 1
        return make_certno(region, birth, gend, serial)
