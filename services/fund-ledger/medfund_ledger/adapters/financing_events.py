"""Queues the transfers the packs' financing rules make due, as the ledger's own events.

Called in the consumer's batch transaction: the catastrophic premium of each cover activated in the
batch (given back when a refund withdraws the cover, financed again when it is restored:
:mod:`medfund_ledger.adapters.catastrophic_cover`), and the risk-reserve share of each income booked in it,
become ``TransferBooked`` events in the ledger's outbox. The ledger consumes its own topic and books each
like any other event, so the journal holds only what an event on a topic says, and a rebuild replays the
transfers themselves (docs/funding.md).
"""

from __future__ import annotations

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_ledger.adapters import catastrophic_cover, packs
from medfund_ledger.domain.financing import DueTransfer, catastrophic_financing, pooled_income, reserve_share
from medfund_ledger.domain.journal import Entry
from medfund_ledger.domain.pools import PoolKey
from medfund_shared import outbox
from medfund_shared.events import sources
from medfund_shared.events.base import EventData
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.events.types.ledger import TransferBooked

log = structlog.get_logger(__name__)


def _catastrophic(event: CloudEvent, data) -> DueTransfer | None:
    pack = packs.by_id(data.pack_id)
    if pack is None:
        log.warning("catastrophic_financing_without_pack", event_id=event.id, pack_id=data.pack_id)
        return None
    return catastrophic_financing(pack, data.admdvs, data.year, data.psn_no)


def _reserve(entry: Entry) -> list[DueTransfer]:
    due = []
    for pool_id, income in pooled_income(entry).items():
        key = PoolKey.parse(pool_id)
        pack = packs.of_pooled_fund(key.admdvs, key.fund_pay_type, key.year)
        if pack is not None and (transfer := reserve_share(pack, pool_id, income, entry.key)) is not None:
            due.append(transfer)
    return due


async def due_transfers(session: AsyncSession, coverage: list[tuple[CloudEvent, EventData]],
                        booked: list[tuple[CloudEvent, Entry]]) -> list[tuple[DueTransfer, CloudEvent]]:
    """Each transfer made due, with the event that made it due."""
    due = await catastrophic_cover.decide(session, coverage, _catastrophic)
    due += [(t, event) for event, entry in booked if entry.kind != "transfer" for t in _reserve(entry)]
    return due


async def queue(session: AsyncSession, coverage: list[tuple[CloudEvent, EventData]],
                booked: list[tuple[CloudEvent, Entry]]) -> None:
    due = await due_transfers(session, coverage, booked)
    await outbox.add_many(session, [(TransferBooked(
        transfer_id=t.transfer_id, reason=t.reason, from_pool_id=t.from_pool_id, to_pool_id=t.to_pool_id,
        amount=t.amount, effective_date=event.effectivetime.date(), cause_event_id=event.id,
    ), event.effectivetime) for t, event in due], source=sources.FUND_LEDGER)
