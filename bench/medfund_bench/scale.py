"""``--scale``: the ledger's rebuild replaying a history of millions of events (10,000,000 by default), timed.

The events now on the ledger's topics (left by a full ``make bench``: the collection feed and the settlements)
are copied, as many times as needed, onto the same topics under a run prefix (``bench.scale.<hex>.``) that no
service reads, each record to its own partition number so every partition keeps its order. Each copy after the
first gives its records fresh event ids (``ce_id``, the journal's entry key), so they are booked as new entries:
a history of the same shape, that many events long. The rebuild replays those topics into a fresh database,
migrated as ``medfund ledger rebuild`` does, and is timed; no live ledger holds that history, so there is no
EQUAL verdict here (the default run gives it). The topics and the database are dropped afterwards.
"""

from __future__ import annotations

import asyncio
import secrets
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from medfund_deploy.profiles import Profile
from medfund_deploy.topics import PARTITIONS
from medfund_ledger.adapters.handlers import TOPICS as LEDGER_TOPICS
from medfund_ledger.adapters.rebuild import replay_into
from medfund_shared.db import migrate_async, scratch_database
from medfund_shared.settings import Settings

ID_HEADER = "ce_id"
COPY_NAMESPACE = uuid.UUID("9d7c1f52-4c1e-4b7e-9a55-5b2f1c0e6a10")
"""Namespace of the copies' event ids: the same source event and copy number always give the same id."""
SEND_WINDOW = 20_000
"""Records sent before their deliveries are awaited: bounds the producer's memory."""
READ_BATCH = 10_000


@dataclass(frozen=True)
class Source:
    topic: str
    partition: int
    key: bytes | None
    value: bytes
    headers: list[tuple[str, bytes]]

    @property
    def size(self) -> int:
        """Bytes it carries on the wire: key, value and headers."""
        return len(self.key or b"") + len(self.value) + sum(len(n.encode()) + len(v) for n, v in self.headers)


@dataclass
class ScaledRebuild:
    events: int
    seconds: float
    mean_event_bytes: float

    @property
    def rate(self) -> float:
        return self.events / self.seconds


def copied_headers(headers: list[tuple[str, bytes]], copy: int) -> list[tuple[str, bytes]]:
    """The headers of copy number ``copy`` of an event: copy 0 is the event itself, the others get their own id."""
    if copy == 0:
        return headers
    return [(name, str(uuid.uuid5(COPY_NAMESPACE, f"{value.decode()}/{copy}")).encode()) if name == ID_HEADER
            else (name, value) for name, value in headers]


def schedule(sources: int, events: int) -> Iterator[tuple[int, int]]:
    """(copy number, source index) of each event to produce, copy after copy, ``events`` in all."""
    if sources:
        for n in range(events):
            yield divmod(n, sources)


async def read_sources(bootstrap: str) -> list[Source]:
    """Every record now on the ledger's topics, from their beginning to their current end."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                                isolation_level="read_committed")
    await consumer.start()
    try:
        partitions = [TopicPartition(t, p) for t in LEDGER_TOPICS for p in range(PARTITIONS)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        end = await consumer.end_offsets(partitions)
        out: list[Source] = []
        while pending := [tp for tp in partitions if await consumer.position(tp) < end[tp]]:
            batch = await consumer.getmany(*pending, timeout_ms=1000, max_records=READ_BATCH)
            out += [Source(tp.topic, tp.partition, r.key, r.value or b"", list(r.headers or ()))
                    for tp, records in batch.items() for r in records if r.offset < end[tp]]
        return out
    finally:
        await consumer.stop()


async def produce_copies(bootstrap: str, prefix: str, sources: list[Source], events: int) -> None:
    """``events`` records on the prefixed topics: the sources, then their copies with fresh ids, in order."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks=1, linger_ms=20, max_batch_size=1 << 20)
    await producer.start()
    try:
        window = []
        for copy, index in schedule(len(sources), events):
            source = sources[index]
            window.append(await producer.send(f"{prefix}{source.topic}", source.value, key=source.key,
                                              partition=source.partition,
                                              headers=copied_headers(source.headers, copy)))
            if len(window) >= SEND_WINDOW:
                await asyncio.gather(*window)
                window = []
        await asyncio.gather(*window)
    finally:
        await producer.stop()


async def _topics(bootstrap: str, prefix: str, create: bool) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        names = [f"{prefix}{t}" for t in LEDGER_TOPICS]
        if create:
            await admin.create_topics([NewTopic(n, num_partitions=PARTITIONS, replication_factor=1) for n in names])
        else:
            await admin.delete_topics(names)
    finally:
        await admin.close()


async def scaled_rebuild(profile: Profile, events: int) -> ScaledRebuild:
    """Copy the ledger's history up to ``events`` events, then time its replay into a fresh, migrated database."""
    sources = await read_sources(profile.kafka_bootstrap)
    if not sources:
        raise RuntimeError("the ledger's topics are empty: run `make bench` first, its feed and settlements make "
                           "the history that --scale copies")
    mean = sum(s.size for s in sources) / len(sources)
    prefix = f"bench.scale.{secrets.token_hex(3)}."
    settings = Settings(service_name="fund-ledger", database_url=profile.database_url("medfund_ledger"),
                        kafka_bootstrap=profile.kafka_bootstrap, topic_prefix=prefix)
    name = f"medfund_ledger_scale_{secrets.token_hex(4)}"
    await _topics(profile.kafka_bootstrap, prefix, create=True)
    try:
        began = time.perf_counter()
        await produce_copies(profile.kafka_bootstrap, prefix, sources, events)
        print(f"scale: {events:,} events ({len(sources):,} on the ledger's topics, copied) produced in "
              f"{time.perf_counter() - began:.0f} s; replaying")
        del sources
        async with scratch_database(settings.database_url, name) as target_url:
            began = time.perf_counter()
            await migrate_async("medfund_ledger", target_url)
            replayed = await replay_into(settings, target_url)
            return ScaledRebuild(replayed, time.perf_counter() - began, mean)
    finally:
        await _topics(profile.kafka_bootstrap, prefix, create=False)
