"""Premium accounts in the database: loading them locked (money is at stake) and saving them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_billing.adapters.tables import premium_accounts as t
from medfund_billing.domain.matching import PremiumAccount
from medfund_shared import bulk
from medfund_shared.money import Money

CertKey = tuple[str, int, str]
"""(certno, year, insutype): how a tax payment names the person and the year."""


def to_account(row) -> PremiumAccount:
    return PremiumAccount(psn_no=row.psn_no, year=row.year, certno=row.certno, admdvs=row.admdvs,
                          insutype=row.insutype, pack_id=row.pack_id, premium_due=Money(row.premium_due_fen),
                          paid=Money(row.paid_fen), paid_in_full=row.paid_in_full)


LOCK_BY_CERTNO = bulk.statement(
    "SELECT t.* FROM premium_accounts AS t JOIN unnest(:certno, :year, :insutype) AS k(certno, year, insutype) "
    "ON (t.certno, t.year, t.insutype) = (k.certno, k.year, k.insutype) ORDER BY t.psn_no, t.year FOR UPDATE OF t",
    {"certno": bulk.TEXT, "year": bulk.INT, "insutype": bulk.TEXT})
IDENTITY_LOCK_CLASS = 7311
"""Advisory-lock namespace of "a person-year as the tax bureau names it" (certno, year, scheme)."""
IDENTITY_LOCK_BUCKETS = 1024
"""Person-years share this many locks: a 2,000-line chunk then holds at most 1,024 advisory locks,
well inside PostgreSQL's shared lock table, at the price of rarely waiting on an unrelated person."""
LOCK_IDENTITIES = bulk.statement(
    f"SELECT pg_advisory_xact_lock({IDENTITY_LOCK_CLASS}, k.id) FROM unnest(:id) WITH ORDINALITY AS k(id, n) "
    "ORDER BY k.n", {"id": bulk.INT})
SAVE = bulk.statement(
    "UPDATE premium_accounts AS t SET premium_due_fen = a.premium_due_fen, paid_fen = a.paid_fen, "
    "paid_in_full = a.paid_in_full FROM unnest(:psn_no, :year, :premium_due_fen, :paid_fen, :paid_in_full) "
    "AS a(psn_no, year, premium_due_fen, paid_fen, paid_in_full) WHERE t.psn_no = a.psn_no AND t.year = a.year",
    {"psn_no": bulk.TEXT, "year": bulk.INT, "premium_due_fen": bulk.BIGINT, "paid_fen": bulk.BIGINT,
     "paid_in_full": bulk.BOOL})


def _identity_lock_id(key: CertKey) -> int:
    digest = hashlib.blake2b(repr(key).encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") % IDENTITY_LOCK_BUCKETS


async def lock_identities(session: AsyncSession, keys: Iterable[CertKey]) -> None:
    """Serialise, until commit, everyone matching payments to these person-years and everyone creating
    their accounts: without it a payment arriving while the registration is being applied is stored
    as unmatched after the registration looked for unmatched payments, and is never matched."""
    ids = sorted({_identity_lock_id(key) for key in keys})
    if ids:
        await bulk.execute_records(session, LOCK_IDENTITIES, [{"id": i} for i in ids], ("id",))


async def lock_by_certno(session: AsyncSession, keys: Iterable[CertKey]) -> dict[CertKey, PremiumAccount]:
    """The accounts these payments are for, locked ``FOR UPDATE`` in a fixed order (no deadlocks);
    person-years with no account yet are locked too (``lock_identities``)."""
    keys = sorted(set(keys))
    await lock_identities(session, keys)
    keys = [{"certno": c, "year": y, "insutype": i} for c, y, i in keys]
    if not keys:
        return {}
    rows = (await bulk.execute_records(session, LOCK_BY_CERTNO, keys, ("certno", "year", "insutype"))).all()
    return {(row.certno, row.year, row.insutype): to_account(row) for row in rows}


async def lock_one(session: AsyncSession, psn_no: str, year: int) -> PremiumAccount | None:
    row = (await session.execute(
        select(t).where(t.c.psn_no == psn_no, t.c.year == year).with_for_update())).first()
    return to_account(row) if row else None


async def save(session: AsyncSession, accounts: Iterable[PremiumAccount]) -> None:
    rows = [{"psn_no": a.psn_no, "year": a.year, "premium_due_fen": a.premium_due.fen, "paid_fen": a.paid.fen,
             "paid_in_full": a.paid_in_full} for a in accounts]
    if rows:
        await bulk.execute_records(session, SAVE, rows,
                                   ("psn_no", "year", "premium_due_fen", "paid_fen", "paid_in_full"))
