"""Use case: the ledger's dead-letter backlog and its consumer's lag (the broker's end offset less the next offset
the ledger will read, per partition)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from medfund_ledger.adapters import operations_query
from medfund_shared.settings import Settings


@dataclass(frozen=True)
class PartitionLag:
    consumer: str
    topic: str
    partition: int
    next_offset: int
    end_offset: int | None
    lag: int | None
    """None when the broker did not answer."""
    updated_at: object


@dataclass(frozen=True)
class OperationsView:
    dead_letters: list
    lag: list[PartitionLag]
    broker_answered: bool


async def operations(session: AsyncSession, settings: Settings) -> OperationsView:
    offsets = await operations_query.stored_offsets(session)
    ends = await operations_query.end_offsets(settings, sorted({(o.topic, o.partition) for o in offsets}))
    lag = []
    for o in offsets:
        end = None if ends is None else ends.get((o.topic, o.partition))
        lag.append(PartitionLag(o.consumer, o.topic, o.partition, o.next_offset, end,
                                None if end is None else max(end - o.next_offset, 0), o.updated_at))
    return OperationsView(await operations_query.dead_letter_backlog(session), lag, ends is not None)
