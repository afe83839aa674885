"""Step 4: medical assistance (医疗救助) on what the insurance funds left of the policy-scope cost."""

from __future__ import annotations

from dataclasses import dataclass

from medfund_adjudication.domain.settlement.accumulators import Accumulators
from medfund_adjudication.domain.settlement.pooled_payment import capped
from medfund_shared.money import Money
from medfund_shared.policy.schema import Assistance


@dataclass(frozen=True)
class AssistancePayment:
    maf_pay: Money
    remaining: Money
    payable_limit: Money | None
    delta: Accumulators
    explanation: str


def assistance_payment(rules: Assistance | None, category: str, scope: Money, insured_paid: Money,
                       ytd: Accumulators, explain: bool = True) -> AssistancePayment | None:
    """``None`` when the person's category receives no assistance under this pack; ``explain``: write the
    explanation (a replay reads only the amounts)."""
    if rules is None or category not in rules.ratios:
        return None
    ratio = rules.ratios[category]
    remaining = Money(max(0, (scope - insured_paid).fen))
    raw = remaining.times(ratio)
    paid, room = capped(raw, rules.annual_cap, ytd.assistance_paid)
    if not explain:
        return AssistancePayment(paid, remaining, room, Accumulators(assistance_paid=paid), "")
    cap_note = "" if rules.annual_cap is None else (
        f"; annual cap {rules.annual_cap} (paid so far {ytd.assistance_paid})") + (
        " reached" if paid < raw else "")
    explanation = f"category {category}: {remaining} left after insurance x {ratio} = {raw}{cap_note}; pays {paid}"
    return AssistancePayment(paid, remaining, room, Accumulators(assistance_paid=paid), explanation)
