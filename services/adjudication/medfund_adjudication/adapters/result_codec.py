"""The engine's SettlementResult to JSON and back, so a reversal can hand the original to ``reverse``."""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal
from functools import cache
from typing import Any

from medfund_adjudication.domain.settlement import Accumulators, FundPayment, ItemResult, SettlementResult
from medfund_adjudication.domain.simulation import RecordedAmounts
from medfund_shared.money import Money

_DECIMALS = {"pool_prop_selfpay", "cnt", "pric", "pric_uplmt_amt", "selfpay_prop"}


def _encode(value: Any) -> Any:
    if isinstance(value, Money):
        return value.fen
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {name: _encode(getattr(value, name)) for name in _names(type(value))}
    return value


@cache
def _names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def encode(result: SettlementResult) -> dict:
    return _encode(result)


def _decode_flat(cls: type, raw: dict) -> Any:
    values = {}
    for f in fields(cls):
        value = raw[f.name]
        if f.name in _DECIMALS:
            value = None if value is None else Decimal(value)
        elif isinstance(value, int) and not isinstance(value, bool) and f.name not in ("age", "pack_version",
                                                                                        "outpatient_visits"):
            value = Money(value)
        values[f.name] = value
    return values


def decode(raw: dict) -> SettlementResult:
    nested = {"items", "setldetail", "accumulator_delta", "accumulators_after"}
    values = _decode_flat(SettlementResult, {k: v for k, v in raw.items() if k not in nested} | dict.fromkeys(nested))
    values["items"] = tuple(ItemResult(**_decode_flat(ItemResult, item)) for item in raw["items"])
    values["setldetail"] = tuple(FundPayment(**_decode_flat(FundPayment, row)) for row in raw["setldetail"])
    values["accumulator_delta"] = Accumulators(**_decode_flat(Accumulators, raw["accumulator_delta"]))
    values["accumulators_after"] = Accumulators(**_decode_flat(Accumulators, raw["accumulators_after"]))
    return SettlementResult(**values)


def recorded_amounts(raw: dict) -> RecordedAmounts:
    """Only what a simulation reads of a stored result, without decoding the rest."""
    return RecordedAmounts(tuple((row["fund_pay_type"], row["fund_payamt"]) for row in raw["setldetail"]),
                           raw["fund_pay_sumamt"], raw["psn_part_amt"], raw["hifmi_pay"], raw["age"], raw["area"])
