"""Employers' monthly declarations under the employee scheme."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, Field, model_validator

from medfund_billing.api.answer_models import Arrears, DeclaredMonth, created_or_replayed
from medfund_billing.api.deps import BillingSettingsDep, PackSetDep, TaxOrStaff, UowDep, ensure_region
from medfund_billing.app.arrears import employer_arrears, employer_region
from medfund_billing.app.declarations import DeclaredEmployee, DeclareMonth, declare_month
from medfund_shared.business_range import BusinessDate, BusinessPeriod
from medfund_shared.money import YuanAmount
from medfund_shared.text_fields import PersonName

router = APIRouter(prefix="/v1/employers", tags=["employers"])


class EmployeeLine(BaseModel):
    certno: Annotated[str, Field(pattern=r"^[0-9]{17}[0-9X]$")]
    psn_no: Annotated[str, Field(min_length=1, max_length=40)]
    psn_name: PersonName = ""
    brdy: date
    retired: bool = False
    prior_year_average_monthly_wage: YuanAmount | None = None
    monthly_pension: YuanAmount | None = None

    @model_validator(mode="after")
    def _amounts_not_negative(self) -> EmployeeLine:
        for amount in (self.prior_year_average_monthly_wage, self.monthly_pension):
            if amount is not None and amount.fen < 0:
                raise ValueError("amounts must not be negative")
        return self


class Declaration(BaseModel):
    period: Annotated[BusinessPeriod, Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")]
    admdvs: Annotated[str, Field(pattern=r"^[0-9]{6}$")]
    employees: Annotated[list[EmployeeLine], Field(min_length=1, max_length=10_000)]
    declared_on: BusinessDate | None = None
    """The business date of the declaration (late after the pack's due day: a late fee); default on time."""


@router.post("/{employer_code}/declarations", status_code=201,
             responses={**created_or_replayed(DeclaredMonth),
                        409: {"description": "an employee's month was declared with other figures"}})
async def declare(employer_code: Annotated[str, Path(min_length=1, max_length=40)], body: Declaration,
                  principal: TaxOrStaff, uow: UowDep, pack_set: PackSetDep,
                  settings: BillingSettingsDep, response: Response) -> dict:
    """One month for a list of employees (201 when anything is new, 200 for a replay); a tax token
    declares only in its own region."""
    ensure_region(principal, body.admdvs)
    command = DeclareMonth(employer_code, body.admdvs, body.period, [
        DeclaredEmployee(e.certno, e.psn_no, e.brdy, e.retired, e.prior_year_average_monthly_wage, e.monthly_pension)
        for e in body.employees], body.declared_on)
    lines, created = await declare_month(command, uow, pack_set, settings.office_zone)
    response.status_code = 201 if created else 200
    return {"employer_code": employer_code, "period": body.period, "employees": lines}


@router.get("/{employer_code}/arrears", responses={200: {"model": Arrears}})
async def arrears(employer_code: Annotated[str, Path(min_length=1, max_length=40)], principal: TaxOrStaff,
                  uow: UowDep) -> dict:
    """The months the employer has not declared up to its region's latest month, with estimated amounts
    (operators, admins, and the tax office of the employer's region)."""
    admdvs = await employer_region(uow, employer_code)
    ensure_region(principal, admdvs)
    return await employer_arrears(uow, employer_code, admdvs)
