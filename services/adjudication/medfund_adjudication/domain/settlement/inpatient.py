"""Step 2: the pooled fund for an admission, and for special-disease outpatient care paid like one."""

from __future__ import annotations

from decimal import Decimal

from medfund_adjudication.domain.settlement.accumulators import Accumulators
from medfund_adjudication.domain.settlement.pooled_payment import PooledPayment, capped, clamp_ratio
from medfund_adjudication.domain.settlement.visit import Circumstances
from medfund_shared.money import Money
from medfund_shared.policy.schema import PolicyPack

NOTHING_APPLIED = Money(0)


def inpatient_ratio(pack: PolicyPack, c: Circumstances, explain: bool = True) -> tuple[Decimal, str]:
    """The ratio of the area and level with age and retiree uplifts and the unreferred penalty, in [0, 1], and how
    (empty when not ``explain``)."""
    rules = pack.inpatient
    base = rules.terms(c.tier, c.area, c.level).ratio
    ratio, steps = base, [f"ratio {base} ({c.area}, {c.level}{', ' + c.tier if c.tier else ''})"] if explain else []
    if rules.age_uplift is not None and c.age >= rules.age_uplift.min_age:
        ratio += rules.age_uplift.points
        steps.append(f"+{rules.age_uplift.points} age {c.age} >= {rules.age_uplift.min_age}")
    if rules.retiree_uplift is not None and c.retired:
        ratio += rules.retiree_uplift
        steps.append(f"+{rules.retiree_uplift} retired")
    if c.area != "in_county" and not c.referred and rules.unreferred_penalty:
        ratio -= rules.unreferred_penalty
        steps.append(f"-{rules.unreferred_penalty} out of county without referral")
    ratio = clamp_ratio(ratio)
    return ratio, " ".join(steps) + f" = {ratio}" if explain else ""


def _within_cost_ceiling(scope: Money, pack: PolicyPack, ytd: Accumulators) -> tuple[Money, str]:
    ceiling = pack.inpatient.annual_cost_ceiling
    if ceiling is None:
        return scope, ""
    before = ytd.inpatient_scope_cost
    inside = Money(max(0, min((before + scope).fen, ceiling.fen) - before.fen))
    note = f"; annual cost ceiling {ceiling} (year so far {before}): {inside} inside"
    return inside, note + (" (ceiling reached)" if inside < scope else "")


def inpatient_payment(scope: Money, pack: PolicyPack, c: Circumstances, ytd: Accumulators,
                      with_deductible: bool, deductible_applied: Money = NOTHING_APPLIED,
                      explain: bool = True) -> PooledPayment:
    """``deductible_applied``: what the stay's earlier settlements took of the deductible (mid-stay settlement);
    ``explain``: write the explanation (a replay reads only the amounts)."""
    ratio, ratio_text = inpatient_ratio(pack, c, explain)
    eligible, ceiling_note = _within_cost_ceiling(scope, pack, ytd)
    deductible = pack.inpatient.terms(c.tier, c.area, c.level).deductible if with_deductible else Money(0)
    deductible = Money(max(0, (deductible - deductible_applied).fen))
    act_pay_dedc = Money(min(eligible.fen, deductible.fen))
    raw = (eligible - act_pay_dedc).times(ratio)
    cap = pack.inpatient.payment_cap(c.tier)
    hifp, room = capped(raw, cap, ytd.inpatient_paid)
    delta = Accumulators(inpatient_paid=hifp, inpatient_scope_cost=scope)
    if not explain:
        return PooledPayment(hifp, act_pay_dedc, ratio, eligible, room, delta, "")
    cap_note = "" if cap is None else f"; annual payment cap {cap} (paid so far {ytd.inpatient_paid})" + (
        " reached" if hifp < raw else "")
    deductible_text = f"deductible {act_pay_dedc}" if with_deductible else "no deductible (special disease)"
    if deductible_applied:
        deductible_text += f" (earlier settlements of the stay applied {deductible_applied})"
    explanation = (f"policy scope {scope}{ceiling_note}; {deductible_text}; {ratio_text}; "
                   f"({eligible} - {act_pay_dedc}) x {ratio} = {raw}{cap_note}; pays {hifp}")
    return PooledPayment(hifp, act_pay_dedc, ratio, eligible, room, delta, explanation)
