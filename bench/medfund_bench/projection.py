"""How far events have got: published to a topic, applied by the fund ledger, replayed by a rebuild.

"Applied" is the ledger consumer's own stored offsets (``consumer_offsets``), which commit in the same
transaction as the journal entries: a reliable completion signal, unlike a pool figure that other
events (subsidies of a person the feed happens to match) can move too.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition

from medfund_deploy.profiles import Profile
from medfund_deploy.topics import PARTITIONS
from medfund_ledger.adapters.handlers import TOPICS as LEDGER_TOPICS
from medfund_ledger.adapters.rebuild import REPLAY_CONSUMER, Comparison, rebuild
from medfund_shared.db import scratch_database
from medfund_shared.settings import Settings

LEDGER_CONSUMER = "fund-ledger"
BILLING_TOPIC = "medfund.billing.v1"
POLL_SECONDS = 0.5


class Progress:
    """Topic end offsets and the ledger's applied offsets, summed over partitions."""

    def __init__(self, profile: Profile) -> None:
        self._profile = profile
        self._kafka = AIOKafkaConsumer(bootstrap_servers=profile.kafka_bootstrap, group_id=None)
        self._ledger: asyncpg.Connection | None = None
        self._billing: asyncpg.Connection | None = None

    async def __aenter__(self) -> Progress:
        await self._kafka.start()
        self._ledger = await asyncpg.connect(self._profile.database_url("medfund_ledger", "postgresql"))
        self._billing = await asyncpg.connect(self._profile.database_url("medfund_billing", "postgresql"))
        return self

    async def __aexit__(self, *_exc) -> None:
        await self._kafka.stop()
        await self._ledger.close()
        await self._billing.close()

    async def events_on(self, topics: list[str]) -> int:
        """Events now on ``topics`` (end minus beginning offsets)."""
        partitions = [TopicPartition(t, p) for t in topics for p in range(PARTITIONS)]
        end = await self._kafka.end_offsets(partitions)
        beginning = await self._kafka.beginning_offsets(partitions)
        return sum(end.values()) - sum(beginning.values())

    async def published(self, topic: str) -> int:
        end = await self._kafka.end_offsets([TopicPartition(topic, p) for p in range(PARTITIONS)])
        return sum(end.values())

    async def applied(self, topic: str) -> int:
        """Next offsets the ledger stored for ``topic``: the events it applied (or skipped) there."""
        return await self._ledger.fetchval("SELECT coalesce(sum(next_offset), 0)::bigint FROM consumer_offsets "
                                           "WHERE consumer = $1 AND topic = $2", LEDGER_CONSUMER, topic)

    async def billing_unpublished(self) -> int:
        return await self._billing.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")

    async def settled(self, topics: list[str], timeout: float) -> bool:
        """Wait until the ledger has applied everything now on ``topics``; False after ``timeout`` seconds."""
        deadline = time.perf_counter() + timeout
        while any([await self.applied(t) < await self.published(t) for t in topics]):
            if time.perf_counter() > deadline:
                return False
            await asyncio.sleep(POLL_SECONDS)
        return True


@dataclass
class Rebuild:
    events: int
    """Events on the ledger's topics when the rebuild began."""
    replayed: int
    seconds: float
    comparison: Comparison | None
    """None when the time budget ran out before the replay (and so the comparison) finished."""

    @property
    def rate(self) -> float:
        return self.replayed / self.seconds


async def timed_rebuild(profile: Profile, budget: float) -> Rebuild:
    """The ledger's rebuild into a fresh database (made and dropped as ``medfund ledger rebuild`` does), timed
    whole: migrating the target, replaying every event on the ledger's topics, comparing with the live ledger.

    Past ``budget`` seconds it is cancelled and the events it replayed so far (its ``processed_events``)
    give the rate: a slow replay of a long history must not hold the bench for hours.
    """
    settings = Settings(service_name="fund-ledger", database_url=profile.database_url("medfund_ledger"),
                        kafka_bootstrap=profile.kafka_bootstrap, topic_prefix="")
    name = f"medfund_ledger_rebuild_{secrets.token_hex(4)}"
    async with Progress(profile) as progress:
        events = await progress.events_on(LEDGER_TOPICS)
    async with scratch_database(settings.database_url, name) as target_url:
        began = time.perf_counter()
        replay = asyncio.create_task(rebuild(settings, target_url))
        done, _ = await asyncio.wait({replay}, timeout=budget)
        seconds = time.perf_counter() - began
        if done:
            return Rebuild(events, events, seconds, replay.result())
        target = await asyncpg.connect(profile.database_url(name, "postgresql"))
        try:
            replayed = await target.fetchval("SELECT count(*) FROM processed_events WHERE consumer = $1",
                                             REPLAY_CONSUMER)
        finally:
            await target.close()
        replay.cancel()
        await asyncio.gather(replay, return_exceptions=True)
        return Rebuild(events, replayed, seconds, None)
