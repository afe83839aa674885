"""Resident identity numbers as enrollment accepts them: the GB 11643 rules of
:mod:`medfund_shared.id_numbers`, each breach refused with its own code."""

from __future__ import annotations

from datetime import date

from medfund_enrollment.domain.errors import InvalidRequest
from medfund_shared.id_numbers import FEMALE, LENGTH, MALE, check_character, gender
from medfund_shared.id_numbers import birth_date as written_birth_date
from medfund_shared.text_rules import ascii_digits

__all__ = ["FEMALE", "LENGTH", "MALE", "birth_date", "check_character", "check_consistent", "gender", "mask",
           "normalise"]


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
    try:
        return written_birth_date(certno)
    except ValueError:
        raise InvalidRequest("invalid_certno", "certno does not contain a valid birth date", "certno") from None


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
