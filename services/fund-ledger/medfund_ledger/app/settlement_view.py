"""Use case: one settlement as the ledger holds it: its facts (and reversal) and the journal entries it booked."""

from __future__ import annotations

from dataclasses import dataclass

from medfund_ledger.adapters.uow import LedgerUnitOfWork


class SettlementNotFound(LookupError):
    pass


@dataclass(frozen=True)
class SettlementQuery:
    setl_id: str


@dataclass(frozen=True)
class SettlementView:
    setl_id: str
    facts: list
    entries: list


async def settlement(query: SettlementQuery, uow: LedgerUnitOfWork) -> SettlementView:
    async with uow:
        facts = await uow.evidence.facts_of_settlement(query.setl_id)
        if not facts:
            raise SettlementNotFound(query.setl_id)
        return SettlementView(query.setl_id, facts, await uow.evidence.entries([f.event_id for f in facts]))
