"""One HTTP load generator for every figure (ours and the trivial-endpoint limit), so ratios compare like with like.

``saturate`` runs a fixed number of requests through a bounded number of workers (closed loop).
``fixed_rate`` starts requests on a schedule (open loop) and times each from its *scheduled* start,
so a stall shows up in the latencies instead of silently lowering the rate (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

Send = Callable[[int], Awaitable[bool]]
"""Issue request number ``i``; True when the answer was the expected success."""


@dataclass
class Result:
    ok: int = 0
    failed: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """Latency percentile in milliseconds (nearest rank)."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


async def _timed(send: Send, i: int, started: float, result: Result) -> None:
    try:
        good = await send(i)
    except Exception:  # noqa: BLE001 - a transport error is a failed request, counted, not fatal to the run
        good = False
    result.latencies.append(time.perf_counter() - started)
    if good:
        result.ok += 1
    else:
        result.failed += 1


async def saturate(send: Send, count: int, concurrency: int) -> Result:
    result = Result()
    next_index = iter(range(count))

    async def worker() -> None:
        for i in next_index:
            await _timed(send, i, time.perf_counter(), result)

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.seconds = time.perf_counter() - began
    return result


async def fixed_rate(send: Send, rate: float, count: int, max_in_flight: int = 2000) -> Result:
    """``count`` requests at ``rate``/s; at most ``max_in_flight`` outstanding (the rest count as failed)."""
    result = Result()
    tasks: set[asyncio.Task] = set()
    began = time.perf_counter()
    for i in range(count):
        scheduled = began + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if len(tasks) >= max_in_flight:
            result.failed += 1
            continue
        task = asyncio.create_task(_timed(send, i, scheduled, result))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.gather(*tasks)
    result.seconds = time.perf_counter() - began
    return result
