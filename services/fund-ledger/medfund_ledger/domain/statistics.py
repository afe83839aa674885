"""Fund statistics of one region and year: coverage, collection, reimbursement, reserve, burn; per pool too."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from medfund_shared.money import Money

RATIO = Decimal("0.0001")


@dataclass(frozen=True)
class PoolInputs:
    """One pool's journal figures (fen) and budget."""

    pool_id: str
    fund_pay_type: str
    budget_due: int | None
    planned_expenditure: int | None
    income: int
    expenditure: int
    payable: int
    cumulative_balance: int
    """Balance of the same fund and region over every year up to this one."""
    reserve_months: Decimal | None
    """The ``reserve_months`` rule's measure at the region's clock (None: undefined, or the region has no clock)."""


@dataclass(frozen=True)
class StatisticsInputs:
    pooled: PoolInputs
    """The pool the scheme's contributions are booked to; the region figures are about it."""
    insured: int
    eligible: int | None
    medfee_sumamt: int
    inscp_scp_amt: int
    fund_pay_sumamt: int
    inpatient_settlements: int
    inpatient_fund_paid: int
    elapsed_fraction: Decimal
    pools: list[PoolInputs] = field(default_factory=list)
    """Every pool of the region and year."""


def _ratio(numerator: int | Decimal, denominator: int | Decimal | None) -> str | None:
    if not denominator:
        return None
    return str((Decimal(numerator) / Decimal(denominator)).quantize(RATIO))


def _yuan(fen: int | None) -> str | None:
    return None if fen is None else Money(fen).to_yuan()


def pool_statistics(p: PoolInputs) -> dict:
    return {
        "pool_id": p.pool_id, "fund_pay_type": p.fund_pay_type,
        "budget_due": _yuan(p.budget_due), "planned_expenditure": _yuan(p.planned_expenditure),
        "income": _yuan(p.income), "collection_rate": _ratio(p.income, p.budget_due),
        "expenditure": _yuan(p.expenditure), "balance": _yuan(p.income - p.expenditure),
        "cumulative_balance": _yuan(p.cumulative_balance), "payable": _yuan(p.payable),
        "reserve_months": None if p.reserve_months is None else str(p.reserve_months),
        "spent_of_planned": _ratio(p.expenditure, p.planned_expenditure),
        "spent_of_due": _ratio(p.expenditure, p.budget_due),
    }


def statistics(i: StatisticsInputs) -> dict:
    pooled = i.pooled
    per_inpatient = (Money(i.inpatient_fund_paid).times(Decimal(1) / Decimal(i.inpatient_settlements))
                     if i.inpatient_settlements else None)
    return {
        "insured": i.insured, "eligible": i.eligible, "enrollment_rate": _ratio(i.insured, i.eligible),
        "budget_due": _yuan(pooled.budget_due),
        "income": _yuan(pooled.income), "collection_rate": _ratio(pooled.income, pooled.budget_due),
        "expenditure": _yuan(pooled.expenditure),
        "medfee_sumamt": _yuan(i.medfee_sumamt), "fund_pay_sumamt": _yuan(i.fund_pay_sumamt),
        "actual_reimbursement_ratio": _ratio(i.fund_pay_sumamt, i.medfee_sumamt),
        "policy_scope_ratio": _ratio(i.fund_pay_sumamt, i.inscp_scp_amt),
        "inpatient_settlements": i.inpatient_settlements,
        "fund_pay_per_inpatient_settlement": per_inpatient.to_yuan() if per_inpatient else None,
        "reserve_months": None if pooled.reserve_months is None else str(pooled.reserve_months),
        "spent_of_planned": _ratio(pooled.expenditure, pooled.planned_expenditure),
        "spent_of_due": _ratio(pooled.expenditure, pooled.budget_due),
        "elapsed_fraction": str(i.elapsed_fraction.quantize(RATIO)),
        "pools": [pool_statistics(p) for p in i.pools],
    }
