"""Many outbox rows in one statement, for the bulk import.

``medfund_shared.outbox.add`` writes one row per round trip; a chunk of a bulk file emits a few
thousand events, so this builds the very same rows (same envelope, same columns) and inserts them
together. Rows keep their list order in the outbox, which is the order the relay publishes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_shared.db import outbox_table
from medfund_shared.events.base import EventData
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.logging import get_correlation_id


def outbox_row(data: EventData, *, source: str, effective_time: datetime) -> dict:
    """The outbox row ``outbox.add`` would write for ``data``."""
    event = CloudEvent(
        source=source, type=data.event_type, subject=data.subject(), time=datetime.now(UTC),
        effectivetime=effective_time, correlationid=get_correlation_id(), partitionkey=data.partition_key(),
        data=data.model_dump(mode="json"),
    )
    return {"event_id": event.id, "topic": data.topic, "key": event.partitionkey, "type": event.type,
            "envelope": event.model_dump(mode="json", exclude={"data"}), "payload": event.data}


async def add_all(session: AsyncSession, events: Sequence[tuple[EventData, datetime]], *, source: str) -> None:
    """Queue ``(data, effective time)`` pairs in the caller's transaction, in order."""
    if events:
        await session.execute(insert(outbox_table), [
            outbox_row(data, source=source, effective_time=at) for data, at in events])
