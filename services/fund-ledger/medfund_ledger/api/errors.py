"""Maps domain and use-case errors to the HTTP error shape."""

from __future__ import annotations

from medfund_ledger.domain.pools import InvalidPoolId, PoolKey
from medfund_shared.errors import ApiError


def parse_pool_id(pool_id: str, field: str = "pool_id") -> str:
    try:
        return PoolKey.parse(pool_id).pool_id
    except InvalidPoolId as exc:
        raise ApiError(422, "invalid_pool_id", str(exc), field) from None


def not_found(what: str, field: str) -> ApiError:
    return ApiError(404, "not_found", f"{what} not found", field)
