"""Queries behind the pool endpoints: figures (live or as of a business date), measures, journal pages."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from medfund_ledger.adapters import figures
from medfund_ledger.api.presenters import pool_json
from medfund_ledger.domain import warnings
from medfund_ledger.domain.pools import PoolFigures, PoolKey
from medfund_shared.china_time import start_of

RATIO = Decimal("0.0001")


class PoolNotFound(LookupError):
    pass


def _ratio(numerator: int, denominator: int | None) -> str | None:
    return str((Decimal(numerator) / Decimal(denominator)).quantize(RATIO)) if denominator else None


async def _measures(session: AsyncSession, pool_id: str, row, pool_figures: PoolFigures) -> dict:
    """Budget ratios, and each rule's measure as its alert would store it now (null when undefined)."""
    measures = {"collection_rate": _ratio(pool_figures.income.fen, row.budget_due),
                "spent_of_planned": _ratio(pool_figures.expenditure.fen, row.planned_expenditure)}
    now = await figures.business_now(session, PoolKey.parse(pool_id).admdvs)
    if now is not None:
        snapshot = await figures.pool_snapshot(session, pool_id, now)
        measures["business_time"] = now.isoformat()
        measures["elapsed_fraction"] = str(snapshot.elapsed_fraction.quantize(RATIO))
        thresholds = await figures.thresholds_for(session, pool_id)
        for m in warnings.pool_measurements(snapshot, thresholds):
            measures[m.rule] = None if m.value is None else str(m.value)
            measures |= {f"{m.rule}.{name}": str(value) for name, value in m.details}
    return measures


async def pool(session: AsyncSession, pool_id: str, as_of: date | None = None) -> dict:
    row = await figures.pool_row(session, pool_id)
    if row is None:
        raise PoolNotFound(pool_id)
    pool_figures = PoolFigures.from_balances(await figures.balances(session, pool_id, as_of))
    if as_of is not None:
        return pool_json(pool_id, row, pool_figures, _measures_as_of(pool_id, row, pool_figures, as_of))
    return pool_json(pool_id, row, pool_figures, await _measures(session, pool_id, row, pool_figures))


def _measures_as_of(pool_id: str, row, pool_figures: PoolFigures, as_of: date) -> dict:
    """What the figures at the end of ``as_of`` say alone: the budget ratios and the year elapsed by then (the
    rules' measures need windows of history the read does not rebuild; the alerts of that day say what they
    were)."""
    day_end = start_of(as_of + timedelta(days=1))
    return {"as_of": as_of.isoformat(),
            "collection_rate": _ratio(pool_figures.income.fen, row.budget_due),
            "spent_of_planned": _ratio(pool_figures.expenditure.fen, row.planned_expenditure),
            "elapsed_fraction": str(warnings.elapsed_fraction(day_end, PoolKey.parse(pool_id).year).quantize(RATIO))}


async def all_pools(session: AsyncSession, as_of: date | None = None) -> list[dict]:
    return [await pool(session, pool_id, as_of) for pool_id in await figures.pool_ids(session)]


async def journal_page(session: AsyncSession, pool_id: str, after_id: int, limit: int):
    """Entries touching the pool, oldest first, with their lines in that pool."""
    if await figures.pool_row(session, pool_id) is None:
        raise PoolNotFound(pool_id)
    entries = await figures.entries_of_pool(session, pool_id, after_id, limit + 1)
    more, entries = len(entries) > limit, entries[:limit]
    lines = await figures.lines_in_pool(session, pool_id, [e.id for e in entries])
    page = [(entry, [line for line in lines if line.entry_id == entry.id]) for entry in entries]
    return page, (entries[-1].id if more else None)
