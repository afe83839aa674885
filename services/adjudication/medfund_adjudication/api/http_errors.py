"""Refusals of the native API as ``{"error": {code, message, field}}`` with the right 4xx."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from medfund_adjudication.domain.refusal import Refused
from medfund_shared.errors import ApiError, is_conflict

STATUS = {"not_found": 404, "conflict": 409, "forbidden": 403}


@contextlib.contextmanager
def refusals_as_http() -> Iterator[None]:
    try:
        yield
    except Refused as refused:
        raise ApiError(STATUS.get(refused.code, 422), refused.code, refused.message, refused.field) from None
    except Exception as exc:
        if not is_conflict(exc):
            raise
        raise ApiError(409, "conflict", "a concurrent request changed the same record; retry") from None
