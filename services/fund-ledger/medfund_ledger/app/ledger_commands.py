"""Use cases that book the ledger's own entries: monthly clearing and an operator's transfer between pools.

Each is idempotent on its key (institution + period, or the transfer id): a retry returns the
first answer, the same key with other content is refused. Each entry is also an event on the
ledger's topic, queued in the same transaction: the ledger's consumer finds the entry booked
already, and a rebuild books it from the event (docs/funding.md).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_ledger.adapters import journal_store
from medfund_ledger.adapters.config import load_config
from medfund_ledger.adapters.figures import Touched
from medfund_ledger.adapters.financing_events import SOURCE
from medfund_ledger.adapters.money_events import transfer_key
from medfund_ledger.adapters.tables import journal_entries, journal_lines
from medfund_ledger.app.evaluate import evaluate
from medfund_ledger.domain import accounts, journal
from medfund_ledger.domain.warnings import month_end
from medfund_shared import outbox
from medfund_shared.events.types.ledger import ClearedPool, ClearingBooked, TransferBooked
from medfund_shared.money import Money


def business_start(day: date) -> datetime:
    """The first instant of a business date, in the ledger's business time zone."""
    return datetime.combine(day, time.min, load_config().business_timezone)


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
        await outbox.add(session, ClearingBooked(
            clearing_id=key, fixmedins_code=cmd.fixmedins_code, period=cmd.period, effective_date=until,
            pools=[ClearedPool(pool_id=pool_id, amount=amount) for pool_id, amount in sorted(payable.items())
                   if amount.fen]), source=SOURCE, effective_time=business_start(until))
        await evaluate(session, Touched(pools={pool_id: [key] for pool_id in entry.pool_ids}))
        await session.commit()
    return await entry_lines(session, key)


async def transfer(cmd: TransferBetweenPools, session: AsyncSession) -> dict[str, Money]:
    key = transfer_key(cmd.transfer_id)
    stored = await journal_store.existing_request(session, key)
    if stored is False:
        entry = journal.transfer(key, cmd.effective_date, cmd.from_pool_id, cmd.to_pool_id, cmd.amount, cmd.memo)
        await journal_store.record(session, entry, origin="command", request=cmd.request())
        await outbox.add(session, TransferBooked(
            transfer_id=cmd.transfer_id, reason="operator", from_pool_id=cmd.from_pool_id, to_pool_id=cmd.to_pool_id,
            amount=cmd.amount, effective_date=cmd.effective_date, memo=cmd.memo),
            source=SOURCE, effective_time=business_start(cmd.effective_date))
        await evaluate(session, Touched(pools={pool_id: [key] for pool_id in entry.pool_ids}))
        await session.commit()
    elif stored != cmd.request():
        raise KeyReused(f"transfer {cmd.transfer_id} was booked with other content")
    return await entry_lines(session, key)
