"""Use cases that book the ledger's own entries: monthly clearing and the catastrophic premium transfer.

Each is idempotent on its key (institution + period, or the transfer id): a retry returns the
first answer, the same key with other content is refused.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_ledger.adapters import journal_store
from medfund_ledger.adapters.figures import Touched
from medfund_ledger.adapters.tables import journal_entries, journal_lines
from medfund_ledger.app.evaluate import evaluate
from medfund_ledger.domain import accounts, journal
from medfund_ledger.domain.warnings import month_end
from medfund_shared.money import Money


class KeyReused(ValueError):
    """The idempotency key was used before with different content."""


@dataclass(frozen=True)
class ClearInstitution:
    fixmedins_code: str
    period: str


@dataclass(frozen=True)
class TransferBetweenPools:
    transfer_id: str
    from_pool_id: str
    to_pool_id: str
    amount: Money
    effective_date: date
    memo: str = ""

    def request(self) -> dict:
        return asdict(self) | {"amount": self.amount.to_yuan(), "effective_date": self.effective_date.isoformat()}


async def entry_lines(session: AsyncSession, key: str) -> dict[str, Money]:
    """Debits of an entry per pool on accounts of the given entry (what it moved)."""
    rows = await session.execute(
        select(journal_lines.c.pool_id, func.sum(journal_lines.c.amount))
        .join(journal_entries, journal_entries.c.id == journal_lines.c.entry_id)
        .where(journal_entries.c.entry_key == key, journal_lines.c.amount > 0).group_by(journal_lines.c.pool_id))
    return {pool_id: Money(int(amount)) for pool_id, amount in rows.all()}


async def _payable_by_pool(session: AsyncSession, fixmedins_code: str, until: date) -> dict[str, Money]:
    rows = await session.execute(
        select(journal_lines.c.pool_id, func.sum(journal_lines.c.amount))
        .join(journal_entries, journal_entries.c.id == journal_lines.c.entry_id)
        .where(journal_lines.c.account == accounts.payable(fixmedins_code), journal_entries.c.effective_date <= until)
        .group_by(journal_lines.c.pool_id))
    return {pool_id: Money(-int(total)) for pool_id, total in rows.all() if total}


async def clear_institution(cmd: ClearInstitution, session: AsyncSession) -> dict[str, Money]:
    """Books Dr payable / Cr cash for what is payable up to the period's last day; returns the amount per pool."""
    key = f"clearing:{cmd.fixmedins_code}:{cmd.period}"
    if await journal_store.existing_request(session, key) is False:
        until = month_end(cmd.period).date()
        payable = await _payable_by_pool(session, cmd.fixmedins_code, until)
        entry = journal.clearing(key, until, cmd.fixmedins_code, payable)
        await journal_store.record(session, entry, origin="command", request=asdict(cmd))
        await evaluate(session, Touched(pools={pool_id: [key] for pool_id in entry.pool_ids}))
        await session.commit()
    return await entry_lines(session, key)


async def transfer(cmd: TransferBetweenPools, session: AsyncSession) -> dict[str, Money]:
    key = f"transfer:{cmd.transfer_id}"
    stored = await journal_store.existing_request(session, key)
    if stored is False:
        entry = journal.transfer(key, cmd.effective_date, cmd.from_pool_id, cmd.to_pool_id, cmd.amount, cmd.memo)
        await journal_store.record(session, entry, origin="command", request=cmd.request())
        await evaluate(session, Touched(pools={pool_id: [key] for pool_id in entry.pool_ids}))
        await session.commit()
    elif stored != cmd.request():
        raise KeyReused(f"transfer {cmd.transfer_id} was booked with other content")
    return await entry_lines(session, key)
