"""One settlement, start to finish: itemise, pooled fund, catastrophic, assistance, account, cash."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from medfund_adjudication.domain.settlement.accumulators import Accumulators
from medfund_adjudication.domain.settlement.assistance import AssistancePayment, assistance_payment
from medfund_adjudication.domain.settlement.catastrophic import (
    CatastrophicPayment,
    catastrophic_payment,
    compliant_selfpay,
)
from medfund_adjudication.domain.settlement.errors import SettlementRefused
from medfund_adjudication.domain.settlement.itemisation import itemise
from medfund_adjudication.domain.settlement.pooled_fund import pooled_payment
from medfund_adjudication.domain.settlement.result import FundPayment, SettlementResult
from medfund_adjudication.domain.settlement.visit import (
    INPATIENT,
    SPECIAL_DISEASE_OUTPATIENT,
    CatalogueEntry,
    Circumstances,
    Visit,
    circumstances_of,
)
from medfund_shared.money import Money
from medfund_shared.policy.schema import FundCode, PolicyPack

CATASTROPHIC_MED_TYPES = (INPATIENT, SPECIAL_DISEASE_OUTPATIENT)


def _circumstances(visit: Visit, pack: PolicyPack) -> Circumstances:
    person = visit.person
    if (person.admdvs, person.insutype) != (pack.admdvs, pack.insutype):
        raise SettlementRefused("wrong_pack", f"pack {pack.pack_id} is not the person's region {person.admdvs} "
                                              f"and scheme {person.insutype}")
    if visit.admission_date < pack.effective_from:
        raise SettlementRefused("wrong_pack", f"pack {pack.pack_id} was not in force on {visit.admission_date}")
    c = circumstances_of(visit)
    if not pack.tiers:
        return replace(c, tier=None)
    if c.tier not in pack.tiers:
        raise SettlementRefused("unknown_tier", f"person's tier {c.tier!r} is not one of pack {pack.pack_id}'s "
                                                f"tiers {', '.join(pack.tiers)}")
    return c


def _row(fund: FundCode, scope: Money, limit: Money | None, paid: Money, info: str, pack: PolicyPack) -> FundPayment:
    """``info`` empty: not explained, ``setl_proc_info`` is empty too."""
    return FundPayment(fund.code, fund.name, scope, paid if limit is None else limit, paid,
                       f"pack {pack.pack_id} v{pack.version}: {info}" if info else "")


def _catastrophic(visit: Visit, pack: PolicyPack, scope: Money, dedc: Money, hifp: Money,
                  ytd: Accumulators, explain: bool) -> CatastrophicPayment | None:
    if pack.catastrophic is None or visit.med_type not in CATASTROPHIC_MED_TYPES:
        return None
    return catastrophic_payment(pack.catastrophic, compliant_selfpay(scope, dedc, hifp), scope, ytd, explain)


def _catastrophic_row(pack: PolicyPack, payment: CatastrophicPayment, ytd: Accumulators) -> FundPayment:
    cap = pack.catastrophic.annual_cap
    room = None if cap is None else Money(max(0, (cap - ytd.catastrophic_paid).fen))
    return _row(pack.funds.catastrophic, payment.basis_after - payment.basis_before, room, payment.hifmi_pay,
                payment.explanation, pack)


def _assistance_row(pack: PolicyPack, payment: AssistancePayment) -> FundPayment:
    return _row(pack.funds.assistance, payment.remaining, payment.payable_limit, payment.maf_pay,
                payment.explanation, pack)


def settle(visit: Visit, pack: PolicyPack, catalogue: Mapping[str, CatalogueEntry],
           ytd: Accumulators, explain: bool = True) -> SettlementResult:
    """Compute the settlement of ``visit`` under ``pack`` given the person's year-to-date totals ``ytd``.

    ``explain`` False: the same amounts without the explanation texts (``setl_proc_info`` empty), which a
    simulation's replay never reads and which cost it about a tenth of a settlement."""
    c = _circumstances(visit, pack)
    fees = itemise(visit.items, catalogue, pack.itemisation)
    scope = fees.inscp_scp_amt
    pooled = pooled_payment(visit, scope, pack, c, ytd, explain)
    notes = "; ".join(fees.notes)
    rows = [_row(pack.funds.pooled, pooled.eligible, pooled.payable_limit, pooled.hifp_pay,
                 pooled.explanation + (f"; {notes}" if notes else "") if explain else "", pack)]
    delta = pooled.delta

    catastrophic = _catastrophic(visit, pack, scope, pooled.act_pay_dedc, pooled.hifp_pay, ytd, explain)
    hifmi = catastrophic.hifmi_pay if catastrophic else Money(0)
    if catastrophic is not None:
        delta = delta.plus(catastrophic.delta)
        if hifmi:
            rows.append(_catastrophic_row(pack, catastrophic, ytd))

    assistance = assistance_payment(pack.assistance, visit.person.category, scope, pooled.hifp_pay + hifmi, ytd,
                                    explain)
    maf = assistance.maf_pay if assistance else Money(0)
    if assistance is not None:
        delta = delta.plus(assistance.delta)
        if maf:
            rows.append(_assistance_row(pack, assistance))

    fund_pay_sumamt = pooled.hifp_pay + hifmi + maf
    psn_part_amt = fees.medfee_sumamt - fund_pay_sumamt
    balance = visit.person.account_balance
    acct_pay = Money(0)
    if pack.individual_account is not None and visit.acct_used:
        acct_pay = Money(min(max(balance.fen, 0), psn_part_amt.fen))
        if acct_pay:
            rows.append(_row(pack.funds.individual_account, psn_part_amt, balance, acct_pay,
                             f"personal share {psn_part_amt}, account balance {balance}; pays {acct_pay}"
                             if explain else "", pack))

    zero = Money(0)
    return SettlementResult(
        med_type=visit.med_type, age=c.age, area=c.area, pack_id=pack.pack_id, pack_version=pack.version,
        pack_hash=pack.content_hash, medfee_sumamt=fees.medfee_sumamt, fulamt_ownpay_amt=fees.fulamt_ownpay_amt,
        overlmt_selfpay=fees.overlmt_selfpay, preselfpay_amt=fees.preselfpay_amt, inscp_scp_amt=scope,
        act_pay_dedc=pooled.act_pay_dedc, hifp_pay=pooled.hifp_pay, pool_prop_selfpay=pooled.ratio,
        cvlserv_pay=zero, hifes_pay=zero, hifmi_pay=hifmi, hifob_pay=zero, maf_pay=maf, hosp_part_amt=zero,
        oth_pay=zero, fund_pay_sumamt=fund_pay_sumamt, psn_part_amt=psn_part_amt, acct_pay=acct_pay,
        psn_cash_pay=psn_part_amt - acct_pay, balc=balance - acct_pay, acct_mulaid_pay=zero, items=fees.items,
        setldetail=tuple(rows), setl_proc_info=" | ".join(row.setl_proc_info for row in rows) if explain else "",
        accumulator_delta=delta, accumulators_after=ytd.plus(delta))
