"""The ids this service gives out: a two-letter kind and 24 random upper-case hex digits (``MD…``, ``ST…``)."""

from __future__ import annotations

import secrets

ADMISSION = "MD"
SETTLEMENT = "ST"


def new_id(kind: str) -> str:
    return f"{kind}{secrets.token_hex(12).upper()}"
