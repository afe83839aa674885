"""What an admin watches besides the business figures, in every service: the dead-letter backlog of its consumers
and, per topic partition, how far each consumer lags (the broker's end offset less the next offset it will read)."""

from __future__ import annotations

import asyncio
from datetime import datetime

from aiokafka import AIOKafkaConsumer, TopicPartition
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_shared.db import consumer_offsets_table, dead_letters_table
from medfund_shared.settings import Settings

END_OFFSETS_TIMEOUT_SECONDS = 3.0


class DeadLetterBacklog(BaseModel):
    consumer: str
    unresolved: int
    oldest: datetime


class PartitionLag(BaseModel):
    consumer: str
    topic: str
    partition: int
    next_offset: int
    end_offset: int | None
    lag: int | None = Field(description="records the consumer has still to read; null when the broker did not answer")
    updated_at: datetime


class OperationsView(BaseModel):
    service: str = Field(description="the service answering (its settings' service name)")
    dead_letters: list[DeadLetterBacklog]
    consumer_lag: list[PartitionLag]
    broker_answered: bool


async def operations_view(session: AsyncSession, settings: Settings) -> OperationsView:
    offsets = await _stored_offsets(session)
    ends = await _end_offsets(settings, sorted({(o.topic, o.partition) for o in offsets}))
    lag = []
    for o in offsets:
        end = None if ends is None else ends.get((o.topic, o.partition))
        lag.append(PartitionLag(consumer=o.consumer, topic=o.topic, partition=o.partition, next_offset=o.next_offset,
                                end_offset=end, lag=None if end is None else max(end - o.next_offset, 0),
                                updated_at=o.updated_at))
    backlog = [DeadLetterBacklog.model_validate(row, from_attributes=True)
               for row in await _dead_letter_backlog(session)]
    return OperationsView(service=settings.service_name, dead_letters=backlog, consumer_lag=lag,
                          broker_answered=ends is not None)


async def _dead_letter_backlog(session: AsyncSession) -> list:
    """(consumer, unresolved dead letters, oldest created_at) per consumer with a backlog."""
    t = dead_letters_table
    return (await session.execute(
        select(t.c.consumer, func.count().label("unresolved"), func.min(t.c.created_at).label("oldest"))
        .where(t.c.resolved_at.is_(None)).group_by(t.c.consumer).order_by(t.c.consumer))).all()


async def _stored_offsets(session: AsyncSession) -> list:
    """The next offset each consumer will read, per topic partition (committed with the events applied)."""
    t = consumer_offsets_table
    return (await session.execute(select(t.c.consumer, t.c.topic, t.c.partition, t.c.next_offset, t.c.updated_at)
                                  .order_by(t.c.consumer, t.c.topic, t.c.partition))).all()


async def _end_offsets(settings: Settings, partitions: list[tuple[str, int]]) -> dict[tuple[str, int], int] | None:
    """The broker's high watermark of each partition; None when the broker does not answer in time."""
    if not partitions:
        return {}
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False,
                                isolation_level="read_committed", request_timeout_ms=2_000)
    try:
        await asyncio.wait_for(consumer.start(), END_OFFSETS_TIMEOUT_SECONDS)
        ends = await asyncio.wait_for(consumer.end_offsets([TopicPartition(t, p) for t, p in partitions]),
                                      END_OFFSETS_TIMEOUT_SECONDS)
    except Exception:  # the broker is down or slow: the lag is unknown, the rest of the view still answers
        return None
    finally:
        await consumer.stop()
    return {(tp.topic, tp.partition): offset for tp, offset in ends.items()}
