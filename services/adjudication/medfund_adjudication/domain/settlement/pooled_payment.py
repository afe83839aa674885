"""What the basic pooled fund pays for one settlement, and how it got there."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from medfund_adjudication.domain.settlement.accumulators import Accumulators
from medfund_shared.money import Money


@dataclass(frozen=True)
class PooledPayment:
    hifp_pay: Money
    act_pay_dedc: Money
    ratio: Decimal
    eligible: Money
    """The policy-scope amount the deductible and the ratio were applied to."""
    payable_limit: Money | None
    """Room left under the annual payment cap before this settlement; ``None`` when uncapped."""
    delta: Accumulators
    explanation: str


def capped(amount: Money, cap: Money | None, used: Money) -> tuple[Money, Money | None]:
    """``amount`` limited to what is left of ``cap`` after ``used``, and that room."""
    if cap is None:
        return amount, None
    room = Money(max(0, (cap - used).fen))
    return Money(min(amount.fen, room.fen)), room


def clamp_ratio(ratio: Decimal) -> Decimal:
    return min(Decimal(1), max(Decimal(0), ratio))
