"""The one idempotency store (design rule 9): a key's first answer, whichever instance is asked again.

A request carrying a key (``Idempotency-Key``, a gateway ``msgid``) is an :class:`IdempotentRequest`: its scope,
its key and the digest of its canonical JSON (:func:`request_digest`, the one digest every service uses).
A use case claims the key first thing in its unit of work; the claim has three outcomes:

* **new**: ``claim`` returns None; the use case runs and stores its answer (``remember``) before committing;
* **replay**: the key was answered with the same request: ``claim`` returns the stored :class:`StoredAnswer`;
* **conflict**: the key was answered for a different request: ``claim`` raises a ``Refusal``
  (409 ``idempotency_key_reused``).

Safe across instances: the claim is an ``INSERT … ON CONFLICT DO NOTHING`` in the use case's own transaction,
so the key's row stays locked until that transaction commits its answer with its state change. The same key
sent to a second instance at the same moment waits on that row and then replays the first answer; if the first
transaction rolls back (a refusal, a crash: PostgreSQL ends a dead connection's transaction) the second claims
the key itself. An unanswered claim is never committed, so nothing can stay "in progress" after its process
is gone. A waiter gives up after ``wait_seconds`` (409 ``request_in_progress``: retry unchanged), so a hung
holder cannot block its retries forever.
"""

from __future__ import annotations

import abc
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, DateTime, Integer, MetaData, Table, Text, func, select, text, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from medfund_shared.errors import LOCK_NOT_AVAILABLE, sqlstate
from medfund_shared.refusal import IDEMPOTENCY_KEY_REUSED, REQUEST_IN_PROGRESS, Refusal

DEFAULT_WAIT_SECONDS = 10.0
"""How long a retry waits for a concurrent first request with its key (``Settings.idempotency_wait_seconds``)."""

idempotency_metadata = MetaData()
idempotency_keys = Table(
    "idempotency_keys", idempotency_metadata,
    Column("scope", Text, primary_key=True, comment="what the key is unique within (a route, a person's action)"),
    Column("key", Text, primary_key=True),
    Column("digest", Text, nullable=False, comment="request_digest of the first request sent with the key"),
    Column("status", Integer, comment="the first answer's status; NULL only inside the claiming transaction"),
    Column("answer", JSONB, comment="the first answer's body; NULL only inside the claiming transaction"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    comment="design rule 9: the first answer to each idempotency key (medfund_shared.idempotency)",
)
"""Each service's migration creates this table (``create_idempotency_table``)."""


def create_idempotency_table() -> None:
    """Inside an Alembic migration: create ``idempotency_keys``."""
    from alembic import op

    idempotency_metadata.create_all(op.get_bind())


def request_digest(request: Any) -> str:
    """SHA-256 of the request's canonical JSON: keys sorted, no spaces, UTF-8, dates and decimals as text."""
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class IdempotentRequest:
    """A request sent with a key: the scope and key it claims, the digest of what it asks."""

    scope: str
    key: str
    digest: str
    success_status: int = 200
    """The status its answer is sent with (stored with the body)."""
    field: str = "Idempotency-Key"
    """The input a conflict names (``msgid`` on the gateway)."""

    @classmethod
    def of(cls, scope: str, key: str | None, request: Any, *, success_status: int = 200,
           field: str = "Idempotency-Key") -> IdempotentRequest | None:
        """None when the client sent no key: the request is then simply not idempotent."""
        if not key:
            return None
        return cls(scope, key, request_digest(request), success_status, field)


@dataclass(frozen=True)
class StoredAnswer:
    status: int
    body: Any


def reused(request: IdempotentRequest) -> Refusal:
    return Refusal.conflict(IDEMPOTENCY_KEY_REUSED, f"this {request.field} was used with a different request",
                            request.field)


class IdempotencyStore(abc.ABC):
    """Claim a key (new, replay or conflict) and remember its answer, inside one unit of work."""

    def __init__(self) -> None:
        self._unanswered: set[tuple[str, str]] = set()

    async def claim(self, request: IdempotentRequest | None) -> StoredAnswer | None:
        """None: the key is this unit of work's to answer (or there is no key). Otherwise the first answer."""
        if request is None:
            return None
        stored = await self._claim(request)
        if stored is None:
            self._unanswered.add((request.scope, request.key))
            return None
        digest, answer = stored
        if digest != request.digest:
            raise reused(request)
        return answer

    async def remember(self, request: IdempotentRequest | None, body: Any) -> None:
        """Store the answer to a claimed key; it commits with the unit of work's state change."""
        if request is None:
            return
        await self._remember(request, StoredAnswer(request.success_status, body))
        self._unanswered.discard((request.scope, request.key))

    def check_answered(self) -> None:
        """Before a commit: a claimed key without its answer would replay nothing forever."""
        if self._unanswered:
            raise RuntimeError(f"idempotency keys claimed but not answered: {sorted(self._unanswered)}")

    def forget_claims(self) -> None:
        """After a rollback: the claims went with it."""
        self._unanswered.clear()

    @abc.abstractmethod
    async def _claim(self, request: IdempotentRequest) -> tuple[str, StoredAnswer] | None:
        """Insert the key; None when it was new, else the stored digest and answer."""

    @abc.abstractmethod
    async def _remember(self, request: IdempotentRequest, answer: StoredAnswer) -> None: ...


_BOUND_THE_WAIT = text("SELECT current_setting('lock_timeout'), set_config('lock_timeout', :wait, true)")
"""Bound how long the claim waits for a concurrent holder of the key; returns the setting it replaced."""
_RESTORE_THE_WAIT = text("SELECT set_config('lock_timeout', :wait, true)")


class SqlIdempotencyStore(IdempotencyStore):
    """The store in the service's ``idempotency_keys`` table, in the unit of work's session."""

    def __init__(self, session: AsyncSession, wait_seconds: float = DEFAULT_WAIT_SECONDS) -> None:
        super().__init__()
        self._session, self._wait_ms = session, max(1, int(wait_seconds * 1000))

    async def _claim(self, request: IdempotentRequest) -> tuple[str, StoredAnswer] | None:
        t = idempotency_keys
        before = await self._session.scalar(_BOUND_THE_WAIT, {"wait": f"{self._wait_ms}ms"})
        try:
            claimed = await self._session.scalar(
                pg_insert(t).values(scope=request.scope, key=request.key, digest=request.digest)
                .on_conflict_do_nothing().returning(t.c.key))
        except DBAPIError as error:
            if sqlstate(error) != LOCK_NOT_AVAILABLE:
                raise
            raise Refusal.conflict(REQUEST_IN_PROGRESS, f"a request with this {request.field} is still being "
                                   "answered; retry it unchanged", request.field) from None
        await self._session.execute(_RESTORE_THE_WAIT, {"wait": before})
        if claimed is not None:
            return None
        row = (await self._session.execute(select(t.c.digest, t.c.status, t.c.answer)
                                           .where(t.c.scope == request.scope, t.c.key == request.key))).one()
        return row.digest, StoredAnswer(row.status, row.answer)

    async def _remember(self, request: IdempotentRequest, answer: StoredAnswer) -> None:
        t = idempotency_keys
        await self._session.execute(update(t).where(t.c.scope == request.scope, t.c.key == request.key)
                                    .values(status=answer.status, answer=answer.body))


class InMemoryIdempotencyStore(IdempotencyStore):
    """For a ``FakeUnitOfWork``: the same outcomes, kept in a dict."""

    def __init__(self) -> None:
        super().__init__()
        self.answers: dict[tuple[str, str], tuple[str, StoredAnswer | None]] = {}

    async def _claim(self, request: IdempotentRequest) -> tuple[str, StoredAnswer] | None:
        stored = self.answers.get((request.scope, request.key))
        if stored is None:
            self.answers[(request.scope, request.key)] = (request.digest, None)
            return None
        return stored  # type: ignore[return-value]

    async def _remember(self, request: IdempotentRequest, answer: StoredAnswer) -> None:
        self.answers[(request.scope, request.key)] = (request.digest, answer)

    def forget_claims(self) -> None:
        for claimed in self._unanswered:
            self.answers.pop(claimed, None)
        super().forget_claims()
