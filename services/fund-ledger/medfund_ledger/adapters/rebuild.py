"""Rebuild: replay the topics from the beginning into a fresh database and compare with the live one.

Events only: the ledger's own entries (clearings, transfers, the automatic catastrophic and reserve
transfers) are events on its own topic ``medfund.ledger.v1``, replayed like the others; nothing is
read from the live journal but the comparison.
"""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import dataclass, field
from datetime import date

from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import Date, Integer, Text, any_, bindparam, func, literal_column, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from medfund_ledger.adapters import replay_target
from medfund_ledger.adapters.handlers import BATCH_HANDLER, BATCH_RECORDS, HANDLERS, TOPICS
from medfund_ledger.adapters.tables import account_balances
from medfund_shared.consumer import ConsumerRunner
from medfund_shared.db import create_engine, create_session_factory, migrate_async
from medfund_shared.errors import is_transient
from medfund_shared.events.types.ledger import TOPIC as OWN_TOPIC
from medfund_shared.kafka import ensure_topics
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


REPLAY_LANES = 2
"""Partition groups replayed side by side, each by its own process (``medfund_ledger.replay_lane``) in its own
transactions. One lane is serial: per event 59 µs of the ledger's Python, then 44 µs of PostgreSQL; two lanes in
one process overlapped the statements but not the Python, which then limited the replay (docs/performance.md)."""
REPLAY_RETRIES = 5


async def replay_topics(settings: Settings, target_url: str, lanes: int = REPLAY_LANES) -> int:
    """Apply every event now on the topics, from offset 0 to the current end, into the database at ``target_url``;
    returns the count.

    The partitions are dealt to ``lanes`` lanes: each partition's events are applied in their order by one lane,
    as the live consumer applies them; events of different partitions have no order between them, live or here.
    When a lane fails (or the replay is cancelled), the others are stopped.
    """
    ends = await _partition_ends(settings)
    partitions = sorted(ends)
    target = settings.model_copy(update={"database_url": target_url})
    try:
        async with asyncio.TaskGroup() as lanes_running:
            counts = [lanes_running.create_task(_lane_process(target, {tp: ends[tp] for tp in partitions[i::lanes]}))
                      for i in range(lanes)]
    except ExceptionGroup as failed:
        raise failed.exceptions[0] from None
    return sum(count.result() for count in counts)


async def replay_into(settings: Settings, target_url: str) -> int:
    """:func:`replay_topics` into the freshly migrated database at ``target_url``, made for loading first and
    indexed after (:mod:`medfund_ledger.adapters.replay_target`); returns the count."""
    engine = create_engine(settings.model_copy(update={"database_url": target_url}))
    try:
        await replay_target.prepare(engine)
        applied = await replay_topics(settings, target_url)
        await replay_target.finish(engine)
        return applied
    finally:
        await engine.dispose()


async def _lane_process(settings: Settings, ends: dict[TopicPartition, int]) -> int:
    """Run one lane in a child process (its errors go to this process's stderr); its applied count."""
    job = {"settings": settings.model_dump(mode="json"),
           "partitions": [[tp.topic, tp.partition, end] for tp, end in sorted(ends.items())]}
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "medfund_ledger.replay_lane",
                                                   stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    try:
        out, _ = await process.communicate(json.dumps(job).encode())
    except BaseException:
        if process.returncode is None:
            process.kill()
            await process.wait()
        raise
    if process.returncode != 0:
        raise RuntimeError(f"a replay lane exited with {process.returncode} (its error is on stderr above)")
    return int(out)


async def replay_lane(settings: Settings, ends: dict[TopicPartition, int]) -> int:
    """One lane (in its own process): ``ends``' partitions replayed into ``settings.database_url``."""
    engine = create_engine(settings)
    try:
        return await _replay_partitions(settings, create_session_factory(engine), ends)
    finally:
        await engine.dispose()


def _replay_consumer(settings: Settings, *topics: str) -> AIOKafkaConsumer:
    """No group: partitions are assigned here and positions never committed (the offsets live in the database)."""
    return AIOKafkaConsumer(*topics, bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False,
                            isolation_level="read_committed", group_id=None)


async def _partition_ends(settings: Settings) -> dict[TopicPartition, int]:
    """Every partition of the ledger's topics, with the offset the replay stops before (the end when it began).

    Without a group the consumer takes every partition of the topics it names once it has their metadata; a topic
    nothing was published to yet is created (as the live consumer does) rather than waited for."""
    await ensure_topics(settings, set(TOPICS))
    topics = [settings.topic(t) for t in TOPICS]
    consumer = _replay_consumer(settings, *topics)
    await consumer.start()
    try:
        while not _fully_assigned(consumer, topics):
            await asyncio.sleep(0.1)
        return await consumer.end_offsets(sorted(consumer.assignment()))
    finally:
        await consumer.stop()


def _fully_assigned(consumer: AIOKafkaConsumer, topics: list[str]) -> bool:
    assigned = consumer.assignment()
    return all(consumer.partitions_for_topic(t) and
               {tp.partition for tp in assigned if tp.topic == t} == consumer.partitions_for_topic(t) for t in topics)


async def _replay_partitions(settings: Settings, sessions: async_sessionmaker[AsyncSession],
                             ends: dict[TopicPartition, int]) -> int:
    """Apply the records of ``ends``' partitions below their end offsets, a batch per transaction."""
    runner = ConsumerRunner(REPLAY_CONSUMER, TOPICS, HANDLERS, sessions, settings, batch_handler=BATCH_HANDLER,
                            fast_decode=True)
    ends = {tp: end for tp, end in ends.items() if end > 0}
    if not ends:
        return 0
    consumer = _replay_consumer(settings)
    await consumer.start()
    try:
        consumer.assign(list(ends))
        await consumer.seek_to_beginning(*ends)
        applied = 0
        while [tp for tp in ends if await consumer.position(tp) < ends[tp]]:
            batch = await consumer.getmany(timeout_ms=500, max_records=BATCH_RECORDS)
            batch = {tp: [r for r in records if r.offset < ends[tp]] for tp, records in batch.items()}
            applied += len(await _apply(runner, {tp: rs for tp, rs in batch.items() if rs}))
        return applied
    finally:
        await consumer.stop()


async def _apply(runner: ConsumerRunner, batch: dict[TopicPartition, list]) -> list:
    """The batch, again after a transient error: two lanes' transactions may meet on a balance row (a deadlock
    undoes one whole), and the runner skips whatever its stored offsets say was applied."""
    attempt = 0
    while True:
        try:
            return await runner.apply_batch(batch)
        except Exception as exc:
            attempt += 1
            if not is_transient(exc) or attempt == REPLAY_RETRIES:
                raise
            await asyncio.sleep(0.1 * 2 ** attempt)


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


ENTRY_DIGESTS = text(
    "SELECT e.entry_key, e.kind, e.effective_date, get_byte(decode(md5(e.entry_key), 'hex'), 0) AS bucket, "
    "md5(coalesce(string_agg(l.pool_id || ' ' || l.account || ' ' || l.amount, ';' ORDER BY l.pool_id, l.account, "
    "l.amount), '')) AS lines "
    "FROM journal_entries AS e LEFT JOIN journal_lines AS l ON l.entry_id = e.id GROUP BY e.id",
).columns(entry_key=Text, kind=Text, effective_date=Date, bucket=Integer, lines=Text).subquery("d")
"""Per entry: its key, kind, effective date, one of 256 buckets by its key, and a digest of its sorted lines."""
ENTRY_DIGEST_60_BITS = literal_column(
    "('x' || left(md5(d.entry_key || ' ' || d.kind || ' ' || d.effective_date || ' ' || d.lines), 15))"
    "::bit(60)::bigint")
BUCKET_DIGESTS = select(ENTRY_DIGESTS.c.bucket, func.count().label("entries"),
                        func.sum(ENTRY_DIGEST_60_BITS).label("digest")).group_by(ENTRY_DIGESTS.c.bucket)
"""Per bucket: how many entries and the sum of their 60-bit digests (the same whatever order the rows come in)."""
JOURNAL_DIGESTS = select(ENTRY_DIGESTS.c.entry_key, ENTRY_DIGESTS.c.kind, ENTRY_DIGESTS.c.effective_date,
                         ENTRY_DIGESTS.c.lines).where(
    ENTRY_DIGESTS.c.bucket == any_(bindparam("buckets", type_=ARRAY(Integer))))


async def _buckets(session: AsyncSession) -> dict[int, tuple[int, int]]:
    return {row.bucket: (row.entries, row.digest) for row in await session.execute(BUCKET_DIGESTS)}


async def _journal(session: AsyncSession, buckets: list[int]) -> dict[str, tuple[str, date, str]]:
    """Per entry key of ``buckets``: kind, effective date and the digest of its lines."""
    rows = await session.execute(JOURNAL_DIGESTS, {"buckets": buckets})
    return {row.entry_key: (row.kind, row.effective_date, row.lines) for row in rows}


async def _balances(session: AsyncSession) -> dict[tuple[str, str], int]:
    rows = await session.execute(select(account_balances))
    return {(r.pool_id, r.account): r.amount for r in rows if r.amount != 0}


async def compare(live: AsyncSession, rebuilt: AsyncSession) -> Comparison:
    """Journals and balances of the two databases, read at the same time.

    The journals are compared by bucket digests computed by the servers; only the entries of buckets that differ
    cross the wire, to be named one by one (a million entries read into Python took 12 s)."""
    a, b = await asyncio.gather(_buckets(live), _buckets(rebuilt))
    differing = sorted(bucket for bucket in a.keys() | b.keys() if a.get(bucket) != b.get(bucket))
    ja, jb = await asyncio.gather(_journal(live, differing), _journal(rebuilt, differing)) if differing else ({}, {})
    result = Comparison(sum(n for n, _ in a.values()), sum(n for n, _ in b.values()), sorted(ja.keys() - jb.keys()),
                        sorted(jb.keys() - ja.keys()), sorted(k for k in ja.keys() & jb.keys() if ja[k] != jb[k]))
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
        await replay_into(settings, target_url)
        async with live() as live_session, target() as target_session:
            return await compare(live_session, target_session)
    finally:
        await live_engine.dispose()
        await target_engine.dispose()
