"""Collects a file chunk's events and queues them in one statement with ``outbox.add_many``: one
INSERT per event (``outbox.add``) would cost a round trip each. Order is the order of ``add``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from medfund_shared import outbox
from medfund_shared.events.base import EventData


class OutboxBatch:
    """``add`` has the signature of ``outbox.add`` (so use cases can take either); ``flush`` writes."""

    def __init__(self) -> None:
        self._events: list[tuple[EventData, datetime]] = []
        self._source: str | None = None

    async def add(self, session: AsyncSession, data: EventData, *, source: str, effective_time: datetime) -> None:
        if self._source not in (None, source):
            raise ValueError("one batch queues the events of one source")
        self._source = source
        self._events.append((data, effective_time))

    async def flush(self, session: AsyncSession) -> None:
        if self._events:
            await outbox.add_many(session, self._events, source=self._source)
            self._events = []
