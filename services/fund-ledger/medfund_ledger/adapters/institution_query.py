"""Each institution's fund payments and global budget (总额控制) per year, for the budget meters."""

from __future__ import annotations

from sqlalchemy import func, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_ledger.adapters.tables import institution_budgets, institution_payments, institutions, registered_budgets


async def institution_years(session: AsyncSession, year: int | None = None) -> list:
    """One row per (institution, year) with a payment or a budget: name, region, level, fund_paid and budget (fen;
    the budget an admin set wins over the registered one, null without either), by code then latest year first."""
    keys = union(*(select(t.c.fixmedins_code, t.c.year)
                   for t in (institution_payments, institution_budgets, registered_budgets))).subquery("k")
    query = (
        select(keys.c.fixmedins_code, keys.c.year, institutions.c.name, institutions.c.admdvs, institutions.c.level,
               func.coalesce(institution_payments.c.fund_paid, 0).label("fund_paid"),
               func.coalesce(institution_budgets.c.amount, registered_budgets.c.amount).label("budget"),
               (institution_budgets.c.amount.is_not(None)).label("budget_set_by_admin"))
        .select_from(keys)
        .outerjoin(institutions, institutions.c.fixmedins_code == keys.c.fixmedins_code)
        .outerjoin(institution_payments, (institution_payments.c.fixmedins_code == keys.c.fixmedins_code)
                   & (institution_payments.c.year == keys.c.year))
        .outerjoin(institution_budgets, (institution_budgets.c.fixmedins_code == keys.c.fixmedins_code)
                   & (institution_budgets.c.year == keys.c.year))
        .outerjoin(registered_budgets, (registered_budgets.c.fixmedins_code == keys.c.fixmedins_code)
                   & (registered_budgets.c.year == keys.c.year))
        .order_by(keys.c.fixmedins_code, keys.c.year.desc()))
    if year is not None:
        query = query.where(keys.c.year == year)
    return (await session.execute(query)).all()
