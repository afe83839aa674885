"""Outbox rows for many events in one statement: a file chunk produces thousands of events, and
one INSERT per event (``outbox.add``) would cost a round trip each. The rows are exactly what
``outbox.add`` writes, in the order the events were added (``unnest`` keeps the arrays' order and
the ids are drawn in that order)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from medfund_billing.adapters import bulk
from medfund_shared.events.base import EventData
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.logging import get_correlation_id

COLUMNS = ("event_id", "topic", "key", "type", "envelope", "payload")
INSERT = bulk.statement(
    "INSERT INTO outbox (event_id, topic, key, type, envelope, payload) "
    "SELECT event_id::uuid, topic, key, type, envelope::jsonb, payload::jsonb "
    "FROM unnest(:event_id, :topic, :key, :type, :envelope, :payload) WITH ORDINALITY "
    "AS r(event_id, topic, key, type, envelope, payload, n) ORDER BY n",
    dict.fromkeys(COLUMNS, bulk.TEXT))


class OutboxBatch:
    """Collects events with ``add`` (same signature as ``outbox.add``); ``flush`` writes them."""

    def __init__(self) -> None:
        self._rows: list[dict] = []

    async def add(self, session: AsyncSession, data: EventData, *, source: str, effective_time: datetime) -> None:
        event = CloudEvent(source=source, type=data.event_type, subject=data.subject(), time=datetime.now(UTC),
                           effectivetime=effective_time, correlationid=get_correlation_id(),
                           partitionkey=data.partition_key(), data=data.model_dump(mode="json"))
        self._rows.append({"event_id": event.id, "topic": data.topic, "key": event.partitionkey, "type": event.type,
                           "envelope": json.dumps(event.model_dump(mode="json", exclude={"data"})),
                           "payload": json.dumps(event.data)})

    async def flush(self, session: AsyncSession) -> None:
        if self._rows:
            await bulk.execute(session, INSERT, self._rows, COLUMNS)
            self._rows = []
