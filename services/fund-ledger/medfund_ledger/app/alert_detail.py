"""Use case: one alert with its history (every published change, who acknowledged it and why) and its evidence
(the journal entries of the events that tipped it, and the settlements among them)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from medfund_ledger.adapters import alert_store, entry_query
from medfund_ledger.app.acknowledge import alert_not_found


@dataclass(frozen=True)
class AlertDetail:
    alert: object
    changes: list
    entries: list
    """(journal entry, its lines) of each evidence event the journal holds."""
    settlements: list
    missing: list[str]
    """Evidence ids with no journal entry (an institution's registration, say)."""


async def alert_detail(session: AsyncSession, alert_id: str) -> AlertDetail:
    row = await alert_store.get(session, alert_id)
    if row is None:
        raise alert_not_found()
    evidence = [str(e) for e in row.evidence]
    entries = await entry_query.entries_by_key(session, evidence)
    booked = {entry.entry_key for entry, _ in entries}
    return AlertDetail(row, await entry_query.alert_changes_of(session, alert_id), entries,
                       await entry_query.facts_by_event(session, evidence),
                       [e for e in evidence if e not in booked])
