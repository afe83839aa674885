"""Simulations' rows, and the recorded settlements of a period streamed in replay order."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import BigInteger, cast, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from medfund_adjudication.adapters import result_codec
from medfund_adjudication.adapters.tables import settlements, simulations
from medfund_adjudication.domain.settlement.receipt import inputs_from
from medfund_adjudication.domain.simulation import RecordedSettlement

STREAM_BATCH = 2000
"""Rows fetched at a time from the server-side cursor: what bounds the replay's memory."""


@dataclass(frozen=True)
class Period:
    admdvs: str
    insutype: str
    year: int | None
    begin: date | None
    end: date | None


@dataclass(frozen=True)
class Shard:
    """The people ``abs(hashtext(psn_no)) % count = index``: a person's rows are all in one shard."""

    index: int
    count: int


@dataclass(frozen=True)
class SimulationRow:
    simulation_id: str
    period: Period
    request: str
    share_rise_fen: int
    status: str
    processed: int
    total: int | None
    result: dict | None
    error: str | None


def _row(row) -> SimulationRow:
    return SimulationRow(row.simulation_id, Period(row.admdvs, row.insutype, row.year, row.begin_date, row.end_date),
                         row.request, row.share_rise_fen, row.status, row.processed, row.total, row.result, row.error)


async def update_progress(conn: AsyncConnection, simulation_id: str, **values) -> None:
    """Status, counts, result or error; committed at once so a reader sees the progress."""
    if values.get("status") in ("done", "failed"):
        values["finished_at"] = func.now()
    await conn.execute(update(simulations).where(simulations.c.simulation_id == simulation_id).values(**values))
    await conn.commit()


def _of_period(query, period: Period):
    t = settlements.c
    query = query.where(t.admdvs == period.admdvs, t.insutype == period.insutype)
    if period.year is not None:
        return query.where(t.year == period.year)
    return query.where(t.setl_date >= period.begin, t.setl_date <= period.end)


async def add_progress(conn: AsyncConnection, simulation_id: str, processed: int) -> None:
    """A shard's rows replayed since its last report, added to the simulation's count (the shards' sum)."""
    await conn.execute(update(simulations).where(simulations.c.simulation_id == simulation_id)
                       .values(processed=simulations.c.processed + processed))
    await conn.commit()


def _of_shard(query, shard: Shard | None):
    if shard is None:
        return query
    return query.where(func.abs(cast(func.hashtext(settlements.c.psn_no), BigInteger)) % shard.count == shard.index)


async def count_recorded(conn: AsyncConnection, period: Period) -> int:
    return await conn.scalar(_of_period(select(func.count()).select_from(settlements), period))


def replay_query(period: Period, shard: Shard | None = None):
    """The period's settlements and reversals by person and insurance year, then in the order the person's year
    totals moved: by the accumulator version each row wrote (versions count per person-year, as the
    ``accumulators`` rows are keyed). Rows written before the version was stored (NULL) came before every
    versioned row of their person-year and go first, by ``created_at``; ``setl_id`` breaks a tie. For a year the
    index ``settlements_by_region_year`` gives this order.

    Not ``created_at`` alone: it is when the writing transaction began, and of two concurrent settlements of one
    person the one that began first can write second (it lost the version check, or waited for the row lock)."""
    t = settlements.c
    query = _of_period(select(t.kind, t.setl_id, t.original_setl_id, t.psn_no, t.year, t.setl_date, t.inputs,
                              t.result), period).order_by(t.psn_no, t.year, t.accumulator_version.nulls_first(),
                                                          t.created_at, t.setl_id)
    return _of_shard(query, shard)


async def recorded(conn: AsyncConnection, period: Period, shard: Shard | None = None
                   ) -> AsyncIterator[RecordedSettlement]:
    """The rows of :func:`replay_query`, streamed (a batch at a time: one hop into SQLAlchemy's greenlet a batch,
    not one a row)."""
    rows = await conn.stream(replay_query(period, shard).execution_options(yield_per=STREAM_BATCH))
    async for batch in rows.partitions():
        for r in batch:
            yield RecordedSettlement(r.kind, r.setl_id, r.original_setl_id, r.psn_no, r.year, r.setl_date,
                                     inputs_from(r.inputs) if r.inputs is not None else None,
                                     result_codec.recorded_amounts(r.result))


class SimulationRepository:
    """Simulations' rows, on the unit of work's session (the worker's progress and the replay's stream run on
    a connection of their own)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, simulation_id: str, period: Period, request: str, share_rise_fen: int) -> None:
        await self._session.execute(insert(simulations).values(
            simulation_id=simulation_id, admdvs=period.admdvs, insutype=period.insutype, year=period.year,
            begin_date=period.begin, end_date=period.end, request=request, share_rise_fen=share_rise_fen,
            status="queued"))

    async def get(self, simulation_id: str) -> SimulationRow | None:
        query = select(simulations).where(simulations.c.simulation_id == simulation_id)
        row = (await self._session.execute(query)).first()
        return None if row is None else _row(row)
