"""A lost race of the native API as a 409 (refusals are mapped by the platform's handler)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from medfund_shared.errors import ApiError, is_conflict


@contextlib.contextmanager
def lost_races_as_conflicts() -> Iterator[None]:
    """A constraint that refused a concurrent change: 409 ``conflict``, retry."""
    try:
        yield
    except Exception as exc:
        if not is_conflict(exc):
            raise
        raise ApiError(409, "conflict", "a concurrent request changed the same record; retry") from None
