"""JSON out the NHSA way: amounts as numbers with exactly two decimals (``Decimal``), never floats."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import orjson

from medfund_shared.china_time import CHINA_TIME
from medfund_shared.money import Money

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
CENT = Decimal("0.01")
WIRE_OPTIONS = orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
"""Money (a dataclass) and times are written the NHSA way by ``_nhsa_value``, not orjson's own way."""


def dump(value: Any) -> str:
    """Deterministic JSON: the same tree always gives the same bytes (replays are byte-for-byte).

    Compact, keys in the tree's order, non-ASCII text as is (``json.dumps(..., ensure_ascii=False)``'s output);
    amounts are written from their decimal text, never through a float."""
    return orjson.dumps(value, default=_nhsa_value, option=WIRE_OPTIONS).decode()


def _nhsa_value(value: Any) -> Any:
    if isinstance(value, Money):
        return orjson.Fragment(value.to_yuan())
    if isinstance(value, Decimal):
        return orjson.Fragment(str(value))
    if isinstance(value, datetime):
        return value.astimezone(CHINA_TIME).strftime(TIME_FORMAT)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a value of the NHSA wire format")


def price(value: Decimal) -> Decimal:
    """A unit price or price ceiling as the platform writes amounts: two decimals, more only when it has more."""
    cents = value.quantize(CENT)
    return cents if cents == value else value.normalize()


def quantity(value: Decimal) -> Decimal:
    """A quantity as the platform writes it: its significant digits (``2``, ``0.5``), never ``2.0000``."""
    return Decimal(format(value.normalize(), "f"))


def message_time(at: datetime) -> str:
    """``refmsg_time`` / ``respond_time``: Beijing time as ``yyyyMMddHHmmssfff``."""
    local = at.astimezone(CHINA_TIME)
    return local.strftime("%Y%m%d%H%M%S") + f"{local.microsecond // 1000:03d}"


def envelope(msgid: str, output: Any, *, err_msg: str = "") -> str:
    """The platform's answer; ``infcode`` -1 whenever there is an error message."""
    now = message_time(datetime.now(CHINA_TIME))
    return dump({"infcode": -1 if err_msg else 0, "inf_refmsgid": msgid, "refmsg_time": now, "respond_time": now,
                 "err_msg": err_msg, "output": output})
