"""Use case: override a pool's warning levels (defaults live in config/ledger.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_ledger.adapters import journal_store
from medfund_ledger.adapters.config import load_config
from medfund_ledger.adapters.figures import Touched
from medfund_ledger.adapters.tables import pool_thresholds
from medfund_ledger.app.evaluate import evaluate
from medfund_ledger.domain.thresholds import InvalidThreshold


@dataclass(frozen=True)
class SetPoolThresholds:
    pool_id: str
    levels: dict[str, tuple[Decimal, Decimal]]


async def set_pool_thresholds(cmd: SetPoolThresholds, session: AsyncSession) -> None:
    defaults = load_config().thresholds
    for rule, (yellow, red) in cmd.levels.items():
        if rule not in defaults.rules:
            raise InvalidThreshold(f"unknown rule {rule!r}", f"rules.{rule}")
        defaults[rule].with_levels(yellow, red)
    await journal_store.ensure_pool(session, cmd.pool_id)
    for rule, (yellow, red) in sorted(cmd.levels.items()):
        stmt = pg_insert(pool_thresholds).values(pool_id=cmd.pool_id, rule=rule, yellow=yellow, red=red)
        await session.execute(stmt.on_conflict_do_update(index_elements=["pool_id", "rule"],
                                                         set_={"yellow": yellow, "red": red}))
    await evaluate(session, Touched(pools={cmd.pool_id: [f"thresholds:{cmd.pool_id}"]}))
    await session.commit()
