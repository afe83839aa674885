"""Step 2′: outpatient pooling (门诊统筹) with per-visit and annual limits."""

from __future__ import annotations

from decimal import Decimal

from medfund_adjudication.domain.settlement.accumulators import Accumulators
from medfund_adjudication.domain.settlement.pooled_payment import PooledPayment, capped
from medfund_adjudication.domain.settlement.visit import Circumstances
from medfund_shared.money import Money
from medfund_shared.policy.schema import Outpatient


def outpatient_ratio(rules: Outpatient, c: Circumstances) -> tuple[Decimal, str]:
    if c.area != "in_county":
        return rules.out_of_county_ratio, f"ratio {rules.out_of_county_ratio} out of county"
    if not c.referred and c.level in rules.unreferred_ratio:
        return rules.unreferred_ratio[c.level], f"ratio {rules.unreferred_ratio[c.level]} ({c.level}, no referral)"
    return rules.ratios.at(c.level), f"ratio {rules.ratios.at(c.level)} ({c.level})"


def _eligible(scope: Money, rules: Outpatient, ytd: Accumulators) -> Money:
    eligible = scope
    if rules.visit_eligible_max is not None:
        eligible = Money(min(eligible.fen, rules.visit_eligible_max.fen))
    if rules.annual_eligible_max is not None:
        eligible, _ = capped(eligible, rules.annual_eligible_max, ytd.outpatient_eligible)
    return eligible


def _deductible(eligible: Money, rules: Outpatient, ytd: Accumulators) -> Money:
    first_visit = ytd.outpatient_visits == 0
    deductible = rules.first_visit_deductible if first_visit else rules.later_visit_deductible
    deductible, _ = capped(deductible, rules.annual_deductible_cap, ytd.outpatient_deductible)
    return Money(min(eligible.fen, deductible.fen))


def outpatient_payment(scope: Money, rules: Outpatient, c: Circumstances, ytd: Accumulators,
                       explain: bool = True) -> PooledPayment:
    """``explain``: write the explanation (a replay reads only the amounts)."""
    ratio, ratio_text = outpatient_ratio(rules, c)
    eligible = _eligible(scope, rules, ytd)
    deductible = _deductible(eligible, rules, ytd)
    raw = (eligible - deductible).times(ratio)
    hifp, room = capped(raw, rules.annual_payment_cap, ytd.outpatient_paid)
    delta = Accumulators(outpatient_eligible=eligible, outpatient_deductible=deductible, outpatient_visits=1,
                         outpatient_paid=hifp)
    if not explain:
        return PooledPayment(hifp, deductible, ratio, eligible, room, delta, "")
    cap_note = "" if rules.annual_payment_cap is None else (
        f"; annual payment cap {rules.annual_payment_cap} (paid so far {ytd.outpatient_paid})"
        + (" reached" if hifp < raw else ""))
    explanation = (f"outpatient visit {ytd.outpatient_visits + 1} of the year; policy scope {scope}, "
                   f"eligible {eligible} (eligible so far {ytd.outpatient_eligible}); deductible {deductible}; "
                   f"{ratio_text}; ({eligible} - {deductible}) x {ratio} = {raw}{cap_note}; pays {hifp}")
    return PooledPayment(hifp, deductible, ratio, eligible, room, delta, explanation)
