"""Gathers the inputs of the region statistics from the projections."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_ledger.adapters import figures
from medfund_ledger.adapters.config import load_config
from medfund_ledger.adapters.tables import coverage, pool_months, populations, settlement_facts
from medfund_ledger.domain.pools import PoolFigures, PoolKey
from medfund_ledger.domain.statistics import StatisticsInputs
from medfund_ledger.domain.warnings import elapsed_fraction


async def statistics_inputs(session: AsyncSession, admdvs: str, year: int, insutype: str) -> StatisticsInputs:
    """Figures of the region's pooled fund (the pool contributions are booked to) for ``insutype``."""
    pool_id = PoolKey(admdvs, load_config().contribution_pool(insutype), year).pool_id
    pool = await figures.pool_row(session, pool_id)
    pool_figures = PoolFigures.from_balances(await figures.balances(session, pool_id))
    insured = await session.scalar(select(func.count()).select_from(coverage).where(
        coverage.c.admdvs == admdvs, coverage.c.year == year, coverage.c.insutype == insutype, coverage.c.active == 1))
    eligible = await session.scalar(select(populations.c.eligible).where(populations.c.admdvs == admdvs,
                                                                         populations.c.year == year))
    s = settlement_facts.c
    totals = (await session.execute(select(
        func.coalesce(func.sum(s.medfee_sumamt), 0), func.coalesce(func.sum(s.inscp_scp_amt), 0),
        func.coalesce(func.sum(s.fund_pay_sumamt), 0),
        func.coalesce(func.sum(s.inpatient), 0),
        func.coalesce(func.sum(s.pooled_fund_paid).filter(s.inpatient != 0), 0),
    ).where(s.admdvs == admdvs, s.year == year, s.pooled_pool_id == pool_id))).one()
    now = await figures.business_now(session)
    months = (await session.execute(select(pool_months.c.expenditure).where(pool_months.c.pool_id == pool_id)
                                    .order_by(pool_months.c.month.desc())
                                    .limit(load_config().thresholds.windows["reserve_months_window"]))).scalars().all()
    return StatisticsInputs(
        insured=int(insured or 0), eligible=eligible,
        budget_due=pool.budget_due if pool else None, planned_expenditure=pool.planned_expenditure if pool else None,
        income=pool_figures.income.fen, expenditure=pool_figures.expenditure.fen,
        cumulative_balance=await figures.cumulative_balance(session, PoolKey.parse(pool_id)),
        medfee_sumamt=int(totals[0]), inscp_scp_amt=int(totals[1]), fund_pay_sumamt=int(totals[2]),
        inpatient_settlements=int(totals[3]), inpatient_fund_paid=int(totals[4]),
        average_monthly_expenditure=Decimal(sum(months)) / len(months) if months and sum(months) else None,
        elapsed_fraction=elapsed_fraction(now, year) if now else Decimal(0),
    )
