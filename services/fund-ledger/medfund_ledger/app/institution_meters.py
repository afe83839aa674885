"""Use case: the budget meters (总额控制): each institution's fund payments of a year against its global budget."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from medfund_ledger.adapters.institution_query import institution_years
from medfund_shared.money import Money

RATIO = Decimal("0.0001")


async def institution_meters(session: AsyncSession, year: int | None, as_of: date | None = None) -> list[dict]:
    meters = []
    for row in await institution_years(session, year, as_of):
        used = None if not row.budget else str((Decimal(row.fund_paid) / Decimal(row.budget)).quantize(RATIO))
        meters.append({"fixmedins_code": row.fixmedins_code, "year": row.year, "name": row.name,
                       "admdvs": row.admdvs, "level": row.level, "fund_paid": Money(row.fund_paid).to_yuan(),
                       "annual_budget": None if row.budget is None else Money(row.budget).to_yuan(),
                       "budget_set_by_admin": bool(row.budget_set_by_admin), "used_of_budget": used})
    return meters
