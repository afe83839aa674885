"""Use cases that book the ledger's own entries: monthly clearing, an operator's transfer between pools, and the
balance a fund brings into the ledger.

Each is idempotent through the shared store (``medfund_shared.idempotency``): a clearing on its institution and
period, a transfer on its id, a balance brought forward on its pool. A retry gets the first answer; a key sent
again with other content is refused (409 ``idempotency_key_reused``). Each entry is also an event on the ledger's
topic, queued in the same transaction: the ledger's consumer finds the entry booked already, and a rebuild books
it from the event (docs/funding.md).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time

from medfund_ledger.adapters.config import load_config
from medfund_ledger.adapters.figures import Touched
from medfund_ledger.adapters.money_events import brought_forward_key, transfer_key
from medfund_ledger.adapters.uow import LedgerUnitOfWork
from medfund_ledger.domain import journal
from medfund_ledger.domain.pools import PoolKey
from medfund_ledger.domain.warnings import month_end
from medfund_shared.events.types.ledger import BalanceBroughtForward, ClearedPool, ClearingBooked, TransferBooked
from medfund_shared.idempotency import IdempotentRequest
from medfund_shared.money import Money
from medfund_shared.refusal import Refusal


def business_start(day: date) -> datetime:
    """The first instant of a business date, in the ledger's business time zone."""
    return datetime.combine(day, time.min, load_config().business_timezone)


@dataclass(frozen=True)
class ClearInstitution:
    fixmedins_code: str
    period: str

    def idempotency(self) -> IdempotentRequest:
        return IdempotentRequest.of("clearing", f"{self.fixmedins_code}:{self.period}", asdict(self),
                                    field="period")


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

    def idempotency(self) -> IdempotentRequest:
        return IdempotentRequest.of("transfer", self.transfer_id, self.request(), field="transfer_id")


@dataclass(frozen=True)
class BringBalanceForward:
    pool_id: str
    amount: Money
    voucher_no: str = ""

    @property
    def effective_date(self) -> date:
        """The balance is there when the pool's year starts."""
        return date(PoolKey.parse(self.pool_id).year, 1, 1)

    def request(self) -> dict:
        return {"pool_id": self.pool_id, "amount": self.amount.to_yuan(), "voucher_no": self.voucher_no}

    def idempotency(self) -> IdempotentRequest:
        return IdempotentRequest.of("brought_forward", self.pool_id, self.request(), field="pool_id")


def _stored(moved: dict[str, Money]) -> dict[str, str]:
    return {pool_id: amount.to_yuan() for pool_id, amount in sorted(moved.items())}


def _moved(stored: dict[str, str]) -> dict[str, Money]:
    return {pool_id: Money.from_yuan(amount) for pool_id, amount in stored.items()}


async def clear_institution(cmd: ClearInstitution, uow: LedgerUnitOfWork) -> dict[str, Money]:
    """Books Dr payable / Cr cash for what is payable up to the period's last day; returns the amount per pool."""
    request = cmd.idempotency()
    async with uow:
        if (first := await uow.idempotency.claim(request)) is not None:
            return _moved(first.body)
        key = f"clearing:{cmd.fixmedins_code}:{cmd.period}"
        until = month_end(cmd.period).date()
        payable = await uow.ledger.payable_by_pool(cmd.fixmedins_code, until)
        entry = journal.clearing(key, until, cmd.fixmedins_code, payable)
        if await uow.ledger.book(entry, request=asdict(cmd)):
            await uow.emit(ClearingBooked(
                clearing_id=key, fixmedins_code=cmd.fixmedins_code, period=cmd.period, effective_date=until,
                pools=[ClearedPool(pool_id=pool_id, amount=amount) for pool_id, amount in sorted(payable.items())
                       if amount.fen]), business_start(until))
            await uow.evaluate(Touched(pools={pool_id: [key] for pool_id in entry.pool_ids}))
        moved = await uow.ledger.entry_debits(key)
        await uow.idempotency.remember(request, _stored(moved))
        await uow.commit()
    return moved


async def transfer(cmd: TransferBetweenPools, uow: LedgerUnitOfWork) -> dict[str, Money]:
    """Books the transfer once; an entry its event already booked (a rebuild) is answered as booked."""
    request = cmd.idempotency()
    async with uow:
        if (first := await uow.idempotency.claim(request)) is not None:
            return _moved(first.body)
        key = transfer_key(cmd.transfer_id)
        entry = journal.transfer(key, cmd.effective_date, cmd.from_pool_id, cmd.to_pool_id, cmd.amount, cmd.memo)
        if await uow.ledger.book(entry, request=cmd.request()):
            await uow.emit(TransferBooked(
                transfer_id=cmd.transfer_id, reason="operator", from_pool_id=cmd.from_pool_id,
                to_pool_id=cmd.to_pool_id, amount=cmd.amount, effective_date=cmd.effective_date, memo=cmd.memo),
                business_start(cmd.effective_date))
            await uow.evaluate(Touched(pools={pool_id: [key] for pool_id in entry.pool_ids}))
        moved = await uow.ledger.entry_debits(key)
        await uow.idempotency.remember(request, _stored(moved))
        await uow.commit()
    return moved


async def bring_balance_forward(cmd: BringBalanceForward, uow: LedgerUnitOfWork) -> None:
    """Books the balance a fund held before the ledger kept it into the first year the ledger keeps
    (docs/funding.md), once a pool. Refused where the ledger already keeps an earlier year of the fund (its
    balance is the ledger's own) or a balance brought into another year of it."""
    request = cmd.idempotency()
    async with uow:
        if await uow.idempotency.claim(request) is not None:
            return
        if kept := await uow.ledger.kept_before(PoolKey.parse(cmd.pool_id)):
            raise Refusal.conflict("already_kept", f"the ledger already keeps {', '.join(kept)} of this fund: a "
                                   f"balance is brought forward only into the first year it keeps", "pool_id")
        key = brought_forward_key(cmd.pool_id)
        entry = journal.brought_forward(key, cmd.effective_date, cmd.pool_id, cmd.amount, cmd.voucher_no)
        if await uow.ledger.book(entry, request=cmd.request()):
            await uow.emit(BalanceBroughtForward(pool_id=cmd.pool_id, amount=cmd.amount,
                                                 effective_date=cmd.effective_date, voucher_no=cmd.voucher_no),
                           business_start(cmd.effective_date))
            await uow.evaluate(Touched(pools={cmd.pool_id: [key]}))
        await uow.idempotency.remember(request, cmd.request())
        await uow.commit()
