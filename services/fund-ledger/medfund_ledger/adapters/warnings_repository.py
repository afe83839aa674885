"""What the alert evaluator reads and writes (the queue of applied events, figures, thresholds, alerts): SQL only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from medfund_ledger.adapters import alert_store, evaluation_queue, figures
from medfund_ledger.adapters.figures import Touched
from medfund_ledger.domain.alerts import OpenAlert, Transition
from medfund_ledger.domain.pools import PoolFigures
from medfund_ledger.domain.thresholds import Thresholds
from medfund_ledger.domain.warnings import PoolSnapshot
from medfund_shared.events.types.alerts import AlertChanged


class WarningsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- the queue ------------------------------------------------------------------------------
    async def become_evaluator(self) -> None:
        """Wait until no other evaluator runs; held until the unit of work ends."""
        await evaluation_queue.become_evaluator(self.session)

    async def take_queued(self, limit: int) -> list[tuple[str, str | None]]:
        """The oldest queued (event id, fixmedins_code); they leave the queue when the unit of work commits."""
        return await evaluation_queue.take(self.session, limit)

    async def touched_by(self, queued: list[tuple[str, str | None]]) -> Touched:
        return await figures.touched_by(self.session, queued)

    # --- figures --------------------------------------------------------------------------------
    async def business_now(self, admdvs: str) -> datetime | None:
        return await figures.business_now(self.session, admdvs)

    async def thresholds_for(self, pool_id: str | None) -> Thresholds:
        return await figures.thresholds_for(self.session, pool_id)

    async def pool_snapshot(self, pool_id: str, now: datetime) -> PoolSnapshot:
        return await figures.pool_snapshot(self.session, pool_id, now)

    async def pool_known(self, pool_id: str) -> bool:
        return await figures.pool_row(self.session, pool_id) is not None

    async def pool_balance(self, pool_id: str) -> int:
        """The pool's balance as ``GET /v1/pools/{id}`` shows it (brought forward + income - expenditure), fen."""
        return PoolFigures.from_balances(await figures.balances(self.session, pool_id)).balance.fen

    async def institution_region(self, fixmedins_code: str) -> str | None:
        return await figures.institution_region(self.session, fixmedins_code)

    async def institution_figures(self, fixmedins_code: str, year: int) -> tuple[int, int | None]:
        return await figures.institution_figures(self.session, fixmedins_code, year)

    # --- alerts ---------------------------------------------------------------------------------
    async def lock_subjects(self, keys: list[tuple[str, str]]) -> None:
        await alert_store.lock_subjects(self.session, keys)

    async def open_alerts(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], OpenAlert]:
        return await alert_store.open_alerts(self.session, keys)

    async def apply_alert(self, change: Transition, evidence: list[str], now: datetime) -> AlertChanged | None:
        """Store the transition; its change is queued for publication (None: nothing changed after all)."""
        return await alert_store.apply(self.session, change, evidence, now)
