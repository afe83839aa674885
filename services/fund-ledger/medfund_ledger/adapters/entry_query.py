"""Journal entries and settlement facts looked up by the event ids behind them (an alert's evidence, a settlement)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_ledger.adapters.tables import alert_changes, journal_entries, journal_lines, settlement_facts
from medfund_shared import bulk


async def entries_by_key(session: AsyncSession, keys: Sequence[str]) -> list[tuple]:
    """(entry, its lines in every pool) of each journal entry whose key is one of ``keys``, oldest first."""
    if not keys:
        return []
    entries = (await session.execute(select(journal_entries)
                                     .where(journal_entries.c.entry_key == bulk.any_of(list(keys), bulk.TEXT))
                                     .order_by(journal_entries.c.id))).all()
    if not entries:
        return []
    lines = (await session.execute(select(journal_lines)
                                   .where(journal_lines.c.entry_id == bulk.any_of([e.id for e in entries], bulk.BIGINT))
                                   .order_by(journal_lines.c.id))).all()
    return [(entry, [line for line in lines if line.entry_id == entry.id]) for entry in entries]


async def facts_by_event(session: AsyncSession, event_ids: Sequence[str]) -> list:
    """Settlement facts (with the institution: the entry's memo) of the given events."""
    if not event_ids:
        return []
    return (await session.execute(
        select(settlement_facts, journal_entries.c.memo.label("fixmedins_code"), journal_entries.c.kind)
        .join(journal_entries, journal_entries.c.entry_key == settlement_facts.c.event_id)
        .where(settlement_facts.c.event_id == bulk.any_of(list(event_ids), bulk.TEXT))
        .order_by(settlement_facts.c.setl_date, settlement_facts.c.event_id))).all()


async def facts_by_settlement(session: AsyncSession, setl_id: str) -> list:
    """The facts of one settlement id: the settlement and its reversal if any."""
    ids = (await session.scalars(select(settlement_facts.c.event_id).where(settlement_facts.c.setl_id == setl_id)))
    return await facts_by_event(session, list(ids))


async def alert_changes_of(session: AsyncSession, alert_id: str) -> list:
    """Every published change of one alert (first crossing, severity, acknowledgement, resolution), oldest first."""
    return (await session.execute(select(alert_changes.c.id, alert_changes.c.payload, alert_changes.c.created_at)
                                  .where(alert_changes.c.alert_id == alert_id).order_by(alert_changes.c.id))).all()
