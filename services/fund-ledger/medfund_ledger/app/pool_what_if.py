"""Use case: a pool's balance, reserve and warnings as they would stand had its expenditure differed month by
month (``POST /v1/pools/{pool_id}/what-if``: a simulation's candidate policy, issue 25).

"Now" is the earlier of the end of ``as_of`` and the region's business clock: never the wall clock, and never
a month the ledger has not reached (a difference in a later month is not booked)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from medfund_ledger.app.pool_view import PoolNotFound
from medfund_ledger.domain.pools import PoolKey
from medfund_ledger.domain.what_if import PoolWhatIf, pool_what_if
from medfund_shared.china_time import CHINA_TIME
from medfund_shared.money import Money


@dataclass(frozen=True)
class PoolWhatIfQuery:
    pool_id: str
    as_of: date
    expenditure_change: dict[str, Money]
    """By month (``YYYY-MM``): what the pool would have paid more (negative: less)."""


@dataclass(frozen=True)
class PoolWhatIfAnswer:
    now: datetime
    balance: Money
    """As ``GET /v1/pools/{id}`` shows it: brought forward + income - expenditure."""
    outcome: PoolWhatIf

    @property
    def candidate_balance(self) -> Money:
        return self.balance - Money(self.outcome.booked_change)


async def what_if(query: PoolWhatIfQuery, uow) -> PoolWhatIfAnswer:
    """``uow``: the ledger's unit of work (read only here: nothing is written)."""
    async with uow:
        if not await uow.warnings.pool_known(query.pool_id):
            raise PoolNotFound(query.pool_id)
        now = datetime.combine(query.as_of, time.max, CHINA_TIME)
        clock = await uow.warnings.business_now(PoolKey.parse(query.pool_id).admdvs)
        if clock is not None and clock < now:
            now = clock
        snapshot = await uow.warnings.pool_snapshot(query.pool_id, now)
        thresholds = await uow.warnings.thresholds_for(query.pool_id)
        balance = Money(await uow.warnings.pool_balance(query.pool_id))
    change = {month: amount.fen for month, amount in query.expenditure_change.items()}
    return PoolWhatIfAnswer(now, balance, pool_what_if(snapshot, change, now.astimezone(CHINA_TIME).strftime("%Y-%m"),
                                              thresholds))
