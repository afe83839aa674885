"""Use cases: set a pool's annual budget or an institution's global budget, then re-evaluate it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_ledger.adapters import figures, journal_store
from medfund_ledger.adapters.figures import Touched
from medfund_ledger.adapters.tables import institution_budgets, pools
from medfund_ledger.app.evaluate import evaluate
from medfund_shared.money import Money


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


async def set_pool_budget(cmd: SetPoolBudget, session: AsyncSession) -> None:
    await journal_store.ensure_pool(session, cmd.pool_id)
    await session.execute(update(pools).where(pools.c.pool_id == cmd.pool_id).values(
        budget_due=cmd.budget_due.fen, planned_expenditure=cmd.planned_expenditure.fen))
    await evaluate(session, Touched(pools={cmd.pool_id: [f"budget:{cmd.pool_id}"]}))
    await session.commit()


class UnknownInstitution(LookupError):
    """Neither registered (its registry event applied) nor paid by the fund."""


async def set_institution_budget(cmd: SetInstitutionBudget, session: AsyncSession) -> None:
    """The budget of ``cmd.year`` only; an institution the ledger does not know is refused."""
    if not await figures.institution_known(session, cmd.fixmedins_code):
        raise UnknownInstitution(cmd.fixmedins_code)
    stmt = pg_insert(institution_budgets).values(fixmedins_code=cmd.fixmedins_code, year=cmd.year,
                                                 amount=cmd.annual_budget.fen)
    await session.execute(stmt.on_conflict_do_update(index_elements=["fixmedins_code", "year"],
                                                     set_={"amount": stmt.excluded.amount}))
    key = f"budget:{cmd.fixmedins_code}:{cmd.year}"
    await evaluate(session, Touched(institutions={(cmd.fixmedins_code, cmd.year): [key]}))
    await session.commit()
