"""Unit of work: one transaction per use case, the request-idempotency record and the packs in force."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

import asyncpg
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_adjudication.adapters.passtoken_cipher import PasstokenCipher
from medfund_adjudication.adapters.tables import requests
from medfund_adjudication.domain.refusal import Refused
from medfund_shared import driver
from medfund_shared.context import ServiceContext
from medfund_shared.policy.catalogue import NoPackInForce, PolicyCatalogue
from medfund_shared.policy.schema import PolicyPack
from medfund_shared.refusal import NO_POLICY_PACK

T = TypeVar("T")


@dataclass(frozen=True)
class RequestKey:
    """A sender's message id (``msgid``, ``Idempotency-Key``) with the digest of what it asked and how to answer."""

    key: str
    digest: str
    render: Callable[[Any], str]
    field: str = "msgid"


def digest_of(*parts: Any) -> str:
    text = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Answer(Generic[T]):
    """A use case's outcome and, when the request had a key, the text first sent for it."""

    result: T | None
    text: str | None = None


class UnitOfWork:
    def __init__(self, context: ServiceContext) -> None:
        self._context = context
        self.packs: PolicyCatalogue = context.extras["packs"]
        self.passtokens: PasstokenCipher = context.extras["passtokens"]
        self.session: AsyncSession

    def pack(self, admdvs: str, insutype: str, day: date) -> PolicyPack:
        """The pack in force for the person's region and scheme on the business date."""
        try:
            return self.packs.in_force(admdvs, insutype, day)
        except NoPackInForce as missing:
            raise Refused(NO_POLICY_PACK, str(missing)) from None

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._context.session_factory()
        await self.session.begin()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.session.close()

    def on_connection(self) -> AbstractAsyncContextManager[asyncpg.Connection]:
        """Instead of the session, for the hot path: a connection on the driver where each statement commits on
        its own (:mod:`medfund_shared.driver`). Call :meth:`published` after a statement queued events."""
        return driver.connection(self._context.engine)

    def on_driver(self) -> AbstractAsyncContextManager[asyncpg.Connection]:
        """Instead of the session, for the hot path: a transaction on the driver that commits when the block
        ends without an error (:mod:`medfund_shared.driver`). Call :meth:`published` after it queued events."""
        return driver.transaction(self._context.engine)

    def published(self) -> None:
        """Wake the outbox relay: a committed change queued events."""
        self._context.relay.notify()

    async def replay(self, request: RequestKey | None) -> Answer | None:
        """Claim ``request``'s key; the first answer when it was used before with the same content.

        A concurrent first use holds the key's row until it commits, so a retry waits for its answer.
        """
        if request is None:
            return None
        claimed = await self.session.scalar(pg_insert(requests).values(key=request.key, digest=request.digest)
                                            .on_conflict_do_nothing().returning(requests.c.key))
        if claimed is not None:
            return None
        row = (await self.session.execute(select(requests.c.digest, requests.c.answer)
                                          .where(requests.c.key == request.key))).one()
        return self.stored(request, row.digest, row.answer)

    @staticmethod
    def stored(request: RequestKey, digest: str, answer: str | None) -> Answer:
        """The first answer to ``request``'s key, provided it was asked with the same content."""
        if digest != request.digest:
            raise Refused("conflict", f"{request.field} was already used for a different request", request.field)
        return Answer(None, answer)

    async def answered(self, request: RequestKey) -> Answer | None:
        """The committed answer to ``request``'s key, if any (in a transaction of its own)."""
        async with self._context.session_factory() as session:
            row = (await session.execute(select(requests.c.digest, requests.c.answer).where(
                requests.c.key == request.key, requests.c.answer.is_not(None)))).first()
        return None if row is None else self.stored(request, row.digest, row.answer)

    async def first_answer(self, key: str) -> str | None:
        """The answer stored for a request key (None when unknown or still being processed)."""
        async with self._context.session_factory() as session:
            return await session.scalar(select(requests.c.answer).where(requests.c.key == key))

    @staticmethod
    def answer_row(request: RequestKey, result: Any) -> dict:
        """For a use case that does not claim its key first: the ``requests`` row storing the answer.

        The use case inserts it with its change, doing nothing when a concurrent request with the same
        key committed first; it must then give its change up (see :meth:`answered`).
        """
        return {"key": request.key, "digest": request.digest, "answer": request.render(result)}

    async def commit(self, request: RequestKey | None = None, result: T | None = None) -> Answer[T]:
        """Commit once; the answer to a claimed request is stored with the state change it reports."""
        text = None
        if request is not None:
            text = request.render(result)
            await self.session.execute(update(requests).where(requests.c.key == request.key).values(answer=text))
        await self.session.commit()
        self.published()
        return Answer(result, text)
