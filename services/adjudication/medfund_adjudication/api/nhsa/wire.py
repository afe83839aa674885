"""JSON out the NHSA way: amounts as numbers with exactly two decimals (``Decimal``), never floats."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from medfund_adjudication.app.times import CHINA_TIME
from medfund_shared.money import Money

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def dump(value: Any) -> str:
    """Deterministic JSON: the same tree always gives the same bytes (replays are byte-for-byte)."""
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k), ensure_ascii=False)}:{dump(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(dump(v) for v in value) + "]"
    if isinstance(value, Money):
        return str(value.to_decimal())
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return json.dumps(value.astimezone(CHINA_TIME).strftime(TIME_FORMAT))
    if isinstance(value, date):
        return json.dumps(value.isoformat())
    return json.dumps(value, ensure_ascii=False)


def envelope(msgid: str, output: Any, *, err_msg: str = "") -> str:
    """The platform's answer; ``infcode`` -1 whenever there is an error message."""
    now = datetime.now(CHINA_TIME).strftime(TIME_FORMAT)
    return dump({"infcode": -1 if err_msg else 0, "inf_refmsgid": msgid, "refmsg_time": now, "respond_time": now,
                 "err_msg": err_msg, "output": output})
