"""Use case: one alert with its history (every published change, who acknowledged it and why) and its evidence
(the journal entries of the events that tipped it, and the settlements among them)."""

from __future__ import annotations

from dataclasses import dataclass

from medfund_ledger.adapters.uow import LedgerUnitOfWork
from medfund_ledger.app.acknowledge import alert_not_found


@dataclass(frozen=True)
class AlertQuery:
    alert_id: str


@dataclass(frozen=True)
class AlertDetail:
    alert: object
    changes: list
    entries: list
    """(journal entry, its lines) of each evidence event the journal holds."""
    settlements: list
    missing: list[str]
    """Evidence ids with no journal entry (an institution's registration, say)."""


async def alert_detail(query: AlertQuery, uow: LedgerUnitOfWork) -> AlertDetail:
    async with uow:
        row = await uow.evidence.alert(query.alert_id)
        if row is None:
            raise alert_not_found()
        evidence = [str(e) for e in row.evidence]
        entries = await uow.evidence.entries(evidence)
        booked = {entry.entry_key for entry, _ in entries}
        return AlertDetail(row, await uow.evidence.alert_changes(query.alert_id), entries,
                           await uow.evidence.facts_of_events(evidence), [e for e in evidence if e not in booked])
