"""Use cases behind the pool endpoints: figures (live or as of a business date), measures, journal pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from medfund_ledger.adapters.read_repositories import PoolReads
from medfund_ledger.adapters.uow import LedgerUnitOfWork
from medfund_ledger.domain import warnings
from medfund_ledger.domain.pools import PoolFigures, PoolKey
from medfund_shared.china_time import start_of

RATIO = Decimal("0.0001")


class PoolNotFound(LookupError):
    pass


@dataclass(frozen=True)
class PoolQuery:
    pool_id: str
    as_of: date | None = None
    """The figures at the end of this business date; ``None``: now."""


@dataclass(frozen=True)
class PoolsQuery:
    as_of: date | None = None


@dataclass(frozen=True)
class JournalPageQuery:
    pool_id: str
    after_id: int
    limit: int


@dataclass(frozen=True)
class PoolView:
    pool_id: str
    row: object
    """The pool's row: ``budget_due`` and ``planned_expenditure`` in fen (either may be null)."""
    figures: PoolFigures
    measures: dict


@dataclass(frozen=True)
class JournalPage:
    entries: list
    """(journal entry, its lines in the pool), oldest first."""
    next_id: int | None
    """The last entry's id when more follow, else ``None``."""


def _ratio(numerator: int, denominator: int | None) -> str | None:
    return str((Decimal(numerator) / Decimal(denominator)).quantize(RATIO)) if denominator else None


async def _measures(pools: PoolReads, pool_id: str, row, pool_figures: PoolFigures) -> dict:
    """Budget ratios, and each rule's measure as its alert would store it now (null when undefined)."""
    measures = {"collection_rate": _ratio(pool_figures.income.fen, row.budget_due),
                "spent_of_planned": _ratio(pool_figures.expenditure.fen, row.planned_expenditure)}
    now = await pools.business_now(PoolKey.parse(pool_id).admdvs)
    if now is not None:
        snapshot = await pools.snapshot(pool_id, now)
        measures["business_time"] = now.isoformat()
        measures["elapsed_fraction"] = str(snapshot.elapsed_fraction.quantize(RATIO))
        for m in warnings.pool_measurements(snapshot, await pools.thresholds(pool_id)):
            measures[m.rule] = None if m.value is None else str(m.value)
            measures |= {f"{m.rule}.{name}": str(value) for name, value in m.details}
    return measures


def _measures_as_of(pool_id: str, row, pool_figures: PoolFigures, as_of: date) -> dict:
    """What the figures at the end of ``as_of`` say alone: the budget ratios and the year elapsed by then (the
    rules' measures need windows of history the read does not rebuild; the alerts of that day say what they
    were)."""
    day_end = start_of(as_of + timedelta(days=1))
    return {"as_of": as_of.isoformat(),
            "collection_rate": _ratio(pool_figures.income.fen, row.budget_due),
            "spent_of_planned": _ratio(pool_figures.expenditure.fen, row.planned_expenditure),
            "elapsed_fraction": str(warnings.elapsed_fraction(day_end, PoolKey.parse(pool_id).year).quantize(RATIO))}


async def _pool(pools: PoolReads, pool_id: str, as_of: date | None) -> PoolView:
    row = await pools.row(pool_id)
    if row is None:
        raise PoolNotFound(pool_id)
    pool_figures = PoolFigures.from_balances(await pools.balances(pool_id, as_of))
    measures = (_measures_as_of(pool_id, row, pool_figures, as_of) if as_of is not None
                else await _measures(pools, pool_id, row, pool_figures))
    return PoolView(pool_id, row, pool_figures, measures)


async def pool(query: PoolQuery, uow: LedgerUnitOfWork) -> PoolView:
    async with uow:
        return await _pool(uow.pools, query.pool_id, query.as_of)


async def all_pools(query: PoolsQuery, uow: LedgerUnitOfWork) -> list[PoolView]:
    async with uow:
        return [await _pool(uow.pools, pool_id, query.as_of) for pool_id in await uow.pools.ids()]


async def journal_page(query: JournalPageQuery, uow: LedgerUnitOfWork) -> JournalPage:
    """Entries touching the pool, oldest first, with their lines in that pool."""
    async with uow:
        if await uow.pools.row(query.pool_id) is None:
            raise PoolNotFound(query.pool_id)
        entries = await uow.pools.entries(query.pool_id, query.after_id, query.limit + 1)
        more, entries = len(entries) > query.limit, entries[:query.limit]
        lines = await uow.pools.lines(query.pool_id, [e.id for e in entries])
    page = [(entry, [line for line in lines if line.entry_id == entry.id]) for entry in entries]
    return JournalPage(page, entries[-1].id if more else None)
