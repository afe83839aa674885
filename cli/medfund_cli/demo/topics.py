"""Listens to the event log while the demo runs: counts events by type and collects alert changes.

Starts at the end of each topic, so only what this run causes is counted (a dev stack keeps its
topics forever).
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer

from medfund_shared.settings import Settings

ALERT_TYPE = "medfund.fund.alert.v1"
COVERAGE_ACTIVATED = "medfund.enrollment.coverage.activated.v1"
WATCHED = ("medfund.enrollment.v1", "medfund.billing.v1", "medfund.claims.v1", "medfund.alerts.v1")


@dataclass
class TopicCounts:
    by_type: Counter = field(default_factory=Counter)
    alerts: list[dict] = field(default_factory=list)
    """Every alert change seen on the topic, in order (``data`` of ``medfund.fund.alert.v1``)."""
    last_alert_at: float = 0.0
    """Event-loop time when the latest alert change arrived."""
    latest_activation: dict[int, str] = field(default_factory=dict)
    """Partition of the enrollment topic -> certno of the latest coverage activation seen on it."""

    def count(self, event_type: str) -> int:
        return self.by_type[event_type]

    def alert_changes(self, rule: str | None = None, state: str | None = None) -> list[dict]:
        return [a for a in self.alerts
                if (rule is None or a["rule"] == rule) and (state is None or a["state"] == state)]


class TopicWatcher:
    """A consumer without a group: assigned every partition, positioned at the end when started."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.counts = TopicCounts()
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        consumer = AIOKafkaConsumer(*(self.settings.topic(t) for t in WATCHED),
                                    bootstrap_servers=self.settings.kafka_bootstrap, enable_auto_commit=False,
                                    group_id=None, auto_offset_reset="latest")
        await consumer.start()
        while not consumer.assignment():
            await asyncio.sleep(0.1)
        for partition in consumer.assignment():
            await consumer.position(partition)
        self._consumer = consumer
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        async for record in self._consumer:
            headers = {key: value.decode() for key, value in record.headers or ()}
            event_type = headers.get("ce_type", "")
            self.counts.by_type[event_type] += 1
            if event_type == ALERT_TYPE:
                self.counts.alerts.append(json.loads(record.value))
                self.counts.last_alert_at = asyncio.get_running_loop().time()
            elif event_type == COVERAGE_ACTIVATED:
                self.counts.latest_activation[record.partition] = json.loads(record.value)["certno"]

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
        if self._consumer is not None:
            await self._consumer.stop()

