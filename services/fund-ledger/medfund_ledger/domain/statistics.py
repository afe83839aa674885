"""Fund statistics of one region and year: coverage, collection, reimbursement, reserve, burn."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from medfund_shared.money import Money

RATIO = Decimal("0.0001")


@dataclass(frozen=True)
class StatisticsInputs:
    insured: int
    eligible: int | None
    budget_due: int | None
    planned_expenditure: int | None
    income: int
    expenditure: int
    cumulative_balance: int
    medfee_sumamt: int
    inscp_scp_amt: int
    fund_pay_sumamt: int
    inpatient_settlements: int
    inpatient_fund_paid: int
    average_monthly_expenditure: Decimal | None
    elapsed_fraction: Decimal


def _ratio(numerator: int | Decimal, denominator: int | Decimal | None) -> str | None:
    if not denominator:
        return None
    return str((Decimal(numerator) / Decimal(denominator)).quantize(RATIO))


def statistics(i: StatisticsInputs) -> dict:
    per_inpatient = (Money(i.inpatient_fund_paid).times(Decimal(1) / Decimal(i.inpatient_settlements))
                     if i.inpatient_settlements else None)
    reserve = (str((Decimal(i.cumulative_balance) / i.average_monthly_expenditure).quantize(Decimal("0.01")))
               if i.average_monthly_expenditure else None)
    return {
        "insured": i.insured, "eligible": i.eligible, "enrollment_rate": _ratio(i.insured, i.eligible),
        "budget_due": Money(i.budget_due).to_yuan() if i.budget_due is not None else None,
        "income": Money(i.income).to_yuan(), "collection_rate": _ratio(i.income, i.budget_due),
        "expenditure": Money(i.expenditure).to_yuan(),
        "medfee_sumamt": Money(i.medfee_sumamt).to_yuan(), "fund_pay_sumamt": Money(i.fund_pay_sumamt).to_yuan(),
        "actual_reimbursement_ratio": _ratio(i.fund_pay_sumamt, i.medfee_sumamt),
        "policy_scope_ratio": _ratio(i.fund_pay_sumamt, i.inscp_scp_amt),
        "inpatient_settlements": i.inpatient_settlements,
        "fund_pay_per_inpatient_settlement": per_inpatient.to_yuan() if per_inpatient else None,
        "reserve_months": reserve,
        "spent_of_planned": _ratio(i.expenditure, i.planned_expenditure),
        "spent_of_due": _ratio(i.expenditure, i.budget_due),
        "elapsed_fraction": str(i.elapsed_fraction.quantize(RATIO)),
    }
