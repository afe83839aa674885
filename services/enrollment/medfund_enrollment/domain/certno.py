"""Resident identity numbers (GB 11643-1999): 18 characters, ISO 7064 MOD 11-2 check character.

Characters 7-14 are the birth date (YYYYMMDD); the 17th digit is odd for men and even for women.
"""

from __future__ import annotations

from datetime import date

from medfund_enrollment.domain.errors import InvalidRequest
from medfund_shared.text_fields import ascii_digits

LENGTH = 18
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"
MALE, FEMALE = "1", "2"


def check_character(first17: str) -> str:
    """The check character for the first 17 digits."""
    return _CHECK_CHARACTERS[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def normalise(certno: str) -> str:
    """Upper-case ``x``; refuse anything that is not 17 digits and a valid check character."""
    value = certno.strip().upper()
    if len(value) != LENGTH or not ascii_digits(value[:17]) or not (ascii_digits(value[17]) or value[17] == "X"):
        raise InvalidRequest("invalid_certno", "certno must be 17 digits and a check character (18 characters)",
                             "certno")
    if check_character(value[:17]) != value[17]:
        raise InvalidRequest("invalid_certno", "certno check character does not match (GB 11643)", "certno")
    birth_date(value)
    return value


def birth_date(certno: str) -> date:
    """The birth date written in the number; refused when it is not a real date."""
    digits = certno[6:14]
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise InvalidRequest("invalid_certno", "certno does not contain a valid birth date", "certno") from None


def gender(certno: str) -> str:
    """``1`` male (odd 17th digit), ``2`` female (even)."""
    return MALE if int(certno[16]) % 2 else FEMALE


def check_consistent(certno: str, brdy: date, gend: str) -> None:
    """The declared birth date and gender must be those written in the number."""
    if birth_date(certno) != brdy:
        raise InvalidRequest("brdy_mismatch", "brdy does not match the birth date in certno", "brdy")
    if gender(certno) != gend:
        raise InvalidRequest("gend_mismatch", "gend does not match the 17th digit of certno (odd male, even female)",
                             "gend")


def mask(certno: str) -> str:
    """``110101********1234``: enough to tell people apart in a report, not to identify them."""
    return f"{certno[:6]}{'*' * 8}{certno[14:]}" if len(certno) == LENGTH else "*" * len(certno)
