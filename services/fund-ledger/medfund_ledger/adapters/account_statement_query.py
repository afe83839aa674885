"""Reads one person's sub-ledger lines from the individual-account pools (every region and year)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_ledger.adapters.config import load_config
from medfund_ledger.adapters.tables import journal_entries, journal_lines, pools
from medfund_ledger.domain import accounts
from medfund_ledger.domain.account_statement import SubLedgerLine


async def sub_ledger_lines(session: AsyncSession, psn_no: str) -> list[SubLedgerLine]:
    """Looked up by (pool, account), the journal's own index, over the few individual-account pools."""
    account_pools = select(pools.c.pool_id).where(pools.c.fund_pay_type == load_config().employee_account_pool)
    e, ln = journal_entries.c, journal_lines.c
    rows = await session.execute(
        select(e.effective_date, e.id, e.entry_key, e.kind, e.memo, ln.pool_id, ln.amount)
        .select_from(journal_lines).join(journal_entries, e.id == ln.entry_id)
        .where(ln.pool_id.in_(account_pools), ln.account.in_(accounts.person_sub_ledger(psn_no))))
    return [SubLedgerLine(r.effective_date, r.id, r.entry_key, r.kind, r.memo, r.pool_id, r.amount) for r in rows]
