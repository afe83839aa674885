"""Gathers the inputs of the region statistics from the projections."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_ledger.adapters import figures
from medfund_ledger.adapters.config import load_config
from medfund_ledger.adapters.tables import coverage, pools, populations, settlement_facts
from medfund_ledger.domain import warnings
from medfund_ledger.domain.pools import PoolFigures, PoolKey
from medfund_ledger.domain.statistics import PoolInputs, StatisticsInputs
from medfund_ledger.domain.warnings import elapsed_fraction


async def _reserve_months(session: AsyncSession, pool_id: str, now: datetime | None) -> Decimal | None:
    """The reserve_months rule's own measure at the region's clock: what the alert and ``GET /v1/pools/{id}`` show."""
    if now is None:
        return None
    snapshot = await figures.pool_snapshot(session, pool_id, now)
    return warnings.reserve_months(snapshot, (await figures.thresholds_for(session, pool_id))["reserve_months"]).value


async def pool_inputs(session: AsyncSession, pool_id: str, now: datetime | None) -> PoolInputs:
    key, row = PoolKey.parse(pool_id), await figures.pool_row(session, pool_id)
    pool_figures = PoolFigures.from_balances(await figures.balances(session, pool_id))
    return PoolInputs(
        pool_id=pool_id, fund_pay_type=key.fund_pay_type,
        budget_due=row.budget_due if row else None, planned_expenditure=row.planned_expenditure if row else None,
        income=pool_figures.income.fen, expenditure=pool_figures.expenditure.fen, payable=pool_figures.payable.fen,
        cumulative_balance=await figures.cumulative_balance(session, key),
        reserve_months=await _reserve_months(session, pool_id, now),
    )


async def statistics_inputs(session: AsyncSession, admdvs: str, year: int, insutype: str) -> StatisticsInputs:
    """The region figures are those of the pooled fund ``insutype``'s contributions go to; every pool is listed."""
    pool_id = PoolKey(admdvs, load_config().contribution_pool(insutype), year).pool_id
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
    now = await figures.business_now(session, admdvs)
    region_pools = (await session.scalars(select(pools.c.pool_id).where(pools.c.admdvs == admdvs, pools.c.year == year)
                                          .order_by(pools.c.fund_pay_type))).all()
    return StatisticsInputs(
        pooled=await pool_inputs(session, pool_id, now), insured=int(insured or 0), eligible=eligible,
        medfee_sumamt=int(totals[0]), inscp_scp_amt=int(totals[1]), fund_pay_sumamt=int(totals[2]),
        inpatient_settlements=int(totals[3]), inpatient_fund_paid=int(totals[4]),
        elapsed_fraction=elapsed_fraction(now, year) if now else Decimal(0),
        pools=[await pool_inputs(session, region_pool, now) for region_pool in region_pools],
    )
