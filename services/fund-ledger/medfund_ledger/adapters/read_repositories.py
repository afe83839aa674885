"""The ledger's read repositories, attached to its unit of work: what the read use cases (pool figures, journal
pages, months, budget meters, an alert's or a settlement's evidence) ask of the projection, and nothing else."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from medfund_ledger.adapters import alert_store, entry_query, figures, institution_query, pool_history_query
from medfund_ledger.domain.thresholds import Thresholds
from medfund_ledger.domain.warnings import PoolSnapshot


class PoolReads:
    """A pool's row (budget), balances (live or as of a business date), measures' inputs, journal and months."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def ids(self) -> list[str]:
        return await figures.pool_ids(self._session)

    async def row(self, pool_id: str):
        """The pool's row (``budget_due``, ``planned_expenditure`` in fen), ``None`` for an unknown pool."""
        return await figures.pool_row(self._session, pool_id)

    async def balances(self, pool_id: str, as_of: date | None = None) -> dict[str, int]:
        return await figures.balances(self._session, pool_id, as_of)

    async def business_now(self, admdvs: str) -> datetime | None:
        return await figures.business_now(self._session, admdvs)

    async def snapshot(self, pool_id: str, now: datetime) -> PoolSnapshot:
        return await figures.pool_snapshot(self._session, pool_id, now)

    async def thresholds(self, pool_id: str) -> Thresholds:
        return await figures.thresholds_for(self._session, pool_id)

    async def entries(self, pool_id: str, after_id: int, limit: int) -> list:
        return await figures.entries_of_pool(self._session, pool_id, after_id, limit)

    async def lines(self, pool_id: str, entry_ids: list[int]) -> list:
        return await figures.lines_in_pool(self._session, pool_id, entry_ids)

    async def months(self, pool_id: str) -> list[tuple[str, int, int]]:
        return await pool_history_query.months(self._session, pool_id)


class EvidenceReads:
    """Alerts with their published changes, and the journal entries and settlement facts behind event ids."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def alert(self, alert_id: str):
        return await alert_store.get(self._session, alert_id)

    async def alert_changes(self, alert_id: str) -> list:
        return await entry_query.alert_changes_of(self._session, alert_id)

    async def entries(self, keys: Sequence[str]) -> list[tuple]:
        return await entry_query.entries_by_key(self._session, keys)

    async def facts_of_events(self, event_ids: Sequence[str]) -> list:
        return await entry_query.facts_by_event(self._session, event_ids)

    async def facts_of_settlement(self, setl_id: str) -> list:
        return await entry_query.facts_by_settlement(self._session, setl_id)


class InstitutionReads:
    """Each institution's fund payments and global budget per year."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def years(self, year: int | None, as_of: date | None = None) -> list:
        return await institution_query.institution_years(self._session, year, as_of)
