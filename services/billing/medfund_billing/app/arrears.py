"""An employer's arrears: the months it has not declared, up to the latest month its region has reached.

The region's latest period (the latest month any employer declared or any flexible worker paid in the
region) is the clock, as for cover: never the wall clock. Every month from the employer's first
declared month to that clock without a declaration of the employer is in arrears; its amount is
estimated as the contribution (employer + employee) of the employer's latest declared month before it.
"""

from __future__ import annotations

from medfund_billing.adapters.uow import BillingUnitOfWork
from medfund_shared.money import Money
from medfund_shared.policy.employee_cover import month_index, month_start, period_month
from medfund_shared.refusal import Refusal


async def employer_region(uow: BillingUnitOfWork, employer_code: str) -> str:
    async with uow:
        admdvs = await uow.employees.employer_region(employer_code)
    if admdvs is None:
        raise Refusal.not_found("not_found", f"employer {employer_code} has declared nothing", "employer_code")
    return admdvs


async def employer_arrears(uow: BillingUnitOfWork, employer_code: str, admdvs: str) -> dict:
    async with uow:
        declared = {period: Money(fen) for period, fen in
                    (await uow.employees.declared_fen_by_period(employer_code)).items()}
        clock = await uow.employees.region_latest_period(admdvs)
    months, last_known = [], None
    for index in range(month_index(period_month(min(declared))), month_index(period_month(clock)) + 1):
        period = month_start(index).strftime("%Y-%m")
        if period in declared:
            last_known = declared[period]
            continue
        months.append({"period": period, "amount": last_known.to_yuan() if last_known else None,
                       "amount_basis": "latest_declared_month" if last_known else None})
    total = sum((Money.from_yuan(m["amount"]) for m in months if m["amount"]), Money.zero())
    return {"employer_code": employer_code, "admdvs": admdvs, "region_latest_period": clock,
            "months": months, "estimated_total": total.to_yuan()}
