"""Use case: one settlement as the ledger holds it: its facts (and reversal) and the journal entries it booked."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from medfund_ledger.adapters import entry_query


class SettlementNotFound(LookupError):
    pass


@dataclass(frozen=True)
class SettlementView:
    setl_id: str
    facts: list
    entries: list


async def settlement(session: AsyncSession, setl_id: str) -> SettlementView:
    facts = await entry_query.facts_by_settlement(session, setl_id)
    if not facts:
        raise SettlementNotFound(setl_id)
    return SettlementView(setl_id, facts, await entry_query.entries_by_key(session, [f.event_id for f in facts]))
