"""Institution endpoints: global budget (admin) and monthly clearing (staff)."""

from __future__ import annotations

from fastapi import APIRouter, Path, Query

from medfund_ledger.adapters import figures
from medfund_ledger.api.command_answers import ClearingOut, InstitutionBudgetOut
from medfund_ledger.api.deps import AsOf, ReadUowDep, UowDep
from medfund_ledger.api.errors import not_negative
from medfund_ledger.api.presenters import meter_json
from medfund_ledger.api.read_models import InstitutionYearOut
from medfund_ledger.api.schemas import ClearingIn, InstitutionBudgetIn
from medfund_ledger.app.budgets import SetInstitutionBudget, set_institution_budget
from medfund_ledger.app.institution_meters import MetersQuery, institution_meters
from medfund_ledger.app.ledger_commands import ClearInstitution, clear_institution
from medfund_shared.auth import AdminPrincipal, StaffPrincipal
from medfund_shared.context import SessionDep
from medfund_shared.money import Money

router = APIRouter(prefix="/v1/institutions", tags=["institutions"])
Code = Path(pattern=r"^[A-Za-z0-9]{1,30}$")


@router.get("")
async def list_institutions(_: StaffPrincipal, uow: ReadUowDep,
                            year: int | None = Query(default=None, ge=1990, le=2100),
                            as_of: AsOf = None) -> list[InstitutionYearOut]:
    """Each institution's fund payments against its global budget (总额控制), per year (latest first); with
    ``as_of`` the payments settled by the end of that business date."""
    meters = await institution_meters(MetersQuery(year, as_of), uow)
    return [InstitutionYearOut(**meter_json(meter)) for meter in meters]


@router.put("/{fixmedins_code}/budget", responses={200: {"model": InstitutionBudgetOut}})
async def put_budget(body: InstitutionBudgetIn, _: AdminPrincipal, session: SessionDep, uow: UowDep,
                     fixmedins_code: str = Code) -> dict:
    """Set the institution's global budget for one year (a budget applies to its year only, never to another;
    not negative); its budget alert for that year is re-evaluated."""
    budget = not_negative(body.annual_budget, "annual_budget")
    await set_institution_budget(SetInstitutionBudget(fixmedins_code, body.year, budget), uow)
    paid, _budget = await figures.institution_figures(session, fixmedins_code, body.year)
    return {"fixmedins_code": fixmedins_code, "year": body.year, "annual_budget": body.annual_budget.to_yuan(),
            "fund_paid": Money(paid).to_yuan()}


@router.post("/{fixmedins_code}/clearing", responses={200: {"model": ClearingOut}})
async def post_clearing(body: ClearingIn, _: StaffPrincipal, uow: UowDep, fixmedins_code: str = Code) -> dict:
    """Pay the institution what is payable up to the period's end (Dr payable / Cr cash); once per period."""
    cleared = await clear_institution(ClearInstitution(fixmedins_code, body.period), uow)
    total = sum(m.fen for m in cleared.values())
    return {"fixmedins_code": fixmedins_code, "period": body.period,
            "entry_key": f"clearing:{fixmedins_code}:{body.period}",
            "cleared": {pool_id: m.to_yuan() for pool_id, m in sorted(cleared.items())},
            "total": Money(total).to_yuan()}
