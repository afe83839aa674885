"""The rules for free text and digit strings that arrive from outside (issue 22), as plain functions (no pydantic).

Text is stored as sent, so what may be sent is bounded here once: no control characters (a NUL cannot even be
stored in PostgreSQL), a length limit on every field, and digits that are ASCII digits (``"１２３".isdigit()`` is
true in Python; a full-width resident ID must not be stored as sent). Hand-written parsers and the domain call
:func:`check_text` / :func:`text_problem` / :func:`ascii_digits`; request models use the pydantic types of
:mod:`medfund_shared.text_fields`, built on these.
"""

from __future__ import annotations

import unicodedata

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
