"""Transactional outbox: events are rows written with the state change, published later by a relay.

Publishing never happens inside a request, so losing the broker never loses an event or blocks
a caller. The relay publishes rows in id order and marks them; a failed batch is resent from
its first unpublished row (duplicates are possible, consumers dedupe on the event id).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import orjson
import structlog
from aiokafka import AIOKafkaProducer
from pydantic_core import to_jsonable_python
from sqlalchemy import Text, cast, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from medfund_shared import bulk
from medfund_shared.db import outbox_table
from medfund_shared.events.base import EventData
from medfund_shared.events.envelope import CONTENT_TYPE, CloudEvent
from medfund_shared.events.registry import all_types
from medfund_shared.events.schema import dataschema_uri
from medfund_shared.kafka import ensure_topics
from medfund_shared.logging import get_correlation_id
from medfund_shared.metrics import OUTBOX_PENDING, OUTBOX_PUBLISHED
from medfund_shared.settings import Settings
from medfund_shared.tracing import current_traceparent

log = structlog.get_logger(__name__)
RELAY_LOCK_KEY = 7_310_002
"""Advisory lock id; advisory locks are per database and each service has its own database."""
_STILL_OWNED = text("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
                    "AND granted AND classid = 0 AND objid = :k AND objsubid = 1)").bindparams(k=RELAY_LOCK_KEY)
"""Whether this connection still holds the relay's lock (a bigint key below 2**32: classid 0, objsubid 1)."""


PRODUCE_BATCH_BYTES = 512 * 1024
"""The producer's batch per partition (aiokafka's default, 16 KiB, is about fifteen events: a produce request per
handful of rows); below the broker's 1 MiB message limit."""
PRODUCE_LINGER_MS = 5


class RelayLockLost(RuntimeError):
    """The relay's lock connection no longer holds the lock: another instance may be publishing."""


def new_event(data: EventData, *, source: str, effective_time: datetime, subject: str | None = None) -> CloudEvent:
    """The envelope of ``data``: recorded now, effective at the business time the caller gives.

    It carries the correlation id and the trace of the request, consumed event or background job run
    (:func:`medfund_shared.tracing.job_scope`) it comes from, and the URI of its data's schema."""
    return CloudEvent(
        source=source, type=data.event_type, subject=subject if subject is not None else data.subject(),
        time=datetime.now(UTC), effectivetime=effective_time,
        correlationid=get_correlation_id(), partitionkey=data.partition_key(),
        dataschema=dataschema_uri(data.event_type), traceparent=current_traceparent(),
        data=data.model_dump(mode="json"),
    )


def _row(event: CloudEvent, data: EventData) -> dict:
    return {"event_id": event.id, "topic": data.topic, "key": event.partitionkey, "type": event.type,
            "envelope": event.model_dump(mode="json", exclude={"data"}), "payload": event.data}


def outbox_row(data: EventData, *, source: str, effective_time: datetime,
               subject: str | None = None) -> tuple[dict, CloudEvent]:
    """The outbox row queueing ``data``, and its envelope: for a caller writing it in a statement of its own."""
    event = new_event(data, source=source, effective_time=effective_time, subject=subject)
    return _row(event, data), event


async def add(session: AsyncSession, data: EventData, *, source: str, effective_time: datetime,
              subject: str | None = None) -> CloudEvent:
    """Queue ``data`` for publication in the caller's transaction; returns the envelope (its id)."""
    row, event = outbox_row(data, source=source, effective_time=effective_time, subject=subject)
    await session.execute(insert(outbox_table).values(**row))
    return event


_COPIED = ("event_id", "topic", "key", "type", "envelope", "payload")
"""The columns a bulk write copies, in the order of the records :func:`bulk_rows` gives."""


def bulk_rows(events: Sequence[tuple[EventData, datetime]], *, source: str) -> list[tuple[str, ...]]:
    """The outbox records (``_COPIED`` order, envelope and payload as JSON text) of ``(data, effective time)``
    pairs, in order: the envelope :func:`new_event` would validate, written as its ``model_dump(mode="json")``
    would be, without a model per event (a tax file chunk queues thousands; the time is one per call)."""
    common = {"source": source, "time": to_jsonable_python(datetime.now(UTC)),
              "correlationid": get_correlation_id(), "traceparent": current_traceparent()}
    records = []
    for data, effective_time in events:
        if effective_time.utcoffset() is None:
            raise ValueError("an event's effective time must carry a UTC offset")
        event_id, key = str(uuid.uuid4()), data.partition_key()
        envelope = {"id": event_id, "source": source, "type": data.event_type, "subject": data.subject(),
                    "time": common["time"], "effectivetime": to_jsonable_python(effective_time),
                    "correlationid": common["correlationid"], "partitionkey": key,
                    "dataschema": dataschema_uri(data.event_type), "traceparent": common["traceparent"],
                    "datacontenttype": CONTENT_TYPE}
        records.append((event_id, data.topic, key, data.event_type, orjson.dumps(envelope).decode(),
                        data.model_dump_json()))
    return records


async def add_many(session: AsyncSession, events: Sequence[tuple[EventData, datetime]], *,
                   source: str) -> list[str]:
    """Queue ``(data, effective time)`` pairs with one ``COPY``, in order (bulk files emit thousands); returns
    their event ids."""
    records = bulk_rows(events, source=source)
    if records:
        await bulk.copy_records(session, outbox_table, _COPIED, records)
    return [record[0] for record in records]


class OutboxRelay:
    """Background publisher of one service's outbox; one active relay per database (advisory lock)."""

    def __init__(self, settings: Settings, session_factory: async_sessionmaker[AsyncSession], *,
                 batch_size: int | None = None, batch_window: float | None = None) -> None:
        """Commits in this process wake the relay (:meth:`notify`); ``outbox_poll_seconds`` only bounds how late
        rows written elsewhere (another worker, a migration) are seen, so polling costs nothing much at idle.
        The batch size and window come from settings (``outbox_batch_rows``, ``outbox_batch_window_seconds``);
        the keywords override them for one relay (a test that keeps its relay busy with small batches)."""
        self._settings, self._sessions = settings, session_factory
        self._batch_size = batch_size if batch_size is not None else settings.outbox_batch_rows
        self._batch_window = batch_window if batch_window is not None else settings.outbox_batch_window_seconds
        self._poll, self._max_backoff = settings.outbox_poll_seconds, settings.outbox_max_backoff_seconds
        self._wakeup = asyncio.Event()
        self.holds_lock = False

    def notify(self) -> None:
        """Publish soon: called after a commit that added outbox rows."""
        self._wakeup.set()

    async def run(self) -> None:
        """Forever: take the lock, publish; on any failure back off and start over."""
        backoff = 0.1
        while True:
            try:
                await self._run_with_lock()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("outbox_relay_retry", error=repr(exc), backoff=backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self._max_backoff)
            else:
                backoff = 0.1

    async def _run_with_lock(self) -> None:
        engine = self._sessions.kw["bind"]
        async with engine.connect() as lock_conn:
            await lock_conn.execution_options(isolation_level="AUTOCOMMIT")
            while not await lock_conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": RELAY_LOCK_KEY}):
                await lock_conn.commit()
                await asyncio.sleep(1.0)
            await lock_conn.commit()
            self.holds_lock = True
            try:
                await ensure_topics(self._settings, {m.topic for m in all_types().values()})
                await self._publish_forever(lock_conn)
            finally:
                self.holds_lock = False
                await lock_conn.invalidate()

    async def _publish_forever(self, lock_conn) -> None:
        producer = AIOKafkaProducer(bootstrap_servers=self._settings.kafka_bootstrap, enable_idempotence=True,
                                    acks="all", linger_ms=PRODUCE_LINGER_MS,
                                    max_batch_size=PRODUCE_BATCH_BYTES, request_timeout_ms=10_000)
        await producer.start()
        try:
            idle = 0.0
            while True:
                started = time.monotonic()
                await self._check_lock(lock_conn)
                if await self.publish_batch(producer):
                    idle = 0.0
                    await asyncio.sleep(max(0.0, started + self._batch_window - time.monotonic()))
                    continue
                idle += self._poll
                if idle >= 1.0:
                    await self._report_pending(lock_conn)
                    idle = 0.0
                try:
                    await asyncio.wait_for(self._wakeup.wait(), self._poll)
                except TimeoutError:
                    pass
                self._wakeup.clear()
        finally:
            await producer.stop()

    async def publish_batch(self, producer: AIOKafkaProducer) -> int:
        """Send the oldest unpublished rows, wait for every acknowledgement, then mark them. The JSONB columns are
        read as text and parsed with orjson (the driver's codec parses with the standard library's ``json``)."""
        async with self._sessions() as session:
            rows = (await session.execute(
                select(outbox_table.c.id, outbox_table.c.topic, cast(outbox_table.c.envelope, Text).label("envelope"),
                       cast(outbox_table.c.payload, Text).label("payload"))
                .where(outbox_table.c.published_at.is_(None)).order_by(outbox_table.c.id).limit(self._batch_size)
            )).all()
            if not rows:
                return 0
            deliveries = []
            for row in rows:
                key, value, headers = CloudEvent.stored_to_kafka(orjson.loads(row.envelope),
                                                                  orjson.loads(row.payload))
                deliveries.append(await producer.send(self._settings.topic(row.topic), value, key=key, headers=headers))
            await asyncio.wait_for(asyncio.gather(*deliveries), timeout=30)
            sent = bulk.any_of([r.id for r in rows], bulk.BIGINT)
            await session.execute(update(outbox_table).where(outbox_table.c.id == sent).values(published_at=func.now()))
            await session.commit()
        OUTBOX_PUBLISHED.labels(self._settings.service_name).inc(len(rows))
        return len(rows)

    @staticmethod
    async def _check_lock(lock_conn) -> None:
        """Before each batch: a relay whose lock connection was lost (killed, timed out) while the process lives
        would otherwise keep publishing beside the instance that took the lock over."""
        if not await lock_conn.scalar(_STILL_OWNED):
            raise RelayLockLost("the outbox relay no longer holds its advisory lock")

    async def _report_pending(self, lock_conn) -> None:
        """When idle, about once a second: the backlog gauge, and a keep-alive of the lock's connection.

        Counting after every batch made publishing slower as the backlog grew."""
        pending = await lock_conn.scalar(select(func.count()).select_from(outbox_table)
                                         .where(outbox_table.c.published_at.is_(None)))
        await lock_conn.commit()
        OUTBOX_PENDING.labels(self._settings.service_name).set(pending)
