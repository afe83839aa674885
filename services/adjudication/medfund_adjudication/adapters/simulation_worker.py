"""One simulation, in a process of its own at low priority, never in the request path:
``python -m medfund_adjudication.adapters.simulation_worker DATABASE_URL SIMULATION_ID``.

It reads the simulation's request (the candidate pack, validated again exactly as when it was accepted),
streams the period's recorded settlements through :class:`~medfund_adjudication.domain.simulation.Replay`,
writes its progress every :data:`PROGRESS_EVERY` settlements and, at the end, the result (or the error).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from decimal import Decimal

from medfund_adjudication.adapters import simulation_repo
from medfund_adjudication.domain.simulation import Replay
from medfund_shared.db import create_engine, create_session_factory
from medfund_shared.money import Money
from medfund_shared.policy.loader import pack_of_document
from medfund_shared.settings import Settings

PROGRESS_EVERY = 5000
LOW_PRIORITY = 10
"""The ``nice`` increment: the gateway's processes keep the CPU first."""


def _plain(value):
    if isinstance(value, Money):
        return value.to_yuan()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


async def run(database_url: str, simulation_id: str) -> None:
    settings = Settings(service_name="adjudication", database_url=database_url)
    engine = create_engine(settings)
    try:
        async with create_session_factory(engine)() as session:
            simulation = await simulation_repo.SimulationRepository(session).get(simulation_id)
        async with engine.connect() as progress, engine.connect() as reader:
            try:
                request = json.loads(simulation.request, parse_float=Decimal)
                pack = pack_of_document(request["pack"], f"simulation {simulation_id}")
                total = await simulation_repo.count_recorded(reader, simulation.period)
                await simulation_repo.update_progress(progress, simulation_id, status="running", total=total)
                replay = Replay(pack, settings.simulation_age_bands, Money(simulation.share_rise_fen))
                processed = 0
                async for recorded in simulation_repo.recorded(reader, simulation.period):
                    replay.feed(recorded)
                    processed += 1
                    if processed % PROGRESS_EVERY == 0:
                        await simulation_repo.update_progress(progress, simulation_id, processed=processed)
                await simulation_repo.update_progress(progress, simulation_id, status="done", processed=processed,
                                                      result=_plain(replay.result()))
            except Exception as exc:
                await simulation_repo.update_progress(progress, simulation_id, status="failed",
                                                      error=f"{type(exc).__name__}: {exc}")
                raise
    finally:
        await engine.dispose()


if __name__ == "__main__":
    os.nice(LOW_PRIORITY)
    asyncio.run(run(sys.argv[1], sys.argv[2]))
