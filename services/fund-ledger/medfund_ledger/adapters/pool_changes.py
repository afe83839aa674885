"""A cheap mark of everything a pool's figures depend on, so the pool stream recomputes only after a change."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

MARK = text(
    "SELECT (SELECT coalesce(max(id), 0) FROM journal_entries)::text || '/' "
    "|| (SELECT coalesce(max(id), 0) FROM alert_changes)::text || '/' "
    "|| (SELECT md5(coalesce(string_agg(pool_id || ':' || coalesce(budget_due::text, '-') || ':' "
    "   || coalesce(planned_expenditure::text, '-'), ',' ORDER BY pool_id), '')) FROM pools) || '/' "
    "|| (SELECT md5(coalesce(string_agg(pool_id || rule || yellow::text || red::text, ',' "
    "   ORDER BY pool_id, rule), '')) FROM pool_thresholds) || '/' "
    "|| (SELECT md5(coalesce(string_agg(admdvs || business_time::text, ',' ORDER BY admdvs), '')) "
    "   FROM region_clocks)")
"""Journal entries booked, alert changes, budgets, thresholds and the regions' clocks: a pool's figures and
measures change only when one of them does."""


async def mark(session: AsyncSession) -> str:
    return str(await session.scalar(MARK))
