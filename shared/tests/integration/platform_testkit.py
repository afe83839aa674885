"""Helpers of the platform integration tests (importable by the tests and by the consumer worker)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from aiokafka import AIOKafkaConsumer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from medfund_deploy.evidence import read_to_end
from medfund_shared import outbox
from medfund_shared.china_time import CHINA_TIME
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.events.types.alerts import AlertChanged
from medfund_shared.settings import Settings

SUBJECTS = [f"pool-{n}" for n in range(7)]


def alert(seq: int, rule: str = "burn_pace") -> AlertChanged:
    """Test events: the real alert type; ``measure`` carries a sequence number to check order."""
    return AlertChanged(alert_id=f"a-{seq}", rule=rule, subject_type="pool", subject_id=SUBJECTS[seq % len(SUBJECTS)],
                        severity="yellow", state="firing", measure=str(seq), threshold="0", message="test",
                        evaluated_at=datetime(2026, 7, 1, tzinfo=CHINA_TIME) + timedelta(minutes=seq))


async def write_events(sessions: async_sessionmaker[AsyncSession], seqs: range, rule: str = "burn_pace") -> None:
    async with sessions() as session, session.begin():
        for seq in seqs:
            data = alert(seq, rule)
            await outbox.add(session, data, source="medfund/test", effective_time=data.evaluated_at)


async def scalar(sessions: async_sessionmaker[AsyncSession], sql: str) -> int:
    async with sessions() as session:
        return await session.scalar(text(sql))


async def unpublished_is(sessions: async_sessionmaker[AsyncSession], n: int) -> bool:
    return await scalar(sessions, "SELECT count(*) FROM outbox WHERE published_at IS NULL") == n


async def published_at_least(sessions: async_sessionmaker[AsyncSession], n: int) -> bool:
    return await scalar(sessions, "SELECT count(*) FROM outbox WHERE published_at IS NOT NULL") >= n


async def read_topic(settings: Settings, topic: str, expected_distinct: int, timeout: float = 60) -> list[CloudEvent]:
    """Everything on the topic from the beginning, until ``expected_distinct`` event ids were seen and then to the
    topic's end: a copy published before the call (a relay's resent batch) is among the events."""
    consumer = AIOKafkaConsumer(settings.topic(topic), bootstrap_servers=settings.kafka_bootstrap, group_id=None,
                                auto_offset_reset="earliest", isolation_level="read_committed")
    await consumer.start()
    events: list[CloudEvent] = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while len({e.id for e in events}) < expected_distinct and asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            events += [CloudEvent.from_kafka(r) for records in batch.values() for r in records]
        events += [CloudEvent.from_kafka(r) for r in await read_to_end(consumer)]
    finally:
        await consumer.stop()
    return events


def first_occurrence_order_per_key(events: list[CloudEvent]) -> dict[str, list[int]]:
    seen, order = set(), {}
    for event in events:
        if event.id not in seen:
            seen.add(event.id)
            order.setdefault(event.partitionkey, []).append(int(event.data["measure"]))
    return order
