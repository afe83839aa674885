"""Premium accounts in the database (the read model of enrollment's events): loading them locked (money is at
stake), saving them, and the reports read from them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row
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


class PremiumAccounts:
    """``premium_accounts``: what each person owes for a year, and the locks that keep matching exact."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock_identities(self, keys: Iterable[CertKey]) -> None:
        """Serialise, until commit, everyone matching payments to these person-years and everyone creating
        their accounts: without it a payment arriving while the registration is being applied is stored
        as unmatched after the registration looked for unmatched payments, and is never matched."""
        ids = sorted({_identity_lock_id(key) for key in keys})
        if ids:
            await bulk.execute_records(self.session, LOCK_IDENTITIES, [{"id": i} for i in ids], ("id",))

    async def lock_by_certno(self, keys: Iterable[CertKey]) -> dict[CertKey, PremiumAccount]:
        """The accounts these payments are for, locked ``FOR UPDATE`` in a fixed order (no deadlocks);
        person-years with no account yet are locked too (``lock_identities``)."""
        keys = sorted(set(keys))
        await self.lock_identities(keys)
        rows = [{"certno": c, "year": y, "insutype": i} for c, y, i in keys]
        if not rows:
            return {}
        found = (await bulk.execute_records(self.session, LOCK_BY_CERTNO, rows, ("certno", "year", "insutype"))).all()
        return {(row.certno, row.year, row.insutype): to_account(row) for row in found}

    async def lock_one(self, psn_no: str, year: int) -> PremiumAccount | None:
        row = (await self.session.execute(
            select(t).where(t.c.psn_no == psn_no, t.c.year == year).with_for_update())).first()
        return to_account(row) if row else None

    async def save(self, accounts: Iterable[PremiumAccount]) -> None:
        rows = [{"psn_no": a.psn_no, "year": a.year, "premium_due_fen": a.premium_due.fen, "paid_fen": a.paid.fen,
                 "paid_in_full": a.paid_in_full} for a in accounts]
        if rows:
            await bulk.execute_records(self.session, SAVE, rows,
                                       ("psn_no", "year", "premium_due_fen", "paid_fen", "paid_in_full"))

    async def open(self, **values: object) -> bool:
        """A new account (``values`` are its columns); False when the person-year has one already."""
        return await self.session.scalar(
            insert(t).values(**values).on_conflict_do_nothing().returning(t.c.psn_no)) is not None

    async def update(self, psn_no: str, year: int, **values: object) -> Row | None:
        """Set columns of the person-year's account; the account as updated, None when there is none."""
        return (await self.session.execute(update(t).where(t.c.psn_no == psn_no, t.c.year == year)
                                           .values(**values).returning(t))).first()

    async def short_of_on_behalf(self, person_years: list[tuple[str, int]]) -> list[Row]:
        """Of these person-years, the accounts whose on-behalf share was paid below its due, in key order."""
        if not person_years:
            return []
        return list((await self.session.execute(select(t).where(
            tuple_(t.c.psn_no, t.c.year).in_(person_years), t.c.on_behalf_paid_fen < t.c.on_behalf_due_fen)
            .order_by(t.c.psn_no, t.c.year))).all())

    async def refused_page(self, limit: int, after: tuple[str, int] | None) -> list[Row]:
        """Accounts whose cover enrollment refused, ordered by (psn_no, year), after the cursor."""
        query = select(t).where(t.c.coverage_refused_reason.is_not(None)).order_by(t.c.psn_no, t.c.year).limit(limit)
        if after is not None:
            query = query.where(tuple_(t.c.psn_no, t.c.year) > after)
        return list((await self.session.execute(query)).all())

    async def dues(self, admdvs: str, year: int) -> tuple[int, int, int, int]:
        """(persons, premiums due in fen, collected in fen counting at most the due per person, paid in full)."""
        persons, due, collected, paid_in_full = (await self.session.execute(select(
            func.count(), func.coalesce(func.sum(t.c.premium_due_fen), 0),
            func.coalesce(func.sum(func.least(t.c.paid_fen, t.c.premium_due_fen)), 0),
            func.count().filter(t.c.paid_in_full)).where(t.c.admdvs == admdvs, t.c.year == year))).one()
        return persons, int(due), int(collected), paid_in_full
