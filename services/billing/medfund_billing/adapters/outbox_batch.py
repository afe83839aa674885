"""Outbox rows for many events in one statement: a file chunk produces thousands of events, and
one INSERT per event (``outbox.add``) would cost a round trip each. The rows are exactly what
``outbox.add`` writes, in the order the events were added."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_shared.db import outbox_table
from medfund_shared.events.base import EventData
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.logging import get_correlation_id


class OutboxBatch:
    """Collects events with ``add`` (same signature as ``outbox.add``); ``flush`` writes them."""

    def __init__(self) -> None:
        self._rows: list[dict] = []

    async def add(self, session: AsyncSession, data: EventData, *, source: str, effective_time: datetime) -> None:
        event = CloudEvent(source=source, type=data.event_type, subject=data.subject(), time=datetime.now(UTC),
                           effectivetime=effective_time, correlationid=get_correlation_id(),
                           partitionkey=data.partition_key(), data=data.model_dump(mode="json"))
        self._rows.append({"event_id": event.id, "topic": data.topic, "key": event.partitionkey, "type": event.type,
                           "envelope": event.model_dump(mode="json", exclude={"data"}), "payload": event.data})

    async def flush(self, session: AsyncSession) -> None:
        if self._rows:
            await session.execute(insert(outbox_table), self._rows)
            self._rows = []
