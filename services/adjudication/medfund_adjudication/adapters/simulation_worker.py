"""One simulation, in processes of its own at low priority, never in the request path:
``python -m medfund_adjudication.adapters.simulation_worker DATABASE_URL SIMULATION_ID``.

It reads the simulation's request (the candidate pack, validated again exactly as when it was accepted), counts
the period's recorded settlements and replays them in ``settings.simulation_shards`` shard processes
(``… simulation_worker --shard INDEX COUNT DATABASE_URL SIMULATION_ID``), each streaming the rows of its own
people (:class:`~medfund_adjudication.adapters.simulation_repo.Shard`) through a
:class:`~medfund_adjudication.domain.simulation.Replay` and adding its rows to the progress every
:data:`PROGRESS_EVERY`. A shard hands its rows and tally back pickled on its standard output; the tallies are merged
(:meth:`~medfund_adjudication.domain.simulation.ReplayTally.merge`) into the result. A shard that fails fails the
simulation with its error, and the other shards are stopped.
"""

from __future__ import annotations

import asyncio
import json
import os
import pickle
import subprocess
import sys
from decimal import Decimal

from medfund_adjudication.adapters import simulation_repo
from medfund_adjudication.adapters.simulation_repo import Shard, SimulationRow
from medfund_adjudication.domain.simulation import Replay, ReplayTally
from medfund_shared.db import create_engine, create_session_factory
from medfund_shared.money import Money
from medfund_shared.policy.loader import pack_of_document
from medfund_shared.policy.schema import PolicyPack
from medfund_shared.settings import Settings

PROGRESS_EVERY = 5000
LOW_PRIORITY = 10
"""The ``nice`` increment: the gateway's processes keep the CPU first (the shards inherit it)."""


class ShardFailed(Exception):
    """A shard's error, as the simulation shows it."""


def _plain(value):
    if isinstance(value, Money):
        return value.to_yuan()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _settings(database_url: str) -> Settings:
    return Settings(service_name="adjudication", database_url=database_url)


async def _simulation(engine, simulation_id: str) -> SimulationRow:
    async with create_session_factory(engine)() as session:
        return await simulation_repo.SimulationRepository(session).get(simulation_id)


def _candidate(simulation: SimulationRow) -> PolicyPack:
    request = json.loads(simulation.request, parse_float=Decimal)
    return pack_of_document(request["pack"], f"simulation {simulation.simulation_id}")


async def replay_shard(database_url: str, simulation_id: str, shard: Shard) -> tuple[int, ReplayTally]:
    """One shard's people replayed: the rows it read and its tally."""
    settings = _settings(database_url)
    engine = create_engine(settings)
    try:
        simulation = await _simulation(engine, simulation_id)
        replay = Replay(_candidate(simulation), settings.simulation_age_bands, Money(simulation.share_rise_fen))
        processed = unreported = 0
        async with engine.connect() as progress, engine.connect() as reader:
            async for recorded in simulation_repo.recorded(reader, simulation.period, shard):
                replay.feed(recorded)
                unreported += 1
                if unreported == PROGRESS_EVERY:
                    await simulation_repo.add_progress(progress, simulation_id, unreported)
                    processed, unreported = processed + unreported, 0
        return processed + unreported, replay.tally()
    finally:
        await engine.dispose()


async def _shard_process(database_url: str, simulation_id: str, shard: Shard) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "medfund_adjudication.adapters.simulation_worker", "--shard", str(shard.index),
        str(shard.count), database_url, simulation_id,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


async def _outcome(process: asyncio.subprocess.Process, shard: Shard) -> tuple[int, ReplayTally]:
    out, err = await process.communicate()
    if not out:
        tail = err.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        raise ShardFailed(f"shard {shard.index} of {shard.count} exited with code {process.returncode}: {tail[0]}")
    processed, tally, error = pickle.loads(out)
    if error is not None:
        raise ShardFailed(error)
    return processed, tally


async def replay_in_shards(database_url: str, simulation_id: str, shards: int) -> tuple[int, ReplayTally]:
    """The shards run in parallel processes; their rows summed and their tallies merged. The first failure
    stops the others and is raised."""
    processes = [await _shard_process(database_url, simulation_id, Shard(k, shards)) for k in range(shards)]
    try:
        parts = await asyncio.gather(*(_outcome(p, Shard(k, shards)) for k, p in enumerate(processes)))
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
                await process.wait()
    processed, tally = parts[0]
    for rows, part in parts[1:]:
        processed += rows
        tally.merge(part)
    return processed, tally


async def run(database_url: str, simulation_id: str) -> None:
    settings = _settings(database_url)
    engine = create_engine(settings)
    try:
        simulation = await _simulation(engine, simulation_id)
        async with engine.connect() as progress:
            try:
                pack = _candidate(simulation)
                total = await simulation_repo.count_recorded(progress, simulation.period)
                await simulation_repo.update_progress(progress, simulation_id, status="running", total=total)
                processed, tally = await replay_in_shards(database_url, simulation_id, settings.simulation_shards)
                await simulation_repo.update_progress(progress, simulation_id, status="done", processed=processed,
                                                      result=_plain(tally.result(pack)))
            except Exception as exc:
                error = str(exc) if isinstance(exc, ShardFailed) else f"{type(exc).__name__}: {exc}"
                await simulation_repo.update_progress(progress, simulation_id, status="failed", error=error)
                raise
    finally:
        await engine.dispose()


def _run_shard(index: str, count: str, database_url: str, simulation_id: str) -> None:
    """A shard process: ``(processed, tally, None)`` or ``(0, None, error)`` pickled on its standard output."""
    try:
        outcome = (*asyncio.run(replay_shard(database_url, simulation_id, Shard(int(index), int(count)))), None)
    except Exception as exc:
        outcome = (0, None, f"{type(exc).__name__}: {exc}")
    sys.stdout.buffer.write(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.flush()


if __name__ == "__main__":
    if sys.argv[1] == "--shard":
        _run_shard(*sys.argv[2:6])
    else:
        os.nice(LOW_PRIORITY)
        asyncio.run(run(sys.argv[1], sys.argv[2]))
