"""Small Kafka helpers: topic creation and a reachability probe (``medfund_kafka_up``, ``/healthz/details``)."""

from __future__ import annotations

import asyncio
import time

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.client import AIOKafkaClient
from aiokafka.protocol.metadata import MetadataRequest

from medfund_shared.metrics import KAFKA_UP
from medfund_shared.settings import Settings

DEFAULT_PARTITIONS = 6
_INFINITE_RETENTION = {"retention.ms": "-1", "retention.bytes": "-1"}


async def ensure_topics(settings: Settings, base_names: list[str] | set[str],
                        partitions: int = DEFAULT_PARTITIONS) -> None:
    """Create the (prefixed) topics that do not exist yet; they are the event log, so keep them forever."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap, request_timeout_ms=10_000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = sorted({settings.topic(n) for n in base_names} - existing)
        if missing:
            await admin.create_topics([NewTopic(t, partitions, 1, topic_configs=_INFINITE_RETENTION) for t in missing])
    finally:
        await admin.close()


KAFKA_PROBE_EVERY = 5.0
"""Seconds between two probes of the broker by a running service."""


class KafkaProbe:
    """Answers whether the broker serves metadata; keeps one client between probes.

    A broker outage does not make a service unready (the outbox keeps every write until the broker is back), so
    the running service probes in the background (:meth:`watch`) and reports what it saw in the
    ``medfund_kafka_up`` gauge and ``GET /healthz/details``."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._client: AIOKafkaClient | None = None
        self.up: bool | None = None
        """The last probe's answer; None before the first."""
        self.last_change: float | None = None
        """``time.time()`` of the last change of :attr:`up`."""

    async def watch(self, every: float = KAFKA_PROBE_EVERY) -> None:
        """Forever: probe, record the answer (attribute and gauge), wait."""
        gauge = KAFKA_UP.labels(self._settings.service_name)
        while True:
            up = await self.check()
            if up != self.up:
                self.up, self.last_change = up, time.time()
            gauge.set(1 if up else 0)
            await asyncio.sleep(every)

    async def check(self, timeout: float = 2.0) -> bool:
        try:
            await asyncio.wait_for(self.metadata(), timeout)
            return True
        except Exception:
            await self.close()
            return False

    async def metadata(self):
        """A broker's metadata answer naming its brokers and no topic: a cluster shared with other systems may hold
        thousands of partitions, and asking for all of them every few seconds cost every service CPU."""
        if self._client is None:
            self._client = AIOKafkaClient(bootstrap_servers=self._settings.kafka_bootstrap, request_timeout_ms=2_000)
            await self._client.bootstrap()
        return await self._client.send(self._client.get_random_node(), MetadataRequest([]))

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.close()
