"""Each institution's fund payments and global budget (总额控制) per year, for the budget meters."""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, func, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_ledger.adapters.tables import (
    institution_budgets,
    institution_payments,
    institutions,
    journal_entries,
    registered_budgets,
    settlement_facts,
)


def _payments_until(as_of: date):
    """What the fund paid each institution per year by the end of ``as_of`` (settlement date): the settlement
    facts (reversals negative) of the journal entries whose memo names the institution, as ``institution_payments``
    adds them up as they are booked."""
    return (select(journal_entries.c.memo.label("fixmedins_code"), settlement_facts.c.year,
                   func.sum(settlement_facts.c.fund_pay_sumamt).cast(BigInteger).label("fund_paid"))
            .join(journal_entries, journal_entries.c.entry_key == settlement_facts.c.event_id)
            .where(settlement_facts.c.setl_date <= as_of)
            .group_by(journal_entries.c.memo, settlement_facts.c.year)).subquery("paid")


async def institution_years(session: AsyncSession, year: int | None = None, as_of: date | None = None) -> list:
    """One row per (institution, year) with a payment or a budget: name, region, level, fund_paid and budget (fen;
    the budget an admin set wins over the registered one, null without either), by code then latest year first;
    with ``as_of`` the payments settled by the end of that date (the budgets are the year's, as set now)."""
    payments = institution_payments if as_of is None else _payments_until(as_of)
    keys = union(*(select(t.c.fixmedins_code, t.c.year)
                   for t in (payments, institution_budgets, registered_budgets))).subquery("k")
    query = (
        select(keys.c.fixmedins_code, keys.c.year, institutions.c.name, institutions.c.admdvs, institutions.c.level,
               func.coalesce(payments.c.fund_paid, 0).label("fund_paid"),
               func.coalesce(institution_budgets.c.amount, registered_budgets.c.amount).label("budget"),
               (institution_budgets.c.amount.is_not(None)).label("budget_set_by_admin"))
        .select_from(keys)
        .outerjoin(institutions, institutions.c.fixmedins_code == keys.c.fixmedins_code)
        .outerjoin(payments, (payments.c.fixmedins_code == keys.c.fixmedins_code) & (payments.c.year == keys.c.year))
        .outerjoin(institution_budgets, (institution_budgets.c.fixmedins_code == keys.c.fixmedins_code)
                   & (institution_budgets.c.year == keys.c.year))
        .outerjoin(registered_budgets, (registered_budgets.c.fixmedins_code == keys.c.fixmedins_code)
                   & (registered_budgets.c.year == keys.c.year))
        .order_by(keys.c.fixmedins_code, keys.c.year.desc()))
    if year is not None:
        query = query.where(keys.c.year == year)
    return (await session.execute(query)).all()
