"""Coverage events (activated, suspended, terminated, reinstated) applied a batch at a time.

The changes are folded per person in record order (:mod:`medfund_ledger.domain.coverage`), then
written in at most two statements: one upsert of the activated rows, one update of the others.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from medfund_ledger.domain.coverage import CoverageChange, net_effect
from medfund_shared import bulk
from medfund_shared.events.base import EventData
from medfund_shared.events.envelope import CloudEvent
from medfund_shared.events.types.enrollment import (
    CoverageActivated,
    CoverageReinstated,
    CoverageSuspended,
    CoverageTerminated,
)

ACTIVE_AFTER = {CoverageActivated.event_type: True,
                CoverageSuspended.event_type: False,
                CoverageTerminated.event_type: False,
                CoverageReinstated.event_type: True}
ACTIVATED = CoverageActivated.event_type
UPSERT_COLUMNS = {"psn_no": bulk.TEXT, "insutype": bulk.TEXT, "year": bulk.INT, "admdvs": bulk.TEXT,
                  "active": bulk.INT}
UPSERT = bulk.statement(
    "INSERT INTO coverage (psn_no, insutype, year, admdvs, active) "
    "SELECT * FROM unnest(:psn_no, :insutype, :year, :admdvs, :active) ON CONFLICT (psn_no, insutype, year) "
    "DO UPDATE SET active = excluded.active, admdvs = excluded.admdvs", UPSERT_COLUMNS)
UPDATE_COLUMNS = {"psn_no": bulk.TEXT, "insutype": bulk.TEXT, "year": bulk.INT, "active": bulk.INT}
UPDATE = bulk.statement(
    "UPDATE coverage AS c SET active = u.active FROM unnest(:psn_no, :insutype, :year, :active) "
    "AS u(psn_no, insutype, year, active) "
    "WHERE c.psn_no = u.psn_no AND c.insutype = u.insutype AND c.year = u.year", UPDATE_COLUMNS)


def change_of(event: CloudEvent, data) -> CoverageChange:
    return CoverageChange((data.psn_no, data.insutype, data.year), ACTIVE_AFTER[event.type],
                          data.admdvs if event.type == ACTIVATED else None)


async def apply_many(session: AsyncSession, items: list[tuple[CloudEvent, EventData]]) -> None:
    net = net_effect(change_of(event, data) for event, data in items)
    if net.upserts:
        rows = [(*key, admdvs, int(active)) for key, (admdvs, active) in net.upserts.items()]
        await bulk.execute(session, UPSERT, rows, tuple(UPSERT_COLUMNS))
    if net.updates:
        await bulk.execute(session, UPDATE, [(*key, int(active)) for key, active in net.updates.items()],
                           tuple(UPDATE_COLUMNS))
