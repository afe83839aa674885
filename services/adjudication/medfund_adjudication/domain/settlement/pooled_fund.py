"""Which pooled-fund rule a visit falls under, and the refusals when the pack has none for it."""

from __future__ import annotations

from decimal import Decimal

from medfund_adjudication.domain.settlement.accumulators import Accumulators
from medfund_adjudication.domain.settlement.errors import SettlementRefused
from medfund_adjudication.domain.settlement.inpatient import inpatient_payment
from medfund_adjudication.domain.settlement.outpatient import outpatient_payment
from medfund_adjudication.domain.settlement.pooled_payment import PooledPayment
from medfund_adjudication.domain.settlement.visit import (
    GENERAL_OUTPATIENT,
    INPATIENT,
    MATERNITY_INPATIENT,
    SPECIAL_DISEASE_OUTPATIENT,
    Circumstances,
    Visit,
)
from medfund_shared.money import Money
from medfund_shared.policy.schema import PolicyPack


def _maternity_payment(scope: Money, pack: PolicyPack) -> PooledPayment:
    if pack.maternity is None:
        raise SettlementRefused("med_type_not_covered", f"pack {pack.pack_id} has no maternity benefit (med_type 52)")
    hifp = Money(min(pack.maternity.flat_amount.fen, scope.fen))
    explanation = f"maternity flat amount {pack.maternity.flat_amount}, policy scope {scope}; pays {hifp}"
    return PooledPayment(hifp, Money(0), Decimal(0), scope, None, Accumulators(), explanation)


def _account_only_outpatient(pack: PolicyPack) -> PooledPayment:
    account = pack.individual_account
    if pack.outpatient is None and (account is None or not account.pays_outpatient_without_pooling):
        raise SettlementRefused("med_type_not_covered", f"pack {pack.pack_id} has no outpatient benefit (med_type 11)")
    explanation = "no pooled outpatient benefit in this scheme; the individual account may pay"
    return PooledPayment(Money(0), Money(0), Decimal(0), Money(0), None, Accumulators(), explanation)


def _check_special_disease(visit: Visit, pack: PolicyPack) -> None:
    if pack.special_diseases is None:
        raise SettlementRefused("med_type_not_covered",
                                f"pack {pack.pack_id} has no special-disease outpatient benefit (med_type 14)")
    if not any(pack.special_diseases.covers(code) for code in visit.disease_codes):
        codes = ", ".join(visit.disease_codes) or "none"
        raise SettlementRefused("disease_not_listed",
                                f"diagnoses ({codes}) are not on the special-disease list of pack {pack.pack_id}")


def pooled_payment(visit: Visit, scope: Money, pack: PolicyPack, c: Circumstances, ytd: Accumulators,
                   explain: bool = True) -> PooledPayment:
    if visit.med_type == INPATIENT:
        return inpatient_payment(scope, pack, c, ytd, with_deductible=True,
                                 deductible_applied=visit.deductible_applied, explain=explain)
    if visit.med_type == SPECIAL_DISEASE_OUTPATIENT:
        _check_special_disease(visit, pack)
        return inpatient_payment(scope, pack, c, ytd, with_deductible=False, explain=explain)
    if visit.med_type == GENERAL_OUTPATIENT:
        if pack.outpatient is None:
            return _account_only_outpatient(pack)
        return outpatient_payment(scope, pack.outpatient, c, ytd, explain)
    if visit.med_type == MATERNITY_INPATIENT:
        return _maternity_payment(scope, pack)
    raise SettlementRefused("unknown_med_type", f"med_type {visit.med_type} is not one this service settles")
