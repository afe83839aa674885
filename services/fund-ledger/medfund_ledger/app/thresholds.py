"""Use case: override a pool's warning levels (defaults live in config/ledger.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from medfund_ledger.adapters.config import load_config
from medfund_ledger.adapters.figures import Touched
from medfund_ledger.adapters.uow import LedgerUnitOfWork
from medfund_ledger.domain.thresholds import InvalidThreshold


@dataclass(frozen=True)
class SetPoolThresholds:
    pool_id: str
    levels: dict[str, tuple[Decimal, Decimal]]


async def set_pool_thresholds(cmd: SetPoolThresholds, uow: LedgerUnitOfWork) -> None:
    defaults = load_config().thresholds
    for rule, (yellow, red) in cmd.levels.items():
        if rule not in defaults.rules:
            raise InvalidThreshold(f"unknown rule {rule!r}", f"rules.{rule}")
        defaults[rule].with_levels(yellow, red)
    async with uow:
        await uow.ledger.ensure_pool(cmd.pool_id)
        await uow.ledger.set_thresholds(cmd.pool_id, cmd.levels)
        await uow.evaluate(Touched(pools={cmd.pool_id: [f"thresholds:{cmd.pool_id}"]}))
        await uow.commit()
