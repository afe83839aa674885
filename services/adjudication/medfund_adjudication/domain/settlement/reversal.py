"""Reversal (2305): the exact mirror of a settlement, taken back out of the year's totals."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from medfund_adjudication.domain.settlement.accumulators import Accumulators
from medfund_adjudication.domain.settlement.result import SettlementResult
from medfund_shared.money import Money

LIMITS = frozenset({"crt_payb_lmt_amt"})
"""Amounts that are limits, not payments: a reversal shows them as they were (the platform negates payments only)."""


def _negate_amounts(record: Any) -> Any:
    return replace(record, **{f.name: -getattr(record, f.name) for f in fields(record)
                              if isinstance(getattr(record, f.name), Money) and f.name not in LIMITS})


def reverse(original: SettlementResult, ytd: Accumulators) -> SettlementResult:
    """Every amount negated but the limits; the account balance is what it becomes once ``acct_pay`` is refunded."""
    negated = _negate_amounts(original)
    delta = original.accumulator_delta.negated()
    return replace(
        negated,
        balc=original.balc + original.acct_pay,
        items=tuple(_negate_amounts(item) for item in original.items),
        setldetail=tuple(_negate_amounts(row) for row in original.setldetail),
        setl_proc_info=f"reversal of: {original.setl_proc_info}",
        accumulator_delta=delta,
        accumulators_after=ytd.plus(delta),
    )
