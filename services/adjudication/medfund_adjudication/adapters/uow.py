"""Adjudication's unit of work: the shared one (:mod:`medfund_shared.unit_of_work`) with its repositories,
the packs in force, the gateway credentials' cipher and the settlement's hot path.

A gateway ``msgid`` or an ``Idempotency-Key`` is a :class:`RequestKey`: the shared
:class:`~medfund_shared.idempotency.IdempotentRequest` plus how its answer is rendered. The answer stored
for a key is the exact text first sent (a JSON string in ``idempotency_keys.answer``), so a retry gets it
byte for byte; a key reused for other content is refused as the gateway documents it (``conflict``,
"msgid was already used for a different request").

The settlement (2304 / 2207) is the one use case that does not run on the session: it runs its tuned
statements on the driver (:meth:`UnitOfWork.settling`, :mod:`medfund_adjudication.adapters.settling`),
reading the stored answer and storing its own in those statements (docs/development.md, "the exception").
"""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_adjudication.adapters.admission_repo import AdmissionRepository
from medfund_adjudication.adapters.coverage_repo import CoverageRepository
from medfund_adjudication.adapters.gateway_access_repo import CallerChecks, GatewayAccessRepository
from medfund_adjudication.adapters.passtoken_cipher import PasstokenCipher
from medfund_adjudication.adapters.registry_repo import RegistryRepository
from medfund_adjudication.adapters.settlement_repo import SettlementRepository
from medfund_adjudication.adapters.settling import Settling
from medfund_adjudication.adapters.simulation_repo import SimulationRepository
from medfund_adjudication.domain.refusal import Refused
from medfund_shared import driver
from medfund_shared.context import ServiceContext
from medfund_shared.events import sources
from medfund_shared.idempotency import IdempotentRequest, StoredAnswer, idempotency_keys, request_digest
from medfund_shared.policy.pack_set import NoPackInForce, PackSet
from medfund_shared.policy.schema import PolicyPack
from medfund_shared.refusal import IDEMPOTENCY_KEY_REUSED, NO_POLICY_PACK, Refusal
from medfund_shared.unit_of_work import SqlUnitOfWork
from medfund_shared.unit_of_work import UnitOfWork as BaseUnitOfWork

T = TypeVar("T")


@dataclass(frozen=True)
class RequestKey:
    """A sender's message id (``msgid``, ``Idempotency-Key``): the shared idempotent request and how to answer."""

    request: IdempotentRequest
    render: Callable[[Any], str]

    @classmethod
    def of(cls, scope: str, key: str, parts: list, render: Callable[[Any], str], field: str) -> RequestKey:
        """``parts``: what the request asked, digested as the one canonical request digest."""
        return cls(IdempotentRequest(scope, key, request_digest(parts), field=field), render)

    @property
    def field(self) -> str:
        return self.request.field

    @property
    def message_key(self) -> str:
        """``scope:key``: how the fee details an upload stored name the message (a 2601 finds them by it)."""
        return f"{self.request.scope}:{self.request.key}"


@dataclass(frozen=True)
class Answer(Generic[T]):
    """A use case's outcome and, when the request had a key, the text first sent for it."""

    result: T | None
    text: str | None = None


def reused(request: RequestKey) -> Refused:
    return Refused("conflict", f"{request.field} was already used for a different request", request.field)


def stored_answer(request: RequestKey, digest: str, text: str | None) -> Answer:
    """The first answer to ``request``'s key, provided it was asked with the same content."""
    if digest != request.request.digest:
        raise reused(request)
    return Answer(None, text)


class AdjudicationUnitOfWork(BaseUnitOfWork):
    """What adjudication's use cases ask of a unit of work beyond the shared one; the SQL :class:`UnitOfWork` and
    the unit tests' ``FakeUnitOfWork`` both are one.

    Repositories: ``admissions``, ``coverage``, ``registry``, ``settlements``, ``gateway_access``,
    ``simulations``."""

    source = sources.ADJUDICATION
    packs: PackSet
    passtokens: PasstokenCipher

    def pack(self, admdvs: str, insutype: str, day: date) -> PolicyPack:
        """The pack in force for the person's region and scheme on the business date."""
        try:
            return self.packs.in_force(admdvs, insutype, day)
        except NoPackInForce as missing:
            raise Refused(NO_POLICY_PACK, str(missing)) from None

    async def claim(self, request: RequestKey | None) -> Answer | None:
        """Claim ``request``'s key (the shared store); the first answer when it was used before with the same
        content. A concurrent first use holds the key until it commits, so a retry waits for its answer."""
        if request is None:
            return None
        try:
            stored = await self.idempotency.claim(request.request)
        except Refusal as refusal:
            if refusal.code == IDEMPOTENCY_KEY_REUSED:
                raise reused(request) from None
            raise
        return None if stored is None else Answer(None, stored.body)

    async def commit_answer(self, request: RequestKey | None = None, result: T | None = None) -> Answer[T]:
        """Commit once; the answer to a claimed request is stored with the state change it reports."""
        text = None
        if request is not None:
            text = request.render(result)
            await self.idempotency.remember(request.request, text)
        await self.commit()
        return Answer(result, text)

    @abc.abstractmethod
    def caller_checks(self) -> AbstractAsyncContextManager:
        """The gateway access checks every call makes: ``caller_records`` and ``remember_nonce``."""

    @abc.abstractmethod
    def settling(self, *, locked: bool) -> AbstractAsyncContextManager[Settling]:
        """The settlement's hot path (:class:`~medfund_adjudication.adapters.settling.Settling`)."""

    @abc.abstractmethod
    def published(self) -> None:
        """Wake the outbox relay: a change committed outside the unit of work (the hot path) queued events."""

    @abc.abstractmethod
    async def answered(self, request: RequestKey) -> Answer | None:
        """The committed answer to ``request``'s key, if any (in a transaction of its own)."""

    @abc.abstractmethod
    async def first_answer(self, scope: str, key: str) -> str | None:
        """The answer stored for a request key (None when unknown or still being processed)."""


class UnitOfWork(AdjudicationUnitOfWork, SqlUnitOfWork):
    """A request's transaction on a session of its own, with adjudication's repositories."""

    def __init__(self, context: ServiceContext) -> None:
        self._context = context
        self.packs = context.extras["packs"]
        self.passtokens = context.extras["passtokens"]
        super().__init__(context.session_factory(), relay=context.relay,
                         idempotency_wait_seconds=context.settings.idempotency_wait_seconds)

    @classmethod
    def joined_to(cls, session: AsyncSession) -> UnitOfWork:
        """A consumer's event inside the runner's batch transaction (its SAVEPOINT): the repositories and the
        outbox on the runner's session, ``commit`` only flushes and the runner owns the transaction. The
        projections that run on it read no pack, no passtoken and no stored answer."""
        uow = cls.__new__(cls)
        SqlUnitOfWork.__init__(uow, session, joined=True)
        return uow

    def attach(self, session) -> None:
        self.admissions = AdmissionRepository(session)
        self.coverage = CoverageRepository(session)
        self.registry = RegistryRepository(session)
        self.settlements = SettlementRepository(session)
        self.gateway_access = GatewayAccessRepository(session)
        self.simulations = SimulationRepository(session)

    async def __aexit__(self, *exc: object) -> None:
        """Close the session this unit opened if it still holds a transaction (a read after the commit begins
        one); a session that holds none holds no connection, and closing it would cost a settlement ~16 µs."""
        await super().__aexit__(*exc)
        if not self._joined and self.session.in_transaction():
            await self.session.close()

    @asynccontextmanager
    async def caller_checks(self) -> AsyncIterator[CallerChecks]:
        """The gateway access checks every call makes (:class:`CallerChecks`' driver statements), on a driver
        connection where each statement commits on its own: no session for the hot path."""
        async with driver.connection(self._context.engine) as db:
            yield CallerChecks(db)

    @asynccontextmanager
    async def settling(self, *, locked: bool) -> AsyncIterator[Settling]:
        """The hot path's statements on the driver instead of the session: each commits on its own, or with
        ``locked`` all in one transaction that commits when the block ends without an error."""
        async with Settling.on(self._context.engine, locked=locked) as settling:
            yield settling

    def published(self) -> None:
        self._context.relay.notify()

    async def answered(self, request: RequestKey) -> Answer | None:
        stored = await self._first_answer(request.request.scope, request.request.key)
        return None if stored is None else stored_answer(request, stored[0], stored[1].body)

    async def first_answer(self, scope: str, key: str) -> str | None:
        stored = await self._first_answer(scope, key)
        return None if stored is None else stored[1].body

    async def _first_answer(self, scope: str, key: str) -> tuple[str, StoredAnswer] | None:
        t = idempotency_keys
        async with self._context.session_factory() as session:
            row = (await session.execute(select(t.c.digest, t.c.status, t.c.answer).where(
                t.c.scope == scope, t.c.key == key, t.c.answer.is_not(None)))).first()
        return None if row is None else (row.digest, StoredAnswer(row.status, row.answer))
