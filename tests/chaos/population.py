"""A bounded generated population driven through the public APIs while faults are injected.

Each person enrolls, pays, waits until the adjudication service sees the coverage, then has each of its stays
admitted, billed, discharged and settled. At most ``concurrency`` people are in progress at once.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from medfund_bench.workload import Medfund, Person, stay_amount

COVERAGE_WAIT = 180.0


@dataclass
class Run:
    """How the population fared: outcomes, people never covered, when each settlement was answered, and the
    people whose case ended without a definitive answer (with why)."""

    outcome: Counter = field(default_factory=Counter)
    uncovered: list[Person] = field(default_factory=list)
    settled_at: list[float] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)


async def _case(api: Medfund, index: int, stays: int, rng: random.Random, run: Run) -> None:
    person = await api.enroll(api.person(index))
    await api.pay(person, index)
    if not await api.covered(person, COVERAGE_WAIT):
        run.outcome["never covered"] += 1
        run.uncovered.append(person)
        return
    for stay in range(stays):
        number = index * stays + stay
        amount = stay_amount(rng)
        mdtrt_id, ends = await api.prepare_stay(person, number, amount)
        answer = await api.settle(person, mdtrt_id, ends, amount, number)
        run.outcome["settled" if answer["infcode"] == 0 else "refused"] += 1
        run.settled_at.append(time.monotonic())


async def drive(api: Medfund, people: int, stays: int, concurrency: int, seed: int) -> Run:
    """Run the whole population; every case's failure is kept in ``Run.errors``, none stops the others."""
    rng = random.Random(seed)
    gate = asyncio.Semaphore(concurrency)
    run = Run()

    async def bounded(index: int) -> None:
        async with gate:
            await _case(api, index, stays, rng, run)

    results = await asyncio.gather(*(bounded(i) for i in range(people)), return_exceptions=True)
    run.errors = [r for r in results if isinstance(r, BaseException)]
    return run
