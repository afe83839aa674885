"""What the ledger's commands read and write (journal entries, budgets, thresholds, alerts): SQL only, no rules."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_ledger.adapters import alert_store, figures, journal_store
from medfund_ledger.adapters.tables import (
    institution_budgets,
    journal_entries,
    journal_lines,
    pool_thresholds,
    pools,
)
from medfund_ledger.domain import accounts
from medfund_ledger.domain.journal import Entry
from medfund_ledger.domain.pools import PoolKey
from medfund_shared.events.types.alerts import AlertChanged
from medfund_shared.money import Money


class LedgerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- journal --------------------------------------------------------------------------------
    async def book(self, entry: Entry, request: dict) -> bool:
        """Book a command's entry (with the request that asked for it); False when its key was booked before."""
        return await journal_store.record(self.session, entry, origin="command", request=request)

    async def entry_debits(self, key: str) -> dict[str, Money]:
        """The debits of an entry per pool: what it moved."""
        rows = await self.session.execute(
            select(journal_lines.c.pool_id, func.sum(journal_lines.c.amount))
            .join(journal_entries, journal_entries.c.id == journal_lines.c.entry_id)
            .where(journal_entries.c.entry_key == key, journal_lines.c.amount > 0).group_by(journal_lines.c.pool_id))
        return {pool_id: Money(int(amount)) for pool_id, amount in rows.all()}

    async def payable_by_pool(self, fixmedins_code: str, until: date) -> dict[str, Money]:
        """What the fund owes the institution per pool, from entries effective up to ``until``."""
        rows = await self.session.execute(
            select(journal_lines.c.pool_id, func.sum(journal_lines.c.amount))
            .join(journal_entries, journal_entries.c.id == journal_lines.c.entry_id)
            .where(journal_lines.c.account == accounts.payable(fixmedins_code),
                   journal_entries.c.effective_date <= until)
            .group_by(journal_lines.c.pool_id))
        return {pool_id: Money(-int(total)) for pool_id, total in rows.all() if total}

    # --- pools ----------------------------------------------------------------------------------
    async def kept_before(self, key: PoolKey) -> list[str]:
        """Pools of the fund that make a balance brought forward into ``key``'s year wrong."""
        return await figures.kept_before(self.session, key)

    async def ensure_pool(self, pool_id: str) -> None:
        await journal_store.ensure_pool(self.session, pool_id)

    async def set_pool_budget(self, pool_id: str, budget_due: Money, planned_expenditure: Money) -> None:
        await self.session.execute(update(pools).where(pools.c.pool_id == pool_id).values(
            budget_due=budget_due.fen, planned_expenditure=planned_expenditure.fen))

    async def set_thresholds(self, pool_id: str, levels: dict[str, tuple[Decimal, Decimal]]) -> None:
        for rule, (yellow, red) in sorted(levels.items()):
            stmt = pg_insert(pool_thresholds).values(pool_id=pool_id, rule=rule, yellow=yellow, red=red)
            await self.session.execute(stmt.on_conflict_do_update(index_elements=["pool_id", "rule"],
                                                                  set_={"yellow": yellow, "red": red}))

    # --- institutions ---------------------------------------------------------------------------
    async def institution_known(self, fixmedins_code: str) -> bool:
        return await figures.institution_known(self.session, fixmedins_code)

    async def set_institution_budget(self, fixmedins_code: str, year: int, amount: Money) -> None:
        stmt = pg_insert(institution_budgets).values(fixmedins_code=fixmedins_code, year=year, amount=amount.fen)
        await self.session.execute(stmt.on_conflict_do_update(index_elements=["fixmedins_code", "year"],
                                                              set_={"amount": stmt.excluded.amount}))

    # --- alerts ---------------------------------------------------------------------------------
    async def alert(self, alert_id: str, *, lock: bool = False):
        return await alert_store.get(self.session, alert_id, lock=lock)

    async def acknowledge_alert(self, alert_id: str, who: str, note: str, at: datetime) -> AlertChanged:
        """Store the acknowledgement; its change is queued for publication and for the alert stream."""
        return await alert_store.acknowledge(self.session, alert_id, who, note, at)
