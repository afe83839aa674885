"""Settlement-to-alert latency: ``large_claim`` alerts timed as they arrive on the alerts topic.

Method: large claims, not an institution budget. The ledger evaluates ``large_claim`` on every
completed settlement and the alert's ``subject_id`` is the settlement's ``setl_id``, so each injected
settlement is matched to its own alert; a budget crossing gives one alert per threshold, one sample.
The workload can make one: see :data:`LARGE_STAY`.
"""

from __future__ import annotations

import asyncio
import json
import time

from aiokafka import AIOKafkaConsumer, TopicPartition

from medfund_deploy.topics import PARTITIONS
from medfund_ledger.adapters.config import load_config
from medfund_shared.events.types.alerts import TOPIC
from medfund_shared.money import Money

LARGE_STAY = Money.from_yuan("200000.00")
"""One stay of this cost at the bench hospital (secondary, in county, tier 1, class A, no price ceiling)
pays 70,000 from the pooled fund (tier 1's annual cap) and 81,200 catastrophic (compliant self-pay
129,600 above the 8,000 threshold: 50% of 20,000, 65% of 50,000, 75% of the rest) for a person with
nothing paid yet this year: 151,200 yuan of fund payment, above ``large_claim``'s yellow 100,000."""
LARGE_CLAIM_YELLOW = Money.from_yuan(load_config().thresholds["large_claim"].yellow)


class AlertWatch:
    """Reads the alerts topic from its end at entry; ``arrivals`` maps a ``large_claim`` subject to its arrival.

    Arrivals are wall-clock (``time.time()``), the clock of the answer times vegeta records.
    """

    def __init__(self, bootstrap: str, topic_prefix: str = "") -> None:
        self._consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                                          isolation_level="read_committed", fetch_max_wait_ms=50)
        self._partitions = [TopicPartition(topic_prefix + TOPIC, p) for p in range(PARTITIONS)]
        self._task: asyncio.Task | None = None
        self.arrivals: dict[str, float] = {}

    async def __aenter__(self) -> AlertWatch:
        await self._consumer.start()
        self._consumer.assign(self._partitions)
        await self._consumer.seek_to_end(*self._partitions)
        for tp in self._partitions:
            await self._consumer.position(tp)  # resolve "end" now, before the run, not at the first fetch
        self._task = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *_exc) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        await self._consumer.stop()

    async def _read(self) -> None:
        while True:
            batch = await self._consumer.getmany(timeout_ms=100)
            arrived = time.time()
            for records in batch.values():
                for record in records:
                    alert = json.loads(record.value)
                    if alert["rule"] == "large_claim" and alert["state"] == "firing":
                        self.arrivals.setdefault(alert["subject_id"], arrived)

    async def latencies(self, answered: dict[str, float], timeout: float) -> list[float]:
        """Seconds from each answer (``setl_id`` → wall-clock answer time) to its alert; waits up to ``timeout``."""
        deadline = time.perf_counter() + timeout
        while answered.keys() - self.arrivals.keys() and time.perf_counter() < deadline:
            await asyncio.sleep(0.1)
        return sorted(self.arrivals[s] - at for s, at in answered.items() if s in self.arrivals)
