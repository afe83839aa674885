"""Use cases: set a pool's annual budget or an institution's global budget, then re-evaluate it."""

from __future__ import annotations

from dataclasses import dataclass

from medfund_ledger.adapters.figures import Touched
from medfund_ledger.adapters.uow import LedgerUnitOfWork
from medfund_shared.money import Money
from medfund_shared.refusal import Refusal


@dataclass(frozen=True)
class SetPoolBudget:
    pool_id: str
    budget_due: Money
    planned_expenditure: Money


@dataclass(frozen=True)
class SetInstitutionBudget:
    fixmedins_code: str
    year: int
    annual_budget: Money


async def set_pool_budget(cmd: SetPoolBudget, uow: LedgerUnitOfWork) -> None:
    async with uow:
        await uow.ledger.ensure_pool(cmd.pool_id)
        await uow.ledger.set_pool_budget(cmd.pool_id, cmd.budget_due, cmd.planned_expenditure)
        await uow.evaluate(Touched(pools={cmd.pool_id: [f"budget:{cmd.pool_id}"]}))
        await uow.commit()


async def set_institution_budget(cmd: SetInstitutionBudget, uow: LedgerUnitOfWork) -> None:
    """The budget of ``cmd.year`` only; an institution neither registered nor paid by the fund is refused (404)."""
    async with uow:
        if not await uow.ledger.institution_known(cmd.fixmedins_code):
            raise Refusal.not_found("not_found", "institution not found", "fixmedins_code")
        await uow.ledger.set_institution_budget(cmd.fixmedins_code, cmd.year, cmd.annual_budget)
        key = f"budget:{cmd.fixmedins_code}:{cmd.year}"
        await uow.evaluate(Touched(institutions={(cmd.fixmedins_code, cmd.year): [key]}))
        await uow.commit()
