"""Consumer runner: exactly-once effects by storing offsets in the same transaction as the effects.

Per batch, one database transaction applies every new event, records the ids in ``processed_events``,
parks poison events in ``dead_letters`` and stores the next offsets. On assignment the consumer
seeks to the stored offsets, so Kafka's committed offsets are never used; a crash anywhere
replays from the last committed transaction.

Events of a type with a per-event handler are applied each in a SAVEPOINT. Types a
:class:`BatchHandler` declares are applied together, in one SAVEPOINT and one call, so a
projection can write a whole batch in a few statements; when that call fails the events are
applied again one by one, so a poison event still parks only itself.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

import msgspec
import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from pydantic import ValidationError
from sqlalchemy import Text, bindparam, func, insert, literal, select, tuple_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from medfund_shared.db import consumer_offsets_table, dead_letters_table, processed_events_table
from medfund_shared.errors import is_transient
from medfund_shared.events import fast_decode as fast_decode_module
from medfund_shared.events.base import EventData
from medfund_shared.events.envelope import SPEC_VERSION, CloudEvent, EnvelopeError
from medfund_shared.events.registry import UnknownEventType, lookup
from medfund_shared.kafka import ensure_topics
from medfund_shared.logging import correlation_scope
from medfund_shared.metrics import CONSUMER_LAG, EVENTS_APPLIED, EVENTS_DEAD_LETTERED
from medfund_shared.settings import Settings
from medfund_shared.tracing import trace_scope

log = structlog.get_logger(__name__)
SPEC_VERSION_BYTES = SPEC_VERSION.encode()
BATCH_BYTES = 256 * 1024
"""A fetch returns at once when this much has gathered (a few hundred events), else after the batch window."""

Handler = Callable[[AsyncSession, CloudEvent, EventData], Awaitable[None]]
ApplyMany = Callable[[AsyncSession, list[tuple[CloudEvent, EventData]]], Awaitable[None]]
BatchHook = Callable[[async_sessionmaker[AsyncSession], list[CloudEvent]], Awaitable[None]]
InBatchHook = Callable[[AsyncSession, list[CloudEvent]], Awaitable[None]]


@dataclass(frozen=True)
class BatchHandler:
    """Applies many events of ``types`` in one call; the same rules as a handler (never commit, raise to refuse).

    ``apply_many`` gets the events in record order within each partition. It must give the same
    effects whether called once for a batch or once per event: that is how a failed batch is retried.
    """

    types: frozenset[str]
    apply_many: ApplyMany


@dataclass(frozen=True)
class ConsumerSpec:
    """What a service declares; the app factory turns it into a running :class:`ConsumerRunner`."""

    name: str
    topics: list[str]
    handlers: dict[str, Handler]
    on_batch_applied: BatchHook | None = None
    in_batch: InBatchHook | None = None
    """Runs inside the batch's transaction, after its events applied: see :class:`ConsumerRunner`."""
    batch_handler: BatchHandler | None = None
    batch_window: float | None = None
    """For a consumer of heavy traffic: see :class:`ConsumerRunner`."""
    fast_decode: bool = False
    """Decode without a pydantic model per event: see :class:`ConsumerRunner`."""
    max_records: int = 500
    """Records applied in one transaction at most (a backlog's batch; at low rates a fetch returns fewer)."""


@dataclass
class _Phase:
    """Events applied together, then events applied one by one (see :meth:`ConsumerRunner._phases`)."""

    together: list[_Work] = field(default_factory=list)
    one_by_one: list[_Work] = field(default_factory=list)


@dataclass(frozen=True)
class _Work:
    record: object
    event: CloudEvent
    data: EventData


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
    """Consumes ``topics`` (base names) as group ``name`` and applies ``handlers`` (and ``batch_handler``) by type."""

    def __init__(self, name: str, topics: list[str], handlers: dict[str, Handler],
                 session_factory: async_sessionmaker[AsyncSession], settings: Settings,
                 on_batch_applied: BatchHook | None = None, *, batch_handler: BatchHandler | None = None,
                 max_records: int = 500, timeout_ms: int = 200, max_backoff: float = 10.0,
                 after_commit: Callable[[], None] | None = None, batch_window: float | None = None,
                 fast_decode: bool = False, in_batch: InBatchHook | None = None) -> None:
        """``in_batch`` runs in the batch's transaction once its events are applied (given them, in record order),
        so what it writes commits with them and the offsets; it must not commit, and what it raises fails the batch
        like a handler's error. ``on_batch_applied`` runs after the commit. ``after_commit`` runs after each batch
        that applied events (the service's outbox relay: handlers may have queued events of their own). With
        ``batch_window`` the broker holds each fetch until ``BATCH_BYTES`` have gathered or that many seconds have
        passed: under load batches grow and each event's share of a transaction shrinks, while an event arriving
        at idle waits at most that long (and an idle consumer asks that often). Without it a fetch returns as soon
        as anything arrives. With ``fast_decode`` handlers get the envelope and data as the msgspec Structs of
        :mod:`medfund_shared.events.fast_decode` (the same attributes, the same refusals, a fraction of the CPU)
        instead of validated pydantic models."""
        both = batch_handler.types & handlers.keys() if batch_handler is not None else set()
        if both:
            raise ValueError(f"types with both a handler and a batch handler: {sorted(both)}")
        self.name, self._handlers, self._sessions, self._settings = name, handlers, session_factory, settings
        self._batch_handler = batch_handler
        self._batch_types = batch_handler.types if batch_handler is not None else frozenset()
        self._base_topics = topics
        self._topics = [settings.topic(t) for t in topics]
        self._on_batch_applied, self._max_records, self._timeout_ms = on_batch_applied, max_records, timeout_ms
        self._in_batch = in_batch
        self._max_backoff, self._after_commit, self._batch_window = max_backoff, after_commit, batch_window
        self._envelope_of = fast_decode_module.envelope_of if fast_decode else CloudEvent.from_kafka
        self._data_of = fast_decode_module.data_of if fast_decode else _validated_data
        self._consumer: AIOKafkaConsumer | None = None
        self.batch_lock = asyncio.Lock()
        EVENTS_DEAD_LETTERED.labels(name)  # exposed as 0 from the start, so a rate of it is defined

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
            **({"fetch_min_bytes": BATCH_BYTES, "fetch_max_wait_ms": round(self._batch_window * 1000)}
               if self._batch_window else {}),
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
        Returns the events applied, in record order.
        """
        async with self._sessions() as session, session.begin():
            stored = await self._stored_offsets(session, batch.keys(), lock=True)
            batch = {tp: [r for r in recs if r.offset >= stored.get(tp, 0)] for tp, recs in batch.items()}
            batch = {tp: recs for tp, recs in batch.items() if recs}
            if not batch:
                return []
            marked = [[(record, self._ignored_id(record)) for record in records] for records in batch.values()]
            seen = await self._already_processed(session, [r for part in marked for r, ignored_id in part
                                                           if ignored_id is None])
            processed: list[CloudEvent] = []
            ignored: list[str] = []
            work = [[item for record, ignored_id in part
                     if (item := await self._parse(session, record, ignored_id, seen, processed, ignored)) is not None]
                    for part in marked]
            applied: set[str] = set()
            for phase in self._phases(work):
                applied |= await self._apply_together(session, phase.together)
                for item in phase.one_by_one:
                    if await self._apply_one(session, item):
                        applied.add(item.event.id)
            if self._in_batch is not None and applied:
                await self._in_batch(session, [event for event in processed if event.id in applied])
            await self._mark_processed(session, [event.id for event in processed] + ignored)
            await self._store_offsets(session, batch)
        return [event for event in processed if event.id in applied]

    async def _stored_offsets(self, session: AsyncSession, partitions, lock: bool = False) -> dict[TopicPartition, int]:
        t = consumer_offsets_table
        query = select(t.c.topic, t.c.partition, t.c.next_offset).where(
            t.c.consumer == self.name,
            tuple_(t.c.topic, t.c.partition).in_([(tp.topic, tp.partition) for tp in partitions]))
        rows = (await session.execute(query.with_for_update() if lock else query)).all()
        return {TopicPartition(r.topic, r.partition): r.next_offset for r in rows}

    async def _already_processed(self, session: AsyncSession, records: list) -> set[str]:
        """Which of ``records`` were applied before: a join with their ids, where the planner probes the index or
        hashes (``IN`` / ``= ANY`` compared every row with every id when the table's statistics were stale, a
        fresh rebuild). Records of types no handler here wants are not passed: nothing of theirs is applied, and
        recording one seen before changes nothing (:meth:`_mark_processed`)."""
        ids = {v.decode() for r in records for k, v in (r.headers or ()) if k == "ce_id"}
        if not ids:
            return set()
        t = processed_events_table
        ids_array = bindparam("event_ids", sorted(ids), type_=ARRAY(Text))
        batch_ids = func.unnest(ids_array).table_valued("event_id").render_derived()
        result = await session.scalars(select(t.c.event_id).join(batch_ids, batch_ids.c.event_id == t.c.event_id)
                                       .where(t.c.consumer == self.name))
        return set(result)

    async def _parse(self, session: AsyncSession, record, ignored_id: str | None, seen: set[str],
                     processed: list[CloudEvent], ignored: list[str]) -> _Work | None:
        """The record's event and data when a handler wants it; malformed records and invalid data are parked.

        Every well-formed event not seen before counts as processed, whether it is applied, parked or of a type
        this consumer ignores. An event of a type it ignores is known by its headers alone (``ignored_id``, from
        :meth:`_ignored_id`; added to ``ignored``): a consumer of a busy topic that wants few of its types
        (adjudication and enrollment on billing's, a tax file's million payments) builds no envelope it would
        throw away.
        """
        if ignored_id is not None:
            if ignored_id not in seen:
                seen.add(ignored_id)
                ignored.append(ignored_id)
            return None
        try:
            event = self._envelope_of(record)
        except (EnvelopeError, ValidationError, msgspec.ValidationError, UnicodeDecodeError) as exc:
            await self._dead_letter(session, record, None, f"malformed envelope: {exc}")
            return None
        if event.id in seen:
            return None
        seen.add(event.id)
        processed.append(event)
        if event.type not in self._handlers and event.type not in self._batch_types:
            return None
        try:
            data = self._data_of(event.type, event.data)
        except UnknownEventType:
            return None
        except (ValidationError, msgspec.ValidationError) as exc:
            await self._dead_letter(session, record, event, f"invalid data: {exc}")
            return None
        return _Work(record, event, data)

    def _phases(self, work: list[list[_Work]]) -> list[_Phase]:
        """Per partition (a list in record order), an event applied one by one comes after the batchable events
        before it and before those after it; partitions are independent, so their k-th phases run together."""
        phases: list[_Phase] = []
        for items in work:
            index, after_single = 0, False
            for item in items:
                together = item.event.type in self._batch_types
                if together and after_single:
                    index, after_single = index + 1, False
                after_single = after_single or not together
                while len(phases) <= index:
                    phases.append(_Phase())
                (phases[index].together if together else phases[index].one_by_one).append(item)
        return phases

    async def _apply_together(self, session: AsyncSession, items: list[_Work]) -> set[str]:
        """All ``items`` in one SAVEPOINT; if that fails (not transiently), each in its own. Returns the applied ids."""
        if not items:
            return set()
        try:
            async with session.begin_nested():
                await self._batch_handler.apply_many(session, [(item.event, item.data) for item in items])
        except Exception as exc:
            if is_transient(exc):
                raise
            log.info("batch_applied_one_by_one", consumer=self.name, events=len(items), error=repr(exc))
            return {item.event.id for item in items if await self._apply_one(session, item)}
        for event_type, count in Counter(item.event.type for item in items).items():
            EVENTS_APPLIED.labels(self.name, event_type).inc(count)
        return {item.event.id for item in items}

    async def _apply_one(self, session: AsyncSession, item: _Work) -> bool:
        """One event in its own SAVEPOINT; an error other than a transient one parks it in the dead letters."""
        event = item.event
        with correlation_scope(event.correlationid), trace_scope(event.traceparent):
            try:
                async with session.begin_nested():
                    if event.type in self._batch_types:
                        await self._batch_handler.apply_many(session, [(event, item.data)])
                    else:
                        await self._handlers[event.type](session, event, item.data)
            except Exception as exc:
                if is_transient(exc):
                    raise
                log.warning("event_dead_lettered", consumer=self.name, event_id=event.id, type=event.type,
                            error=repr(exc))
                await self._dead_letter(session, item.record, event, f"{type(exc).__name__}: {exc}")
                return False
        EVENTS_APPLIED.labels(self.name, event.type).inc()
        return True

    def _ignored_id(self, record) -> str | None:
        """The event id of a record whose CloudEvents headers name a type no handler here wants; None otherwise
        (those go through the envelope's full checks)."""
        headers = dict(record.headers or ())
        event_type, event_id = headers.get("ce_type"), headers.get("ce_id")
        if (event_type is None or event_id is None or headers.get("ce_specversion") != SPEC_VERSION_BYTES
                or (event_type := event_type.decode(errors="replace")) in self._handlers
                or event_type in self._batch_types):
            return None
        return event_id.decode(errors="replace")

    async def _mark_processed(self, session: AsyncSession, event_ids: list[str]) -> None:
        """One statement for the whole batch (an array of ids: the same prepared statement whatever the size); an
        ignored event delivered again is already there."""
        if not event_ids:
            return
        ids = bindparam("event_ids", event_ids, type_=ARRAY(Text))
        t = processed_events_table
        await session.execute(pg_insert(t).from_select([t.c.consumer, t.c.event_id],
                                                       select(literal(self.name, Text), func.unnest(ids)))
                              .on_conflict_do_nothing())

    async def _dead_letter(self, session: AsyncSession, record, event: CloudEvent | None, reason: str) -> None:
        headers = {k: v.decode(errors="replace") for k, v in (record.headers or ())}
        await session.execute(insert(dead_letters_table).values(
            consumer=self.name, topic=record.topic, partition=record.partition, offset=record.offset,
            event_id=event.id if event else headers.get("ce_id"),
            event_type=event.type if event else headers.get("ce_type"),
            headers=headers, payload=_payload_json(record.value), reason=reason[:4000],
        ))
        EVENTS_DEAD_LETTERED.labels(self.name).inc()

    async def _store_offsets(self, session: AsyncSession, batch) -> None:
        rows = [{"consumer": self.name, "topic": tp.topic, "partition": tp.partition,
                 "next_offset": recs[-1].offset + 1} for tp, recs in batch.items() if recs]
        stmt = pg_insert(consumer_offsets_table).values(rows)
        await session.execute(stmt.on_conflict_do_update(
            index_elements=["consumer", "topic", "partition"],
            set_={"next_offset": stmt.excluded.next_offset, "updated_at": stmt.excluded.updated_at}))

    def _record_lag(self, consumer: AIOKafkaConsumer, batch) -> None:
        for tp, records in batch.items():
            highwater = consumer.highwater(tp)
            if highwater is not None and records:
                lag = max(highwater - records[-1].offset - 1, 0)
                CONSUMER_LAG.labels(self.name, tp.topic, str(tp.partition)).set(lag)


def _validated_data(event_type: str, data: dict) -> EventData:
    return lookup(event_type).model_validate(data)


def _payload_json(value: bytes | None):
    if value is None:
        return None
    try:
        return json.loads(value)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {"raw": value.decode(errors="replace")}
