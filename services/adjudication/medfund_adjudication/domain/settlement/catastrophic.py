"""Step 3: catastrophic insurance (大病保险) as the growth of a capped progressive function of a year total.

Paying ``V(after) − V(before)`` makes the year's payments telescope to ``V`` of the final total,
however the cost is split between admissions.
"""

from __future__ import annotations

from dataclasses import dataclass

from medfund_adjudication.domain.settlement.accumulators import Accumulators
from medfund_shared.money import Money, ratio_half_up
from medfund_shared.policy.schema import Catastrophic


@dataclass(frozen=True)
class CatastrophicPayment:
    hifmi_pay: Money
    basis_before: Money
    basis_after: Money
    delta: Accumulators
    explanation: str


def progressive_value(total: Money, rules: Catastrophic) -> Money:
    """``V(x) = round(min(Φ(x), annual_cap))`` with ``Φ`` the tiered ratios on the amount above the threshold.

    ``Φ`` is kept as an exact integer fraction ``numerator / denominator`` (the ratios' own): the same value as
    with :class:`~fractions.Fraction`, without normalising it at every step (this runs twice a settlement)."""
    above = total.fen - rules.threshold.fen
    numerator, denominator, lower = 0, 1, 0
    for tier in rules.tiers:
        upper = above if tier.up_to is None else min(above, tier.up_to.fen)
        if upper > lower:
            n, d = tier.ratio.as_integer_ratio()
            numerator, denominator = numerator * d + n * (upper - lower) * denominator, denominator * d
        if tier.up_to is not None:
            lower = tier.up_to.fen
    if rules.annual_cap is not None and numerator >= rules.annual_cap.fen * denominator:
        return Money(rules.annual_cap.fen)
    return Money(ratio_half_up(numerator, denominator))


def compliant_selfpay(scope: Money, act_pay_dedc: Money, hifp_pay: Money) -> Money:
    """The part of the policy-scope cost the person bore above the deductible."""
    return scope - act_pay_dedc - hifp_pay


def catastrophic_payment(rules: Catastrophic, burden: Money, scope: Money, ytd: Accumulators,
                         explain: bool = True) -> CatastrophicPayment:
    """``explain``: write the explanation (a replay reads only the amounts)."""
    if rules.basis == "compliant_selfpay":
        before, basis_name = ytd.catastrophic_burden, "compliant self-pay"
        after = before + burden
    else:
        before, basis_name = ytd.inpatient_scope_cost, "policy-scope cost"
        after = before + scope
    value_after, value_before = progressive_value(after, rules), progressive_value(before, rules)
    paid = value_after - value_before
    delta = Accumulators(catastrophic_burden=burden, catastrophic_paid=paid)
    if not explain:
        return CatastrophicPayment(paid, before, after, delta, "")
    cap_note = "" if rules.annual_cap is None else f", annual cap {rules.annual_cap}"
    explanation = (f"year's {basis_name} {before} -> {after}, threshold {rules.threshold}{cap_note}; "
                   f"V(after) {value_after} - V(before) {value_before} = pays {paid}")
    return CatastrophicPayment(paid, before, after, delta, explanation)
