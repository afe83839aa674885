"""The one set of rules for free text and digit strings that arrive from outside (issue 22).

Text is stored as sent, so what may be sent is bounded here once: no control characters (a NUL cannot even be
stored in PostgreSQL), a length limit on every field, and digits that are ASCII digits (``"１２３".isdigit()`` is
true in Python; a full-width resident ID must not be stored as sent). Hand-written parsers call
:func:`check_text` / :func:`ascii_digits`; request models use :data:`PersonName` and :data:`FreeText`.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any

from pydantic import AfterValidator, StringConstraints

NAME_MAX_LENGTH = 50
"""A person's or an organisation's name (``psn_name``, ``emp_name``): the platform's own field width."""
FREE_TEXT_MAX_LENGTH = 500
"""Any other free text (reasons, memos, notes) unless its field says less."""


class TextRefused(ValueError):
    """Text that breaks the input rules; ``field`` names where it came from."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field} {message}")
        self.field = field


def text_problem(value: str, max_length: int) -> str | None:
    """What is wrong with ``value`` (the field's name goes before it), or ``None``. (A printable string has no
    control or surrogate character: ``isprintable`` saves looking at each character of nearly every value.)"""
    if len(value) > max_length:
        return f"must have at most {max_length} characters"
    if not value.isprintable() and any(unicodedata.category(char) in ("Cc", "Cs") for char in value):
        return "must not contain control characters"
    return None


def check_text(value: str, field: str, max_length: int = FREE_TEXT_MAX_LENGTH) -> str:
    if problem := text_problem(value, max_length):
        raise TextRefused(field, problem)
    return value


def ascii_digits(value: str) -> bool:
    """Only the digits 0-9 (and at least one)."""
    return value.isascii() and value.isdigit()


def _clean(max_length: int) -> AfterValidator:
    def validate(value: str) -> str:
        if problem := text_problem(value, max_length):
            raise ValueError(problem)
        return value
    return AfterValidator(validate)


def text_of_at_most(max_length: int) -> Any:
    """A request-model text type of at most ``max_length`` characters, no control characters."""
    return Annotated[str, StringConstraints(max_length=max_length), _clean(max_length)]


PersonName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=NAME_MAX_LENGTH),
                       _clean(NAME_MAX_LENGTH)]
"""A name in a request model: at most 50 characters (a required one adds ``min_length=1``), no control
characters (422 naming the field otherwise)."""
FreeText = text_of_at_most(FREE_TEXT_MAX_LENGTH)
"""Free text in a request model: at most 500 characters, no control characters."""
