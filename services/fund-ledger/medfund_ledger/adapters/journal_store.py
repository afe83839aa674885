"""Writes journal entries and keeps the balance projections in the same transaction.

The journal is append-only: an entry whose key exists already is not booked again. Projections
(account balances, monthly income and expenditure) change only here, by the lines of the entries
booked, so replaying the journal rebuilds them exactly. A batch of entries costs a handful of
statements: entries, pools, lines, balances and months one statement each.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_ledger.adapters.tables import journal_entries
from medfund_ledger.domain.journal import Entry
from medfund_ledger.domain.pools import PoolKey
from medfund_ledger.domain.projection import account_movements, month_movements
from medfund_shared import bulk

ENTRY_COLUMNS = {"entry_key": bulk.TEXT, "kind": bulk.TEXT, "effective_date": bulk.DATE, "memo": bulk.TEXT}
INSERT_ENTRIES = bulk.statement(
    "INSERT INTO journal_entries (entry_key, kind, origin, effective_date, memo) "
    "SELECT e.entry_key, e.kind, :origin, e.effective_date, e.memo "
    "FROM unnest(:entry_key, :kind, :effective_date, :memo) WITH ORDINALITY "
    "AS e(entry_key, kind, effective_date, memo, n) ORDER BY e.n "
    "ON CONFLICT (entry_key) DO NOTHING RETURNING entry_key, id", ENTRY_COLUMNS, origin=Text())
POOL_COLUMNS = {"pool_id": bulk.TEXT, "admdvs": bulk.TEXT, "fund_pay_type": bulk.TEXT, "year": bulk.INT}
ENSURE_POOLS = bulk.statement(
    "INSERT INTO pools (pool_id, admdvs, fund_pay_type, year) SELECT * FROM unnest(:pool_id, :admdvs, :fund_pay_type, "
    ":year) ON CONFLICT (pool_id) DO NOTHING", POOL_COLUMNS)
LINE_COLUMNS = {"entry_id": bulk.BIGINT, "pool_id": bulk.TEXT, "account": bulk.TEXT, "amount": bulk.BIGINT}
INSERT_LINES = bulk.statement(
    "INSERT INTO journal_lines (entry_id, pool_id, account, amount) "
    "SELECT * FROM unnest(:entry_id, :pool_id, :account, :amount)", LINE_COLUMNS)
BALANCE_COLUMNS = {"pool_id": bulk.TEXT, "account": bulk.TEXT, "amount": bulk.BIGINT}
ADD_TO_BALANCES = bulk.statement(
    "INSERT INTO account_balances AS b (pool_id, account, amount) SELECT * FROM unnest(:pool_id, :account, :amount) "
    "ON CONFLICT (pool_id, account) DO UPDATE SET amount = b.amount + excluded.amount", BALANCE_COLUMNS)
MONTH_COLUMNS = {"pool_id": bulk.TEXT, "month": bulk.TEXT, "income": bulk.BIGINT, "expenditure": bulk.BIGINT}
ADD_TO_MONTHS = bulk.statement(
    "INSERT INTO pool_months AS m (pool_id, month, income, expenditure) "
    "SELECT * FROM unnest(:pool_id, :month, :income, :expenditure) ON CONFLICT (pool_id, month) "
    "DO UPDATE SET income = m.income + excluded.income, expenditure = m.expenditure + excluded.expenditure",
    MONTH_COLUMNS)


async def record(session: AsyncSession, entry: Entry, *, origin: str, request: dict | None = None) -> bool:
    """Book ``entry`` (a command's, with its request) once; False when its key was booked before (nothing changes)."""
    entry_id = await session.scalar(
        pg_insert(journal_entries).values(entry_key=entry.key, kind=entry.kind, origin=origin,
                                          effective_date=entry.effective_date, memo=entry.memo, request=request)
        .on_conflict_do_nothing(index_elements=["entry_key"]).returning(journal_entries.c.id))
    if entry_id is None:
        return False
    await _book_lines(session, [(entry_id, entry)])
    return True


async def record_many(session: AsyncSession, entries: Sequence[Entry], *, origin: str) -> list[Entry]:
    """Book each entry whose key is new (the first of equal keys); returns those booked now, in order."""
    first_of_key: dict[str, Entry] = {}
    for entry in entries:
        first_of_key.setdefault(entry.key, entry)
    unique = list(first_of_key.values())
    if not unique:
        return []
    result = await bulk.execute(session, INSERT_ENTRIES, [(e.key, e.kind, e.effective_date, e.memo) for e in unique],
                                tuple(ENTRY_COLUMNS), origin=origin)
    ids = {key: entry_id for key, entry_id in result}
    booked = [(ids[entry.key], entry) for entry in unique if entry.key in ids]
    await _book_lines(session, booked)
    return [entry for _, entry in booked]


async def ensure_pool(session: AsyncSession, pool_id: str) -> None:
    """Pools are created on first use."""
    await _ensure_pools(session, [pool_id])


async def _ensure_pools(session: AsyncSession, pool_ids: Sequence[str]) -> None:
    keys = [PoolKey.parse(pool_id) for pool_id in sorted(set(pool_ids))]
    if keys:
        await bulk.execute(session, ENSURE_POOLS, [(k.pool_id, k.admdvs, k.fund_pay_type, k.year) for k in keys],
                           tuple(POOL_COLUMNS))


async def _book_lines(session: AsyncSession, booked: Sequence[tuple[int, Entry]]) -> None:
    """The lines of entries just inserted (with their ids), their pools, and what they add to the projections."""
    entries = [entry for _, entry in booked]
    await _ensure_pools(session, [pool_id for entry in entries for pool_id in entry.pool_ids])
    lines = [(entry_id, line.pool_id, line.account, line.amount) for entry_id, entry in booked for line in entry.lines]
    if lines:
        await bulk.execute(session, INSERT_LINES, lines, tuple(LINE_COLUMNS))
    balances = account_movements(entries)
    if balances:
        await bulk.execute(session, ADD_TO_BALANCES, [(*key, amount) for key, amount in balances.items()],
                           tuple(BALANCE_COLUMNS))
    months = month_movements(entries)
    if months:
        await bulk.execute(session, ADD_TO_MONTHS, [(*key, *figures) for key, figures in months.items()],
                           tuple(MONTH_COLUMNS))

