"""Institutions' gateway credentials, the signature nonces seen, and the gateway sign-ins (9001 / 9002).

Admitting a call is on every gateway request, so it runs on the driver (:mod:`medfund_shared.driver`): one
statement reads the caller's credentials and sign-in, one records the nonce.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg
from sqlalchemy import DateTime, Text, bindparam, delete, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_adjudication.adapters.tables import gateway_nonces, gateway_sign_ins, institutions
from medfund_adjudication.domain.gateway_access import CallerRecords, SignIn
from medfund_shared.driver import DriverStatement

FORGET_AT_ONCE = 100
"""Old nonces one request deletes at most: each request forgets a few, so the table stays at the window's size."""
_PAASID, _SIGN_NO = bindparam("paasid", type_=Text), bindparam("sign_no", type_=Text)
_NONCE, _FORGET_BEFORE = bindparam("nonce", type_=Text), bindparam("forget_before", type_=DateTime(timezone=True))


def _of_paasid(column):
    return select(column).where(institutions.c.paasid == _PAASID).scalar_subquery()


def _of_sign_no(column):
    return select(column).where(gateway_sign_ins.c.sign_no == _SIGN_NO).scalar_subquery()


_CALLER_RECORDS = DriverStatement.of(select(
    _of_paasid(institutions.c.fixmedins_code), _of_paasid(institutions.c.passtoken_encrypted),
    _of_sign_no(gateway_sign_ins.c.fixmedins_code), _of_sign_no(gateway_sign_ins.c.signed_out_at)))


async def caller_records(db: asyncpg.Connection, paasid: str | None, sign_no: str | None) -> CallerRecords:
    return CallerRecords(*await _CALLER_RECORDS.fetchrow(db, {"paasid": paasid, "sign_no": sign_no}))


def _remembering():
    """Insert the nonce, or take over its row when it was seen before ``forget_before``; meanwhile forget at most
    :data:`FORGET_AT_ONCE` other old nonces that no concurrent request is forgetting (``SKIP LOCKED``: requests
    never wait for one another there, so they cannot deadlock on it)."""
    t = gateway_nonces.c
    others = (select(t.paasid, t.nonce).where(t.seen_at < _FORGET_BEFORE,
                                              tuple_(t.paasid, t.nonce) != tuple_(_PAASID, _NONCE))
              .limit(FORGET_AT_ONCE).with_for_update(skip_locked=True))
    forget = delete(gateway_nonces).where(tuple_(t.paasid, t.nonce).in_(others)).cte("forget")
    remember = pg_insert(gateway_nonces).values(paasid=_PAASID, nonce=_NONCE, seen_at=bindparam("now"))
    remember = remember.on_conflict_do_update(index_elements=["paasid", "nonce"],
                                              set_={"seen_at": remember.excluded.seen_at},
                                              where=t.seen_at < _FORGET_BEFORE)
    return DriverStatement.of(remember.returning(t.nonce).add_cte(forget))


_REMEMBER_NONCE = _remembering()


async def remember_nonce(db: asyncpg.Connection, paasid: str, nonce: str, now: datetime,
                         forget_before: datetime) -> bool:
    """Record the nonce; False when it was seen since ``forget_before``."""
    return await _REMEMBER_NONCE.fetchval(db, {"paasid": paasid, "nonce": nonce, "now": now,
                                               "forget_before": forget_before}) is not None


class GatewayAccessRepository:
    """Gateway credentials and sign-ins, on the unit of work's session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def holder_of_paasid(self, paasid: str) -> str | None:
        return await self._session.scalar(select(institutions.c.fixmedins_code).where(institutions.c.paasid == paasid))

    async def set_credentials(self, fixmedins_code: str, paasid: str, passtoken_encrypted: str) -> None:
        await self._session.execute(update(institutions).where(institutions.c.fixmedins_code == fixmedins_code)
                              .values(paasid=paasid, passtoken_encrypted=passtoken_encrypted))

    async def add_sign_in(self, sign_in: SignIn, mac: str | None, ip: str | None) -> None:
        await self._session.execute(gateway_sign_ins.insert().values(
            sign_no=sign_in.sign_no, fixmedins_code=sign_in.fixmedins_code, opter_no=sign_in.opter_no, mac=mac, ip=ip,
            signed_in_at=sign_in.signed_in_at))

    async def sign_in_of(self, sign_no: str, *, lock: bool = False) -> SignIn | None:
        t = gateway_sign_ins.c
        query = (select(t.sign_no, t.fixmedins_code, t.opter_no, t.signed_in_at, t.signed_out_at)
                 .where(t.sign_no == sign_no))
        row = (await self._session.execute(query.with_for_update() if lock else query)).first()
        return None if row is None else SignIn(*row)

    async def sign_out(self, sign_no: str, at: datetime) -> None:
        await self._session.execute(update(gateway_sign_ins).where(gateway_sign_ins.c.sign_no == sign_no)
                              .values(signed_out_at=at))


class CallerChecks:
    """Admitting a gateway call on a driver connection: the caller's records, and the nonce remembered."""

    def __init__(self, db: asyncpg.Connection) -> None:
        self._db = db

    async def caller_records(self, paasid: str | None, sign_no: str | None) -> CallerRecords:
        return await caller_records(self._db, paasid, sign_no)

    async def remember_nonce(self, paasid: str, nonce: str, now: datetime, forget_before: datetime) -> bool:
        return await remember_nonce(self._db, paasid, nonce, now, forget_before)
