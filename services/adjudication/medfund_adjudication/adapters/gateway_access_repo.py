"""Institutions' gateway credentials, the signature nonces seen, and the gateway sign-ins (9001 / 9002)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_adjudication.adapters.tables import gateway_nonces, gateway_sign_ins, institutions

FORGET_AT_ONCE = 100
"""Old nonces one request deletes at most: each request forgets a few, so the table stays at the window's size."""


async def holder_of_paasid(session: AsyncSession, paasid: str) -> str | None:
    return await session.scalar(select(institutions.c.fixmedins_code).where(institutions.c.paasid == paasid))


async def set_credentials(session: AsyncSession, fixmedins_code: str, paasid: str, passtoken_encrypted: str) -> None:
    await session.execute(update(institutions).where(institutions.c.fixmedins_code == fixmedins_code)
                          .values(paasid=paasid, passtoken_encrypted=passtoken_encrypted))


async def credentials(session: AsyncSession, paasid: str) -> tuple[str, str] | None:
    """(fixmedins_code, encrypted passtoken) of the institution holding ``paasid``."""
    row = (await session.execute(select(institutions.c.fixmedins_code, institutions.c.passtoken_encrypted)
                                 .where(institutions.c.paasid == paasid))).first()
    return None if row is None or row.passtoken_encrypted is None else (row.fixmedins_code, row.passtoken_encrypted)


async def remember_nonce(session: AsyncSession, paasid: str, nonce: str, now: datetime,
                         forget_before: datetime) -> bool:
    """Record the nonce; False when it was seen already (within the window: older ones are forgotten first).

    Forgetting takes at most :data:`FORGET_AT_ONCE` old nonces that no concurrent request is forgetting
    (``SKIP LOCKED``): requests never wait for one another there, so they cannot deadlock on it."""
    t = gateway_nonces.c
    expired = (select(t.paasid, t.nonce).where(t.seen_at < forget_before).limit(FORGET_AT_ONCE)
               .with_for_update(skip_locked=True))
    await session.execute(delete(gateway_nonces).where(tuple_(t.paasid, t.nonce).in_(expired)))
    inserted = await session.scalar(pg_insert(gateway_nonces).values(paasid=paasid, nonce=nonce, seen_at=now)
                                    .on_conflict_do_nothing().returning(gateway_nonces.c.nonce))
    return inserted is not None


@dataclass(frozen=True)
class SignIn:
    sign_no: str
    fixmedins_code: str
    opter_no: str
    signed_in_at: datetime
    signed_out_at: datetime | None


async def add_sign_in(session: AsyncSession, sign_in: SignIn, mac: str | None, ip: str | None) -> None:
    await session.execute(gateway_sign_ins.insert().values(
        sign_no=sign_in.sign_no, fixmedins_code=sign_in.fixmedins_code, opter_no=sign_in.opter_no, mac=mac, ip=ip,
        signed_in_at=sign_in.signed_in_at))


async def sign_in_of(session: AsyncSession, sign_no: str, *, lock: bool = False) -> SignIn | None:
    t = gateway_sign_ins.c
    query = select(t.sign_no, t.fixmedins_code, t.opter_no, t.signed_in_at, t.signed_out_at).where(t.sign_no == sign_no)
    row = (await session.execute(query.with_for_update() if lock else query)).first()
    return None if row is None else SignIn(*row)


async def sign_out(session: AsyncSession, sign_no: str, at: datetime) -> None:
    await session.execute(update(gateway_sign_ins).where(gateway_sign_ins.c.sign_no == sign_no)
                          .values(signed_out_at=at))
