"""The catastrophic premium of each covered person-year, moved by the coverage events of a batch.

Activations, withdrawals (a suspension with reason ``premium_withdrawn``) and reinstatements are folded per
person-year in record order (:func:`medfund_ledger.domain.financing.catastrophic_step`) from the stored state,
locked; the state is written back in one statement. Enrollment keys these events by person, so one person's
come in its order on one partition.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession

from medfund_ledger.domain.financing import (
    ACTIVATED,
    RESTORED,
    WITHDRAWN,
    CatastrophicCover,
    DueTransfer,
    catastrophic_step,
)
from medfund_shared import bulk
from medfund_shared.events.base import EventData
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.events.types.enrollment import CoverageActivated, CoverageReinstated, CoverageSuspended
from medfund_shared.money import Money

CHANGES = {CoverageActivated.event_type: ACTIVATED,
           CoverageSuspended.event_type: WITHDRAWN,
           CoverageReinstated.event_type: RESTORED}
WITHDRAWAL_REASON = "premium_withdrawn"
Key = tuple[str, str, int]
KEY_COLUMNS = {"psn_no": bulk.TEXT, "insutype": bulk.TEXT, "year": bulk.INT}
LOCK = bulk.statement(
    "SELECT f.* FROM catastrophic_financing AS f JOIN unnest(:psn_no, :insutype, :year) AS k(psn_no, insutype, year) "
    "ON (f.psn_no, f.insutype, f.year) = (k.psn_no, k.insutype, k.year) "
    "ORDER BY f.psn_no, f.insutype, f.year FOR UPDATE OF f", KEY_COLUMNS)
SAVE_COLUMNS = KEY_COLUMNS | {"transfer_id": bulk.TEXT, "from_pool_id": bulk.TEXT, "to_pool_id": bulk.TEXT,
                              "amount": bulk.BIGINT, "financed": bulk.BOOL, "returns": bulk.INT}
SAVE = bulk.statement(
    "INSERT INTO catastrophic_financing (psn_no, insutype, year, transfer_id, from_pool_id, to_pool_id, amount, "
    "financed, returns) SELECT * FROM unnest(:psn_no, :insutype, :year, :transfer_id, :from_pool_id, :to_pool_id, "
    ":amount, :financed, :returns) ON CONFLICT (psn_no, insutype, year) "
    "DO UPDATE SET financed = excluded.financed, returns = excluded.returns", SAVE_COLUMNS)


def change_of(event: CloudEvent, data) -> str | None:
    """The change an event makes to the premium; None for a suspension for another reason than a refund."""
    change = CHANGES.get(event.type)
    if change == WITHDRAWN and data.reason != WITHDRAWAL_REASON:
        return None
    return change


async def decide(session: AsyncSession, items: list[tuple[CloudEvent, EventData]],
                 due_on_activation: Callable[[CloudEvent, EventData], DueTransfer | None]
                 ) -> list[tuple[DueTransfer, CloudEvent]]:
    """The transfers the coverage events ``items`` make due, in order, each with its event."""
    changes = [(event, data, change) for event, data in items if (change := change_of(event, data)) is not None]
    if not changes:
        return []
    keys = sorted({(data.psn_no, data.insutype, data.year) for _, data, _ in changes})
    rows = (await bulk.execute(session, LOCK, keys, tuple(KEY_COLUMNS))).all()
    state: dict[Key, CatastrophicCover | None] = {
        (r.psn_no, r.insutype, r.year): CatastrophicCover(
            DueTransfer(r.transfer_id, "catastrophic_financing", r.from_pool_id, r.to_pool_id, Money(r.amount)),
            r.financed, r.returns) for r in rows}
    due: list[tuple[DueTransfer, CloudEvent]] = []
    changed: set[Key] = set()
    for event, data, change in changes:
        key = (data.psn_no, data.insutype, data.year)
        before = state.get(key)
        after, transfer = catastrophic_step(before, change,
                                            due_on_activation(event, data) if change == ACTIVATED else None)
        if transfer is not None:
            due.append((transfer, event))
        if after != before:
            state[key], changed = after, changed | {key}
    saved = [(*key, c.first.transfer_id, c.first.from_pool_id, c.first.to_pool_id, c.first.amount.fen, c.financed,
              c.returns) for key in sorted(changed) if (c := state[key]) is not None]
    if saved:
        await bulk.execute(session, SAVE, saved, tuple(SAVE_COLUMNS))
    return due
