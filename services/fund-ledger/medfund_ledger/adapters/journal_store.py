"""Writes journal entries and keeps the balance projections in the same transaction.

The journal is append-only: an entry whose key exists already is not booked again. Projections
(account balances, monthly income and expenditure) change only here, by the entry's lines, so
replaying the journal rebuilds them exactly.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_ledger.adapters.tables import account_balances, journal_entries, journal_lines, pool_months, pools
from medfund_ledger.domain import accounts
from medfund_ledger.domain.journal import Entry
from medfund_ledger.domain.pools import PoolKey


async def record(session: AsyncSession, entry: Entry, *, origin: str, request: dict | None = None) -> bool:
    """Book ``entry`` once; False when its key was booked before (nothing changes)."""
    entry_id = await session.scalar(
        pg_insert(journal_entries).values(entry_key=entry.key, kind=entry.kind, origin=origin,
                                          effective_date=entry.effective_date, memo=entry.memo, request=request)
        .on_conflict_do_nothing(index_elements=["entry_key"]).returning(journal_entries.c.id))
    if entry_id is None:
        return False
    for pool_id in entry.pool_ids:
        await ensure_pool(session, pool_id)
    if entry.lines:
        await session.execute(journal_lines.insert(), [
            {"entry_id": entry_id, "pool_id": line.pool_id, "account": line.account, "amount": line.amount}
            for line in entry.lines])
    await _project(session, entry)
    return True


async def ensure_pool(session: AsyncSession, pool_id: str) -> None:
    """Pools are created on first use."""
    key = PoolKey.parse(pool_id)
    await session.execute(pg_insert(pools).values(pool_id=pool_id, admdvs=key.admdvs, fund_pay_type=key.fund_pay_type,
                                                  year=key.year).on_conflict_do_nothing(index_elements=["pool_id"]))


async def _project(session: AsyncSession, entry: Entry) -> None:
    per_account: dict[tuple[str, str], int] = defaultdict(int)
    per_month: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for line in entry.lines:
        per_account[(line.pool_id, line.account)] += line.amount
        if accounts.is_income(line.account):
            per_month[line.pool_id][0] -= line.amount
        elif accounts.is_expenditure(line.account):
            per_month[line.pool_id][1] += line.amount
    for (pool_id, account), amount in sorted(per_account.items()):
        stmt = pg_insert(account_balances).values(pool_id=pool_id, account=account, amount=amount)
        await session.execute(stmt.on_conflict_do_update(
            index_elements=["pool_id", "account"], set_={"amount": account_balances.c.amount + stmt.excluded.amount}))
    month = entry.effective_date.strftime("%Y-%m")
    for pool_id, (income, expenditure) in sorted(per_month.items()):
        stmt = pg_insert(pool_months).values(pool_id=pool_id, month=month, income=income, expenditure=expenditure)
        await session.execute(stmt.on_conflict_do_update(
            index_elements=["pool_id", "month"],
            set_={"income": pool_months.c.income + stmt.excluded.income,
                  "expenditure": pool_months.c.expenditure + stmt.excluded.expenditure}))


async def existing_request(session: AsyncSession, key: str) -> dict | None | bool:
    """The stored request of a command entry; False when the key is unused."""
    row = (await session.execute(select(journal_entries.c.request).where(journal_entries.c.entry_key == key))).first()
    return False if row is None else row.request
