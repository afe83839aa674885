"""Premium accounts in the database: loading them locked (money is at stake) and saving them."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_billing.adapters.tables import premium_accounts as t
from medfund_billing.domain.matching import PremiumAccount
from medfund_shared.money import Money

CertKey = tuple[str, int, str]
"""(certno, year, insutype): how a tax payment names the person and the year."""


def to_account(row) -> PremiumAccount:
    return PremiumAccount(psn_no=row.psn_no, year=row.year, certno=row.certno, admdvs=row.admdvs,
                          insutype=row.insutype, pack_id=row.pack_id, premium_due=Money(row.premium_due_fen),
                          paid=Money(row.paid_fen), paid_in_full=row.paid_in_full)


async def lock_by_certno(session: AsyncSession, keys: Iterable[CertKey]) -> dict[CertKey, PremiumAccount]:
    """The accounts these payments are for, locked ``FOR UPDATE`` in a fixed order (no deadlocks)."""
    keys = sorted(set(keys))
    if not keys:
        return {}
    rows = (await session.execute(
        select(t).where(tuple_(t.c.certno, t.c.year, t.c.insutype).in_(keys))
        .order_by(t.c.psn_no, t.c.year).with_for_update()
    )).all()
    return {(row.certno, row.year, row.insutype): to_account(row) for row in rows}


async def lock_one(session: AsyncSession, psn_no: str, year: int) -> PremiumAccount | None:
    row = (await session.execute(
        select(t).where(t.c.psn_no == psn_no, t.c.year == year).with_for_update())).first()
    return to_account(row) if row else None


async def save(session: AsyncSession, accounts: Iterable[PremiumAccount]) -> None:
    rows = [{"k_psn_no": a.psn_no, "k_year": a.year, "premium_due_fen": a.premium_due.fen, "paid_fen": a.paid.fen,
             "paid_in_full": a.paid_in_full} for a in accounts]
    if not rows:
        return
    stmt = (update(t).where(t.c.psn_no == bindparam("k_psn_no"), t.c.year == bindparam("k_year"))
            .values(premium_due_fen=bindparam("premium_due_fen"), paid_fen=bindparam("paid_fen"),
                    paid_in_full=bindparam("paid_in_full")))
    await session.execute(stmt.execution_options(synchronize_session=False), rows)
