"""The pydantic types for free text in request models (issue 22): :data:`PersonName`, :data:`FreeText`,
:func:`text_of_at_most`, built on the plain rules of :mod:`medfund_shared.text_rules` (import those from there).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, StringConstraints

from medfund_shared.text_rules import FREE_TEXT_MAX_LENGTH, NAME_MAX_LENGTH, text_problem


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
