"""Route dependencies: the unit of work, idempotency keys, the policy packs, the business date of today."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Depends, Header, Request

from medfund_enrollment.adapters.uow import UnitOfWork
from medfund_shared.china_time import CHINA_TIME
from medfund_shared.context import ContextDep, SessionDep
from medfund_shared.idempotency import IdempotentRequest
from medfund_shared.policy.pack_set import PackSet

PACK_SET = "pack_set"
BATCH_WORKER, BATCH_LEASES = "batch_worker", "batch_leases"
"""``context.extras`` keys of the bulk-batch worker and the leases of bulk batches."""


async def get_uow(session: SessionDep, context: ContextDep) -> UnitOfWork:
    """The request's unit of work; its commit wakes the outbox relay."""
    return UnitOfWork(session, relay=context.relay,
                      idempotency_wait_seconds=context.settings.idempotency_wait_seconds)


def idempotent(scope: str, key: str | None, body: Any) -> IdempotentRequest | None:
    """A POST's ``Idempotency-Key`` (every enrollment POST that takes one answers 201)."""
    return IdempotentRequest.of(scope, key, body, success_status=201)


async def get_pack_set(request: Request) -> PackSet:
    return request.app.state.context.extras[PACK_SET]


def today_in_china() -> date:
    """The default registration date when the request names none: the day it is made, in China."""
    return datetime.now(CHINA_TIME).date()


UowDep = Annotated[UnitOfWork, Depends(get_uow)]
PackSetDep = Annotated[PackSet, Depends(get_pack_set)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]
