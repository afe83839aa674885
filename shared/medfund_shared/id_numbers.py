"""Resident identity numbers (GB 11643-1999): 18 characters, the last an ISO 7064 MOD 11-2 check character.

Characters 7-14 are the birth date (YYYYMMDD); the 17th digit is odd for men and even for women. The rules
only: what a service answers to a bad number is its own.
"""

from __future__ import annotations

from datetime import date

LENGTH = 18
MALE, FEMALE = "1", "2"
"""GB/T 2261.1 gender codes, as NHSA writes them."""
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"


def check_character(first17: str) -> str:
    """The check character for the first 17 digits."""
    return _CHECK_CHARACTERS[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def with_check_character(first17: str) -> str:
    """The full number: the 17 digits and their check character."""
    return first17 + check_character(first17)


def birth_date(certno: str) -> date:
    """The birth date written in the number; ``ValueError`` when it is not a real date."""
    digits = certno[6:14]
    return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))


def gender(certno: str) -> str:
    """``1`` male (odd 17th digit), ``2`` female (even)."""
    return MALE if int(certno[16]) % 2 else FEMALE
