"""What an admin watches besides the funds: the ledger's dead-letter backlog and how far its consumer lags."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_shared.db import consumer_offsets_table, dead_letters_table
from medfund_shared.settings import Settings

END_OFFSETS_TIMEOUT_SECONDS = 3.0


async def dead_letter_backlog(session: AsyncSession) -> list:
    """(consumer, unresolved dead letters, oldest created_at) per consumer with a backlog."""
    t = dead_letters_table
    return (await session.execute(
        select(t.c.consumer, func.count().label("unresolved"), func.min(t.c.created_at).label("oldest"))
        .where(t.c.resolved_at.is_(None)).group_by(t.c.consumer).order_by(t.c.consumer))).all()


async def stored_offsets(session: AsyncSession) -> list:
    """The next offset each consumer will read, per topic partition (committed with the events applied)."""
    t = consumer_offsets_table
    return (await session.execute(select(t.c.consumer, t.c.topic, t.c.partition, t.c.next_offset, t.c.updated_at)
                                  .order_by(t.c.consumer, t.c.topic, t.c.partition))).all()


async def end_offsets(settings: Settings, partitions: list[tuple[str, int]]) -> dict[tuple[str, int], int] | None:
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
