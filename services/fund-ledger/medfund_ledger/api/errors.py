"""Maps domain and use-case errors to the HTTP error shape."""

from __future__ import annotations

from medfund_ledger.domain.pools import InvalidPoolId, PoolKey
from medfund_shared.errors import ApiError
from medfund_shared.money import Money
from medfund_shared.year_range import OutOfRange, check_year


def parse_pool_id(pool_id: str, field: str = "pool_id") -> str:
    try:
        return PoolKey.parse(pool_id).pool_id
    except InvalidPoolId as exc:
        raise ApiError(422, "invalid_pool_id", str(exc), field) from None


def writable_pool_id(pool_id: str, field: str = "pool_id") -> str:
    """A pool id a command may write to: well formed, and its year in the business range."""
    parsed = parse_pool_id(pool_id, field)
    try:
        check_year(PoolKey.parse(parsed).year, field)
    except OutOfRange as exc:
        raise ApiError(422, "out_of_range", str(exc), field) from None
    return parsed


def not_negative(amount: Money, field: str) -> Money:
    if amount.fen < 0:
        raise ApiError(422, "negative_amount", f"{field} must not be negative", field)
    return amount


def not_found(what: str, field: str) -> ApiError:
    return ApiError(404, "not_found", f"{what} not found", field)
