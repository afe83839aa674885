"""The government's money per person-year: the per-capita subsidy (``subsidies``) and the shares paid on a
person's behalf (``on_behalf_payments``), each withdrawn by the correction that took the premium below its due."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_billing.adapters.tables import on_behalf_payments, subsidies
from medfund_shared import bulk

SUBSIDY_COLUMNS = {"subsidy_id": bulk.TEXT, "psn_no": bulk.TEXT, "year": bulk.INT, "admdvs": bulk.TEXT,
                   "amount_fen": bulk.BIGINT, "shares": bulk.TEXT, "allocated_at": bulk.TIMESTAMPTZ}
INSERT_SUBSIDIES = bulk.statement(
    "INSERT INTO subsidies (subsidy_id, psn_no, year, admdvs, amount_fen, shares, allocated_at) "
    "SELECT subsidy_id, psn_no, year, admdvs, amount_fen, shares::jsonb, allocated_at "
    f"FROM unnest({', '.join(':' + c for c in SUBSIDY_COLUMNS)}) "
    "AS s(subsidy_id, psn_no, year, admdvs, amount_fen, shares, allocated_at) "
    "ON CONFLICT (psn_no, year) WHERE withdrawn_at IS NULL DO NOTHING RETURNING psn_no, year",
    SUBSIDY_COLUMNS)


class GovernmentMoney:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_subsidies(self, rows: Sequence[dict]) -> list[tuple[str, int]]:
        """Store each subsidy whose person-year has none not withdrawn, in one statement (``shares`` is JSON
        text); the (psn_no, year) of those stored."""
        if not rows:
            return []
        stored = await bulk.execute_records(self.session, INSERT_SUBSIDIES, rows, tuple(SUBSIDY_COLUMNS))
        return [(psn_no, year) for psn_no, year in stored.all()]

    async def withdraw_subsidy(self, psn_no: str, year: int, correction_id: str, at: datetime) -> Row | None:
        """Mark the person-year's live subsidy withdrawn; the subsidy, None when there is none."""
        s = subsidies
        return (await self.session.execute(
            update(s).where(s.c.psn_no == psn_no, s.c.year == year, s.c.withdrawn_at.is_(None))
            .values(withdrawn_at=at, withdrawal_id=correction_id).returning(s))).first()

    async def add_on_behalf(self, **values: object) -> None:
        await self.session.execute(on_behalf_payments.insert().values(**values))

    async def withdraw_on_behalf(self, psn_no: str, year: int, correction_id: str, at: datetime) -> list[Row]:
        """Mark every on-behalf payment of the person-year not withdrawn yet as withdrawn; those, oldest first."""
        t = on_behalf_payments
        rows = (await self.session.execute(
            update(t).where(t.c.psn_no == psn_no, t.c.year == year, t.c.withdrawn_at.is_(None))
            .values(withdrawn_at=at, withdrawal_id=correction_id).returning(t))).all()
        return sorted(rows, key=lambda r: (r.paid_at, r.payment_id))
