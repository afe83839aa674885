"""Rebuild: replay the topics from the beginning into a fresh database and compare with the live one.

Events only: the ledger's own entries (clearings, transfers, the automatic catastrophic and reserve
transfers) are events on its own topic ``medfund.ledger.v1``, replayed like the others; nothing is
read from the live journal but the comparison.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date

from aiokafka import AIOKafkaConsumer
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from medfund_ledger.adapters.handlers import BATCH_HANDLER, BATCH_RECORDS, HANDLERS, TOPICS
from medfund_ledger.adapters.tables import account_balances
from medfund_shared.consumer import ConsumerRunner
from medfund_shared.db import create_engine, create_session_factory, migrate_async
from medfund_shared.events.types.ledger import TOPIC as OWN_TOPIC
from medfund_shared.settings import Settings

REPLAY_CONSUMER = "fund-ledger-rebuild"


@dataclass
class Comparison:
    live_entries: int
    rebuilt_entries: int
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    different: list[str] = field(default_factory=list)
    balance_differences: list[str] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return not (self.missing or self.extra or self.different or self.balance_differences)

    def summary(self) -> str:
        verdict = "EQUAL" if self.equal else "DIFFERENT"
        return (f"{verdict}: live {self.live_entries} entries, rebuilt {self.rebuilt_entries}; "
                f"missing {len(self.missing)}, extra {len(self.extra)}, different {len(self.different)}, "
                f"balance differences {len(self.balance_differences)}")


async def replay_topics(settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> int:
    """Apply every event now on the topics, from offset 0 to the current end; returns the count.

    A metadata refresh can reassign the partitions after the seek; "earliest" makes a fresh
    assignment start over too (the runner's stored offsets skip what was applied) instead of
    jumping to the end and replaying nothing.
    """
    runner = ConsumerRunner(REPLAY_CONSUMER, TOPICS, HANDLERS, sessions, settings, batch_handler=BATCH_HANDLER,
                            fast_decode=True)
    consumer = AIOKafkaConsumer(*(settings.topic(t) for t in TOPICS), bootstrap_servers=settings.kafka_bootstrap,
                                enable_auto_commit=False, isolation_level="read_committed", group_id=None,
                                auto_offset_reset="earliest")
    await consumer.start()
    try:
        while not _fully_assigned(consumer, [settings.topic(t) for t in TOPICS]):
            await asyncio.sleep(0.1)
        partitions = sorted(consumer.assignment())
        await consumer.seek_to_beginning(*partitions)
        end = await consumer.end_offsets(partitions)
        applied = 0
        while [tp for tp in partitions if await consumer.position(tp) < end[tp]]:
            batch = await consumer.getmany(timeout_ms=500, max_records=BATCH_RECORDS)
            batch = {tp: [r for r in records if r.offset < end[tp]] for tp, records in batch.items()}
            applied += len(await runner.apply_batch({tp: rs for tp, rs in batch.items() if rs}))
        return applied
    finally:
        await consumer.stop()


def _fully_assigned(consumer: AIOKafkaConsumer, topics: list[str]) -> bool:
    """Without a group the consumer takes every partition once it has the metadata of every topic."""
    assigned = consumer.assignment()
    return all(consumer.partitions_for_topic(t) and
               {tp.partition for tp in assigned if tp.topic == t} == consumer.partitions_for_topic(t) for t in topics)


OWN_EVENTS_WAIT_SECONDS = 30.0
UNPUBLISHED_OWN_EVENTS = text("SELECT count(*) FROM outbox WHERE published_at IS NULL AND topic = :topic")


async def own_events_published(live: async_sessionmaker[AsyncSession],
                               timeout: float = OWN_EVENTS_WAIT_SECONDS) -> None:
    """Wait (bounded) until the relay has put the ledger's own events on its topic: an entry booked by a command
    a moment ago is in the live journal while its event may still be in the outbox."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        async with live() as session:
            if not await session.scalar(UNPUBLISHED_OWN_EVENTS, {"topic": OWN_TOPIC}):
                return
        await asyncio.sleep(0.2)


JOURNAL_DIGESTS = text(
    "SELECT e.entry_key, e.kind, e.effective_date, md5(coalesce(string_agg(l.pool_id || ' ' || l.account || ' ' "
    "|| l.amount, ';' ORDER BY l.pool_id, l.account, l.amount), '')) AS lines "
    "FROM journal_entries AS e LEFT JOIN journal_lines AS l ON l.entry_id = e.id GROUP BY e.id")


async def _journal(session: AsyncSession) -> dict[str, tuple[str, date, str]]:
    """Per entry key: kind, effective date and a digest of its sorted lines, computed by the server (the lines
    never cross the wire)."""
    rows = await session.execute(JOURNAL_DIGESTS)
    return {row.entry_key: (row.kind, row.effective_date, row.lines) for row in rows}


async def _balances(session: AsyncSession) -> dict[tuple[str, str], int]:
    rows = await session.execute(select(account_balances))
    return {(r.pool_id, r.account): r.amount for r in rows if r.amount != 0}


async def compare(live: AsyncSession, rebuilt: AsyncSession) -> Comparison:
    """Journals and balances of the two databases, read at the same time."""
    a, b = await asyncio.gather(_journal(live), _journal(rebuilt))
    result = Comparison(len(a), len(b), sorted(a.keys() - b.keys()), sorted(b.keys() - a.keys()),
                        sorted(k for k in a.keys() & b.keys() if a[k] != b[k]))
    la, lb = await asyncio.gather(_balances(live), _balances(rebuilt))
    result.balance_differences = [f"{p}/{acc}: live {la.get((p, acc), 0)} rebuilt {lb.get((p, acc), 0)}"
                                  for p, acc in sorted(la.keys() | lb.keys()) if la.get((p, acc)) != lb.get((p, acc))]
    return result


async def rebuild(settings: Settings, target_url: str) -> Comparison:
    """Replay into ``target_url`` (an empty database, migrated here) and compare with ``settings.database_url``."""
    await migrate_async("medfund_ledger", target_url)
    live_engine = create_engine(settings)
    target_engine = create_engine(settings.model_copy(update={"database_url": target_url}))
    try:
        live, target = create_session_factory(live_engine), create_session_factory(target_engine)
        await own_events_published(live)
        await replay_topics(settings, target)
        async with live() as live_session, target() as target_session:
            return await compare(live_session, target_session)
    finally:
        await live_engine.dispose()
        await target_engine.dispose()
