"""Test support: wait for evidence that events were consumed, never for a fixed time (issue 22, "Honest tests").

A test that sends copies of events (a relay's retry, a replay) and then checks that nothing was booked twice
must first know that the copies were read: otherwise it passes because they were not read *yet*. The evidence
is the consumer's own next offsets, stored in its database (``consumer_offsets``, in the same transaction as the
effects): once they reach the partitions' end offsets taken after the copies were acknowledged, every copy was
consumed. A test reading a topic back reads it to the end offsets, not for "a moment longer".

Every suite imports it from here (``medfund_deploy`` is installed; test-kit modules are not shared between
suites). The producers of this platform are idempotent, not transactional: a partition's end offset is the
offset after its last record.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

DEADLINE_SECONDS = 120.0
"""Generous: on two shared cores a consumer may take many seconds to get to a batch; success returns at once."""
POLL_SECONDS = 0.2
T = TypeVar("T")


async def wait_until(condition: Callable[[], Awaitable[object]], what: str, timeout: float = DEADLINE_SECONDS) -> None:
    """Poll ``condition`` until it is true; fail naming ``what`` after ``timeout`` seconds."""
    await value_of(condition, what, timeout)


async def value_of(probe: Callable[[], Awaitable[T]], what: str, timeout: float = DEADLINE_SECONDS) -> T:
    """Poll ``probe`` until it gives a true value and return that value; fail naming ``what`` after ``timeout``
    seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (value := await probe()):
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        await asyncio.sleep(POLL_SECONDS)
    return value


async def end_offsets(bootstrap: str, topics: Iterable[str]) -> dict[TopicPartition, int]:
    """The offset after the last record of every partition of ``topics`` (full topic names), now."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    await consumer.start()
    try:
        await consumer.topics()
        partitions = [TopicPartition(topic, p) for topic in topics for p in consumer.partitions_for_topic(topic) or ()]
        return await consumer.end_offsets(partitions) if partitions else {}
    finally:
        await consumer.stop()


async def stored_offsets(database_url: str, consumer: str | None = None) -> dict[TopicPartition, int]:
    """The next offsets a service's consumers stored; with several consumers on a partition, the lowest."""
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(text(
                "SELECT topic, partition, min(next_offset) FROM consumer_offsets "
                "WHERE CAST(:consumer AS text) IS NULL OR consumer = :consumer GROUP BY topic, partition"),
                {"consumer": consumer})
            return {TopicPartition(topic, partition): offset for topic, partition, offset in rows}
    finally:
        await engine.dispose()


async def wait_consumed(database_url: str, bootstrap: str, topics: Iterable[str], consumer: str | None = None,
                        timeout: float = DEADLINE_SECONDS) -> None:
    """Until the service whose database is ``database_url`` has consumed everything on ``topics`` (full names)
    up to now: its stored next offsets (``consumer`` alone, or every consumer that stored one) reach the end
    offsets read when this is called. Call it after the copies were acknowledged by the broker."""
    ends = {tp: end for tp, end in (await end_offsets(bootstrap, topics)).items() if end > 0}

    async def caught_up() -> bool:
        stored = await stored_offsets(database_url, consumer)
        return all(stored.get(tp, 0) >= end for tp, end in ends.items())

    await wait_until(caught_up, f"the consumers to store offsets past {_described(ends)}", timeout)


async def wait_published(database_url: str, timeout: float = DEADLINE_SECONDS) -> None:
    """Until the service whose database is ``database_url`` has published every event its outbox holds: what it
    answered before this call is then on its topics, and :func:`wait_consumed` called next waits for it."""
    engine = create_async_engine(database_url)

    async def all_published() -> bool:
        async with engine.connect() as connection:
            return await connection.scalar(text("SELECT count(*) FROM outbox WHERE published_at IS NULL")) == 0

    try:
        await wait_until(all_published, "the outbox to publish every event it holds", timeout)
    finally:
        await engine.dispose()


async def read_to_end(consumer: AIOKafkaConsumer, timeout: float = DEADLINE_SECONDS) -> list[ConsumerRecord]:
    """Whatever ``consumer`` (started, ``group_id=None``, subscribed) has left to read up to its partitions' end
    offsets as they are now: when this returns, every record published before the call was read."""
    await _assigned(consumer, timeout)
    ends = await consumer.end_offsets(list(consumer.assignment()))
    records: list[ConsumerRecord] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s reading to {_described(ends)}")
        for batch in (await consumer.getmany(timeout_ms=500)).values():
            records += batch
    return records


async def read_published(consumer: AIOKafkaConsumer, expected: int, database_url: str, what: str,
                         timeout: float = DEADLINE_SECONDS) -> list[ConsumerRecord]:
    """Every record on ``consumer``'s topics (started, ``group_id=None``, from the earliest offset) once ``expected``
    of them arrived and the producer (its database ``database_url``) published every row of its outbox, read to
    the topics' end: a record published twice is there twice. ``what`` names the records in a failure."""
    records: list[ConsumerRecord] = []

    async def arrived() -> bool:
        records.extend(r for batch in (await consumer.getmany(timeout_ms=300)).values() for r in batch)
        return len(records) >= expected

    await wait_until(arrived, f"{expected} {what}", timeout)
    await wait_published(database_url, timeout)
    return records + await read_to_end(consumer, timeout)


async def _assigned(consumer: AIOKafkaConsumer, timeout: float) -> None:
    """A consumer without a group is assigned every partition of its topics once it has their metadata."""
    async def assigned() -> bool:
        return bool(consumer.assignment())

    await wait_until(assigned, "the reader to be assigned its topics' partitions", timeout)


def _described(ends: dict[TopicPartition, int]) -> str:
    return ", ".join(f"{tp.topic}[{tp.partition}]@{end}" for tp, end in sorted(ends.items())) or "nothing"
