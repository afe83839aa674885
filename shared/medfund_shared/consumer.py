"""Consumer runner: exactly-once effects by storing offsets in the same transaction as the effects.

Per batch, one database transaction applies every new event (each in a SAVEPOINT), records its
id in ``processed_events``, parks poison events in ``dead_letters`` and stores the next offsets.
On assignment the consumer seeks to the stored offsets, so Kafka's committed offsets are never
used; a crash anywhere replays from the last committed transaction.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from pydantic import ValidationError
from sqlalchemy import exc as sa_exc
from sqlalchemy import insert, select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from medfund_shared.db import consumer_offsets_table, dead_letters_table, processed_events_table
from medfund_shared.events.base import EventData
from medfund_shared.events.envelope import CloudEvent, EnvelopeError
from medfund_shared.events.registry import UnknownEventType, lookup
from medfund_shared.kafka import ensure_topics
from medfund_shared.logging import correlation_scope
from medfund_shared.metrics import CONSUMER_LAG, EVENTS_APPLIED, EVENTS_DEAD_LETTERED
from medfund_shared.settings import Settings

log = structlog.get_logger(__name__)

Handler = Callable[[AsyncSession, CloudEvent, EventData], Awaitable[None]]
BatchHook = Callable[[async_sessionmaker[AsyncSession], list[CloudEvent]], Awaitable[None]]
_TRANSIENT_SQLSTATES = {"40001", "40P01", "55P03", "57P01", "57P03"}


@dataclass(frozen=True)
class ConsumerSpec:
    """What a service declares; the app factory turns it into a running :class:`ConsumerRunner`."""

    name: str
    topics: list[str]
    handlers: dict[str, Handler]
    on_batch_applied: BatchHook | None = None


def is_transient(exc: BaseException) -> bool:
    """Errors worth retrying the whole batch for: the database or network, not the event."""
    if isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DisconnectionError,
                        ConnectionError, TimeoutError, OSError)):
        return True
    if isinstance(exc, sa_exc.DBAPIError):
        return exc.connection_invalidated or getattr(exc.orig, "sqlstate", None) in _TRANSIENT_SQLSTATES
    return False


class _SeekToStoredOffsets(ConsumerRebalanceListener):
    def __init__(self, runner: ConsumerRunner) -> None:
        self._runner = runner

    async def on_partitions_revoked(self, revoked) -> None:
        """Let the batch in flight commit before another member takes the partitions."""
        async with self._runner.batch_lock:
            return None

    async def on_partitions_assigned(self, assigned) -> None:
        async with self._runner.batch_lock:
            await self._runner.seek_to_stored(assigned)


class ConsumerRunner:
    """Consumes ``topics`` (base names) as group ``name`` and applies ``handlers`` by event type."""

    def __init__(self, name: str, topics: list[str], handlers: dict[str, Handler],
                 session_factory: async_sessionmaker[AsyncSession], settings: Settings,
                 on_batch_applied: BatchHook | None = None, *, max_records: int = 500,
                 timeout_ms: int = 200, max_backoff: float = 10.0,
                 after_commit: Callable[[], None] | None = None) -> None:
        """``after_commit`` runs after each batch that applied events (the service's outbox relay: handlers may
        have queued events of their own)."""
        self.name, self._handlers, self._sessions, self._settings = name, handlers, session_factory, settings
        self._base_topics = topics
        self._topics = [settings.topic(t) for t in topics]
        self._on_batch_applied, self._max_records, self._timeout_ms = on_batch_applied, max_records, timeout_ms
        self._max_backoff, self._after_commit = max_backoff, after_commit
        self._consumer: AIOKafkaConsumer | None = None
        self.batch_lock = asyncio.Lock()

    async def run(self) -> None:
        """Forever: (re)connect and consume; failures back off exponentially and replay from stored offsets."""
        backoff = 0.1
        while True:
            try:
                await self._consume()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("consumer_retry", consumer=self.name, error=repr(exc), backoff=backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self._max_backoff)

    async def _consume(self) -> None:
        await ensure_topics(self._settings, set(self._base_topics))
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._settings.kafka_bootstrap, group_id=self._settings.consumer_group(self.name),
            enable_auto_commit=False,
            isolation_level="read_committed", auto_offset_reset="earliest", max_poll_records=self._max_records,
        )
        await consumer.start()
        self._consumer = consumer
        try:
            consumer.subscribe(self._topics, listener=_SeekToStoredOffsets(self))
            backoff = 0.1
            while True:
                batch = await consumer.getmany(timeout_ms=self._timeout_ms, max_records=self._max_records)
                if not batch:
                    continue
                try:
                    async with self.batch_lock:
                        applied = await self.apply_batch(batch)
                except Exception as exc:
                    if not is_transient(exc):
                        raise
                    log.warning("consumer_batch_retry", consumer=self.name, error=repr(exc), backoff=backoff)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, self._max_backoff)
                    await self.seek_to_stored(consumer.assignment())
                    continue
                backoff = 0.1
                self._record_lag(consumer, batch)
                if self._on_batch_applied is not None and applied:
                    await self._on_batch_applied(self._sessions, applied)
                if applied and self._after_commit is not None:
                    self._after_commit()
        finally:
            self._consumer = None
            await consumer.stop()

    async def seek_to_stored(self, partitions: Iterable[TopicPartition]) -> None:
        """Position each partition at the offset our database says comes next (or the beginning)."""
        partitions = list(partitions)
        if not partitions or self._consumer is None:
            return
        async with self._sessions() as session:
            stored = await self._stored_offsets(session, partitions)
        for tp in partitions:
            if tp in stored:
                self._consumer.seek(tp, stored[tp])
            else:
                await self._consumer.seek_to_beginning(tp)

    async def apply_batch(self, batch: dict[TopicPartition, list]) -> list[CloudEvent]:
        """One transaction: effects, processed ids, dead letters and next offsets commit together.

        The stored offsets are locked and records below them skipped: a batch fetched before a
        rebalance, or by a second member that briefly holds the same partition, is never applied twice.
        """
        applied: list[CloudEvent] = []
        async with self._sessions() as session, session.begin():
            stored = await self._stored_offsets(session, batch.keys(), lock=True)
            batch = {tp: [r for r in recs if r.offset >= stored.get(tp, 0)] for tp, recs in batch.items()}
            batch = {tp: recs for tp, recs in batch.items() if recs}
            if not batch:
                return applied
            seen = await self._already_processed(session, batch)
            for records in batch.values():
                for record in records:
                    event = await self._apply_record(session, record, seen)
                    if event is not None:
                        applied.append(event)
            await self._store_offsets(session, batch)
        return applied

    async def _stored_offsets(self, session: AsyncSession, partitions, lock: bool = False) -> dict[TopicPartition, int]:
        t = consumer_offsets_table
        query = select(t.c.topic, t.c.partition, t.c.next_offset).where(
            t.c.consumer == self.name,
            tuple_(t.c.topic, t.c.partition).in_([(tp.topic, tp.partition) for tp in partitions]))
        rows = (await session.execute(query.with_for_update() if lock else query)).all()
        return {TopicPartition(r.topic, r.partition): r.next_offset for r in rows}

    async def _already_processed(self, session: AsyncSession, batch) -> set[str]:
        ids = {v.decode() for records in batch.values() for r in records for k, v in (r.headers or ()) if k == "ce_id"}
        if not ids:
            return set()
        t = processed_events_table
        result = await session.scalars(select(t.c.event_id).where(t.c.consumer == self.name, t.c.event_id.in_(ids)))
        return set(result)

    async def _apply_record(self, session: AsyncSession, record, seen: set[str]) -> CloudEvent | None:
        try:
            event = CloudEvent.from_kafka(record)
        except (EnvelopeError, ValidationError, UnicodeDecodeError) as exc:
            await self._dead_letter(session, record, None, f"malformed envelope: {exc}")
            return None
        if event.id in seen:
            return None
        seen.add(event.id)
        with correlation_scope(event.correlationid):
            outcome = await self._handle(session, record, event)
        await session.execute(insert(processed_events_table).values(consumer=self.name, event_id=event.id))
        return event if outcome else None

    async def _handle(self, session: AsyncSession, record, event: CloudEvent) -> bool:
        handler = self._handlers.get(event.type)
        if handler is None:
            return False
        try:
            data = lookup(event.type).model_validate(event.data)
        except UnknownEventType:
            return False
        except ValidationError as exc:
            await self._dead_letter(session, record, event, f"invalid data: {exc}")
            return False
        try:
            async with session.begin_nested():
                await handler(session, event, data)
        except Exception as exc:
            if is_transient(exc):
                raise
            log.warning("event_dead_lettered", consumer=self.name, event_id=event.id, type=event.type, error=repr(exc))
            await self._dead_letter(session, record, event, f"{type(exc).__name__}: {exc}")
            return False
        EVENTS_APPLIED.labels(self.name, event.type).inc()
        return True

    async def _dead_letter(self, session: AsyncSession, record, event: CloudEvent | None, reason: str) -> None:
        headers = {k: v.decode(errors="replace") for k, v in (record.headers or ())}
        await session.execute(insert(dead_letters_table).values(
            consumer=self.name, topic=record.topic, partition=record.partition, offset=record.offset,
            event_id=event.id if event else headers.get("ce_id"), event_type=event.type if event else headers.get("ce_type"),
            headers=headers, payload=_payload_json(record.value), reason=reason[:4000],
        ))
        EVENTS_DEAD_LETTERED.labels(self.name).inc()

    async def _store_offsets(self, session: AsyncSession, batch) -> None:
        rows = [{"consumer": self.name, "topic": tp.topic, "partition": tp.partition, "next_offset": recs[-1].offset + 1}
                for tp, recs in batch.items() if recs]
        stmt = pg_insert(consumer_offsets_table).values(rows)
        await session.execute(stmt.on_conflict_do_update(
            index_elements=["consumer", "topic", "partition"],
            set_={"next_offset": stmt.excluded.next_offset, "updated_at": stmt.excluded.updated_at}))

    def _record_lag(self, consumer: AIOKafkaConsumer, batch) -> None:
        for tp, records in batch.items():
            highwater = consumer.highwater(tp)
            if highwater is not None and records:
                CONSUMER_LAG.labels(self.name, tp.topic, str(tp.partition)).set(max(highwater - records[-1].offset - 1, 0))

def _payload_json(value: bytes | None):
    if value is None:
        return None
    try:
        return json.loads(value)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {"raw": value.decode(errors="replace")}
